//! Ported from juju/juju internal/worker/uniter/runner/jujuc: `state-get_test.go`,
//! `state-set_test.go` and `state-delete_test.go`.
//!
//! The Go tests run against a mocked context; the mocks' return values (the unit's state
//! `one=two`, `three=four`) are the unit's stored state here, and the mocked writes are checked
//! as the state committed after the hook.

use std::collections::BTreeMap;

use juju_sim::Event;

use crate::common::{Out, bag, run, state};

/// Runs `tool args` (with `stdin`) on a unit whose state is `kv`; returns the result and the
/// unit's state after the hook.
fn with_state(
    kv: &[(&str, &str)],
    tool: &str,
    args: &[&str],
    stdin: Option<&str>,
) -> (Out, BTreeMap<String, String>) {
    let mut st = state();
    st.units.get_mut(&0).unwrap().kv = bag(kv);
    let mut got = None;
    run(&mut st, 0, &Event::UpdateStatus, |h| {
        got = Some(h.run_stdin(tool, args, stdin));
        0
    });
    (got.unwrap(), st.units[&0].kv.clone())
}

const TWO: &[(&str, &str)] = &[("one", "two"), ("three", "four")];

fn state_get(kv: &[(&str, &str)], args: &[&str]) -> Out {
    with_state(kv, "state-get", args, None).0
}

/// juju/juju internal/worker/uniter/runner/jujuc/state-get_test.go, TestStateGet:
/// "get all values with no args"
#[test]
fn conformance_state_get_all_no_args() {
    let o = state_get(TWO, &[]);
    assert_eq!((o.code, o.out.as_str(), o.err.as_str()), (0, "one: two\nthree: four\n", ""));
}

/// juju/juju internal/worker/uniter/runner/jujuc/state-get_test.go, TestStateGet:
/// "get all values with -"
#[test]
fn conformance_state_get_all_dash() {
    let o = state_get(TWO, &["-"]);
    assert_eq!((o.code, o.out.as_str(), o.err.as_str()), (0, "one: two\nthree: four\n", ""));
}

/// juju/juju internal/worker/uniter/runner/jujuc/state-get_test.go, TestStateGet:
/// "get value of key"
#[test]
fn conformance_state_get_key() {
    let o = state_get(TWO, &["one"]);
    assert_eq!((o.code, o.out.as_str(), o.err.as_str()), (0, "two\n", ""));
}

/// juju/juju internal/worker/uniter/runner/jujuc/state-get_test.go, TestStateGet:
/// "key not found, give me the error"
#[test]
fn conformance_state_get_strict_missing_key() {
    let o = state_get(TWO, &["--strict", "five"]);
    assert_eq!((o.code, o.out.as_str(), o.err.as_str()), (1, "", "ERROR \"five\" not found\n"));
}

/// juju/juju internal/worker/uniter/runner/jujuc/state-get_test.go, TestStateGet:
/// "key not found"
#[test]
fn conformance_state_get_missing_key() {
    let o = state_get(TWO, &["five"]);
    assert_eq!((o.code, o.out.as_str(), o.err.as_str()), (0, "", ""));
}

/// juju/juju internal/worker/uniter/runner/jujuc/state-get_test.go, TestStateGet:
/// "empty result"
#[test]
fn conformance_state_get_empty_value() {
    let o = state_get(&[("five", "")], &["five"]);
    assert_eq!((o.code, o.out.as_str(), o.err.as_str()), (0, "", ""));
}

fn state_set_ok(args: &[&str], stdin: Option<&str>, after: &[(&str, &str)]) {
    let (o, kv) = with_state(&[], "state-set", args, stdin);
    assert_eq!((o.code, o.out.as_str(), o.err.as_str()), (0, "", ""), "state-set {args:?}");
    assert_eq!(kv, bag(after), "state-set {args:?}");
}

