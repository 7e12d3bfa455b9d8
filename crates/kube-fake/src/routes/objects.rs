//! Create, read, list, replace, patch and delete for the stored kinds.
//!
//! The API server's identity rules are enforced, because a charm that gets them wrong fails in a
//! real cluster: the object's `apiVersion`, `kind`, name and namespace must agree with the URL, a
//! `resourceVersion` sent with a write is a precondition (409 when stale), and a create may not
//! carry one. A write that changes nothing leaves `resourceVersion` alone. Every write records
//! its fields in `metadata.managedFields` (`ownership.rs`) under the request's field manager.
//! `dryRun` and `watch` are refused rather than half supported.

use serde_json::{Value, json};

use super::Incoming;
use crate::fault::Target;
use crate::kinds;
use crate::ownership;
use crate::resource::Resource;
use crate::select::{self, Selector};
use crate::state::State;
use crate::status::Reply;
use crate::store::{metadata_mut, object_mut, str_at};

/// A request on a collection URL: list, or create.
pub(super) fn collection(
    state: &mut State,
    req: &Incoming,
    res: &Resource,
    namespace: Option<&str>,
    body: Option<&Value>,
) -> Reply {
    match req.method.as_str() {
        "GET" => list(state, req, res, namespace),
        "POST" if namespace.is_some() || !res.namespaced => {
            create(state, req, res, namespace, body.unwrap_or(&Value::Null))
        }
        _ => Reply::method_not_allowed(),
    }
}

/// A request on an object URL: get, replace, patch or delete.
pub(crate) fn object(
    state: &mut State,
    req: &Incoming,
    res: &Resource,
    namespace: Option<&str>,
    name: &str,
    body: Option<&Value>,
) -> Reply {
    if req.method != "GET" && select::param(&req.query, "dryRun").is_some() {
        return Reply::bad_request("kube-fake does not support dryRun");
    }
    let stored = state.store.get(res.kind, namespace, name).cloned();
    let body = body.unwrap_or(&Value::Null);
    match req.method.as_str() {
        "GET" => stored.map_or_else(|| Reply::not_found(res, name), Reply::ok),
        "PUT" => match stored {
            Some(old) => replace(state, req, res, namespace, name, body, &old),
            None if res.allows_create_on_update() => {
                create_on_update(state, req, res, namespace, name, body)
            }
            None => Reply::not_found(res, name),
        },
        "PATCH" => super::patch::patch(state, req, res, namespace, name, body, stored.as_ref()),
        "DELETE" => match state.store.remove(res.kind, namespace, name) {
            Some(gone) => Reply::success(res, name, str_at(&gone, &["metadata", "uid"])),
            None => Reply::not_found(res, name),
        },
        _ => Reply::method_not_allowed(),
    }
}

fn list(state: &State, req: &Incoming, res: &Resource, namespace: Option<&str>) -> Reply {
    if select::param(&req.query, "watch").is_some_and(|w| w == "true" || w == "1") {
        // A list body where a watch stream is expected would confuse the client; say so instead.
        return Reply::failure(405, "MethodNotAllowed", "kube-fake does not support watch", None);
    }
    let parse = |key: &str, f: fn(&str) -> Result<Selector, String>| {
        select::param(&req.query, key).map_or(Ok(Selector::default()), |s| f(&s))
    };
    let (labels, fields) = match (
        parse("labelSelector", Selector::labels),
        parse("fieldSelector", Selector::fields),
    ) {
        (Ok(l), Ok(f)) => (l, f),
        (Err(e), _) | (_, Err(e)) => return Reply::bad_request(&e),
    };
    let items: Vec<Value> = state
        .store
        .list(res.kind, namespace)
        .into_iter()
        .filter(|o| labels.matches_labels(o) && fields.matches_fields(o))
        .cloned()
        .collect();
    Reply::ok(json!({
        "apiVersion": res.api_version(),
        "kind": res.list_kind(),
        "metadata": {"resourceVersion": state.store.revision().to_string()},
        "items": items,
    }))
}

