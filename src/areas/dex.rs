//! The Dex static password: bcrypt with a kept salt, hashed only on change.
//!
//! dex-auth keeps a bcrypt salt in per-unit state (lost with the pod, so the hash changes), re-runs
//! bcrypt-12 (about 0.3 s of CPU) in every hook, and turns an empty password into a random one
//! nobody can read (canonical/dex-auth-operator `src/charm.py`). Here the salt, the Dex `userID` (a
//! UUID), a generated password when the option is empty, the hash and a change fingerprint live in
//! the material secret ([`Stored`]), so the hash is byte-identical across hooks, units, restarts
//! and leader changes.
//!
//! bcrypt runs only when the username, the password or the cost changed. The check compares a
//! fingerprint, `HMAC-SHA256(key, "ckf-crypto dex v1" ‖ cost ‖ username ‖ password)`, whose key
//! is itself kept in the secret: neither the configured password nor an unkeyed fast hash of it
//! is stored. The hash is `$2b$` at `bcrypt-cost` (10 to 16, the range Dex accepts at login); a
//! cost change keeps the salt, so only the prefix and the digest change. The area delivers the
//! Secret `dex-static-passwords`; a bad Dex option holds the hash and the Secret as they are.

use hmac::{Hmac, KeyInit, Mac};
use juju_charm::SecretString;
use juju_charm::tools::SecretContent;
use serde::Serialize;
use sha2::Sha256;

use super::{Area, AreaPlan, Input, KubeReads, Planned};
use crate::config::Config;
use crate::material::{Keys, Material, Part, put_key, take_key};
use crate::random::{self, Entropy, EntropyError};

/// The Kubernetes Secret holding Dex's `staticPasswords`.
pub const SECRET: &str = "dex-static-passwords";
/// Its data key.
pub const SECRET_KEY: &str = "static-passwords.yaml";
/// The name `rotate-secret` takes for the generated password.
pub const ROTATABLE: &str = "static-password";

/// Length of a generated password (characters from `[A-Za-z0-9]`, about 178 bits).
const GENERATED_LEN: usize = 30;

/// This area's material (content keys `dex-*`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stored {
    /// The bcrypt salt, 16 bytes as hex.
    pub salt: Option<SecretString>,
    /// Dex's `userID`.
    pub user_id: Option<String>,
    /// The key of the change fingerprint.
    pub hmac_key: Option<SecretString>,
    /// The generated password (kept even while one is configured, for when it is cleared).
    pub password: Option<SecretString>,
    /// The bcrypt hash (`$2b$`, 60 characters).
    pub hash: Option<String>,
    /// The fingerprint of what was hashed.
    pub fingerprint: Option<String>,
}

const SALT: &str = "dex-salt";
const USER_ID: &str = "dex-user-id";
const HMAC_KEY: &str = "dex-hmac-key";
const PASSWORD: &str = "dex-password";
const HASH: &str = "dex-hash";
const FINGERPRINT: &str = "dex-fingerprint";

impl Keys for Stored {
    fn take(content: &mut SecretContent) -> Self {
        let text = |v: SecretString| v.expose().to_owned();
        Self {
            salt: take_key(content, SALT),
            user_id: take_key(content, USER_ID).map(text),
            hmac_key: take_key(content, HMAC_KEY),
            password: take_key(content, PASSWORD),
            hash: take_key(content, HASH).map(text),
            fingerprint: take_key(content, FINGERPRINT).map(text),
        }
    }

    fn put(&self, content: &mut SecretContent) {
        let public = |v: &Option<String>| v.as_deref().map(SecretString::new);
        put_key(content, SALT, self.salt.as_ref());
        put_key(content, USER_ID, public(&self.user_id).as_ref());
        put_key(content, HMAC_KEY, self.hmac_key.as_ref());
        put_key(content, PASSWORD, self.password.as_ref());
        put_key(content, HASH, public(&self.hash).as_ref());
        put_key(content, FINGERPRINT, public(&self.fingerprint).as_ref());
    }
}

/// The config of this area, already validated.
#[derive(Debug, Clone, Copy)]
pub struct Params<'a> {
    /// `static-username`
    pub username: &'a str,
    /// `static-password`, `None` when empty (a generated one is used).
    pub password: Option<&'a SecretString>,
    /// `bcrypt-cost`, 10 to 16.
    pub cost: u32,
}

