//! How a patch or an apply configuration combines with the stored object, and how fields leave it.
//!
//! JSON merge patch is RFC 7386. The strategic merge patch is reduced to what the charm's objects
//! need: a merge patch in which the top-level lists that merge by key (`webhooks` by `name`, the
//! `LIST_MAPS` of `schema.rs`) merge entry by entry and field by field, entries the patch leaves
//! out being kept. Both are Updates for field ownership (`ownership.rs`). An apply configuration
//! merges as sigs.k8s.io/structured-merge-diff `typed/merge.go` merges (the configuration wins
//! field by field; maps and list-maps merge, atomic lists are replaced; list-map items in the
//! configuration's order), and fields leave as `typed/remove.go` removes them: a container
//! emptied by the removal becomes `null` in the walk, and [`drop_nulls`] turns that into absence,
//! as converting to the Go type does for maps, slices and pointers. Which fields an apply may
//! remove is decided in `ownership.rs`.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use crate::fields::{Element, FieldSet};
use crate::schema::{ListShape, ObjectShape, child_loc, list_shape, object_shape};
use crate::store::object_mut;
use crate::typed::item_element;

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

/// The merge key of a top-level list that merges by one key.
fn list_map_key(field: &str) -> Option<&'static str> {
    match list_shape(field) {
        ListShape::Map([key]) => Some(key),
        _ => None,
    }
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

/// The apply configuration `rhs` merged into `lhs` (SMD `TypedValue.Merge`, `ruleKeepRHS`).
pub(crate) fn apply(lhs: &Value, rhs: &Value) -> Value {
    merge_at("", Some(lhs), Some(rhs)).unwrap_or_else(|| Value::Object(Map::new()))
}

fn merge_at(loc: &str, l: Option<&Value>, r: Option<&Value>) -> Option<Value> {
    match (l, r) {
        (_, None) => l.cloned(),
        (None, Some(r)) => Some(r.clone()),
        (Some(Value::Object(lm)), Some(Value::Object(rm))) => {
            if object_shape(loc) == ObjectShape::Atomic || (lm.is_empty() && rm.is_empty()) {
                return r.cloned();
            }
            let keys: BTreeSet<&String> = lm.keys().chain(rm.keys()).collect();
            let mut out = Map::new();
            for k in keys {
                let cl = child_loc(loc, &Element::Field(k.clone()));
                if let Some(v) = merge_at(&cl, lm.get(k), rm.get(k)) {
                    out.insert(k.clone(), v);
                }
            }
            (!out.is_empty()).then_some(Value::Object(out))
        }
        (Some(Value::Array(la)), Some(Value::Array(ra))) => {
            let shape = list_shape(loc);
            if shape == ListShape::Atomic || (la.is_empty() && ra.is_empty()) {
                return r.cloned();
            }
            let out = merge_items(loc, shape, la, ra);
            (!out.is_empty()).then_some(Value::Array(out))
        }
        _ => r.cloned(),
    }
}

/// SMD `mergingWalker.visitListItems`: items both lists hold come out in the configuration's
/// order, live-only items stay where they were relative to those, and new items follow the
/// configuration's order.
fn merge_items(loc: &str, shape: ListShape, la: &[Value], ra: &[Value]) -> Vec<Value> {
    static NULL: Value = Value::Null;
    let item_loc = format!("{loc}[]");
    let index = |items: &[Value]| -> Vec<Option<Element>> {
        items.iter().enumerate().map(|(i, it)| item_element(shape, i, it).ok()).collect()
    };
    let (lpes, rpes) = (index(la), index(ra));
    let lpes: Vec<(Element, &Value)> =
        lpes.into_iter().zip(la).filter_map(|(e, v)| e.map(|e| (e, v))).collect();
    let rpes: Vec<(Element, &Value)> =
        rpes.into_iter().zip(ra).filter_map(|(e, v)| e.map(|e| (e, v))).collect();
    // Duplicated live items are not merged with the configuration.
    let mut observed_l: BTreeMap<&Element, &Value> = BTreeMap::new();
    for (e, v) in &lpes {
        let seen = observed_l.contains_key(e);
        observed_l.insert(e, if seen { &NULL } else { v });
    }
    let observed_r: BTreeMap<&Element, &Value> = rpes.iter().map(|(e, v)| (e, *v)).collect();
    let mut shared = rpes.iter().map(|(e, _)| e).filter(|e| observed_l.contains_key(e));
    let mut next_shared = shared.next();
    let mut merged_r: BTreeSet<&Element> = BTreeSet::new();
    let mut out = Vec::new();
    let (mut li, mut ri) = (0, 0);
    while li < lpes.len() || ri < rpes.len() {
        if li < lpes.len() && ri < rpes.len() {
            let pe = &lpes[li].0;
            if *pe == rpes[ri].0 {
                merged_r.insert(pe);
                let item =
                    merge_at(&item_loc, observed_l.get(pe).copied(), observed_r.get(pe).copied());
                out.extend(item);
                li += 1;
                ri += 1;
                next_shared = shared.next();
                continue;
            }
            if observed_r.contains_key(pe) && next_shared.is_some_and(|n| n != pe) {
                li += 1;
                continue;
            }
        }
        if li < lpes.len() {
            let (pe, item) = &lpes[li];
            if !observed_r.contains_key(pe) {
                out.extend(merge_at(&item_loc, Some(item), None));
                li += 1;
                continue;
            } else if merged_r.contains(pe) {
                li += 1;
            }
        }
        if ri < rpes.len() {
            let pe = &rpes[ri].0;
            merged_r.insert(pe);
            let item =
                merge_at(&item_loc, observed_l.get(pe).copied(), observed_r.get(pe).copied());
            out.extend(item);
            ri += 1;
            if next_shared == Some(pe) {
                next_shared = shared.next();
            }
        }
    }
    out
}

