//! `ckf-crypto checksum`, checked against coreutils' `md5sum`, `sha256sum`, `sha384sum` and
//! `sha512sum`: the same digests on files around the 64 KiB buffer size and on a 300 MiB one,
//! the same `--check` output, and the exit statuses 0 (match), 1 (mismatch) and 2 (bad usage).

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use crate::common::binary;

const ALGOS: [&str; 4] = ["md5", "sha256", "sha384", "sha512"];

/// `ckf-crypto checksum ARGS` in `dir`.
fn checksum(dir: &Path, args: &[&str]) -> Output {
    Command::new(binary())
        .arg("checksum")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("ckf-crypto runs")
}

/// coreutils' `<algo>sum ARGS` in `dir`.
fn coreutils(dir: &Path, algo: &str, args: &[&str]) -> Output {
    Command::new(format!("{algo}sum")).args(args).current_dir(dir).output().expect("coreutils")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `len` bytes of a fast xorshift pattern (not compressible, not all zeros).
fn pattern(len: usize) -> Vec<u8> {
    let mut x = 0x9e37_79b9_7f4a_7c15_u64;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x.to_le_bytes()[0]
        })
        .collect()
}

#[test]
fn digests_equal_coreutils_around_the_buffer_size() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sizes = [0, 1, 65_535, 65_536, 65_537, (1 << 20) + 7];
    for size in sizes {
        let name = format!("f{size}");
        fs::write(dir.path().join(&name), pattern(size)).expect("write");
        for algo in ALGOS {
            let ours = checksum(dir.path(), &[&name, "--algo", algo]);
            let theirs = coreutils(dir.path(), algo, &[&name]);
            assert!(theirs.status.success());
            assert_eq!(ours.status.code(), Some(0), "{algo} {size}: {}", text(&ours.stderr));
            assert_eq!(text(&ours.stdout), text(&theirs.stdout), "{algo} of {size} bytes");
            assert!(ours.stderr.is_empty());

            // The digest verifies, written in upper case; one changed digit fails.
            let hex = text(&theirs.stdout).split(' ').next().expect("hex").to_owned();
            let upper = format!("{}:{}", algo.to_uppercase(), hex.to_uppercase());
            let ok = checksum(dir.path(), &[&name, &upper]);
            assert_eq!(ok.status.code(), Some(0), "{}", text(&ok.stderr));
            assert_eq!(text(&ok.stdout), format!("{name}: OK\n"));
            let flipped = if hex.starts_with('0') { "1" } else { "0" };
            let wrong = format!("{algo}:{flipped}{}", &hex[1..]);
            let failed = checksum(dir.path(), &[&name, &wrong]);
            assert_eq!(failed.status.code(), Some(1));
            assert_eq!(text(&failed.stdout), format!("{name}: FAILED {algo}\n"));
            assert!(failed.stderr.is_empty());
        }
    }
}

#[test]
fn a_300_mib_sparse_file_streams_in_bounded_memory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let size = (300 << 20) + 7;
    let path = dir.path().join("big");
    {
        use std::io::{Seek, SeekFrom, Write};
        let mut f = fs::File::create(&path).expect("create");
        f.write_all(&pattern(1 << 16)).expect("head");
        f.seek(SeekFrom::Start(150 << 20)).expect("seek");
        f.write_all(&pattern(4096)).expect("middle");
        f.set_len(size).expect("sparse tail");
    }
    assert_eq!(fs::metadata(&path).expect("stat").len(), size);
    // md5, the fastest in a debug build; the read loop is the same for every algorithm.
    // The address space is capped at 64 MiB, a fifth of the file: it cannot be read whole.
    let ours = Command::new("sh")
        .args(["-c", r#"ulimit -v 65536 && exec "$0" "$@""#])
        .arg(binary())
        .args(["checksum", "big", "--algo", "md5"])
        .current_dir(dir.path())
        .output()
        .expect("ckf-crypto runs");
    let theirs = coreutils(dir.path(), "md5", &["big"]);
    assert_eq!(ours.status.code(), Some(0), "{}", text(&ours.stderr));
    assert_eq!(text(&ours.stdout), text(&theirs.stdout));
}

/// Files with awkward names, in `dir`, listed as `sha256sum` lists them.
fn seed_files(dir: &Path) -> Vec<&'static str> {
    let names = ["a", "b c", " lead", "sub/d", "empty", "new\nline"];
    fs::create_dir(dir.join("sub")).expect("mkdir");
    for (i, name) in names.iter().enumerate() {
        fs::write(dir.join(name), pattern(i * 70_001)).expect("write");
    }
    names.to_vec()
}

/// `sha256sum -c` and `ckf-crypto checksum --check` on the same list: same stdout, same status.
fn check_both(dir: &Path, algo: &str, list: &str, ours_extra: &[&str]) -> Output {
    let theirs = coreutils(dir, algo, &["-c", list]);
    let ours = checksum(dir, &[&["--check", list], ours_extra].concat());
    assert_eq!(
        text(&ours.stdout),
        text(&theirs.stdout),
        "{algo} -c {list}: {}",
        text(&ours.stderr)
    );
    assert_eq!(ours.status.code(), theirs.status.code(), "{}", text(&ours.stderr));
    ours
}

