//! The `ckf-crypto` command line: the demo, `pack` and `checksum`. Juju runs another binary,
//! `ckf-crypto-dispatch` (`src/bin/dispatch.rs`), which links none of this; the demo runs this
//! one as the charm's `dispatch`, under the simulator's hook tools.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// A Juju charm that owns the cryptographic material of Charmed Kubeflow.
///
/// The charm Juju runs is `ckf-crypto-dispatch`, packed as the `.charm`'s `dispatch`; this is
/// the command line around it.
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
    /// Build ckf-crypto_<arch>.charm from ckf-crypto-dispatch (beside this binary) and the YAML
    /// files it carries.
    Pack {
        /// Directory to write the .charm into.
        #[arg(long, default_value = ".")]
        output: PathBuf,
    },
    /// Print a file's digest, or verify it (`<algo>:<hex>`, or a `sha256sum` list with --check).
    Checksum(ckf_crypto::checksums::CliArgs),
}

fn main() -> ExitCode {
    // The demo runs this binary as `dispatch`, with JUJU_DISPATCH_PATH set: the framework takes
    // it from there, as in ckf-crypto-dispatch.
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
