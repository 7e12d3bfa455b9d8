//! Ported from juju/juju internal/worker/uniter/runner/jujuc: `ports_test.go` and
//! `opened-ports_test.go`.
//!
//! TestOpenClose runs its rows in sequence against one context: the test for row N replays rows
//! 0..=N in one hook, checks each call's output and the unit's open ports once the hook
//! committed. The opened-ports cases start from ports the unit already has open, as the Go fake
//! context does.

use std::collections::BTreeSet;

use juju_sim::{Event, State};

use crate::common::{Out, run, state};

/// TestOpenClose's rows: the call, and the unit's open ports after it (all endpoints).
const OPEN_CLOSE: &[(&[&str], &[&str])] = &[
    (&["open-port", "80"], &["80/tcp"]),
    (&["open-port", "99/tcp"], &["80/tcp", "99/tcp"]),
    (&["open-port", "100-200"], &["80/tcp", "99/tcp", "100-200/tcp"]),
    (&["open-port", "443/udp"], &["80/tcp", "99/tcp", "100-200/tcp", "443/udp"]),
    (&["close-port", "80/TCP"], &["99/tcp", "100-200/tcp", "443/udp"]),
    (&["close-port", "100-200/tcP"], &["99/tcp", "443/udp"]),
    (&["close-port", "443"], &["99/tcp", "443/udp"]),
    (&["close-port", "443/udp"], &["99/tcp"]),
    (&["open-port", "123/udp"], &["99/tcp", "123/udp"]),
    (&["close-port", "9999/UDP"], &["99/tcp", "123/udp"]),
    (&["open-port", "icmp"], &["icmp", "99/tcp", "123/udp"]),
];

/// Replays TestOpenClose's rows 0..=`row` and checks the ports after the last.
fn open_close(row: usize) {
    let mut st = state();
    let mut outs = Vec::new();
    run(&mut st, 0, &Event::Start, |h| {
        for (call, _) in &OPEN_CLOSE[..=row] {
            outs.push(h.run(call[0], &call[1..]));
        }
        0
    });
    for o in outs {
        assert_eq!((o.code, o.out.as_str(), o.err.as_str()), (0, "", ""));
    }
    let want: BTreeSet<String> = OPEN_CLOSE[row].1.iter().map(|p| p.to_string()).collect();
    assert_eq!(st.units[&0].ports, want, "after {:?}", OPEN_CLOSE[row].0);
}

/// juju/juju internal/worker/uniter/runner/jujuc/ports_test.go, TestOpenClose: `open-port 80`
#[test]
fn conformance_ports_open_80() {
    open_close(0);
}

/// juju/juju internal/worker/uniter/runner/jujuc/ports_test.go, TestOpenClose:
/// `open-port 99/tcp`
#[test]
fn conformance_ports_open_99_tcp() {
    open_close(1);
}

/// juju/juju internal/worker/uniter/runner/jujuc/ports_test.go, TestOpenClose:
/// `open-port 100-200`
#[test]
fn conformance_ports_open_range() {
    open_close(2);
}

/// juju/juju internal/worker/uniter/runner/jujuc/ports_test.go, TestOpenClose:
/// `open-port 443/udp`
#[test]
fn conformance_ports_open_udp() {
    open_close(3);
}

/// juju/juju internal/worker/uniter/runner/jujuc/ports_test.go, TestOpenClose:
/// `close-port 80/TCP`
#[test]
fn conformance_ports_close_upper_case_protocol() {
    open_close(4);
}

/// juju/juju internal/worker/uniter/runner/jujuc/ports_test.go, TestOpenClose:
/// `close-port 100-200/tcP`
#[test]
fn conformance_ports_close_range_mixed_case_protocol() {
    open_close(5);
}

/// juju/juju internal/worker/uniter/runner/jujuc/ports_test.go, TestOpenClose:
/// `close-port 443` (tcp, not open) changes nothing
#[test]
fn conformance_ports_close_unopened_tcp() {
    open_close(6);
}

/// juju/juju internal/worker/uniter/runner/jujuc/ports_test.go, TestOpenClose:
/// `close-port 443/udp`
#[test]
fn conformance_ports_close_udp() {
    open_close(7);
}

/// juju/juju internal/worker/uniter/runner/jujuc/ports_test.go, TestOpenClose:
/// `open-port 123/udp`
#[test]
fn conformance_ports_open_123_udp() {
    open_close(8);
}

