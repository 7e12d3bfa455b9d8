//! Fault injection: refusals, server errors and stalls, at chosen points in a request sequence.
//!
//! The charm must turn a 403 into its trust status, retry after a 5xx on a later hook, and give up
//! on a stalled API server instead of hanging the hook (`spec/contract.md` §8). Each fault counts
//! the requests it matches from the moment it is set, so a test can say "the second PATCH fails"
//! without knowing how many reads come first.

use std::time::Duration;

/// A misbehaviour the server applies to the requests that follow [`crate::FakeKube::set_faults`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Answer every request with 403 Forbidden: a `Status` with reason `Forbidden` and an RBAC
    /// message such as `secrets "x" is forbidden: User "system:serviceaccount:kubeflow:ckf-crypto"
    /// cannot get resource "secrets" in API group "" in the namespace "kubeflow"`.
    ForbiddenAll,
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

    /// Counts one request with `method` against every fault and returns what they do to it.
    /// When several faults answer the same request, the first one set wins.
    pub(crate) fn check(&mut self, method: &str) -> Effect {
        let mut effect = Effect::default();
        for a in &mut self.armed {
            let (nth, wanted) = match &a.fault {
                Fault::ForbiddenAll => {
                    effect.refusal.get_or_insert(Refusal::Forbidden);
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
                Fault::ForbiddenAll => {}
            }
        }
        effect
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_once_fires_on_the_nth_matching_request_only() {
        let mut f = Faults::default();
        f.set(vec![Fault::StatusOnce { nth: 2, method: Some("patch".into()), status: 503 }]);
        assert_eq!(f.check("GET"), Effect::default());
        assert_eq!(f.check("PATCH"), Effect::default());
        assert_eq!(f.check("GET"), Effect::default());
        assert_eq!(f.check("PATCH").refusal, Some(Refusal::Status(503)));
        assert_eq!(f.check("PATCH"), Effect::default());
    }

    #[test]
    fn forbidden_all_wins_and_delay_combines() {
        let mut f = Faults::default();
        f.set(vec![
            Fault::ForbiddenAll,
            Fault::DelayOnce { nth: 1, method: None, delay: Duration::from_millis(5) },
        ]);
        let e = f.check("GET");
        assert_eq!(e.refusal, Some(Refusal::Forbidden));
        assert_eq!(e.delay, Some(Duration::from_millis(5)));
        assert_eq!(f.check("GET").delay, None);
        f.set(Vec::new());
        assert_eq!(f.check("GET"), Effect::default());
    }
}
