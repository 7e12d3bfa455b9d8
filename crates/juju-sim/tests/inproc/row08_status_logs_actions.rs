//! Row 8: status (unit/app, history), workload version, juju-log, action params, results,
//! logs and failure.

use juju_sim::Event;
use serde_json::{Map, Value, json};

use crate::common::{run, state};

fn action(name: &str, params: Value) -> Event {
    Event::Action { name: name.into(), params: params.as_object().cloned().unwrap_or_default() }
}

#[test]
fn row8_status_initial_set_history_and_invalid() {
    let mut st = state().with_units(2);
    assert_eq!(st.unit_status(0), ("unknown".into(), String::new()));
    assert_eq!(st.app_status(), ("unknown".into(), String::new()));
    let out = run(&mut st, 0, &Event::Start, |h| {
        h.ok("status-set", &["maintenance", "installing"]);
        h.ok("status-set", &["--application=False", "active", "--", "-ready"]);
        h.ok("status-set", &["--application=True", "blocked", "need trust"]);
        h.ok("status-set", &["--application", "waiting"]);
        let bad = h.run("status-set", &["error", "x"]);
        assert_eq!(bad.code, 2);
        assert_eq!(
            bad.err,
            "ERROR invalid status \"error\", expected one of [maintenance blocked waiting active]\n"
        );
        assert_eq!(h.run("status-set", &["unknown"]).code, 2);
        assert_eq!(h.run("status-set", &["active", "a", "b"]).code, 2);
        0
    });
    assert_eq!(
        out.status_history,
        vec![("maintenance".into(), "installing".into()), ("active".into(), "-ready".into())]
    );
    assert_eq!(
        out.app_status_history,
        vec![("blocked".into(), "need trust".into()), ("waiting".into(), String::new())]
    );
    assert_eq!(out.unit_status, ("active".into(), "-ready".into()));
    assert_eq!(st.app_status(), ("waiting".into(), String::new()));
    assert_eq!(st.status_history.len(), 4);
    run(&mut st, 1, &Event::Start, |h| {
        let o = h.run("status-set", &["--application", "active"]);
        assert_eq!((o.code, o.err.as_str()), (1, "ERROR this unit is not the leader\n"));
        let o = h.run("status-get", &["--application", "--format=json"]);
        assert_eq!(
            (o.code, o.err.as_str()),
            (1, "ERROR finding application status: this unit is not the leader\n")
        );
        0
    });
}

#[test]
fn row8_status_get_formats() {
    let mut st = state();
    run(&mut st, 0, &Event::Start, |h| {
        h.ok("status-set", &["active", "ok"]);
        assert_eq!(
            h.json("status-get", &["--include-data", "--format=json", "--application=false"]),
            json!({"message": "ok", "status": "active", "status-data": {}})
        );
        assert_eq!(h.ok("status-get", &[]), "active\n");
        let app = h.json("status-get", &["--include-data", "--format=json", "--application=true"]);
        assert_eq!(app["application-status"]["status"], json!("unknown"));
        assert_eq!(app["application-status"]["units"]["ckf-crypto/0"]["status"], json!("active"));
        0
    });
}

#[test]
fn row8_workload_version_and_juju_log() {
    let mut st = state();
    let rel = st.add_relation("certificates", "istio", 1);
    let out = run(&mut st, 0, &Event::Install, |h| {
        h.ok("application-version-set", &["--", "1.2.3"]);
        h.ok("juju-log", &["--log-level", "WARNING", "--", "careful", "now"]);
        h.ok("juju-log", &["-l", "debug", "lower"]);
        h.ok("juju-log", &["--debug", "dbg"]);
        h.ok("juju-log", &["plain"]);
        h.ok("juju-log", &["--log-level", "LOUD", "odd"]);
        let o = h.run("juju-log", &[]);
        assert_eq!((o.code, o.err.as_str()), (2, "ERROR no message specified\n"));
        0
    });
    assert_eq!(st.workload_version, "1.2.3");
    let lv: Vec<(&str, &str)> =
        out.logs.iter().map(|l| (l.level.as_str(), l.message.as_str())).collect();
    assert_eq!(
        lv,
        [
            ("WARNING", "careful now"),
            ("DEBUG", "lower"),
            ("DEBUG", "dbg"),
            ("INFO", "plain"),
            ("INFO", "odd")
        ]
    );
    assert!(out.logs.iter().all(|l| l.unit == "ckf-crypto/0"));
    let out = run(&mut st, 0, &Event::RelationCreated { id: rel.clone() }, |h| {
        h.ok("juju-log", &["--log-level", "INFO", "--", "hi"]);
        0
    });
    assert_eq!(out.logs[0].message, format!("{rel}: hi"));
    assert_eq!(st.juju_log().len(), 6);
}