impl<'a> Params<'a> {
    /// The Dex options, when all are valid.
    pub fn of(config: &'a Config) -> Option<Self> {
        match (&config.static_username, &config.static_password, &config.bcrypt_cost) {
            (Ok(username), Ok(password), Ok(cost)) => {
                Some(Self { username, password: password.as_ref(), cost: *cost })
            }
            _ => None,
        }
    }
}

/// Something went wrong making the material.
#[derive(Debug, thiserror::Error)]
pub enum DexError {
    /// The OS CSPRNG failed.
    #[error(transparent)]
    Entropy(#[from] EntropyError),
    /// bcrypt refused (never shows the password).
    #[error("bcrypt failed: {0}")]
    Bcrypt(String),
    /// The YAML could not be written.
    #[error("cannot serialise static-passwords.yaml: {0}")]
    Yaml(#[from] serde_saphyr::ser::Error),
}

/// A random (version 4) UUID.
fn uuid_v4(rng: &mut dyn Entropy) -> Result<String, EntropyError> {
    let mut b = [0u8; 16];
    random::fill(rng, &mut b)?;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    Ok(format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..]))
}

fn fingerprint(key_hex: &str, p: &Params<'_>, password: &SecretString) -> String {
    // Any key length is valid for HMAC; an invalid stored key (not hex) is used as bytes.
    let key = hex::decode(key_hex).unwrap_or_else(|_| key_hex.as_bytes().to_vec());
    let Ok(mut mac) = <Hmac<Sha256> as KeyInit>::new_from_slice(&key) else {
        // Unreachable: HMAC accepts keys of any length.
        return String::new();
    };
    mac.update(b"ckf-crypto dex v1\0");
    mac.update(p.cost.to_string().as_bytes());
    mac.update(b"\0");
    mac.update(p.username.as_bytes());
    mac.update(b"\0");
    // The password enters the keyed hash only; the MAC reveals nothing without the key.
    mac.update(password.expose().as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// What planning the password did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hashed {
    /// Whether bcrypt ran.
    pub hashed: bool,
    /// Whether the password in effect was generated by the charm.
    pub generated: bool,
}

/// Brings `m` to what `p` asks for; runs bcrypt only when needed. `rotate` replaces a generated
/// password.
pub fn desired(
    m: &mut Stored,
    p: &Params<'_>,
    rotate: bool,
    rng: &mut dyn Entropy,
) -> Result<Hashed, DexError> {
    let salt_ok = |s: &SecretString| s.len() == 32 && hex::decode(s.expose()).is_ok();
    if !m.salt.as_ref().is_some_and(salt_ok) {
        m.salt = Some(SecretString::new(random::hex(rng, 16)?));
    }
    if m.user_id.is_none() {
        m.user_id = Some(uuid_v4(rng)?);
    }
    if m.hmac_key.is_none() {
        m.hmac_key = Some(SecretString::new(random::hex(rng, 32)?));
    }
    if (p.password.is_none() && m.password.is_none()) || (rotate && m.password.is_some()) {
        m.password = Some(random::string(rng, random::ALNUM, GENERATED_LEN)?);
    }
    let (password, generated) = match (p.password, &m.password) {
        (Some(pw), _) => (pw, false),
        (None, Some(pw)) => (pw, true),
        // Unreachable: a generated password exists whenever none is configured.
        (None, None) => return Err(DexError::Bcrypt("no password".into())),
    };
    let key = m.hmac_key.as_ref().map(SecretString::expose).unwrap_or_default();
    let fp = fingerprint(key, p, password);
    if m.hash.is_some() && m.fingerprint.as_deref() == Some(fp.as_str()) {
        return Ok(Hashed { hashed: false, generated });
    }
    let mut salt = [0u8; 16];
    let salt_hex = m.salt.as_ref().map(SecretString::expose).unwrap_or_default();
    hex::decode_to_slice(salt_hex, &mut salt).map_err(|e| DexError::Bcrypt(e.to_string()))?;
    // The password goes to bcrypt, which is what it is for.
    let parts = crate::cpu::bounded(|| bcrypt::hash_with_salt(password.expose(), p.cost, salt))
        .map_err(|e| DexError::Bcrypt(e.to_string()))?;
    m.hash = Some(parts.format_for_version(bcrypt::Version::TwoB));
    m.fingerprint = Some(fp);
    Ok(Hashed { hashed: true, generated })
}

/// The password in effect, for `get-credentials`.
pub fn password(config: &Config, m: &Stored) -> Result<SecretString, String> {
    let problem = |p: &crate::config::ConfigProblem| p.message.clone();
    config.static_username.as_ref().map_err(problem)?;
    config.bcrypt_cost.as_ref().map_err(problem)?;
    match (config.static_password.as_ref().map_err(problem)?, &m.password, &m.hash) {
        (Some(pw), _, _) => Ok(pw.clone()),
        (None, Some(pw), Some(_)) => Ok(pw.clone()),
        _ => Err(super::NOT_GENERATED.into()),
    }
}

/// The Dex `staticPasswords` entry.
#[derive(Serialize)]
struct Entry<'a> {
    email: &'a str,
    hash: &'a str,
    username: &'a str,
    #[serde(rename = "userID")]
    user_id: &'a str,
}

