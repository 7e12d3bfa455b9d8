//! Field ownership: `metadata.managedFields`, conflicts between managers, forcing, pruning, and
//! updates taking fields over, each as kube-apiserver does it.

use k8s_openapi::api::admissionregistration::v1::MutatingWebhookConfiguration;
use k8s_openapi::api::core::v1::Secret;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ManagedFieldsEntry;
use kube::api::{Api, ListParams, Patch, PatchParams, PostParams};
use serde_json::{Value, json};

use super::{NS, api_status, client, secret, start};

/// `(manager, operation, apiVersion, fieldsV1)` of each entry, in the order served.
fn entries(list: Option<Vec<ManagedFieldsEntry>>) -> Vec<(String, String, String, Value)> {
    list.unwrap_or_default()
        .into_iter()
        .map(|e| {
            (
                e.manager.unwrap_or_default(),
                e.operation.unwrap_or_default(),
                e.api_version.unwrap_or_default(),
                e.fields_v1.map(|f| f.0).unwrap_or(Value::Null),
            )
        })
        .collect()
}

fn entry(
    manager: &str,
    op: &str,
    api_version: &str,
    fields: Value,
) -> (String, String, String, Value) {
    (manager.to_owned(), op.to_owned(), api_version.to_owned(), fields)
}

const MWC: &str = "MutatingWebhookConfiguration";
const HOOKS: [&str; 2] = ["a.katib.kubeflow.org", "b.katib.kubeflow.org"];

/// A webhook configuration as its owning charm creates it, every webhook with `bundle`.
fn configuration(bundle: &str) -> Value {
    let hook = |name: &str| {
        json!({
            "name": name,
            "clientConfig": {"service": {"name": "katib", "namespace": NS}, "caBundle": bundle},
            "sideEffects": "None",
            "admissionReviewVersions": ["v1"],
        })
    };
    json!({
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": MWC,
        "metadata": {"name": "katib"},
        "webhooks": HOOKS.map(hook),
    })
}

/// What ckf-crypto applies: only the bundles, of the webhooks `names`.
fn bundles(names: &[&str], bundle: &str) -> Patch<Value> {
    let hooks: Vec<Value> =
        names.iter().map(|n| json!({"name": n, "clientConfig": {"caBundle": bundle}})).collect();
    Patch::Apply(json!({
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": MWC,
        "metadata": {"name": "katib"},
        "webhooks": hooks,
    }))
}

/// The managed-fields format of k8s.io/apimachinery `util/managedfields/internal/managedfields.go`
/// and structured-merge-diff `fieldpath/serialize.go`: an applier owns exactly what it applied
/// (`typed/tofieldset.go`), its `time` stays put when an apply changes nothing
/// (`managedfieldsupdater.go`), so the `resourceVersion` does too.
#[tokio::test]
async fn apply_records_what_the_manager_applied() {
    let kube = start();
    let api: Api<Secret> = Api::namespaced(client(&kube).await, NS);
    let pp = PatchParams::apply("ckf-crypto").force();
    let s = secret("s", &[("app", "x")], &[("k", "v")]);
    let first = api.patch("s", &pp, &Patch::Apply(&s)).await.expect("apply");
    let fields = json!({"f:data": {"f:k": {}}, "f:metadata": {"f:labels": {"f:app": {}}}});
    assert_eq!(
        entries(first.metadata.managed_fields.clone()),
        [entry("ckf-crypto", "Apply", "v1", fields)]
    );
    let raw = kube.get("Secret", Some(NS), "s").expect("stored");
    let time = raw["metadata"]["managedFields"][0]["time"].as_str().expect("a time").to_owned();
    assert_eq!(time.len(), "2025-01-31T12:00:00Z".len(), "{time}");
    assert!(time.ends_with('Z') && !time.contains('.'), "{time}");
    assert_eq!(raw["metadata"]["managedFields"][0]["fieldsType"], "FieldsV1");

    std::thread::sleep(std::time::Duration::from_millis(1100));
    let again = api.patch("s", &pp, &Patch::Apply(&s)).await.expect("re-apply");
    assert_eq!(again.metadata.resource_version, first.metadata.resource_version);
    assert_eq!(again.metadata.managed_fields, first.metadata.managed_fields);
    let listed = api.list(&ListParams::default()).await.expect("list");
    assert_eq!(listed.items[0].metadata.managed_fields, first.metadata.managed_fields);
}

