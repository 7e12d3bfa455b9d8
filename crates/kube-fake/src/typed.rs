//! Walks over objects under the schema of `schema.rs`: the fields an object sets, and what
//! changed between two objects.
//!
//! These are ports of sigs.k8s.io/structured-merge-diff `typed/tofieldset.go`, `typed/compare.go`
//! and `typed/validate.go`, kept close to the Go so that ownership and conflicts come out as
//! kube-apiserver computes them (the merge and removal are in `merge.rs`). A rule easy to miss:
//! a container that appears or disappears is itself added or removed, so an Update that creates
//! `labels` owns `f:labels` with `"."`, as real `managedFields` show, while an apply owns only
//! the leaves it names.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use crate::fields::{Element, FieldSet, Path, path_string};
use crate::schema::{ListShape, ObjectShape, child_loc, list_shape, object_shape};

/// What changed between two objects (SMD `typed.Comparison`).
#[derive(Debug, Default)]
pub(crate) struct Comparison {
    pub(crate) added: FieldSet,
    pub(crate) modified: FieldSet,
    pub(crate) removed: FieldSet,
}

/// The item element of a list item (SMD `listItemToPathElement`), or why there is none.
pub(crate) fn item_element(
    shape: ListShape,
    index: usize,
    item: &Value,
) -> Result<Element, String> {
    match (shape, item) {
        (ListShape::Atomic, _) => Ok(Element::Index(index)),
        (ListShape::Map(_), Value::Null) => {
            Err("associative list with keys may not have a null element".to_owned())
        }
        (ListShape::Map(keys), Value::Object(m)) => {
            let mut fields = Vec::new();
            for key in keys {
                let Some(v) = m.get(*key) else {
                    return Err(format!(
                        "associative list with keys has an element that omits key field \
                         {key:?} (and doesn't have default value)"
                    ));
                };
                fields.push(((*key).to_owned(), v.clone()));
            }
            fields.sort_by(|a, b| a.0.cmp(&b.0));
            Ok(Element::Key(fields))
        }
        (ListShape::Map(_), _) => {
            Err("associative list with keys may not have non-map elements".to_owned())
        }
        (ListShape::Set, Value::Object(_) | Value::Array(_)) => {
            Err("associative list without keys has an element that's a map type".to_owned())
        }
        (ListShape::Set, v) => Ok(Element::Value(v.clone())),
    }
}

/// Checks an apply configuration as SMD's `ObjectToTyped` does: every associative list item has
/// its keys and none repeats. The error reads like SMD's `ValidationError` (`.webhooks: …`).
pub(crate) fn validate(v: &Value) -> Result<(), String> {
    validate_at("", &mut Vec::new(), v)
}

fn validate_at(loc: &str, path: &mut Path, v: &Value) -> Result<(), String> {
    match v {
        Value::Object(m) if object_shape(loc) != ObjectShape::Atomic => {
            for (k, child) in m {
                let e = Element::Field(k.clone());
                let cl = child_loc(loc, &e);
                path.push(e);
                validate_at(&cl, path, child)?;
                path.pop();
            }
        }
        Value::Array(items) if list_shape(loc) != ListShape::Atomic => {
            let shape = list_shape(loc);
            let mut seen = BTreeSet::new();
            for (i, item) in items.iter().enumerate() {
                let at = path_string(path);
                let e = item_element(shape, i, item)
                    .map_err(|why| format!("{at}: element {i}: {why}"))?;
                if !seen.insert(e.clone()) {
                    return Err(format!("{at}: duplicate entries for key {e}"));
                }
                let cl = child_loc(loc, &e);
                path.push(e);
                validate_at(&cl, path, item)?;
                path.pop();
            }
        }
        _ => {}
    }
    Ok(())
}

/// The fields `v` sets (SMD `TypedValue.ToFieldSet`): leaves, list items, map keys, and struct
/// fields that are null or empty objects.
pub(crate) fn to_field_set(v: &Value) -> FieldSet {
    let mut set = FieldSet::default();
    field_set_at(&mut set, "", &mut Vec::new(), v);
    set
}

