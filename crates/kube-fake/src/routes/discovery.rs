//! Just enough discovery for a client that asks: `/version`, `/api`, `/apis` and resource lists.
//!
//! kube-rs does not call these for typed `Api`s, but `kubectl`, `Client::apiserver_version` and
//! dynamic discovery do, and an answer built from the resource table cannot drift from what the
//! fake serves.

use serde_json::{Value, json};

use crate::resource::{AUTHENTICATION_GROUP, RESOURCES};
use crate::status::Reply;

/// `GET /version`: a `version.Info` of Kubernetes 1.33, the version k8s-openapi's `v1_33` targets.
pub(super) fn version() -> Reply {
    Reply::ok(json!({
        "major": "1",
        "minor": "33",
        "emulationMajor": "1",
        "emulationMinor": "33",
        "gitVersion": "v1.33.0-kube-fake",
        "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean",
        "buildDate": "2025-04-23T00:00:00Z",
        "goVersion": "go1.24.2",
        "compiler": "gc",
        "platform": "linux/amd64",
    }))
}

/// `GET /api`: `APIVersions`.
pub(super) fn core_versions(address: &str) -> Reply {
    Reply::ok(json!({
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": address}],
    }))
}

/// `GET /apis`: an `APIGroupList` of the non-core groups served.
pub(super) fn groups() -> Reply {
    let mut names: Vec<&str> =
        RESOURCES.iter().map(|r| r.group).filter(|g| !g.is_empty()).collect();
    names.push(AUTHENTICATION_GROUP);
    names.sort_unstable();
    names.dedup();
    let groups: Vec<Value> = names
        .into_iter()
        .map(|g| {
            let v = json!({"groupVersion": format!("{g}/v1"), "version": "v1"});
            json!({"name": g, "versions": [v.clone()], "preferredVersion": v})
        })
        .collect();
    Reply::ok(json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}))
}

/// `GET /api/v1` or `/apis/{group}/{version}`: an `APIResourceList`, or 404 for other versions.
pub(super) fn resources(group: &str, version: &str) -> Reply {
    let verbs = json!(["create", "delete", "get", "list", "patch", "update"]);
    let mut list: Vec<Value> = RESOURCES
        .iter()
        .filter(|r| r.group == group && r.version == version)
        .map(|r| {
            json!({
                "name": r.plural,
                "singularName": r.kind.to_lowercase(),
                "namespaced": r.namespaced,
                "kind": r.kind,
                "verbs": verbs,
            })
        })
        .collect();
    if group.is_empty() && version == "v1" {
        list.push(json!({
            "name": "serviceaccounts/token",
            "singularName": "",
            "namespaced": true,
            "group": AUTHENTICATION_GROUP,
            "version": "v1",
            "kind": "TokenRequest",
            "verbs": ["create"],
        }));
    }
    let known = group == AUTHENTICATION_GROUP && version == "v1";
    if list.is_empty() && !known {
        return Reply::no_route();
    }
    let group_version =
        if group.is_empty() { version.to_owned() } else { format!("{group}/{version}") };
    Reply::ok(json!({
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": group_version,
        "resources": list,
    }))
}