/// `v` without the fields in `set` (SMD `TypedValue.RemoveItems`); a container left empty by the
/// removal becomes `null`, as in SMD.
pub(crate) fn remove_items(v: &Value, set: &FieldSet) -> Value {
    remove_at("", v, set)
}

fn remove_at(loc: &str, v: &Value, set: &FieldSet) -> Value {
    match v {
        Value::Object(m) => {
            if m.is_empty() || object_shape(loc) == ObjectShape::Atomic {
                return Value::Null;
            }
            let mut out = Map::new();
            for (k, child) in m {
                let e = Element::Field(k.clone());
                if set.has_member(&e) {
                    continue;
                }
                let kept = match set.child(&e) {
                    Some(sub) => remove_at(&child_loc(loc, &e), child, sub),
                    None => child.clone(),
                };
                out.insert(k.clone(), kept);
            }
            if out.is_empty() { Value::Null } else { Value::Object(out) }
        }
        Value::Array(items) => {
            let shape = list_shape(loc);
            if items.is_empty() || shape == ListShape::Atomic {
                return Value::Null;
            }
            let mut out = Vec::new();
            for (i, item) in items.iter().enumerate() {
                let Ok(e) = item_element(shape, i, item) else {
                    out.push(item.clone());
                    continue;
                };
                if set.has_member(&e) {
                    continue;
                }
                out.push(match set.child(&e) {
                    Some(sub) => remove_at(&child_loc(loc, &e), item, sub),
                    None => item.clone(),
                });
            }
            if out.is_empty() { Value::Null } else { Value::Array(out) }
        }
        _ => v.clone(),
    }
}

/// Drops object fields whose value is `null`, at every depth: what the typed conversion to the
/// Go object does with null maps, slices and pointers.
pub(crate) fn drop_nulls(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.retain(|_, child| !child.is_null());
            m.values_mut().for_each(drop_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(drop_nulls),
        _ => {}
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
    fn webhooks_merge_by_name_field_by_field() {
        let mut t = json!({"webhooks": [
            {"name": "a", "clientConfig": {"service": {"name": "svc"}}, "rules": [1]},
            {"name": "b", "clientConfig": {"url": "https://x"}, "sideEffects": "None"},
        ]});
        let patch = json!({"webhooks": [
            {"name": "b", "clientConfig": {"caBundle": "Q0E="}},
            {"name": "a", "clientConfig": {"caBundle": "Q0E="}},
        ]});
        strategic_merge(&mut t, &patch);
        let want = json!({"webhooks": [
            {"name": "a", "clientConfig": {"service": {"name": "svc"}, "caBundle": "Q0E="}, "rules": [1]},
            {"name": "b", "clientConfig": {"url": "https://x", "caBundle": "Q0E="}, "sideEffects": "None"},
        ]});
        assert_eq!(t, want);
    }

    #[test]
    fn merge_orders_shared_items_as_the_configuration_does() {
        let live =
            json!({"webhooks": [{"name": "a", "x": 1}, {"name": "b", "x": 2}, {"name": "c"}]});
        let config = json!({"webhooks": [{"name": "b", "y": 3}, {"name": "a"}, {"name": "d"}]});
        let merged = apply(&live, &config);
        let names: Vec<&str> = merged["webhooks"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|w| w["name"].as_str())
            .collect();
        // As SMD orders it: live items wait until the configuration's next shared item comes.
        assert_eq!(names, ["b", "c", "a", "d"]);
        assert_eq!(merged["webhooks"][0], json!({"name": "b", "x": 2, "y": 3}));
        let replaced =
            apply(&json!({"rules": [1, 2], "m": {"a": 1}}), &json!({"rules": [3], "m": {}}));
        assert_eq!(replaced, json!({"rules": [3], "m": {"a": 1}}));
    }

    #[test]
    fn removal_leaves_null_where_a_container_empties() {
        let mut set = FieldSet::default();
        set.insert(&[Element::Field("data".into()), Element::Field("k".into())]);
        let mut out = remove_items(&json!({"data": {"k": "1"}, "type": "Opaque"}), &set);
        assert_eq!(out, json!({"data": null, "type": "Opaque"}));
        drop_nulls(&mut out);
        assert_eq!(out, json!({"type": "Opaque"}));
    }
}