/// juju/juju internal/worker/uniter/runner/jujuc/state-set_test.go, TestStateSet: "no input"
#[test]
fn conformance_state_set_no_input() {
    state_set_ok(&[], None, &[]);
}

/// juju/juju internal/worker/uniter/runner/jujuc/state-set_test.go, TestStateSet:
/// "set 1 values"
#[test]
fn conformance_state_set_one_value() {
    state_set_ok(&["one=two"], None, &[("one", "two")]);
}

/// juju/juju internal/worker/uniter/runner/jujuc/state-set_test.go, TestStateSet:
/// "set 2 values"
#[test]
fn conformance_state_set_two_values() {
    state_set_ok(&["one=two", "three=four"], None, TWO);
}

/// juju/juju internal/worker/uniter/runner/jujuc/state-set_test.go, TestStateSet:
/// "key value pairs from file, yaml"
#[test]
fn conformance_state_set_file_yaml() {
    state_set_ok(&["--file", "-"], Some("{one: two, three: four}"), TWO);
}

/// juju/juju internal/worker/uniter/runner/jujuc/state-set_test.go, TestStateSet:
/// "key value pairs from file, not yaml"
#[test]
fn conformance_state_set_file_not_yaml() {
    let (o, kv) = with_state(&[], "state-set", &["--file", "-"], Some("one = two"));
    assert_eq!(
        (o.code, o.out.as_str(), o.err.as_str()),
        (
            1,
            "",
            "ERROR yaml: unmarshal errors:\n  line 1: cannot unmarshal !!str `one = two` into map[string]string\n"
        )
    );
    assert!(kv.is_empty());
}

/// juju/juju internal/worker/uniter/runner/jujuc/state-set_test.go, TestStateSet:
/// "single work, not equal sign"
#[test]
fn conformance_state_set_no_equals_sign() {
    let (o, kv) = with_state(&[], "state-set", &["five"], None);
    assert_eq!(
        (o.code, o.out.as_str(), o.err.as_str()),
        (2, "", "ERROR expected \"key=value\", got \"five\"\n")
    );
    assert!(kv.is_empty());
}

/// juju/juju internal/worker/uniter/runner/jujuc/state-set_test.go, TestStateSet:
/// "set key with empty value"
#[test]
fn conformance_state_set_empty_value() {
    state_set_ok(&["one="], None, &[("one", "")]);
}

/// juju/juju internal/worker/uniter/runner/jujuc/state-set_test.go, TestStateSetExistingEmpty:
/// `one=two` then `one=` in the same hook
#[test]
fn conformance_state_set_existing_then_empty() {
    let mut st = state();
    let mut got = Vec::new();
    run(&mut st, 0, &Event::UpdateStatus, |h| {
        got.push(h.run("state-set", &["one=two"]));
        got.push(h.run("state-set", &["one="]));
        got.push(h.run("state-get", &["one"]));
        0
    });
    for o in &got {
        assert_eq!((o.code, o.out.as_str(), o.err.as_str()), (0, "", ""));
    }
    assert_eq!(st.units[&0].kv, bag(&[("one", "")]));
}

/// juju/juju internal/worker/uniter/runner/jujuc/state-delete_test.go, TestStateDelete:
/// "delete one"
#[test]
fn conformance_state_delete_one() {
    let (o, kv) = with_state(&[("five", "5"), ("one", "two")], "state-delete", &["five"], None);
    assert_eq!((o.code, o.out.as_str(), o.err.as_str()), (0, "", ""));
    assert_eq!(kv, bag(&[("one", "two")]));
}

/// juju/juju internal/worker/uniter/runner/jujuc/state-delete_test.go, TestStateDelete:
/// "no arg" (an empty key)
#[test]
fn conformance_state_delete_empty_key() {
    let (o, kv) = with_state(TWO, "state-delete", &[""], None);
    assert_eq!((o.code, o.out.as_str(), o.err.as_str()), (0, "", ""));
    assert_eq!(kv, bag(TWO));
}
