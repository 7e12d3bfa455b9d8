//! Ported from juju/juju internal/worker/uniter/runner/jujuc: `config-get_test.go`.
//!
//! The Go fake context's charm config: `monsters` false, `spline-reticulation` 45 (a float),
//! `title` "My Title", `username` "admin001", and `empty` unset with no default. The Go tests
//! that parse the output (TestOutputFormatAll) are checked here against the exact text Juju's
//! formatters print for those maps: keys sorted, `null` for the unset option, the integral float
//! without a fraction.

use juju_sim::{CharmMeta, Event, State};

use crate::common::{METADATA, Out, run};

const CONFIG: &str = "\
options:
  monsters:
    type: boolean
    default: false
  spline-reticulation:
    type: float
    default: 45.0
  title:
    type: string
    default: My Title
  username:
    type: string
    default: admin001
  empty:
    type: string
";

fn config_get(args: &[&str]) -> Out {
    let meta = CharmMeta::from_yaml(METADATA, CONFIG, "").unwrap();
    let mut st = State::new(meta, "u", "m");
    let mut got = None;
    run(&mut st, 0, &Event::ConfigChanged, |h| {
        got = Some(h.run("config-get", args));
        0
    });
    got.unwrap()
}

fn ok(args: &[&str], out: &str) {
    let o = config_get(args);
    assert_eq!((o.code, o.out.as_str(), o.err.as_str()), (0, out, ""), "config-get {args:?}");
}

const SET_YAML: &str =
    "monsters: false\nspline-reticulation: 45\ntitle: My Title\nusername: admin001\n";
const SET_JSON: &str = "{\"monsters\":false,\"spline-reticulation\":45,\"title\":\"My Title\",\"username\":\"admin001\"}\n";
const ALL_YAML: &str =
    "empty: null\nmonsters: false\nspline-reticulation: 45\ntitle: My Title\nusername: admin001\n";
const ALL_JSON: &str = "{\"empty\":null,\"monsters\":false,\"spline-reticulation\":45,\"title\":\"My Title\",\"username\":\"admin001\"}\n";

/// juju/juju internal/worker/uniter/runner/jujuc/config-get_test.go, TestOutputFormatKey:
/// `monsters` (default format) prints `False`
#[test]
fn conformance_config_get_bool_key_smart() {
    ok(&["monsters"], "False\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/config-get_test.go, TestOutputFormatKey:
/// `--format yaml monsters`
#[test]
fn conformance_config_get_bool_key_yaml() {
    ok(&["--format", "yaml", "monsters"], "false\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/config-get_test.go, TestOutputFormatKey:
/// `--format json monsters`
#[test]
fn conformance_config_get_bool_key_json() {
    ok(&["--format", "json", "monsters"], "false\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/config-get_test.go, TestOutputFormatKey:
/// `spline-reticulation` (default format)
#[test]
fn conformance_config_get_float_key_smart() {
    ok(&["spline-reticulation"], "45\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/config-get_test.go, TestOutputFormatKey:
/// `--format yaml spline-reticulation`
#[test]
fn conformance_config_get_float_key_yaml() {
    ok(&["--format", "yaml", "spline-reticulation"], "45\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/config-get_test.go, TestOutputFormatKey:
/// `--format json spline-reticulation`
#[test]
fn conformance_config_get_float_key_json() {
    ok(&["--format", "json", "spline-reticulation"], "45\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/config-get_test.go, TestOutputFormatKey:
/// `missing` (default format) prints nothing
#[test]
fn conformance_config_get_missing_key_smart() {
    ok(&["missing"], "");
}

/// juju/juju internal/worker/uniter/runner/jujuc/config-get_test.go, TestOutputFormatKey:
/// `--format yaml missing` prints nothing
#[test]
fn conformance_config_get_missing_key_yaml() {
    ok(&["--format", "yaml", "missing"], "");
}

/// juju/juju internal/worker/uniter/runner/jujuc/config-get_test.go, TestOutputFormatKey:
/// `--format json missing` prints `null`
#[test]
fn conformance_config_get_missing_key_json() {
    ok(&["--format", "json", "missing"], "null\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/config-get_test.go, TestOutputFormatAll:
/// no arguments: the set options as YAML
#[test]
fn conformance_config_get_all_default_format() {
    ok(&[], SET_YAML);
}

/// juju/juju internal/worker/uniter/runner/jujuc/config-get_test.go, TestOutputFormatAll:
/// `--format yaml`
#[test]
fn conformance_config_get_all_yaml() {
    ok(&["--format", "yaml"], SET_YAML);
}

/// juju/juju internal/worker/uniter/runner/jujuc/config-get_test.go, TestOutputFormatAll:
/// `--format json`
#[test]
fn conformance_config_get_all_json() {
    ok(&["--format", "json"], SET_JSON);
}

/// juju/juju internal/worker/uniter/runner/jujuc/config-get_test.go, TestOutputFormatAll:
/// `--all --format yaml` includes the unset option
#[test]
fn conformance_config_get_all_flag_yaml() {
    ok(&["--all", "--format", "yaml"], ALL_YAML);
}

/// juju/juju internal/worker/uniter/runner/jujuc/config-get_test.go, TestOutputFormatAll:
/// `--all --format json` includes the unset option
#[test]
fn conformance_config_get_all_flag_json() {
    ok(&["--all", "--format", "json"], ALL_JSON);
}

/// juju/juju internal/worker/uniter/runner/jujuc/config-get_test.go, TestOutputFormatAll:
/// `-a --format yaml`
#[test]
fn conformance_config_get_short_all_flag_yaml() {
    ok(&["-a", "--format", "yaml"], ALL_YAML);
}

/// juju/juju internal/worker/uniter/runner/jujuc/config-get_test.go, TestOutputFormatAll:
/// `-a --format json`
#[test]
fn conformance_config_get_short_all_flag_json() {
    ok(&["-a", "--format", "json"], ALL_JSON);
}

/// juju/juju internal/worker/uniter/runner/jujuc/config-get_test.go, TestUnknownArg:
/// two keys
#[test]
fn conformance_config_get_unknown_arg() {
    let o = config_get(&["multiple", "keys"]);
    assert_eq!(
        (o.code, o.out.as_str(), o.err.as_str()),
        (2, "", "ERROR unrecognized args: [\"keys\"]\n")
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/config-get_test.go, TestAllPlusKey:
/// `--all` with a key
#[test]
fn conformance_config_get_all_plus_key() {
    let o = config_get(&["--all", "--format", "json", "monsters"]);
    assert_eq!(
        (o.code, o.out.as_str(), o.err.as_str()),
        (2, "", "ERROR cannot use argument --all together with key \"monsters\"\n")
    );
}
