//! Secrets: server-side apply as the charm does it, lists by label, and the API server's rules.

use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams, PostParams};
use serde_json::json;

use super::{NS, api_status, client, rv, secret, start};

const PART_OF: &str = "app.kubernetes.io/part-of";
const MANAGED_BY: &str = "app.kubernetes.io/managed-by";

#[tokio::test]
async fn apply_creates_and_the_same_apply_keeps_the_resource_version() {
    let kube = start();
    let api: Api<Secret> = Api::namespaced(client(&kube).await, NS);
    let pp = PatchParams::apply("ckf-crypto").force();
    let s =
        secret("dex-static-passwords", &[(PART_OF, "kubeflow")], &[("static-passwords.yaml", "x")]);

    let created = api.patch("dex-static-passwords", &pp, &Patch::Apply(&s)).await.expect("apply");
    assert!(created.metadata.uid.is_some());
    assert!(created.metadata.creation_timestamp.is_some());
    assert_eq!(created.metadata.namespace.as_deref(), Some(NS));
    assert_eq!(created.type_.as_deref(), Some("Opaque"));
    let again = api.patch("dex-static-passwords", &pp, &Patch::Apply(&s)).await.expect("re-apply");
    assert_eq!(again.metadata.resource_version, created.metadata.resource_version);
    assert_eq!(again, created);

    let stored = kube.get("Secret", Some(NS), "dex-static-passwords").expect("stored");
    assert_eq!(stored["data"], json!({"static-passwords.yaml": "eA=="}));
    let statuses: Vec<u16> = kube.writes().iter().map(|w| w.status).collect();
    assert_eq!(statuses, [201, 200]);
}

/// A manager's apply replaces its own previous apply: labels and data keys it applied before and
/// leaves out now are removed, since no other manager owns them (structured-merge-diff
/// `merge/update.go`, `Updater.prune`). This test used to expect the left-out label to stay, which
/// the fake's approximation without field ownership did and kube-apiserver does not.
#[tokio::test]
async fn apply_replaces_the_managers_previous_apply() {
    let kube = start();
    let api: Api<Secret> = Api::namespaced(client(&kube).await, NS);
    let pp = PatchParams::apply("ckf-crypto").force();
    let first = secret("s", &[(PART_OF, "kubeflow"), ("a", "1")], &[("k1", "v1")]);
    let v1 = api.patch("s", &pp, &Patch::Apply(&first)).await.expect("apply");
    let second = secret("s", &[("a", "2"), ("b", "3")], &[("k2", "v2")]);
    let v2 = api.patch("s", &pp, &Patch::Apply(&second)).await.expect("apply");

    assert!(rv(&v2.metadata) > rv(&v1.metadata));
    let labels = v2.metadata.labels.expect("labels");
    let labels: Vec<(&str, &str)> = labels.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(labels, [("a", "2"), ("b", "3")]);
    let keys: Vec<String> = v2.data.expect("data").into_keys().collect();
    assert_eq!(keys, ["k2"]);
}

#[tokio::test]
async fn lists_by_label_selector() {
    let kube = start();
    let client = client(&kube).await;
    let api: Api<Secret> = Api::namespaced(client.clone(), NS);
    let pp = PostParams::default();
    let mine = [(PART_OF, "kubeflow"), (MANAGED_BY, "ckf-crypto")];
    api.create(&pp, &secret("mine", &mine, &[])).await.expect("create");
    api.create(&pp, &secret("theirs", &[(PART_OF, "kubeflow")], &[])).await.expect("create");
    api.create(&pp, &secret("plain", &[], &[])).await.expect("create");
    kube.put(json!({
        "kind": "Secret",
        "metadata": {"name": "elsewhere", "namespace": "other", "labels": {PART_OF: "kubeflow"}},
    }));

    let names = |list: kube::api::ObjectList<Secret>| -> Vec<String> {
        list.items.into_iter().filter_map(|s| s.metadata.name).collect()
    };
    let both = ListParams::default()
        .labels("app.kubernetes.io/part-of=kubeflow,app.kubernetes.io/managed-by=ckf-crypto");
    assert_eq!(names(api.list(&both).await.expect("list")), ["mine"]);
    let part_of = ListParams::default().labels("app.kubernetes.io/part-of=kubeflow");
    let list = api.list(&part_of).await.expect("list");
    assert!(list.metadata.resource_version.is_some());
    assert_eq!(names(list), ["mine", "theirs"]);
    assert_eq!(names(api.list(&ListParams::default()).await.expect("list")).len(), 3);
    let everywhere: Api<Secret> = Api::all(client);
    assert_eq!(
        names(everywhere.list(&part_of).await.expect("list")),
        ["mine", "theirs", "elsewhere"]
    );
    let query =
        kube.requests().into_iter().find(|r| r.query.contains("labelSelector")).expect("a list");
    assert_eq!(
        query.query_param("labelSelector").as_deref(),
        Some("app.kubernetes.io/part-of=kubeflow,app.kubernetes.io/managed-by=ckf-crypto")
    );
}

#[tokio::test]
async fn get_opt_of_a_missing_secret_is_none() {
    let kube = start();
    let api: Api<Secret> = Api::namespaced(client(&kube).await, NS);
    assert_eq!(api.get_opt("nope").await.expect("a 404 is not an error"), None);
    let status = api_status(api.get("nope").await);
    assert_eq!((status.code, status.reason.as_str()), (404, "NotFound"));
    assert_eq!(status.message, "secrets \"nope\" not found");
}

