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
//!   RSS near 4 MiB instead of 6.8 MiB. A symbol the file names that is not in the binary
//!   is skipped, so a stale file costs memory, never correctness. `CKF_NO_ORDER=1` turns it off
//!   (for a linker without `--symbol-ordering-file`, such as GNU ld).
//! - Segments are aligned to 64 KiB, the fault-around window, and relative relocations are
//!   packed (RELR) where the static glibc linked in applies them (2.36 and later;
//!   `CKF_NO_RELR=1` turns it off): together about 0.5 MiB less peak RSS for a no-op hook.

use std::path::Path;

fn main() {
    const ORDER: &str = "link/dispatch.order";
    println!("cargo::rerun-if-changed={ORDER}");
    println!("cargo::rerun-if-env-changed=CKF_KEEP_SYMBOLS");
    println!("cargo::rerun-if-env-changed=CKF_NO_ORDER");
    println!("cargo::rerun-if-env-changed=CKF_NO_RELR");
    // "release" for the release profile and those that inherit it (bench); "debug" otherwise.
    if std::env::var("PROFILE").as_deref() != Ok("release") {
        return;
    }
    if std::env::var_os("CKF_KEEP_SYMBOLS").is_none() {
        println!("cargo::rustc-link-arg-bins=-Wl,--strip-all");
    }
    // Segments aligned to 64 KiB, the kernel's fault-around window: Linux loads a PIE at an
    // address aligned to its segments' alignment, so the windows a hook's code faults in start
    // where the ordered hot code starts, in every run, instead of wherever ASLR put the page.
    println!("cargo::rustc-link-arg-bins=-Wl,-z,max-page-size=65536");
    // Relative relocations packed (RELR): the binary is a static PIE, so its start-up code
    // applies about 15,000 relocations to the pointers in its read-only data; as RELA entries
    // they are 350 KiB that every hook reads in full, as RELR 4 KiB. The static glibc applies
    // RELR from 2.36 on, so the option is given only when the C library linked in is that recent.
    if std::env::var("TARGET").is_ok_and(|t| t.ends_with("-linux-gnu"))
        && glibc_minor().is_some_and(|minor| minor >= 36)
        && std::env::var_os("CKF_NO_RELR").is_none()
    {
        println!("cargo::rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
    let order = Path::new(&std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default()).join(ORDER);
    let lld = std::env::var("TARGET").as_deref() == Ok("x86_64-unknown-linux-gnu")
        && rustc_minor().is_some_and(|minor| minor >= 90);
    if lld && order.is_file() && std::env::var_os("CKF_NO_ORDER").is_none() {
        println!("cargo::rustc-link-arg-bins=-Wl,--symbol-ordering-file={}", order.display());
        println!("cargo::rustc-link-arg-bins=-Wl,--no-warn-symbol-ordering");
    }
}

/// The minor version of the host's glibc (`glibc 2.36` gives 36), whose static library the
/// binary links (`+crt-static` in `.cargo/config.toml`).
fn glibc_minor() -> Option<u32> {
    let out = std::process::Command::new("getconf").arg("GNU_LIBC_VERSION").output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    text.split_whitespace().nth(1)?.split('.').nth(1)?.parse().ok()
}

/// The minor version of the rustc building this (`rustc 1.95.0 (...)` gives 95).
fn rustc_minor() -> Option<u32> {
    let rustc = std::env::var_os("RUSTC")?;
    let out = std::process::Command::new(rustc).arg("--version").output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    text.split_whitespace().nth(1)?.split('.').nth(1)?.parse().ok()
}
