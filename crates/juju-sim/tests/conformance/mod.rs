//! Conformance with Juju's own hook-tool unit tests.
//!
//! Each module ports the cases of one or more of juju/juju's
//! `internal/worker/uniter/runner/jujuc/<tool>_test.go` files: the same arguments, in a model
//! holding what the Go test's fake context holds, checked for the same exit code, stdout and
//! stderr. Every test's name contains `conformance` and its doc comment names the Go test it
//! comes from. Where the simulator and Juju disagreed, the simulator was changed: Juju wins.
//!
//! The Go tests call a tool's `Run` through `cmdtesting.RunCommand`, which prints a failure as
//! `ERROR <message>` on stderr and exits 2 for a flag or argument error (`cmd.ErrSilent` aside)
//! and 1 for any other error, as `jujuc` does: the tests here check what a charm would see.

use crate::common::Out;

/// A tool call that succeeded: exit 0, `stdout` exactly, nothing on stderr.
#[track_caller]
fn ok(o: &Out, stdout: &str) {
    assert_eq!((o.code, o.out.as_str(), o.err.as_str()), (0, stdout, ""), "{o:?}");
}

/// A tool call that failed as Juju fails it: exit `code`, nothing on stdout, `ERROR <msg>`.
#[track_caller]
fn fails(o: &Out, code: i32, msg: &str) {
    assert_eq!((o.code, o.out.as_str(), o.err.clone()), (code, "", format!("ERROR {msg}\n")));
}

mod action;
mod config;
mod leader;
mod log;
mod misc;
mod ports;
mod relation;
mod secret;
mod state;
mod status;