#[tokio::test]
async fn create_replace_and_delete_follow_the_api_servers_rules() {
    let kube = start();
    let api: Api<Secret> = Api::namespaced(client(&kube).await, NS);
    let pp = PostParams::default();
    let mut s = secret("s", &[], &[]);
    s.data = None;
    s.string_data = Some([("plain".to_owned(), "text".to_owned())].into());
    let created = api.create(&pp, &s).await.expect("create");
    assert_eq!(created.string_data, None);
    assert_eq!(created.data.expect("data")["plain"], ByteString(b"text".to_vec()));

    let dup = api_status(api.create(&pp, &s).await);
    assert_eq!((dup.code, dup.reason.as_str()), (409, "AlreadyExists"));

    let mut stale = secret("s", &[], &[("k", "v")]);
    stale.metadata.resource_version = Some("999".into());
    let conflict = api_status(api.replace("s", &pp, &stale).await);
    assert_eq!((conflict.code, conflict.reason.as_str()), (409, "Conflict"));
    stale.metadata.resource_version = created.metadata.resource_version.clone();
    let replaced = api.replace("s", &pp, &stale).await.expect("replace");
    assert!(rv(&replaced.metadata) > rv(&created.metadata));
    assert_eq!(replaced.metadata.uid, created.metadata.uid);

    let mut tls = secret("tls", &[], &[("tls.crt", "c")]);
    tls.type_ = Some("kubernetes.io/tls".into());
    let invalid = api_status(api.create(&pp, &tls).await);
    assert_eq!((invalid.code, invalid.reason.as_str()), (422, "Invalid"));
    assert_eq!(invalid.message, "Secret \"tls\" is invalid: data[tls.key]: Required value");
    let mut retype = secret("s", &[], &[("k", "v")]);
    retype.type_ = Some("kubernetes.io/tls".into());
    let pa = PatchParams::apply("ckf-crypto").force();
    let immutable = api_status(api.patch("s", &pa, &Patch::Apply(&retype)).await);
    assert_eq!(immutable.code, 422);

    let merged = api
        .patch("s", &PatchParams::default(), &Patch::Merge(json!({"data": {"k2": "djI="}})))
        .await
        .expect("merge patch");
    let keys: Vec<String> = merged.data.expect("data").into_keys().collect();
    assert_eq!(keys, ["k", "k2"]);

    api.delete("s", &DeleteParams::default()).await.expect("delete");
    assert_eq!(api.get_opt("s").await.expect("get"), None);
    let gone = api_status(api.delete("s", &DeleteParams::default()).await);
    assert_eq!(gone.code, 404);
}

/// A Secret's `type` cannot change: pkg/apis/core/validation `ValidateSecretUpdate` runs
/// `ValidateImmutableField` ("field is immutable", k8s.io/apimachinery `api/validation`), via
/// pkg/registry/core/secret/strategy.go `ValidateUpdate`, and k8s.io/apimachinery
/// `api/errors.NewInvalid` words the 422 and gives one cause per error. `ValidateSecret` runs on
/// the new object as well, so a TLS Secret missing its keys reports those errors too, aggregated
/// in brackets.
#[tokio::test]
async fn the_type_of_a_secret_is_immutable() {
    let kube = start();
    let api: Api<Secret> = Api::namespaced(client(&kube).await, NS);
    let pp = PatchParams::apply("ckf-crypto").force();
    let opaque = secret("x", &[], &[("tls.crt", "c"), ("tls.key", "k")]);
    api.patch("x", &pp, &Patch::Apply(&opaque)).await.expect("apply");
    let mut tls = opaque.clone();
    tls.type_ = Some("kubernetes.io/tls".into());

    let status = api_status(api.patch("x", &pp, &Patch::Apply(&tls)).await);
    assert_eq!((status.code, status.reason.as_str()), (422, "Invalid"));
    assert_eq!(
        status.message,
        "Secret \"x\" is invalid: type: Invalid value: \"kubernetes.io/tls\": field is immutable"
    );
    let details = status.details.expect("details");
    assert_eq!(
        (details.name.as_str(), details.kind.as_str(), details.group.as_str()),
        ("x", "Secret", "")
    );
    assert_eq!(details.causes.len(), 1);
    assert_eq!(details.causes[0].reason, "FieldValueInvalid");
    assert_eq!(
        details.causes[0].message,
        "Invalid value: \"kubernetes.io/tls\": field is immutable"
    );
    assert_eq!(details.causes[0].field, "type");
    let replaced = api_status(api.replace("x", &PostParams::default(), &tls).await);
    assert_eq!(replaced.message, status.message);

    api.patch("y", &pp, &Patch::Apply(secret("y", &[], &[("k", "v")]))).await.expect("apply");
    let mut bare = secret("y", &[], &[("k", "v")]);
    bare.type_ = Some("kubernetes.io/tls".into());
    let status = api_status(api.patch("y", &pp, &Patch::Apply(&bare)).await);
    assert_eq!(
        status.message,
        "Secret \"y\" is invalid: [type: Invalid value: \"kubernetes.io/tls\": field is immutable, \
         data[tls.crt]: Required value, data[tls.key]: Required value]"
    );
    let causes: Vec<(String, String)> =
        status.details.expect("details").causes.into_iter().map(|c| (c.reason, c.field)).collect();
    let causes: Vec<(&str, &str)> = causes.iter().map(|(r, f)| (r.as_str(), f.as_str())).collect();
    assert_eq!(
        causes,
        [
            ("FieldValueInvalid", "type"),
            ("FieldValueRequired", "data[tls.crt]"),
            ("FieldValueRequired", "data[tls.key]")
        ]
    );
    assert_eq!(kube.get("Secret", Some(NS), "x").expect("kept")["type"], "Opaque");
}
