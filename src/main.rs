//! The `ckf-crypto` executable: Juju's `dispatch`, a command-line tool, and (in the demo) the
//! hook tools of its own simulator. Which one it is comes from how it was started.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// A Juju charm that owns the cryptographic material of Charmed Kubeflow.
///
/// Juju runs this binary as the charm's `dispatch` (JUJU_DISPATCH_PATH set); otherwise it is a
/// command-line tool.
#[derive(Parser)]
#[command(name = "ckf-crypto", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a whole charm lifecycle in the built-in Juju simulator and print a summary.
    Demo {
        /// Keep the simulator's directory here instead of a temporary one.
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// Build ckf-crypto_<arch>.charm from this binary and the YAML files it carries.
    Pack {
        /// Directory to write the .charm into.
        #[arg(long, default_value = ".")]
        output: PathBuf,
    },
    /// Print a file's digest, or verify it (`<algo>:<hex>`, or a `sha256sum` list with --check).
    Checksum(ckf_crypto::checksums::CliArgs),
}

fn main() -> ExitCode {
    let argv0 = std::env::args_os().next().unwrap_or_default();
    let name =
        Path::new(&argv0).file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
    // The demo's simulator puts this binary on PATH under every hook-tool name.
    if juju_sim::is_hook_tool(&name) && std::env::var_os("JUJU_AGENT_SOCKET_ADDRESS").is_some() {
        let args: Vec<String> = std::env::args().skip(1).collect();
        let code = juju_sim::multicall_main(
            &name,
            &args,
            &mut std::io::stdin().lock(),
            &mut std::io::stdout().lock(),
            &mut std::io::stderr().lock(),
        );
        return ExitCode::from(u8::try_from(code).unwrap_or(1));
    }
    // Juju runs `dispatch` with JUJU_DISPATCH_PATH set: the framework takes it from there.
    if std::env::var_os("JUJU_DISPATCH_PATH").is_some_and(|v| !v.is_empty()) {
        return juju_charm::main(ckf_crypto::charm::CkfCrypto::from_env);
    }
    let result = match Cli::parse().command {
        Command::Demo { dir } => {
            ckf_crypto::demo::run(dir.as_deref(), &mut std::io::stdout().lock())
        }
        Command::Checksum(args) => {
            let (mut out, mut err) = (std::io::stdout().lock(), std::io::stderr().lock());
            return ExitCode::from(ckf_crypto::checksums::run_cli(&args, &mut out, &mut err));
        }
        Command::Pack { output } => ckf_crypto::pack::pack(&output).map(|path| {
            println!("{}", path.display());
        }),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ckf-crypto: {e:#}");
            ExitCode::FAILURE
        }
    }
}
