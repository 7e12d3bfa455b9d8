//! The Rust `bcrypt` crate, as ckf-crypto uses it for the Dex static password, against the
//! implementations that matter: Go's `x/crypto/bcrypt` (Dex verifies logins with it), Python's
//! `bcrypt` (the former dex-auth charm hashed with it) and apr-util's `htpasswd` (`$2y$`).
//! Also Dex's and PyYAML's reading of a `static-passwords.yaml` written by serde-saphyr.
//!
//! These tests use the crates directly, not the charm, so they hold whatever the charm's Dex code
//! does. The vectors come from canonical/dex-auth-operator's unit tests, the rules from dexidp/dex.

use base64::Engine;
use base64::engine::{GeneralPurpose, general_purpose};
use bcrypt::Version;
use serde::Serialize;
use serde_json::{Value, json};

use super::bcrypt_tools::{
    go_dexyaml, go_hash, go_verify, htpasswd_2y, python_gen_2a, python_hashpw, python_verify,
    python_yaml,
};

/// The salt of canonical/dex-auth-operator's unit tests and its three hashes.
const DEX_AUTH_SALT: &str = "$2b$12$T4A6H06j5ykPkY88iX0FMO";
const DEX_AUTH_VECTORS: [(&str, &str); 3] = [
    ("new-pass", "$2b$12$T4A6H06j5ykPkY88iX0FMOGVmkhYTHMazstXkG9jfjxDXD.mU6apu"),
    ("test-password", "$2b$12$T4A6H06j5ykPkY88iX0FMOc0t6Q4nvx7kvcVQrdwY1hYCZK3LMx2O"),
    ("foobar", "$2b$12$T4A6H06j5ykPkY88iX0FMOU5lGlXiWM3qf/AWdSnkVs7qtFAzx/MG"),
];

/// Characters a shell, JSON or YAML could mangle, and multi-byte UTF-8.
const AWKWARD: &str = "p@ss w\"rd\\ $2b$ #: 'é' 🔑";

/// The 16 salt bytes from the 22 bcrypt-base64 characters after `$2b$NN$`.
fn salt16(salt: &str) -> [u8; 16] {
    const BCRYPT_B64: GeneralPurpose =
        GeneralPurpose::new(&base64::alphabet::BCRYPT, general_purpose::NO_PAD);
    let bytes = BCRYPT_B64.decode(&salt[7..29]).expect("bcrypt base64");
    bytes.try_into().expect("16 bytes")
}

#[test]
fn dex_auth_salt_vectors_reproduce_in_rust() {
    let salt = salt16(DEX_AUTH_SALT);
    for (password, expected) in DEX_AUTH_VECTORS {
        let parts = bcrypt::hash_with_salt(password, 12, salt).expect("hash");
        assert_eq!(parts.format_for_version(Version::TwoB), expected, "{password}");
    }
}

#[test]
fn dex_auth_salt_vectors_reproduce_in_python_and_verify_in_go() {
    for (password, expected) in DEX_AUTH_VECTORS {
        assert_eq!(python_hashpw(password, DEX_AUTH_SALT), expected, "{password}");
    }
    let (password, hash) = DEX_AUTH_VECTORS[0];
    assert_eq!(go_verify(hash, password), Ok(12));
}

#[test]
fn rust_2b_hashes_verify_with_go_and_python() {
    for cost in [10, 12] {
        let hash = bcrypt::hash(AWKWARD, cost).expect("hash");
        assert!(hash.starts_with(&format!("$2b${cost}$")), "{hash}");
        assert_eq!(go_verify(&hash, AWKWARD), Ok(cost));
        assert!(python_verify(&hash, AWKWARD));
    }
}

#[test]
fn rust_2b_hash_rejects_a_wrong_password_in_go_and_python() {
    let hash = bcrypt::hash(AWKWARD, 10).expect("hash");
    let wrong = AWKWARD.replace('é', "e");
    let err = go_verify(&hash, &wrong).expect_err("Go must reject a wrong password");
    assert!(err.contains("is not the hash of the given password"), "{err}");
    assert!(!python_verify(&hash, &wrong));
}

#[test]
fn go_python_and_htpasswd_hashes_verify_with_rust() {
    let go = go_hash(AWKWARD, 12);
    assert!(go.starts_with("$2a$12$"), "{go}");
    let python = python_gen_2a(AWKWARD, 10);
    assert!(python.starts_with("$2a$10$"), "{python}");
    let apr = htpasswd_2y(AWKWARD, 10);
    assert!(apr.starts_with("$2y$10$"), "{apr}");
    for hash in [&go, &python, &apr] {
        assert!(bcrypt::verify(AWKWARD, hash).expect("verify"), "{hash}");
        assert!(!bcrypt::verify("wrong", hash).expect("verify"), "{hash}");
    }
    // Dex (Go's x/crypto/bcrypt) accepts any minor letter: a `$2y$` from htpasswd logs in too.
    assert_eq!(go_verify(&apr, AWKWARD), Ok(10));
}

