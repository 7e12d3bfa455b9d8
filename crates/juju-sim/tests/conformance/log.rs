//! Ported from juju/juju internal/worker/uniter/runner/jujuc: `juju-log_test.go`.

use juju_sim::{Event, Outcome};

use crate::common::{Out, run, state};

fn juju_log(args: &[&str]) -> (Out, Outcome) {
    let mut st = state();
    let mut got = None;
    let outcome = run(&mut st, 0, &Event::Install, |h| {
        got = Some(h.run("juju-log", args));
        0
    });
    (got.unwrap(), outcome)
}

fn usage_error(args: &[&str], err: &str) {
    let (o, outcome) = juju_log(args);
    assert_eq!((o.code, o.out.as_str(), o.err.as_str()), (2, "", err), "juju-log {args:?}");
    assert!(outcome.logs.is_empty());
}

/// juju/juju internal/worker/uniter/runner/jujuc/juju-log_test.go, TestRequiresMessage:
/// no arguments
#[test]
fn conformance_juju_log_requires_message() {
    usage_error(&[], "ERROR no message specified\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/juju-log_test.go, TestLogInitMissingLevel:
/// `-l` without a value
#[test]
fn conformance_juju_log_missing_level_short() {
    usage_error(&["-l"], "ERROR option needs an argument: -l\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/juju-log_test.go, TestLogInitMissingLevel:
/// `--log-level` without a value
#[test]
fn conformance_juju_log_missing_level_long() {
    usage_error(&["--log-level"], "ERROR option needs an argument: --log-level\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/juju-log_test.go, TestLogInitMissingMessage:
/// `-l FATAL` without a message
#[test]
fn conformance_juju_log_missing_message_short_level() {
    usage_error(&["-l", "FATAL"], "ERROR no message specified\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/juju-log_test.go, TestLogInitMissingMessage:
/// `--log-level FATAL` without a message
#[test]
fn conformance_juju_log_missing_message_long_level() {
    usage_error(&["--log-level", "FATAL"], "ERROR no message specified\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/juju-log_test.go, TestLogDeprecation:
/// `--format foo msg` logs and warns that `--format` is deprecated (no trailing newline)
#[test]
fn conformance_juju_log_format_deprecated() {
    let (o, outcome) = juju_log(&["--format", "foo", "msg"]);
    assert_eq!(
        (o.code, o.out.as_str(), o.err.as_str()),
        (0, "", "--format flag deprecated for command \"juju-log\"")
    );
    assert_eq!(outcome.logs[0].message, "msg");
}

/// juju/juju internal/worker/uniter/runner/jujuc/juju-log_test.go,
/// TestRunWithNoErrorsLogsOnRun: `foo msg` outside a relation hook is logged as one message
/// (the mocks' expectations are not observable; the log line is)
#[test]
fn conformance_juju_log_logs_message() {
    let (o, outcome) = juju_log(&["foo", "msg"]);
    assert_eq!((o.code, o.out.as_str(), o.err.as_str()), (0, "", ""));
    let lines: Vec<(&str, &str)> =
        outcome.logs.iter().map(|l| (l.level.as_str(), l.message.as_str())).collect();
    assert_eq!(lines, [("INFO", "foo msg")]);
}
