//! Ported from juju/juju internal/worker/uniter/runner/jujuc: `is-leader_test.go`,
//! `leader-get_test.go` and `leader-set_test.go`.
//!
//! The Go fake leadership context holds the settings `key=value` and `sample=settings`. The Go
//! tests that parse the output (`jc.YAMLEquals`, `jc.JSONEquals`) are checked against the exact
//! text Juju's formatters print.

use juju_sim::{Event, State};

use crate::common::{Out, bag, run, state};

/// Runs `tool args` on unit `unit` of a two-unit application whose leader is unit 0 and whose
/// leader settings are the Go fixture's.
fn on_unit(unit: u32, tool: &str, args: &[&str]) -> (Out, State) {
    let mut st = state().with_units(2);
    st.leader_settings = bag(&[("key", "value"), ("sample", "settings")]);
    let mut got = None;
    run(&mut st, unit, &Event::Start, |h| {
        got = Some(h.run(tool, args));
        0
    });
    (got.unwrap(), st)
}

fn ok(unit: u32, tool: &str, args: &[&str], out: &str) {
    let (o, _) = on_unit(unit, tool, args);
    assert_eq!((o.code, o.out.as_str(), o.err.as_str()), (0, out, ""), "{tool} {args:?}");
}

fn usage_error(tool: &str, args: &[&str], err: &str) {
    let (o, _) = on_unit(0, tool, args);
    assert_eq!((o.code, o.out.as_str(), o.err.as_str()), (2, "", err), "{tool} {args:?}");
}

