//! Failure isolation (`contract.md` §12), through the compiled charm and the fake API server:
//! one broken object, request, relation or option never stops the rest of the hook.
//!
//! Each area of the charm has a deliverable this file can see from outside: the webhook TLS
//! Secrets and `caBundle`s, `dex-static-passwords`, the MinIO and OIDC Secrets with the
//! `object-storage` data, the certificates published on `certificates`, the token Secret, and
//! the verified extra CA in the bundle `get-ca-certificate` returns. For every area, one hook in
//! which that area fails must deliver every other area's.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use juju_sim::Event;
use kube_fake::Fault;
use serde_json::{Value, json};

use super::resources::extra_ca;
use crate::common::{RSA, Sim, csr_with, state};

const TLS_SECRETS: [&str; 4] = [
    "admission-webhook-webhook-tls",
    "katib-controller-webhook-tls",
    "kserve-controller-webhook-tls",
    "pvcviewer-operator-webhook-tls",
];

const AREAS: [&str; 6] = ["webhooks", "dex", "generated", "certificates", "tokens", "resources"];

fn requests(csrs: &[&str]) -> BTreeMap<String, String> {
    let list: Vec<Value> =
        csrs.iter().map(|c| json!({"certificate_signing_request": c, "ca": false})).collect();
    BTreeMap::from([("certificate_signing_requests".to_owned(), json!(list).to_string())])
}

fn sha256(path: &Path) -> String {
    let out = Command::new("sha256sum").arg(path).output().expect("sha256sum");
    String::from_utf8_lossy(&out.stdout).split_whitespace().next().expect("digest").to_owned()
}

/// A model with everything to serve: both relations with a requirer, and a pinned extra CA.
struct Model {
    sim: Sim,
    storage: u64,
    certificates: u64,
    extra: String,
    _dir: tempfile::TempDir,
}

fn model() -> Model {
    model_of(1)
}

fn model_of(units: u32) -> Model {
    let dir = tempfile::tempdir().expect("tmp");
    let (path, extra) = extra_ca(dir.path(), "isolation-extra-ca");
    let mut sim = Sim::new(state(units));
    sim.config("key-algorithm", json!("ecdsa-p256"));
    sim.config("bcrypt-cost", json!(10));
    sim.config(
        "resource-checksums",
        json!(format!("extra-ca-certificates: sha256:{}", sha256(&path))),
    );
    let st = sim.harness.state_mut();
    st.add_resource("extra-ca-certificates", &path);
    let storage = st.add_relation("object-storage", "kfp-api", 1);
    st.set_remote_app_data(
        storage,
        BTreeMap::from([("_supported_versions".into(), "- v1\n".into())]),
    );
    let certificates = st.add_relation("certificates", "istio-pilot", 1);
    let csr = csr_with("gateway.kubeflow.svc", RSA, "-sha256");
    st.set_remote_unit_data(certificates, "istio-pilot/0", requests(&[&csr]));
    Model { sim, storage, certificates, extra, _dir: dir }
}

/// Which areas' deliverables are in place.
fn delivered(m: &mut Model) -> BTreeMap<&'static str, bool> {
    let kube = &m.sim.cluster;
    let secret_type = |name: &str| {
        kube.kube
            .get("Secret", Some("kubeflow"), name)
            .and_then(|s| s["type"].as_str().map(str::to_owned))
    };
    let bundles_set = crate::common::ckf_webhook_configs().iter().all(|cfg| {
        let kind = cfg["kind"].as_str().expect("kind");
        let name = cfg["metadata"]["name"].as_str().expect("name");
        kube.ca_bundles(kind, name).iter().all(Option::is_some)
    });
    let webhooks = bundles_set
        && TLS_SECRETS.iter().all(|s| secret_type(s).as_deref() == Some("kubernetes.io/tls"));
    let dex = secret_type("dex-static-passwords").as_deref() == Some("Opaque");
    let has = |name: &str, key: &str| kube.secret_data(name).is_some_and(|d| d.contains_key(key));
    let generated = has("mlpipeline-minio-artifact", "secretkey")
        && has("oidc-authservice-client", "CLIENT_SECRET")
        && m.sim.state().local_app_data(m.storage).is_some_and(|b| b.contains_key("data"));
    let certificates = m
        .sim
        .state()
        .local_app_data(m.certificates)
        .and_then(|b| b.get("certificates"))
        .is_some_and(|c| c.contains("BEGIN CERTIFICATE"));
    let tokens = kube
        .secret_data("kfp-persistence-sa-token")
        .is_some_and(|d| d.get("token").is_some_and(|t| !t.is_empty()));
    let out = m
        .sim
        .run(0, &Event::Action { name: "get-ca-certificate".into(), params: Default::default() });
    let bundle = out.action.and_then(|a| a.results.get("ca-certificate").cloned());
    let resources = bundle
        .and_then(|b| b.as_str().map(str::to_owned))
        .is_some_and(|b| b.contains(m.extra.lines().nth(1).expect("a base64 line")));
    BTreeMap::from([
        ("webhooks", webhooks),
        ("dex", dex),
        ("generated", generated),
        ("certificates", certificates),
        ("tokens", tokens),
        ("resources", resources),
    ])
}

