//! Row 1: the environment builder per event, including present-but-empty variables.

use juju_sim::{Event, Owner, SimError, run_in_process};
use serde_json::json;

use crate::common::{bag, rid, run, state};

fn env_of(st: &mut juju_sim::State, unit: u32, ev: &Event) -> Vec<(String, String)> {
    let mut captured = Vec::new();
    run(st, unit, ev, |h| {
        captured = h.env.clone();
        0
    });
    captured
}

fn get<'a>(env: &'a [(String, String)], k: &str) -> Option<&'a str> {
    env.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str())
}

#[test]
fn row1_env_install_has_always_vars_empty_ones_and_dispatch_path_last() {
    let mut st = state();
    let env = env_of(&mut st, 0, &Event::Install);
    for k in [
        "JUJU_DISPATCH_PATH",
        "JUJU_HOOK_NAME",
        "JUJU_UNIT_NAME",
        "JUJU_MODEL_NAME",
        "JUJU_MODEL_UUID",
        "JUJU_VERSION",
        "JUJU_CHARM_DIR",
        "CHARM_DIR",
        "JUJU_CONTEXT_ID",
        "JUJU_AGENT_SOCKET_ADDRESS",
        "JUJU_AGENT_SOCKET_NETWORK",
        "JUJU_API_ADDRESSES",
        "JUJU_SLA",
        "PATH",
    ] {
        assert!(get(&env, k).is_some_and(|v| !v.is_empty()), "{k} missing or empty");
    }
    for k in
        ["JUJU_MACHINE_ID", "JUJU_PRINCIPAL_UNIT", "JUJU_AVAILABILITY_ZONE", "CLOUD_API_VERSION"]
    {
        assert_eq!(get(&env, k), Some(""), "{k} must be present but empty");
    }
    for k in ["HOME", "USER", "SHELL", "LOGNAME", "JUJU_RELATION", "JUJU_ACTION_NAME"] {
        assert_eq!(get(&env, k), None, "{k} must not be set");
    }
    assert_eq!(env.last().unwrap(), &("JUJU_DISPATCH_PATH".into(), "hooks/install".into()));
    assert_eq!(get(&env, "JUJU_HOOK_NAME"), Some("install"));
    assert_eq!(get(&env, "JUJU_UNIT_NAME"), Some("ckf-crypto/0"));
    assert_eq!(get(&env, "JUJU_MODEL_NAME"), Some("kubeflow"));
    assert_eq!(get(&env, "JUJU_VERSION"), Some("3.6.8"));
    assert_eq!(get(&env, "JUJU_CONTEXT_ID"), Some("ckf-crypto/0-install-1"));
    assert!(get(&env, "PATH").unwrap().ends_with(":/usr/local/bin:/usr/bin:/bin"));
    assert_eq!(get(&env, "CHARM_DIR"), get(&env, "JUJU_CHARM_DIR"));
}

#[test]
fn row1_env_context_ids_count_per_run() {
    let mut st = state();
    env_of(&mut st, 0, &Event::Install);
    let env = env_of(&mut st, 0, &Event::Start);
    assert_eq!(get(&env, "JUJU_CONTEXT_ID"), Some("ckf-crypto/0-start-2"));
}

#[test]
fn row1_env_relation_created_and_broken_have_empty_remote_unit() {
    let mut st = state();
    let id = st.add_relation("certificates", "istio", 1);
    for ev in [Event::RelationCreated { id: id.clone() }, Event::RelationBroken { id: id.clone() }]
    {
        let env = env_of(&mut st.clone(), 0, &ev);
        assert_eq!(get(&env, "JUJU_REMOTE_UNIT"), Some(""), "{ev:?}");
        assert_eq!(get(&env, "JUJU_RELATION"), Some("certificates"));
        assert_eq!(get(&env, "JUJU_RELATION_ID"), Some(id.to_string().as_str()));
        assert_eq!(get(&env, "JUJU_REMOTE_APP"), Some("istio"));
        assert_eq!(get(&env, "JUJU_DEPARTING_UNIT"), None);
    }
    let env = env_of(&mut st, 0, &Event::RelationBroken { id: id.clone() });
    assert_eq!(env.last().unwrap().1, "hooks/certificates-relation-broken");
}

#[test]
fn row1_env_relation_joined_changed_departed() {
    let mut st = state();
    let id = st.add_relation("object-storage", "minio", 2);
    let env = env_of(&mut st, 0, &Event::RelationJoined { id: id.clone(), unit: "minio/0".into() });
    assert_eq!(get(&env, "JUJU_REMOTE_UNIT"), Some("minio/0"));
    assert_eq!(get(&env, "JUJU_HOOK_NAME"), Some("object-storage-relation-joined"));
    let env = env_of(&mut st, 0, &Event::RelationChanged { id: id.clone(), unit: None });
    assert_eq!(get(&env, "JUJU_REMOTE_UNIT"), Some(""));
    let env =
        env_of(&mut st, 0, &Event::RelationDeparted { id: id.clone(), unit: "minio/1".into() });
    assert_eq!(get(&env, "JUJU_DEPARTING_UNIT"), Some("minio/1"));
    assert_eq!(get(&env, "JUJU_REMOTE_UNIT"), Some("minio/1"));
}

