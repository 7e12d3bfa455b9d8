//! X.509 mechanism: the CA, webhook leaves, and the facts the charm reads back from certificates.
//!
//! The Python CKF charms made a throwaway CA and a server leaf with the `openssl` CLI and kept
//! neither the CA key nor any renewal logic (their `src/certs.py`). This module produces the same
//! kind of certificates with rcgen on ring, keeps the CA key so the CA can sign again, and parses
//! certificates back (with x509-parser) so that callers can decide when to renew. It is mechanism
//! only: which certificates exist, where they are stored and when they are renewed is decided by
//! the callers, with [`CertInfo::renewal_due`] as the one shared rule.
//!
//! * [`keys`]: key generation (RSA through the `rsa` crate, since ring cannot generate RSA keys;
//!   ECDSA P-256 through `p256`), PKCS#8 PEM in and out, [`SigningKey`] and [`key_matches`];
//! * [`issue`]: [`generate_ca`], [`issue_webhook_leaf`] and the helpers for other signers
//!   ([`load_issuer`], [`random_serial`]);
//! * [`inspect`](mod@inspect): [`inspect()`], [`CertInfo`], [`issued_by`], [`split_pem_bundle`].
//!
//! Every random value (keys, serials) comes from the [`crate::random::Entropy`] the caller
//! passes: the OS CSPRNG in production, a seeded source in planning tests.
//! Errors never carry key material: a key that does not load is reported as
//! [`CertError::InvalidKey`] without detail.

pub mod csr;
pub mod inspect;
pub mod issue;
pub mod keys;

use std::fmt;
use std::str::FromStr;

pub use inspect::{
    CertInfo, Identity, inspect, issued_by, issued_by_inspected, issued_by_stored, split_pem_bundle,
};
pub use issue::{generate_ca, issue_webhook_leaf, load_issuer, random_serial, webhook_dns_names};
pub use keys::{SigningKey, key_matches, key_matches_inspected};

/// The kind of key the charm generates (`key-algorithm` config option).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyAlgorithm {
    /// RSA, 2048-bit modulus, e = 65537 (the default, what the Python charms made).
    Rsa2048,
    /// RSA, 3072-bit modulus.
    Rsa3072,
    /// RSA, 4096-bit modulus.
    Rsa4096,
    /// ECDSA on NIST P-256, signatures with SHA-256.
    EcdsaP256,
}

impl KeyAlgorithm {
    /// Every algorithm, in the order the config documentation lists them.
    pub const ALL: [KeyAlgorithm; 4] =
        [Self::Rsa2048, Self::Rsa3072, Self::Rsa4096, Self::EcdsaP256];

    /// The config spelling: `rsa-2048`, `rsa-3072`, `rsa-4096` or `ecdsa-p256`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rsa2048 => "rsa-2048",
            Self::Rsa3072 => "rsa-3072",
            Self::Rsa4096 => "rsa-4096",
            Self::EcdsaP256 => "ecdsa-p256",
        }
    }

    /// The RSA modulus size in bits, `None` for ECDSA.
    pub fn rsa_bits(self) -> Option<usize> {
        match self {
            Self::Rsa2048 => Some(2048),
            Self::Rsa3072 => Some(3072),
            Self::Rsa4096 => Some(4096),
            Self::EcdsaP256 => None,
        }
    }
}

impl fmt::Display for KeyAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for KeyAlgorithm {
    type Err = String;

    /// Parses the config spelling exactly (case-sensitive, no surrounding spaces). The error
    /// names the allowed values, ready for an `Invalid 'key-algorithm' config:` status.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|a| a.as_str() == s).ok_or_else(|| {
            format!(
                "unknown key algorithm {s:?}; expected one of rsa-2048, rsa-3072, rsa-4096, ecdsa-p256"
            )
        })
    }
}

/// A certificate and its private key, both PEM.
///
/// `Debug` shows the certificate and `[redacted]` for the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issued {
    /// The certificate, PEM (`BEGIN CERTIFICATE`), ending with a newline.
    pub cert_pem: String,
    /// The private key, PKCS#8 PEM (`BEGIN PRIVATE KEY`), ending with a newline.
    pub key_pem: juju_charm::SecretString,
}

/// Why a certificate could not be made, loaded or read. No variant carries key material.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CertError {
    /// The random source failed.
    #[error("the OS random number generator failed: {0}")]
    Entropy(#[source] crate::random::EntropyError),
    /// Generating a key pair failed.
    #[error("generating a {alg} key failed: {reason}")]
    GenerateKey {
        /// The algorithm asked for.
        alg: KeyAlgorithm,
        /// What went wrong (never key material).
        reason: String,
    },
    /// A certificate does not parse.
    #[error("invalid certificate: {0}")]
    InvalidCertificate(String),
    /// The parameters cannot make a valid certificate (no services, a name that is not ASCII,
    /// a validity that overflows the calendar).
    #[error("invalid certificate parameters: {0}")]
    InvalidParams(String),
    /// A private key is not PKCS#8 (or PKCS#1) PEM of an RSA or ECDSA P-256 key. Deliberately
    /// without detail, so that no fragment of the key can reach a log.
    #[error("invalid private key: not a PKCS#8 RSA or ECDSA P-256 key in PEM")]
    InvalidKey,
    /// The CA's private key does not belong to the CA certificate.
    #[error("the CA private key does not match the CA certificate")]
    MismatchedCaKey,
    /// rcgen failed to build or sign the certificate.
    #[error("signing the certificate failed: {0}")]
    Sign(#[source] rcgen::Error),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_algorithm_round_trips_through_its_config_spelling() {
        for alg in KeyAlgorithm::ALL {
            assert_eq!(alg.as_str().parse::<KeyAlgorithm>(), Ok(alg));
            assert_eq!(alg.to_string(), alg.as_str());
        }
        assert_eq!("ecdsa-p256".parse(), Ok(KeyAlgorithm::EcdsaP256));
        assert_eq!(KeyAlgorithm::Rsa3072.rsa_bits(), Some(3072));
        assert_eq!(KeyAlgorithm::EcdsaP256.rsa_bits(), None);
    }

    #[test]
    fn key_algorithm_error_names_the_allowed_values() {
        for bad in ["", "RSA-2048", "rsa-1024", " rsa-2048", "ecdsa-p384", "ed25519"] {
            let err = bad.parse::<KeyAlgorithm>().expect_err(bad);
            for allowed in ["rsa-2048", "rsa-3072", "rsa-4096", "ecdsa-p256"] {
                assert!(err.contains(allowed), "{err}");
            }
        }
    }

    #[test]
    fn issued_debug_redacts_the_key() {
        let issued = Issued {
            cert_pem: "-----BEGIN CERTIFICATE-----\n".into(),
            key_pem: juju_charm::SecretString::new("-----BEGIN PRIVATE KEY-----\nMIIE\n"),
        };
        let debug = format!("{issued:?}");
        assert!(debug.contains("BEGIN CERTIFICATE"), "{debug}");
        assert!(!debug.contains("PRIVATE") && !debug.contains("MIIE"), "{debug}");
        assert!(debug.contains("[redacted]"), "{debug}");
    }
}
