//! Service-account tokens through the compiled charm and the fake API server: requested with
//! the configured audience and expiration, stored in their Secret, renewed at a third of the
//! lifetime the API server granted (both clocks moved together), by the leader only.

use juju_sim::Event;
use serde_json::json;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::common::{Sim, state};

const SECRET: &str = "kfp-persistence-sa-token";
const T0: i64 = 1_800_000_000;

fn set_clock(sim: &mut Sim, unix: i64) {
    let t =
        OffsetDateTime::from_unix_timestamp(unix).expect("time").format(&Rfc3339).expect("format");
    sim.set_now(Some(&t));
    sim.cluster.kube.set_token_clock(Some(u64::try_from(unix).expect("positive")));
}

fn token_in_secret(sim: &Sim) -> String {
    let data = sim.cluster.secret_data(SECRET).expect("token Secret delivered");
    String::from_utf8(data["token"].clone()).expect("UTF-8")
}

#[test]
fn the_default_token_is_requested_stored_and_kept() {
    let mut sim = Sim::new(state(2));
    sim.config("key-algorithm", json!("ecdsa-p256"));
    set_clock(&mut sim, T0);
    sim.deploy(2);
    let tokens = sim.cluster.kube.tokens();
    assert_eq!(tokens.len(), 1, "one TokenRequest, by the leader only");
    let t = &tokens[0];
    assert_eq!(t.service_account, "kfp-persistence");
    assert_eq!(t.namespace, "kubeflow");
    assert_eq!(t.audiences, ["pipelines.kubeflow.org"]);
    assert_eq!(t.requested_seconds, Some(604_800));
    assert_eq!(token_in_secret(&sim), t.token);
    let obj = sim.cluster.kube.get("Secret", Some("kubeflow"), SECRET).expect("secret");
    assert_eq!(obj["type"], json!("Opaque"));
    assert_eq!(obj["metadata"]["labels"]["app.kubernetes.io/managed-by"], json!("ckf-crypto"));
    assert!(obj["metadata"]["annotations"]["ckf-crypto.kubeflow.org/config-hash"].is_string());

    // No-op hooks on both units: no TokenRequest, no write.
    sim.cluster.kube.clear_requests();
    for unit in [0, 1, 0] {
        sim.ok(unit, Event::UpdateStatus);
    }
    sim.ok(1, Event::ConfigChanged);
    assert_eq!(sim.cluster.kube.tokens().len(), 1);
    assert_eq!(sim.cluster.kube.writes(), vec![]);
}

#[test]
fn renewal_at_a_third_of_the_granted_lifetime_by_the_leader_only() {
    let mut sim = Sim::new(state(2));
    sim.config("key-algorithm", json!("ecdsa-p256"));
    set_clock(&mut sim, T0);
    sim.deploy(2);
    let first = token_in_secret(&sim);
    let day = 86_400;

    // 604800 s granted: due once less than 201600 s (2⅓ days) are left, i.e. after 4⅔ days.
    set_clock(&mut sim, T0 + 4 * day + 16 * 3600);
    sim.ok(0, Event::UpdateStatus);
    sim.ok(1, Event::UpdateStatus);
    assert_eq!(sim.cluster.kube.tokens().len(), 1, "not due yet");

    set_clock(&mut sim, T0 + 4 * day + 17 * 3600);
    sim.ok(1, Event::UpdateStatus);
    assert_eq!(sim.cluster.kube.tokens().len(), 1, "a non-leader never requests");
    sim.ok(0, Event::UpdateStatus);
    let tokens = sim.cluster.kube.tokens();
    assert_eq!(tokens.len(), 2, "renewed by the leader");
    let renewed = token_in_secret(&sim);
    assert_ne!(renewed, first);
    assert_eq!(renewed, tokens[1].token);
}

#[test]
fn a_shortened_grant_is_honoured() {
    let mut sim = Sim::new(state(1));
    sim.config("key-algorithm", json!("ecdsa-p256"));
    sim.cluster.kube.set_max_token_seconds(Some(3600));
    set_clock(&mut sim, T0);
    sim.deploy(1);
    assert_eq!(sim.cluster.kube.tokens()[0].granted_seconds, 3600);
    // A third of 3600 s is 1200 s: not due at 2400 s in, due just after.
    set_clock(&mut sim, T0 + 2400);
    sim.ok(0, Event::UpdateStatus);
    assert_eq!(sim.cluster.kube.tokens().len(), 1);
    set_clock(&mut sim, T0 + 2401);
    sim.ok(0, Event::UpdateStatus);
    assert_eq!(sim.cluster.kube.tokens().len(), 2);
}

#[test]
fn a_configured_entry_and_a_missing_service_account() {
    let mut sim = Sim::new(state(1));
    sim.config("key-algorithm", json!("ecdsa-p256"));
    sim.config(
        "service-account-tokens",
        json!("- {service-account: scheduledworkflow, audience: pipelines.kubeflow.org, expiration-seconds: 7200}"),
    );
    sim.cluster.kube.set_auto_service_accounts(false);
    let out = sim.ok(0, Event::Install);
    assert_eq!(
        out.unit_status,
        (
            "waiting".to_owned(),
            "ServiceAccount 'scheduledworkflow' not found; retrying on the next hook".to_owned()
        )
    );
    assert!(sim.cluster.secret_data("oidc-authservice-client").is_some(), "the rest is delivered");
    sim.cluster.kube.put(json!({
        "apiVersion": "v1", "kind": "ServiceAccount",
        "metadata": {"name": "scheduledworkflow", "namespace": "kubeflow"},
    }));
    let out = sim.ok(0, Event::UpdateStatus);
    assert_eq!(out.unit_status, ("active".to_owned(), String::new()));
    let t = &sim.cluster.kube.tokens()[0];
    assert_eq!(
        (t.service_account.as_str(), t.requested_seconds),
        ("scheduledworkflow", Some(7200))
    );
    assert!(sim.cluster.secret_data("scheduledworkflow-token").is_some());

    sim.config(
        "service-account-tokens",
        json!("- {service-account: x, audience: a, expiration-seconds: 10}"),
    );
    let out = sim.ok(0, Event::ConfigChanged);
    assert_eq!(out.unit_status.0, "blocked");
    assert!(
        out.unit_status.1.starts_with("Invalid 'service-account-tokens' config:"),
        "{:?}",
        out.unit_status
    );
}