/// `static-passwords.yaml`: the one-entry `staticPasswords` list (`email` = `username`).
pub fn static_passwords_yaml(username: &str, m: &Stored) -> Result<String, DexError> {
    let hash = m.hash.as_deref().unwrap_or_default();
    let user_id = m.user_id.as_deref().unwrap_or_default();
    let entry = Entry { email: username, hash, username, user_id };
    Ok(serde_saphyr::to_string(&vec![entry])?)
}

/// The Dex area.
#[derive(Debug, Default)]
pub struct Dex;

impl Area for Dex {
    fn name(&self) -> &'static str {
        "Dex"
    }

    fn kube_reads(&self) -> KubeReads {
        KubeReads { secrets: true, ..KubeReads::default() }
    }

    fn plan(&self, input: &Input<'_>, material: &Material, rng: &mut dyn Entropy) -> Planned {
        let mut plan = AreaPlan::default();
        // Bad Dex config: the hash and the Secret in place stay as they are.
        let Some(p) = Params::of(input.config) else { return Ok(plan) };
        let mut m = material.dex.clone();
        let done = desired(&mut m, &p, input.intent.rotates(ROTATABLE), rng)?;
        if done.hashed {
            plan.info(format!("hashed the Dex static password (bcrypt cost {})", p.cost));
        }
        let yaml = zeroize::Zeroizing::new(static_passwords_yaml(p.username, &m)?);
        let secret = input.secret(SECRET, "Opaque", vec![(SECRET_KEY, yaml.as_bytes())]);
        plan.kube.extend(input.secret_write(secret, vec![]));
        plan.material = Some(Part::Dex(m));
        Ok(plan)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::OsEntropy;

    fn params<'a>(username: &'a str, password: Option<&'a SecretString>, cost: u32) -> Params<'a> {
        Params { username, password, cost }
    }

    fn run(m: &mut Stored, p: Params<'_>, rotate: bool) -> Hashed {
        desired(m, &p, rotate, &mut OsEntropy).expect("dex")
    }

    #[test]
    fn first_run_hashes_and_a_second_run_does_not() {
        let pw = SecretString::new("new-pass");
        let mut m = Stored::default();
        let first = run(&mut m, params("admin", Some(&pw), 10), false);
        assert_eq!(first, Hashed { hashed: true, generated: false });
        let hash = m.hash.clone().expect("hash");
        assert!(hash.starts_with("$2b$10$") && hash.len() == 60);
        assert!(bcrypt::verify("new-pass", &hash).expect("verify"));
        let before = m.clone();
        let again = run(&mut m, params("admin", Some(&pw), 10), false);
        assert!(!again.hashed, "nothing changed: no bcrypt");
        assert_eq!(m, before);
    }

    #[test]
    fn changes_rehash_with_the_same_salt() {
        let pw = SecretString::new("new-pass");
        let mut first = Stored::default();
        run(&mut first, params("admin", Some(&pw), 10), false);
        let first_hash = first.hash.clone().expect("hash");
        let other = SecretString::new("test-password");
        for p in [
            params("admin", Some(&other), 10),
            params("someone", Some(&pw), 10),
            params("admin", Some(&pw), 11),
        ] {
            let mut m = first.clone();
            assert!(run(&mut m, p, false).hashed, "{} changed: bcrypt runs", p.username);
            let hash = m.hash.clone().expect("hash");
            // The username is not an input of bcrypt itself: the same hash comes out.
            assert_eq!(hash == first_hash, p.username != "admin" && p.cost == 10);
            assert_eq!(&hash[7..29], &first_hash[7..29], "the salt is kept");
            assert_eq!(m.user_id, first.user_id, "the userID is kept");
        }
        let mut m = first.clone();
        run(&mut m, params("admin", Some(&pw), 11), false);
        assert!(m.hash.expect("hash").starts_with("$2b$11$"));
    }

    #[test]
    fn the_fixed_salt_vectors_reproduce() {
        // The salt of canonical/dex-auth-operator's unit tests: $2b$12$T4A6H06j5ykPkY88iX0FMO.
        let vector = "$2b$12$T4A6H06j5ykPkY88iX0FMOGVmkhYTHMazstXkG9jfjxDXD.mU6apu";
        let salt = vector.parse::<bcrypt::HashParts>().expect("parts").get_salt_raw();
        for (pw, expected) in [
            ("new-pass", "$2b$12$T4A6H06j5ykPkY88iX0FMOGVmkhYTHMazstXkG9jfjxDXD.mU6apu"),
            ("test-password", "$2b$12$T4A6H06j5ykPkY88iX0FMOc0t6Q4nvx7kvcVQrdwY1hYCZK3LMx2O"),
            ("foobar", "$2b$12$T4A6H06j5ykPkY88iX0FMOU5lGlXiWM3qf/AWdSnkVs7qtFAzx/MG"),
        ] {
            let mut m =
                Stored { salt: Some(SecretString::new(hex::encode(salt))), ..Stored::default() };
            let pw = SecretString::new(pw);
            run(&mut m, params("admin", Some(&pw), 12), false);
            assert_eq!(m.hash.as_deref(), Some(expected));
        }
    }

    #[test]
    fn empty_password_is_generated_once_and_rotation_replaces_it() {
        let mut m = Stored::default();
        assert!(run(&mut m, params("admin", None, 10), false).generated);
        let first = m.password.clone().expect("generated");
        assert_eq!(first.len(), 30);
        assert!(first.expose().bytes().all(|b| b.is_ascii_alphanumeric()));
        assert!(!run(&mut m, params("admin", None, 10), false).hashed);
        assert_eq!(m.password.as_ref(), Some(&first));
        assert!(run(&mut m, params("admin", None, 10), true).hashed);
        assert_ne!(m.password.as_ref(), Some(&first));
        // A configured password wins, and the generated one is kept for later.
        let kept = m.password.clone();
        let pw = SecretString::new("configured");
        assert!(!run(&mut m, params("admin", Some(&pw), 10), false).generated);
        assert_eq!(m.password, kept);
    }

    #[test]
    fn nothing_stored_holds_the_password() {
        let pw = SecretString::new("a-configured-password");
        let mut m = Stored::default();
        run(&mut m, params("admin", Some(&pw), 10), false);
        let mut content = SecretContent::new();
        m.put(&mut content);
        for v in content.values() {
            assert!(!v.expose().contains("a-configured-password"));
        }
        assert!(!content.contains_key(PASSWORD));
        assert_eq!(content[FINGERPRINT].len(), 64);
        assert_ne!(
            content[FINGERPRINT].expose(),
            hex::encode(<Sha256 as sha2::Digest>::digest(b"a-configured-password"))
        );
    }

    #[test]
    fn uuid_and_yaml() {
        let id = uuid_v4(&mut OsEntropy).expect("uuid");
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
        let pw = SecretString::new("x");
        let mut m = Stored::default();
        run(&mut m, params("yes", Some(&pw), 10), false);
        m.user_id = Some("00000000-0000-4000-8000-000000000000".into());
        let yaml = static_passwords_yaml("yes", &m).expect("yaml");
        let back: Vec<std::collections::BTreeMap<String, String>> =
            serde_saphyr::from_str(&yaml).expect("parse");
        assert_eq!(back[0]["email"], "yes");
        assert_eq!(back[0]["username"], "yes");
        assert_eq!(back[0]["hash"].as_str(), m.hash.as_deref().expect("hash"));
        assert_eq!(back[0]["userID"].as_str(), m.user_id.as_deref().expect("id"));
        assert!(yaml.contains("\"yes\""), "YAML 1.1 booleans are quoted: {yaml}");
    }
}
