//! Resource checksums: digests of files of any size, compared in constant time.
//!
//! A Juju resource is a file the operator attaches; the charm verifies each one named in the
//! `resource-checksums` option before using it, streaming the file (resources can be images of
//! hundreds of megabytes) and comparing digests without a timing side channel. This module is that
//! mechanism, with no Juju in it: the algorithms (md5 and the SHA-2 family), the `<algo>:<hex>`
//! values of the option, a streaming digest over a fixed 64 KiB buffer, and a constant-time
//! comparison. It also runs `ckf-crypto checksum`, which prints and checks digests the way
//! coreutils' `sha256sum` does, so the same code can be tried by hand.
//!
//! Digests are public values, not secrets: an error may name the algorithm or a length, but never
//! repeats a value it could not parse, so that a pasted secret cannot leak through a status.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use sha2::Digest;
use subtle::ConstantTimeEq;

/// The read buffer: memory stays bounded by it whatever the size of the file.
const BUFFER_SIZE: usize = 64 * 1024;

/// A digest algorithm that a resource checksum may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Algorithm {
    /// MD5 (RFC 1321); weak, accepted for resources published with an md5 only.
    Md5,
    /// SHA-256 (FIPS 180-4).
    Sha256,
    /// SHA-384 (FIPS 180-4).
    Sha384,
    /// SHA-512 (FIPS 180-4).
    Sha512,
}

impl Algorithm {
    /// Every algorithm, shortest digest first.
    pub const ALL: [Algorithm; 4] =
        [Algorithm::Md5, Algorithm::Sha256, Algorithm::Sha384, Algorithm::Sha512];

    /// The name used in `<algo>:<hex>` and on the command line, in lower case.
    pub fn as_str(self) -> &'static str {
        match self {
            Algorithm::Md5 => "md5",
            Algorithm::Sha256 => "sha256",
            Algorithm::Sha384 => "sha384",
            Algorithm::Sha512 => "sha512",
        }
    }

    /// The length of a digest in bytes (twice that in hex digits).
    pub fn digest_len(self) -> usize {
        match self {
            Algorithm::Md5 => 16,
            Algorithm::Sha256 => 32,
            Algorithm::Sha384 => 48,
            Algorithm::Sha512 => 64,
        }
    }

    /// The algorithm whose digest is `hex_len` hex digits long, as coreutils-style lists imply.
    pub fn from_hex_len(hex_len: usize) -> Option<Algorithm> {
        Algorithm::ALL.into_iter().find(|a| a.digest_len() * 2 == hex_len)
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Algorithm {
    type Err = String;

    /// `md5`, `sha256`, `sha384` or `sha512`, in any case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Algorithm::ALL.into_iter().find(|a| a.as_str().eq_ignore_ascii_case(s)).ok_or_else(|| {
            // Echo the name only when it looks like one (it is the only part we may echo).
            let shown = if !s.is_empty()
                && s.len() <= 16
                && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            {
                format!("unknown algorithm '{s}'")
            } else {
                "unknown algorithm".to_owned()
            };
            format!("{shown} (expected md5, sha256, sha384 or sha512)")
        })
    }
}

/// An expected digest, parsed from `<algo>:<hex>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    /// The algorithm to compute.
    pub algorithm: Algorithm,
    /// The digest, `algorithm.digest_len()` bytes.
    pub digest: Vec<u8>,
}

impl Expected {
    /// Whether the file at `path` has this digest (constant-time comparison).
    pub fn verify_file(&self, path: &Path) -> io::Result<bool> {
        Ok(matches(&file_digest(path, self.algorithm)?, &self.digest))
    }
}

impl FromStr for Expected {
    type Err = String;

    /// `<algo>:<hex>`, hex digits in either case; surrounding whitespace is ignored.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (algo, hex) = s
            .trim()
            .split_once(':')
            .ok_or("expected '<algo>:<hex digest>' (for example sha256:<64 hex digits>)")?;
        let algorithm: Algorithm = algo.trim().parse()?;
        let digest = decode_digest(hex.trim(), algorithm)?;
        Ok(Expected { algorithm, digest })
    }
}