fn field_set_at(set: &mut FieldSet, loc: &str, path: &mut Path, v: &Value) {
    match v {
        Value::Object(m) => {
            let shape = object_shape(loc);
            if shape == ObjectShape::Atomic {
                set.insert(path);
                return;
            }
            for (k, child) in m {
                let e = Element::Field(k.clone());
                let cl = child_loc(loc, &e);
                path.push(e);
                field_set_at(set, &cl, path, child);
                let empty = child.is_null() || child.as_object().is_some_and(Map::is_empty);
                if empty || shape == ObjectShape::Map {
                    set.insert(path);
                }
                path.pop();
            }
        }
        Value::Array(items) => {
            let shape = list_shape(loc);
            if shape == ListShape::Atomic {
                set.insert(path);
                return;
            }
            let elements: Vec<Option<Element>> =
                items.iter().enumerate().map(|(i, it)| item_element(shape, i, it).ok()).collect();
            let mut seen = BTreeSet::new();
            let mut duplicates = BTreeSet::new();
            for e in elements.iter().flatten() {
                if !seen.insert(e.clone()) && duplicates.insert(e.clone()) {
                    path.push(e.clone());
                    set.insert(path);
                    path.pop();
                }
            }
            for (e, item) in elements.into_iter().zip(items) {
                let Some(e) = e.filter(|e| !duplicates.contains(e)) else {
                    continue;
                };
                let cl = child_loc(loc, &e);
                path.push(e);
                field_set_at(set, &cl, path, item);
                set.insert(path);
                path.pop();
            }
        }
        _ => set.insert(path),
    }
}

/// How `rhs` differs from `lhs` (SMD `TypedValue.Compare`).
pub(crate) fn compare(lhs: &Value, rhs: &Value) -> Comparison {
    let mut out = Comparison::default();
    compare_at(&mut out, "", &mut Vec::new(), Some(lhs), Some(rhs));
    out
}

fn compare_at(
    out: &mut Comparison,
    loc: &str,
    path: &mut Path,
    l: Option<&Value>,
    r: Option<&Value>,
) {
    let leaf = compare_atom(out, loc, path, l, r);
    if !leaf {
        if l.is_none() {
            out.added.insert(path);
        } else if r.is_none() {
            out.removed.insert(path);
        }
    }
}

/// Compares one node; returns whether it was a leaf (SMD `inLeaf`).
fn compare_atom(
    out: &mut Comparison,
    loc: &str,
    path: &mut Path,
    l: Option<&Value>,
    r: Option<&Value>,
) -> bool {
    let container =
        |v: Option<&Value>, want: fn(&Value) -> bool| v.is_none_or(|v| v.is_null() || want(v));
    if (l.is_some_and(Value::is_object) || r.is_some_and(Value::is_object))
        && container(l, Value::is_object)
        && container(r, Value::is_object)
    {
        let (lm, rm) = (l.and_then(Value::as_object), r.and_then(Value::as_object));
        let empty = lm.is_none_or(Map::is_empty) && rm.is_none_or(Map::is_empty);
        if empty || object_shape(loc) == ObjectShape::Atomic {
            return leaf(out, path, l, r);
        }
        let keys: BTreeSet<&String> = lm.into_iter().chain(rm).flat_map(Map::keys).collect();
        for k in keys {
            let e = Element::Field(k.clone());
            let cl = child_loc(loc, &e);
            path.push(e);
            compare_at(out, &cl, path, lm.and_then(|m| m.get(k)), rm.and_then(|m| m.get(k)));
            path.pop();
        }
        return false;
    }
    if (l.is_some_and(Value::is_array) || r.is_some_and(Value::is_array))
        && container(l, Value::is_array)
        && container(r, Value::is_array)
    {
        let (la, ra) = (l.and_then(Value::as_array), r.and_then(Value::as_array));
        let empty = la.is_none_or(Vec::is_empty) && ra.is_none_or(Vec::is_empty);
        let shape = list_shape(loc);
        if empty || shape == ListShape::Atomic {
            return leaf(out, path, l, r);
        }
        compare_items(
            out,
            loc,
            shape,
            path,
            la.map_or(&[], Vec::as_slice),
            ra.map_or(&[], Vec::as_slice),
        );
        return false;
    }
    leaf(out, path, l, r)
}

