//! Fault injection: refusals, server errors and stalls, at chosen points in a request sequence.
//!
//! The charm must turn a 403 into its trust status, retry after a 5xx on a later hook, and give up
//! on a stalled API server instead of hanging the hook (the README's "How it works"). Each fault
//! counts the requests it matches from the moment it is set, so a test can say "the second PATCH
//! fails" without knowing how many reads come first. RBAC refusals ([`Fault::ForbiddenAll`],
//! [`Fault::Forbid`]) last until cleared, and match a request by what the authorizer sees of it:
//! verb, resource and name (k8s.io/apiserver `endpoints/request` `RequestInfo`).

use std::time::Duration;

/// A misbehaviour the server applies to the requests that follow [`crate::FakeKube::set_faults`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Answer every request with 403 Forbidden: a `Status` with reason `Forbidden` and an RBAC
    /// message such as `secrets "x" is forbidden: User "system:serviceaccount:kubeflow:ckf-crypto"
    /// cannot get resource "secrets" in API group "" in the namespace "kubeflow"`.
    ForbiddenAll,
    /// Answer the requests RBAC would refuse if the user lacked this permission, with the same 403
    /// as [`Fault::ForbiddenAll`]; until cleared. `None` matches anything. A server-side apply to
    /// a missing object is also authorized for `create` once the patch is allowed (k8s.io/apiserver
    /// `endpoints/handlers/patch.go`, `createAuthorizerAttributes`), so
    /// `Forbid { verb: Some("create".into()), .. }` refuses that apply and not one to an
    /// existing object.
    Forbid {
        /// The RBAC verb: `get`, `list`, `watch`, `create`, `update`, `patch`, `delete`,
        /// `deletecollection`.
        verb: Option<String>,
        /// The resource as RBAC names it: `secrets`, `mutatingwebhookconfigurations`,
        /// `serviceaccounts/token`.
        resource: Option<String>,
        /// The object's name (`None` also matches requests without one, such as a list).
        name: Option<String>,
    },
    /// The `nth` (1-based, counted from when set; 0 counts as 1) request whose method matches
    /// (`None` = any method) gets HTTP `status` with a `Status` body; only once. The request has no
    /// other effect.
    StatusOnce {
        /// Which matching request fails.
        nth: u64,
        /// The HTTP method to match, case-insensitive, or `None` for any.
        method: Option<String>,
        /// The HTTP status to answer with, e.g. 500 or 503.
        status: u16,
    },
    /// The `nth` matching request is served at once (a write takes effect) but its response is
    /// held for `delay`, long enough to trip a client timeout; only once. If the client has given
    /// up by then, the response is dropped with the connection.
    DelayOnce {
        /// Which matching request stalls.
        nth: u64,
        /// The HTTP method to match, case-insensitive, or `None` for any.
        method: Option<String>,
        /// How long to hold the response.
        delay: Duration,
    },
}

/// What the authorizer sees of a request: verb, resource (with any subresource) and name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Target<'a> {
    pub(crate) verb: &'a str,
    pub(crate) resource: Option<&'a str>,
    pub(crate) name: Option<&'a str>,
}

/// What the active faults do to one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Effect {
    /// Answer with this instead of serving the request.
    pub(crate) refusal: Option<Refusal>,
    /// Hold the response this long.
    pub(crate) delay: Option<Duration>,
}

/// An injected answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// 403 with an RBAC message about the request.
    Forbidden,
    /// This HTTP status with a generic `Status`.
    Status(u16),
}

/// The faults in force, each with the count of requests it has matched.
#[derive(Debug, Default)]
pub(crate) struct Faults {
    armed: Vec<Armed>,
}

#[derive(Debug)]
struct Armed {
    fault: Fault,
    seen: u64,
    spent: bool,
}

impl Faults {
    /// Replaces the faults in force, with fresh counts.
    pub(crate) fn set(&mut self, faults: Vec<Fault>) {
        self.armed =
            faults.into_iter().map(|fault| Armed { fault, seen: 0, spent: false }).collect();
    }

    /// Whether an RBAC fault refuses `target`.
    pub(crate) fn forbids(&self, target: &Target<'_>) -> bool {
        self.armed.iter().any(|a| forbids(&a.fault, target))
    }

