//! The `managedFields` of an object, decoded and encoded as kube-apiserver does it.
//!
//! Each entry is one manager's fields for one operation: an applier has one entry whatever API
//! version it uses, an updater one per version. This is k8s.io/apimachinery
//! `util/managedfields/internal/managedfields.go` (`DecodeManagedFields` and its errors,
//! `BuildManagerIdentifier`, `encodeManagedFields` and its sort: operation, time, manager,
//! `apiVersion`), `conflict.go` (`printManager`) and `fieldmanager.go` (`decodeLiveOrNew`: what
//! an update sends replaces the live entries, `[]` or `[{}]` resets them).

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::fields::FieldSet;

/// One `managedFields` entry.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Entry {
    pub(crate) manager: String,
    pub(crate) apply: bool,
    pub(crate) api_version: String,
    pub(crate) time: Option<String>,
    pub(crate) subresource: String,
    pub(crate) set: FieldSet,
}

impl Entry {
    fn operation(&self) -> &'static str {
        if self.apply { "Apply" } else { "Update" }
    }

    /// `BuildManagerIdentifier`: the entry as JSON without time and fields, and without
    /// `apiVersion` for an applier, so that one applier has one entry whatever version it uses.
    pub(crate) fn identifier(&self) -> String {
        let q = |s: &str| Value::from(s).to_string();
        let mut out = String::from("{");
        if !self.manager.is_empty() {
            out.push_str(&format!("\"manager\":{},", q(&self.manager)));
        }
        out.push_str(&format!("\"operation\":\"{}\"", self.operation()));
        if !self.apply && !self.api_version.is_empty() {
            out.push_str(&format!(",\"apiVersion\":{}", q(&self.api_version)));
        }
        if !self.subresource.is_empty() {
            out.push_str(&format!(",\"subresource\":{}", q(&self.subresource)));
        }
        out.push('}');
        out
    }

    /// `printManager` in `conflict.go`: `"m"`, or `"m" using v1` for an updater.
    pub(crate) fn printed(&self) -> String {
        let mut s = Value::from(self.manager.as_str()).to_string();
        if !self.subresource.is_empty() {
            s = format!("{s} with subresource {}", Value::from(self.subresource.as_str()));
        }
        if self.apply { s } else { format!("{s} using {}", self.api_version) }
    }
}

/// The managers of one object, by identifier.
#[derive(Debug, Clone, Default)]
pub(crate) struct Managed(pub(crate) BTreeMap<String, Entry>);

impl Managed {
    /// `DecodeManagedFields`.
    pub(crate) fn decode(v: Option<&Value>) -> Result<Managed, String> {
        let mut out = Managed::default();
        let Some(entries) = v.filter(|v| !v.is_null()) else {
            return Ok(out);
        };
        let Some(entries) = entries.as_array() else {
            return Err("managedFields must be a list".to_owned());
        };
        for (i, e) in entries.iter().enumerate() {
            let s = |k: &str| e.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
            let apply = match s("operation").as_str() {
                "Apply" => true,
                "Update" => false,
                _ => return Err("operation must be `Apply` or `Update`".to_owned()),
            };
            if s("apiVersion").is_empty() {
                return Err("apiVersion must not be empty".to_owned());
            }
            match s("fieldsType").as_str() {
                "FieldsV1" => {}
                "" => return Err(format!("missing fieldsType in managed fields entry {i}")),
                other => {
                    return Err(format!(
                        "invalid fieldsType {other:?} in managed fields entry {i}"
                    ));
                }
            }
            let fields = e.get("fieldsV1").cloned().unwrap_or_else(|| json!({}));
            let set = FieldSet::from_fields_v1(&fields)
                .ok_or_else(|| format!("error decoding versioned set from entry {i}"))?;
            let entry = Entry {
                manager: s("manager"),
                apply,
                api_version: s("apiVersion"),
                time: e.get("time").and_then(Value::as_str).map(str::to_owned),
                subresource: s("subresource"),
                set,
            };
            out.0.insert(entry.identifier(), entry);
        }
        Ok(out)
    }

    /// `encodeManagedFields`: sorted by operation, time, manager, apiVersion; `None` when empty.
    pub(crate) fn encode(&self) -> Option<Value> {
        let mut entries: Vec<&Entry> = self.0.values().collect();
        entries.sort_by(|p, q| {
            (p.operation(), p.time.as_deref().unwrap_or(""), &p.manager, &p.api_version)
                .cmp(&(q.operation(), q.time.as_deref().unwrap_or(""), &q.manager, &q.api_version))
                .then_with(|| p.subresource.cmp(&q.subresource))
        });
        let out: Vec<Value> = entries
            .into_iter()
            .map(|e| {
                let mut m = Map::new();
                if !e.manager.is_empty() {
                    m.insert("manager".into(), e.manager.clone().into());
                }
                m.insert("operation".into(), e.operation().into());
                m.insert("apiVersion".into(), e.api_version.clone().into());
                if let Some(t) = &e.time {
                    m.insert("time".into(), t.clone().into());
                }
                m.insert("fieldsType".into(), "FieldsV1".into());
                m.insert("fieldsV1".into(), e.set.to_fields_v1());
                if !e.subresource.is_empty() {
                    m.insert("subresource".into(), e.subresource.clone().into());
                }
                Value::Object(m)
            })
            .collect();
        (!out.is_empty()).then_some(Value::Array(out))
    }

