//! Ported from juju/juju internal/worker/uniter/runner/jujuc: `status-get_test.go`,
//! `status-set_test.go` and `application-version-set_test.go`.
//!
//! The Go fake's unit status is `error` / `doing work` with status data `{foo: bar}`; the
//! simulator keeps no status data (a charm cannot set any), so its `status-data` is `{}` and
//! the ported case checks the rest of the document.

use juju_sim::{Event, State};

use crate::common::{Out, run, state};

/// Runs `tool args` on unit `unit` of a two-unit application led by unit 0.
fn on_unit(st: &mut State, unit: u32, tool: &str, args: &[&str]) -> Out {
    let mut got = None;
    run(st, unit, &Event::UpdateStatus, |h| {
        got = Some(h.run(tool, args));
        0
    });
    got.unwrap()
}

fn status_set(args: &[&str]) -> (Out, State) {
    let mut st = state().with_units(2);
    let o = on_unit(&mut st, 0, "status-set", args);
    (o, st)
}

fn status_set_usage_error(args: &[&str], err: &str) {
    let (o, st) = status_set(args);
    assert_eq!((o.code, o.out.as_str(), o.err.as_str()), (2, "", err), "status-set {args:?}");
    assert_eq!(st.unit_status(0), ("unknown".into(), String::new()));
}

fn status_set_ok(args: &[&str]) -> State {
    let (o, st) = status_set(args);
    assert_eq!((o.code, o.out.as_str(), o.err.as_str()), (0, "", ""), "status-set {args:?}");
    st
}

/// juju/juju internal/worker/uniter/runner/jujuc/status-set_test.go, TestStatusSetInit:
/// `maintenance`
#[test]
fn conformance_status_set_status_only() {
    let st = status_set_ok(&["maintenance"]);
    assert_eq!(st.unit_status(0), ("maintenance".into(), String::new()));
}

/// juju/juju internal/worker/uniter/runner/jujuc/status-set_test.go, TestStatusSetInit:
/// `maintenance ""`
#[test]
fn conformance_status_set_empty_message() {
    let st = status_set_ok(&["maintenance", ""]);
    assert_eq!(st.unit_status(0), ("maintenance".into(), String::new()));
}

/// juju/juju internal/worker/uniter/runner/jujuc/status-set_test.go, TestStatusSetInit:
/// `maintenance hello`
#[test]
fn conformance_status_set_with_message() {
    let st = status_set_ok(&["maintenance", "hello"]);
    assert_eq!(st.unit_status(0), ("maintenance".into(), "hello".into()));
}

/// juju/juju internal/worker/uniter/runner/jujuc/status-set_test.go, TestStatusSetInit:
/// no arguments
#[test]
fn conformance_status_set_no_arguments() {
    status_set_usage_error(&[], "ERROR invalid args, require <status> [message]\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/status-set_test.go, TestStatusSetInit:
/// an extra argument
#[test]
fn conformance_status_set_extra_argument() {
    status_set_usage_error(
        &["maintenance", "hello", "extra"],
        "ERROR unrecognized args: [\"extra\"]\n",
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/status-set_test.go, TestStatusSetInit:
/// an invalid status
#[test]
fn conformance_status_set_invalid_status() {
    status_set_usage_error(
        &["foo", "hello"],
        "ERROR invalid status \"foo\", expected one of [maintenance blocked waiting active]\n",
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/status-set_test.go, TestStatus:
/// `maintenance "doing some work"`
#[test]
fn conformance_status_set_unit_maintenance() {
    let st = status_set_ok(&["maintenance", "doing some work"]);
    assert_eq!(st.unit_status(0), ("maintenance".into(), "doing some work".into()));
}

/// juju/juju internal/worker/uniter/runner/jujuc/status-set_test.go, TestStatus:
/// `active ""`
#[test]
fn conformance_status_set_unit_active() {
    let st = status_set_ok(&["active", ""]);
    assert_eq!(st.unit_status(0), ("active".into(), String::new()));
}

/// juju/juju internal/worker/uniter/runner/jujuc/status-set_test.go, TestApplicationStatus:
/// `--application maintenance "doing some work"`
#[test]
fn conformance_status_set_application_maintenance() {
    let st = status_set_ok(&["--application", "maintenance", "doing some work"]);
    assert_eq!(st.app_status(), ("maintenance".into(), "doing some work".into()));
    assert_eq!(st.unit_status(0), ("unknown".into(), String::new()));
}

/// juju/juju internal/worker/uniter/runner/jujuc/status-set_test.go, TestApplicationStatus:
/// `--application active ""`
#[test]
fn conformance_status_set_application_active() {
    let st = status_set_ok(&["--application", "active", ""]);
    assert_eq!(st.app_status(), ("active".into(), String::new()));
}

/// The Go fixture's unit status (without its status data).
fn errored() -> State {
    let mut st = state().with_units(2);
    st.units.get_mut(&0).unwrap().status = ("error".into(), "doing work".into());
    st
}

/// juju/juju internal/worker/uniter/runner/jujuc/status-get_test.go, TestOutputFormatJustStatus:
/// `--format json --include-data`
#[test]
fn conformance_status_get_json_include_data() {
    let o = on_unit(&mut errored(), 0, "status-get", &["--format", "json", "--include-data"]);
    assert_eq!(
        (o.code, o.out.as_str(), o.err.as_str()),
        (0, "{\"message\":\"doing work\",\"status\":\"error\",\"status-data\":{}}\n", "")
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/status-get_test.go, TestOutputFormatJustStatus:
/// `--format yaml`
#[test]
fn conformance_status_get_yaml_status_only() {
    let o = on_unit(&mut errored(), 0, "status-get", &["--format", "yaml"]);
    assert_eq!((o.code, o.out.as_str(), o.err.as_str()), (0, "status: error\n", ""));
}

/// juju/juju internal/worker/uniter/runner/jujuc/status-get_test.go, TestApplicationStatus:
/// `--format json --include-data --application` on the leader
#[test]
fn conformance_status_get_application() {
    let mut st = state();
    st.app_status = ("active".into(), "this is a application status".into());
    st.units.get_mut(&0).unwrap().status = ("active".into(), "this is a unit status".into());
    let o =
        on_unit(&mut st, 0, "status-get", &["--format", "json", "--include-data", "--application"]);
    let expect = "{\"application-status\":{\"message\":\"this is a application status\",\
        \"status\":\"active\",\"status-data\":{},\"units\":{\"ckf-crypto/0\":\
        {\"message\":\"this is a unit status\",\"status\":\"active\",\"status-data\":{}}}}}\n";
    assert_eq!((o.code, o.out.as_str(), o.err.as_str()), (0, expect, ""));
}

/// juju/juju internal/worker/uniter/runner/jujuc/application-version-set_test.go,
/// TestApplicationVersionSetNoArguments
#[test]
fn conformance_application_version_set_no_arguments() {
    let mut st = state();
    let o = on_unit(&mut st, 0, "application-version-set", &[]);
    assert_eq!((o.code, o.out.as_str(), o.err.as_str()), (2, "", "ERROR no version specified\n"));
    assert_eq!(st.workload_version, "");
}

/// juju/juju internal/worker/uniter/runner/jujuc/application-version-set_test.go,
/// TestApplicationVersionSetWithArguments
#[test]
fn conformance_application_version_set_with_argument() {
    let mut st = state();
    let o = on_unit(&mut st, 0, "application-version-set", &["dia de los muertos"]);
    assert_eq!((o.code, o.out.as_str(), o.err.as_str()), (0, "", ""));
    assert_eq!(st.workload_version, "dia de los muertos");
}
