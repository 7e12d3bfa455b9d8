//! Ported from juju/juju internal/worker/uniter/runner/jujuc: `action-get_test.go`,
//! `action-set_test.go`, `action-fail_test.go` and `action-log_test.go`.
//!
//! The Go fake context holds the action's parameters; here they are the parameters of a
//! `list-certificates` action (its schema allows any property). Outside an action the simulator
//! answers as Juju's hook context does: `not running an action`, exit 1.

use juju_sim::{ActionOutcome, Event};
use serde_json::{Value, json};

use crate::common::{Out, run, state};

fn action(params: Value) -> Event {
    Event::Action {
        name: "list-certificates".into(),
        params: params.as_object().cloned().unwrap_or_default(),
    }
}

/// Runs `tool args` once inside an action holding `params`; returns its result and the action's
/// report.
fn in_action(params: Value, tool: &str, args: &[&str]) -> (Out, ActionOutcome) {
    let mut st = state();
    let mut got = None;
    let outcome = run(&mut st, 0, &action(params), |h| {
        got = Some(h.run(tool, args));
        0
    });
    (got.unwrap(), outcome.action.unwrap())
}

/// Runs `tool args` in a hook that is not an action.
fn outside_action(tool: &str, args: &[&str]) -> Out {
    let mut st = state();
    let mut got = None;
    run(&mut st, 0, &Event::Install, |h| {
        got = Some(h.run(tool, args));
        0
    });
    got.unwrap()
}

fn action_get(params: Value, args: &[&str], out: &str) {
    let (o, _) = in_action(params, "action-get", args);
    assert_eq!((o.code, o.out.as_str(), o.err.as_str()), (0, out, ""), "action-get {args:?}");
}

fn simple() -> Value {
    json!({"outfile": "foo.bz2"})
}

fn nested() -> Value {
    json!({"outfile": {"filename": "foo.bz2", "format": "bzip"}})
}

fn typed() -> Value {
    json!({"outfile": {"type": {"1": "raw", "2": "gzip", "3": "bzip"}}})
}

/// The Go case's map keyed by the integer 5; JSON parameters can only carry it as the key "5".
fn int_keyed() -> Value {
    json!({"outfile": {"5": {"1": "raw", "2": "gzip", "3": "bzip"}}})
}

const TYPE_YAML: &str = "\"1\": raw\n\"2\": gzip\n\"3\": bzip\n";
const TYPE_JSON: &str = "{\"1\":\"raw\",\"2\":\"gzip\",\"3\":\"bzip\"}\n";
const ALL_YAML: &str = "outfile:\n  type:\n    \"1\": raw\n    \"2\": gzip\n    \"3\": bzip\n";

/// juju/juju internal/worker/uniter/runner/jujuc/action-get_test.go, TestNonActionRunFail:
/// "action-get outside an action fails with exit 1"
#[test]
fn conformance_action_get_outside_action() {
    let o = outside_action("action-get", &[]);
    assert_eq!((o.code, o.out.as_str(), o.err.as_str()), (1, "", "ERROR not running an action\n"));
}

