//! One integration-test binary for juju-sim (ripgrep's layout): `inproc` runs closure charms
//! through the in-process runner, `process` runs shell-script charms against the built
//! `juju-sim` binary. Modules and tests are named after the row they cover (listed in `inproc`).

// Test helpers outside #[test] functions unwrap too: a panic there is a test failure.
#![allow(clippy::unwrap_used)]

mod builders;
mod common;
mod conformance;
mod consistency;
mod context;
mod inproc;
mod pebble;
mod process;
mod structure;