fn leaf(out: &mut Comparison, path: &[Element], l: Option<&Value>, r: Option<&Value>) -> bool {
    match (l, r) {
        (None, _) => out.added.insert(path),
        (_, None) => out.removed.insert(path),
        (Some(a), Some(b)) if a != b => out.modified.insert(path),
        _ => {}
    }
    true
}

/// Items of both lists by element, in first-seen order (SMD `compareWalker.visitListItems`).
fn compare_items(
    out: &mut Comparison,
    loc: &str,
    shape: ListShape,
    path: &mut Path,
    la: &[Value],
    ra: &[Value],
) {
    let mut order: Vec<Element> = Vec::new();
    let lv = group_items(shape, la, &mut order);
    let rv = group_items(shape, ra, &mut order);
    let item_loc = format!("{loc}[]");
    for e in order {
        let l = lv.get(&e).map_or(&[][..], Vec::as_slice);
        let r = rv.get(&e).map_or(&[][..], Vec::as_slice);
        path.push(e);
        match (l.len(), r.len()) {
            (0..=1, 0..=1) => {
                compare_at(out, &item_loc, path, l.first().copied(), r.first().copied())
            }
            (2.., 2..) => {
                if l != r {
                    out.modified.insert(path);
                }
            }
            (2.., _) => {
                if let Some(first) = r.first() {
                    compare_at(out, &item_loc, path, None, Some(first));
                }
                out.removed.insert(path);
            }
            (_, _) => {
                if let Some(first) = l.first() {
                    compare_at(out, &item_loc, path, Some(first), None);
                }
                out.added.insert(path);
            }
        }
        path.pop();
    }
}

/// The items of a list by element; `order` gains the elements not seen before.
fn group_items<'a>(
    shape: ListShape,
    items: &'a [Value],
    order: &mut Vec<Element>,
) -> BTreeMap<Element, Vec<&'a Value>> {
    let mut by: BTreeMap<Element, Vec<&Value>> = BTreeMap::new();
    for (i, item) in items.iter().enumerate() {
        let Ok(e) = item_element(shape, i, item) else {
            continue;
        };
        if !order.contains(&e) {
            order.push(e.clone());
        }
        by.entry(e).or_default().push(item);
    }
    by
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn paths(s: &FieldSet) -> Vec<String> {
        s.paths().iter().map(|p| path_string(p)).collect()
    }

    #[test]
    fn field_sets_of_applied_and_created_objects_differ_as_in_managed_fields() {
        let config = json!({"metadata": {"labels": {"a": "1"}}, "data": {"k": "dg=="}});
        assert_eq!(paths(&to_field_set(&config)), [".data.k", ".metadata.labels.a"]);
        let created = compare(&json!({"metadata": {}}), &config);
        assert_eq!(
            paths(&created.added),
            [".data", ".data.k", ".metadata.labels", ".metadata.labels.a"]
        );
    }

    #[test]
    fn list_map_items_are_members_with_their_fields() {
        let v = json!({"webhooks": [{"name": "x", "clientConfig": {"caBundle": "Q0E="}}]});
        assert_eq!(
            paths(&to_field_set(&v)),
            [
                ".webhooks[name=\"x\"]",
                ".webhooks[name=\"x\"].name",
                ".webhooks[name=\"x\"].clientConfig.caBundle"
            ]
        );
        assert_eq!(
            validate(&json!({"webhooks": [{"name": "x"}, {"name": "x"}]})),
            Err(".webhooks: duplicate entries for key [name=\"x\"]".to_owned())
        );
        assert!(validate(&json!({"webhooks": [{"clientConfig": {}}]})).is_err());
    }
}