/// juju/juju internal/worker/uniter/runner/jujuc/action-get_test.go, TestActionGet:
/// "a simple empty map with nil key" (default format)
#[test]
fn conformance_action_get_empty_map_smart() {
    action_get(json!({}), &[], "{}\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/action-get_test.go, TestActionGet:
/// "a simple empty map with nil key" (--format yaml)
#[test]
fn conformance_action_get_empty_map_yaml() {
    action_get(json!({}), &["--format", "yaml"], "{}\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/action-get_test.go, TestActionGet:
/// "a simple empty map with nil key" (--format json)
#[test]
fn conformance_action_get_empty_map_json() {
    action_get(json!({}), &["--format", "json"], "{}\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/action-get_test.go, TestActionGet:
/// "a nonexistent key" (default format)
#[test]
fn conformance_action_get_missing_key_smart() {
    action_get(json!({}), &["foo"], "");
}

/// juju/juju internal/worker/uniter/runner/jujuc/action-get_test.go, TestActionGet:
/// "a nonexistent key" (--format yaml)
#[test]
fn conformance_action_get_missing_key_yaml() {
    action_get(json!({}), &["--format", "yaml", "foo"], "");
}

/// juju/juju internal/worker/uniter/runner/jujuc/action-get_test.go, TestActionGet:
/// "a nonexistent key" (--format json)
#[test]
fn conformance_action_get_missing_key_json() {
    action_get(json!({}), &["--format", "json", "foo"], "null\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/action-get_test.go, TestActionGet:
/// "a nonexistent inner key" (outfile.type, default format)
#[test]
fn conformance_action_get_missing_inner_key_smart() {
    action_get(nested(), &["outfile.type"], "");
}

/// juju/juju internal/worker/uniter/runner/jujuc/action-get_test.go, TestActionGet:
/// "a nonexistent inner key" (outfile.type, --format yaml)
#[test]
fn conformance_action_get_missing_inner_key_yaml() {
    action_get(nested(), &["--format", "yaml", "outfile.type"], "");
}

/// juju/juju internal/worker/uniter/runner/jujuc/action-get_test.go, TestActionGet:
/// "a nonexistent inner key" (outfile.type, --format json)
#[test]
fn conformance_action_get_missing_inner_key_json() {
    action_get(nested(), &["--format", "json", "outfile.type"], "null\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/action-get_test.go, TestActionGet:
/// "a nonexistent inner key" (outfile.type.1, default format)
#[test]
fn conformance_action_get_missing_deeper_key_smart() {
    action_get(nested(), &["outfile.type.1"], "");
}

/// juju/juju internal/worker/uniter/runner/jujuc/action-get_test.go, TestActionGet:
/// "a nonexistent inner key" (outfile.type.1, --format yaml)
#[test]
fn conformance_action_get_missing_deeper_key_yaml() {
    action_get(nested(), &["--format", "yaml", "outfile.type.1"], "");
}

/// juju/juju internal/worker/uniter/runner/jujuc/action-get_test.go, TestActionGet:
/// "a nonexistent inner key" (outfile.type.1, --format json)
#[test]
fn conformance_action_get_missing_deeper_key_json() {
    action_get(nested(), &["--format", "json", "outfile.type.1"], "null\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/action-get_test.go, TestActionGet:
/// "a map with a non-string key" (default format)
#[test]
fn conformance_action_get_int_keyed_map_smart() {
    action_get(int_keyed(), &["outfile.type"], "");
}

/// juju/juju internal/worker/uniter/runner/jujuc/action-get_test.go, TestActionGet:
/// "a map with a non-string key" (--format yaml)
#[test]
fn conformance_action_get_int_keyed_map_yaml() {
    action_get(int_keyed(), &["--format", "yaml", "outfile.type"], "");
}

/// juju/juju internal/worker/uniter/runner/jujuc/action-get_test.go, TestActionGet:
/// "a map with a non-string key" (--format json)
#[test]
fn conformance_action_get_int_keyed_map_json() {
    action_get(int_keyed(), &["--format", "json", "outfile.type"], "null\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/action-get_test.go, TestActionGet:
/// "a simple map of one value to one key" (default format)
#[test]
fn conformance_action_get_one_key_smart() {
    action_get(simple(), &[], "outfile: foo.bz2\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/action-get_test.go, TestActionGet:
/// "a simple map of one value to one key" (--format yaml)
#[test]
fn conformance_action_get_one_key_yaml() {
    action_get(simple(), &["--format", "yaml"], "outfile: foo.bz2\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/action-get_test.go, TestActionGet:
/// "a simple map of one value to one key" (--format json)
#[test]
fn conformance_action_get_one_key_json() {
    action_get(simple(), &["--format", "json"], "{\"outfile\":\"foo.bz2\"}\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/action-get_test.go, TestActionGet:
/// "an entire map" (default format)
#[test]
fn conformance_action_get_entire_map_smart() {
    action_get(typed(), &[], ALL_YAML);
}

/// juju/juju internal/worker/uniter/runner/jujuc/action-get_test.go, TestActionGet:
/// "an entire map" (--format yaml)
#[test]
fn conformance_action_get_entire_map_yaml() {
    action_get(typed(), &["--format", "yaml"], ALL_YAML);
}

/// juju/juju internal/worker/uniter/runner/jujuc/action-get_test.go, TestActionGet:
/// "an entire map" (--format json)
#[test]
fn conformance_action_get_entire_map_json() {
    action_get(
        typed(),
        &["--format", "json"],
        "{\"outfile\":{\"type\":{\"1\":\"raw\",\"2\":\"gzip\",\"3\":\"bzip\"}}}\n",
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/action-get_test.go, TestActionGet:
/// "an inner map value which is itself a map" (default format)
#[test]
fn conformance_action_get_inner_map_smart() {
    action_get(typed(), &["outfile.type"], TYPE_YAML);
}

/// juju/juju internal/worker/uniter/runner/jujuc/action-get_test.go, TestActionGet:
/// "an inner map value which is itself a map" (--format yaml)
#[test]
fn conformance_action_get_inner_map_yaml() {
    action_get(typed(), &["--format", "yaml", "outfile.type"], TYPE_YAML);
}

/// juju/juju internal/worker/uniter/runner/jujuc/action-get_test.go, TestActionGet:
/// "an inner map value which is itself a map" (--format json)
#[test]
fn conformance_action_get_inner_map_json() {
    action_get(typed(), &["--format", "json", "outfile.type"], TYPE_JSON);
}

/// juju/juju internal/worker/uniter/runner/jujuc/action-get_test.go, TestActionGet:
/// "a map with an inner map keyed by interface{}" (all three formats: JSON parameters make the
/// Go case's interface-keyed map an ordinary one)
#[test]
fn conformance_action_get_interface_keyed_inner_map_all_formats() {
    action_get(typed(), &["outfile.type"], TYPE_YAML);
    action_get(typed(), &["--format", "yaml", "outfile.type"], TYPE_YAML);
    action_get(typed(), &["--format", "json", "outfile.type"], TYPE_JSON);
}

/// juju/juju internal/worker/uniter/runner/jujuc/action-get_test.go, TestActionGet:
/// "too many arguments"
#[test]
fn conformance_action_get_too_many_arguments() {
    let (o, _) = in_action(json!({}), "action-get", &["multiple", "keys"]);
    assert_eq!(
        (o.code, o.out.as_str(), o.err.as_str()),
        (2, "", "ERROR unrecognized args: [\"keys\"]\n")
    );
}

/// Runs action-set with `args`; checks exit 0, no output, and the action's results.
fn action_set_ok(args: &[&str], results: Value) {
    let (o, a) = in_action(json!({}), "action-set", args);
    assert_eq!((o.code, o.out.as_str(), o.err.as_str()), (0, "", ""), "action-set {args:?}");
    assert_eq!(Value::Object(a.results), results, "action-set {args:?}");
}

/// Runs action-set with `args`; checks exit 2, `err` on stderr and no results.
fn action_set_usage_error(args: &[&str], err: &str) {
    let (o, a) = in_action(json!({}), "action-set", args);
    assert_eq!((o.code, o.out.as_str(), o.err.as_str()), (2, "", err), "action-set {args:?}");
    assert!(a.results.is_empty());
}

/// juju/juju internal/worker/uniter/runner/jujuc/action-set_test.go,
/// TestActionSetOnNonActionContextFails: "action-set outside an action fails with exit 1"
#[test]
fn conformance_action_set_outside_action() {
    let o = outside_action("action-set", &["oops=nope"]);
    assert_eq!((o.code, o.out.as_str(), o.err.as_str()), (1, "", "ERROR not running an action\n"));
}

/// juju/juju internal/worker/uniter/runner/jujuc/action-set_test.go, TestActionSet:
/// "bare value(s) are an Init error"
#[test]
fn conformance_action_set_bare_value() {
    action_set_usage_error(
        &["result"],
        "ERROR argument \"result\" must be of the form key...=value\n",
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/action-set_test.go, TestActionSet:
/// "invalid keys are an error"
#[test]
fn conformance_action_set_invalid_key() {
    action_set_usage_error(
        &["result-Value=5"],
        "ERROR key \"result-Value\" must start and end with lowercase alphanumeric, and contain only lowercase alphanumeric, hyphens and periods\n",
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/action-set_test.go, TestActionSet:
/// "reserved key is an error"
#[test]
fn conformance_action_set_reserved_key() {
    action_set_usage_error(&["stdout=foo"], "ERROR cannot set reserved action key \"stdout\"\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/action-set_test.go, TestActionSet:
/// "empty values are not an error"
#[test]
fn conformance_action_set_empty_value() {
    action_set_ok(&["result="], json!({"result": ""}));
}

/// juju/juju internal/worker/uniter/runner/jujuc/action-set_test.go, TestActionSet:
/// "a response of one key to one value"
#[test]
fn conformance_action_set_one_key() {
    action_set_ok(&["outfile=foo.bz2"], json!({"outfile": "foo.bz2"}));
}

/// juju/juju internal/worker/uniter/runner/jujuc/action-set_test.go, TestActionSet:
/// "two keys, two values"
#[test]
fn conformance_action_set_two_keys() {
    action_set_ok(&["outfile=foo.bz2", "size=10G"], json!({"outfile": "foo.bz2", "size": "10G"}));
}

/// juju/juju internal/worker/uniter/runner/jujuc/action-set_test.go, TestActionSet:
/// "multiple = are ok"
#[test]
fn conformance_action_set_value_with_equals() {
    action_set_ok(&["outfile=foo=bz2"], json!({"outfile": "foo=bz2"}));
}

/// juju/juju internal/worker/uniter/runner/jujuc/action-set_test.go, TestActionSet:
/// "several interleaved values"
#[test]
fn conformance_action_set_interleaved_nested_values() {
    action_set_ok(
        &["outfile.name=foo.bz2", "outfile.kind.util=bzip2", "outfile.kind.ratio=high"],
        json!({"outfile": {"name": "foo.bz2", "kind": {"util": "bzip2", "ratio": "high"}}}),
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/action-set_test.go, TestActionSet:
/// "conflicting simple values" (the later one wins)
#[test]
fn conformance_action_set_conflicting_simple_values() {
    action_set_ok(&["util=bzip2", "util=5"], json!({"util": "5"}));
}

/// juju/juju internal/worker/uniter/runner/jujuc/action-set_test.go, TestActionSet:
/// "conflicted map spec: {map1:{key:val}} vs {map1:val2}" (the later one wins)
#[test]
fn conformance_action_set_conflicting_map_and_value() {
    action_set_ok(&["map1.key=val", "map1=val"], json!({"map1": "val"}));
}

/// juju/juju internal/worker/uniter/runner/jujuc/action-fail_test.go, TestActionFail:
/// "no parameters sets a default message"
#[test]
fn conformance_action_fail_default_message() {
    let (o, a) = in_action(json!({}), "action-fail", &[]);
    assert_eq!((o.code, o.out.as_str(), o.err.as_str()), (0, "", ""));
    assert_eq!(
        a.failed.as_deref(),
        Some("action failed without reason given, check action for errors")
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/action-fail_test.go, TestActionFail:
/// "a message sent is set as the failure reason"
#[test]
fn conformance_action_fail_with_message() {
    let (o, a) = in_action(json!({}), "action-fail", &["a failure message"]);
    assert_eq!((o.code, o.out.as_str(), o.err.as_str()), (0, "", ""));
    assert_eq!(a.failed.as_deref(), Some("a failure message"));
}

/// juju/juju internal/worker/uniter/runner/jujuc/action-fail_test.go, TestActionFail:
/// "extra arguments are an error, leaving the action not failed"
#[test]
fn conformance_action_fail_extra_arguments() {
    let (o, a) = in_action(json!({}), "action-fail", &["a failure message", "something else"]);
    assert_eq!(
        (o.code, o.out.as_str(), o.err.as_str()),
        (2, "", "ERROR unrecognized args: [\"something else\"]\n")
    );
    assert_eq!(a.failed, None);
}

/// juju/juju internal/worker/uniter/runner/jujuc/action-fail_test.go,
/// TestNonActionSetActionFailedFails: "action-fail outside an action fails with exit 1"
#[test]
fn conformance_action_fail_outside_action() {
    let o = outside_action("action-fail", &["oops"]);
    assert_eq!((o.code, o.out.as_str(), o.err.as_str()), (1, "", "ERROR not running an action\n"));
}

/// juju/juju internal/worker/uniter/runner/jujuc/action-log_test.go, TestActionLog:
/// "log message as a single argument"
#[test]
fn conformance_action_log_single_argument() {
    let (o, a) = in_action(json!({}), "action-log", &["a failure message"]);
    assert_eq!((o.code, o.out.as_str(), o.err.as_str()), (0, "", ""));
    assert_eq!(a.logs, ["a failure message"]);
}

/// juju/juju internal/worker/uniter/runner/jujuc/action-log_test.go, TestActionLog:
/// "more than one arguments are concatenated"
#[test]
fn conformance_action_log_arguments_concatenated() {
    let (o, a) = in_action(json!({}), "action-log", &["a log message", "something else"]);
    assert_eq!((o.code, o.out.as_str(), o.err.as_str()), (0, "", ""));
    assert_eq!(a.logs, ["a log message something else"]);
}

/// juju/juju internal/worker/uniter/runner/jujuc/action-log_test.go, TestActionLog:
/// "no message specified"
#[test]
fn conformance_action_log_no_message() {
    let (o, a) = in_action(json!({}), "action-log", &[]);
    assert_eq!((o.code, o.out.as_str(), o.err.as_str()), (2, "", "ERROR no message specified\n"));
    assert!(a.logs.is_empty());
}

/// juju/juju internal/worker/uniter/runner/jujuc/action-log_test.go, TestNonActionLogActionFails:
/// "action-log outside an action fails with exit 1"
#[test]
fn conformance_action_log_outside_action() {
    let o = outside_action("action-log", &["oops"]);
    assert_eq!((o.code, o.out.as_str(), o.err.as_str()), (1, "", "ERROR not running an action\n"));
}