/// Every area but `failing` is delivered.
fn all_but(failing: &str) -> BTreeMap<&'static str, bool> {
    AREAS.iter().map(|a| (*a, *a != failing)).collect()
}

fn install(m: &mut Model) -> (String, String) {
    let out = m.sim.ok(0, Event::Install);
    out.unit_status
}

#[test]
fn with_nothing_wrong_every_area_is_delivered() {
    let mut m = model();
    assert_eq!(
        install(&mut m),
        ("active".to_owned(), "object-storage: 1 served; certificates: 1 issued".to_owned())
    );
    assert_eq!(delivered(&mut m), all_but("none"));
}

#[test]
fn a_config_problem_in_one_area_leaves_every_other_area_served() {
    for (area, option, value, message) in [
        ("webhooks", "webhooks", json!("- {name: x}"), "Invalid 'webhooks' config:"),
        (
            "dex",
            "bcrypt-cost",
            json!(9),
            "The 'bcrypt-cost' config value must be between 10 and 16.",
        ),
        (
            "certificates",
            "allowed-dns-suffixes",
            json!("bad_suffix"),
            "Invalid 'allowed-dns-suffixes' config:",
        ),
        (
            "tokens",
            "service-account-tokens",
            json!("- nope"),
            "Invalid 'service-account-tokens' config:",
        ),
        (
            "resources",
            "resource-checksums",
            json!("extra-ca-certificates: sha256:zz"),
            "Invalid 'resource-checksums' config:",
        ),
    ] {
        let mut m = model();
        m.sim.config(option, value);
        let (level, msg) = install(&mut m);
        assert_eq!(level, "blocked", "{area}");
        assert!(msg.starts_with(message), "{area}: {msg}");
        assert_eq!(delivered(&mut m), all_but(area), "{area}");
    }
    // A short secret-key holds the object-storage data and the MinIO Secret only: the OIDC
    // Secret of the same area is still delivered.
    let mut m = model();
    m.sim.config("secret-key", json!("short"));
    let (level, _) = install(&mut m);
    assert_eq!(level, "blocked");
    assert_eq!(delivered(&mut m), all_but("generated"));
    assert!(m.sim.cluster.secret_data("oidc-authservice-client").is_some());
}

/// Puts a Secret another owner made (no managed-by label) of `type_` in the way.
fn foreign_secret(m: &Model, name: &str, type_: &str) {
    m.sim.cluster.kube.put(json!({
        "apiVersion": "v1", "kind": "Secret", "type": type_,
        "metadata": {"name": name, "namespace": "kubeflow"},
        "data": {"tls.crt": "Zm9yZWlnbg==", "tls.key": "Zm9yZWlnbg==", "note": "Zm9yZWlnbg=="},
    }));
}

#[test]
fn a_kubernetes_refusal_in_one_area_leaves_every_other_area_served() {
    for (area, secret, type_) in [
        ("dex", "dex-static-passwords", "kubernetes.io/tls"),
        ("generated", "oidc-authservice-client", "kubernetes.io/tls"),
        ("tokens", "kfp-persistence-sa-token", "kubernetes.io/tls"),
        ("webhooks", "katib-controller-webhook-tls", "Opaque"),
    ] {
        let mut m = model();
        foreign_secret(&m, secret, type_);
        let (level, msg) = install(&mut m);
        assert_eq!(level, "blocked", "{area}");
        assert!(msg.starts_with(&format!("Cannot write Secret '{secret}': ")), "{area}: {msg}");
        assert_eq!(delivered(&mut m), all_but(area), "{area}");
    }
}

