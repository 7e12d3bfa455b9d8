//! The hook-tool client as a program of its own, with nothing but the standard library: the
//! simulator's `jujuc`. Symlinked as `config-get`, `relation-set`, … it sends that call to the
//! agent socket named by `JUJU_AGENT_SOCKET_ADDRESS` and prints the answer;
//! `juju-sim-tool <tool> args…` (or `juju-sim <tool> args…`) does the same. `build.rs` compiles
//! it as `juju-sim-tool` (`juju_sim::tool_binary()`), and cargo as the `juju-sim` binary that
//! `cargo install juju-sim` installs.
//!
//! It is built from the same two modules the crate uses (`client` and `wire`), so the two
//! cannot drift apart; neither may use anything outside `std`.

#![forbid(unsafe_code)]

#[allow(dead_code)]
mod client;
#[allow(dead_code)]
mod wire;

use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut argv = std::env::args_os().map(|a| a.to_string_lossy().into_owned());
    let argv0 = argv.next().unwrap_or_default();
    let rest: Vec<String> = argv.collect();
    let name =
        Path::new(&argv0).file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let (tool, args) = if !matches!(name.as_str(), "juju-sim-tool" | "juju-sim") {
        (name.as_str(), rest.as_slice())
    } else if let Some((first, tail)) = rest.split_first() {
        (first.as_str(), tail)
    } else {
        eprintln!(
            "usage: <hook-tool> [args…]   ({name} symlinked as a hook-tool name)\n   \
             or: {name} <hook-tool> [args…]\n\
             Calls Juju hook tools on the agent socket in $JUJU_AGENT_SOCKET_ADDRESS."
        );
        return ExitCode::from(2);
    };
    let code = client::multicall_main(
        tool,
        args,
        &mut std::io::stdin().lock(),
        &mut std::io::stdout().lock(),
        &mut std::io::stderr().lock(),
    );
    ExitCode::from(u8::try_from(code).unwrap_or(1))
}
