//! Webhook configurations: setting `caBundle` on configurations another charm created.

use k8s_openapi::ByteString;
use k8s_openapi::api::admissionregistration::v1::{
    MutatingWebhook, MutatingWebhookConfiguration, ValidatingWebhookConfiguration,
};
use kube::api::{Api, ObjectMeta, Patch, PatchParams};
use serde_json::{Value, json};

use super::{api_status, client};

const PEM: &str = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
const NAMES: [&str; 2] = ["defaulter.katib.kubeflow.org", "pods.katib.kubeflow.org"];

fn seed(kind: &str) -> Value {
    let hook = |name: &str, path: &str| {
        json!({
            "name": name,
            "clientConfig": {"service": {"name": "katib-controller", "namespace": "kubeflow", "path": path, "port": 443}},
            "rules": [{"apiGroups": ["kubeflow.org"], "apiVersions": ["v1beta1"], "operations": ["CREATE"], "resources": ["experiments"]}],
            "failurePolicy": "Ignore",
            "sideEffects": "None",
            "admissionReviewVersions": ["v1"],
        })
    };
    json!({
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": kind,
        "metadata": {"name": "katib.kubeflow.org", "labels": {"app": "katib"}},
        "webhooks": [hook(NAMES[0], "/mutate-experiment"), hook(NAMES[1], "/mutate-pod")],
    })
}

fn ca_bundle_patch(kind: &str) -> Value {
    let bundle = base64_of(PEM);
    json!({
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": kind,
        "metadata": {"name": "katib.kubeflow.org"},
        "webhooks": NAMES.map(|n| json!({"name": n, "clientConfig": {"caBundle": bundle}})),
    })
}

fn base64_of(s: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(s)
}

#[tokio::test]
async fn apply_of_ca_bundle_updates_every_webhook_and_keeps_the_rest() {
    let kube = super::start();
    kube.put(seed("MutatingWebhookConfiguration"));
    let before =
        kube.get("MutatingWebhookConfiguration", None, "katib.kubeflow.org").expect("seeded");
    let api: Api<MutatingWebhookConfiguration> = Api::all(client(&kube).await);
    let pp = PatchParams::apply("ckf-crypto").force();
    let patch = Patch::Apply(ca_bundle_patch("MutatingWebhookConfiguration"));

    let out = api.patch("katib.kubeflow.org", &pp, &patch).await.expect("apply");
    let hooks = out.webhooks.clone().expect("webhooks");
    assert_eq!(hooks.len(), 2);
    for (hook, name) in hooks.iter().zip(NAMES) {
        assert_eq!(hook.name, name);
        assert_eq!(hook.client_config.ca_bundle, Some(ByteString(PEM.as_bytes().to_vec())));
        let service = hook.client_config.service.as_ref().expect("service kept");
        assert_eq!(service.name, "katib-controller");
        assert!(hook.rules.is_some());
        assert_eq!(hook.side_effects, "None");
        assert_eq!(hook.failure_policy.as_deref(), Some("Ignore"));
    }
    let after =
        kube.get("MutatingWebhookConfiguration", None, "katib.kubeflow.org").expect("stored");
    assert_eq!(after["metadata"]["labels"], before["metadata"]["labels"]);
    assert_eq!(after["metadata"]["uid"], before["metadata"]["uid"]);
    assert_eq!(after["webhooks"][1]["clientConfig"]["service"]["path"], "/mutate-pod");

    let again = api.patch("katib.kubeflow.org", &pp, &patch).await.expect("re-apply");
    assert_eq!(again.metadata.resource_version, out.metadata.resource_version);
    let write = kube.writes().pop().expect("a write");
    assert_eq!(
        write.path,
        "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/katib.kubeflow.org"
    );
}

#[tokio::test]
async fn validating_configurations_are_served_alike() {
    let kube = super::start();
    kube.put(seed("ValidatingWebhookConfiguration"));
    let api: Api<ValidatingWebhookConfiguration> = Api::all(client(&kube).await);
    let list = api.list(&Default::default()).await.expect("list");
    assert_eq!(list.items.len(), 1);
    let pp = PatchParams::apply("ckf-crypto").force();
    let patch = Patch::Apply(ca_bundle_patch("ValidatingWebhookConfiguration"));
    let out = api.patch("katib.kubeflow.org", &pp, &patch).await.expect("apply");
    let bundle = out.webhooks.expect("webhooks")[1].client_config.ca_bundle.clone();
    assert_eq!(bundle, Some(ByteString(PEM.as_bytes().to_vec())));
    assert_eq!(api.get_opt("missing.kubeflow.org").await.expect("get_opt"), None);
}

#[tokio::test]
async fn strategic_merge_patch_also_merges_webhooks_by_name() {
    let kube = super::start();
    kube.put(seed("MutatingWebhookConfiguration"));
    let api: Api<MutatingWebhookConfiguration> = Api::all(client(&kube).await);
    let patch = Patch::Strategic(
        json!({"webhooks": [{"name": NAMES[1], "clientConfig": {"caBundle": base64_of(PEM)}}]}),
    );
    let out =
        api.patch("katib.kubeflow.org", &PatchParams::default(), &patch).await.expect("patch");
    let hooks = out.webhooks.expect("webhooks");
    assert_eq!(hooks[0].client_config.ca_bundle, None);
    assert!(hooks[1].client_config.ca_bundle.is_some());
    assert!(hooks[1].client_config.service.is_some());
}

/// k8s-openapi serialises `sideEffects: ""` and `admissionReviewVersions: []` for a typed webhook
/// left at its defaults, which a real API server refuses; the fake refuses it too.
#[tokio::test]
async fn a_typed_partial_apply_is_refused_as_on_a_real_cluster() {
    let kube = super::start();
    kube.put(seed("MutatingWebhookConfiguration"));
    let api: Api<MutatingWebhookConfiguration> = Api::all(client(&kube).await);
    let mut hook = MutatingWebhook { name: NAMES[0].to_owned(), ..MutatingWebhook::default() };
    hook.client_config.ca_bundle = Some(ByteString(PEM.as_bytes().to_vec()));
    let typed = MutatingWebhookConfiguration {
        metadata: ObjectMeta { name: Some("katib.kubeflow.org".into()), ..ObjectMeta::default() },
        webhooks: Some(vec![hook]),
    };
    let pp = PatchParams::apply("ckf-crypto").force();
    let status = api_status(api.patch("katib.kubeflow.org", &pp, &Patch::Apply(&typed)).await);
    assert_eq!((status.code, status.reason.as_str()), (422, "Invalid"));
    assert!(status.message.contains("webhooks[0].sideEffects"), "{}", status.message);
    let stored =
        kube.get("MutatingWebhookConfiguration", None, "katib.kubeflow.org").expect("kept");
    assert_eq!(stored["webhooks"][0]["sideEffects"], "None");
}