#[test]
fn row8_action_params_defaults_and_dotted_get() {
    let mut st = state();
    run(&mut st, 0, &action("rotate-secret", json!({"kind": "key"})), |h| {
        assert_eq!(
            h.json("action-get", &["--format=json"]),
            json!({"kind": "key", "force": false})
        );
        assert_eq!(h.ok("action-get", &["kind"]), "key\n");
        assert_eq!(h.ok("action-get", &["--format=json", "nope.deeper"]), "null\n");
        0
    });
    let nested = Event::Action {
        name: "get-credentials".into(),
        params: json!({"name": "n", "extra": {"a": {"b": 1}}}).as_object().unwrap().clone(),
    };
    run(&mut st, 0, &nested, |h| {
        assert_eq!(h.ok("action-get", &["extra.a.b", "--format=json"]), "1\n");
        0
    });
    run(&mut st, 0, &action("list-certificates", json!({})), |h| {
        assert_eq!(h.ok("action-get", &["--format=json"]), "{}\n");
        0
    });
}

#[test]
fn row8_action_results_nested_keys_reserved_and_logs() {
    let mut st = state();
    let out = run(&mut st, 0, &action("get-credentials", json!({"name": "dex"})), |h| {
        h.ok("action-set", &["username=admin", "creds.password=pw", "creds.token.value=t"]);
        h.ok("action-log", &["--", "working", "hard"]);
        let o = h.run("action-set", &["stdout=x"]);
        assert_eq!(
            (o.code, o.err.as_str()),
            (2, "ERROR cannot set reserved action key \"stdout\"\n")
        );
        let o = h.run("action-set", &["Bad=x"]);
        assert_eq!(o.code, 2);
        assert!(o.err.contains("must start and end with lowercase alphanumeric"));
        let o = h.run("action-set", &["novalue"]);
        assert_eq!(
            (o.code, o.err.as_str()),
            (2, "ERROR argument \"novalue\" must be of the form key...=value\n")
        );
        0
    });
    let a = out.action.unwrap();
    let mut expect = Map::new();
    expect.insert("username".into(), json!("admin"));
    expect.insert("creds".into(), json!({"password": "pw", "token": {"value": "t"}}));
    assert_eq!(a.results, expect);
    assert_eq!(a.logs, vec!["working hard".to_string()]);
    assert_eq!(a.failed, None);
}

#[test]
fn row8_action_fail_default_message_and_non_zero_exit() {
    let mut st = state();
    let out = run(&mut st, 0, &action("list-certificates", json!({})), |h| {
        h.ok("action-fail", &[]);
        0
    });
    assert_eq!(
        out.action.unwrap().failed.as_deref(),
        Some("action failed without reason given, check action for errors")
    );
    let out = run(&mut st, 0, &action("list-certificates", json!({})), |h| {
        h.ok("action-fail", &["--", "no certs"]);
        h.ok("action-set", &["partial=yes"]);
        0
    });
    let a = out.action.unwrap();
    assert_eq!(a.failed.as_deref(), Some("no certs"));
    assert_eq!(a.results["partial"], json!("yes"));
    let out = run(&mut st, 0, &action("list-certificates", json!({})), |h| {
        h.ok("action-set", &["got=this-far"]);
        1
    });
    let a = out.action.unwrap();
    assert_eq!(a.failed.as_deref(), Some("exit status 1"));
    assert_eq!(a.results["got"], json!("this-far"), "results are still reported");
    assert_eq!(out.unit_status.0, "unknown", "a failed action does not put the unit in error");
}

#[test]
fn row8_action_tools_outside_action_fail() {
    let mut st = state();
    run(&mut st, 0, &Event::Install, |h| {
        for tool in ["action-get", "action-set", "action-fail", "action-log"] {
            let o = h.run(tool, &["a=b"]);
            assert_eq!((o.code, o.err.as_str()), (1, "ERROR not running an action\n"), "{tool}");
        }
        0
    });
}
