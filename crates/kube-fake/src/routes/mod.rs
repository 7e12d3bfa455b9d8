//! From a request to a reply: path routing, fault injection and the request log.
//!
//! Every request passes through [`serve`] once, under the state lock: the path is parsed into a
//! [`Route`], the active faults get their say, the route's handler runs, and the request is
//! logged with the status it got. Handlers are plain functions of the state, which keeps the HTTP
//! plumbing in `server.rs` and everything Kubernetes-shaped here.

mod discovery;
pub(crate) mod objects;
mod patch;
mod token;

use std::time::Duration;

use serde_json::Value;

use crate::fault::{Refusal, Target};
use crate::record::Request;
use crate::resource::Resource;
use crate::state::State;
use crate::status::{Reply, qualified};

/// A request as read off the wire.
#[derive(Debug)]
pub(crate) struct Incoming {
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) query: String,
    pub(crate) content_type: Option<String>,
    /// The `User-Agent` header, which names the field manager of an update without
    /// `fieldManager`.
    pub(crate) user_agent: Option<String>,
    pub(crate) body: Vec<u8>,
    /// Whether the charm's user sent it (a request on the wire), rather than a test playing
    /// another client ([`crate::FakeKube::apply_as`]); only the charm's requests go through
    /// Juju's webhook, which maps the charm's ServiceAccount to its application.
    pub(crate) by_charm: bool,
}

/// Where a path leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Route {
    /// `/version`
    Version,
    /// `/api`
    CoreVersions,
    /// `/apis`
    Groups,
    /// `/api/v1` or `/apis/{group}/{version}`
    Resources { group: String, version: String },
    /// A list (or create) URL; `namespace` is `None` for cluster scope or all namespaces.
    Collection { res: Resource, namespace: Option<String> },
    /// One object.
    Object { res: Resource, namespace: Option<String>, name: String },
    /// `/api/v1/namespaces/{ns}/serviceaccounts/{name}/token`
    Token { namespace: String, name: String },
    /// Anything else.
    Unknown,
}

impl Route {
    pub(crate) fn parse(path: &str) -> Route {
        let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
        let (group, version, rest) = match segs.as_slice() {
            ["version"] => return Route::Version,
            ["api"] => return Route::CoreVersions,
            ["apis"] => return Route::Groups,
            ["api", v, rest @ ..] => ("", *v, rest),
            ["apis", g, v, rest @ ..] => (*g, *v, rest),
            _ => return Route::Unknown,
        };
        let (namespace, rest) = match rest {
            ["namespaces", ns, rest @ ..] if !rest.is_empty() => (Some((*ns).to_owned()), rest),
            _ => (None, rest),
        };
        let find = |plural: &str| {
            Resource::by_path(group, version, plural).filter(|r| {
                r.namespaced == namespace.is_some() || (r.namespaced && rest.len() == 1)
            })
        };
        match rest {
            [] => Route::Resources { group: group.to_owned(), version: version.to_owned() },
            [plural] => {
                find(plural).map_or(Route::Unknown, |res| Route::Collection { res, namespace })
            }
            [plural, name] => find(plural).map_or(Route::Unknown, |res| Route::Object {
                res,
                namespace,
                name: (*name).to_owned(),
            }),
            ["serviceaccounts", name, "token"] if group.is_empty() && version == "v1" => {
                match namespace {
                    Some(namespace) => Route::Token { namespace, name: (*name).to_owned() },
                    None => Route::Unknown,
                }
            }
            _ => Route::Unknown,
        }
    }
}

/// Serves one request against the state and logs it; returns the reply and how long to hold it.
pub(crate) fn serve(state: &mut State, req: &Incoming) -> (Reply, Option<Duration>) {
    let route = Route::parse(&req.path);
    let attrs = Attributes::of(req, &route);
    let resource = attrs.resource();
    let target =
        Target { verb: attrs.verb, resource: resource.as_deref(), name: attrs.name.as_deref() };
    let effect = state.faults.check(&req.method, &target);
    let body = parse_body(&req.body);
    let reply = match effect.refusal {
        Some(Refusal::Forbidden) => forbidden(&state.user, &req.path, &attrs),
        Some(Refusal::Status(code)) => Reply::injected(code),
        None => dispatch(state, req, &route, body.as_ref()),
    };
    state.requests.push(Request {
        method: req.method.clone(),
        path: req.path.clone(),
        query: req.query.clone(),
        content_type: req.content_type.clone(),
        body: body.map(|b| b.unwrap_or_else(Value::String)),
        status: reply.status,
    });
    (reply, effect.delay)
}

/// The body as JSON, or as text when it is not JSON; `None` when empty.
fn parse_body(bytes: &[u8]) -> Option<Result<Value, String>> {
    if bytes.is_empty() {
        return None;
    }
    Some(serde_json::from_slice(bytes).map_err(|_| String::from_utf8_lossy(bytes).into_owned()))
}

fn dispatch(
    state: &mut State,
    req: &Incoming,
    route: &Route,
    body: Option<&Result<Value, String>>,
) -> Reply {
    let body = match body {
        Some(Err(_)) if matches!(req.method.as_str(), "POST" | "PUT" | "PATCH") => {
            return Reply::bad_request("kube-fake accepts JSON request bodies only");
        }
        Some(Ok(v)) => Some(v),
        _ => None,
    };
    let get = req.method == "GET";
    match route {
        Route::Version if get => discovery::version(),
        Route::CoreVersions if get => discovery::core_versions(&state.address),
        Route::Groups if get => discovery::groups(),
        Route::Resources { group, version } if get => discovery::resources(group, version),
        Route::Collection { res, namespace } => {
            objects::collection(state, req, res, namespace.as_deref(), body)
        }
        Route::Object { res, namespace, name } => {
            objects::object(state, req, res, namespace.as_deref(), name, body)
        }
        Route::Token { namespace, name } if req.method == "POST" => {
            token::create(state, namespace, name, body)
        }
        Route::Unknown => Reply::no_route(),
        _ => Reply::method_not_allowed(),
    }
}

