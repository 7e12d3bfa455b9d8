//! The compiled `greeter` binary run as Juju runs it: spawned as `dispatch` in a unit agent's
//! directory, with hook tools on `PATH` served by the process-level simulator
//! (`juju_sim::Harness`).

mod common;

use std::path::PathBuf;
use std::process::{Command, Stdio};

use greeter_charm::{TOKEN_KEY, TOKEN_LABEL};
use juju_sim::{Event, Harness};

/// The simulator's hook-tool binary (`juju-sim`, from crates/juju-sim), built by cargo if it
/// is not up to date: cargo gives a test the binaries of its own package only.
fn juju_sim_binary() -> PathBuf {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(cargo)
        .args(["build", "--quiet", "--package", "juju-sim", "--bin", "juju-sim"])
        .arg("--message-format=json-render-diagnostics")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .expect("cargo runs");
    assert!(out.status.success(), "cargo build -p juju-sim failed");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == "juju-sim")
        .find_map(|m| m["executable"].as_str().map(PathBuf::from))
        .expect("cargo reports the juju-sim executable")
}

#[test]
fn install_runs_the_compiled_charm_to_active() {
    let dir = tempfile::tempdir().expect("tempdir");
    let dispatch = PathBuf::from(env!("CARGO_BIN_EXE_greeter"));
    let mut harness =
        Harness::new(dir.path(), &dispatch, &juju_sim_binary(), common::files(), common::state(2))
            .expect("harness");

    let out = harness.run(0, &Event::Install).expect("run");
    assert_eq!(out.exit_code, Some(0), "{}\n{:?}", out.stderr, out.logs);
    assert_eq!(out.unit_status, ("active".to_owned(), "'hello' on port 8080".to_owned()));
    assert!(out.called("secret-add"));
    let secret = harness.state().secret_by_label(TOKEN_LABEL).expect("the token secret");
    let token = secret.latest().expect("a revision").content[TOKEN_KEY].clone();
    assert_eq!(token.len(), 64);
    assert!(!out.stdout.contains(&token) && !out.stderr.contains(&token));

    // The other unit's install reads the token, as a separate process.
    let out = harness.run(1, &Event::Install).expect("run");
    assert_eq!(out.exit_code, Some(0), "{}", out.stderr);
    assert_eq!(out.unit_status.0, "active");
    assert_eq!(harness.state().secrets().len(), 1);
}
