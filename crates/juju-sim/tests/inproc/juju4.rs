//! Juju 4.0's rules, set by `State::with_juju_version("4.0.0")`: the hook tools 4.0 removed
//! are missing commands, `JUJU_SLA` is empty, unit bags have no `private-address`, actions
//! refuse undeclared parameters unless the charm says otherwise, secret content is measured
//! in base64 up to 1000000 bytes, and the broken relation is not in `relation-ids` (peers
//! excepted). Each test has its 3.6 counterpart beside it.

use std::io::ErrorKind;

use juju_charm::rules::JujuVersion;
use juju_sim::{
    CharmMeta, DEFAULT_JUJU_VERSION, Event, HOOK_TOOLS, REMOVED_IN_JUJU_4, SimError, State,
    has_hook_tool, run_in_process,
};
use serde_json::{Map, json};

use crate::common::{bag, run, state};

fn juju4() -> State {
    state().with_juju_version("4.0.0")
}

#[test]
fn juju4_removed_tools_are_missing_commands_in_process() {
    let mut st = juju4();
    run(&mut st, 0, &Event::Install, |h| {
        for tool in REMOVED_IN_JUJU_4 {
            let err = h.runner.run(tool, &[], None).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::NotFound, "{tool}");
        }
        0
    });
    let mut st = state();
    assert_eq!(st.model.juju_version, DEFAULT_JUJU_VERSION);
    run(&mut st, 0, &Event::Install, |h| {
        assert_eq!(h.run("leader-get", &[]).code, 0, "3.6 still has leader settings");
        0
    });
}

#[test]
fn juju4_every_other_tool_is_still_served() {
    let v4 = JujuVersion::new(4, 0, 0);
    let kept: Vec<&str> =
        HOOK_TOOLS.iter().copied().filter(|t| !REMOVED_IN_JUJU_4.contains(t)).collect();
    assert!(kept.iter().all(|t| has_hook_tool(&v4, t)));
    assert!(kept.contains(&"secret-get") && kept.contains(&"relation-get"));
    let mut st = juju4();
    run(&mut st, 0, &Event::Install, |h| {
        assert_eq!(h.ok("is-leader", &[]), "True\n");
        assert_eq!(h.ok("config-get", &["log-level"]), "info\n");
        0
    });
}

#[test]
fn juju4_has_hook_tool_follows_the_major_version() {
    for tool in REMOVED_IN_JUJU_4 {
        assert!(has_hook_tool(&JujuVersion::new(3, 6, 12), tool), "{tool}");
        assert!(!has_hook_tool(&JujuVersion::new(4, 0, 0), tool), "{tool}");
        assert!(!has_hook_tool(&JujuVersion::new(4, 1, 0), tool), "{tool}");
    }
    assert!(!has_hook_tool(&JujuVersion::new(3, 6, 8), "no-such-tool"));
}

#[test]
fn juju4_sla_is_empty_and_the_version_is_reported() {
    let mut st = juju4();
    run(&mut st, 0, &Event::Install, |h| {
        assert_eq!(h.var("JUJU_SLA"), Some(""));
        assert_eq!(h.var("JUJU_VERSION"), Some("4.0.0"));
        0
    });
    let mut st = state();
    run(&mut st, 0, &Event::Install, |h| {
        assert_eq!(h.var("JUJU_SLA"), Some("unsupported"), "3.6");
        0
    });
}

#[test]
fn juju4_unit_bags_have_no_private_address() {
    let mut st = juju4();
    let id = st.add_relation("certificates", "istio", 1);
    run(&mut st, 0, &Event::RelationJoined { id: id.clone(), unit: "istio/1".into() }, |h| {
        for unit in ["istio/0", "istio/1", "ckf-crypto/0"] {
            let bag = h.json("relation-get", &["--format=json", "-", unit]);
            assert!(bag.get("ingress-address").is_some(), "{unit}: {bag}");
            assert!(bag.get("private-address").is_none(), "{unit}: {bag}");
        }
        0
    });
    let mut st = state();
    let id = st.add_relation("certificates", "istio", 1);
    run(
        &mut st,
        0,
        &Event::RelationChanged { id: id.clone(), unit: Some("istio/0".into()) },
        |h| {
            let bag = h.json("relation-get", &["--format=json", "-", "istio/0"]);
            assert_eq!(bag["private-address"], bag["ingress-address"], "3.6 still writes it");
            0
        },
    );
}

