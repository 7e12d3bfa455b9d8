//! Generated secrets: the object-storage secret key, the OIDC client secret and the salt of the
//! config hash (`contract.md` §4.3).
//!
//! Each is 30 characters `[A-Z0-9]` from the OS CSPRNG (the format of the Python minio and
//! oidc-gatekeeper charms, without their Mersenne Twister), created once by the leader and kept
//! in the application-owned Juju secret of [`crate::store`], under the keys of [`Key`]. A value is generated only when it is
//! missing, or when `rotate-secret` asks for it; everything else reuses what is stored, so the
//! values are the same in every later hook, on every unit and after a leader change.
//! [`desired`] is pure: it takes what is stored and returns what should be.

use juju::SecretString;
use juju::tools::SecretContent;

use crate::random::{Entropy, EntropyError, SECRET_LEN, upper_alnum};

/// Label of the application-owned Juju secret holding the generated values.
pub const LABEL: &str = "ckf-crypto-generated";

/// Description of that secret, shown by `juju secrets`.
pub const DESCRIPTION: &str =
    "ckf-crypto generated secrets (object-storage, OIDC, config-hash salt)";

/// A value this module generates, named as in the secret's content and in `rotate-secret`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// `secret-key`: the object-storage secret key (only when config `secret-key` is empty).
    SecretKey,
    /// `oidc-client-secret`
    OidcClientSecret,
    /// `config-hash-salt`
    ConfigHashSalt,
}

impl Key {
    /// Every key this module owns in the material secret.
    pub const ALL: [Key; 3] = [Key::SecretKey, Key::OidcClientSecret, Key::ConfigHashSalt];

    /// The content key (also the `rotate-secret` name, for the first two).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SecretKey => "secret-key",
            Self::OidcClientSecret => "oidc-client-secret",
            Self::ConfigHashSalt => "config-hash-salt",
        }
    }
}

/// What the stored secret should become.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// It is right as it is.
    Keep,
    /// It does not exist yet: `secret-add`.
    Create,
    /// It exists with other content: `secret-set`.
    Update,
}

/// The desired content of the generated-secrets secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Desired {
    /// What to do to the stored secret.
    pub change: Change,
    /// The full content it should hold.
    pub content: SecretContent,
}

impl Desired {
    /// The stored value of `key`, if any.
    pub fn value(&self, key: Key) -> Option<&SecretString> {
        self.content.get(key.as_str())
    }
}

/// Computes the desired content from the `stored` one.
///
/// `need_secret_key` is true when config `secret-key` is empty, so a generated key is needed.
/// A generated key that is no longer needed is kept, so clearing the option later brings the
/// same key back rather than a new one. `rotate` regenerates one value.
pub fn desired(
    stored: Option<&SecretContent>,
    need_secret_key: bool,
    rotate: Option<Key>,
    rng: &mut dyn Entropy,
) -> Result<Desired, EntropyError> {
    // Only this module's keys: the secret holds other areas' material too.
    let stored: Option<SecretContent> = stored.map(|s| {
        s.iter()
            .filter(|(k, _)| Key::ALL.iter().any(|o| o.as_str() == k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    });
    let mut content = stored.clone().unwrap_or_default();
    let mut wanted = vec![Key::OidcClientSecret, Key::ConfigHashSalt];
    if need_secret_key {
        wanted.push(Key::SecretKey);
    }
    for key in wanted {
        if content.get(key.as_str()).is_none_or(|v| v.is_empty()) {
            content.insert(key.as_str().to_owned(), upper_alnum(rng, SECRET_LEN)?);
        }
    }
    if let Some(key) = rotate {
        content.insert(key.as_str().to_owned(), upper_alnum(rng, SECRET_LEN)?);
    }
    let change = match stored {
        None => Change::Create,
        Some(old) if old == content => Change::Keep,
        Some(_) => Change::Update,
    };
    Ok(Desired { change, content })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::OsEntropy;
    use crate::random::tests::CountingEntropy;

    fn is_secret_format(v: &SecretString) -> bool {
        v.len() == 30 && v.expose().bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    }

    #[test]
    fn nothing_stored_creates_all_needed_values() {
        let d = desired(None, true, None, &mut OsEntropy).expect("rng");
        assert_eq!(d.change, Change::Create);
        for key in [Key::SecretKey, Key::OidcClientSecret, Key::ConfigHashSalt] {
            assert!(is_secret_format(d.value(key).expect("present")), "{key:?}");
        }
    }

    #[test]
    fn secret_key_from_config_is_not_generated() {
        let d = desired(None, false, None, &mut OsEntropy).expect("rng");
        assert_eq!(d.value(Key::SecretKey), None);
        assert_eq!(d.content.len(), 2);
    }

    #[test]
    fn stored_values_are_kept() {
        let first = desired(None, true, None, &mut OsEntropy).expect("rng");
        let again =
            desired(Some(&first.content), true, None, &mut CountingEntropy(0)).expect("rng");
        assert_eq!(again.change, Change::Keep);
        assert_eq!(again.content, first.content);
        // Not needing the key any more keeps it, too.
        let unneeded = desired(Some(&first.content), false, None, &mut OsEntropy).expect("rng");
        assert_eq!(unneeded.change, Change::Keep);
    }

    #[test]
    fn a_missing_key_is_added_to_what_is_stored() {
        let first = desired(None, false, None, &mut OsEntropy).expect("rng");
        let d = desired(Some(&first.content), true, None, &mut OsEntropy).expect("rng");
        assert_eq!(d.change, Change::Update);
        assert_eq!(d.value(Key::OidcClientSecret), first.value(Key::OidcClientSecret));
        assert!(is_secret_format(d.value(Key::SecretKey).expect("added")));
    }

    #[test]
    fn rotation_changes_only_the_named_value() {
        let first = desired(None, true, None, &mut OsEntropy).expect("rng");
        let d = desired(Some(&first.content), true, Some(Key::OidcClientSecret), &mut OsEntropy)
            .expect("rng");
        assert_eq!(d.change, Change::Update);
        assert_ne!(d.value(Key::OidcClientSecret), first.value(Key::OidcClientSecret));
        assert_eq!(d.value(Key::SecretKey), first.value(Key::SecretKey));
        assert_eq!(d.value(Key::ConfigHashSalt), first.value(Key::ConfigHashSalt));
    }
}
