//! What the API server does to an object of each kind before storing it.
//!
//! These are the checks a charm can trip over in a real cluster and not in a permissive fake:
//! `stringData` is folded into base64 `data` and never stored; `data` and `caBundle` must be valid
//! base64 (raw PEM in `caBundle` is a classic bug); a `kubernetes.io/tls` Secret needs `tls.crt`
//! and `tls.key`; a Secret's `type` cannot change; webhook names must be unique domain names, and
//! each must declare `sideEffects`, `admissionReviewVersions` and one of `url` or `service`; an
//! `events.k8s.io/v1` Event is validated as `events.rs` describes. Empty
//! maps are dropped, as the API server's `omitempty` does, so that "no change" compares equal.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value};

use crate::resource::Resource;
use crate::status::Reply;
use crate::store::{metadata_mut, object_mut};

/// Normalises and validates `obj`, to be stored as `name` replacing `old` (if any).
pub(crate) fn admit(
    res: &Resource,
    name: &str,
    obj: &mut Value,
    old: Option<&Value>,
) -> Result<(), Reply> {
    let meta = metadata_mut(obj);
    for field in ["labels", "annotations"] {
        drop_if_empty(meta, field);
    }
    match res.kind {
        "Secret" => admit_secret(res, name, obj, old),
        "MutatingWebhookConfiguration" | "ValidatingWebhookConfiguration" => {
            admit_webhooks(res, name, obj)
        }
        "Event" => admit_event(res, name, obj, old),
        _ => Ok(()),
    }
}

