//! The certificates of `ckf_crypto::certs` as OpenSSL sees them.
//!
//! Our own unit tests parse certificates with the same library that helped write them, so they
//! cannot catch a profile that only we understand. Here the `openssl` CLI (OpenSSL 3, not written
//! by this project) reads the CA and the webhook leaves (`x509 -text`), checks the chain
//! (`verify`), loads the keys (`pkey`), and runs a real TLS handshake between `s_server` and
//! `s_client` with hostname checking, including across an overlapping CA rotation.
//! [`tls_handshake_ok`] is meant for reuse on certificates that reach the tests by other routes
//! (Kubernetes Secrets, relation data).

use std::fs;
use std::io::Write as _;
use std::net::{IpAddr, Ipv4Addr, TcpListener};
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use ckf_crypto::certs::{self, Issued, KeyAlgorithm};
use time::OffsetDateTime;

/// How long `s_server` may take to listen and `s_client` to finish.
const PROCESS_TIMEOUT: Duration = Duration::from_secs(20);
const POLL: Duration = Duration::from_millis(20);

/// Whether a TLS client that trusts `trust_bundle_pem` (one or more CA certificates) completes a
/// handshake with a server presenting `leaf_pem` and `key_pem`, checking the name `hostname` (a
/// DNS name, or an IP address, checked against the IP SANs), now.
///
/// Runs `openssl s_server` on a free loopback port for one connection and `openssl s_client`
/// with `-verify_return_error`; every wait is bounded and the server is killed afterwards, also
/// on panic. The key is written 0600 in a private temporary directory removed afterwards.
pub(crate) fn tls_handshake_ok(
    leaf_pem: &str,
    key_pem: &str,
    trust_bundle_pem: &str,
    hostname: &str,
) -> bool {
    tls_handshake_at(leaf_pem, key_pem, trust_bundle_pem, hostname, None)
}

/// [`tls_handshake_ok`] with the client checking validity dates at `at` (Unix seconds, passed as
/// `s_client -attime`) instead of now, for certificates issued under a simulated clock.
pub(crate) fn tls_handshake_at(
    leaf_pem: &str,
    key_pem: &str,
    trust_bundle_pem: &str,
    hostname: &str,
    at: Option<i64>,
) -> bool {
    let dir = tempfile::tempdir().expect("tempdir");
    let leaf = write(dir.path(), "leaf.pem", leaf_pem);
    let key = write(dir.path(), "key.pem", key_pem);
    let trust = write(dir.path(), "trust.pem", trust_bundle_pem);
    let name_check = match hostname.parse::<IpAddr>() {
        Ok(_) => "-verify_ip",
        Err(_) => "-verify_hostname",
    };
    let attime = at.map(|t| t.to_string());
    // A free port can be taken between our probe and s_server's bind: try a few.
    for attempt in 0..3 {
        let Some(server) = Server::start(dir.path(), attempt, &leaf, &key) else {
            continue;
        };
        let connect = format!("127.0.0.1:{}", server.port);
        let mut args = vec!["s_client", "-connect", &connect, "-CAfile", path_str(&trust)];
        args.extend([name_check, hostname, "-verify_return_error", "-brief"]);
        if let Some(t) = &attime {
            args.extend(["-attime", t.as_str()]);
        }
        let log = dir.path().join(format!("client-{attempt}.log"));
        let status = run_bounded(&args, &log);
        let output = fs::read_to_string(&log).unwrap_or_default();
        return status.is_some_and(|s| s.success()) && output.contains("Verification: OK");
    }
    panic!("openssl s_server did not start in three attempts");
}

/// A running `openssl s_server`, killed when dropped.
struct Server {
    child: Child,
    port: u16,
}

