//! PATCH: server-side apply, JSON merge patch and strategic merge patch, in the order
//! k8s.io/apiserver `endpoints/handlers/patch.go` checks things.
//!
//! The patch options are validated first (`ValidatePatchOptions`: an apply needs `fieldManager`,
//! only an apply may say `force`); then the patch is applied to the live object — an apply goes
//! through the field manager (version check, `managedFields` must be absent, the configuration
//! must type-check, conflicts), a merge or strategic patch is merged and recorded as an Update;
//! then the result is checked and validated like any write. Only an apply may create, and a
//! created object is authorized for `create` after validation (`withAuthorization` runs as the
//! store's create validation, after `BeforeCreate`), which is what [`crate::Fault::Forbid`] with
//! verb `create` refuses.

use serde_json::Value;

use super::Incoming;
use super::objects::{check_name, check_type, check_version, manager, stamp};
use crate::fault::Target;
use crate::resource::Resource;
use crate::select;
use crate::state::State;
use crate::status::Reply;
use crate::store::{metadata_mut, str_at};
use crate::{kinds, merge, ownership, typed};

const APPLY: &str = "application/apply-patch+yaml";
const MERGE: &str = "application/merge-patch+json";
const STRATEGIC: &str = "application/strategic-merge-patch+json";

/// Metadata a configuration may carry that the server owns: left out of the merge (a
/// `resourceVersion` is still a precondition).
const SERVER_METADATA: [&str; 6] = [
    "uid",
    "resourceVersion",
    "creationTimestamp",
    "generation",
    "deletionTimestamp",
    "managedFields",
];

/// A PATCH of `name`; `stored` is the live object, if any.
pub(super) fn patch(
    state: &mut State,
    req: &Incoming,
    res: &Resource,
    namespace: Option<&str>,
    name: &str,
    body: &Value,
    stored: Option<&Value>,
) -> Reply {
    let content_type = req.content_type.as_deref().unwrap_or_default();
    let media = content_type.split(';').next().unwrap_or_default().trim();
    if ![APPLY, MERGE, STRATEGIC].contains(&media) {
        return Reply::unsupported_media_type(content_type);
    }
    let field_manager = select::param(&req.query, "fieldManager").unwrap_or_default();
    let force = select::param(&req.query, "force");
    let is_apply = media == APPLY;
    if let Err(r) = check_options(is_apply, &field_manager, force.as_deref()) {
        return r;
    }
    let patched = match (media, stored) {
        (APPLY, _) => applied(res, body, stored, &field_manager, force.as_deref() == Some("true")),
        (_, None) => Err(Reply::not_found(res, name)),
        (MERGE, Some(old)) => {
            let mut obj = old.clone();
            merge::merge_patch(&mut obj, body);
            Ok(obj)
        }
        (_, Some(old)) => {
            let mut obj = old.clone();
            merge::strategic_merge(&mut obj, body);
            Ok(obj)
        }
    };
    let mut obj = match patched {
        Ok(obj) => obj,
        Err(r) => return r,
    };
    if let Err(r) = check_type(res, &obj)
        .and_then(|()| check_name(&obj, name))
        .and_then(|()| stamp(res, &mut obj, namespace, name))
        .and_then(|()| stored.map_or(Ok(()), |old| check_version(res, name, body, old)))
        .and_then(|()| kinds::admit(res, name, &mut obj, stored))
    {
        return r;
    }
    if !is_apply {
        ownership::record_update(&res.api_version(), stored, &mut obj, &manager(req));
    }
    super::mutating_admission(state, req, &mut obj, stored);
    if stored.is_none() {
        let target = Target { verb: "create", resource: Some(res.plural), name: Some(name) };
        if state.faults.forbids(&target) {
            return Reply::forbidden_create(res, name);
        }
        metadata_mut(&mut obj).remove("resourceVersion");
        return Reply::created(state.store.insert(obj));
    }
    Reply::ok(state.store.update(obj).0)
}

/// k8s.io/apimachinery `apis/meta/v1/validation` `ValidatePatchOptions`, answered with
/// `errors.NewInvalid(PatchOptions.meta.k8s.io, "", errs)`.
fn check_options(is_apply: bool, field_manager: &str, force: Option<&str>) -> Result<(), Reply> {
    let error = match (is_apply, field_manager.is_empty(), force.is_some()) {
        (true, true, _) => ("fieldManager", "Required value: is required for apply patch"),
        (false, _, true) => ("force", "Forbidden: may not be specified for non-apply patch"),
        _ => return Ok(()),
    };
    let errors = [(error.0.to_owned(), error.1.to_owned())];
    Err(Reply::invalid_all("meta.k8s.io", "PatchOptions", "", &errors))
}

/// The live object (or a new one) with the configuration applied, with its managed fields. The
/// name is checked on the result, after the field manager, as `patcher.applyPatch` does.
fn applied(
    res: &Resource,
    body: &Value,
    stored: Option<&Value>,
    field_manager: &str,
    force: bool,
) -> Result<Value, Reply> {
    // managedfields/internal/versioncheck.go: the configuration must be of the served kind.
    let api_version = str_at(body, &["apiVersion"]).unwrap_or_default();
    let kind = str_at(body, &["kind"]).unwrap_or_default();
    let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
    let gvk = format!("{group}/{version}, Kind={kind}");
    if api_version != res.api_version() || kind != res.kind {
        return Err(Reply::bad_request(&format!("invalid object type: {gvk}")));
    }
    let mut config = body.clone();
    let meta = config.get_mut("metadata").and_then(Value::as_object_mut);
    if let Some(meta) = meta {
        // managedfields/internal/structuredmerge.go: an apply may not set managed fields.
        if meta.get("managedFields").is_some_and(Value::is_array) {
            return Err(Reply::bad_request("metadata.managedFields must be nil"));
        }
        SERVER_METADATA.iter().for_each(|f| {
            meta.remove(*f);
        });
    }
    if let Some(root) = config.as_object_mut() {
        root.remove("status");
    }
    // structuredmerge.go: "failed to create typed patch object (<ns>/<name>; <gvk>): <err>",
    // a plain error, hence a 500.
    if let Err(why) = typed::validate(&config) {
        let ns = str_at(body, &["metadata", "namespace"]).unwrap_or_default();
        let obj_name = str_at(body, &["metadata", "name"]).unwrap_or_default();
        let msg = format!("failed to create typed patch object ({ns}/{obj_name}; {gvk}): {why}");
        return Err(Reply::internal(&msg));
    }
    ownership::record_apply(&res.api_version(), stored, &config, field_manager, force)
}
