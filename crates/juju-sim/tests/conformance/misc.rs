//! Ported from juju/juju internal/worker/uniter/runner/jujuc: `credential-get_test.go`,
//! `goal-state_test.go`, `resource-get_test.go`, `unit-get_test.go` and `network-get_test.go`.
//!
//! Where the Go fake context holds data of its own (addresses, goal-state units), the simulator's
//! model provides the equivalent (the unit's address, its application's units and relations)
//! and the case checks Juju's output shape for it: field order, formats, exit codes.

use std::path::Path;

use juju_sim::{Event, State};

use crate::common::{Out, run, state};

fn in_hook(st: &mut State, tool: &str, args: &[&str]) -> Out {
    let mut got = None;
    run(st, 0, &Event::Start, |h| {
        got = Some(h.run(tool, args));
        0
    });
    got.unwrap()
}

fn check(o: &Out, code: i32, out: &str, err: &str) {
    assert_eq!((o.code, o.out.as_str(), o.err.as_str()), (code, out, err));
}

/// juju/juju internal/worker/uniter/runner/jujuc/credential-get_test.go, TestCommandRun:
/// credential-get succeeds for a trusted application
#[test]
fn conformance_credential_get_run() {
    let mut st = state();
    st.trusted = true;
    let o = in_hook(&mut st, "credential-get", &[]);
    assert_eq!((o.code, o.err.as_str()), (0, ""));
}

/// A model whose unit 0 has one relation, on `certificates`, to `istio` with one unit.
fn goal_state_model() -> State {
    let mut st = state();
    st.add_relation("certificates", "istio", 1);
    st
}

const SINCE: &str = "2026-01-01 00:00:00Z";

fn goal_yaml() -> String {
    format!(
        "units:\n  ckf-crypto/0:\n    status: active\n    since: {SINCE}\n\
         relations:\n  certificates:\n    istio:\n      status: joined\n      since: {SINCE}\n\
         \x20   istio/0:\n      status: active\n      since: {SINCE}\n"
    )
}

/// juju/juju internal/worker/uniter/runner/jujuc/goal-state_test.go, TestOutputFormatAll:
/// default format is YAML, `units` before `relations`, `status` before `since`
#[test]
fn conformance_goal_state_default_format() {
    let o = in_hook(&mut goal_state_model(), "goal-state", &[]);
    check(&o, 0, &goal_yaml(), "");
}

/// juju/juju internal/worker/uniter/runner/jujuc/goal-state_test.go, TestOutputFormatAll:
/// `--format yaml`
#[test]
fn conformance_goal_state_yaml() {
    let o = in_hook(&mut goal_state_model(), "goal-state", &["--format", "yaml"]);
    check(&o, 0, &goal_yaml(), "");
}

/// juju/juju internal/worker/uniter/runner/jujuc/goal-state_test.go, TestOutputFormatAll:
/// `--format json`, fields in Juju's order
#[test]
fn conformance_goal_state_json() {
    let o = in_hook(&mut goal_state_model(), "goal-state", &["--format", "json"]);
    let expect = format!(
        "{{\"units\":{{\"ckf-crypto/0\":{{\"status\":\"active\",\"since\":\"{SINCE}\"}}}},\
         \"relations\":{{\"certificates\":{{\"istio\":{{\"status\":\"joined\",\"since\":\"{SINCE}\"}},\
         \"istio/0\":{{\"status\":\"active\",\"since\":\"{SINCE}\"}}}}}}}}\n"
    );
    check(&o, 0, &expect, "");
}

/// juju/juju internal/worker/uniter/runner/jujuc/goal-state_test.go, TestUnknownArg:
/// no arguments are accepted
#[test]
fn conformance_goal_state_no_arguments() {
    let o = in_hook(&mut state(), "goal-state", &[]);
    assert_eq!((o.code, o.err.as_str()), (0, ""));
}