#[test]
fn a_relation_problem_in_one_area_leaves_every_other_area_served() {
    // object-storage: a requirer that speaks no version this provider does.
    let mut m = model();
    let st = m.sim.harness.state_mut();
    st.set_remote_app_data(
        m.storage,
        BTreeMap::from([("_supported_versions".into(), "- v2\n".into())]),
    );
    let (level, msg) = install(&mut m);
    assert_eq!(
        (level.as_str(), msg.as_str()),
        ("blocked", "No compatible object-storage versions found for apps: kfp-api")
    );
    let mut expected = all_but("generated");
    assert_eq!(delivered(&mut m), expected);

    // certificates: a requirer databag that does not parse; another relation is still served.
    let mut m = model();
    let st = m.sim.harness.state_mut();
    let good = st.add_relation("certificates", "other-requirer", 1);
    let csr = csr_with("other.kubeflow.svc", RSA, "-sha256");
    st.set_remote_unit_data(good, "other-requirer/0", requests(&[&csr]));
    st.set_remote_unit_data(
        m.certificates,
        "istio-pilot/0",
        BTreeMap::from([("certificate_signing_requests".into(), "{not json".into())]),
    );
    let out = m.sim.ok(0, Event::Install);
    assert!(out.logs.iter().any(|l| l.message.contains("are not valid JSON")));
    expected = all_but("certificates");
    assert_eq!(delivered(&mut m), expected);
    let other = m.sim.state().local_app_data(good).cloned().unwrap_or_default();
    assert!(other.get("certificates").is_some_and(|c| c.contains("BEGIN CERTIFICATE")));

    // tokens: the ServiceAccount does not exist yet.
    let mut m = model();
    m.sim.cluster.kube.set_auto_service_accounts(false);
    let (level, msg) = install(&mut m);
    assert_eq!(level, "waiting");
    assert_eq!(msg, "ServiceAccount 'kfp-persistence' not found; retrying on the next hook");
    assert_eq!(delivered(&mut m), all_but("tokens"));

    // resources: a pinned resource that is not attached.
    let mut m = model();
    m.sim.config(
        "resource-checksums",
        json!(format!("extra-ca-certificates: sha256:{}", "0".repeat(64))),
    );
    let (level, msg) = install(&mut m);
    assert_eq!(
        (level.as_str(), msg.as_str()),
        ("blocked", "Resource 'extra-ca-certificates' failed sha256 verification")
    );
    assert_eq!(delivered(&mut m), all_but("resources"));
}

#[test]
fn a_conflicting_secret_blocks_naming_it_and_everything_else_is_delivered_until_it_goes() {
    let mut m = model();
    foreign_secret(&m, "admission-webhook-webhook-tls", "Opaque");
    let out = m.sim.ok(0, Event::Install);
    let (level, msg) = out.unit_status.clone();
    assert_eq!(level, "blocked");
    assert!(
        msg.starts_with("Cannot write Secret 'admission-webhook-webhook-tls': ")
            && msg.contains("field is immutable")
            && msg.contains("a Secret of type 'Opaque' managed by another owner is in the way"),
        "{msg}"
    );
    let mut expected = all_but("webhooks");
    assert_eq!(delivered(&mut m), expected);
    for secret in &TLS_SECRETS[1..] {
        assert!(m.sim.cluster.secret_data(secret).is_some(), "{secret} delivered in the same hook");
    }
    let foreign = m.sim.cluster.secret_data("admission-webhook-webhook-tls").expect("left alone");
    assert_eq!(foreign.keys().collect::<Vec<_>>(), ["note", "tls.crt", "tls.key"]);
    assert!(out.logs.iter().any(|l| l.message.contains("Cannot write Secret 'admission-webhook")));

    // Every later hook says the same and exits 0; nothing else is written again.
    m.sim.cluster.kube.clear_requests();
    let out = m.sim.ok(0, Event::UpdateStatus);
    assert_eq!(out.unit_status, (level, msg));
    let writes: Vec<String> = m.sim.cluster.kube.writes().iter().map(|w| w.path.clone()).collect();
    assert_eq!(writes, ["/api/v1/namespaces/kubeflow/secrets/admission-webhook-webhook-tls"]);

    // Once the operator deletes it, the next hook delivers.
    m.sim.cluster.kube.delete("Secret", Some("kubeflow"), "admission-webhook-webhook-tls");
    let out = m.sim.ok(0, Event::UpdateStatus);
    assert_eq!(out.unit_status.0, "active");
    expected = all_but("none");
    assert_eq!(delivered(&mut m), expected);
}

#[test]
fn a_secret_of_the_wrong_type_with_the_charms_label_is_replaced() {
    let mut m = model();
    m.sim.cluster.kube.put(json!({
        "apiVersion": "v1", "kind": "Secret", "type": "Opaque",
        "metadata": {"name": "katib-controller-webhook-tls", "namespace": "kubeflow",
                     "labels": {"app.kubernetes.io/managed-by": "ckf-crypto"}},
        "data": {"old": "b2xk"},
    }));
    let out = m.sim.ok(0, Event::Install);
    assert_eq!(out.unit_status.0, "active", "{:?}", out.unit_status);
    let path = "/api/v1/namespaces/kubeflow/secrets/katib-controller-webhook-tls";
    let methods: Vec<String> = m
        .sim
        .cluster
        .kube
        .writes()
        .iter()
        .filter(|w| w.path == path)
        .map(|w| w.method.clone())
        .collect();
    assert_eq!(methods, ["DELETE", "PATCH"]);
    assert_eq!(delivered(&mut m), all_but("none"));
    let data = m.sim.cluster.secret_data("katib-controller-webhook-tls").expect("replaced");
    assert!(!data.contains_key("old") && data.contains_key("tls.key"));
}