    /// Every entry loses `paths` (but `except`'s), and entries left empty go.
    pub(crate) fn disown(&mut self, paths: &FieldSet, except: Option<&str>) {
        for (id, e) in &mut self.0 {
            if except != Some(id.as_str()) {
                e.set = e.set.difference(paths);
            }
        }
        self.0.retain(|_, e| !e.set.is_empty());
    }

    /// The union of every entry's fields.
    pub(crate) fn owned(&self) -> FieldSet {
        self.0.values().fold(FieldSet::default(), |acc, e| acc.union(&e.set))
    }
}

/// `decodeLiveOrNew`: managed fields sent with an update replace the live ones (`[]` or `[{}]`
/// resets them); absent or undecodable ones leave the live ones.
pub(crate) fn for_update(live: Option<&Value>, sent: Option<&Value>) -> Managed {
    match sent.and_then(Value::as_array).map(Vec::as_slice) {
        Some([]) => return Managed::default(),
        Some([only]) if only.as_object().is_some_and(Map::is_empty) => return Managed::default(),
        _ => {}
    }
    match Managed::decode(sent) {
        Ok(m) if !m.0.is_empty() => m,
        _ => Managed::decode(live).unwrap_or_default(),
    }
}

/// The object without `metadata.managedFields`, and what they were.
pub(crate) fn split(obj: &Value) -> (Value, Option<Value>) {
    let mut obj = obj.clone();
    let mf = obj
        .get_mut("metadata")
        .and_then(Value::as_object_mut)
        .and_then(|m| m.remove("managedFields"));
    (obj, mf)
}

/// Writes `managed` into `obj.metadata.managedFields` (removing it when there are none).
pub(crate) fn store(obj: &mut Value, managed: &Managed) {
    let meta = crate::store::metadata_mut(obj);
    match managed.encode() {
        Some(v) => meta.insert("managedFields".to_owned(), v),
        None => meta.remove("managedFields"),
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(manager: &str, op: &str, time: &str) -> Value {
        json!({
            "manager": manager, "operation": op, "apiVersion": "v1", "time": time,
            "fieldsType": "FieldsV1", "fieldsV1": {"f:data": {"f:k": {}}},
        })
    }

    #[test]
    fn decodes_identifies_and_sorts_as_the_api_server_does() {
        let list = json!([
            entry("b", "Update", "2025-01-01T00:00:02Z"),
            entry("a", "Update", "2025-01-01T00:00:03Z"),
            entry("c", "Apply", "2025-01-01T00:00:09Z"),
        ]);
        let managed = Managed::decode(Some(&list)).expect("decodes");
        let ids: Vec<&String> = managed.0.keys().collect();
        assert_eq!(
            ids,
            [
                "{\"manager\":\"a\",\"operation\":\"Update\",\"apiVersion\":\"v1\"}",
                "{\"manager\":\"b\",\"operation\":\"Update\",\"apiVersion\":\"v1\"}",
                "{\"manager\":\"c\",\"operation\":\"Apply\"}",
            ]
        );
        let printed: Vec<String> = managed.0.values().map(Entry::printed).collect();
        assert_eq!(printed, ["\"a\" using v1", "\"b\" using v1", "\"c\""]);
        let encoded = managed.encode().expect("entries");
        let order: Vec<&str> = encoded
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e["manager"].as_str())
            .collect();
        assert_eq!(order, ["c", "b", "a"]);
        assert_eq!(encoded[0], list[2]);
    }

    #[test]
    fn refuses_what_decode_managed_fields_refuses() {
        let mut bad = entry("a", "Patch", "t");
        assert_eq!(
            Managed::decode(Some(&json!([bad.clone()]))).err().as_deref(),
            Some("operation must be `Apply` or `Update`")
        );
        bad["operation"] = json!("Apply");
        bad["fieldsType"] = json!("");
        assert_eq!(
            Managed::decode(Some(&json!([bad]))).err().as_deref(),
            Some("missing fieldsType in managed fields entry 0")
        );
    }

    #[test]
    fn an_update_may_send_or_reset_managed_fields() {
        let live = json!([entry("a", "Update", "t")]);
        let sent = json!([entry("b", "Update", "t")]);
        let managers =
            |m: Managed| -> Vec<String> { m.0.values().map(|e| e.manager.clone()).collect() };
        assert_eq!(managers(for_update(Some(&live), None)), ["a"]);
        assert_eq!(managers(for_update(Some(&live), Some(&sent))), ["b"]);
        assert!(managers(for_update(Some(&live), Some(&json!([])))).is_empty());
        assert!(managers(for_update(Some(&live), Some(&json!([{}])))).is_empty());
        assert_eq!(managers(for_update(Some(&live), Some(&json!([{"x": 1}])))), ["a"]);
    }
}