/// An Update (here a create) owns what it changed, containers included (structured-merge-diff
/// `typed/compare.go` adds a new map itself, written `"."`), under `fieldManager` or else the
/// User-Agent's product (k8s.io/apiserver `endpoints/handlers/create.go`, `prefixFromUserAgent`),
/// with the defaulted `type` too. An apply to an object nobody tracked gives what was there to
/// `before-first-apply` (`managedfields/internal/skipnonapplied.go`).
#[tokio::test]
async fn updates_own_what_they_changed() {
    let kube = start();
    let client = client(&kube).await;
    let api: Api<Secret> = Api::namespaced(client.clone(), NS);
    let pp = PostParams { field_manager: Some("creator".into()), ..PostParams::default() };
    let created = api.create(&pp, &secret("s", &[], &[("k", "v")])).await.expect("create");
    let fields = json!({"f:data": {".": {}, "f:k": {}}, "f:type": {}});
    assert_eq!(
        entries(created.metadata.managed_fields),
        [entry("creator", "Update", "v1", fields)]
    );

    let req = http::Request::patch("/api/v1/namespaces/kubeflow/secrets/s")
        .header("content-type", "application/merge-patch+json")
        .header("user-agent", "lightkube/0.15.0 (python)")
        .body(serde_json::to_vec(&json!({"metadata": {"labels": {"a": "1"}}})).expect("json"))
        .expect("request");
    let patched: Secret = client.request(req).await.expect("merge patch");
    let managers: Vec<String> =
        entries(patched.metadata.managed_fields).into_iter().map(|e| e.0).collect();
    assert_eq!(managers, ["creator", "lightkube"]);

    kube.put(json!({
        "kind": "Secret",
        "metadata": {"name": "old", "namespace": NS, "managedFields": []},
        "data": {"x": "eA=="},
    }));
    let applied = api
        .patch(
            "old",
            &PatchParams::apply("ckf-crypto"),
            &Patch::Apply(secret("old", &[], &[("k", "v")])),
        )
        .await
        .expect("apply");
    let owners: Vec<(String, String)> =
        entries(applied.metadata.managed_fields).into_iter().map(|e| (e.0, e.1)).collect();
    let owners: Vec<(&str, &str)> = owners.iter().map(|(m, o)| (m.as_str(), o.as_str())).collect();
    assert_eq!(owners, [("ckf-crypto", "Apply"), ("before-first-apply", "Update")]);
}

/// k8s.io/apimachinery `util/managedfields/internal/conflict.go`: a field another manager owns
/// with a different value is a 409 `Conflict`, one `FieldManagerConflict` cause per field, an
/// updater printed with the API version it used; `force` moves the field (structured-merge-diff
/// `merge/update.go`), and applying a manager's value again shares it without conflict.
#[tokio::test]
async fn conflicts_name_the_other_manager_until_forced() {
    let kube = start();
    kube.apply_as("katib", configuration(""), true).expect("katib creates it");
    // A JSON merge patch replaces the whole list; only the first bundle changes.
    let mut hooks = configuration("QQ==")["webhooks"].clone();
    if let Some(second) = hooks.get_mut(1) {
        second["clientConfig"]["caBundle"] = json!("");
    }
    kube.merge_patch_as("lightkube", MWC, None, "katib", json!({"webhooks": hooks}))
        .expect("lightkube sets the first bundle");
    let api: Api<MutatingWebhookConfiguration> = Api::all(client(&kube).await);
    let pp = PatchParams::apply("ckf-crypto");

    let one = api_status(api.patch("katib", &pp, &bundles(&HOOKS[..1], "Qg==")).await);
    assert_eq!((one.code, one.reason.as_str()), (409, "Conflict"));
    assert_eq!(
        one.message,
        "Apply failed with 1 conflict: conflict with \"lightkube\" using admissionregistration.k8s.io/v1: \
         .webhooks[name=\"a.katib.kubeflow.org\"].clientConfig.caBundle"
    );
    let causes = one.details.expect("details").causes;
    assert_eq!(causes.len(), 1);
    assert_eq!(causes[0].reason, "FieldManagerConflict");
    assert_eq!(
        causes[0].message,
        "conflict with \"lightkube\" using admissionregistration.k8s.io/v1"
    );
    assert_eq!(causes[0].field, ".webhooks[name=\"a.katib.kubeflow.org\"].clientConfig.caBundle");

    let two = api_status(api.patch("katib", &pp, &bundles(&HOOKS, "Qg==")).await);
    assert_eq!(
        two.message,
        "Apply failed with 2 conflicts: conflicts with \"katib\":\n\
         - .webhooks[name=\"b.katib.kubeflow.org\"].clientConfig.caBundle\n\
         conflicts with \"lightkube\" using admissionregistration.k8s.io/v1:\n\
         - .webhooks[name=\"a.katib.kubeflow.org\"].clientConfig.caBundle"
    );
    assert_eq!(
        kube.get(MWC, None, "katib").expect("kept")["webhooks"][0]["clientConfig"]["caBundle"],
        "QQ=="
    );

    let forced =
        api.patch("katib", &pp.clone().force(), &bundles(&HOOKS, "Qg==")).await.expect("forced");
    let owners = entries(forced.metadata.managed_fields);
    let owns_bundle = |m: &str| {
        owners.iter().filter(|e| e.0 == m).any(|e| e.3.to_string().contains("f:caBundle"))
    };
    assert!(owns_bundle("ckf-crypto"));
    assert!(!owns_bundle("katib"));
    // lightkube owned nothing else, and an entry left empty is dropped.
    assert!(!owners.iter().any(|e| e.0 == "lightkube"));
    let hooks = forced.webhooks.expect("webhooks");
    assert!(hooks.iter().all(|h| h.client_config.service.is_some() && h.side_effects == "None"));

    // The same value as its owner: shared, no conflict.
    kube.apply_as("other", bundles_json("Qg=="), false).expect("shared ownership");
}