#[test]
fn row1_env_peer_relation_remote_app_is_own_app() {
    let mut st = state().with_units(2);
    let id = st.add_relation("peers", "ignored", 0);
    let env =
        env_of(&mut st, 0, &Event::RelationJoined { id: id.clone(), unit: "ckf-crypto/1".into() });
    assert_eq!(get(&env, "JUJU_REMOTE_APP"), Some("ckf-crypto"));
}

#[test]
fn row1_env_action_has_empty_hook_name_and_action_vars() {
    let mut st = state();
    let ev = Event::Action {
        name: "get-credentials".into(),
        params: json!({"name": "x"}).as_object().unwrap().clone(),
    };
    let env = env_of(&mut st, 0, &ev);
    assert_eq!(get(&env, "JUJU_HOOK_NAME"), Some(""));
    assert_eq!(get(&env, "JUJU_ACTION_NAME"), Some("get-credentials"));
    assert_eq!(get(&env, "JUJU_ACTION_UUID"), Some("1"));
    assert_eq!(get(&env, "JUJU_ACTION_TAG"), Some("action-1"));
    assert_eq!(env.last().unwrap().1, "actions/get-credentials");
    assert_eq!(ev.dispatch_path(&st), "actions/get-credentials");
}

#[test]
fn row1_env_secret_hooks_carry_id_label_and_revision_when_positive() {
    let mut st = state();
    let id = st.add_secret(Owner::App, Some("ca"), bag(&[("key", "v")]));
    let env = env_of(&mut st, 0, &Event::SecretRemove { id: id.clone(), revision: 1 });
    assert_eq!(get(&env, "JUJU_SECRET_ID"), Some(format!("secret:{id}").as_str()));
    assert_eq!(get(&env, "JUJU_SECRET_LABEL"), Some("ca"));
    assert_eq!(get(&env, "JUJU_SECRET_REVISION"), Some("1"));
    // Another application grants its secret over a relation with this one.
    st.add_relation("object-storage", "other", 1);
    let remote = st.add_secret(Owner::Remote { app: "other".into() }, None, bag(&[("abc", "v")]));
    let env = env_of(&mut st, 0, &Event::SecretChanged { id: format!("secret:{remote}") });
    assert_eq!(get(&env, "JUJU_SECRET_LABEL"), Some(""));
    assert_eq!(get(&env, "JUJU_SECRET_REVISION"), None);
    assert_eq!(get(&env, "JUJU_DISPATCH_PATH"), Some("hooks/secret-changed"));
}

#[test]
fn row1_env_agent_passthrough_vars_and_custom_hooks() {
    let mut st = state();
    st.agent_env.insert("KUBERNETES_SERVICE_HOST".into(), "10.152.183.1".into());
    let env = env_of(&mut st, 0, &Event::Custom { hook: "reconcile".into() });
    assert_eq!(get(&env, "KUBERNETES_SERVICE_HOST"), Some("10.152.183.1"));
    assert_eq!(get(&env, "JUJU_DISPATCH_PATH"), Some("hooks/reconcile"));
}

#[test]
fn row1_env_events_juju_could_not_fire_are_sim_errors() {
    let mut st = state();
    let charm = |_: Vec<(String, String)>, _: std::rc::Rc<dyn juju_charm::CommandRunner>| 0;
    let err = run_in_process(
        &mut st,
        0,
        &Event::RelationChanged { id: rid("certificates", 9), unit: None },
        charm,
    );
    assert!(matches!(err, Err(SimError::Event(_))));
    // A relation's number with another endpoint names no relation of the model either.
    let id = st.add_relation("certificates", "istio", 1);
    let other = rid("object-storage", id.number);
    let before = st.clone();
    let err = run_in_process(&mut st, 0, &Event::RelationChanged { id: other, unit: None }, charm);
    match err {
        Err(SimError::Event(why)) => assert!(why.contains("object-storage:0"), "{why}"),
        other => panic!("not refused: {other:?}"),
    }
    assert_eq!(st, before, "refused before the run");
    let err = run_in_process(&mut st, 5, &Event::Install, charm);
    assert!(matches!(err, Err(SimError::Event(_))));
    let err = run_in_process(&mut st, 0, &Event::SecretChanged { id: "secret:nope".into() }, charm);
    assert!(matches!(err, Err(SimError::Event(_))));
    let unknown = Event::Action { name: "nope".into(), params: Default::default() };
    assert!(matches!(run_in_process(&mut st, 0, &unknown, charm), Err(SimError::Event(_))));
    let missing = Event::Action { name: "get-credentials".into(), params: Default::default() };
    assert!(matches!(run_in_process(&mut st, 0, &missing, charm), Err(SimError::ActionParams(_))));
    let bad = Event::Action {
        name: "rotate-secret".into(),
        params: json!({"kind": "nope"}).as_object().unwrap().clone(),
    };
    assert!(matches!(run_in_process(&mut st, 0, &bad, charm), Err(SimError::ActionParams(_))));
    let wrong_type = Event::Action {
        name: "rotate-secret".into(),
        params: json!({"force": "yes"}).as_object().unwrap().clone(),
    };
    assert!(matches!(
        run_in_process(&mut st, 0, &wrong_type, charm),
        Err(SimError::ActionParams(_))
    ));
}
