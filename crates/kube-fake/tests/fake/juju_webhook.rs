//! Juju's model admission webhook (`FakeKube::set_juju_webhook`): juju/juju
//! `internal/worker/caasadmission` labels what the charm creates and updates; Juju 3.6.11
//! rewrites `app.kubernetes.io/managed-by` to `juju` (juju/juju issue 21312), later releases keep
//! an existing value (pull request 21477). The API server runs the webhook after the field
//! manager (k8s.io/apiserver `endpoints/handlers/create.go`, `patch.go`), so its labels are
//! nobody's in `managedFields`.

use k8s_openapi::api::admissionregistration::v1::MutatingWebhookConfiguration;
use k8s_openapi::api::core::v1::Secret;
use k8s_openapi::api::events::v1::Event;
use kube::api::{Api, ObjectMeta, Patch, PatchParams, PostParams};
use kube_fake::{
    FakeKube, JujuWebhook, JujuWebhookVariant, LABEL_CREATED_BY, LABEL_DISABLE_WEBHOOK,
    LABEL_MANAGED_BY, LABEL_MODEL_NAME, LABEL_MODEL_UUID,
};
use serde_json::{Value, json};

use super::{NS, client, rv, secret, start};

const APP: &str = "ckf-crypto";
const UUID: &str = "deadbeef-0bad-400d-8000-4b1d0d06f00d";

fn juju(kube: &FakeKube, variant: JujuWebhookVariant) {
    kube.set_juju_webhook(Some(JujuWebhook::new(APP, variant).with_model(NS, UUID)));
}

/// The labels of `meta`, as `(key, value)` pairs in key order.
fn labels(meta: &ObjectMeta) -> Vec<(String, String)> {
    meta.labels.clone().unwrap_or_default().into_iter().collect()
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> =
        v.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    out.sort();
    out
}

/// The label keys the Apply or Update entry of `manager` owns.
fn owned_labels(obj: &Value, manager: &str) -> Vec<String> {
    let entries = obj["metadata"]["managedFields"].as_array().cloned().unwrap_or_default();
    let entry = entries.iter().find(|e| e["manager"] == manager).expect("an entry");
    let labels = entry["fieldsV1"]["f:metadata"]["f:labels"].as_object().cloned();
    labels
        .unwrap_or_default()
        .keys()
        .filter_map(|k| k.strip_prefix("f:"))
        .map(str::to_owned)
        .collect()
}

/// Juju 3.6.11: a create gets the application's and the model's labels, and `managed-by` is
/// `juju` whatever the charm sent; the creator owns what it sent, the webhook's labels are
/// nobody's.
#[tokio::test]
async fn rewrite_labels_a_created_secret_and_sets_managed_by_to_juju() {
    let kube = start();
    juju(&kube, JujuWebhookVariant::Rewrite);
    let api: Api<Secret> = Api::namespaced(client(&kube).await, NS);
    let pp = PostParams { field_manager: Some(APP.into()), ..PostParams::default() };
    let created = api
        .create(&pp, &secret("s", &[(LABEL_MANAGED_BY, APP)], &[("k", "v")]))
        .await
        .expect("create");

    let want = pairs(&[
        (LABEL_CREATED_BY, APP),
        (LABEL_MANAGED_BY, "juju"),
        (LABEL_MODEL_NAME, NS),
        (LABEL_MODEL_UUID, UUID),
    ]);
    assert_eq!(labels(&created.metadata), want);
    let stored = kube.get("Secret", Some(NS), "s").expect("stored");
    assert_eq!(owned_labels(&stored, APP), [LABEL_MANAGED_BY]);
    let unlabelled = api.create(&pp, &secret("t", &[], &[("k", "v")])).await.expect("create");
    assert_eq!(labels(&unlabelled.metadata), want);
    let stored = kube.get("Secret", Some(NS), "t").expect("stored");
    assert_eq!(
        stored["metadata"]["managedFields"][0]["fieldsV1"],
        json!({"f:data": {".": {}, "f:k": {}}, "f:type": {}})
    );
}