fn bundles_json(bundle: &str) -> Value {
    match bundles(&HOOKS, bundle) {
        Patch::Apply(v) => v,
        _ => Value::Null,
    }
}

/// structured-merge-diff `merge/update.go` `prune`: what a manager applied before and leaves out
/// now goes, unless another manager owns it; other managers' labels and data keys stay, and so
/// does a field the applier shared with another applier.
#[tokio::test]
async fn an_apply_prunes_only_what_nobody_else_owns() {
    let kube = start();
    let api: Api<Secret> = Api::namespaced(client(&kube).await, NS);
    let pp = PatchParams::apply("ckf-crypto").force();
    let full = secret("s", &[("a", "1"), ("b", "2")], &[("k1", "djE="), ("k2", "djI=")]);
    api.patch("s", &pp, &Patch::Apply(&full)).await.expect("apply");
    kube.merge_patch_as(
        "operator",
        "Secret",
        Some(NS),
        "s",
        json!({
            "metadata": {"labels": {"c": "3"}}, "data": {"k3": "djM="},
        }),
    )
    .expect("the operator adds a label and a key");
    let shared = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", "namespace": NS, "labels": {"b": "2"}}});
    kube.apply_as("other", shared, false).expect("the same value: no conflict");

    let less = secret("s", &[("a", "1")], &[("k1", "djE=")]);
    let out = api.patch("s", &pp, &Patch::Apply(&less)).await.expect("apply");
    let labels: Vec<String> = out.metadata.labels.expect("labels").into_keys().collect();
    assert_eq!(labels, ["a", "b", "c"]);
    let keys: Vec<String> = out.data.expect("data").into_keys().collect();
    assert_eq!(keys, ["k1", "k3"]);

    let mut none = secret("s", &[], &[]);
    none.data = None;
    let out = api.patch("s", &pp, &Patch::Apply(&none)).await.expect("apply");
    let keys: Vec<String> = out.data.expect("data").into_keys().collect();
    assert_eq!(keys, ["k3"]);
}

