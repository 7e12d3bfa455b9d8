//! How a patch combines with the stored object: JSON merge patch, a strategic merge patch reduced
//! to what the charm's objects need, and server-side apply.
//!
//! Server-side apply is approximated without field ownership, which is safe for a charm that
//! is the only manager of what it applies: fields in the patch replace the stored ones, except
//! that `metadata.labels`/`annotations` merge key by key and `webhooks` merges by its list-map key
//! `name`, entry by entry and field by field. The latter is what lets the charm set only
//! `clientConfig.caBundle` on webhook configurations another charm created (`spec/contract.md`
//! §4.1). Entries the patch leaves out are kept.

use serde_json::{Map, Value};

use crate::store::object_mut;

/// Top-level lists merged by a key instead of replaced, with that key.
const LIST_MAP_KEYS: [(&str, &str); 1] = [("webhooks", "name")];

/// Metadata fields an apply or patch never sets: the server owns them, or they name the object.
const METADATA_FIXED: [&str; 8] = [
    "name",
    "namespace",
    "uid",
    "resourceVersion",
    "creationTimestamp",
    "generation",
    "managedFields",
    "deletionTimestamp",
];

/// RFC 7386 JSON merge patch: objects merge key by key, `null` deletes, anything else replaces.
pub(crate) fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(p) = patch else {
        *target = patch.clone();
        return;
    };
    let t = object_mut(target);
    for (k, v) in p {
        if v.is_null() {
            t.remove(k);
        } else {
            merge_patch(t.entry(k.clone()).or_insert(Value::Null), v);
        }
    }
}

/// A strategic merge patch as far as the fake's objects need: a merge patch in which the
/// list-maps (`webhooks`) merge by key.
pub(crate) fn strategic_merge(target: &mut Value, patch: &Value) {
    let Value::Object(p) = patch else {
        *target = patch.clone();
        return;
    };
    let t = object_mut(target);
    for (k, v) in p {
        match (list_map_key(k), t.get_mut(k), v) {
            (Some(key), Some(Value::Array(stored)), Value::Array(entries)) => {
                merge_by_key(stored, entries, key);
            }
            _ if v.is_null() => {
                t.remove(k);
            }
            _ => merge_patch(t.entry(k.clone()).or_insert(Value::Null), v),
        }
    }
}

/// Server-side apply of `patch` onto `target` (see the module documentation).
pub(crate) fn apply(target: &mut Value, patch: &Value) {
    let Value::Object(p) = patch else {
        return;
    };
    let t = object_mut(target);
    for (k, v) in p {
        match (k.as_str(), list_map_key(k), t.get_mut(k), v) {
            ("status", ..) => {}
            ("metadata", _, Some(stored), Value::Object(meta)) => {
                apply_metadata(object_mut(stored), meta);
            }
            ("metadata", ..) => {
                let mut fresh = Map::new();
                if let Value::Object(meta) = v {
                    apply_metadata(&mut fresh, meta);
                }
                t.insert(k.clone(), Value::Object(fresh));
            }
            (_, Some(key), Some(Value::Array(stored)), Value::Array(entries)) => {
                merge_by_key(stored, entries, key);
            }
            _ if v.is_null() => {
                t.remove(k);
            }
            _ => {
                t.insert(k.clone(), v.clone());
            }
        }
    }
}

/// Applied metadata: labels and annotations merge key by key, fixed fields are left alone, the
/// rest (finalizers, ownerReferences…) replace.
fn apply_metadata(target: &mut Map<String, Value>, patch: &Map<String, Value>) {
    for (k, v) in patch {
        if METADATA_FIXED.contains(&k.as_str()) {
            continue;
        }
        if matches!(k.as_str(), "labels" | "annotations") && v.is_object() {
            merge_patch(target.entry(k.clone()).or_insert(Value::Null), v);
        } else if v.is_null() {
            target.remove(k);
        } else {
            target.insert(k.clone(), v.clone());
        }
    }
}

fn list_map_key(field: &str) -> Option<&'static str> {
    LIST_MAP_KEYS.iter().find(|(f, _)| *f == field).map(|(_, key)| *key)
}

/// Merges `entries` into `stored`: an entry whose `key` matches a stored entry is merge-patched
/// into it, any other entry is appended; stored entries the patch does not name are kept.
fn merge_by_key(stored: &mut Vec<Value>, entries: &[Value], key: &str) {
    for entry in entries {
        let id = entry.get(key).filter(|v| !v.is_null());
        match stored.iter_mut().find(|s| id.is_some() && s.get(key) == id) {
            Some(existing) => merge_patch(existing, entry),
            None => stored.push(entry.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merge_patch_follows_rfc7386() {
        let mut t = json!({"a": "b", "c": {"d": "e", "f": "g"}});
        merge_patch(&mut t, &json!({"a": "z", "c": {"f": null}}));
        assert_eq!(t, json!({"a": "z", "c": {"d": "e"}}));
        let mut t = json!({"a": [1, 2]});
        merge_patch(&mut t, &json!({"a": [3]}));
        assert_eq!(t, json!({"a": [3]}));
    }

    #[test]
    fn apply_merges_labels_and_replaces_data() {
        let mut t = json!({
            "kind": "Secret",
            "metadata": {"name": "s", "uid": "u", "labels": {"a": "1", "b": "2"}},
            "data": {"x": "MQ==", "y": "Mg=="},
            "type": "Opaque",
        });
        apply(
            &mut t,
            &json!({
                "kind": "Secret",
                "metadata": {"name": "s", "uid": "other", "labels": {"b": "3", "c": "4"}},
                "data": {"x": "Mw=="},
            }),
        );
        assert_eq!(
            t,
            json!({
                "kind": "Secret",
                "metadata": {"name": "s", "uid": "u", "labels": {"a": "1", "b": "3", "c": "4"}},
                "data": {"x": "Mw=="},
                "type": "Opaque",
            })
        );
    }

    #[test]
    fn webhooks_merge_by_name_field_by_field() {
        let mut t = json!({"webhooks": [
            {"name": "a", "clientConfig": {"service": {"name": "svc"}}, "rules": [1]},
            {"name": "b", "clientConfig": {"url": "https://x"}, "sideEffects": "None"},
        ]});
        let patch = json!({"webhooks": [
            {"name": "b", "clientConfig": {"caBundle": "Q0E="}},
            {"name": "a", "clientConfig": {"caBundle": "Q0E="}},
        ]});
        let mut smp = t.clone();
        apply(&mut t, &patch);
        strategic_merge(&mut smp, &patch);
        let want = json!({"webhooks": [
            {"name": "a", "clientConfig": {"service": {"name": "svc"}, "caBundle": "Q0E="}, "rules": [1]},
            {"name": "b", "clientConfig": {"url": "https://x", "caBundle": "Q0E="}, "sideEffects": "None"},
        ]});
        assert_eq!(t, want);
        assert_eq!(smp, want);
    }
}
