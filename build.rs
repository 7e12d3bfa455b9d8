//! Link settings of the optimised `ckf-crypto` binary (README, "The memory of a hook").
//!
//! - Symbols are stripped by the linker (`--strip-all`), not by the profile's `strip`: cargo
//!   hashes every profile setting into the crate's metadata, and so into every symbol's name,
//!   while link arguments are not. A build with `CKF_KEEP_SYMBOLS=1` is then the same binary
//!   with its symbol table, whose names are the shipped binary's: what `link/dispatch.order` is
//!   made from.
//! - On x86_64 Linux, where rustc links with LLD (the default since Rust 1.90), the functions
//!   a hook runs are laid out first, in the order of `link/dispatch.order` (`cargo bench --bench
//!   hooks -- --write-order-file`). The kernel maps a binary's pages around each one a process
//!   touches (fault-around), so packing the hot code together is what keeps a no-op hook's peak
//!   RSS at about 4.4 MiB instead of 6.8 MiB. A symbol the file names that is not in the binary
//!   is skipped, so a stale file costs memory, never correctness. `CKF_NO_ORDER=1` turns it off
//!   (for a linker without `--symbol-ordering-file`, such as GNU ld).

use std::path::Path;

fn main() {
    const ORDER: &str = "link/dispatch.order";
    println!("cargo::rerun-if-changed={ORDER}");
    println!("cargo::rerun-if-env-changed=CKF_KEEP_SYMBOLS");
    println!("cargo::rerun-if-env-changed=CKF_NO_ORDER");
    // "release" for the release profile and those that inherit it (bench); "debug" otherwise.
    if std::env::var("PROFILE").as_deref() != Ok("release") {
        return;
    }
    if std::env::var_os("CKF_KEEP_SYMBOLS").is_none() {
        println!("cargo::rustc-link-arg-bins=-Wl,--strip-all");
    }
    let order = Path::new(&std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default()).join(ORDER);
    let lld = std::env::var("TARGET").as_deref() == Ok("x86_64-unknown-linux-gnu")
        && rustc_minor().is_some_and(|minor| minor >= 90);
    if lld && order.is_file() && std::env::var_os("CKF_NO_ORDER").is_none() {
        println!("cargo::rustc-link-arg-bins=-Wl,--symbol-ordering-file={}", order.display());
        println!("cargo::rustc-link-arg-bins=-Wl,--no-warn-symbol-ordering");
    }
}

/// The minor version of the rustc building this (`rustc 1.95.0 (...)` gives 95).
fn rustc_minor() -> Option<u32> {
    let rustc = std::env::var_os("RUSTC")?;
    let out = std::process::Command::new(rustc).arg("--version").output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    text.split_whitespace().nth(1)?.split('.').nth(1)?.parse().ok()
}
