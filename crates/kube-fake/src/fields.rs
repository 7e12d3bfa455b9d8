//! Field paths and field sets, as structured-merge-diff (SMD) names the parts of an object.
//!
//! Server-side apply tracks ownership per field, so it needs a name for every field: a path of
//! elements, each a struct field or map key (`f:name`), a list-map item by its key fields
//! (`k:{"name":"x"}`), a set item by value (`v:"x"`) or an atomic list item by index (`i:0`).
//! This is a port of sigs.k8s.io/structured-merge-diff `fieldpath/element.go` (order, `String()`),
//! `fieldpath/set.go` (a set is a tree of members and children; `Union`, `Difference`,
//! `Intersection`, `Iterate`, `EnsureNamedFieldsAreMembers`) and `fieldpath/serialize.go` /
//! `serialize-pe.go` (the `FieldsV1` JSON in `managedFields`, with `"."` marking a path that is
//! both a member and a prefix).

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use crate::schema::{ObjectShape, child_loc, object_shape};

/// One step of a field path (SMD `fieldpath.PathElement`).
#[derive(Debug, Clone)]
pub(crate) enum Element {
    /// A struct field or a map key: `f:name`, `.name`.
    Field(String),
    /// A list-map item by its key fields, sorted by name: `k:{"name":"x"}`, `[name="x"]`.
    Key(Vec<(String, Value)>),
    /// A set item by value: `v:"x"`, `[="x"]`.
    Value(Value),
    /// An atomic list item by position: `i:0`, `[0]`.
    Index(usize),
}

/// A field path from the object's root.
pub(crate) type Path = Vec<Element>;

impl Element {
    fn rank(&self) -> u8 {
        match self {
            Element::Field(_) => 0,
            Element::Key(_) => 1,
            Element::Value(_) => 2,
            Element::Index(_) => 3,
        }
    }

    /// The `FieldsV1` key (SMD `SerializePathElement`).
    fn to_key(&self) -> String {
        match self {
            Element::Field(f) => format!("f:{f}"),
            Element::Key(fields) => {
                let m: Map<String, Value> = fields.iter().cloned().collect();
                format!("k:{}", Value::Object(m))
            }
            Element::Value(v) => format!("v:{v}"),
            Element::Index(i) => format!("i:{i}"),
        }
    }

    /// Parses a `FieldsV1` key (SMD `DeserializePathElement`).
    fn from_key(s: &str) -> Option<Element> {
        let (kind, rest) = s.split_at_checked(2)?;
        match kind {
            "f:" => Some(Element::Field(rest.to_owned())),
            "v:" => serde_json::from_str(rest).ok().map(Element::Value),
            "i:" => rest.parse().ok().map(Element::Index),
            "k:" => match serde_json::from_str(rest).ok()? {
                Value::Object(m) => Some(Element::Key(m.into_iter().collect())),
                _ => None,
            },
            _ => None,
        }
    }
}

/// SMD `PathElement.String()`: `.name`, `[name="x"]`, `[="x"]`, `[0]`.
impl std::fmt::Display for Element {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Element::Field(name) => write!(f, ".{name}"),
            Element::Key(fields) => {
                let parts: Vec<String> = fields.iter().map(|(k, v)| format!("{k}={v}")).collect();
                write!(f, "[{}]", parts.join(","))
            }
            Element::Value(v) => write!(f, "[={v}]"),
            Element::Index(i) => write!(f, "[{i}]"),
        }
    }
}

/// SMD `Path.String()`: the elements' strings, concatenated.
pub(crate) fn path_string(path: &[Element]) -> String {
    path.iter().map(ToString::to_string).collect()
}

/// SMD `PathElement.Compare`: fields, then keys, values, indexes.
impl Ord for Element {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Element::Field(a), Element::Field(b)) => a.cmp(b),
            (Element::Key(a), Element::Key(b)) => {
                for ((an, av), (bn, bv)) in a.iter().zip(b) {
                    let c = an.cmp(bn).then_with(|| compare_values(av, bv));
                    if c != Ordering::Equal {
                        return c;
                    }
                }
                a.len().cmp(&b.len())
            }
            (Element::Value(a), Element::Value(b)) => compare_values(a, b),
            (Element::Index(a), Element::Index(b)) => a.cmp(b),
            _ => self.rank().cmp(&other.rank()),
        }
    }
}

