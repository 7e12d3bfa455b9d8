//! `send-ca-cert` (certificate_transfer v1, provider) end to end: the compiled charm under the
//! process-level simulator, what it publishes read by the real Python requirer library
//! (`tests/python/ct_requirer.py`) and validated against the interface's schema, and every
//! certificate signed on `certificates` verified by `openssl verify` against that bundle, before
//! and after a CA rotation; each test under Juju 3.6's rules and under 4.0's.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use juju_sim::{Event, RelationId};
use serde::Deserialize;
use serde_json::{Value, json};

use super::tls_requirer::requirer_request;
use crate::common::{Sim, python, state, under_both_versions};

under_both_versions!(
    send_ca_cert_publishes_the_relation_root_and_keeps_the_old_one_through_a_rotation,
    send_ca_cert_databag_is_not_written_on_a_no_op_hook_and_a_broken_relation_is_left_alone,
);

/// What the Python certificate_transfer v1 requirer made of a provider databag.
#[derive(Debug, Deserialize)]
pub(crate) struct Read {
    /// The certificates of each `certificate_set_updated` event.
    pub(crate) updated: Vec<Vec<String>>,
    /// `get_all_certificates()` after the hook.
    pub(crate) all_certificates: Vec<String>,
    /// ERROR/CRITICAL log lines and any exception.
    pub(crate) errors: Vec<String>,
    /// What the interface's schema finds wrong with the databag.
    pub(crate) schema_errors: Vec<String>,
}

/// Runs the Python requirer on `databag`, ckf-crypto's application databag.
pub(crate) fn python_reads(databag: &BTreeMap<String, String>) -> Read {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/python/ct_requirer.py");
    let mut child = Command::new(python())
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python runs (run tests/setup)");
    let input = json!({ "provider_app_databag": databag });
    child.stdin.take().expect("stdin").write_all(input.to_string().as_bytes()).expect("write");
    let out = child.wait_with_output().expect("python");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("ct_requirer.py prints JSON")
}

/// The roots published on `id`, as the databag lists them.
pub(crate) fn bundle(sim: &Sim, id: &RelationId) -> Vec<String> {
    let bag = sim.state().local_app_data(id).cloned().unwrap_or_default();
    bag.get("certificates").map_or_else(Vec::new, |v| serde_json::from_str(v).expect("JSON list"))
}

/// `openssl verify -CAfile <the bundle> [-untrusted <chain>] <leaf>`.
pub(crate) fn openssl_verifies(dir: &Path, bundle: &[String], chain: &str, leaf: &str) -> bool {
    std::fs::write(dir.join("bundle.pem"), bundle.join("\n") + "\n").expect("write");
    std::fs::write(dir.join("chain.pem"), chain).expect("write");
    std::fs::write(dir.join("leaf.pem"), leaf).expect("write");
    let mut cmd = Command::new("openssl");
    cmd.current_dir(dir).args(["verify", "-CAfile", "bundle.pem"]);
    if !chain.is_empty() {
        cmd.args(["-untrusted", "chain.pem"]);
    }
    let out = cmd.arg("leaf.pem").output().expect("openssl verify");
    out.status.success()
}

/// The certificate signed on `certificates` relation `id` (the first).
fn leaf(sim: &Sim, id: &RelationId) -> String {
    let bag = sim.state().local_app_data(id).cloned().expect("bag");
    let served: Vec<Value> = serde_json::from_str(&bag["certificates"]).expect("json");
    served[0]["certificate"].as_str().expect("certificate").to_owned()
}

/// A deployed charm with a `certificates` requirer served, and a `send-ca-cert` requirer
/// related after it.
fn deployed(units: u32, juju: &str) -> (Sim, RelationId, RelationId) {
    let mut sim = Sim::new(state(units).with_juju_version(juju));
    sim.config("key-algorithm", json!("ecdsa-p256"));
    sim.deploy(units);
    let req = requirer_request("unit");
    let certs = sim.harness.state_mut().add_relation("certificates", "istio-pilot", 1);
    sim.harness.state_mut().set_remote_unit_data(&certs, "istio-pilot/0", req.unit_databag);
    let unit = Some("istio-pilot/0".into());
    sim.ok(0, Event::RelationChanged { id: certs.clone(), unit });
    let transfer = sim.harness.state_mut().add_relation("send-ca-cert", "gateway-client", 1);
    (sim, certs, transfer)
}