#[test]
fn a_72_byte_password_counts_in_full_everywhere() {
    // 70 ASCII bytes and a two-byte character: exactly 72 bytes, the last one significant.
    let pw72 = format!("{}é", "a".repeat(70));
    let differs_at_72 = format!("{}è", "a".repeat(70));
    assert_eq!((pw72.len(), differs_at_72.len()), (72, 72));

    let rust = bcrypt::hash(&pw72, 10).expect("hash");
    assert_eq!(go_verify(&rust, &pw72), Ok(10));
    assert!(python_verify(&rust, &pw72));
    assert!(go_verify(&rust, &differs_at_72).is_err());
    assert!(!python_verify(&rust, &differs_at_72));

    let go = go_hash(&pw72, 10);
    let python = python_gen_2a(&pw72, 10);
    for hash in [&go, &python] {
        assert!(bcrypt::verify(&pw72, hash).expect("verify"), "{hash}");
        assert!(!bcrypt::verify(&differs_at_72, hash).expect("verify"), "{hash}");
    }

    // Past 72 bytes Rust and Go silently ignore the rest (Python bcrypt 5 raises instead),
    // which is why the charm Blocks such a password rather than hashing it.
    let pw73 = format!("{pw72}x");
    assert!(bcrypt::verify(&pw73, &rust).expect("verify"));
    assert_eq!(go_verify(&rust, &pw73), Ok(10));
    // And the crate's `non_truncating_*` refuse 72 bytes already (the NUL would be cut), so
    // `hash`/`hash_with_salt` are the ones to use for a 72-byte password.
    assert!(bcrypt::non_truncating_hash(&pw72, 4).is_err());
}

/// The shape the charm writes into `static-passwords.yaml` (Dex's `staticPasswords` entry).
#[derive(Serialize)]
struct Entry<'a> {
    email: &'a str,
    hash: &'a str,
    username: &'a str,
    #[serde(rename = "userID")]
    user_id: &'a str,
}

#[test]
fn dex_and_python_read_serde_saphyr_static_passwords_alike() {
    // Usernames YAML 1.1 (PyYAML, and Dex's ghodss/yaml over yaml.v2) would read as something
    // other than a string unless serde-saphyr quotes them.
    let usernames = [
        "admin",
        "123",
        "0x1F",
        "1e3",
        "0o17",
        "1_000",
        "yes",
        "No",
        "on",
        "OFF",
        "y",
        "true",
        "null",
        "~",
        "",
        "2001-01-01",
        ".inf",
        "-",
        "a: b",
        "#x",
        "'q'",
        "\"dq\"",
        "  pad ",
        "ünï",
        "multi\nline",
    ];
    let (password, hash) = DEX_AUTH_VECTORS[2];
    let user_id = "0e8d1c52-6f2e-4a57-9a53-6ad5d0f6f1b7";
    let entries: Vec<Entry> =
        usernames.iter().map(|u| Entry { email: u, hash, username: u, user_id }).collect();
    let yaml = serde_saphyr::to_string(&entries).expect("yaml");
    let expected: Value = usernames
        .iter()
        .map(|u| json!({"email": u, "hash": hash, "username": u, "userID": user_id}))
        .collect();

    assert_eq!(python_yaml(&yaml), expected, "PyYAML reads:\n{yaml}");
    let dex = go_dexyaml(&yaml).unwrap_or_else(|e| panic!("Dex refuses it: {e}\n{yaml}"));
    assert_eq!(dex, expected, "Dex reads:\n{yaml}");
    let read_hash = dex[0]["hash"].as_str().expect("hash");
    assert_eq!(go_verify(read_hash, password), Ok(12));
}

#[test]
fn dex_yaml_check_refuses_what_dex_refuses() {
    // The checker must be able to fail: an unquoted number where Dex wants a string, and a hash
    // Dex cannot parse (`malformed bcrypt hash`), with what PyYAML makes of the same text.
    let (_, hash) = DEX_AUTH_VECTORS[0];
    let number = format!("- email: admin\n  hash: {hash}\n  username: admin\n  userID: 123\n");
    let err = go_dexyaml(&number).expect_err("a number is not a string for Dex");
    assert!(err.contains("cannot unmarshal number"), "{err}");
    assert_eq!(python_yaml(&number)[0]["userID"], json!(123));

    let bad = "- email: admin\n  hash: not-a-hash\n  username: admin\n  userID: x\n";
    let err = go_dexyaml(bad).expect_err("a malformed hash");
    assert!(err.contains("malformed bcrypt hash"), "{err}");

    // Dex's backward compatibility: a base64-encoded bcrypt hash is decoded on load.
    let b64 = general_purpose::STANDARD.encode(hash);
    let old = format!("- email: admin\n  hash: {b64}\n  username: admin\n  userID: x\n");
    assert_eq!(go_dexyaml(&old).expect("base64 hash")[0]["hash"], json!(hash));
}
