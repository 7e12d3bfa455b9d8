//! The fake's etcd: stored objects by kind, namespace and name, with a global revision counter.
//!
//! The store owns the fields a real API server owns (`uid`, `creationTimestamp`,
//! `resourceVersion`) and nothing else: callers hand it complete objects. `resourceVersion` is a
//! single counter across all objects, as etcd's revision is, and it only moves when an object
//! really changes, which is what lets tests check that a repeated server-side apply is a no-op.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::clock;

/// (kind, namespace, name); a `BTreeMap` keeps lists in the namespace/name order etcd returns.
type Key = (String, Option<String>, String);

/// Stored objects and the revision of the latest change.
#[derive(Debug, Default)]
pub(crate) struct Store {
    objects: BTreeMap<Key, Value>,
    revision: u64,
}

/// Metadata fields only the server sets; a client's values for them are ignored or checked.
const SERVER_FIELDS: [&str; 3] = ["uid", "creationTimestamp", "resourceVersion"];

impl Store {
    /// The object `kind` `namespace`/`name`, if stored.
    pub(crate) fn get(&self, kind: &str, namespace: Option<&str>, name: &str) -> Option<&Value> {
        self.objects.get(&(kind.to_owned(), namespace.map(str::to_owned), name.to_owned()))
    }

    /// Objects of `kind` in `namespace`, or of every namespace when `None`.
    pub(crate) fn list(&self, kind: &str, namespace: Option<&str>) -> Vec<&Value> {
        self.objects
            .iter()
            .filter(|((k, ns, _), _)| {
                k == kind && (namespace.is_none() || ns.as_deref() == namespace)
            })
            .map(|(_, v)| v)
            .collect()
    }

    /// The revision of the latest change, as a list's `metadata.resourceVersion` reports it.
    pub(crate) fn revision(&self) -> u64 {
        self.revision
    }

    /// Stores `obj` as a new object (replacing any object of the same key), stamping `uid`,
    /// `creationTimestamp` and a new `resourceVersion` where the object lacks them.
    pub(crate) fn insert(&mut self, mut obj: Value) -> Value {
        self.revision += 1;
        let rv = self.revision.to_string();
        let meta = metadata_mut(&mut obj);
        meta.entry("uid").or_insert_with(|| clock::uid().into());
        meta.entry("creationTimestamp").or_insert_with(|| clock::rfc3339(clock::now_unix()).into());
        meta.insert("resourceVersion".to_owned(), rv.into());
        self.objects.insert(key(&obj), obj.clone());
        obj
    }

    /// Replaces the stored object of the same key with `obj`, keeping the server-owned fields.
    /// The `resourceVersion` moves only when the content differs; returns the stored object and
    /// whether it changed. With no stored object this is [`Store::insert`].
    pub(crate) fn update(&mut self, mut obj: Value) -> (Value, bool) {
        let k = key(&obj);
        let Some(old) = self.objects.get(&k) else {
            return (self.insert(obj), true);
        };
        let meta = metadata_mut(&mut obj);
        for field in SERVER_FIELDS {
            match old.get("metadata").and_then(|m| m.get(field)) {
                Some(v) => meta.insert(field.to_owned(), v.clone()),
                None => meta.remove(field),
            };
        }
        if &obj == old {
            return (obj, false);
        }
        self.revision += 1;
        metadata_mut(&mut obj)
            .insert("resourceVersion".to_owned(), self.revision.to_string().into());
        self.objects.insert(k, obj.clone());
        (obj, true)
    }

    /// Removes and returns the object `kind` `namespace`/`name`.
    pub(crate) fn remove(
        &mut self,
        kind: &str,
        namespace: Option<&str>,
        name: &str,
    ) -> Option<Value> {
        let removed =
            self.objects.remove(&(kind.to_owned(), namespace.map(str::to_owned), name.to_owned()));
        if removed.is_some() {
            self.revision += 1;
        }
        removed
    }
}

/// The store key of an object: its `kind`, `metadata.namespace` and `metadata.name`.
fn key(obj: &Value) -> Key {
    (
        str_at(obj, &["kind"]).unwrap_or_default().to_owned(),
        str_at(obj, &["metadata", "namespace"]).map(str::to_owned),
        str_at(obj, &["metadata", "name"]).unwrap_or_default().to_owned(),
    )
}

/// The string at a path of object keys, if every step exists and the leaf is a string.
pub(crate) fn str_at<'a>(obj: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter().try_fold(obj, |v, k| v.get(k)).and_then(Value::as_str)
}

/// `obj.metadata` as a map, created (and `obj` made an object) if missing.
pub(crate) fn metadata_mut(obj: &mut Value) -> &mut Map<String, Value> {
    let root = object_mut(obj);
    object_mut(root.entry("metadata").or_insert_with(|| Value::Object(Map::new())))
}

/// `v` as a map, replacing it with an empty object first if it is anything else.
pub(crate) fn object_mut(v: &mut Value) -> &mut Map<String, Value> {
    if !v.is_object() {
        *v = Value::Object(Map::new());
    }
    match v {
        Value::Object(m) => m,
        // Invariant: `v` was made an object just above.
        _ => unreachable!("value was just made an object"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn secret(name: &str, data: &str) -> Value {
        json!({"kind": "Secret", "metadata": {"name": name, "namespace": "ns"}, "data": {"k": data}})
    }

    #[test]
    fn revision_moves_only_on_change() {
        let mut s = Store::default();
        let a = s.insert(secret("a", "MQ=="));
        assert_eq!(str_at(&a, &["metadata", "resourceVersion"]), Some("1"));
        let (same, changed) = s.update(secret("a", "MQ=="));
        assert!(!changed);
        assert_eq!(same, a);
        let (b, changed) = s.update(secret("a", "Mg=="));
        assert!(changed);
        assert_eq!(str_at(&b, &["metadata", "resourceVersion"]), Some("2"));
        assert_eq!(str_at(&b, &["metadata", "uid"]), str_at(&a, &["metadata", "uid"]));
        assert_eq!(s.list("Secret", Some("ns")).len(), 1);
        assert_eq!(s.list("Secret", Some("other")).len(), 0);
        assert!(s.remove("Secret", Some("ns"), "a").is_some());
        assert_eq!(s.revision(), 3);
    }
}
