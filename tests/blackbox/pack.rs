//! `ckf-crypto pack`, checked with Info-ZIP's `unzip`.

use std::os::unix::fs::PermissionsExt;
use std::process::Command;

use crate::common::binary;

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
        std::fs::read(binary()).expect("read")
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

    // The unpacked charm runs: its dispatch answers --help like the binary.
    let help = Command::new(x.join("dispatch")).arg("--help").output().expect("dispatch runs");
    assert!(help.status.success());

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
