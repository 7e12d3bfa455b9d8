//! State-transition tests: one event on a declared state, in process (ops.testing's Scenario
//! style). Fast, so they cover the table of leader / non-leader × good / bad config × relations.

use std::collections::BTreeMap;

use serde_json::json;

use juju_sim::{Event, Outcome, State, run_in_process};

use crate::common::{Cluster, is_generated_format};

/// A model with `units` units whose hooks reach a fresh fake API server. Keys are ECDSA, which
/// is fast to generate, since these tests are about state transitions, not key types.
fn state(units: u32) -> (State, Cluster) {
    let mut s = crate::common::state(units);
    s.set_config("key-algorithm", json!("ecdsa-p256")).expect("config");
    let cluster = Cluster::new();
    cluster.attach(&mut s);
    (s, cluster)
}

fn run(state: &mut State, unit: u32, event: Event) -> Outcome {
    let out = run_in_process(state, unit, &event, ckf_crypto::charm::run).expect("simulated run");
    crate::common::assert_no_leak(state, std::slice::from_ref(&out), &[]);
    assert_eq!(out.exit_code, Some(0), "{event:?}: {:?}", out.logs);
    out
}

fn v1(state: &mut State, app: &str) -> u64 {
    let id = state.add_relation("object-storage", app, 1);
    state
        .set_remote_app_data(id, BTreeMap::from([("_supported_versions".into(), "- v1\n".into())]));
    id
}

#[test]
fn every_ordinary_hook_on_a_fresh_leader_creates_the_same_single_secret() {
    for event in [
        Event::Install,
        Event::LeaderElected,
        Event::ConfigChanged,
        Event::Start,
        Event::UpdateStatus,
        Event::UpgradeCharm,
    ] {
        let (mut s, _k) = state(1);
        let out = run(&mut s, 0, event.clone());
        assert_eq!(s.secrets().len(), 1, "{event:?}: one secret holds all the material");
        assert_eq!(out.unit_status, ("active".to_owned(), String::new()), "{event:?}");
        let generated = s.secret_by_label(ckf_crypto::store::LABEL).expect("generated");
        let content = &generated.revisions.last().expect("rev").content;
        for key in crate::common::GENERATED_KEYS {
            assert!(is_generated_format(&content[key]), "{key:?}");
        }
        assert!(content.contains_key("ca-key") && content.contains_key("crt-admission-webhook"));
    }
}

#[test]
fn a_fresh_non_leader_creates_nothing() {
    for event in
        [Event::Install, Event::ConfigChanged, Event::UpdateStatus, Event::LeaderSettingsChanged]
    {
        let (mut s, _k) = state(2);
        let out = run(&mut s, 1, event.clone());
        assert!(s.secrets().is_empty(), "{event:?}");
        assert!(out.unit_status.1.starts_with("standby"), "{event:?}: {:?}", out.unit_status);
        assert!(
            out.calls.iter().all(|c| !c.tool.starts_with("secret-") && c.tool != "relation-set")
        );
    }
}

#[test]
fn bad_config_on_either_unit_is_blocked_with_the_option_named() {
    for unit in [0, 1] {
        for (key, value, message) in [
            (
                "secret-key",
                json!("short"),
                "The 'secret-key' config value must be at least 8 characters long.",
            ),
            (
                "object-storage-port",
                json!(0),
                "Invalid 'object-storage-port' config: must be between 1 and 65535",
            ),
            ("namespace", json!("Not_A_Label"), "Invalid 'namespace' config:"),
        ] {
            let (mut s, _k) = state(2);
            s.set_config(key, value).expect("typed config");
            let out = run(&mut s, unit, Event::ConfigChanged);
            assert_eq!(out.unit_status.0, "blocked", "{unit} {key}");
            assert!(out.unit_status.1.starts_with(message), "{unit} {key}: {:?}", out.unit_status);
        }
    }
}

#[test]
fn relation_data_follows_config_and_is_not_rewritten_when_unchanged() {
    let (mut s, _k) = state(1);
    let id = v1(&mut s, "kfp-api");
    run(&mut s, 0, Event::Install);
    let first = s.local_app_data(id).cloned().expect("served");
    let out = run(&mut s, 0, Event::UpdateStatus);
    assert!(
        !out.calls.iter().any(|c| c.tool == "relation-set"),
        "a no-op hook writes no relation data"
    );
    assert!(!out.calls.iter().any(|c| c.tool == "secret-set" || c.tool == "secret-add"));
    assert_eq!(s.local_app_data(id), Some(&first));

    s.set_config("object-storage-port", json!(9100)).expect("config");
    s.set_config("namespace", json!("team-a")).expect("config");
    s.set_config("object-storage-service", json!("minio-hl")).expect("config");
    run(&mut s, 0, Event::ConfigChanged);
    let data: BTreeMap<String, serde_json::Value> =
        serde_saphyr::from_str(&s.local_app_data(id).expect("bag")["data"]).expect("yaml");
    assert_eq!(data["port"], json!(9100));
    assert_eq!(data["namespace"], json!("team-a"));
    assert_eq!(data["service"], json!("minio-hl"));
}

#[test]
fn broken_relation_is_left_alone() {
    let (mut s, _k) = state(1);
    let id = v1(&mut s, "kfp-api");
    run(&mut s, 0, Event::Install);
    let out = run(&mut s, 0, Event::RelationBroken { id });
    assert!(!out.calls.iter().any(|c| c.tool == "relation-set"));
    assert!(s.relation_ids("object-storage").is_empty());
}

#[test]
fn secret_remove_drops_the_obsolete_revision() {
    let (mut s, _k) = state(1);
    run(&mut s, 0, Event::Install);
    let params = serde_json::Map::from_iter([("name".to_owned(), json!("oidc-client-secret"))]);
    run(&mut s, 0, Event::Action { name: "rotate-secret".into(), params });
    let secret = s.secret_by_label(ckf_crypto::store::LABEL).expect("secret").clone();
    assert_eq!(secret.revisions.len(), 2);
    let out =
        run(&mut s, 0, Event::SecretRemove { id: format!("secret:{}", secret.id), revision: 1 });
    assert!(
        out.calls.iter().any(|c| c.tool == "secret-remove" && c.args.contains(&"1".to_owned()))
    );
    let after = s.secret_by_label(ckf_crypto::store::LABEL).expect("secret");
    assert_eq!(after.revisions.iter().map(|r| r.revision).collect::<Vec<_>>(), [2]);
}

#[test]
fn actions_on_a_non_leader_fail_with_the_contract_message() {
    for (name, params) in [
        ("get-credentials", serde_json::Map::new()),
        ("rotate-secret", serde_json::Map::from_iter([("name".to_owned(), json!("secret-key"))])),
    ] {
        let (mut s, _k) = state(2);
        let out = run(&mut s, 1, Event::Action { name: name.into(), params });
        let action = out.action.expect("action");
        assert_eq!(
            action.failed.as_deref(),
            Some("this action must run on the leader unit"),
            "{name}"
        );
        assert!(s.secrets().is_empty());
    }
}