    /// Counts one request with `method` against every fault and returns what they do to it.
    /// When several faults answer the same request, the first one set wins.
    pub(crate) fn check(&mut self, method: &str, target: &Target<'_>) -> Effect {
        let mut effect = Effect::default();
        for a in &mut self.armed {
            let (nth, wanted) = match &a.fault {
                Fault::ForbiddenAll | Fault::Forbid { .. } => {
                    if forbids(&a.fault, target) {
                        effect.refusal.get_or_insert(Refusal::Forbidden);
                    }
                    continue;
                }
                Fault::StatusOnce { nth, method, .. } | Fault::DelayOnce { nth, method, .. } => {
                    (*nth, method.as_deref())
                }
            };
            if wanted.is_some_and(|m| !m.eq_ignore_ascii_case(method)) {
                continue;
            }
            a.seen += 1;
            if a.spent || a.seen < nth.max(1) {
                continue;
            }
            a.spent = true;
            match &a.fault {
                Fault::StatusOnce { status, .. } => {
                    effect.refusal.get_or_insert(Refusal::Status(*status));
                }
                Fault::DelayOnce { delay, .. } => {
                    effect.delay.get_or_insert(*delay);
                }
                Fault::ForbiddenAll | Fault::Forbid { .. } => {}
            }
        }
        effect
    }
}

fn forbids(fault: &Fault, target: &Target<'_>) -> bool {
    let matches =
        |want: &Option<String>, got: Option<&str>| want.as_deref().is_none_or(|w| got == Some(w));
    match fault {
        Fault::ForbiddenAll => true,
        Fault::Forbid { verb, resource, name } => {
            matches(verb, Some(target.verb))
                && matches(resource, target.resource)
                && matches(name, target.name)
        }
        Fault::StatusOnce { .. } | Fault::DelayOnce { .. } => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GET: Target<'static> = Target { verb: "get", resource: Some("secrets"), name: Some("x") };

    #[test]
    fn status_once_fires_on_the_nth_matching_request_only() {
        let mut f = Faults::default();
        f.set(vec![Fault::StatusOnce { nth: 2, method: Some("patch".into()), status: 503 }]);
        assert_eq!(f.check("GET", &GET), Effect::default());
        assert_eq!(f.check("PATCH", &GET), Effect::default());
        assert_eq!(f.check("GET", &GET), Effect::default());
        assert_eq!(f.check("PATCH", &GET).refusal, Some(Refusal::Status(503)));
        assert_eq!(f.check("PATCH", &GET), Effect::default());
    }

    #[test]
    fn forbidden_all_wins_and_delay_combines() {
        let mut f = Faults::default();
        f.set(vec![
            Fault::ForbiddenAll,
            Fault::DelayOnce { nth: 1, method: None, delay: Duration::from_millis(5) },
        ]);
        let e = f.check("GET", &GET);
        assert_eq!(e.refusal, Some(Refusal::Forbidden));
        assert_eq!(e.delay, Some(Duration::from_millis(5)));
        assert_eq!(f.check("GET", &GET).delay, None);
        f.set(Vec::new());
        assert_eq!(f.check("GET", &GET), Effect::default());
    }

    #[test]
    fn forbid_matches_verb_resource_and_name() {
        let mut f = Faults::default();
        f.set(vec![Fault::Forbid {
            verb: Some("create".into()),
            resource: Some("secrets".into()),
            name: None,
        }]);
        let create = Target { verb: "create", resource: Some("secrets"), name: Some("x") };
        assert!(f.forbids(&create));
        assert_eq!(f.check("POST", &create).refusal, Some(Refusal::Forbidden));
        assert!(!f.forbids(&Target { verb: "patch", ..create }));
        assert!(!f.forbids(&Target { resource: Some("configmaps"), ..create }));
        f.set(vec![Fault::Forbid { verb: None, resource: None, name: Some("y".into()) }]);
        assert!(!f.forbids(&create));
        assert!(!f.forbids(&Target { name: None, ..create }));
        assert!(f.forbids(&Target { name: Some("y"), ..create }));
    }
}
