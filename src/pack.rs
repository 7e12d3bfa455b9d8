//! `ckf-crypto pack`: the `.charm` built offline, without charmcraft.
//!
//! A `.charm` is a zip that Juju unpacks into the charm directory. This one holds the
//! `ckf-crypto-dispatch` binary built beside the running `ckf-crypto` as `dispatch` (mode 0755,
//! kept in the zip's Unix attributes, since Juju runs it with `exec.LookPath`) and the YAML
//! files the binary carries from build time, plus a `manifest.yaml` naming the base. The zip itself is built by the `cargo-charm` crate (the
//! packer any Rust charm can use, `cargo charm pack`): entries in a fixed order with a fixed
//! timestamp, so packing the same binary twice gives byte-identical files, and
//! `<charm>.sha256` and `<charm>.sha512` beside it for `sha256sum -c` / `sha512sum -c`.

use std::path::{Path, PathBuf};

use anyhow::Context;
use cargo_charm::CharmYaml;

use crate::files;

/// The Debian/Juju name of the architecture this binary was built for.
pub fn arch() -> &'static str {
    cargo_charm::host_arch()
}

/// The file name of the binary Juju runs, built beside `ckf-crypto` by the same cargo build.
pub const DISPATCH_BINARY: &str = "ckf-crypto-dispatch";

/// Packs `ckf-crypto-dispatch` (beside the running executable) into
/// `<output>/ckf-crypto_<arch>.charm`; returns its path.
pub fn pack(output: &Path) -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe().context("cannot locate the running executable")?;
    let dispatch = exe.with_file_name(DISPATCH_BINARY);
    let binary = std::fs::read(&dispatch).with_context(|| {
        format!(
            "cannot read {}: build it with `cargo build --release` (which builds both binaries)",
            dispatch.display()
        )
    })?;
    let bytes = charm_zip(&binary, arch())?;
    Ok(cargo_charm::write_charm(
        output,
        &cargo_charm::charm_file_name("ckf-crypto", arch()),
        &bytes,
    )?)
}

/// The bytes of a `.charm` holding `binary` as `dispatch`.
pub fn charm_zip(binary: &[u8], arch: &str) -> anyhow::Result<Vec<u8>> {
    let yaml = CharmYaml {
        config: Some(files::CONFIG.to_owned()),
        actions: Some(files::ACTIONS.to_owned()),
        ..CharmYaml::new(files::METADATA)
    };
    Ok(cargo_charm::charm_zip(binary, &yaml, &files::manifest(arch))?)
}
