//! The little schema the fake needs to walk its kinds the way structured-merge-diff walks them.
//!
//! SMD walks an object with its OpenAPI schema, and a few schema facts change what server-side
//! apply does: which objects are maps with free keys (`labels`, Secret `data`), which are atomic
//! (`LabelSelector` is `+structType=atomic`), which lists merge by key
//! (`x-kubernetes-list-map-keys`, or `x-kubernetes-patch-merge-key` as k8s.io/kube-openapi
//! `pkg/schemaconv/smd.go` `getListElementRelationship` falls back to, which is how `webhooks`
//! merge by `name`) and which are sets (`listType=set`). Everything else is a struct of named
//! fields or an atomic list, which is right for the kinds served (`resource.rs`). Locations are
//! field names joined by `.`, with `[]` for "an item of"; they do not depend on the kind because
//! no two served kinds use one location differently.

use crate::fields::Element;

/// Lists merged by key fields, by schema location (`[]` stands for "an item of").
const LIST_MAPS: [(&str, &[&str]); 4] = [
    // MutatingWebhookConfiguration/ValidatingWebhookConfiguration: patchMergeKey=name.
    ("webhooks", &["name"]),
    // MutatingWebhook/ValidatingWebhook: listType=map, listMapKey=name.
    ("webhooks[].matchConditions", &["name"]),
    // ObjectMeta: listType=map, listMapKey=uid.
    ("metadata.ownerReferences", &["uid"]),
    // ServiceAccount: patchMergeKey=name.
    ("secrets", &["name"]),
];

/// Lists of scalars merged as sets (ObjectMeta `finalizers`: listType=set).
const SETS: [&str; 1] = ["metadata.finalizers"];

/// Objects whose keys are data, not named fields (`map[string]string` in Go).
const MAPS: [&str; 5] =
    ["metadata.labels", "metadata.annotations", "data", "stringData", "binaryData"];

/// Objects replaced as a whole (`LabelSelector` is `+structType=atomic`).
const ATOMIC: [&str; 2] = ["webhooks[].namespaceSelector", "webhooks[].objectSelector"];

/// How an object at a schema location is walked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ObjectShape {
    /// Named fields, each granular.
    Struct,
    /// Free keys, each granular.
    Map,
    /// One leaf.
    Atomic,
}

/// How a list at a schema location is walked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ListShape {
    /// One leaf.
    Atomic,
    /// Items identified by these key fields.
    Map(&'static [&'static str]),
    /// Scalar items identified by value.
    Set,
}

/// The shape of an object at `loc`.
pub(crate) fn object_shape(loc: &str) -> ObjectShape {
    if MAPS.contains(&loc) {
        ObjectShape::Map
    } else if ATOMIC.contains(&loc) {
        ObjectShape::Atomic
    } else {
        ObjectShape::Struct
    }
}

/// The shape of a list at `loc`.
pub(crate) fn list_shape(loc: &str) -> ListShape {
    if let Some((_, keys)) = LIST_MAPS.iter().find(|(l, _)| *l == loc) {
        ListShape::Map(keys)
    } else if SETS.contains(&loc) {
        ListShape::Set
    } else {
        ListShape::Atomic
    }
}

/// The schema location of the child `e` of the value at `loc`.
pub(crate) fn child_loc(loc: &str, e: &Element) -> String {
    match (e, loc.is_empty()) {
        (Element::Field(f), true) => f.clone(),
        (Element::Field(f), false) => format!("{loc}.{f}"),
        _ => format!("{loc}[]"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_follow_the_openapi_of_the_served_kinds() {
        assert_eq!(list_shape("webhooks"), ListShape::Map(&["name"]));
        assert_eq!(list_shape("webhooks[].matchConditions"), ListShape::Map(&["name"]));
        assert_eq!(list_shape("webhooks[].rules"), ListShape::Atomic);
        assert_eq!(list_shape("metadata.finalizers"), ListShape::Set);
        assert_eq!(object_shape("metadata.labels"), ObjectShape::Map);
        assert_eq!(object_shape("data"), ObjectShape::Map);
        assert_eq!(object_shape("webhooks[].objectSelector"), ObjectShape::Atomic);
        assert_eq!(object_shape("webhooks[].clientConfig"), ObjectShape::Struct);
        assert_eq!(child_loc("webhooks", &Element::Index(0)), "webhooks[]");
        assert_eq!(child_loc("", &Element::Field("data".into())), "data");
        assert_eq!(child_loc("webhooks[]", &Element::Field("name".into())), "webhooks[].name");
    }
}
