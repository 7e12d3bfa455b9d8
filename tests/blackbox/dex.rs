//! The Dex static password through the compiled charm: the hash delivered in the Secret
//! `dex-static-passwords` verifies with Go's `x/crypto/bcrypt` (what Dex uses) and Python's
//! bcrypt, stays byte-identical while nothing changes, and bad input blocks without touching it.

use juju_sim::Event;
use serde_json::{Value, json};

use super::bcrypt_tools::{go_dexyaml, go_verify, python_verify, python_yaml};
use crate::common::{Sim, state};

const LONG: &str = "The 'static-password' config value must be at most 72 bytes long.";
const COST: &str = "The 'bcrypt-cost' config value must be between 10 and 16.";

/// The one `staticPasswords` entry, as Python reads the YAML.
fn entry(sim: &Sim) -> Value {
    let data = sim.cluster.secret_data("dex-static-passwords").expect("Secret delivered");
    let yaml = String::from_utf8(data["static-passwords.yaml"].clone()).expect("UTF-8");
    let list = python_yaml(&yaml);
    assert_eq!(list.as_array().map(Vec::len), Some(1), "{list}");
    let entry = list[0].clone();
    let ours: Vec<std::collections::BTreeMap<String, String>> =
        serde_saphyr::from_str(&yaml).expect("YAML");
    assert_eq!(json!(ours[0]), entry, "Rust and Python read the same entry");
    assert_eq!(go_dexyaml(&yaml), Ok(list.clone()), "Go (Dex's own reader) reads the same list");
    entry
}

fn hash(sim: &Sim) -> String {
    entry(sim)["hash"].as_str().expect("hash").to_owned()
}

fn hashed_in(out: &juju_sim::Outcome) -> bool {
    out.logs.iter().any(|l| l.message.contains("hashed the Dex static password"))
}

#[test]
fn configured_password_hash_verifies_with_go_and_python_and_stays_put() {
    let mut sim = Sim::new(state(2));
    sim.config("static-password", json!("Kubeflow-Static-1"));
    sim.config("static-username", json!("user@example.com"));
    sim.deploy(2);
    let e = entry(&sim);
    assert_eq!(e["email"], json!("user@example.com"));
    assert_eq!(e["username"], json!("user@example.com"));
    let user_id = e["userID"].as_str().expect("userID").to_owned();
    assert_eq!(user_id.len(), 36);
    let h = hash(&sim);
    assert!(h.starts_with("$2b$12$") && h.len() == 60, "{h}");
    assert_eq!(go_verify(&h, "Kubeflow-Static-1"), Ok(12), "Go's bcrypt, as Dex uses it");
    assert!(python_verify(&h, "Kubeflow-Static-1"));
    assert!(go_verify(&h, "Kubeflow-Static-2").is_err());

    // Five more hooks: byte-identical, no bcrypt, no Kubernetes write.
    sim.cluster.kube.clear_requests();
    for event in [
        Event::UpdateStatus,
        Event::ConfigChanged,
        Event::UpdateStatus,
        Event::Start,
        Event::UpgradeCharm,
    ] {
        let out = sim.ok(0, event.clone());
        assert!(!hashed_in(&out), "{event:?} ran bcrypt");
    }
    assert_eq!(hash(&sim), h);
    assert_eq!(sim.cluster.kube.writes(), vec![]);

    // A leader change and the second unit: the same hash and userID, nothing re-hashed.
    sim.harness.state_mut().set_leader(Some(1));
    let out = sim.ok(1, Event::LeaderElected);
    assert!(!hashed_in(&out));
    sim.ok(0, Event::LeaderSettingsChanged);
    let out = sim.ok(1, Event::UpdateStatus);
    assert!(!hashed_in(&out));
    assert_eq!(hash(&sim), h);
    assert_eq!(entry(&sim)["userID"], json!(user_id));
    assert_eq!(sim.cluster.kube.writes(), vec![]);
}

