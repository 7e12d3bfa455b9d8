//! Row 9: buffered writes are committed only on exit 0; immediate effects survive; fault
//! injection.

use juju_sim::{Event, Fault, RelationId, run_in_process_with_faults};

use crate::common::{Hook, run, state};

fn write_everything(h: &Hook, rel: &RelationId) {
    let r = rel.number.to_string();
    h.ok("relation-set", &["-r", &r, "--app", "k=v"]);
    h.ok("state-set", &["k=v"]);
    h.ok("open-port", &["80"]);
    h.ok("secret-add", &["--label", "s", "abc=1"]);
    h.ok("status-set", &["active", "set before failing"]);
    h.ok("application-version-set", &["9.9"]);
    h.ok("juju-log", &["logged before failing"]);
}

#[test]
fn row9_transactions_failure_discards_buffered_keeps_immediate() {
    let mut st = state();
    let rel = st.add_relation("certificates", "istio", 1);
    let before = st.clone();
    let out = run(&mut st, 0, &Event::ConfigChanged, |h| {
        write_everything(h, &rel);
        1
    });
    assert_eq!(out.exit_code, Some(1));
    assert!(!out.committed);
    assert!(st.local_app_data(&rel).unwrap().is_empty());
    assert!(st.units[&0].kv.is_empty());
    assert!(st.units[&0].ports.is_empty());
    assert!(st.secrets().is_empty());
    assert_eq!(st.relations, before.relations);
    assert_eq!(st.workload_version, "9.9");
    assert_eq!(st.juju_log().len(), 1);
    assert_eq!(st.units[&0].status, ("active".into(), "set before failing".into()));
    assert_eq!(out.unit_status, ("error".into(), "hook failed: \"config-changed\"".into()));
    assert_eq!(st.unit_status(0), out.unit_status);
    let out = run(&mut st, 0, &Event::ConfigChanged, |h| {
        write_everything(h, &rel);
        0
    });
    assert!(out.committed);
    assert_eq!(st.unit_status(0), ("active".into(), "set before failing".into()));
    assert_eq!(st.local_app_data(&rel).unwrap()["k"], "v");
    assert_eq!(st.units[&0].kv["k"], "v");
    assert!(st.units[&0].ports.contains("80/tcp"));
    assert!(st.secret_by_label("s").is_some());
}

#[test]
fn row9_transactions_calls_recorded_in_order_without_stdin() {
    let mut st = state();
    let out = run(&mut st, 0, &Event::Install, |h| {
        h.run("is-leader", &["--format=json"]);
        h.run_stdin("state-set", &["--file", "-"], Some("{\"secret\":\"do-not-record\"}"));
        h.run("config-get", &["--bogus"]);
        0
    });
    let calls: Vec<(&str, i32)> = out.calls.iter().map(|c| (c.tool.as_str(), c.code)).collect();
    assert_eq!(calls, [("is-leader", 0), ("state-set", 0), ("config-get", 2)]);
    assert_eq!(out.calls[1].args, ["--file", "-"]);
    assert!(!format!("{:?}", out.calls).contains("do-not-record"));
    assert!(out.called("config-get"));
}

#[test]
fn row9_transactions_fault_injection_fails_the_kth_call() {
    let mut st = state();
    let faults = [
        Fault::nth_call(2, "connection reset"),
        Fault::nth_call_of("secret-add", 1, "quota exceeded"),
    ];
    let out = run_in_process_with_faults(&mut st, 0, &Event::Install, &faults, |env, runner| {
        let h = Hook { env, runner };
        assert_eq!(h.run("is-leader", &[]).code, 0);
        let second = h.run("is-leader", &[]);
        assert_eq!((second.code, second.err.as_str()), (1, "ERROR connection reset\n"));
        assert_eq!(h.run("is-leader", &[]).code, 0);
        let add = h.run("secret-add", &["abc=1"]);
        assert_eq!((add.code, add.err.as_str()), (1, "ERROR quota exceeded\n"));
        assert_eq!(h.run("secret-add", &["abc=1"]).code, 0);
        0
    })
    .unwrap();
    assert_eq!(out.calls[1].code, 1);
    assert_eq!(st.secrets().len(), 1);
}