impl Server {
    /// Starts a one-connection server on a free port and waits until it listens; `None` if it
    /// exited first (its port was taken).
    fn start(dir: &Path, attempt: u32, cert: &Path, key: &Path) -> Option<Self> {
        let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .and_then(|l| l.local_addr())
            .expect("a free loopback port")
            .port();
        let log = dir.join(format!("server-{attempt}.log"));
        let accept = format!("127.0.0.1:{port}");
        let args = ["-accept", &accept, "-cert", path_str(cert), "-key", path_str(key)];
        let child = Command::new("openssl")
            .arg("s_server")
            .args(args)
            .args(["-naccept", "1", "-www"])
            .stdin(Stdio::null())
            .stdout(fs::File::create(&log).expect("server log"))
            .stderr(Stdio::null())
            .spawn()
            .expect("openssl s_server runs");
        let mut server = Server { child, port };
        let deadline = Instant::now() + PROCESS_TIMEOUT;
        while Instant::now() < deadline {
            if fs::read_to_string(&log).is_ok_and(|out| out.contains("ACCEPT")) {
                return Some(server);
            }
            if server.child.try_wait().ok().flatten().is_some() {
                return None;
            }
            sleep(POLL);
        }
        panic!("openssl s_server did not listen within {PROCESS_TIMEOUT:?}");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `openssl args…` with stdin empty and stdout+stderr into `log`; `None` if it had to be
/// killed after [`PROCESS_TIMEOUT`].
fn run_bounded(args: &[&str], log: &Path) -> Option<ExitStatus> {
    let out = fs::File::create(log).expect("log file");
    let err = out.try_clone().expect("log file");
    let mut child = Command::new("openssl")
        .args(args)
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .expect("openssl runs");
    let deadline = Instant::now() + PROCESS_TIMEOUT;
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait().expect("wait") {
            return Some(status);
        }
        sleep(POLL);
    }
    let _ = child.kill();
    let _ = child.wait();
    None
}

/// Writes `content` to `dir/name`, mode 0600 (some of it is key material).
fn write(dir: &Path, name: &str, content: &str) -> PathBuf {
    let path = dir.join(name);
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&path)
        .expect("create file");
    file.write_all(content.as_bytes()).expect("write file");
    path
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("temporary paths are UTF-8")
}

/// `openssl args…` on files holding `files` (written in a temporary directory, named as given),
/// with `{name}` in `args` replaced by the path of that file.
fn openssl(args: &[&str], files: &[(&str, &str)]) -> Output {
    let dir = tempfile::tempdir().expect("tempdir");
    let paths: Vec<(String, PathBuf)> = files
        .iter()
        .map(|(name, content)| (format!("{{{name}}}"), write(dir.path(), name, content)))
        .collect();
    let args: Vec<&str> = args
        .iter()
        .map(|arg| {
            paths
                .iter()
                .find(|(placeholder, _)| placeholder == arg)
                .map_or(*arg, |(_, p)| path_str(p))
        })
        .collect();
    Command::new("openssl").args(&args).output().expect("openssl runs")
}

/// `openssl x509 -text -noout` of a certificate.
fn x509_text(cert_pem: &str) -> String {
    let out = openssl(&["x509", "-in", "{cert}", "-text", "-noout"], &[("cert", cert_pem)]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("UTF-8")
}

/// Whether `openssl verify -CAfile <bundle> <leaf>` accepts the leaf.
fn openssl_verifies(trust_bundle_pem: &str, leaf_pem: &str) -> bool {
    let files = [("ca", trust_bundle_pem), ("leaf", leaf_pem)];
    let out = openssl(&["verify", "-CAfile", "{ca}", "{leaf}"], &files);
    let stdout = String::from_utf8_lossy(&out.stdout);
    out.status.success() && stdout.trim_end().ends_with(": OK")
}

/// The line after the line containing `heading` in `text`, trimmed.
fn line_after<'a>(text: &'a str, heading: &str) -> &'a str {
    let mut lines = text.lines();
    lines.find(|l| l.contains(heading)).unwrap_or_else(|| panic!("no {heading:?} in\n{text}"));
    lines.next().unwrap_or_default().trim()
}

/// OpenSSL's rendering of a time: `Nov 27 10:00:00 2026 GMT` (day padded with a space).
fn openssl_time(t: OffsetDateTime) -> String {
    let month = &format!("{:?}", t.month())[..3];
    let (day, hms, year) = (t.day(), t.time(), t.year());
    let (h, m, s) = (hms.hour(), hms.minute(), hms.second());
    format!("{month} {day:>2} {h:02}:{m:02}:{s:02} {year} GMT")
}

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