fn send_ca_cert_publishes_the_relation_root_and_keeps_the_old_one_through_a_rotation(juju: &str) {
    let (mut sim, certs, transfer) = deployed(2, juju);
    let dir = tempfile::tempdir().expect("tempdir");

    // A relation joined later gets the bundle on its first hook.
    let out = sim.ok(0, Event::RelationCreated { id: transfer.clone() });
    assert!(out.called("relation-set"));
    let first = bundle(&sim, &transfer);
    assert_eq!(first.len(), 1);
    let subject = ckf_crypto::certs::inspect(&first[0]).expect("root").subject_cn;
    assert_eq!(subject.as_deref(), Some("ckf-crypto certificates"));
    // The webhook CA is never in it.
    let webhook_ca =
        sim.cluster.secret_data("kserve-controller-webhook-tls").expect("webhook secret");
    let webhook_ca = String::from_utf8(webhook_ca["ca.crt"].clone()).expect("pem");
    assert!(!webhook_ca.contains(first[0].as_str()));
    // The Python library reads it; the databag is what the interface's schema describes.
    let bag = sim.state().local_app_data(&transfer).cloned().expect("bag");
    let read = python_reads(&bag);
    assert!(read.errors.is_empty() && read.schema_errors.is_empty(), "{read:?}");
    assert_eq!(read.all_certificates, first);
    assert_eq!(read.updated, std::slice::from_ref(&first));
    // What `certificates` signed verifies against it.
    let old_leaf = leaf(&sim, &certs);
    assert!(openssl_verifies(dir.path(), &first, "", &old_leaf));

    // A no-op hook writes nothing; a non-leader writes nothing either.
    let out = sim.ok(0, Event::UpdateStatus);
    assert!(!out.called("relation-set"));
    let out = sim.ok(1, Event::RelationChanged { id: transfer.clone(), unit: None });
    assert!(!out.called("relation-set"));

    // A CA rotation: the new root joins the old one, and certificates of either verify.
    let params = serde_json::Map::from_iter([("rotate-ca".to_owned(), json!(true))]);
    sim.ok(0, Event::Action { name: "renew-certificates".into(), params });
    let rotated = bundle(&sim, &transfer);
    assert_eq!(rotated.len(), 2, "old and new roots side by side");
    assert!(rotated.contains(&first[0]));
    let new_leaf = leaf(&sim, &certs);
    assert_ne!(new_leaf, old_leaf);
    assert!(openssl_verifies(dir.path(), &rotated, "", &old_leaf), "the old server still trusted");
    assert!(openssl_verifies(dir.path(), &rotated, "", &new_leaf));
    assert!(!openssl_verifies(dir.path(), &first, "", &new_leaf), "the check can fail");
    let bag = sim.state().local_app_data(&transfer).cloned().expect("bag");
    let read = python_reads(&bag);
    assert!(read.errors.is_empty() && read.schema_errors.is_empty(), "{read:?}");
    let mut expected = rotated.clone();
    expected.sort();
    assert_eq!(read.all_certificates, expected);

    // The next rotation drops the first root.
    let params = serde_json::Map::from_iter([("rotate-ca".to_owned(), json!(true))]);
    sim.ok(0, Event::Action { name: "renew-certificates".into(), params });
    let again = bundle(&sim, &transfer);
    assert_eq!(again.len(), 2);
    assert!(!again.contains(&first[0]));
    assert!(openssl_verifies(dir.path(), &again, "", &leaf(&sim, &certs)));
}

fn send_ca_cert_databag_is_not_written_on_a_no_op_hook_and_a_broken_relation_is_left_alone(
    juju: &str,
) {
    let (mut sim, _certs, transfer) = deployed(1, juju);
    sim.ok(0, Event::RelationCreated { id: transfer.clone() });
    let written = sim.state().local_app_data(&transfer).cloned();
    for _ in 0..3 {
        let out = sim.ok(0, Event::UpdateStatus);
        assert!(!out.called("relation-set") && !out.called("secret-set"));
    }
    assert_eq!(sim.state().local_app_data(&transfer).cloned(), written);
    let out = sim.ok(0, Event::RelationBroken { id: transfer.clone() });
    assert!(!out.called("relation-set"), "the broken relation is not written");
}