#[test]
fn one_request_that_cannot_be_signed_is_refused_and_the_others_are_served() {
    let mut m = model();
    // A P-384 key in a request signed with SHA-256: the certificate rcgen would make from it
    // would claim a P-256 key, so it is refused instead of published.
    let odd = csr_with(
        "odd.kubeflow.svc",
        &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384"],
        "-sha256",
    );
    let good = csr_with("good.kubeflow.svc", RSA, "-sha256");
    let ec = csr_with(
        "ec.kubeflow.svc",
        &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
        "-sha256",
    );
    let id = m.certificates;
    m.sim.harness.state_mut().set_remote_unit_data(
        id,
        "istio-pilot/0",
        requests(&[&good, &odd, &ec]),
    );
    let out = m.sim.ok(0, Event::Install);
    assert_eq!(out.unit_status.0, "active");
    let bag = m.sim.state().local_app_data(id).cloned().expect("published");
    let certs: Vec<Value> = serde_json::from_str(&bag["certificates"]).expect("json");
    let served: Vec<&Value> = certs.iter().map(|c| &c["certificate_signing_request"]).collect();
    assert_eq!(served.len(), 2);
    assert!(served.contains(&&json!(good)) && served.contains(&&json!(ec)));
    let errors: Vec<Value> = serde_json::from_str(&bag["request_errors"]).expect("json");
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0]["csr"], json!(odd));
    assert_eq!(errors[0]["error"]["code"], json!(999));
    let message = errors[0]["error"]["message"].as_str().expect("message");
    assert!(message.contains("would not hold the requested public key"), "{message}");
    assert_eq!(delivered(&mut m), all_but("none"));
}

#[test]
fn read_only_actions_answer_from_stored_material_while_the_api_server_fails() {
    let mut m = model_of(2);
    let action = |name: &str| Event::Action { name: name.into(), params: Default::default() };
    // Before the leader's first hook made the material.
    let out = m.sim.ok(0, action("get-credentials"));
    assert_eq!(
        out.action.expect("action").failed.as_deref(),
        Some("the credentials are not generated yet")
    );
    m.sim.deploy(2);
    let revisions = m.sim.state().secrets()[0].revisions.len();
    let every_500: Vec<Fault> =
        (1..=100).map(|nth| Fault::StatusOnce { nth, method: None, status: 500 }).collect();
    for faults in [every_500, vec![Fault::ForbiddenAll]] {
        m.sim.cluster.kube.set_faults(faults);
        m.sim.cluster.kube.clear_requests();
        for (unit, name, result) in [
            (0, "get-ca-certificate", "ca-certificate"),
            (0, "list-certificates", "certificates"),
            (0, "get-credentials", "secret-key"),
            (0, "verify-resources", "resources"),
            (1, "get-ca-certificate", "ca-certificate"),
            (1, "list-certificates", "certificates"),
            (1, "verify-resources", "resources"),
        ] {
            let out = m.sim.ok(unit, action(name));
            let done = out.action.clone().expect("an action");
            assert_eq!(done.failed, None, "{name} on unit {unit}");
            assert!(done.results.contains_key(result), "{name}: {:?}", done.results.keys());
            for tool in ["secret-add", "secret-set", "relation-set", "status-set"] {
                assert!(!out.called(tool), "{name} on unit {unit} called {tool}");
            }
        }
        assert_eq!(m.sim.cluster.kube.requests(), vec![], "no Kubernetes request at all");
        assert_eq!(m.sim.state().secrets()[0].revisions.len(), revisions, "no secret revision");
    }
    // What they answer is what is deployed.
    m.sim.cluster.kube.clear_faults();
    let out = m.sim.ok(1, action("get-ca-certificate"));
    let bundle = out.action.expect("action").results["ca-certificate"].clone();
    let delivered = m.sim.cluster.secret_data("admission-webhook-webhook-tls").expect("tls");
    assert_eq!(bundle, json!(String::from_utf8(delivered["ca.crt"].clone()).expect("utf8")));
    let out = m.sim.ok(0, action("list-certificates"));
    let list: Vec<Value> = serde_json::from_str(
        out.action.expect("action").results["certificates"].as_str().expect("json"),
    )
    .expect("list");
    let sources: Vec<&str> = list.iter().filter_map(|c| c["source"].as_str()).collect();
    assert_eq!(sources.len(), 5, "{sources:?}");
    assert!(sources.contains(&format!("relation:{}", m.certificates).as_str()));
}
