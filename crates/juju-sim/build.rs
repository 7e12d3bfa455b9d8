//! Compiles the hook-tool client (`src/tool_main.rs`, with `src/client.rs` and `src/wire.rs`,
//! all standard library only) into `$OUT_DIR/juju-sim-tool`, so that a crate testing its charm
//! with this one gets the hook tools it needs from a plain dev-dependency: cargo builds no
//! binary of a dependency, and `juju_sim::tool_binary()` names this one.
//!
//! It is built with the same `rustc` cargo uses, for the machine the build runs on (where the
//! tests run). On docs.rs, or with `JUJU_SIM_NO_TOOL` set, nothing is compiled and
//! `tool_binary()` names a file that does not exist.

use std::path::PathBuf;
use std::process::Command;

fn main() {
    for file in ["src/tool_main.rs", "src/client.rs", "src/wire.rs"] {
        println!("cargo::rerun-if-changed={file}");
    }
    println!("cargo::rerun-if-env-changed=JUJU_SIM_NO_TOOL");
    if std::env::var_os("DOCS_RS").is_some() || std::env::var_os("JUJU_SIM_NO_TOOL").is_some() {
        return;
    }
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let status = Command::new(rustc)
        .args(["--edition=2024", "--crate-type=bin", "--crate-name=juju_sim_tool"])
        .args(["-C", "opt-level=2", "-C", "debuginfo=0", "-C", "strip=symbols"])
        .arg("src/tool_main.rs")
        .arg("-o")
        .arg(out.join("juju-sim-tool"))
        .status()
        .expect("running rustc to build the hook-tool client");
    assert!(status.success(), "rustc could not build src/tool_main.rs (the hook-tool client)");
}