/// juju/juju internal/worker/uniter/runner/jujuc/resource-get_test.go, TestInitNilArgs and
/// TestInitTooFewArgs: no resource name
#[test]
fn conformance_resource_get_no_name() {
    let o = in_hook(&mut state(), "resource-get", &[]);
    check(&o, 2, "", "ERROR missing required resource name\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/resource-get_test.go, TestInitTooManyArgs
#[test]
fn conformance_resource_get_too_many_args() {
    let o = in_hook(&mut state(), "resource-get", &["spam", "eggs"]);
    check(&o, 2, "", "ERROR unrecognized args: [\"eggs\"]\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/resource-get_test.go, TestRun:
/// the path, without a trailing newline
#[test]
fn conformance_resource_get_run() {
    let mut st = state();
    let path = "/var/lib/juju/agents/unit-foo-1/resources/spam/a-file.tgz";
    st.add_resource("bundle", Path::new(path));
    let o = in_hook(&mut st, "resource-get", &["bundle"]);
    check(&o, 0, path, "");
}

/// juju/juju internal/worker/uniter/runner/jujuc/resource-get_test.go, TestRunDownloadFailure:
/// a download failure exits 1 with `could not download resource: <why>`
#[test]
fn conformance_resource_get_download_failure() {
    let o = in_hook(&mut state(), "resource-get", &["bundle"]);
    assert_eq!((o.code, o.out.as_str()), (1, ""));
    assert!(o.err.starts_with("ERROR could not download resource: "), "{o:?}");
    assert!(o.err.ends_with('\n'));
}

/// The simulator's address of unit 0.
const ADDR: &str = "10.1.0.10";

/// juju/juju internal/worker/uniter/runner/jujuc/unit-get_test.go, TestOutputFormat:
/// `private-address`
#[test]
fn conformance_unit_get_private_address_smart() {
    check(&in_hook(&mut state(), "unit-get", &["private-address"]), 0, &format!("{ADDR}\n"), "");
}

/// juju/juju internal/worker/uniter/runner/jujuc/unit-get_test.go, TestOutputFormat:
/// `private-address --format yaml`
#[test]
fn conformance_unit_get_private_address_yaml() {
    let o = in_hook(&mut state(), "unit-get", &["private-address", "--format", "yaml"]);
    check(&o, 0, &format!("{ADDR}\n"), "");
}

/// juju/juju internal/worker/uniter/runner/jujuc/unit-get_test.go, TestOutputFormat:
/// `private-address --format json`
#[test]
fn conformance_unit_get_private_address_json() {
    let o = in_hook(&mut state(), "unit-get", &["private-address", "--format", "json"]);
    check(&o, 0, &format!("\"{ADDR}\"\n"), "");
}

/// juju/juju internal/worker/uniter/runner/jujuc/unit-get_test.go, TestOutputFormat:
/// `public-address`
#[test]
fn conformance_unit_get_public_address_smart() {
    check(&in_hook(&mut state(), "unit-get", &["public-address"]), 0, &format!("{ADDR}\n"), "");
}

/// juju/juju internal/worker/uniter/runner/jujuc/unit-get_test.go, TestOutputFormat:
/// `public-address --format yaml`
#[test]
fn conformance_unit_get_public_address_yaml() {
    let o = in_hook(&mut state(), "unit-get", &["public-address", "--format", "yaml"]);
    check(&o, 0, &format!("{ADDR}\n"), "");
}

/// juju/juju internal/worker/uniter/runner/jujuc/unit-get_test.go, TestOutputFormat:
/// `public-address --format json`
#[test]
fn conformance_unit_get_public_address_json() {
    let o = in_hook(&mut state(), "unit-get", &["public-address", "--format", "json"]);
    check(&o, 0, &format!("\"{ADDR}\"\n"), "");
}

/// juju/juju internal/worker/uniter/runner/jujuc/unit-get_test.go, TestUnknownSetting
#[test]
fn conformance_unit_get_unknown_setting() {
    let o = in_hook(&mut state(), "unit-get", &["protected-address"]);
    check(&o, 2, "", "ERROR unknown setting \"protected-address\"\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/unit-get_test.go, TestUnknownArg
#[test]
fn conformance_unit_get_unknown_arg() {
    let o = in_hook(&mut state(), "unit-get", &["private-address", "blah"]);
    check(&o, 2, "", "ERROR unrecognized args: [\"blah\"]\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/network-get_test.go, TestNetworkGet:
/// "no arguments"
#[test]
fn conformance_network_get_no_arguments() {
    check(&in_hook(&mut state(), "network-get", &[]), 2, "", "ERROR no arguments specified\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/network-get_test.go, TestNetworkGet:
/// "empty binding name specified"
#[test]
fn conformance_network_get_empty_binding() {
    let o = in_hook(&mut state(), "network-get", &[""]);
    check(&o, 2, "", "ERROR no binding name specified\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/network-get_test.go, TestNetworkGet:
/// "unknown binding given, no extra args given"
#[test]
fn conformance_network_get_unknown_binding() {
    let o = in_hook(&mut state(), "network-get", &["unknown"]);
    check(&o, 1, "", "ERROR no network config found for binding \"unknown\"\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/network-get_test.go, TestNetworkGet:
/// "unknown binding given, with additional args"
#[test]
fn conformance_network_get_unknown_binding_with_flag() {
    let o = in_hook(&mut state(), "network-get", &["unknown", "--ingress-address"]);
    check(&o, 1, "", "ERROR no network config found for binding \"unknown\"\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/network-get_test.go, TestNetworkGet:
/// "explicitly bound relation name given with single flag arg"
#[test]
fn conformance_network_get_single_flag() {
    let o = in_hook(&mut state(), "network-get", &["certificates", "--ingress-address"]);
    check(&o, 0, &format!("{ADDR}\n"), "");
}

/// juju/juju internal/worker/uniter/runner/jujuc/network-get_test.go, TestNetworkGet:
/// "explicitly bound, extra-binding name given with multiple flag args"
#[test]
fn conformance_network_get_two_flags() {
    let o = in_hook(
        &mut state(),
        "network-get",
        &["certificates", "--ingress-address", "--bind-address"],
    );
    check(&o, 0, &format!("bind-address: {ADDR}\ningress-address: {ADDR}\n"), "");
}

/// juju/juju internal/worker/uniter/runner/jujuc/network-get_test.go, TestNetworkGet:
/// "explicit ingress and egress information" (three flags)
#[test]
fn conformance_network_get_three_flags() {
    let o = in_hook(
        &mut state(),
        "network-get",
        &["certificates", "--ingress-address", "--bind-address", "--egress-subnets"],
    );
    let expect =
        format!("bind-address: {ADDR}\negress-subnets:\n- {ADDR}/32\ningress-address: {ADDR}\n");
    check(&o, 0, &expect, "");
}