fn admit_secret(
    res: &Resource,
    name: &str,
    obj: &mut Value,
    old: Option<&Value>,
) -> Result<(), Reply> {
    let root = object_mut(obj);
    if let Some(Value::Object(plain)) = root.remove("stringData") {
        let data = object_mut(root.entry("data").or_insert(Value::Null));
        for (k, v) in plain {
            let text = v.as_str().map(str::to_owned).unwrap_or_default();
            data.insert(k, STANDARD.encode(text).into());
        }
    }
    if let Some(Value::Object(data)) = root.get("data") {
        for v in data.values() {
            check_base64(res, v)?;
        }
    }
    drop_if_empty(root, "data");
    let ty = root
        .entry("type")
        .or_insert_with(|| "Opaque".into())
        .as_str()
        .unwrap_or_default()
        .to_owned();
    // pkg/apis/core/validation `ValidateSecretUpdate`: the type is immutable
    // (`ValidateImmutableField`, "field is immutable"), then `ValidateSecret` runs on the new
    // object too, and every error found is reported together.
    let mut errors: Vec<(String, String)> = Vec::new();
    if let Some(old_ty) = old.and_then(|o| o.get("type")).and_then(Value::as_str)
        && old_ty != ty
    {
        let why = format!("Invalid value: {}: field is immutable", Value::from(ty.as_str()));
        errors.push(("type".to_owned(), why));
    }
    if ty == "kubernetes.io/tls" {
        for key in ["tls.crt", "tls.key"] {
            if root.get("data").and_then(|d| d.get(key)).is_none() {
                errors.push((format!("data[{key}]"), "Required value".to_owned()));
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Reply::invalid_all(res.group, res.kind, name, &errors))
    }
}

fn admit_webhooks(res: &Resource, name: &str, obj: &mut Value) -> Result<(), Reply> {
    let Some(Value::Array(hooks)) = obj.get("webhooks") else {
        return Ok(());
    };
    let mut seen = Vec::new();
    for (i, hook) in hooks.iter().enumerate() {
        let invalid = |field: &str, why: &str| {
            Err(Reply::invalid(res, name, &format!("webhooks[{i}].{field}"), why))
        };
        let hook_name = hook.get("name").and_then(Value::as_str).unwrap_or_default();
        if hook_name.is_empty() {
            return invalid("name", "Required value");
        }
        if hook_name.split('.').filter(|s| !s.is_empty()).count() < 3 {
            let why = format!(
                "Invalid value: \"{hook_name}\": should be a domain with at least three segments \
                 separated by dots"
            );
            return invalid("name", &why);
        }
        if seen.contains(&hook_name) {
            return invalid("name", &format!("Duplicate value: \"{hook_name}\""));
        }
        seen.push(hook_name);
        // k8s-openapi serialises these required fields even when left at their defaults ("" and
        // []), which is how a typed partial apply breaks on a real cluster.
        match hook.get("sideEffects").and_then(Value::as_str) {
            Some("None" | "NoneOnDryRun") => {}
            Some(other) => {
                let why = format!(
                    "Unsupported value: \"{other}\": supported values: \"None\", \"NoneOnDryRun\""
                );
                return invalid("sideEffects", &why);
            }
            None => return invalid("sideEffects", "Required value"),
        }
        let versions = hook.get("admissionReviewVersions").and_then(Value::as_array);
        if versions.is_none_or(|v| v.is_empty()) {
            return invalid(
                "admissionReviewVersions",
                "Required value: must specify one of v1, v1beta1",
            );
        }
        let config = hook.get("clientConfig").unwrap_or(&Value::Null);
        if config.get("url").is_some() == config.get("service").is_some() {
            return invalid(
                "clientConfig",
                "Required value: exactly one of url or service is required",
            );
        }
        if let Some(bundle) = config.get("caBundle") {
            check_base64(res, bundle)?;
        }
    }
    Ok(())
}

/// `events.k8s.io/v1` validation (`events.rs`). The 422 names the core kind, `Event` without a
/// group, as kube-apiserver's shared event storage reports it; a time that does not parse fails
/// decoding, a 400.
fn admit_event(
    res: &Resource,
    name: &str,
    obj: &mut Value,
    old: Option<&Value>,
) -> Result<(), Reply> {
    match crate::events::validate(obj, old) {
        Ok(errors) if errors.is_empty() => Ok(()),
        Ok(errors) => Err(Reply::invalid_all("", res.kind, name, &errors)),
        Err(why) => Err(Reply::bad_request(&format!(
            "{kind} in version \"{ver}\" cannot be handled as a {kind}: {why}",
            kind = res.kind,
            ver = res.version,
        ))),
    }
}

/// A `[]byte` field must be a base64 string, or JSON decoding fails with 400 in the API server.
fn check_base64(res: &Resource, v: &Value) -> Result<(), Reply> {
    let ok = v.as_str().is_some_and(|s| STANDARD.decode(s).is_ok());
    if ok {
        return Ok(());
    }
    let msg = format!(
        "{kind} in version \"{ver}\" cannot be handled as a {kind}: illegal base64 data in {v}",
        kind = res.kind,
        ver = res.version,
    );
    Err(Reply::bad_request(&msg))
}

fn drop_if_empty(m: &mut Map<String, Value>, field: &str) {
    if m.get(field).is_some_and(|v| v.is_null() || v.as_object().is_some_and(Map::is_empty)) {
        m.remove(field);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn secret() -> Resource {
        Resource::by_kind("Secret").unwrap_or_else(|| panic!("Secret is in the table"))
    }

    #[test]
    fn string_data_becomes_data_and_type_defaults() {
        let mut s = json!({"metadata": {"name": "s", "labels": {}}, "stringData": {"a": "hi"}});
        assert_eq!(admit(&secret(), "s", &mut s, None), Ok(()));
        assert_eq!(s, json!({"metadata": {"name": "s"}, "data": {"a": "aGk="}, "type": "Opaque"}));
    }

    #[test]
    fn refuses_what_the_api_server_refuses() {
        let code = |mut s: Value, old: Option<&Value>| {
            admit(&secret(), "s", &mut s, old).err().map(|r| r.status)
        };
        assert_eq!(code(json!({"data": {"a": "not base64!"}}), None), Some(400));
        assert_eq!(
            code(json!({"type": "kubernetes.io/tls", "data": {"tls.crt": ""}}), None),
            Some(422)
        );
        let old = json!({"type": "Opaque"});
        assert_eq!(code(json!({"type": "kubernetes.io/tls"}), Some(&old)), Some(422));
        let mwc = Resource::by_kind("MutatingWebhookConfiguration")
            .unwrap_or_else(|| panic!("MWC is in the table"));
        let hook = |name: &str, bundle: &str, side_effects: &str| {
            json!({
                "name": name,
                "clientConfig": {"service": {"name": "s", "namespace": "n"}, "caBundle": bundle},
                "sideEffects": side_effects,
                "admissionReviewVersions": ["v1"],
            })
        };
        let webhook_code = |hooks: Vec<Value>| {
            let mut obj = json!({ "webhooks": hooks });
            admit(&mwc, "m", &mut obj, None).err().map(|r| r.status)
        };
        assert_eq!(webhook_code(vec![hook("a.b.c", "Q0E=", "None")]), None);
        let dup = vec![hook("a.b.c", "", "None"), hook("a.b.c", "", "None")];
        assert_eq!(webhook_code(dup), Some(422));
        assert_eq!(webhook_code(vec![hook("a", "", "None")]), Some(422));
        assert_eq!(webhook_code(vec![hook("a.b.c", "", "")]), Some(422));
        assert_eq!(webhook_code(vec![hook("a.b.c", "-----BEGIN", "None")]), Some(400));
    }
}