fn ca(alg: KeyAlgorithm) -> Issued {
    certs::generate_ca("ckf-crypto", 3650, alg, now(), &mut ckf_crypto::random::OsEntropy)
        .expect("CA")
}

fn kserve_services() -> Vec<String> {
    vec!["kserve-controller".into(), "kserve-webhook-server-service".into()]
}

fn leaf(ca: &Issued, alg: KeyAlgorithm) -> Issued {
    certs::issue_webhook_leaf(
        ca,
        &kserve_services(),
        "kubeflow",
        365,
        alg,
        now(),
        &mut ckf_crypto::random::OsEntropy,
    )
    .expect("leaf")
}

/// The signature algorithm OpenSSL names for a certificate signed by a key of `alg`.
fn signature_name(alg: KeyAlgorithm) -> &'static str {
    match alg {
        KeyAlgorithm::EcdsaP256 => "ecdsa-with-SHA256",
        _ => "sha256WithRSAEncryption",
    }
}

fn public_key_line(alg: KeyAlgorithm) -> String {
    match alg.rsa_bits() {
        Some(bits) => format!("Public-Key: ({bits} bit)"),
        None => "Public-Key: (256 bit)".to_owned(),
    }
}

fn check_ca_text(alg: KeyAlgorithm) {
    let ca = ca(alg);
    let text = x509_text(&ca.cert_pem);
    let info = certs::inspect(&ca.cert_pem).expect("inspect");
    assert!(text.contains("Subject: CN = ckf-crypto"), "{text}");
    assert!(text.contains("Issuer: CN = ckf-crypto"), "{text}");
    assert!(text.contains("X509v3 Basic Constraints: critical"), "{text}");
    assert_eq!(line_after(&text, "X509v3 Basic Constraints"), "CA:TRUE");
    assert_eq!(
        line_after(&text, "X509v3 Key Usage"),
        "Digital Signature, Certificate Sign, CRL Sign"
    );
    assert!(text.contains("X509v3 Subject Key Identifier"), "{text}");
    assert!(text.contains(&public_key_line(alg)), "{text}");
    assert!(text.contains(&format!("Signature Algorithm: {}", signature_name(alg))), "{text}");
    assert!(text.contains(&format!("Not Before: {}", openssl_time(info.not_before))), "{text}");
    assert!(text.contains(&format!("Not After : {}", openssl_time(info.not_after))), "{text}");
    assert_eq!(line_after(&text, "Serial Number:").replace(':', ""), info.serial_hex, "{text}");
    assert!(openssl_verifies(&ca.cert_pem, &ca.cert_pem), "the CA verifies against itself");
}

fn check_leaf_text(alg: KeyAlgorithm) {
    let ca = ca(alg);
    let leaf = leaf(&ca, alg);
    let text = x509_text(&leaf.cert_pem);
    let info = certs::inspect(&leaf.cert_pem).expect("inspect");
    assert!(text.contains("Subject: CN = kserve-controller.kubeflow.svc"), "{text}");
    assert!(text.contains("Issuer: CN = ckf-crypto"), "{text}");
    let sans: Vec<String> = certs::webhook_dns_names(&kserve_services(), "kubeflow")
        .iter()
        .map(|name| format!("DNS:{name}"))
        .chain(["IP Address:127.0.0.1".to_owned()])
        .collect();
    assert_eq!(line_after(&text, "X509v3 Subject Alternative Name"), sans.join(", "));
    assert!(text.contains("X509v3 Basic Constraints: critical"), "{text}");
    assert_eq!(line_after(&text, "X509v3 Basic Constraints"), "CA:FALSE");
    assert_eq!(line_after(&text, "X509v3 Key Usage"), "Digital Signature, Key Encipherment");
    assert_eq!(
        line_after(&text, "X509v3 Extended Key Usage"),
        "TLS Web Server Authentication, TLS Web Client Authentication"
    );
    assert!(text.contains("X509v3 Authority Key Identifier"), "{text}");
    assert!(text.contains("X509v3 Subject Key Identifier"), "{text}");
    assert!(text.contains(&public_key_line(alg)), "{text}");
    assert!(text.contains(&format!("Signature Algorithm: {}", signature_name(alg))), "{text}");
    assert!(text.contains(&format!("Not Before: {}", openssl_time(info.not_before))), "{text}");
    assert!(text.contains(&format!("Not After : {}", openssl_time(info.not_after))), "{text}");
    assert_eq!(info.not_after - info.not_before, time::Duration::days(365));
    let serial = line_after(&text, "Serial Number:").replace(':', "");
    assert_eq!(serial, info.serial_hex);
    assert_eq!(serial.len(), 40, "20 bytes, no sign byte");
    assert!(u8::from_str_radix(&serial[..2], 16).expect("hex") < 0x80, "positive");
}

