//! The standalone `juju-sim` binary: a multi-call hook tool, the simulator's `jujuc`. Symlinked
//! as `config-get`, `relation-set`, … it sends that call to the agent socket named by
//! `JUJU_AGENT_SOCKET_ADDRESS` (served by [`juju_sim::Harness`] while a hook runs) and prints the
//! answer, as juju/juju cmd/jujuc/main.go `hookToolMain` does; `juju-sim <tool> args…` does the
//! same; anything else prints usage. It uses only [`juju_sim::multicall_main`] and the list of
//! tool names, so the model and the tools are not linked in.

use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut argv = std::env::args_os().map(|a| a.to_string_lossy().into_owned());
    let argv0 = argv.next().unwrap_or_default();
    let rest: Vec<String> = argv.collect();
    let name =
        Path::new(&argv0).file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let (tool, args) = if juju_sim::is_hook_tool(&name) {
        (name.as_str(), rest.as_slice())
    } else if let Some((first, tail)) =
        rest.split_first().filter(|(f, _)| juju_sim::is_hook_tool(f))
    {
        (first.as_str(), tail)
    } else {
        eprintln!(
            "usage: <hook-tool> [args…]   (juju-sim symlinked as a hook-tool name)\n   or: juju-sim <hook-tool> [args…]\n\
             Calls Juju hook tools on the agent socket in $JUJU_AGENT_SOCKET_ADDRESS."
        );
        return ExitCode::from(2);
    };
    let code = juju_sim::multicall_main(
        tool,
        args,
        &mut std::io::stdin().lock(),
        &mut std::io::stdout().lock(),
        &mut std::io::stderr().lock(),
    );
    ExitCode::from(u8::try_from(code).unwrap_or(1))
}