fn create(
    state: &mut State,
    req: &Incoming,
    res: &Resource,
    namespace: Option<&str>,
    body: &Value,
) -> Reply {
    if select::param(&req.query, "dryRun").is_some() {
        return Reply::bad_request("kube-fake does not support dryRun");
    }
    let mut obj = body.clone();
    if let Err(r) = check_type(res, &obj) {
        return r;
    }
    if str_at(&obj, &["metadata", "resourceVersion"]).is_some() {
        return Reply::bad_request("resourceVersion should not be set on objects to be created");
    }
    let name =
        match (str_at(&obj, &["metadata", "name"]), str_at(&obj, &["metadata", "generateName"])) {
            (Some(n), _) if !n.is_empty() => n.to_owned(),
            (_, Some(prefix)) if !prefix.is_empty() => generated_name(prefix),
            _ => {
                return Reply::invalid(
                    res,
                    "",
                    "metadata.name",
                    "Required value: name or generateName is required",
                );
            }
        };
    if let Err(r) = stamp(res, &mut obj, namespace, &name) {
        return r;
    }
    metadata_mut(&mut obj).remove("uid");
    if state.store.get(res.kind, namespace, &name).is_some() {
        return Reply::already_exists(res, &name);
    }
    if let Err(r) = kinds::admit(res, &name, &mut obj, None) {
        return r;
    }
    ownership::record_update(&res.api_version(), None, &mut obj, &manager(req));
    super::mutating_admission(state, req, &mut obj, None);
    Reply::created(state.store.insert(obj))
}

fn replace(
    state: &mut State,
    req: &Incoming,
    res: &Resource,
    namespace: Option<&str>,
    name: &str,
    body: &Value,
    old: &Value,
) -> Reply {
    let mut obj = body.clone();
    if let Err(r) = check_type(res, &obj)
        .and_then(|()| check_name(&obj, name))
        .and_then(|()| stamp(res, &mut obj, namespace, name))
        .and_then(|()| check_version(res, name, &obj, old))
        .and_then(|()| kinds::admit(res, name, &mut obj, Some(old)))
    {
        return r;
    }
    ownership::record_update(&res.api_version(), Some(old), &mut obj, &manager(req));
    super::mutating_admission(state, req, &mut obj, Some(old));
    Reply::ok(state.store.update(obj).0)
}

/// A PUT to a missing object of a kind whose strategy has `AllowCreateOnUpdate` (Events:
/// kubernetes/kubernetes `pkg/registry/core/event/strategy.go`): a create, validated as one and
/// authorized for `create` as well (k8s.io/apiserver `endpoints/handlers/update.go`,
/// `withAuthorization(…, createAuthorizerAttributes)`).
fn create_on_update(
    state: &mut State,
    req: &Incoming,
    res: &Resource,
    namespace: Option<&str>,
    name: &str,
    body: &Value,
) -> Reply {
    let mut obj = body.clone();
    if let Err(r) = check_type(res, &obj)
        .and_then(|()| check_name(&obj, name))
        .and_then(|()| stamp(res, &mut obj, namespace, name))
    {
        return r;
    }
    if str_at(&obj, &["metadata", "resourceVersion"]).is_some() {
        return Reply::not_found(res, name);
    }
    metadata_mut(&mut obj).remove("uid");
    if let Err(r) = kinds::admit(res, name, &mut obj, None) {
        return r;
    }
    let target = Target { verb: "create", resource: Some(res.plural), name: Some(name) };
    if state.faults.forbids(&target) {
        return Reply::forbidden_create(res, name);
    }
    ownership::record_update(&res.api_version(), None, &mut obj, &manager(req));
    super::mutating_admission(state, req, &mut obj, None);
    Reply::created(state.store.insert(obj))
}