fn check_keys_load(alg: KeyAlgorithm) {
    let ca = ca(alg);
    let leaf = leaf(&ca, alg);
    for issued in [&ca, &leaf] {
        let key = issued.key_pem.expose(); // test material, handed to openssl
        assert!(key.starts_with("-----BEGIN PRIVATE KEY-----\n"), "PKCS#8");
        let check = openssl(&["pkey", "-in", "{key}", "-check", "-noout"], &[("key", key)]);
        assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stderr));
        let from_key = openssl(&["pkey", "-in", "{key}", "-pubout"], &[("key", key)]);
        let from_cert =
            openssl(&["x509", "-in", "{cert}", "-pubkey", "-noout"], &[("cert", &issued.cert_pem)]);
        assert!(from_key.status.success() && from_cert.status.success());
        assert_eq!(from_key.stdout, from_cert.stdout, "the key belongs to its certificate");
    }
}

fn check_verify(alg: KeyAlgorithm) {
    let ca = ca(alg);
    let other_same_name = self::ca(alg);
    let leaf = leaf(&ca, alg);
    assert!(openssl_verifies(&ca.cert_pem, &leaf.cert_pem));
    assert!(!openssl_verifies(&other_same_name.cert_pem, &leaf.cert_pem));
    assert!(!openssl_verifies(&leaf.cert_pem, &leaf.cert_pem), "a leaf is no trust anchor");
}

fn check_handshake(alg: KeyAlgorithm) {
    let ca = ca(alg);
    let other = self::ca(alg);
    let leaf = leaf(&ca, alg);
    let key = leaf.key_pem.expose(); // test material, handed to openssl
    for host in [
        "kserve-controller.kubeflow.svc",
        "kserve-webhook-server-service.kubeflow.svc",
        "kserve-webhook-server-service.kubeflow.svc.cluster.local",
        "127.0.0.1",
    ] {
        assert!(tls_handshake_ok(&leaf.cert_pem, key, &ca.cert_pem, host), "{alg}: {host}");
    }
    assert!(!tls_handshake_ok(&leaf.cert_pem, key, &ca.cert_pem, "katib-controller.kubeflow.svc"));
    assert!(!tls_handshake_ok(&leaf.cert_pem, key, &ca.cert_pem, "kserve-controller.other.svc"));
    assert!(!tls_handshake_ok(&leaf.cert_pem, key, &ca.cert_pem, "127.0.0.2"));
    let host = "kserve-controller.kubeflow.svc";
    assert!(!tls_handshake_ok(&leaf.cert_pem, key, &other.cert_pem, host), "untrusted CA");
    let info = certs::inspect(&leaf.cert_pem).expect("inspect");
    let (from, to) = (info.not_before.unix_timestamp(), info.not_after.unix_timestamp());
    let at = |t| tls_handshake_at(&leaf.cert_pem, key, &ca.cert_pem, host, Some(t));
    // OpenSSL counts the notAfter second itself as expired (RFC 5280 would accept it).
    assert!(at(from) && at(to - 1), "valid from not_before to not_after");
    assert!(!at(from - 1) && !at(to + 1), "not yet valid, expired");
}