#[test]
fn juju4_changing_the_version_rewrites_the_agents_unit_bags() {
    let mut st = state();
    let id = st.add_relation("certificates", "istio", 1);
    st.set_juju_version("4.0.0");
    assert!(!st.local_unit_data(&id, 0).unwrap().contains_key("private-address"));
    st.set_juju_version("3.6.12");
    let local = st.local_unit_data(&id, 0).unwrap();
    assert_eq!(local.get("private-address"), local.get("ingress-address"));
}

fn action_meta(extra: &str) -> CharmMeta {
    let actions = format!("rotate:\n  params:\n    kind: {{type: string}}\n{extra}");
    CharmMeta::from_yaml("name: demo\n", "options: {}\n", &actions).unwrap()
}

fn rotate(st: &mut State) -> Result<Option<String>, SimError> {
    let mut params = Map::new();
    params.insert("kind".into(), json!("salt"));
    params.insert("force".into(), json!(true));
    let ev = Event::Action { name: "rotate".into(), params };
    let out = run_in_process(st, 0, &ev, |_env, _runner| 0)?;
    Ok(out.action.and_then(|a| a.failed))
}

#[test]
fn juju4_actions_refuse_undeclared_parameters_by_default() {
    let mut st = State::new(action_meta(""), "demo", "m").with_juju_version("4.0.0");
    match rotate(&mut st) {
        Err(SimError::ActionParams(why)) => assert!(why.contains("\"force\""), "{why}"),
        other => panic!("4.0 accepted an undeclared parameter: {other:?}"),
    }
    let mut st = State::new(action_meta(""), "demo", "m");
    assert_eq!(rotate(&mut st).unwrap(), None, "3.6 accepts it");
}

#[test]
fn juju4_actions_that_say_additional_properties_true_accept_them() {
    let meta = action_meta("  additionalProperties: true\n");
    assert_eq!(meta.actions["rotate"].additional_properties, Some(true));
    let mut st = State::new(meta, "demo", "m").with_juju_version("4.0.0");
    assert_eq!(rotate(&mut st).unwrap(), None);
    let mut st = State::new(action_meta("  additionalProperties: false\n"), "demo", "m");
    assert!(matches!(rotate(&mut st), Err(SimError::ActionParams(_))), "3.6 obeys false");
}

#[test]
fn juju4_secret_content_is_measured_in_base64_up_to_a_million_bytes() {
    let mut st = juju4();
    run(&mut st, 0, &Event::Install, |h| {
        // 750000 bytes are 1000000 of base64: the largest value.
        let ok = h.run_stdin(
            "secret-add",
            &["--file", "-"],
            Some(&format!("key: {}\n", "a".repeat(750_000))),
        );
        assert_eq!(ok.code, 0, "{}", ok.err);
        let big = format!("key: {}\n", "a".repeat(750_001));
        let over = h.run_stdin("secret-add", &["--file", "-"], Some(&big));
        assert_eq!(
            (over.code, over.err.as_str()),
            (2, "ERROR base64 encoded secret content for key \"key\" too large: 1000004 bytes\n")
        );
        0
    });
    let mut st = state();
    run(&mut st, 0, &Event::Install, |h| {
        let over = h.run("secret-add", &[&format!("key={}", "a".repeat(8193))]);
        assert_eq!(over.code, 2, "3.6.8 allows 8192 bytes a value");
        0
    });
}

#[test]
fn juju4_broken_relation_is_not_listed_but_a_broken_peer_relation_is() {
    let mut st = juju4();
    let a = st.add_relation("certificates", "istio", 0);
    let b = st.add_relation("certificates", "dex", 1);
    let peers = st.add_relation("peers", "", 0);
    run(&mut st, 0, &Event::RelationBroken { id: a.clone() }, |h| {
        let ids = h.json("relation-ids", &["certificates", "--format=json"]);
        assert_eq!(ids, json!([b.to_string()]));
        0
    });
    run(&mut st, 0, &Event::RelationBroken { id: peers.clone() }, |h| {
        let ids = h.json("relation-ids", &["peers", "--format=json"]);
        assert_eq!(ids, json!([peers.to_string()]));
        0
    });
    assert_eq!(st.relation_ids("certificates"), vec![b]);
}

#[test]
fn juju4_relation_data_written_by_the_charm_is_committed_as_in_3_6() {
    let mut st = juju4();
    let id = st.add_relation("certificates", "istio", 1);
    let out = run(&mut st, 0, &Event::RelationChanged { id: id.clone(), unit: None }, |h| {
        assert_eq!(h.run("relation-set", &["--app", "ca=PEM"]).code, 0);
        0
    });
    assert!(out.committed);
    assert_eq!(st.local_app_data(&id), Some(&bag(&[("ca", "PEM")])));
}