/// juju/juju internal/worker/uniter/runner/jujuc/ports_test.go, TestOpenClose:
/// `close-port 9999/UDP` (not open) changes nothing
#[test]
fn conformance_ports_close_unopened_udp() {
    open_close(9);
}

/// juju/juju internal/worker/uniter/runner/jujuc/ports_test.go, TestOpenClose:
/// `open-port icmp`
#[test]
fn conformance_ports_open_icmp() {
    open_close(10);
}

/// Runs `tool args` in a hook of a unit whose open ports are `ports`.
fn with_ports(ports: &[&str], tool: &str, args: &[&str]) -> (Out, State) {
    let mut st = state();
    st.units.get_mut(&0).unwrap().ports = ports.iter().map(|p| p.to_string()).collect();
    let mut got = None;
    run(&mut st, 0, &Event::Start, |h| {
        got = Some(h.run(tool, args));
        0
    });
    (got.unwrap(), st)
}

/// juju/juju internal/worker/uniter/runner/jujuc/ports_test.go, TestOpenCloseDeprecation:
/// `open-port --format foo 80` opens the port and warns on stderr (no trailing newline)
#[test]
fn conformance_ports_open_port_format_deprecated() {
    let (o, st) = with_ports(&[], "open-port", &["--format", "foo", "80"]);
    assert_eq!(
        (o.code, o.out.as_str(), o.err.as_str()),
        (0, "", "--format flag deprecated for command \"open-port\"")
    );
    assert!(st.units[&0].ports.contains("80/tcp"));
}

/// juju/juju internal/worker/uniter/runner/jujuc/ports_test.go, TestOpenCloseDeprecation:
/// `close-port --format foo 80/TCP` closes the port and warns on stderr (no trailing newline)
#[test]
fn conformance_ports_close_port_format_deprecated() {
    let (o, st) = with_ports(&["80/tcp"], "close-port", &["--format", "foo", "80/TCP"]);
    assert_eq!(
        (o.code, o.out.as_str(), o.err.as_str()),
        (0, "", "--format flag deprecated for command \"close-port\"")
    );
    assert!(st.units[&0].ports.is_empty());
}

/// The ports the Go fixture opens for every endpoint (80/tcp, 53-55/udp) and for one endpoint
/// (10-20/tcp on foo, 63/udp on bar); without `--endpoints` they are listed alike.
const OPENED: &[&str] = &["80/tcp", "10-20/tcp", "63/udp", "53-55/udp"];

fn opened_ports(args: &[&str], out: &str) {
    let (o, _) = with_ports(OPENED, "opened-ports", args);
    assert_eq!((o.code, o.out.as_str(), o.err.as_str()), (0, out, ""), "opened-ports {args:?}");
}

const SORTED: &str = "10-20/tcp\n80/tcp\n53-55/udp\n63/udp\n";

/// juju/juju internal/worker/uniter/runner/jujuc/opened-ports_test.go, TestRunAllFormats:
/// default format
#[test]
fn conformance_opened_ports_default_format() {
    opened_ports(&[], SORTED);
}

/// juju/juju internal/worker/uniter/runner/jujuc/opened-ports_test.go, TestRunAllFormats:
/// `--format smart`
#[test]
fn conformance_opened_ports_smart() {
    opened_ports(&["--format", "smart"], SORTED);
}

/// juju/juju internal/worker/uniter/runner/jujuc/opened-ports_test.go, TestRunAllFormats:
/// `--format json`
#[test]
fn conformance_opened_ports_json() {
    opened_ports(&["--format", "json"], "[\"10-20/tcp\",\"80/tcp\",\"53-55/udp\",\"63/udp\"]\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/opened-ports_test.go, TestRunAllFormats:
/// `--format yaml`
#[test]
fn conformance_opened_ports_yaml() {
    opened_ports(&["--format", "yaml"], "- 10-20/tcp\n- 80/tcp\n- 53-55/udp\n- 63/udp\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/opened-ports_test.go, TestBadArgs
#[test]
fn conformance_opened_ports_bad_args() {
    let (o, _) = with_ports(OPENED, "opened-ports", &["foo"]);
    assert_eq!(
        (o.code, o.out.as_str(), o.err.as_str()),
        (2, "", "ERROR unrecognized args: [\"foo\"]\n")
    );
}
