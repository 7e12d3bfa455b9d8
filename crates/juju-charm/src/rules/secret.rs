//! Secrets: URIs, content keys and content limits.

use std::fmt;
use std::str::FromStr;

use super::JujuVersion;

/// A secret's URI: `secret:<id>`, or `secret://<model-uuid>/<id>` for a secret of another model.
///
/// Parsed as juju/juju `core/secrets/secret.go` `ParseURI` parses: the scheme is `secret` (or
/// absent, so a bare id is accepted, as `secret-ids` and `secret-info-get` print them), the
/// host, if any, is a model UUID, and the id is an xid: 20 characters of `0-9a-v`. It prints
/// in Juju's canonical form ([`fmt::Display`]), so no caller has to add the `secret:` prefix.
///
/// ```
/// use juju_charm::rules::SecretUri;
///
/// let bare: SecretUri = "cr1bm4s3vnv5q0u0ghcg".parse()?;
/// assert_eq!(bare.to_string(), "secret:cr1bm4s3vnv5q0u0ghcg");
/// let remote: SecretUri =
///     "secret://be4a7a07-7b03-4a5e-8c12-2f5e9d3c4b11/cr1bm4s3vnv5q0u0ghcg".parse()?;
/// assert_eq!(remote.id(), bare.id());
/// assert!("secret:not-a-secret".parse::<SecretUri>().is_err());
/// # Ok::<(), juju_charm::rules::SecretUriError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SecretUri {
    model_uuid: Option<String>,
    id: String,
}

impl SecretUri {
    /// The secret's id, the 20-character xid at the end of the URI.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The UUID of the model that owns the secret, when the URI names one.
    pub fn model_uuid(&self) -> Option<&str> {
        self.model_uuid.as_deref()
    }

    /// Whether `self` and `other` name the same secret, whether or not each names the model.
    pub fn same_secret(&self, other: &SecretUri) -> bool {
        self.id == other.id
            && (self.model_uuid.is_none()
                || other.model_uuid.is_none()
                || self.model_uuid == other.model_uuid)
    }
}

impl fmt::Display for SecretUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.model_uuid {
            Some(uuid) => write!(f, "secret://{uuid}/{}", self.id),
            None => write!(f, "secret:{}", self.id),
        }
    }
}

/// A string that is not a secret URI. The text is quoted: a URI is not a secret value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a secret URI (secret:<id>, secret://<model-uuid>/<id> or <id>)")]
pub struct SecretUriError(String);

impl FromStr for SecretUri {
    type Err = SecretUriError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || SecretUriError(s.to_owned());
        let s = s.trim();
        let (model_uuid, id) = if let Some(rest) = s.strip_prefix("secret://") {
            let (uuid, id) = rest.split_once('/').ok_or_else(bad)?;
            if !is_model_uuid(uuid) {
                return Err(bad());
            }
            (Some(uuid.to_owned()), id)
        } else {
            (None, s.strip_prefix("secret:").unwrap_or(s))
        };
        if !is_xid(id) {
            return Err(bad());
        }
        Ok(Self { model_uuid, id: id.to_owned() })
    }
}

/// An xid as Juju prints it (github.com/rs/xid): 20 characters of `0-9a-v`.
fn is_xid(s: &str) -> bool {
    s.len() == 20 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'v').contains(&b))
}

/// A model UUID (github.com/juju/names `IsValidModel`): 8-4-4-4-12 lowercase hex digits.
fn is_model_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups.iter().zip([8, 4, 4, 4, 12]).all(|(g, n)| {
            g.len() == n && g.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        })
}