/// The field manager of an update: `fieldManager`, or else the User-Agent's product
/// (k8s.io/apiserver `endpoints/handlers/create.go`, `managerOrUserAgent` and
/// `prefixFromUserAgent`: the text before the first `/`, printable characters only, at most 128
/// bytes). kube-rs sends no User-Agent, so its updates without a field manager are `unknown`'s.
pub(super) fn manager(req: &Incoming) -> String {
    if let Some(m) = select::param(&req.query, "fieldManager").filter(|m| !m.is_empty()) {
        return m;
    }
    let ua = req.user_agent.as_deref().unwrap_or_default();
    let mut out = String::new();
    for c in ua.split('/').next().unwrap_or_default().chars() {
        // Go's `unicode.IsPrint`: graphic characters and the ASCII space.
        if c != ' ' && (c.is_control() || c.is_whitespace()) {
            continue;
        }
        if out.len() + c.len_utf8() > 128 {
            break;
        }
        out.push(c);
    }
    out
}

/// `apiVersion` and `kind`, when present, must be the resource's.
pub(super) fn check_type(res: &Resource, obj: &Value) -> Result<(), Reply> {
    let want = res.api_version();
    if let Some(v) = str_at(obj, &["apiVersion"])
        && v != want
    {
        let msg = format!(
            "the API version in the data ({v}) does not match the expected API version ({want})"
        );
        return Err(Reply::bad_request(&msg));
    }
    match str_at(obj, &["kind"]) {
        Some(k) if k != res.kind => {
            let msg = format!(
                "the kind in the data ({k}) does not match the expected kind ({})",
                res.kind
            );
            Err(Reply::bad_request(&msg))
        }
        _ => Ok(()),
    }
}

/// A name in the body must be the name in the URL.
pub(super) fn check_name(obj: &Value, name: &str) -> Result<(), Reply> {
    match str_at(obj, &["metadata", "name"]) {
        Some(n) if n != name => {
            let msg =
                format!("the name of the object ({n}) does not match the name on the URL ({name})");
            Err(Reply::bad_request(&msg))
        }
        _ => Ok(()),
    }
}

/// Sets `apiVersion`, `kind`, name and namespace, refusing a body namespace other than the URL's.
pub(super) fn stamp(
    res: &Resource,
    obj: &mut Value,
    namespace: Option<&str>,
    name: &str,
) -> Result<(), Reply> {
    if let (Some(ns), Some(url_ns)) = (str_at(obj, &["metadata", "namespace"]), namespace)
        && ns != url_ns
    {
        return Err(Reply::bad_request(
            "the namespace of the provided object does not match the namespace sent on the request",
        ));
    }
    let root = object_mut(obj);
    root.insert("apiVersion".to_owned(), res.api_version().into());
    root.insert("kind".to_owned(), res.kind.into());
    let meta = metadata_mut(obj);
    meta.insert("name".to_owned(), name.into());
    match namespace {
        Some(ns) => meta.insert("namespace".to_owned(), ns.into()),
        None => meta.remove("namespace"),
    };
    Ok(())
}

/// A `resourceVersion` sent with a write must be the stored one.
pub(super) fn check_version(
    res: &Resource,
    name: &str,
    sent: &Value,
    old: &Value,
) -> Result<(), Reply> {
    match str_at(sent, &["metadata", "resourceVersion"]) {
        Some(rv) if Some(rv) != str_at(old, &["metadata", "resourceVersion"]) => {
            Err(Reply::conflict(res, name))
        }
        _ => Ok(()),
    }
}

/// `generateName` plus five random characters from the API server's alphabet.
fn generated_name(prefix: &str) -> String {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let suffix: String = crate::clock::random_bytes(5)
        .into_iter()
        .map(|b| char::from(ALPHABET[usize::from(b) % ALPHABET.len()]))
        .collect();
    format!("{prefix}{suffix}")
}