impl PartialOrd for Element {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Element {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Element {}

/// SMD `value.Compare`: numbers, then strings, booleans, lists, maps, null.
fn compare_values(a: &Value, b: &Value) -> Ordering {
    let rank = |v: &Value| match v {
        Value::Number(_) => 0,
        Value::String(_) => 1,
        Value::Bool(_) => 2,
        Value::Array(_) => 3,
        Value::Object(_) => 4,
        Value::Null => 5,
    };
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            x.as_f64().partial_cmp(&y.as_f64()).unwrap_or(Ordering::Equal)
        }
        (Value::String(x), Value::String(y)) => x.cmp(y),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::Null, Value::Null) => Ordering::Equal,
        _ if rank(a) == rank(b) => a.to_string().cmp(&b.to_string()),
        _ => rank(a).cmp(&rank(b)),
    }
}

/// A set of field paths, stored as SMD stores it: the members at this level, and the sets below
/// each element that prefixes longer members. No child is ever empty.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct FieldSet {
    members: BTreeSet<Element>,
    children: BTreeMap<Element, FieldSet>,
}

impl FieldSet {
    /// Adds `path`; the empty path is not a field and is ignored, as in SMD.
    pub(crate) fn insert(&mut self, path: &[Element]) {
        match path {
            [] => {}
            [e] => {
                self.members.insert(e.clone());
            }
            [e, rest @ ..] => self.children.entry(e.clone()).or_default().insert(rest),
        }
    }

    /// Whether `e` (one step from here) is a member.
    pub(crate) fn has_member(&self, e: &Element) -> bool {
        self.members.contains(e)
    }

    /// The paths below `e`, without `e` (SMD `WithPrefix`).
    pub(crate) fn child(&self, e: &Element) -> Option<&FieldSet> {
        self.children.get(e)
    }

    /// Whether the set has no paths.
    pub(crate) fn is_empty(&self) -> bool {
        self.members.is_empty() && self.children.is_empty()
    }

    /// Paths in either set.
    pub(crate) fn union(&self, other: &FieldSet) -> FieldSet {
        let mut out = self.clone();
        out.members.extend(other.members.iter().cloned());
        for (e, c) in &other.children {
            let merged = match out.children.get(e) {
                Some(mine) => mine.union(c),
                None => c.clone(),
            };
            out.children.insert(e.clone(), merged);
        }
        out
    }

    /// Paths in `self` and not in `other`.
    pub(crate) fn difference(&self, other: &FieldSet) -> FieldSet {
        let members = self.members.difference(&other.members).cloned().collect();
        let children = self
            .children
            .iter()
            .map(|(e, c)| {
                (e.clone(), other.children.get(e).map_or_else(|| c.clone(), |o| c.difference(o)))
            })
            .filter(|(_, c)| !c.is_empty())
            .collect();
        FieldSet { members, children }
    }

    /// Paths in both sets.
    pub(crate) fn intersection(&self, other: &FieldSet) -> FieldSet {
        let members = self.members.intersection(&other.members).cloned().collect();
        let children = self
            .children
            .iter()
            .filter_map(|(e, c)| other.children.get(e).map(|o| (e.clone(), c.intersection(o))))
            .filter(|(_, c)| !c.is_empty())
            .collect();
        FieldSet { members, children }
    }

    /// The set plus every named struct field on the way to its paths (SMD
    /// `EnsureNamedFieldsAreMembers`); map keys and list items are not added. `loc` is the schema
    /// location of this level.
    pub(crate) fn with_named_fields(&self, loc: &str) -> FieldSet {
        let mut out = FieldSet { members: self.members.clone(), children: BTreeMap::new() };
        let is_struct = object_shape(loc) == ObjectShape::Struct;
        for (e, c) in &self.children {
            if is_struct && matches!(e, Element::Field(_)) {
                out.members.insert(e.clone());
            }
            out.children.insert(e.clone(), c.with_named_fields(&child_loc(loc, e)));
        }
        out
    }

    /// Every path, in SMD `Set.Iterate` order: this level's members, then each child's paths.
    pub(crate) fn paths(&self) -> Vec<Path> {
        let mut out = Vec::new();
        self.collect(&mut Vec::new(), &mut out);
        out
    }