/// Juju 3.6.11 and server-side apply: the charm applies `managed-by: ckf-crypto` and owns that
/// field, but the stored value is `juju`. Re-applying the same configuration changes the field
/// back to `ckf-crypto` in the field manager (so the charm's Apply entry gets a new `time`), and
/// the webhook then rewrites it to `juju`: the labels end where they were, yet the object differs
/// by its managedFields time whenever the clock has moved to another second, so the API server
/// writes it and the `resourceVersion` moves. Within the same second nothing differs and nothing
/// is written (etcd3 `GuaranteedUpdate` skips identical bytes). Every re-apply is a write.
#[tokio::test]
async fn rewrite_turns_every_reapply_of_managed_by_into_a_write() {
    let kube = start();
    juju(&kube, JujuWebhookVariant::Rewrite);
    let api: Api<Secret> = Api::namespaced(client(&kube).await, NS);
    let ssa = PatchParams::apply(APP).force();
    let desired =
        secret("s", &[(LABEL_MANAGED_BY, APP), ("app.kubernetes.io/name", APP)], &[("k", "v")]);

    let first = api.patch("s", &ssa, &Patch::Apply(&desired)).await.expect("apply");
    let managed_by =
        |s: &Secret| s.metadata.labels.as_ref().and_then(|l| l.get(LABEL_MANAGED_BY)).cloned();
    assert_eq!(managed_by(&first).as_deref(), Some("juju"));
    assert_eq!(
        first.metadata.labels.as_ref().and_then(|l| l.get(LABEL_CREATED_BY)).map(String::as_str),
        Some(APP)
    );
    let stored = kube.get("Secret", Some(NS), "s").expect("stored");
    assert_eq!(
        owned_labels(&stored, APP),
        ["app.kubernetes.io/managed-by", "app.kubernetes.io/name"]
    );

    std::thread::sleep(std::time::Duration::from_millis(1100));
    let second = api.patch("s", &ssa, &Patch::Apply(&desired)).await.expect("re-apply");
    assert_eq!(managed_by(&second).as_deref(), Some("juju"));
    assert_eq!(labels(&second.metadata), labels(&first.metadata));
    assert!(rv(&second.metadata) > rv(&first.metadata), "the Apply time moved, so it is a write");
    let time = |s: &Secret| s.metadata.managed_fields.as_ref().and_then(|m| m[0].time.clone());
    assert_ne!(time(&second), time(&first));
    let statuses: Vec<u16> = kube.writes().iter().map(|w| w.status).collect();
    assert_eq!(statuses, [201, 200]);
}

/// Later Juju keeps the charm's `managed-by` and only adds the labels that are missing, so a
/// re-apply of the same configuration is a no-op again; a Secret without `managed-by` still gets
/// `juju`.
#[tokio::test]
async fn keep_existing_keeps_the_charms_managed_by_and_reapply_is_a_no_op() {
    let kube = start();
    juju(&kube, JujuWebhookVariant::KeepExisting);
    let api: Api<Secret> = Api::namespaced(client(&kube).await, NS);
    let ssa = PatchParams::apply(APP).force();
    let desired = secret("s", &[(LABEL_MANAGED_BY, APP)], &[("k", "v")]);

    let first = api.patch("s", &ssa, &Patch::Apply(&desired)).await.expect("apply");
    assert_eq!(
        labels(&first.metadata),
        pairs(&[
            (LABEL_CREATED_BY, APP),
            (LABEL_MANAGED_BY, APP),
            (LABEL_MODEL_NAME, NS),
            (LABEL_MODEL_UUID, UUID),
        ])
    );
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let again = api.patch("s", &ssa, &Patch::Apply(&desired)).await.expect("re-apply");
    assert_eq!(again.metadata.resource_version, first.metadata.resource_version);
    assert_eq!(again, first);

    let created = api.create(&PostParams::default(), &secret("t", &[], &[])).await.expect("create");
    let managed = created.metadata.labels.and_then(|l| l.get(LABEL_MANAGED_BY).cloned());
    assert_eq!(managed.as_deref(), Some("juju"));
}

