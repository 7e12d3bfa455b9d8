//! `cargo charm pack`: builds a Rust charm's binary in release mode and packs it, with the
//! charm's YAML found next to the package's `Cargo.toml`, into `<name>_<arch>.charm`.
//!
//! Cargo runs `cargo-charm charm pack ...` for `cargo charm pack ...`; `cargo-charm pack ...`
//! works too.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

use cargo_charm::{Base, CharmYaml, PackOptions};
use clap::{Args, Parser, Subcommand};
use serde::Deserialize;

/// Pack a Juju charm written in Rust into a .charm.
#[derive(Parser, Debug)]
#[command(name = "cargo-charm", bin_name = "cargo charm", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Build the package's binary (release) and pack it with the charm's YAML into
    /// <name>_<arch>.charm, with .sha256 and .sha512 files beside it.
    Pack(PackArgs),
}

#[derive(Args, Debug)]
struct PackArgs {
    /// The package to pack [default: the package of the current directory].
    #[arg(short, long, value_name = "SPEC")]
    package: Option<String>,
    /// The binary to ship as `dispatch`, when the package has several.
    #[arg(long, value_name = "NAME")]
    bin: Option<String>,
    /// Build with the release profile (the default: a charm always ships optimised).
    #[arg(long)]
    release: bool,
    /// Build for this target triple; its architecture names the .charm [default: the host's].
    #[arg(long, value_name = "TRIPLE")]
    target: Option<String>,
    /// The directory to write the .charm and its checksums into.
    #[arg(short, long, value_name = "DIR", default_value = ".")]
    output: PathBuf,
    /// The base written to manifest.yaml [default: charmcraft.yaml's `base`, else ubuntu@24.04].
    #[arg(long, value_name = "OS@CHANNEL")]
    base: Option<Base>,
    /// Path to the Cargo.toml of the package or workspace.
    #[arg(long, value_name = "PATH")]
    manifest_path: Option<PathBuf>,
}

