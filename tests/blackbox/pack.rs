//! `ckf-crypto pack`, checked with Info-ZIP's `unzip`.

use std::os::unix::fs::PermissionsExt;
use std::process::Command;

use crate::common::{binary, dispatch};

#[test]
fn packed_charm_unzips_to_the_listed_files_with_an_executable_dispatch() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = Command::new(binary())
        .args(["pack", "--output"])
        .arg(dir.path())
        .output()
        .expect("pack runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let charm = dir.path().join(format!("ckf-crypto_{}.charm", ckf_crypto::pack::arch()));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), charm.display().to_string());

    let listing = Command::new("unzip").arg("-Z1").arg(&charm).output().expect("unzip -Z1");
    assert!(listing.status.success());
    let names: Vec<String> =
        String::from_utf8_lossy(&listing.stdout).lines().map(str::to_owned).collect();
    assert_eq!(
        names,
        ["dispatch", "metadata.yaml", "config.yaml", "actions.yaml", "manifest.yaml"]
    );

    let x = dir.path().join("x");
    let status =
        Command::new("unzip").arg("-q").arg(&charm).arg("-d").arg(&x).status().expect("unzip");
    assert!(status.success());
    let mode = std::fs::metadata(x.join("dispatch")).expect("dispatch").permissions().mode();
    assert_eq!(mode & 0o777, 0o755, "dispatch keeps mode 0755");
    assert_eq!(
        std::fs::read(x.join("dispatch")).expect("read"),
        std::fs::read(dispatch()).expect("read"),
        "the .charm's dispatch is ckf-crypto-dispatch"
    );
    assert_eq!(
        std::fs::read_to_string(x.join("metadata.yaml")).expect("read"),
        ckf_crypto::files::METADATA
    );
    let manifest = std::fs::read_to_string(x.join("manifest.yaml")).expect("manifest");
    assert!(
        manifest.contains("name: ubuntu") && manifest.contains("channel: \"24.04\""),
        "{manifest}"
    );

    // The unpacked charm runs: outside a hook, its dispatch says what it misses and exits 1.
    let alone = Command::new(x.join("dispatch")).env_clear().output().expect("dispatch runs");
    assert_eq!(alone.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&alone.stderr);
    assert!(stderr.contains("JUJU_DISPATCH_PATH"), "{stderr}");

    // The checksum files beside it verify with coreutils.
    for tool in ["sha256sum", "sha512sum"] {
        let ext = &tool[..6];
        let sums = dir.path().join(format!("ckf-crypto_{}.charm.{ext}", ckf_crypto::pack::arch()));
        let out = Command::new(tool)
            .arg("-c")
            .arg(&sums)
            .current_dir(dir.path())
            .output()
            .expect("coreutils");
        assert!(out.status.success(), "{tool} -c: {}", String::from_utf8_lossy(&out.stdout));
        assert!(String::from_utf8_lossy(&out.stdout).ends_with(": OK\n"));
    }

    // Packing again gives the same bytes.
    let again = tempfile::tempdir().expect("tempdir");
    let out =
        Command::new(binary()).args(["pack", "--output"]).arg(again.path()).output().expect("pack");
    assert!(out.status.success());
    let second = again.path().join(charm.file_name().expect("name"));
    assert_eq!(std::fs::read(&charm).expect("read"), std::fs::read(second).expect("read"));
}

/// The names of the functions and data `path` defines (`nm --defined-only`, demangled).
fn defined_symbols(path: &std::path::Path) -> String {
    let out = Command::new("nm").args(["--defined-only", "--demangle"]).arg(path).output();
    let out = out.expect("nm (binutils) runs");
    assert!(out.status.success(), "nm: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
fn the_binary_juju_runs_links_no_simulator() {
    // The test profile keeps symbols: a function of juju-sim linked in would be named by them.
    let cli = defined_symbols(&binary());
    assert!(cli.contains("juju_sim::"), "the command line links the simulator (demo)");
    let dispatch = defined_symbols(&dispatch());
    assert!(!dispatch.contains("juju_sim::"), "ckf-crypto-dispatch links none of it");
    assert!(dispatch.contains("juju_charm::"), "the framework is in it");
}
