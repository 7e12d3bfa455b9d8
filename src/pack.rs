//! `ckf-crypto pack`: the `.charm` built offline, without charmcraft.
//!
//! A `.charm` is a zip (`juju-runtime.md` §4.1). This one holds the running binary as
//! `dispatch` (mode 0755, kept in the zip's Unix attributes, since Juju runs it with
//! `exec.LookPath`) and the YAML files the binary carries from build time, plus a
//! `manifest.yaml` naming the base. Entries are written in a fixed order with a fixed timestamp,
//! so packing the same binary twice gives byte-identical files. `<charm>.sha256` and
//! `<charm>.sha512` are written beside it for `sha256sum -c` / `sha512sum -c`.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use sha2::{Digest, Sha256, Sha512};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use crate::files;

/// The Debian/Juju name of the architecture this binary was built for.
pub fn arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "powerpc64" => "ppc64el",
        "s390x" => "s390x",
        "riscv64" => "riscv64",
        other => other,
    }
}

/// Packs the running executable into `<output>/ckf-crypto_<arch>.charm`; returns its path.
pub fn pack(output: &Path) -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe().context("cannot locate the running executable")?;
    let binary = std::fs::read(&exe).with_context(|| format!("cannot read {}", exe.display()))?;
    let path = output.join(format!("ckf-crypto_{}.charm", arch()));
    let bytes = charm_zip(&binary, arch())?;
    std::fs::create_dir_all(output)
        .with_context(|| format!("cannot create {}", output.display()))?;
    std::fs::write(&path, &bytes).with_context(|| format!("cannot write {}", path.display()))?;
    // Beside it, `<charm>.sha256` and `<charm>.sha512` in the format `sha256sum -c` reads,
    // naming the file relative to that directory.
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
    for (ext, hex) in [
        ("sha256", hex::encode(Sha256::digest(&bytes))),
        ("sha512", hex::encode(Sha512::digest(&bytes))),
    ] {
        let sum = output.join(format!("{name}.{ext}"));
        std::fs::write(&sum, format!("{hex}  {name}\n"))
            .with_context(|| format!("cannot write {}", sum.display()))?;
    }
    Ok(path)
}

/// The bytes of a `.charm` holding `binary` as `dispatch`.
pub fn charm_zip(binary: &[u8], arch: &str) -> anyhow::Result<Vec<u8>> {
    let mut zip = ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let base = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        // The earliest zip timestamp: reproducible, and no build time leaks into the file.
        .last_modified_time(DateTime::default());
    let manifest = files::manifest(arch);
    let entries: [(&str, &[u8], u32); 5] = [
        ("dispatch", binary, 0o755),
        ("metadata.yaml", files::METADATA.as_bytes(), 0o644),
        ("config.yaml", files::CONFIG.as_bytes(), 0o644),
        ("actions.yaml", files::ACTIONS.as_bytes(), 0o644),
        ("manifest.yaml", manifest.as_bytes(), 0o644),
    ];
    for (name, data, mode) in entries {
        zip.start_file(name, base.unix_permissions(mode))?;
        zip.write_all(data)?;
    }
    Ok(zip.finish()?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zip_is_reproducible_and_keeps_modes() {
        let a = charm_zip(b"\x7fELF-not-really", "amd64").expect("zip");
        let b = charm_zip(b"\x7fELF-not-really", "amd64").expect("zip");
        assert_eq!(a, b);
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(a)).expect("read");
        let names: Vec<String> = (0..archive.len())
            .map(|i| archive.by_index(i).expect("entry").name().expect("utf-8 name").into_owned())
            .collect();
        assert_eq!(
            names,
            ["dispatch", "metadata.yaml", "config.yaml", "actions.yaml", "manifest.yaml"]
        );
        let dispatch = archive.by_name("dispatch").expect("dispatch");
        assert_eq!(dispatch.unix_mode().map(|m| m & 0o777), Some(0o755));
    }
}
