//! Failure isolation, through the compiled charm and the fake API server: one broken object,
//! request, relation or option never stops the rest of the hook.
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
use serde_json::{Value, json};

use super::resources::extra_ca;
use crate::common::{RSA, Sim, csr_with, state};

pub(crate) const TLS_SECRETS: [&str; 4] = [
    "admission-webhook-webhook-tls",
    "katib-controller-webhook-tls",
    "kserve-controller-webhook-tls",
    "pvcviewer-operator-webhook-tls",
];

const AREAS: [&str; 6] = ["webhooks", "dex", "generated", "certificates", "tokens", "resources"];

pub(crate) fn requests(csrs: &[&str]) -> BTreeMap<String, String> {
    let list: Vec<Value> =
        csrs.iter().map(|c| json!({"certificate_signing_request": c, "ca": false})).collect();
    BTreeMap::from([("certificate_signing_requests".to_owned(), json!(list).to_string())])
}

fn sha256(path: &Path) -> String {
    let out = Command::new("sha256sum").arg(path).output().expect("sha256sum");
    String::from_utf8_lossy(&out.stdout).split_whitespace().next().expect("digest").to_owned()
}

/// A model with everything to serve: both relations with a requirer, and a pinned extra CA.
pub(crate) struct Model {
    pub(crate) sim: Sim,
    pub(crate) storage: juju_sim::RelationId,
    pub(crate) certificates: juju_sim::RelationId,
    extra: String,
    _dir: tempfile::TempDir,
}

pub(crate) fn model() -> Model {
    model_of(1)
}

pub(crate) fn model_of(units: u32) -> Model {
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
        &storage,
        BTreeMap::from([("_supported_versions".into(), "- v1\n".into())]),
    );
    let certificates = st.add_relation("certificates", "istio-pilot", 1);
    let csr = csr_with("gateway.kubeflow.svc", RSA, "-sha256");
    st.set_remote_unit_data(&certificates, "istio-pilot/0", requests(&[&csr]));
    Model { sim, storage, certificates, extra, _dir: dir }
}

/// Which areas' deliverables are in place.
pub(crate) fn delivered(m: &mut Model) -> BTreeMap<&'static str, bool> {
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
        && m.sim.state().local_app_data(&m.storage).is_some_and(|b| b.contains_key("data"));
    let certificates = m
        .sim
        .state()
        .local_app_data(&m.certificates)
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
pub(crate) fn all_but(failing: &str) -> BTreeMap<&'static str, bool> {
    AREAS.iter().map(|a| (*a, *a != failing)).collect()
}

pub(crate) fn install(m: &mut Model) -> (String, String) {
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
            "certificates",
            "allowed-ip-ranges",
            json!("10.0.0.1/8"),
            "Invalid 'allowed-ip-ranges' config: '10.0.0.1/8' has host bits set",
        ),
        (
            "certificates",
            "certificates-ca",
            json!("secret:d4ah2pn4n3f1a0u2nq3g"),
            "Invalid 'certificates-ca' config: cannot read secret secret:d4ah2pn4n3f1a0u2nq3g; \
             grant it with 'juju grant-secret secret:d4ah2pn4n3f1a0u2nq3g ckf-crypto'",
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
pub(crate) fn foreign_secret(m: &Model, name: &str, type_: &str) {
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
        &m.storage,
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
    st.set_remote_unit_data(&good, "other-requirer/0", requests(&[&csr]));
    st.set_remote_unit_data(
        &m.certificates,
        "istio-pilot/0",
        BTreeMap::from([("certificate_signing_requests".into(), "{not json".into())]),
    );
    let out = m.sim.ok(0, Event::Install);
    assert!(out.logs.iter().any(|l| l.message.contains("are not valid JSON")));
    expected = all_but("certificates");
    assert_eq!(delivered(&mut m), expected);
    let other = m.sim.state().local_app_data(&good).cloned().unwrap_or_default();
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