/// An Update takes the fields it changes from every other manager (structured-merge-diff
/// `Updater.Update`), so the applier's next apply without `force` conflicts with the updater.
/// `managedFields` in an apply body are refused (`managedfields/internal/structuredmerge.go`),
/// and an apply without `fieldManager` is invalid (`apis/meta/v1/validation`,
/// `ValidatePatchOptions`).
#[tokio::test]
async fn updates_take_fields_and_applies_are_checked() {
    let kube = start();
    let api: Api<Secret> = Api::namespaced(client(&kube).await, NS);
    let pp = PatchParams::apply("ckf-crypto");
    let mine = secret("s", &[("a", "1")], &[("k", "v")]);
    api.patch("s", &pp, &Patch::Apply(&mine)).await.expect("apply");
    kube.merge_patch_as("operator", "Secret", Some(NS), "s", json!({"data": {"k": "b3A="}}))
        .expect("the operator edits the key");
    let stored = kube.get("Secret", Some(NS), "s").expect("stored");
    assert_eq!(stored["metadata"]["managedFields"][1]["manager"], "operator");
    assert_eq!(stored["metadata"]["managedFields"][1]["fieldsV1"], json!({"f:data": {"f:k": {}}}));
    let status = api_status(api.patch("s", &pp, &Patch::Apply(&mine)).await);
    assert_eq!(
        status.message,
        "Apply failed with 1 conflict: conflict with \"operator\" using v1: .data.k"
    );

    let with_fields = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", "managedFields": []}});
    let refused = api_status(api.patch("s", &pp, &Patch::Apply(with_fields)).await);
    assert_eq!(
        (refused.code, refused.message.as_str()),
        (400, "metadata.managedFields must be nil")
    );

    let anonymous = PatchParams::default();
    let invalid =
        api_status(api.patch("s", &anonymous, &Patch::Apply(secret("s", &[], &[]))).await);
    assert_eq!((invalid.code, invalid.reason.as_str()), (422, "Invalid"));
    assert_eq!(
        invalid.message,
        "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch"
    );
}

/// The test's own writes as another manager are not the client's requests; `put` records its
/// fields as manager `kube-fake` unless it is given `managedFields`.
#[tokio::test]
async fn test_writes_are_not_requests_and_put_owns_as_kube_fake() {
    let kube = start();
    kube.put(json!({"kind": "Secret", "metadata": {"name": "s", "namespace": NS}, "data": {"k": "dg=="}}));
    let stored = kube.get("Secret", Some(NS), "s").expect("stored");
    let mf = &stored["metadata"]["managedFields"][0];
    assert_eq!(
        (mf["manager"].as_str(), mf["operation"].as_str()),
        (Some("kube-fake"), Some("Update"))
    );
    assert_eq!(mf["fieldsV1"], json!({"f:data": {".": {}, "f:k": {}}}));
    let given = json!([{"manager": "x", "operation": "Apply", "apiVersion": "v1", "fieldsType": "FieldsV1", "fieldsV1": {"f:data": {"f:k": {}}}}]);
    kube.put(json!({"kind": "Secret", "metadata": {"name": "g", "namespace": NS, "managedFields": given}}));
    assert_eq!(
        kube.get("Secret", Some(NS), "g").expect("stored")["metadata"]["managedFields"],
        given
    );

    let applied = kube
        .apply_as("other", json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", "namespace": NS, "labels": {"a": "1"}}}), false)
        .expect("apply");
    assert_eq!(applied["metadata"]["labels"], json!({"a": "1"}));
    let refused = kube.apply_as("other", json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", "namespace": NS}, "data": {"k": "eA=="}}), false);
    assert_eq!(refused.expect_err("conflict")["reason"], "Conflict");
    assert!(kube.requests().is_empty());
}

/// A webhook ckf-crypto stops applying keeps what its creator owns and loses the bundle only
/// ckf-crypto owned (structured-merge-diff `merge/update.go` `prune`, a list-map item being kept
/// while another manager owns it); `put` gave the creator's fields to `kube-fake`.
#[tokio::test]
async fn a_webhook_no_longer_applied_loses_only_its_bundle() {
    let kube = start();
    kube.put(configuration(""));
    let api: Api<MutatingWebhookConfiguration> = Api::all(client(&kube).await);
    let pp = PatchParams::apply("ckf-crypto").force();
    api.patch("katib", &pp, &bundles(&HOOKS, "Qg==")).await.expect("apply");
    let out = api.patch("katib", &pp, &bundles(&HOOKS[..1], "Qg==")).await.expect("apply");
    let hooks = out.webhooks.expect("webhooks");
    assert_eq!(hooks.len(), 2);
    assert!(hooks[0].client_config.ca_bundle.is_some());
    assert_eq!(hooks[1].client_config.ca_bundle, None);
    assert!(hooks[1].client_config.service.is_some());
    let owners = entries(out.metadata.managed_fields);
    let mine = json!({"f:webhooks": {"k:{\"name\":\"a.katib.kubeflow.org\"}": {
        ".": {}, "f:clientConfig": {"f:caBundle": {}}, "f:name": {},
    }}});
    assert_eq!(owners[0], entry("ckf-crypto", "Apply", "admissionregistration.k8s.io/v1", mine));
    assert_eq!((owners[1].0.as_str(), owners[1].1.as_str()), ("kube-fake", "Update"));
}