/// juju/juju internal/worker/uniter/runner/jujuc/is-leader_test.go, TestInitError:
/// a positional argument
#[test]
fn conformance_is_leader_init_error() {
    usage_error("is-leader", &["blah"], "ERROR unrecognized args: [\"blah\"]\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/is-leader_test.go, TestInitSuccess:
/// no arguments
#[test]
fn conformance_is_leader_init_success() {
    let (o, _) = on_unit(0, "is-leader", &[]);
    assert_eq!(o.code, 0);
}

/// juju/juju internal/worker/uniter/runner/jujuc/is-leader_test.go, TestFormatError:
/// `--format bad`
#[test]
fn conformance_is_leader_format_error() {
    usage_error(
        "is-leader",
        &["--format", "bad"],
        "ERROR invalid value \"bad\" for option --format: unknown format \"bad\"\n",
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/is-leader_test.go, TestFormatDefaultYes
#[test]
fn conformance_is_leader_default_format_yes() {
    ok(0, "is-leader", &[], "True\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/is-leader_test.go, TestFormatDefaultNo
#[test]
fn conformance_is_leader_default_format_no() {
    ok(1, "is-leader", &[], "False\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/is-leader_test.go, TestFormatSmartYes
#[test]
fn conformance_is_leader_smart_yes() {
    ok(0, "is-leader", &["--format", "smart"], "True\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/is-leader_test.go, TestFormatSmartNo
#[test]
fn conformance_is_leader_smart_no() {
    ok(1, "is-leader", &["--format", "smart"], "False\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/is-leader_test.go, TestFormatYamlYes
#[test]
fn conformance_is_leader_yaml_yes() {
    ok(0, "is-leader", &["--format", "yaml"], "true\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/is-leader_test.go, TestFormatYamlNo
#[test]
fn conformance_is_leader_yaml_no() {
    ok(1, "is-leader", &["--format", "yaml"], "false\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/is-leader_test.go, TestFormatJsonYes
#[test]
fn conformance_is_leader_json_yes() {
    ok(0, "is-leader", &["--format", "json"], "true\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/is-leader_test.go, TestFormatJsonNo
#[test]
fn conformance_is_leader_json_no() {
    ok(1, "is-leader", &["--format", "json"], "false\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/leader-get_test.go, TestInitError:
/// a key containing `=`
#[test]
fn conformance_leader_get_init_error() {
    usage_error("leader-get", &["x=x"], "ERROR invalid key \"x=x\"\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/leader-get_test.go, TestInitKey, TestInitAll
/// and TestInitEmpty: a key, `-` and no argument are all accepted
#[test]
fn conformance_leader_get_init_key_all_empty() {
    for args in [&["some-key"][..], &["-"], &[]] {
        let (o, _) = on_unit(0, "leader-get", args);
        assert_eq!((o.code, o.err.as_str()), (0, ""), "{args:?}");
    }
}

/// juju/juju internal/worker/uniter/runner/jujuc/leader-get_test.go, TestFormatError:
/// `--format bad`
#[test]
fn conformance_leader_get_format_error() {
    usage_error(
        "leader-get",
        &["--format", "bad"],
        "ERROR invalid value \"bad\" for option --format: unknown format \"bad\"\n",
    );
}

const ALL_YAML: &str = "key: value\nsample: settings\n";
const ALL_JSON: &str = "{\"key\":\"value\",\"sample\":\"settings\"}\n";

/// juju/juju internal/worker/uniter/runner/jujuc/leader-get_test.go,
/// TestSettingsFormatDefaultMissingKey
#[test]
fn conformance_leader_get_default_missing_key() {
    ok(0, "leader-get", &["unknown"], "");
}

/// juju/juju internal/worker/uniter/runner/jujuc/leader-get_test.go,
/// TestSettingsFormatDefaultKey
#[test]
fn conformance_leader_get_default_key() {
    ok(0, "leader-get", &["key"], "value\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/leader-get_test.go,
/// TestSettingsFormatDefaultAll: `-`
#[test]
fn conformance_leader_get_default_all() {
    ok(0, "leader-get", &["-"], ALL_YAML);
}

/// juju/juju internal/worker/uniter/runner/jujuc/leader-get_test.go,
/// TestSettingsFormatDefaultEmpty: no argument
#[test]
fn conformance_leader_get_default_empty() {
    ok(0, "leader-get", &[], ALL_YAML);
}

/// juju/juju internal/worker/uniter/runner/jujuc/leader-get_test.go,
/// TestSettingsFormatSmartMissingKey
#[test]
fn conformance_leader_get_smart_missing_key() {
    ok(0, "leader-get", &["--format", "smart", "unknown"], "");
}

/// juju/juju internal/worker/uniter/runner/jujuc/leader-get_test.go, TestSettingsFormatSmartKey
#[test]
fn conformance_leader_get_smart_key() {
    ok(0, "leader-get", &["--format", "smart", "key"], "value\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/leader-get_test.go, TestSettingsFormatSmartAll
#[test]
fn conformance_leader_get_smart_all() {
    ok(0, "leader-get", &["--format", "smart", "-"], ALL_YAML);
}

/// juju/juju internal/worker/uniter/runner/jujuc/leader-get_test.go,
/// TestSettingsFormatSmartEmpty
#[test]
fn conformance_leader_get_smart_empty() {
    ok(0, "leader-get", &["--format", "smart"], ALL_YAML);
}

/// juju/juju internal/worker/uniter/runner/jujuc/leader-get_test.go,
/// TestSettingsFormatJSONMissingKey
#[test]
fn conformance_leader_get_json_missing_key() {
    ok(0, "leader-get", &["--format", "json", "unknown"], "null\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/leader-get_test.go, TestSettingsFormatJSONKey
#[test]
fn conformance_leader_get_json_key() {
    ok(0, "leader-get", &["--format", "json", "key"], "\"value\"\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/leader-get_test.go, TestSettingsFormatJSONAll
#[test]
fn conformance_leader_get_json_all() {
    ok(0, "leader-get", &["--format", "json", "-"], ALL_JSON);
}

/// juju/juju internal/worker/uniter/runner/jujuc/leader-get_test.go,
/// TestSettingsFormatJSONEmpty
#[test]
fn conformance_leader_get_json_empty() {
    ok(0, "leader-get", &["--format", "json"], ALL_JSON);
}

/// juju/juju internal/worker/uniter/runner/jujuc/leader-get_test.go,
/// TestSettingsFormatYAMLMissingKey
#[test]
fn conformance_leader_get_yaml_missing_key() {
    ok(0, "leader-get", &["--format", "yaml", "unknown"], "");
}

/// juju/juju internal/worker/uniter/runner/jujuc/leader-get_test.go, TestSettingsFormatYAMLKey
#[test]
fn conformance_leader_get_yaml_key() {
    ok(0, "leader-get", &["--format", "yaml", "key"], "value\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/leader-get_test.go, TestSettingsFormatYAMLAll
#[test]
fn conformance_leader_get_yaml_all() {
    ok(0, "leader-get", &["--format", "yaml", "-"], ALL_YAML);
}

/// juju/juju internal/worker/uniter/runner/jujuc/leader-get_test.go,
/// TestSettingsFormatYAMLEmpty
#[test]
fn conformance_leader_get_yaml_empty() {
    ok(0, "leader-get", &["--format", "yaml"], ALL_YAML);
}

/// juju/juju internal/worker/uniter/runner/jujuc/leader-set_test.go, TestInitError:
/// an argument without `=`
#[test]
fn conformance_leader_set_init_error() {
    usage_error("leader-set", &["nonsense"], "ERROR expected \"key=value\", got \"nonsense\"\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/leader-set_test.go, TestInitEmpty and
/// TestWriteEmpty: no arguments write nothing
#[test]
fn conformance_leader_set_write_empty() {
    let (o, st) = on_unit(0, "leader-set", &[]);
    assert_eq!((o.code, o.out.as_str(), o.err.as_str()), (0, "", ""));
    assert_eq!(st.leader_settings, bag(&[("key", "value"), ("sample", "settings")]));
}

/// juju/juju internal/worker/uniter/runner/jujuc/leader-set_test.go, TestInitValues and
/// TestWriteValues: `foo=bar baz=qux`
#[test]
fn conformance_leader_set_write_values() {
    let (o, st) = on_unit(0, "leader-set", &["foo=bar", "baz=qux"]);
    assert_eq!((o.code, o.out.as_str(), o.err.as_str()), (0, "", ""));
    assert_eq!(st.leader_settings["foo"], "bar");
    assert_eq!(st.leader_settings["baz"], "qux");
}