/// Whether `key` may be a key of secret content: `^[a-z](?:-?[a-z0-9]){2,}$` (juju/juju
/// `core/secrets/createsecret.go` `keyRegExp`): three or more lowercase letters and digits,
/// starting with a letter, with single hyphens between them.
///
/// ```
/// use juju_charm::rules::is_secret_key;
///
/// assert!(is_secret_key("ca-key"));
/// assert!(!is_secret_key("ab"));       // too short
/// assert!(!is_secret_key("ca_key"));   // no underscores
/// assert!(!is_secret_key("ca--key"));  // no double hyphens
/// ```
pub fn is_secret_key(key: &str) -> bool {
    let bytes = key.as_bytes();
    let Some((first, rest)) = bytes.split_first() else {
        return false;
    };
    if !first.is_ascii_lowercase() {
        return false;
    }
    let is_alnum = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    let mut units = 0;
    let mut i = 0;
    while i < rest.len() {
        // One unit: an optional hyphen, then one letter or digit.
        if rest[i] == b'-' {
            i += 1;
        }
        match rest.get(i) {
            Some(b) if is_alnum(b) => {
                units += 1;
                i += 1;
            }
            _ => return false,
        }
    }
    units >= 2
}

/// How much content one secret may hold: Juju checks it when `secret-add` or `secret-set`
/// parses its arguments, and refuses the call (exit 2) when a value or the whole content is too
/// large. Keys are not counted.
///
/// The limits depend on the Juju version (juju/juju `core/secrets/createsecret.go`,
/// `maxValueSizeBytes` and `maxContentSizeBytes`):
///
/// | Juju | per value | in all | measured on |
/// | --- | --- | --- | --- |
/// | before 3.3.2, and 3.4.0 | 5120 bytes | 65536 bytes | the value as given |
/// | 3.3.2 to 3.6.8, but 3.4.0 | 8192 bytes | 65536 bytes | the value as given |
/// | 3.6.9 and later (4.x too) | 1000000 bytes | 1000000 bytes | its base64 encoding |
///
/// (juju/juju pull requests 16943, then 20287 and 20314.)
///
/// ```
/// use juju_charm::rules::{JujuVersion, SecretLimits};
///
/// let limits = SecretLimits::for_version(&JujuVersion::new(3, 6, 8));
/// assert_eq!(limits.per_value, 8192);
/// assert!(limits.check_value(&"x".repeat(8193)).is_err());
/// let newer = JujuVersion::new(3, 6, 9).secret_limits();
/// assert_eq!(newer.measure("abcd"), 8); // base64
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct SecretLimits {
    /// The largest value, in bytes as measured.
    pub per_value: usize,
    /// The largest content, the sum of its values as measured.
    pub total: usize,
    /// Whether values are measured base64-encoded (3.6.9 on) rather than as given.
    pub base64: bool,
    /// The Juju versions these limits are of, for messages (`before 3.6.9`).
    pub versions: &'static str,
}

impl SecretLimits {
    /// Juju before 3.3.2, and 3.4.0: 5120 bytes a value, 65536 in all, as given.
    pub const BEFORE_3_3_2: SecretLimits =
        SecretLimits { per_value: 5120, total: 65536, base64: false, versions: "before 3.3.2" };
    /// Juju 3.3.2 to 3.6.8 (but 3.4.0): 8192 bytes a value, 65536 in all, as given.
    pub const BEFORE_3_6_9: SecretLimits =
        SecretLimits { per_value: 8192, total: 65536, base64: false, versions: "before 3.6.9" };
    /// Juju 3.6.9 and later: 1000000 bytes of base64 a value and in all.
    pub const SINCE_3_6_9: SecretLimits = SecretLimits {
        per_value: 1_000_000,
        total: 1_000_000,
        base64: true,
        versions: "3.6.9 and later",
    };

    /// The limits of Juju `version`.
    pub fn for_version(version: &JujuVersion) -> Self {
        let v = |major, minor, patch| JujuVersion::new(major, minor, patch);
        if *version >= v(3, 6, 9) {
            Self::SINCE_3_6_9
        } else if (v(3, 3, 2)..v(3, 4, 0)).contains(version) || *version >= v(3, 4, 1) {
            Self::BEFORE_3_6_9
        } else {
            Self::BEFORE_3_3_2
        }
    }

    /// A value's size as Juju measures it: its length, or from 3.6.9 its base64 length.
    pub fn measure(&self, value: &str) -> usize {
        if self.base64 { value.len().div_ceil(3) * 4 } else { value.len() }
    }

    /// Why `value` cannot be one secret value, if it cannot: `it is N bytes, over the 8192
    /// bytes a Juju secret value may hold (Juju before 3.6.9)`. The value itself is never in the
    /// message.
    pub fn check_value(&self, value: &str) -> Result<(), String> {
        self.check_size(self.measure(value), "")
    }