fn main() -> ExitCode {
    let cli = Cli::parse_from(cargo_args(std::env::args_os()));
    let Cmd::Pack(args) = cli.command;
    match pack(&args) {
        Ok(path) => {
            println!("{}", path.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The arguments without the `charm` that `cargo charm` passes first.
fn cargo_args(args: impl IntoIterator<Item = OsString>) -> Vec<OsString> {
    let mut args: Vec<OsString> = args.into_iter().collect();
    if args.get(1).is_some_and(|a| a == "charm") {
        args.remove(1);
    }
    args
}

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// What `cargo metadata --no-deps` says about the workspace.
#[derive(Deserialize, Debug)]
struct Metadata {
    packages: Vec<Package>,
    workspace_root: PathBuf,
}

#[derive(Deserialize, Debug)]
struct Package {
    name: String,
    manifest_path: PathBuf,
    targets: Vec<Target>,
}

#[derive(Deserialize, Debug)]
struct Target {
    name: String,
    kind: Vec<String>,
}

/// One line of `cargo build --message-format=json`; only artifacts matter here.
#[derive(Deserialize, Debug)]
struct Message {
    reason: String,
    #[serde(default)]
    manifest_path: Option<PathBuf>,
    #[serde(default)]
    target: Option<Target>,
    #[serde(default)]
    executable: Option<PathBuf>,
}

fn pack(args: &PackArgs) -> Result<PathBuf> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let metadata = cargo_metadata(&cargo, args.manifest_path.as_deref())?;
    let cwd = std::env::current_dir()?;
    let package = select_package(&metadata, args.package.as_deref(), &cwd)?;
    let dir = package.manifest_path.parent().unwrap_or(Path::new("."));
    // Read the YAML first: a charm without metadata fails before a long build.
    let yaml = CharmYaml::from_dir(dir)?;
    let bin = select_bin(package, args.bin.as_deref())?;
    let locked = metadata.workspace_root.join("Cargo.lock").is_file();
    let exe = build(&cargo, args, package, bin, locked)?;
    let binary = std::fs::read(&exe).map_err(|e| format!("cannot read {}: {e}", exe.display()))?;
    let arch = match &args.target {
        Some(triple) => Some(
            cargo_charm::arch_from_target(triple)
                .ok_or_else(|| format!("Juju runs on no architecture of the target {triple}"))?,
        ),
        None => cargo_charm::arch_of_elf(&binary).or(Some(cargo_charm::host_arch())),
    };
    let options = PackOptions {
        output: args.output.clone(),
        arch: arch.map(str::to_owned),
        base: args.base.clone(),
    };
    Ok(cargo_charm::pack(&binary, &yaml, &options)?)
}

fn cargo_metadata(cargo: &OsString, manifest_path: Option<&Path>) -> Result<Metadata> {
    let mut cmd = Command::new(cargo);
    cmd.args(["metadata", "--format-version", "1", "--no-deps"]);
    if let Some(path) = manifest_path {
        cmd.arg("--manifest-path").arg(path);
    }
    let out =
        cmd.stderr(Stdio::inherit()).output().map_err(|e| format!("cannot run cargo: {e}"))?;
    if !out.status.success() {
        return Err("`cargo metadata` failed (see above)".into());
    }
    Ok(serde_json::from_slice(&out.stdout)
        .map_err(|e| format!("cannot read the output of `cargo metadata`: {e}"))?)
}

/// The package named `spec`, or else the one whose directory holds `cwd` (the innermost).
fn select_package<'m>(meta: &'m Metadata, spec: Option<&str>, cwd: &Path) -> Result<&'m Package> {
    if let Some(name) = spec {
        return meta.packages.iter().find(|p| p.name == name).ok_or_else(|| {
            let names: Vec<&str> = meta.packages.iter().map(|p| p.name.as_str()).collect();
            format!("no package '{name}' in the workspace: pick one of {}", names.join(", ")).into()
        });
    }
    meta.packages
        .iter()
        .filter(|p| p.manifest_path.parent().is_some_and(|d| cwd.starts_with(d)))
        .max_by_key(|p| p.manifest_path.as_os_str().len())
        .ok_or_else(|| {
            "no package in the current directory: run this in the charm's package directory, \
             or pass -p <package>"
                .into()
        })
}

/// The binary target to ship: `name`, the only one, or the one named after the package.
fn select_bin<'p>(package: &'p Package, name: Option<&str>) -> Result<&'p str> {
    let bins: Vec<&str> = package
        .targets
        .iter()
        .filter(|t| t.kind.iter().any(|k| k == "bin"))
        .map(|t| t.name.as_str())
        .collect();
    let pick = match name {
        Some(name) => bins.iter().find(|b| **b == name),
        None if bins.len() == 1 => bins.first(),
        None => bins.iter().find(|b| **b == package.name),
    };
    pick.copied().ok_or_else(|| match (name, bins.is_empty()) {
        (_, true) => format!(
            "package '{}' has no binary: a charm's dispatch is a binary (add src/main.rs)",
            package.name
        )
        .into(),
        (Some(name), false) => {
            format!("package '{}' has no binary '{name}': it has {}", package.name, bins.join(", "))
                .into()
        }
        (None, false) => format!(
            "package '{}' has several binaries ({}): pass --bin <name>",
            package.name,
            bins.join(", ")
        )
        .into(),
    })
}

/// Runs `cargo build --release` for the binary and returns the path of the executable.
fn build(
    cargo: &OsString,
    args: &PackArgs,
    package: &Package,
    bin: &str,
    locked: bool,
) -> Result<PathBuf> {
    let mut cmd = Command::new(cargo);
    cmd.args(["build", "--release", "--message-format=json-render-diagnostics"]).args([
        "--package",
        &package.name,
        "--bin",
        bin,
    ]);
    if locked {
        cmd.arg("--locked");
    }
    if let Some(target) = &args.target {
        cmd.args(["--target", target]);
    }
    if let Some(path) = &args.manifest_path {
        cmd.arg("--manifest-path").arg(path);
    }
    let out = cmd
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !out.status.success() {
        return Err(format!("`cargo build` of '{}' failed (see above)", package.name).into());
    }
    executable(&String::from_utf8_lossy(&out.stdout), &package.manifest_path, bin)
        .ok_or_else(|| format!("`cargo build` did not report the binary '{bin}'").into())
}

