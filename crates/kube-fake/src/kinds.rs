//! What the API server does to an object of each kind before storing it.
//!
//! These are the checks a charm can trip over in a real cluster and not in a permissive fake:
//! `stringData` is folded into base64 `data` and never stored; `data` and `caBundle` must be valid
//! base64 (raw PEM in `caBundle` is a classic bug, `spec/crates.md` §4.2); a `kubernetes.io/tls`
//! Secret needs `tls.crt` and `tls.key`; a Secret's `type` cannot change; webhook names must be
//! unique. Empty maps are dropped, as the API server's `omitempty` does, so that "no change"
//! compares equal.

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
    if let Some(old_ty) = old.and_then(|o| o.get("type")).and_then(Value::as_str)
        && old_ty != ty
    {
        let why = format!("Invalid value: \"{ty}\": field is immutable");
        return Err(Reply::invalid(res, name, "type", &why));
    }
    if ty == "kubernetes.io/tls" {
        for key in ["tls.crt", "tls.key"] {
            if root.get("data").and_then(|d| d.get(key)).is_none() {
                return Err(Reply::invalid(res, name, &format!("data[{key}]"), "Required value"));
            }
        }
    }
    Ok(())
}

fn admit_webhooks(res: &Resource, name: &str, obj: &mut Value) -> Result<(), Reply> {
    let Some(Value::Array(hooks)) = obj.get("webhooks") else {
        return Ok(());
    };
    let mut seen = Vec::new();
    for (i, hook) in hooks.iter().enumerate() {
        let hook_name = hook.get("name").and_then(Value::as_str).unwrap_or_default();
        if hook_name.is_empty() {
            return Err(Reply::invalid(
                res,
                name,
                &format!("webhooks[{i}].name"),
                "Required value",
            ));
        }
        if seen.contains(&hook_name) {
            let why = format!("Duplicate value: \"{hook_name}\"");
            return Err(Reply::invalid(res, name, &format!("webhooks[{i}].name"), &why));
        }
        seen.push(hook_name);
        if let Some(bundle) = hook.get("clientConfig").and_then(|c| c.get("caBundle")) {
            check_base64(res, bundle)?;
        }
    }
    Ok(())
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
        let mut dup = json!({"webhooks": [{"name": "a"}, {"name": "a"}]});
        assert_eq!(admit(&mwc, "m", &mut dup, None).err().map(|r| r.status), Some(422));
        let mut pem =
            json!({"webhooks": [{"name": "a", "clientConfig": {"caBundle": "-----BEGIN"}}]});
        assert_eq!(admit(&mwc, "m", &mut pem, None).err().map(|r| r.status), Some(400));
    }
}
