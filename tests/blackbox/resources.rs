//! Resource checksums through the compiled charm: a pinned `extra-ca-certificates` that
//! verifies reaches every caBundle; a tampered or missing one blocks and is not used.

use std::path::{Path, PathBuf};
use std::process::Command;

use juju_sim::Event;
use serde_json::json;

use crate::common::{Sim, state};

/// A CA certificate made by the openssl CLI, written to `dir/extra.pem`.
pub(crate) fn extra_ca(dir: &Path, cn: &str) -> (PathBuf, String) {
    let path = dir.join(format!("{cn}.pem"));
    let out = Command::new("openssl")
        .args(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"])
        .args(["-subj", &format!("/CN={cn}"), "-days", "30", "-keyout"])
        .arg(dir.join(format!("{cn}.key")))
        .arg("-out")
        .arg(&path)
        .output()
        .expect("openssl");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let pem = std::fs::read_to_string(&path).expect("pem");
    (path, pem)
}

/// The digest coreutils computes (`sha256sum`, `md5sum`, ...).
fn coreutils(tool: &str, path: &Path) -> String {
    let out = Command::new(tool).arg(path).output().expect("coreutils");
    String::from_utf8_lossy(&out.stdout).split_whitespace().next().expect("digest").to_owned()
}

fn bundle(sim: &Sim) -> String {
    let data = sim.cluster.secret_data("admission-webhook-webhook-tls").expect("tls");
    String::from_utf8(data["ca.crt"].clone()).expect("utf8")
}

fn sim() -> Sim {
    let mut sim = Sim::new(state(1));
    sim.config("key-algorithm", json!("ecdsa-p256"));
    sim
}

#[test]
fn a_pinned_matching_extra_ca_reaches_every_ca_bundle() {
    let dir = tempfile::tempdir().expect("tmp");
    let (path, pem) = extra_ca(dir.path(), "extra-ca");
    for (algo, tool) in [
        ("sha256", "sha256sum"),
        ("md5", "md5sum"),
        ("sha384", "sha384sum"),
        ("sha512", "sha512sum"),
    ] {
        let mut sim = sim();
        sim.harness.state_mut().add_resource("extra-ca-certificates", &path);
        // Upper-case hex is accepted too.
        let digest = coreutils(tool, &path).to_uppercase();
        sim.config("resource-checksums", json!(format!("extra-ca-certificates: {algo}:{digest}")));
        sim.deploy(1);
        let b = bundle(&sim);
        assert!(b.contains(pem.trim()), "{algo}: the extra CA is in ca.crt");
        assert_eq!(ckf_crypto::certs::split_pem_bundle(&b).len(), 2);
        let cfg = sim.cluster.ca_bundles("MutatingWebhookConfiguration", "admission-webhook");
        assert_eq!(cfg, vec![Some(b.clone())]);
        let out = sim.ok(0, Event::UpdateStatus);
        assert_eq!(out.unit_status, ("active".to_owned(), String::new()));
        let out = sim
            .ok(0, Event::Action { name: "get-ca-certificate".into(), params: Default::default() });
        assert_eq!(out.action.expect("action").results["ca-certificate"], json!(b));
        let out = sim
            .ok(0, Event::Action { name: "verify-resources".into(), params: Default::default() });
        let action = out.action.expect("action");
        assert_eq!(action.failed, None);
        let list: Vec<serde_json::Value> =
            serde_json::from_str(action.results["resources"].as_str().expect("json"))
                .expect("list");
        assert_eq!(list[0]["name"], json!("extra-ca-certificates"));
        assert_eq!(list[0]["algorithm"], json!(algo));
        assert_eq!(list[0]["ok"], json!(true));
        assert_eq!(list[0]["actual"], json!(digest.to_lowercase()));
    }
}

#[test]
fn a_tampered_resource_blocks_and_is_not_used() {
    let dir = tempfile::tempdir().expect("tmp");
    let (path, pem) = extra_ca(dir.path(), "extra-ca");
    let good = coreutils("sha256sum", &path);
    let mut sim = sim();
    sim.harness.state_mut().add_resource("extra-ca-certificates", &path);
    sim.config("resource-checksums", json!(format!("extra-ca-certificates: sha256:{good}")));
    sim.deploy(1);
    let before = bundle(&sim);
    assert!(before.contains(pem.trim()));

    // The file changes under the same pin (a tampered download): blocked, not used, nothing lost.
    let (_, other) = extra_ca(dir.path(), "intruder");
    std::fs::write(&path, &other).expect("tamper");
    let out = sim.ok(0, Event::UpgradeCharm);
    let blocked = (
        "blocked".to_owned(),
        "Resource 'extra-ca-certificates' failed sha256 verification".to_owned(),
    );
    assert_eq!(out.unit_status, blocked);
    assert!(!bundle(&sim).contains(other.trim()), "the tampered CA is not used");
    assert_eq!(bundle(&sim), before, "the last verified bundle stays");
    let out = sim.ok(0, Event::UpdateStatus);
    assert_eq!(out.unit_status, blocked, "the verdict holds between verifying hooks");
    let out =
        sim.ok(0, Event::Action { name: "verify-resources".into(), params: Default::default() });
    assert_eq!(
        out.action.expect("action").failed.as_deref(),
        Some("resource verification failed: extra-ca-certificates")
    );

    // Putting the right file back clears it.
    std::fs::write(&path, &pem).expect("restore");
    let out = sim.ok(0, Event::ConfigChanged);
    assert_eq!(out.unit_status.0, "active");
}

#[test]
fn missing_unpinned_and_malformed() {
    let dir = tempfile::tempdir().expect("tmp");
    let (path, pem) = extra_ca(dir.path(), "extra-ca");
    let digest = coreutils("sha256sum", &path);

    let mut sim = sim();
    sim.config("resource-checksums", json!(format!("extra-ca-certificates: sha256:{digest}")));
    let out = sim.ok(0, Event::Install);
    assert_eq!(
        out.unit_status,
        ("blocked".to_owned(), "Resource 'extra-ca-certificates' is not attached".to_owned())
    );

    // Attached but not pinned: not used, and the log says why.
    let mut sim = sim_with(&path);
    let out = sim.ok(0, Event::Install);
    assert_eq!(out.unit_status.0, "active");
    assert!(
        out.logs
            .iter()
            .any(|l| l.message.contains("not used") && l.message.contains("resource-checksums"))
    );
    assert!(!bundle(&sim).contains(pem.trim()));

    for bad in
        ["extra-ca-certificates: sha1:abc", "extra-ca-certificates: sha256:zz", "- not a map"]
    {
        sim.config("resource-checksums", json!(bad));
        let out = sim.ok(0, Event::ConfigChanged);
        assert_eq!(out.unit_status.0, "blocked", "{bad}");
        assert!(
            out.unit_status.1.starts_with("Invalid 'resource-checksums' config:"),
            "{bad}: {:?}",
            out.unit_status
        );
    }
}

fn sim_with(path: &Path) -> Sim {
    let mut s = sim();
    s.harness.state_mut().add_resource("extra-ca-certificates", path);
    s
}