/// During a CA change the bundle holds the old and the new CA: leaves of either verify, in either
/// bundle order, and a leaf of a third CA does not.
fn check_rotation(alg: KeyAlgorithm) {
    let old = ca(alg);
    let new = ca(alg);
    let stranger = ca(alg);
    let old_leaf = leaf(&old, alg);
    let new_leaf = leaf(&new, alg);
    let stranger_leaf = leaf(&stranger, alg);
    let host = "kserve-controller.kubeflow.svc";
    for bundle in
        [format!("{}{}", old.cert_pem, new.cert_pem), format!("{}{}", new.cert_pem, old.cert_pem)]
    {
        assert_eq!(certs::split_pem_bundle(&bundle).len(), 2);
        for leaf in [&old_leaf, &new_leaf] {
            assert!(openssl_verifies(&bundle, &leaf.cert_pem));
            assert!(tls_handshake_ok(&leaf.cert_pem, leaf.key_pem.expose(), &bundle, host));
        }
        assert!(!openssl_verifies(&bundle, &stranger_leaf.cert_pem));
        let key = stranger_leaf.key_pem.expose(); // test material
        assert!(!tls_handshake_ok(&stranger_leaf.cert_pem, key, &bundle, host));
    }
    // Once the old CA leaves the bundle, only new leaves verify.
    assert!(!tls_handshake_ok(&old_leaf.cert_pem, old_leaf.key_pem.expose(), &new.cert_pem, host));
}

/// One test per check and algorithm: rsa-2048 (the default) and ecdsa-p256. (rsa-4096 is only
/// checked for its key size, in the unit tests: its key generation is slow.)
macro_rules! rsa_2048_and_ecdsa_p256 {
    ($($check:ident => $rsa:ident, $ecdsa:ident;)*) => {$(
        #[test]
        fn $rsa() {
            $check(KeyAlgorithm::Rsa2048);
        }

        #[test]
        fn $ecdsa() {
            $check(KeyAlgorithm::EcdsaP256);
        }
    )*};
}

rsa_2048_and_ecdsa_p256! {
    check_ca_text => rsa_2048_ca_as_openssl_reads_it, ecdsa_p256_ca_as_openssl_reads_it;
    check_leaf_text => rsa_2048_leaf_as_openssl_reads_it, ecdsa_p256_leaf_as_openssl_reads_it;
    check_keys_load => rsa_2048_keys_load_in_openssl_and_match, ecdsa_p256_keys_load_in_openssl_and_match;
    check_verify => rsa_2048_leaf_verifies_only_against_its_ca, ecdsa_p256_leaf_verifies_only_against_its_ca;
    check_handshake => rsa_2048_tls_handshake_checks_ca_and_hostname, ecdsa_p256_tls_handshake_checks_ca_and_hostname;
    check_rotation => rsa_2048_overlapping_ca_rotation, ecdsa_p256_overlapping_ca_rotation;
}

/// A CA loaded back from its PEM (as from a Juju secret) signs leaves that OpenSSL accepts, and
/// an RSA CA may sign an ECDSA leaf and the other way round.
#[test]
fn reloaded_and_mixed_algorithm_cas_sign_verifiable_leaves() {
    for (ca_alg, leaf_alg) in [
        (KeyAlgorithm::Rsa2048, KeyAlgorithm::EcdsaP256),
        (KeyAlgorithm::EcdsaP256, KeyAlgorithm::Rsa2048),
    ] {
        let ca = ca(ca_alg);
        let stored = Issued {
            cert_pem: ca.cert_pem.clone(),
            key_pem: juju_charm::SecretString::new(ca.key_pem.expose().to_owned()),
        };
        let leaf = leaf(&stored, leaf_alg);
        assert!(x509_text(&leaf.cert_pem).contains(signature_name(ca_alg)));
        assert!(openssl_verifies(&ca.cert_pem, &leaf.cert_pem), "{ca_alg} CA, {leaf_alg} leaf");
        let host = "kserve-controller.kubeflow.svc";
        assert!(tls_handshake_ok(&leaf.cert_pem, leaf.key_pem.expose(), &ca.cert_pem, host));
    }
}
