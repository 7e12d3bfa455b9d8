//! State-transition tests: one event on a declared state, in process, through
//! `juju_sim::Context` (ops.testing's Scenario style): each run returns the state it leaves.
//! Fast, so they cover the table of leader / non-leader × good / bad config × relations.

use std::collections::BTreeMap;

use serde_json::json;

use juju_charm::{Status, StatusName};
use juju_sim::{ActionOutput, Context, Event, Output, State};

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

/// The charm, in process, on `unit`.
fn ctx(unit: u32) -> Context<'static> {
    Context::new(ckf_crypto::charm::CkfCrypto::from_env).on_unit(unit)
}

/// Runs `event` on `unit`, checks it succeeded and leaked nothing, and moves `state` on.
fn run(state: &mut State, unit: u32, event: Event) -> Output {
    let out = ctx(unit).run(event.clone(), state).expect("simulated run");
    crate::common::assert_no_leak(&out.state, std::slice::from_ref(&out.outcome), &[]);
    assert_eq!(out.outcome.exit_code, Some(0), "{event:?}: {:?}", out.outcome.logs);
    *state = out.state.clone();
    out
}

/// Runs action `name` on `unit`, checks it leaked nothing, and moves `state` on.
fn action(state: &mut State, unit: u32, name: &str, params: serde_json::Value) -> ActionOutput {
    let out = ctx(unit).run_action(name, params, state).expect("simulated action");
    let run = &out.output;
    crate::common::assert_no_leak(&run.state, std::slice::from_ref(&run.outcome), &[]);
    *state = run.state.clone();
    out
}

/// The unit's status after `out`, which must have set one.
fn status(out: &Output) -> Status {
    out.unit_status().expect("a status")
}

fn v1(state: &mut State, app: &str) -> juju_sim::RelationId {
    let id = state.add_relation("object-storage", app, 1);
    state.set_remote_app_data(
        &id,
        BTreeMap::from([("_supported_versions".into(), "- v1\n".into())]),
    );
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
        assert_eq!(out.unit_status(), Some(Status::active("")), "{event:?}");
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
        assert!(status(&out).message.starts_with("standby"), "{event:?}: {:?}", status(&out));
        let calls = &out.outcome.calls;
        assert!(calls.iter().all(|c| !c.tool.starts_with("secret-") && c.tool != "relation-set"));
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
            let status = status(&out);
            assert_eq!(status.name, StatusName::Blocked, "{unit} {key}");
            assert!(status.message.starts_with(message), "{unit} {key}: {status:?}");
        }
    }
}

#[test]
fn relation_data_follows_config_and_is_not_rewritten_when_unchanged() {
    let (mut s, _k) = state(1);
    let id = v1(&mut s, "kfp-api");
    run(&mut s, 0, Event::Install);
    let first = s.local_app_data(&id).cloned().expect("served");
    let out = run(&mut s, 0, Event::UpdateStatus);
    assert!(
        !out.outcome.calls.iter().any(|c| c.tool == "relation-set"),
        "a no-op hook writes no relation data"
    );
    assert!(!out.outcome.calls.iter().any(|c| c.tool == "secret-set" || c.tool == "secret-add"));
    assert_eq!(s.local_app_data(&id), Some(&first));

    s.set_config("object-storage-port", json!(9100)).expect("config");
    s.set_config("namespace", json!("team-a")).expect("config");
    s.set_config("object-storage-service", json!("minio-hl")).expect("config");
    run(&mut s, 0, Event::ConfigChanged);
    let data: BTreeMap<String, serde_json::Value> =
        serde_saphyr::from_str(&s.local_app_data(&id).expect("bag")["data"]).expect("yaml");
    assert_eq!(data["port"], json!(9100));
    assert_eq!(data["namespace"], json!("team-a"));
    assert_eq!(data["service"], json!("minio-hl"));
}

#[test]
fn broken_relation_is_left_alone() {
    let (mut s, _k) = state(1);
    let id = v1(&mut s, "kfp-api");
    run(&mut s, 0, Event::Install);
    let out = run(&mut s, 0, Event::RelationBroken { id: id.clone() });
    assert!(!out.outcome.calls.iter().any(|c| c.tool == "relation-set"));
    assert!(s.relation_ids("object-storage").is_empty());
}

#[test]
fn secret_remove_drops_the_obsolete_revision() {
    let (mut s, _k) = state(1);
    run(&mut s, 0, Event::Install);
    let out = action(&mut s, 0, "rotate-secret", json!({"name": "oidc-client-secret"}));
    assert_eq!(out.failure, None);
    let secret = s.secret_by_label(ckf_crypto::store::LABEL).expect("secret").clone();
    assert_eq!(secret.revisions.len(), 2);
    let out =
        run(&mut s, 0, Event::SecretRemove { id: format!("secret:{}", secret.id), revision: 1 });
    assert!(
        out.outcome
            .calls
            .iter()
            .any(|c| c.tool == "secret-remove" && c.args.contains(&"1".to_owned()))
    );
    let after = s.secret_by_label(ckf_crypto::store::LABEL).expect("secret");
    assert_eq!(after.revisions.iter().map(|r| r.revision).collect::<Vec<_>>(), [2]);
}

#[test]
fn actions_on_a_non_leader_fail_with_the_contract_message() {
    for (name, params) in
        [("get-credentials", json!({})), ("rotate-secret", json!({"name": "secret-key"}))]
    {
        let (mut s, _k) = state(2);
        let out = action(&mut s, 1, name, params);
        let failure = out.failure.as_deref();
        assert_eq!(failure, Some("this action must run on the leader unit"), "{name}");
        assert!(s.secrets().is_empty());
    }
}