/// The webhook's rule is every resource, so the charm's update of a webhook configuration another
/// charm created gets the labels too (the first time, a write; then a no-op), and so do the
/// charm's Events.
#[tokio::test]
async fn webhook_configurations_and_events_are_labelled_too() {
    let kube = start();
    kube.put(json!({
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "MutatingWebhookConfiguration",
        "metadata": {"name": "katib", "labels": {"app": "katib"}},
        "webhooks": [{
            "name": "a.katib.kubeflow.org",
            "clientConfig": {"service": {"name": "katib", "namespace": NS}},
            "sideEffects": "None",
            "admissionReviewVersions": ["v1"],
        }],
    }));
    juju(&kube, JujuWebhookVariant::KeepExisting);
    let client = client(&kube).await;
    let mwcs: Api<MutatingWebhookConfiguration> = Api::all(client.clone());
    let ssa = PatchParams::apply(APP).force();
    let bundle = Patch::Apply(json!({
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "MutatingWebhookConfiguration",
        "metadata": {"name": "katib"},
        "webhooks": [{"name": "a.katib.kubeflow.org", "clientConfig": {"caBundle": "Q0E="}}],
    }));
    let out = mwcs.patch("katib", &ssa, &bundle).await.expect("apply");
    let got = labels(&out.metadata);
    assert!(got.contains(&("app".to_owned(), "katib".to_owned())));
    assert!(got.contains(&(LABEL_CREATED_BY.to_owned(), APP.to_owned())));
    assert!(got.contains(&(LABEL_MANAGED_BY.to_owned(), "juju".to_owned())));
    let again = mwcs.patch("katib", &ssa, &bundle).await.expect("re-apply");
    assert_eq!(again.metadata.resource_version, out.metadata.resource_version);

    let events: Api<Event> = Api::namespaced(client, NS);
    let mut event: Event = serde_json::from_value(json!({
        "metadata": {"name": "katib.1"},
        "regarding": {"kind": "MutatingWebhookConfiguration", "name": "katib"},
        "eventTime": "2025-06-01T12:00:00.000000Z",
        "reportingController": "charms.canonical.com/ckf-crypto",
        "reportingInstance": "ckf-crypto-0",
        "action": "Patch",
        "reason": "CABundleSet",
        "type": "Normal",
    }))
    .expect("an Event");
    let status = super::api_status(events.create(&PostParams::default(), &event).await);
    assert_eq!(
        status.message,
        "Event \"katib.1\" is invalid: involvedObject.namespace: Invalid value: \"\": does not \
         match event.namespace",
        "a cluster-scoped object's Event belongs in `default`"
    );
    if let Some(r) = event.regarding.as_mut() {
        r.namespace = Some(NS.into());
    }
    let created = events.create(&PostParams::default(), &event).await.expect("create");
    let created_by = created.metadata.labels.and_then(|l| l.get(LABEL_CREATED_BY).cloned());
    assert_eq!(created_by.as_deref(), Some(APP));
}

/// Other clients (the test's `apply_as`, `put`) are not the charm's ServiceAccount, objects
/// carrying `model.juju.is/disable-webhook` are outside the webhook's `objectSelector`, and
/// `set_juju_webhook(None)` turns it off.
#[tokio::test]
async fn other_clients_disabled_objects_and_no_webhook_are_left_alone() {
    let kube = start();
    juju(&kube, JujuWebhookVariant::Rewrite);
    let other = json!({
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "theirs", "namespace": NS, "labels": {LABEL_MANAGED_BY: "helm"}},
    });
    let out = kube.apply_as("helm", other, true).expect("apply");
    assert_eq!(out["metadata"]["labels"], json!({LABEL_MANAGED_BY: "helm"}));

    let api: Api<Secret> = Api::namespaced(client(&kube).await, NS);
    let pp = PostParams::default();
    let off = api
        .create(&pp, &secret("off", &[(LABEL_DISABLE_WEBHOOK, "true")], &[]))
        .await
        .expect("create");
    assert_eq!(labels(&off.metadata), pairs(&[(LABEL_DISABLE_WEBHOOK, "true")]));

    kube.set_juju_webhook(None);
    let plain = api.create(&pp, &secret("plain", &[], &[])).await.expect("create");
    assert_eq!(plain.metadata.labels, None);
}