#[test]
fn a_new_password_or_cost_rehashes_with_the_same_salt() {
    let mut sim = Sim::new(state(1));
    sim.config("static-password", json!("first-password"));
    sim.config("bcrypt-cost", json!(10));
    sim.deploy(1);
    let h1 = hash(&sim);
    sim.config("static-password", json!("second-password"));
    let out = sim.ok(0, Event::ConfigChanged);
    assert!(hashed_in(&out));
    let h2 = hash(&sim);
    assert_ne!(h2, h1);
    assert_eq!(h2[..29], h1[..29], "same cost and salt");
    assert_eq!(go_verify(&h2, "second-password"), Ok(10));

    sim.config("bcrypt-cost", json!(11));
    sim.ok(0, Event::ConfigChanged);
    let h3 = hash(&sim);
    assert!(h3.starts_with("$2b$11$"));
    assert_eq!(h3[7..29], h1[7..29], "the salt is kept when the cost changes");
    assert_eq!(go_verify(&h3, "second-password"), Ok(11));
    assert!(python_verify(&h3, "second-password"));
}

#[test]
fn bad_input_blocks_with_the_contract_messages_and_leaves_the_secret_untouched() {
    let mut sim = Sim::new(state(1));
    sim.config("static-password", json!("a-good-password"));
    sim.deploy(1);
    let before =
        sim.cluster.kube.get("Secret", Some("kubeflow"), "dex-static-passwords").expect("secret");
    for (key, value, message) in [
        ("static-password", json!("x".repeat(73)), LONG),
        ("bcrypt-cost", json!(9), COST),
        ("bcrypt-cost", json!(17), COST),
    ] {
        sim.config(key, value);
        let out = sim.ok(0, Event::ConfigChanged);
        assert_eq!(out.unit_status, ("blocked".to_owned(), message.to_owned()), "{key}");
        assert!(!hashed_in(&out));
        let now = sim
            .cluster
            .kube
            .get("Secret", Some("kubeflow"), "dex-static-passwords")
            .expect("secret");
        assert_eq!(now["data"], before["data"], "{key}: the previous hash stays");
        // Put the good value back.
        sim.config(key, if key == "bcrypt-cost" { json!(12) } else { json!("a-good-password") });
        let out = sim.ok(0, Event::ConfigChanged);
        assert_eq!(out.unit_status.0, "active");
        assert!(!hashed_in(&out), "the good value hashes to what is already there");
    }
}

#[test]
fn an_empty_password_is_generated_and_only_get_credentials_reveals_it() {
    let mut sim = Sim::new(state(1));
    sim.config("bcrypt-cost", json!(10));
    let outcomes: Vec<_> =
        [Event::Install, Event::LeaderElected, Event::ConfigChanged, Event::Start]
            .into_iter()
            .map(|e| sim.ok(0, e))
            .collect();
    let out =
        sim.ok(0, Event::Action { name: "get-credentials".into(), params: Default::default() });
    let action = out.action.expect("action");
    assert_eq!(action.failed, None);
    let results = action.results;
    assert!(results.contains_key("static-username"), "{:?}", results.keys().collect::<Vec<_>>());
    assert_eq!(results["static-username"], json!("admin"));
    let password = results["static-password"].as_str().expect("password").to_owned();
    assert!(password.len() == 30 && password.bytes().all(|b| b.is_ascii_alphanumeric()));
    let h = hash(&sim);
    assert_eq!(go_verify(&h, &password), Ok(10));
    for o in &outcomes {
        assert!(o.calls.iter().all(|c| c.args.iter().all(|a| !a.contains(&password))));
        assert!(o.logs.iter().all(|l| !l.message.contains(&password)));
    }

    // rotate-secret makes a new one; the hash follows.
    let params = serde_json::Map::from_iter([("name".to_owned(), json!("static-password"))]);
    let out = sim.ok(0, Event::Action { name: "rotate-secret".into(), params: params.clone() });
    assert_eq!(out.action.expect("action").results["rotated"], json!("static-password"));
    let out =
        sim.ok(0, Event::Action { name: "get-credentials".into(), params: Default::default() });
    let new =
        out.action.expect("action").results["static-password"].as_str().expect("pw").to_owned();
    assert_ne!(new, password);
    assert_eq!(go_verify(&hash(&sim), &new), Ok(10));

    // A password set in config is never overwritten, and rotate-secret refuses it.
    sim.config("static-password", json!("operator-chosen"));
    sim.ok(0, Event::ConfigChanged);
    let out = sim.ok(0, Event::Action { name: "rotate-secret".into(), params });
    assert_eq!(
        out.action.expect("action").failed.as_deref(),
        Some("'static-password' is set in config; change it with juju config")
    );
    assert!(python_verify(&hash(&sim), "operator-chosen"));
}