    fn collect(&self, prefix: &mut Path, out: &mut Vec<Path>) {
        for m in &self.members {
            let mut p = prefix.clone();
            p.push(m.clone());
            out.push(p);
        }
        for (e, c) in &self.children {
            prefix.push(e.clone());
            c.collect(prefix, out);
            prefix.pop();
        }
    }

    /// The `fieldsV1` JSON of this set (SMD `Set.ToJSON`).
    pub(crate) fn to_fields_v1(&self) -> Value {
        let mut m = Map::new();
        for e in &self.members {
            m.insert(e.to_key(), Value::Object(Map::new()));
        }
        for (e, c) in &self.children {
            let Value::Object(mut inner) = c.to_fields_v1() else {
                continue;
            };
            if self.members.contains(e) {
                inner.insert(".".to_owned(), Value::Object(Map::new()));
            }
            m.insert(e.to_key(), Value::Object(inner));
        }
        Value::Object(m)
    }

    /// Parses `fieldsV1` JSON (SMD `Set.FromJSON`): an empty object or one with `"."` is a member.
    pub(crate) fn from_fields_v1(v: &Value) -> Option<FieldSet> {
        let Value::Object(m) = v else {
            return None;
        };
        let mut out = FieldSet::default();
        for (k, sub) in m {
            if k == "." {
                continue;
            }
            let e = Element::from_key(k)?;
            let Value::Object(inner) = sub else {
                return None;
            };
            if inner.is_empty() || inner.contains_key(".") {
                out.members.insert(e.clone());
            }
            let child = FieldSet::from_fields_v1(sub)?;
            if !child.is_empty() {
                out.children.insert(e, child);
            }
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn f(name: &str) -> Element {
        Element::Field(name.to_owned())
    }

    fn hook(name: &str) -> Element {
        Element::Key(vec![("name".to_owned(), json!(name))])
    }

    #[test]
    fn fields_v1_round_trips_in_the_real_format() {
        let mut s = FieldSet::default();
        s.insert(&[f("webhooks"), hook("a.b.c")]);
        s.insert(&[f("webhooks"), hook("a.b.c"), f("name")]);
        s.insert(&[f("webhooks"), hook("a.b.c"), f("clientConfig"), f("caBundle")]);
        s.insert(&[f("metadata"), f("labels"), f("app")]);
        let v = s.to_fields_v1();
        assert_eq!(
            v,
            json!({
                "f:metadata": {"f:labels": {"f:app": {}}},
                "f:webhooks": {"k:{\"name\":\"a.b.c\"}": {
                    ".": {}, "f:clientConfig": {"f:caBundle": {}}, "f:name": {},
                }},
            })
        );
        assert_eq!(FieldSet::from_fields_v1(&v), Some(s));
    }

    #[test]
    fn paths_print_and_iterate_as_smd_does() {
        let mut s = FieldSet::default();
        s.insert(&[f("webhooks"), hook("x"), f("clientConfig"), f("caBundle")]);
        s.insert(&[f("data")]);
        s.insert(&[f("webhooks"), hook("x")]);
        let printed: Vec<String> = s.paths().iter().map(|p| path_string(p)).collect();
        assert_eq!(
            printed,
            [".data", ".webhooks[name=\"x\"]", ".webhooks[name=\"x\"].clientConfig.caBundle"]
        );
    }

    #[test]
    fn set_algebra_and_named_fields() {
        let mut a = FieldSet::default();
        a.insert(&[f("data"), f("k1")]);
        a.insert(&[f("data"), f("k2")]);
        let mut b = FieldSet::default();
        b.insert(&[f("data"), f("k2")]);
        let mut only_k1 = FieldSet::default();
        only_k1.insert(&[f("data"), f("k1")]);
        assert_eq!(a.difference(&b), only_k1);
        assert_eq!(a.intersection(&b), b);
        assert_eq!(only_k1.union(&b), a);
        assert!(a.difference(&a).is_empty());
        let named = b.with_named_fields("");
        assert!(named.has_member(&f("data")));
        let mut labels = FieldSet::default();
        labels.insert(&[f("metadata"), f("labels"), f("a")]);
        let named = labels.with_named_fields("");
        let meta = named.child(&f("metadata")).expect("metadata");
        assert!(meta.has_member(&f("labels")));
        assert!(!meta.child(&f("labels")).expect("labels").has_member(&f("x")));
    }
}