/// Decodes `hex` as a digest of `algorithm`; the error names the problem, not the value.
fn decode_digest(hex: &str, algorithm: Algorithm) -> Result<Vec<u8>, String> {
    let want = algorithm.digest_len() * 2;
    if hex.len() != want {
        return Err(format!(
            "{algorithm} digest must be {want} hex digits, got {} characters",
            hex.chars().count()
        ));
    }
    hex::decode(hex).map_err(|_| format!("{algorithm} digest is not hexadecimal"))
}

/// The digest of the file at `path`, read through a fixed 64 KiB buffer.
pub fn file_digest(path: &Path, algorithm: Algorithm) -> io::Result<Vec<u8>> {
    digest_reader(&mut File::open(path)?, algorithm)
}

/// The digest of everything `r` yields, read through a fixed 64 KiB buffer.
pub fn digest_reader(r: &mut dyn Read, algorithm: Algorithm) -> io::Result<Vec<u8>> {
    match algorithm {
        Algorithm::Md5 => stream::<md5::Md5>(r),
        Algorithm::Sha256 => stream::<sha2::Sha256>(r),
        Algorithm::Sha384 => stream::<sha2::Sha384>(r),
        Algorithm::Sha512 => stream::<sha2::Sha512>(r),
    }
}

/// The read loop (digest 0.11 hashers are not `io::Write`, so no `io::copy`).
fn stream<D: Digest>(r: &mut dyn Read) -> io::Result<Vec<u8>> {
    let mut hasher = D::new();
    let mut buf = vec![0u8; BUFFER_SIZE];
    loop {
        match r.read(&mut buf) {
            Ok(0) => return Ok(hasher.finalize().to_vec()),
            Ok(n) => hasher.update(&buf[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// Whether two digests are equal, in time that depends only on their lengths; different
/// lengths never match.
pub fn matches(actual: &[u8], expected: &[u8]) -> bool {
    actual.ct_eq(expected).into()
}

/// Parses the `resource-checksums` option: a YAML map of resource name to `<algo>:<hex>`.
/// An empty value is an empty map; an error names the entry at fault.
pub fn parse_checksums_option(yaml: &str) -> Result<BTreeMap<String, Expected>, String> {
    if yaml.trim().is_empty() {
        return Ok(BTreeMap::new());
    }
    let raw: BTreeMap<String, String> = serde_saphyr::from_str(yaml).map_err(yaml_error)?;
    raw.into_iter()
        .map(|(name, value)| {
            if name.trim().is_empty() {
                return Err("a resource name is empty".to_owned());
            }
            let expected = value.parse().map_err(|why| format!("resource '{name}': {why}"))?;
            Ok((name, expected))
        })
        .collect()
}

/// Says where the YAML is wrong without quoting it (a misplaced secret must not reach a status).
fn yaml_error(e: serde_saphyr::Error) -> String {
    if let serde_saphyr::Error::DuplicateMappingKey { key: Some(key), .. } = e.without_snippet() {
        return format!("resource '{key}' is listed twice");
    }
    let at = e.location().map(|l| format!(" (line {}, column {})", l.line(), l.column()));
    format!("not a YAML map of resource name to '<algo>:<hex digest>'{}", at.unwrap_or_default())
}

/// The arguments of `ckf-crypto checksum`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct CliArgs {
    /// The file to hash, or to verify against EXPECTED.
    pub file: Option<PathBuf>,
    /// The expected digest, `<algo>:<hex>`; prints `<file>: OK` (exit 0) or
    /// `<file>: FAILED <algo>` (exit 1).
    pub expected: Option<String>,
    /// The algorithm (md5, sha256, sha384, sha512): print `<hex>  <file>`, or with --check, the
    /// only one accepted (default: inferred from each digest's length).
    #[arg(long, value_name = "ALGO")]
    pub algo: Option<String>,
    /// Verify the files listed in LISTFILE (`<hex>  <name>` lines, as `sha256sum` writes them),
    /// relative to the current directory, like `sha256sum -c`.
    #[arg(long, value_name = "LISTFILE")]
    pub check: Option<PathBuf>,
}

/// Exit status: all verified (or digest printed).
const EXIT_OK: u8 = 0;
/// Exit status: a mismatch, or a file that could not be read.
const EXIT_FAILED: u8 = 1;
/// Exit status: bad usage.
const EXIT_USAGE: u8 = 2;

/// Runs `ckf-crypto checksum`, writing results to `out` and diagnostics to `err`; returns the
/// exit status: 0 all good, 1 a mismatch or unreadable file, 2 bad usage (one line on `err`).
pub fn run_cli(args: &CliArgs, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let (why, code) = match run(args, out, err) {
        Ok(code) => return code,
        Err(Stop::Usage(why)) => (why, EXIT_USAGE),
        Err(Stop::Output(e)) => (format!("cannot write output: {e}"), EXIT_FAILED),
    };
    // Nothing more can be reported if stderr itself fails.
    let _ = writeln!(err, "ckf-crypto checksum: {why}");
    code
}

/// Why the command stopped early.
enum Stop {
    /// Bad usage: a one-line message, exit status 2.
    Usage(String),
    /// Writing the results failed (stdout closed, disk full): exit status 1.
    Output(io::Error),
}

impl From<io::Error> for Stop {
    fn from(e: io::Error) -> Self {
        Stop::Output(e)
    }
}

/// A usage error with this message.
fn usage(why: impl Into<String>) -> Stop {
    Stop::Usage(why.into())
}

fn run(args: &CliArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<u8, Stop> {
    let algo =
        args.algo.as_deref().map(str::parse::<Algorithm>).transpose().map_err(Stop::Usage)?;
    match (&args.check, &args.file, &args.expected) {
        (Some(list), None, None) => check_list(list, algo, out, err),
        (Some(_), _, _) => Err(usage("--check takes no <file> or <algo:hex>")),
        (None, None, _) => Err(usage("missing <file> (or --check <listfile>)")),
        (None, Some(file), Some(expected)) => {
            let expected: Expected = expected.parse().map_err(Stop::Usage)?;
            if algo.is_some_and(|a| a != expected.algorithm) {
                return Err(usage(format!(
                    "--algo does not match the {} of <algo:hex>",
                    expected.algorithm
                )));
            }
            let name = file.as_os_str();
            match file_digest(file, expected.algorithm) {
                Ok(actual) if matches(&actual, &expected.digest) => {
                    write_checked_name(out, name)?;
                    writeln!(out, ": OK")?;
                    Ok(EXIT_OK)
                }
                Ok(_) => {
                    write_checked_name(out, name)?;
                    writeln!(out, ": FAILED {}", expected.algorithm)?;
                    Ok(EXIT_FAILED)
                }
                Err(e) => {
                    report_unreadable(err, name, &e)?;
                    write_checked_name(out, name)?;
                    writeln!(out, ": FAILED open or read")?;
                    Ok(EXIT_FAILED)
                }
            }
        }
        (None, Some(file), None) => {
            let algo = algo.ok_or_else(|| usage("missing <algo:hex> or --algo <algo>"))?;
            match file_digest(file, algo) {
                Ok(digest) => {
                    write_listed(out, &digest, file.as_os_str())?;
                    Ok(EXIT_OK)
                }
                Err(e) => {
                    report_unreadable(err, file.as_os_str(), &e)?;
                    Ok(EXIT_FAILED)
                }
            }
        }
    }
}

/// `--check`: verifies every line of the list, as `sha256sum -c` does.
fn check_list(
    list: &Path,
    algo: Option<Algorithm>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<u8, Stop> {
    let reader = match File::open(list) {
        Ok(f) => BufReader::new(f),
        Err(e) => {
            report_unreadable(err, list.as_os_str(), &e)?;
            return Ok(EXIT_FAILED);
        }
    };
    let (mut formatted, mut misformatted, mut unreadable, mut mismatched) = (0u64, 0, 0, 0);
    for line in reader.split(b'\n') {
        let line = match line {
            Ok(line) => line,
            Err(e) => {
                report_unreadable(err, list.as_os_str(), &e)?;
                return Ok(EXIT_FAILED);
            }
        };
        let line = line.strip_suffix(b"\r").unwrap_or(&line);
        if line.first() == Some(&b'#') || line.iter().all(|&b| b == b' ' || b == b'\t') {
            continue;
        }
        let Some(entry) = CheckLine::parse(line, algo) else {
            misformatted += 1;
            continue;
        };
        formatted += 1;
        let name = OsStr::from_bytes(&entry.name);
        match file_digest(Path::new(name), entry.algorithm) {
            Ok(actual) => {
                let ok = matches(&actual, &entry.digest);
                mismatched += u64::from(!ok);
                write_checked_name(out, name)?;
                writeln!(out, "{}", if ok { ": OK" } else { ": FAILED" })?;
            }
            Err(e) => {
                unreadable += 1;
                report_unreadable(err, name, &e)?;
                write_checked_name(out, name)?;
                writeln!(out, ": FAILED open or read")?;
            }
        }
    }
    if formatted == 0 {
        return Err(usage(format!(
            "{}: no properly formatted checksum lines found",
            list.display()
        )));
    }
    let plural = |n: u64, one: &str, many: &str| if n == 1 { one } else { many }.to_owned();
    if misformatted > 0 {
        let what = plural(misformatted, "line is", "lines are");
        writeln!(err, "ckf-crypto checksum: WARNING: {misformatted} {what} improperly formatted")?;
    }
    if unreadable > 0 {
        let what = plural(unreadable, "file", "files");
        writeln!(
            err,
            "ckf-crypto checksum: WARNING: {unreadable} listed {what} could not be read"
        )?;
    }
    if mismatched > 0 {
        let what = plural(mismatched, "checksum", "checksums");
        writeln!(err, "ckf-crypto checksum: WARNING: {mismatched} computed {what} did NOT match")?;
    }
    Ok(if unreadable + mismatched > 0 { EXIT_FAILED } else { EXIT_OK })
}

/// One properly formatted line of a `--check` list.
#[derive(Debug, PartialEq, Eq)]
struct CheckLine {
    algorithm: Algorithm,
    digest: Vec<u8>,
    name: Vec<u8>,
}

impl CheckLine {
    /// `<hex>  <name>` or `<hex> *<name>`, optionally indented, with a leading `\` when the
    /// name is escaped (`\\`, `\n`, `\r`), as coreutils writes them; `None` if malformed.
    fn parse(line: &[u8], algo: Option<Algorithm>) -> Option<CheckLine> {
        let indent = line.iter().take_while(|&&b| b == b' ' || b == b'\t').count();
        let line = &line[indent..];
        let (escaped, line) = match line.strip_prefix(b"\\") {
            Some(rest) => (true, rest),
            None => (false, line),
        };
        let end = line.iter().position(|&b| b == b' ' || b == b'\t')?;
        let (hex, rest) = line.split_at(end);
        let algorithm = match algo {
            Some(a) if a.digest_len() * 2 == hex.len() => a,
            Some(_) => return None,
            None => Algorithm::from_hex_len(hex.len())?,
        };
        let digest = hex::decode(hex).ok()?;
        let name = match rest {
            [b' ', b' ' | b'*', name @ ..] if !name.is_empty() => name,
            _ => return None,
        };
        let name = if escaped { unescape(name)? } else { name.to_vec() };
        Some(CheckLine { algorithm, digest, name })
    }
}

/// Undoes coreutils' file-name escaping; `None` for an invalid escape.
fn unescape(name: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(name.len());
    let mut bytes = name.iter();
    while let Some(&b) = bytes.next() {
        out.push(match b {
            b'\\' => match bytes.next()? {
                b'n' => b'\n',
                b'r' => b'\r',
                b'\\' => b'\\',
                _ => return None,
            },
            0 => return None,
            b => b,
        });
    }
    Some(out)
}

/// Writes `name` with `\`, newline and carriage return escaped.
fn write_escaped(out: &mut dyn Write, name: &[u8]) -> io::Result<()> {
    for &b in name {
        match b {
            b'\n' => out.write_all(b"\\n")?,
            b'\r' => out.write_all(b"\\r")?,
            b'\\' => out.write_all(b"\\\\")?,
            b => out.write_all(&[b])?,
        }
    }
    Ok(())
}

/// A name in a `: OK` / `: FAILED` line; escaped only if it holds a newline (coreutils 9.1).
fn write_checked_name(out: &mut dyn Write, name: &OsStr) -> io::Result<()> {
    let name = name.as_bytes();
    if name.contains(&b'\n') {
        out.write_all(b"\\")?;
        write_escaped(out, name)
    } else {
        out.write_all(name)
    }
}

/// A `<hex>  <name>` line, escaped as `sha256sum` escapes it, so `--check` can read it back.
fn write_listed(out: &mut dyn Write, digest: &[u8], name: &OsStr) -> io::Result<()> {
    let name = name.as_bytes();
    let escape = name.iter().any(|b| matches!(b, b'\\' | b'\n' | b'\r'));
    if escape {
        out.write_all(b"\\")?;
    }
    out.write_all(hex::encode(digest).as_bytes())?;
    out.write_all(b"  ")?;
    if escape {
        write_escaped(out, name)?
    } else {
        out.write_all(name)?
    }
    out.write_all(b"\n")
}

/// The stderr line for a file that could not be opened or read.
fn report_unreadable(err: &mut dyn Write, name: &OsStr, e: &io::Error) -> io::Result<()> {
    err.write_all(b"ckf-crypto checksum: ")?;
    err.write_all(name.as_bytes())?;
    writeln!(err, ": {e}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const VECTORS: [(Algorithm, &str, &str); 8] = [
        (Algorithm::Md5, "", "d41d8cd98f00b204e9800998ecf8427e"),
        (Algorithm::Md5, "abc", "900150983cd24fb0d6963f7d28e17f72"),
        (Algorithm::Sha256, "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        (
            Algorithm::Sha256,
            "abc",
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        ),
        (
            Algorithm::Sha384,
            "",
            "38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da\
             274edebfe76f65fbd51ad2f14898b95b",
        ),
        (
            Algorithm::Sha384,
            "abc",
            "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed\
             8086072ba1e7cc2358baeca134c825a7",
        ),
        (
            Algorithm::Sha512,
            "",
            "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce\
             47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e",
        ),
        (
            Algorithm::Sha512,
            "abc",
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a\
             2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
        ),
    ];

    #[test]
    fn known_vectors_for_empty_and_abc() {
        for (algorithm, input, hex) in VECTORS {
            let got = digest_reader(&mut input.as_bytes(), algorithm).expect("digest");
            assert_eq!(hex::encode(&got), hex, "{algorithm}({input:?})");
            assert_eq!(got.len(), algorithm.digest_len());
            let expected: Expected = format!("{algorithm}:{hex}").parse().expect("parses");
            assert!(matches(&got, &expected.digest));
        }
    }

    #[test]
    fn file_digest_streams_a_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("abc");
        std::fs::write(&path, "abc").expect("write");
        let (algorithm, _, hex) = VECTORS[3];
        assert_eq!(hex::encode(file_digest(&path, algorithm).expect("digest")), hex);
        let expected: Expected = format!("sha256:{hex}").parse().expect("parses");
        assert!(expected.verify_file(&path).expect("reads"));
        assert!(file_digest(&dir.path().join("missing"), algorithm).is_err());
    }

    /// A reader that yields one byte at a time and is interrupted before each.
    struct Trickle<'a> {
        data: &'a [u8],
        interrupt: bool,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.interrupt = !self.interrupt;
            if self.interrupt {
                return Err(io::ErrorKind::Interrupted.into());
            }
            let Some((first, rest)) = self.data.split_first() else { return Ok(0) };
            buf[0] = *first;
            self.data = rest;
            Ok(1)
        }
    }

    #[test]
    fn short_reads_and_interruptions_give_the_same_digest() {
        let data: Vec<u8> =
            (0..200_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8).collect();
        for algorithm in Algorithm::ALL {
            let whole = digest_reader(&mut data.as_slice(), algorithm).expect("digest");
            let mut trickle = Trickle { data: &data[..1000], interrupt: false };
            let part = digest_reader(&mut trickle, algorithm).expect("digest");
            assert_eq!(part, digest_reader(&mut &data[..1000], algorithm).expect("digest"));
            assert_ne!(whole, part);
        }
    }

    #[test]
    fn algorithm_names_are_case_insensitive() {
        for algorithm in Algorithm::ALL {
            assert_eq!(algorithm.as_str().parse::<Algorithm>(), Ok(algorithm));
            assert_eq!(algorithm.as_str().to_uppercase().parse::<Algorithm>(), Ok(algorithm));
            assert_eq!(Algorithm::from_hex_len(algorithm.digest_len() * 2), Some(algorithm));
        }
        assert_eq!("Sha256".parse::<Algorithm>(), Ok(Algorithm::Sha256));
        let e = "sha1".parse::<Algorithm>().expect_err("sha1 is not offered");
        assert!(e.starts_with("unknown algorithm 'sha1'"), "{e}");
        let e = "x y\nz".parse::<Algorithm>().expect_err("junk");
        assert!(!e.contains("x y"), "{e}");
        assert_eq!(Algorithm::from_hex_len(40), None);
    }

    #[test]
    fn expected_accepts_hex_in_either_case() {
        let lower = format!("sha256:{}", VECTORS[3].2);
        let upper = format!("SHA256:{}", VECTORS[3].2.to_uppercase());
        let mixed =
            format!("  sha256:{}{} \n", &VECTORS[3].2[..10].to_uppercase(), &VECTORS[3].2[10..]);
        let a: Expected = lower.parse().expect("lower");
        assert_eq!(a.algorithm, Algorithm::Sha256);
        assert_eq!(upper.parse::<Expected>(), Ok(a.clone()));
        assert_eq!(mixed.parse::<Expected>(), Ok(a));
    }

    #[test]
    fn expected_errors_name_the_problem_not_the_value() {
        let hex64 = VECTORS[3].2;
        let cases = [
            (format!("sha256:{}", &hex64[..63]), "sha256 digest must be 64 hex digits, got 63"),
            (format!("sha512:{hex64}"), "sha512 digest must be 128 hex digits, got 64"),
            (format!("md5:{hex64}"), "md5 digest must be 32 hex digits, got 64"),
            (format!("sha256:{}zz", &hex64[..62]), "sha256 digest is not hexadecimal"),
            (format!("sha1:{}", &hex64[..40]), "unknown algorithm 'sha1'"),
            (hex64.to_owned(), "expected '<algo>:<hex digest>'"),
            ("sha256:".to_owned(), "sha256 digest must be 64 hex digits, got 0"),
        ];
        for (input, want) in cases {
            let e = input.parse::<Expected>().expect_err(&input);
            assert!(e.starts_with(want), "{input}: {e}");
            assert!(!e.contains(&hex64[..20]), "echoes the value: {e}");
        }
    }

    #[test]
    fn comparison_is_exact_and_length_sensitive() {
        let a = hex::decode(VECTORS[2].2).expect("hex");
        assert!(matches(&a, &a.clone()));
        for i in 0..a.len() {
            let mut b = a.clone();
            b[i] ^= 0x01;
            assert!(!matches(&a, &b), "byte {i}");
        }
        assert!(!matches(&a, &a[..31]));
        assert!(!matches(&a[..31], &a));
        assert!(!matches(&a, &[a.as_slice(), &[0]].concat()));
        assert!(!matches(&a, &[]));
        assert!(matches(&[], &[]));
    }

    #[test]
    fn the_option_maps_resource_names_to_expected_digests() {
        assert_eq!(parse_checksums_option(""), Ok(BTreeMap::new()));
        assert_eq!(parse_checksums_option("  \n"), Ok(BTreeMap::new()));
        assert_eq!(parse_checksums_option("{}"), Ok(BTreeMap::new()));
        let yaml = format!(
            "oci-image: sha256:{}\nblob: \"MD5:{}\"\n",
            VECTORS[3].2,
            VECTORS[1].2.to_uppercase()
        );
        let map = parse_checksums_option(&yaml).expect("parses");
        assert_eq!(map.keys().collect::<Vec<_>>(), ["blob", "oci-image"]);
        assert_eq!(map["blob"].algorithm, Algorithm::Md5);
        assert_eq!(hex::encode(&map["oci-image"].digest), VECTORS[3].2);

        let e =
            parse_checksums_option(&format!("good: sha256:{}\nbad: sha256:abc\n", VECTORS[3].2))
                .expect_err("bad entry");
        assert_eq!(e, "resource 'bad': sha256 digest must be 64 hex digits, got 3 characters");
        let e = parse_checksums_option("- a\n- b\n").expect_err("a list");
        assert!(e.starts_with("not a YAML map"), "{e}");
        let e = parse_checksums_option("x: 12\n").expect_err("not a digest");
        assert!(e.starts_with("resource 'x': expected '<algo>:<hex digest>'"), "{e}");
        let twice = format!("a: md5:{0}\na: md5:{0}\n", VECTORS[1].2);
        assert_eq!(parse_checksums_option(&twice), Err("resource 'a' is listed twice".to_owned()));
        let e = parse_checksums_option("a: b\n  c: [\n").expect_err("broken YAML");
        assert!(e.starts_with("not a YAML map") && e.contains("(line "), "{e}");
        let e = parse_checksums_option("\"\": md5:x").expect_err("empty name");
        assert_eq!(e, "a resource name is empty");
    }

    #[test]
    fn check_lines_follow_coreutils() {
        let hex = VECTORS[3].2;
        let parse = |s: String| CheckLine::parse(s.as_bytes(), None);
        let want = |name: &[u8]| {
            Some(CheckLine {
                algorithm: Algorithm::Sha256,
                digest: hex::decode(hex).expect("hex"),
                name: name.to_vec(),
            })
        };
        assert_eq!(parse(format!("{hex}  a b")), want(b"a b"));
        assert_eq!(parse(format!("{hex} *a")), want(b"a"));
        assert_eq!(parse(format!("  {}   lead", hex.to_uppercase())), want(b" lead"));
        assert_eq!(parse(format!("\\{hex}  a\\\\b\\nc\\rd")), want(b"a\\b\nc\rd"));
        assert_eq!(parse(format!("\\{hex}  a\\x")), None);
        assert_eq!(parse(format!("{hex} a")), None);
        assert_eq!(parse(format!("{hex}  ")), None);
        assert_eq!(parse(hex.to_owned()), None);
        assert_eq!(parse(format!("{}  a", &hex[..40])), None);
        assert_eq!(parse(format!("{}zz  a", &hex[..62])), None);
        let md5 = format!("{}  a", VECTORS[1].2);
        assert_eq!(
            CheckLine::parse(md5.as_bytes(), None).map(|l| l.algorithm),
            Some(Algorithm::Md5)
        );
        assert_eq!(CheckLine::parse(md5.as_bytes(), Some(Algorithm::Sha256)), None);
    }

    #[test]
    fn names_are_escaped_as_coreutils_escapes_them() {
        let mut out = Vec::new();
        write_listed(&mut out, &[0xab], OsStr::new("a\\b\nc\rd")).expect("write");
        write_listed(&mut out, &[0xcd], OsStr::new("plain name")).expect("write");
        write_checked_name(&mut out, OsStr::new("x\\y")).expect("write");
        write_checked_name(&mut out, OsStr::new("\nz")).expect("write");
        assert_eq!(out, b"\\ab  a\\\\b\\nc\\rd\ncd  plain name\nx\\y\\\\nz");
        assert_eq!(unescape(b"a\\\\b\\nc\\rd").as_deref(), Some(&b"a\\b\nc\rd"[..]));
        assert_eq!(unescape(b"trailing\\"), None);
    }
}