    /// Why a value of `size` bytes as Juju measures it cannot be one secret value, if it cannot;
    /// `at_least` is put before the number (`"at least "` for an estimate).
    pub fn check_size(&self, size: usize, at_least: &str) -> Result<(), String> {
        if size > self.per_value {
            let encoded = if self.base64 { " base64-encoded" } else { "" };
            return Err(format!(
                "it is {at_least}{size} bytes{encoded}, over the {} bytes a Juju secret value \
                 may hold (Juju {})",
                self.per_value, self.versions
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_parse_and_print_canonically() {
        let xid = "cr1bm4s3vnv5q0u0ghcg";
        for given in [xid.to_owned(), format!("secret:{xid}"), format!(" secret:{xid}\n")] {
            let uri: SecretUri = given.parse().expect("valid");
            assert_eq!(uri.to_string(), format!("secret:{xid}"));
            assert_eq!((uri.id(), uri.model_uuid()), (xid, None));
        }
        let uuid = "be4a7a07-7b03-4a5e-8c12-2f5e9d3c4b11";
        let remote: SecretUri = format!("secret://{uuid}/{xid}").parse().expect("valid");
        assert_eq!(remote.model_uuid(), Some(uuid));
        assert_eq!(remote.to_string(), format!("secret://{uuid}/{xid}"));
        assert!(remote.same_secret(&xid.parse().expect("valid")));
        for bad in [
            "",
            "secret:",
            "secret:cr1bm4s3vnv5q0u0ghc",  // 19 characters
            "secret:cr1bm4s3vnv5q0u0ghcw", // w is not base32hex
            "secret:CR1BM4S3VNV5Q0U0GHCG", // upper case
            "secret://not-a-uuid/cr1bm4s3vnv5q0u0ghcg",
            "http://x/cr1bm4s3vnv5q0u0ghcg",
        ] {
            assert!(bad.parse::<SecretUri>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn secret_key_rule() {
        for good in ["abc", "ca-key", "a1b", "a-1-2", "password", "ca-cert-pem", "a0-b"] {
            assert!(is_secret_key(good), "{good}");
        }
        for bad in [
            "", "a", "ab", "a-b", "1ab", "-ab", "ab-", "a--bc", "Abc", "aBc", "a_bc", "a.bc",
            "a bc", "abc-", "é12",
        ] {
            assert!(!is_secret_key(bad), "{bad}");
        }
    }

    #[test]
    fn limits_follow_the_juju_version() {
        let at = |s: &str| SecretLimits::for_version(&s.parse().expect("version"));
        assert_eq!(at("3.1.7"), SecretLimits::BEFORE_3_3_2);
        assert_eq!(at("3.3.2"), SecretLimits::BEFORE_3_6_9);
        assert_eq!(at("3.4.0"), SecretLimits::BEFORE_3_3_2);
        assert_eq!(at("3.4.1"), SecretLimits::BEFORE_3_6_9);
        assert_eq!(at("3.6.8"), SecretLimits::BEFORE_3_6_9);
        assert_eq!(at("3.6.9"), SecretLimits::SINCE_3_6_9);
        assert_eq!(at("3.6-beta1"), SecretLimits::BEFORE_3_6_9, "a beta precedes 3.6.0");
        assert_eq!(at("4.0.0"), SecretLimits::SINCE_3_6_9);
        let small = SecretLimits::BEFORE_3_6_9;
        assert!(small.check_value(&"x".repeat(8192)).is_ok(), "as given");
        let err = small.check_value(&"x".repeat(8193)).expect_err("over");
        assert!(err.starts_with("it is 8193 bytes, over the 8192 bytes"), "{err}");
        assert!(err.ends_with("(Juju before 3.6.9)"), "{err}");
        let large = SecretLimits::SINCE_3_6_9;
        assert!(large.check_value(&"x".repeat(750_000)).is_ok(), "1000000 encoded");
        let err = large.check_value(&"x".repeat(750_001)).expect_err("over");
        assert!(err.starts_with("it is 1000004 bytes base64-encoded, over the 1000000"), "{err}");
    }
}
