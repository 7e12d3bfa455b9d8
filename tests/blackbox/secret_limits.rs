//! Juju's secret content limits, through the compiled charm and the simulator, which enforces them
//! after `JUJU_VERSION` as Juju does: 8192 bytes a value and 65536 a secret (values as given)
//! before Juju 3.6.9, 1000000 bytes of base64 since.

use juju_sim::Event;
use serde_json::json;

use crate::common::{Sim, state};

const BEFORE_THE_RAISE: &str = "3.6.0";
const AFTER_THE_RAISE: &str = "3.6.12";

/// `n` webhook entries with one service each and no configuration to patch.
fn entries(n: usize) -> String {
    (0..n).map(|i| format!("- {{name: hook{i:02}, services: [hook{i:02}]}}\n")).collect()
}

fn juju(sim: &mut Sim, version: &str) {
    sim.harness.state_mut().model.juju_version = version.into();
}

/// The labels of the application's secrets, with how many content keys each has.
fn secrets(sim: &Sim) -> Vec<(String, usize)> {
    sim.state()
        .secrets()
        .iter()
        .map(|s| {
            let keys = s.revisions.last().map_or(0, |r| r.content.len());
            (s.label.clone().unwrap_or_default(), keys)
        })
        .collect()
}

fn serials(sim: &Sim, n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            let data = sim.cluster.secret_data(&format!("hook{i:02}-webhook-tls")).expect("tls");
            let crt = String::from_utf8(data["tls.crt"].clone()).expect("utf-8");
            ckf_crypto::certs::inspect(&crt).expect("cert").serial_hex
        })
        .collect()
}

/// Deploys 30 `rsa-4096` webhook entries under Juju `version`, then a no-op hook, a renewal and
/// a CA rotation; returns the model and how many secrets hold the material.
fn thirty_rsa_4096(version: &str) -> (Sim, usize) {
    let mut sim = Sim::new(state(1));
    juju(&mut sim, version);
    sim.config("key-algorithm", json!("rsa-4096"));
    sim.config("webhooks", json!(entries(30)));
    sim.deploy(1);
    let spread = secrets(&sim);
    assert!(spread.iter().any(|(label, _)| label == ckf_crypto::store::LABEL), "{spread:?}");
    let first = serials(&sim, 30);

    // A no-op hook reads them all and writes nothing.
    let out = sim.ok(0, Event::UpdateStatus);
    assert!(!out.called("secret-set") && !out.called("secret-add"), "{version}");
    assert_eq!(out.unit_status, ("active".to_owned(), String::new()), "{version}");

    let out =
        sim.ok(0, Event::Action { name: "renew-certificates".into(), params: Default::default() });
    assert_eq!(out.action.expect("action").results["renewed"], json!("30"));
    let renewed = serials(&sim, 30);
    assert!(first.iter().zip(&renewed).all(|(a, b)| a != b), "{version}");

    let params = serde_json::Map::from_iter([("rotate-ca".to_owned(), json!(true))]);
    sim.ok(0, Event::Action { name: "renew-certificates".into(), params });
    let rotated = serials(&sim, 30);
    assert!(renewed.iter().zip(&rotated).all(|(a, b)| a != b), "{version}");
    assert_eq!(secrets(&sim).len(), spread.len(), "{version}: as many secrets after");
    (sim, spread.len())
}

#[test]
fn thirty_rsa_4096_webhooks_deploy_renew_and_rotate_after_the_raise() {
    let (_, secrets) = thirty_rsa_4096(AFTER_THE_RAISE);
    assert_eq!(secrets, 1, "one secret holds it all");
}

#[test]
fn thirty_rsa_4096_webhooks_deploy_renew_and_rotate_within_the_limits() {
    let (mut sim, spread) = thirty_rsa_4096(BEFORE_THE_RAISE);
    assert!(spread >= 3, "spread over several secrets: {spread}");
    let rotated = serials(&sim, 30);

    // Juju raised its limit: the next change packs everything into one secret again and
    // removes the extra ones.
    juju(&mut sim, AFTER_THE_RAISE);
    sim.config("certificate-validity-days", json!(300));
    let out = sim.ok(0, Event::ConfigChanged);
    assert_eq!(out.unit_status.0, "active", "{}", out.unit_status.1);
    assert!(out.called("secret-remove"));
    let packed = secrets(&sim);
    assert_eq!(packed.len(), 1, "{packed:?}");
    let out = sim.ok(0, Event::UpdateStatus);
    assert!(!out.called("secret-set"));
    let after = serials(&sim, 30);
    assert!(rotated.iter().zip(&after).all(|(a, b)| a != b), "new lifetime, new leaves");
}

#[test]
fn a_certificate_over_the_value_limit_blocks_its_webhook_only_and_loses_nothing() {
    // 60 services: over 300 DNS names, a certificate of more than 8 KiB base64-encoded twice.
    let services: Vec<String> = (0..60).map(|i| format!("service-number-{i:02}")).collect();
    let webhooks = format!(
        "{}- {{name: wide, services: [{}], mutating: [admission-webhook]}}\n",
        entries(2),
        services.join(", ")
    );
    let mut sim = Sim::new(state(1));
    juju(&mut sim, BEFORE_THE_RAISE);
    sim.config("key-algorithm", json!("ecdsa-p256"));
    sim.config("webhooks", json!(webhooks));
    sim.deploy(1);
    let (status, message) = sim.state().unit_status(0);
    assert_eq!(status, "blocked");
    assert!(
        message.starts_with("Cannot store the certificate of webhook 'wide': it is ")
            && message.ends_with(
                "bytes, over the 8192 bytes a Juju secret value may hold (Juju before 3.6.9)"
            ),
        "{message}"
    );
    // The other webhooks are served; the wide one has no Secret and its configuration is left.
    assert_eq!(serials(&sim, 2).len(), 2);
    assert!(sim.cluster.secret_data("wide-webhook-tls").is_none());
    let material = sim.generated();
    assert_eq!(material.len(), 3, "the rest of the material is stored");

    // The same config at the raised limit works.
    juju(&mut sim, AFTER_THE_RAISE);
    let out = sim.ok(0, Event::UpdateStatus);
    assert_eq!(out.unit_status.0, "active", "{}", out.unit_status.1);
    assert!(sim.cluster.secret_data("wide-webhook-tls").is_some());
}
