//! The salted configuration hash.
//!
//! Exactly the algorithm of the former minio podspec charm (canonical/minio-operator at
//! 2edf220eda32):
//! `sha256(".".join(str(v) for v in values of all options in sorted key order) + "." + salt)`,
//! as lowercase hex. Values are rendered as Python's `str()` renders the JSON that
//! `config-get --format=json` prints: strings as they are, integers in decimal, booleans as
//! `True`/`False`. The salt is 30 characters `[A-Z0-9]`, generated once and kept in the material
//! secret ([`Salt`], content key `config-hash-salt`), so the hash, which goes into a Kubernetes
//! annotation of every Secret the charm writes, reveals no config value. It is not one area's: the
//! reconcile makes it before any area plans, and every area stamps it on its Secrets.

use juju_charm::SecretString;
use juju_charm::tools::SecretContent;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::material::{Keys, put_key, take_key};
use crate::random::{self, Entropy, EntropyError};

const SALT_KEY: &str = "config-hash-salt";

/// The kept salt of the config hash.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Salt(pub Option<SecretString>);

impl Keys for Salt {
    fn take(content: &mut SecretContent) -> Self {
        Self(take_key(content, SALT_KEY))
    }

    fn put(&self, content: &mut SecretContent) {
        put_key(content, SALT_KEY, self.0.as_ref());
    }
}

impl Salt {
    /// The config hash of `config`, generating the salt first if there is none yet.
    pub fn hash(
        &mut self,
        config: &Map<String, Value>,
        rng: &mut dyn Entropy,
    ) -> Result<String, EntropyError> {
        let salt = match &mut self.0 {
            Some(salt) => salt,
            empty => empty.insert(random::string(rng, random::UPPER_ALNUM, random::SECRET_LEN)?),
        };
        Ok(config_hash(config, salt))
    }
}

/// The hex SHA-256 of the config values in sorted key order, joined with `.`, then the salt.
pub fn config_hash(config: &Map<String, Value>, salt: &SecretString) -> String {
    let mut keys: Vec<&String> = config.keys().collect();
    // Python sorts str by code point; for UTF-8 that is the same as byte order.
    keys.sort();
    let mut hasher = Sha256::new();
    for key in keys {
        hasher.update(python_str(&config[key.as_str()]).as_bytes());
        hasher.update(b".");
    }
    // The salt is hashed, never shown: exposing it to the hasher is its purpose.
    hasher.update(salt.expose().as_bytes());
    hex::encode(hasher.finalize())
}

/// What Python's `str()` prints for a JSON value as `json.loads` would return it.
fn python_str(value: &Value) -> String {
    match value {
        Value::Null => "None".to_owned(),
        Value::Bool(true) => "True".to_owned(),
        Value::Bool(false) => "False".to_owned(),
        Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => i.to_string(),
            (None, Some(u), _) => u.to_string(),
            // Python prints whole floats with ".0"; Rust's shortest repr matches otherwise.
            (None, None, Some(f)) if f.fract() == 0.0 && f.abs() < 1e16 => format!("{f:.1}"),
            (None, None, Some(f)) => f.to_string(),
            (None, None, None) => n.to_string(),
        },
        Value::String(s) => s.clone(),
        // Options are scalars; render anything else as its JSON text rather than fail.
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(serde::Deserialize)]
    struct Vector {
        config: Map<String, Value>,
        salt: String,
        sha256: String,
    }

    /// The four vectors of the minio podspec charm's (skipped) test, kept in `tests/data`.
    #[test]
    fn reproduces_the_minio_vectors() {
        let vectors: Vec<Vector> =
            serde_json::from_str(include_str!("../tests/data/config-hash-vectors.json"))
                .expect("vectors parse");
        assert_eq!(vectors.len(), 4);
        for v in vectors {
            assert_eq!(config_hash(&v.config, &SecretString::new(v.salt)), v.sha256);
        }
    }

    #[test]
    fn renders_values_like_python_str() {
        assert_eq!(python_str(&json!(true)), "True");
        assert_eq!(python_str(&json!(false)), "False");
        assert_eq!(python_str(&json!(9000)), "9000");
        assert_eq!(python_str(&json!(-3)), "-3");
        assert_eq!(python_str(&json!(60.0)), "60.0");
        assert_eq!(python_str(&json!(0.5)), "0.5");
        assert_eq!(python_str(&json!("")), "");
    }

    #[test]
    fn the_salt_is_made_once_and_kept() {
        let mut salt = Salt::default();
        let config = Map::new();
        let first = salt.hash(&config, &mut crate::random::OsEntropy).expect("rng");
        let kept = salt.0.clone().expect("made");
        assert_eq!(kept.len(), 30);
        assert_eq!(salt.hash(&config, &mut crate::random::OsEntropy).expect("rng"), first);
        assert_eq!(salt.0, Some(kept));
    }

    #[test]
    fn empty_config_hashes_the_salt_alone() {
        let h = config_hash(&Map::new(), &SecretString::new("salt"));
        assert_eq!(h, hex::encode(Sha256::digest(b"salt")));
    }
}