/// The executable of binary `bin` of the package at `manifest_path`, from cargo's JSON messages.
fn executable(messages: &str, manifest_path: &Path, bin: &str) -> Option<PathBuf> {
    messages.lines().filter_map(|l| serde_json::from_str::<Message>(l).ok()).find_map(|m| {
        let ours = m.reason == "compiler-artifact"
            && m.manifest_path.as_deref() == Some(manifest_path)
            && m.target
                .as_ref()
                .is_some_and(|t| t.name == bin && t.kind.iter().any(|k| k == "bin"));
        if ours { m.executable } else { None }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> PackArgs {
        let Cmd::Pack(args) = Cli::try_parse_from(cargo_args(args.iter().map(OsString::from)))
            .expect("parses")
            .command;
        args
    }

    #[test]
    fn runs_as_a_cargo_subcommand_or_on_its_own() {
        let a = parse(&["cargo-charm", "charm", "pack", "-p", "greeter-charm", "--release"]);
        assert_eq!(a.package.as_deref(), Some("greeter-charm"));
        assert_eq!(a.output, PathBuf::from("."));
        let a = parse(&["cargo-charm", "pack", "--target", "aarch64-unknown-linux-gnu", "-o", "x"]);
        assert_eq!(
            (a.target.as_deref(), a.output),
            (Some("aarch64-unknown-linux-gnu"), "x".into())
        );
        let a = parse(&["cargo-charm", "pack", "--base", "ubuntu@22.04"]);
        assert_eq!(a.base, Some(Base { name: "ubuntu".into(), channel: "22.04".into() }));
        assert!(Cli::try_parse_from(["cargo-charm", "pack", "--base", "jammy"]).is_err());
    }

    fn meta() -> Metadata {
        let target = |name: &str, kind: &str| Target { name: name.into(), kind: vec![kind.into()] };
        Metadata {
            workspace_root: "/w".into(),
            packages: vec![
                Package {
                    name: "root".into(),
                    manifest_path: "/w/Cargo.toml".into(),
                    targets: vec![target("root", "bin"), target("tool", "bin")],
                },
                Package {
                    name: "greeter-charm".into(),
                    manifest_path: "/w/examples/greeter/Cargo.toml".into(),
                    targets: vec![target("greeter_charm", "lib"), target("greeter", "bin")],
                },
                Package {
                    name: "lib-only".into(),
                    manifest_path: "/w/crates/lib-only/Cargo.toml".into(),
                    targets: vec![target("lib_only", "lib")],
                },
            ],
        }
    }

    #[test]
    fn picks_the_package_and_its_binary() {
        let m = meta();
        let cwd = Path::new("/w/examples/greeter/src");
        assert_eq!(select_package(&m, None, cwd).expect("found").name, "greeter-charm");
        assert_eq!(select_package(&m, None, Path::new("/w/docs")).expect("found").name, "root");
        assert_eq!(select_package(&m, Some("root"), cwd).expect("found").name, "root");
        let err = select_package(&m, Some("nope"), cwd).expect_err("missing").to_string();
        assert!(err.contains("no package 'nope'") && err.contains("greeter-charm"), "{err}");
        assert!(select_package(&m, None, Path::new("/elsewhere")).is_err());

        assert_eq!(select_bin(&m.packages[1], None).expect("bin"), "greeter");
        assert_eq!(select_bin(&m.packages[0], None).expect("bin"), "root");
        assert_eq!(select_bin(&m.packages[0], Some("tool")).expect("bin"), "tool");
        let err = select_bin(&m.packages[2], None).expect_err("no bin").to_string();
        assert!(err.contains("has no binary"), "{err}");
    }

    #[test]
    fn finds_the_executable_in_cargo_messages() {
        let messages = r#"{"reason":"compiler-artifact","manifest_path":"/w/examples/greeter/Cargo.toml","target":{"name":"greeter_charm","kind":["lib"]},"executable":null}
{"reason":"compiler-artifact","manifest_path":"/w/examples/greeter/Cargo.toml","target":{"name":"greeter","kind":["bin"]},"executable":"/w/target/release/greeter"}
{"reason":"build-finished","success":true}"#;
        let manifest = Path::new("/w/examples/greeter/Cargo.toml");
        assert_eq!(
            executable(messages, manifest, "greeter"),
            Some("/w/target/release/greeter".into())
        );
        assert_eq!(executable(messages, Path::new("/w/Cargo.toml"), "greeter"), None);
    }
}