#[test]
fn check_prints_what_sha256sum_c_prints() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    let names = seed_files(dir);
    let listed = coreutils(dir, "sha256", &names);
    assert!(listed.status.success());
    // Comments, blank lines, a CRLF line and a binary-mode line, all of which coreutils accepts.
    let binary_line = coreutils(dir, "sha256", &["-b", "a"]).stdout;
    let crlf = text(&coreutils(dir, "sha256", &["b c"]).stdout).replace('\n', "\r\n");
    let list = [
        b"# made by sha256sum\n\n".to_vec(),
        listed.stdout.clone(),
        binary_line,
        crlf.into_bytes(),
    ]
    .concat();
    fs::write(dir.join("SHA256SUMS"), &list).expect("write list");

    let all_ok = check_both(dir, "sha256", "SHA256SUMS", &[]);
    assert_eq!(all_ok.status.code(), Some(0));
    assert!(all_ok.stderr.is_empty(), "{}", text(&all_ok.stderr));
    assert_eq!(text(&all_ok.stdout).lines().filter(|l| l.ends_with(": OK")).count(), 8);
    let with_algo = check_both(dir, "sha256", "SHA256SUMS", &["--algo", "SHA256"]);
    assert_eq!(with_algo.status.code(), Some(0));

    // Tamper with one file: that line fails, the others still pass.
    fs::write(dir.join("sub/d"), b"tampered").expect("tamper");
    let tampered = check_both(dir, "sha256", "SHA256SUMS", &[]);
    assert_eq!(tampered.status.code(), Some(1));
    let out = text(&tampered.stdout);
    assert!(out.lines().any(|l| l == "sub/d: FAILED"), "{out}");
    assert_eq!(out.lines().filter(|l| l.ends_with(": OK")).count(), 7, "{out}");

    // A listed file that is gone is `FAILED open or read`, with the reason on stderr.
    fs::remove_file(dir.join("empty")).expect("rm");
    let missing = check_both(dir, "sha256", "SHA256SUMS", &[]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(text(&missing.stdout).lines().any(|l| l == "empty: FAILED open or read"));
    assert!(text(&missing.stderr).contains("empty"), "{}", text(&missing.stderr));
}

#[test]
fn check_infers_the_algorithm_from_the_digest_length() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    let names = seed_files(dir);
    for algo in ALGOS {
        let list = format!("{algo}.sums");
        fs::write(dir.join(&list), coreutils(dir, algo, &names).stdout).expect("write list");
        let inferred = check_both(dir, algo, &list, &[]);
        assert_eq!(inferred.status.code(), Some(0), "{}", text(&inferred.stderr));
        let named = check_both(dir, algo, &list, &["--algo", algo]);
        assert_eq!(named.status.code(), Some(0));
    }
    // Every line of another length is improperly formatted: nothing to check is bad usage.
    let wrong = checksum(dir, &["--check", "md5.sums", "--algo", "sha256"]);
    assert_eq!(wrong.status.code(), Some(2));
    assert_eq!(text(&wrong.stderr).lines().count(), 1, "{}", text(&wrong.stderr));
    assert!(text(&wrong.stderr).contains("no properly formatted checksum lines"));
}

#[test]
fn names_with_backslashes_are_listed_escaped_as_coreutils_does() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    for name in ["x\\y", "c\rr", "n\nl"] {
        fs::write(dir.join(name), name).expect("write");
        for algo in ALGOS {
            let ours = checksum(dir, &[name, "--algo", algo]);
            let theirs = coreutils(dir, algo, &[name]);
            assert_eq!(ours.stdout, theirs.stdout, "{algo} {name:?}");
            // And the escaped line reads back.
            fs::write(dir.join("list"), &ours.stdout).expect("write");
            let back = checksum(dir, &["--check", "list"]);
            assert_eq!(back.status.code(), Some(0), "{}", text(&back.stderr));
        }
    }
}

#[test]
fn a_missing_file_fails_with_status_1() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let digest = format!("sha256:{}", "0".repeat(64));
    let out = checksum(tmp.path(), &["missing", &digest]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout), "missing: FAILED open or read\n");
    assert_eq!(text(&out.stderr).lines().count(), 1);
    let out = checksum(tmp.path(), &["missing", "--algo", "md5"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let out = checksum(tmp.path(), &["--check", "no-such-list"]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn bad_usage_exits_2_with_one_line_on_stderr() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    fs::write(dir.join("f"), b"abc").expect("write");
    fs::write(dir.join("junk"), b"not a checksum line\n\n# nor this\nzz  f\n").expect("write");
    let hex = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    let short = format!("sha256:{}", &hex[..63]);
    let not_hex = format!("sha256:{}", "z".repeat(64));
    let md5 = format!("md5:{}", &hex[..32]);
    let good = format!("sha256:{hex}");
    let cases: [&[&str]; 11] = [
        &[],
        &["f"],
        &["f", "--algo", "sha1"],
        &["f", "--algo", ""],
        &["f", &short],
        &["f", &not_hex],
        &["f", hex],
        &["f", &md5, "--algo", "sha256"],
        &["--check", "junk"],
        &["--check", "junk", "f"],
        &["--check", "junk", "f", &good],
    ];
    for args in cases {
        let out = checksum(dir, args);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.ends_with('\n') && stderr.len() > 20, "{args:?}: {stderr}");
        assert!(!stderr.contains(&hex[..16]), "{args:?} echoes the digest: {stderr}");
    }
    // The good digest passes, so the failures above are about usage alone.
    assert_eq!(checksum(dir, &["f", &good]).status.code(), Some(0));
    // clap's own usage errors exit 2 as well.
    assert_eq!(checksum(dir, &["--no-such-flag"]).status.code(), Some(2));
}