/// Mutating admission: Juju's webhook, if set, on the charm's create or update of `obj` (which
/// replaces `old`, `None` on create), after the field manager and before storage.
pub(crate) fn mutating_admission(
    state: &State,
    req: &Incoming,
    obj: &mut Value,
    old: Option<&Value>,
) {
    if let (true, Some(hook)) = (req.by_charm, &state.juju_webhook) {
        hook.mutate(obj, old);
    }
}

/// What the authorizer sees of a request (k8s.io/apiserver `endpoints/request/requestinfo.go`):
/// the verb, the resource with any subresource, the namespace and the name.
#[derive(Debug, Clone)]
struct Attributes {
    verb: &'static str,
    res: Option<Resource>,
    sub: Option<&'static str>,
    namespace: Option<String>,
    name: Option<String>,
}

impl Attributes {
    fn of(req: &Incoming, route: &Route) -> Attributes {
        let (res, namespace, name, sub) = match route {
            Route::Collection { res, namespace } => (Some(*res), namespace.clone(), None, None),
            Route::Object { res, namespace, name } => {
                (Some(*res), namespace.clone(), Some(name.clone()), None)
            }
            Route::Token { namespace, name } => (
                Resource::by_kind("ServiceAccount"),
                Some(namespace.clone()),
                Some(name.clone()),
                Some("token"),
            ),
            _ => (None, None, None, None),
        };
        let watch = crate::select::param(&req.query, "watch").as_deref() == Some("true");
        let verb = match (req.method.as_str(), name.is_some()) {
            ("GET", true) => "get",
            ("GET", false) if watch => "watch",
            ("GET", false) => "list",
            ("POST", _) => "create",
            ("PUT", _) => "update",
            ("PATCH", _) => "patch",
            ("DELETE", true) => "delete",
            ("DELETE", false) => "deletecollection",
            _ => "get",
        };
        Attributes { verb, res, sub, namespace, name }
    }

    /// The resource as RBAC names it (`secrets`, `serviceaccounts/token`).
    fn resource(&self) -> Option<String> {
        self.res.map(|r| r.rbac_name(self.sub))
    }
}

/// 403 worded as the RBAC filter words it (k8s.io/apiserver
/// `endpoints/handlers/responsewriters/errors.go`, `forbiddenMessage`): `secrets "x" is
/// forbidden: User "u" cannot get resource "secrets" in API group "" in the namespace "ns"`.
fn forbidden(user: &str, path: &str, attrs: &Attributes) -> Reply {
    let verb = attrs.verb;
    let Some(res) = attrs.res else {
        let msg = format!("forbidden: User \"{user}\" cannot {verb} path \"{path}\"");
        return Reply::failure(403, "Forbidden", &msg, Some(serde_json::json!({})));
    };
    let subject = match &attrs.name {
        Some(n) => format!("{} \"{n}\"", qualified(&res)),
        None => qualified(&res),
    };
    let scope = match &attrs.namespace {
        Some(ns) => format!("in the namespace \"{ns}\""),
        None => "at the cluster scope".to_owned(),
    };
    let msg = format!(
        "{subject} is forbidden: User \"{user}\" cannot {verb} resource \"{}\" in API group \"{}\" {scope}",
        res.rbac_name(attrs.sub),
        res.group,
    );
    let mut details = serde_json::json!({"kind": res.plural});
    if let (Some(n), Value::Object(m)) = (&attrs.name, &mut details) {
        m.insert("name".to_owned(), n.clone().into());
    }
    if let (false, Value::Object(m)) = (res.group.is_empty(), &mut details) {
        m.insert("group".to_owned(), res.group.into());
    }
    Reply::failure(403, "Forbidden", &msg, Some(details))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_paths() {
        let secret = Resource::by_kind("Secret");
        let mwc = Resource::by_kind("MutatingWebhookConfiguration");
        let obj = |res: Option<Resource>, ns: Option<&str>, name: &str| match res {
            Some(res) => {
                Route::Object { res, namespace: ns.map(str::to_owned), name: name.to_owned() }
            }
            None => Route::Unknown,
        };
        assert_eq!(Route::parse("/api/v1/namespaces/ns/secrets/x"), obj(secret, Some("ns"), "x"));
        assert_eq!(
            Route::parse("/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/m"),
            obj(mwc, None, "m")
        );
        assert!(matches!(
            Route::parse("/api/v1/secrets"),
            Route::Collection { namespace: None, .. }
        ));
        assert_eq!(Route::parse("/api/v1/secrets/x"), Route::Unknown);
        assert_eq!(
            Route::parse(
                "/apis/admissionregistration.k8s.io/v1/namespaces/ns/mutatingwebhookconfigurations"
            ),
            Route::Unknown
        );
        assert_eq!(
            Route::parse("/api/v1/namespaces/ns/serviceaccounts/sa/token"),
            Route::Token { namespace: "ns".into(), name: "sa".into() }
        );
        assert_eq!(Route::parse("/version"), Route::Version);
        assert_eq!(Route::parse("/healthz"), Route::Unknown);
        assert_eq!(Route::parse("/api/v1/namespaces/ns/pods"), Route::Unknown);
    }
}
