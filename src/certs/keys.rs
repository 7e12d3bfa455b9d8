//! Private keys: generation from the OS CSPRNG, PKCS#8 PEM in and out, and matching a key to a
//! certificate.
//!
//! ring (rcgen's backend here) cannot generate RSA keys (briansmith/ring#219), so RSA keys come
//! from the pure-Rust `rsa` crate, fed by [`OsCsprng`] (a thin adapter over `getrandom`), and are
//! handed to rcgen as PKCS#8 DER; ECDSA P-256 keys come from ring, whose `SystemRandom` is the OS
//! CSPRNG too (`crates.md` §2.1). The PEM text of a key is built here in zeroizing buffers rather
//! than by the `pem` crate, so the copies this module makes are wiped when dropped. (The key
//! objects inside rcgen and ring are not zeroized on drop; neither crate offers that.)

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use juju::SecretString;
use rcgen::{KeyPair, PKCS_ECDSA_P256_SHA256, PKCS_RSA_SHA256, PublicKeyData as _};
use rsa::pkcs1::DecodeRsaPrivateKey as _;
use rsa::pkcs8::EncodePrivateKey as _;
use zeroize::Zeroizing;

use super::{CertError, KeyAlgorithm};

/// The OS CSPRNG (`getrandom(2)`) in the `rand_core` 0.10 shape the `rsa` crate asks for.
///
/// Stateless: every call reads the kernel's CSPRNG, so there is nothing to seed or to leak.
#[derive(Debug, Default, Clone, Copy)]
pub struct OsCsprng;

impl rsa::rand_core::TryRng for OsCsprng {
    type Error = getrandom::Error;

    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        getrandom::u32()
    }

    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        getrandom::u64()
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        getrandom::fill(dst)
    }
}

impl rsa::rand_core::TryCryptoRng for OsCsprng {}

/// A fresh key pair of `alg`, ready to sign with rcgen, and its PKCS#8 PEM.
pub fn generate_key(alg: KeyAlgorithm) -> Result<(KeyPair, SecretString), CertError> {
    let failed = |reason: String| CertError::GenerateKey { alg, reason };
    let key = match alg.rsa_bits() {
        Some(bits) => {
            let private = rsa::PrivateKey::new(&mut OsCsprng, bits)
                .map_err(|e| failed(format!("RSA: {e}")))?;
            // A SecretDocument: zeroized on drop.
            let der = private.to_pkcs8_der().map_err(|e| failed(format!("PKCS#8: {e}")))?;
            KeyPair::try_from(der.as_bytes())
                .map_err(|e| failed(format!("ring refused it: {e}")))?
        }
        None => KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256)
            .map_err(|e| failed(format!("ring: {e}")))?,
    };
    let pem = pkcs8_pem(key.serialized_der());
    Ok((key, pem))
}

/// Loads a private key for signing: PKCS#8 PEM (`BEGIN PRIVATE KEY`) of an RSA or ECDSA P-256 key,
/// or PKCS#1 PEM (`BEGIN RSA PRIVATE KEY`, what Python's TraditionalOpenSSL writes), which ring
/// cannot read and is converted to PKCS#8 first.
pub fn load_key(key_pem: &SecretString) -> Result<KeyPair, CertError> {
    // Exposed to decode it; the decoded bytes stay in zeroizing buffers.
    let (label, der) = decode_pem(key_pem.expose()).ok_or(CertError::InvalidKey)?;
    let key = match label.as_str() {
        "PRIVATE KEY" => KeyPair::try_from(der.as_slice()),
        "RSA PRIVATE KEY" => {
            let private =
                rsa::PrivateKey::from_pkcs1_der(&der).map_err(|_| CertError::InvalidKey)?;
            let pkcs8 = private.to_pkcs8_der().map_err(|_| CertError::InvalidKey)?;
            KeyPair::try_from(pkcs8.as_bytes())
        }
        _ => return Err(CertError::InvalidKey),
    }
    .map_err(|_| CertError::InvalidKey)?;
    if key.algorithm() == &PKCS_RSA_SHA256 || key.algorithm() == &PKCS_ECDSA_P256_SHA256 {
        Ok(key)
    } else {
        Err(CertError::InvalidKey)
    }
}

/// Whether the private key `key_pem` belongs to the certificate `cert_pem`: their public keys
/// (algorithm and subject public key bits) are equal. `false` when either does not parse.
pub fn key_matches(cert_pem: &str, key_pem: &SecretString) -> bool {
    let Ok(key) = load_key(key_pem) else {
        return false;
    };
    public_key_matches(cert_pem, &key)
}

/// Whether `key`'s public key is the one in the certificate `cert_pem`.
pub(crate) fn public_key_matches(cert_pem: &str, key: &KeyPair) -> bool {
    let Ok((_, pem)) = x509_parser::pem::parse_x509_pem(cert_pem.as_bytes()) else {
        return false;
    };
    let Ok(cert) = pem.parse_x509() else {
        return false;
    };
    let spki = key.subject_public_key_info();
    let Ok((_, key_spki)) =
        <x509_parser::x509::SubjectPublicKeyInfo as x509_parser::prelude::FromDer<_>>::from_der(
            &spki,
        )
    else {
        return false;
    };
    let cert_spki = cert.public_key();
    cert_spki.algorithm.algorithm == key_spki.algorithm.algorithm
        && cert_spki.subject_public_key.data == key_spki.subject_public_key.data
}

/// PKCS#8 DER as PEM (`BEGIN PRIVATE KEY`, 64-column base64, trailing newline), built in zeroizing
/// buffers.
pub(crate) fn pkcs8_pem(der: &[u8]) -> SecretString {
    let b64 = Zeroizing::new(STANDARD.encode(der));
    let mut pem = Zeroizing::new(String::with_capacity(b64.len() + b64.len() / 64 + 64));
    pem.push_str("-----BEGIN PRIVATE KEY-----\n");
    for line in b64.as_bytes().chunks(64) {
        // Base64 output is ASCII, so every chunk is valid UTF-8.
        pem.push_str(std::str::from_utf8(line).unwrap_or_default());
        pem.push('\n');
    }
    pem.push_str("-----END PRIVATE KEY-----\n");
    SecretString::new(std::mem::take(&mut *pem))
}

/// The label and content of the first PEM block of `text`, or `None` if there is no well-formed
/// block. The content is returned in a zeroizing buffer.
fn decode_pem(text: &str) -> Option<(String, Zeroizing<Vec<u8>>)> {
    let mut lines = text.lines().map(str::trim);
    let label = lines.find_map(|l| l.strip_prefix("-----BEGIN ")?.strip_suffix("-----"))?;
    let end = format!("-----END {label}-----");
    let mut b64 = Zeroizing::new(String::new());
    for line in lines.by_ref() {
        if line == end {
            let der = Zeroizing::new(STANDARD.decode(b64.as_bytes()).ok()?);
            return Some((label.to_owned(), der));
        }
        if line.contains(':') {
            return None; // an encrypted (Proc-Type) key: not supported
        }
        b64.push_str(line);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecdsa_key_is_pkcs8_pem_and_loads_back() {
        let (key, pem) = generate_key(KeyAlgorithm::EcdsaP256).expect("keygen");
        assert!(pem.expose().starts_with("-----BEGIN PRIVATE KEY-----\n"));
        assert!(pem.expose().ends_with("-----END PRIVATE KEY-----\n"));
        assert!(pem.expose().lines().all(|l| l.len() <= 64));
        let loaded = load_key(&pem).expect("loads");
        assert_eq!(loaded.algorithm(), &PKCS_ECDSA_P256_SHA256);
        assert_eq!(loaded.public_key_raw(), key.public_key_raw());
    }

    #[test]
    fn rsa_2048_key_is_pkcs8_pem_and_loads_back() {
        let (key, pem) = generate_key(KeyAlgorithm::Rsa2048).expect("keygen");
        assert!(pem.expose().starts_with("-----BEGIN PRIVATE KEY-----\n"));
        let loaded = load_key(&pem).expect("loads");
        assert_eq!(loaded.algorithm(), &PKCS_RSA_SHA256);
        assert_eq!(loaded.public_key_raw(), key.public_key_raw());
    }

    #[test]
    fn pkcs1_rsa_key_is_converted() {
        use rsa::pkcs1::EncodeRsaPrivateKey as _;
        let private = rsa::PrivateKey::new(&mut OsCsprng, 2048).expect("keygen");
        let pkcs1 = private.to_pkcs1_pem(rsa::pkcs8::LineEnding::LF).expect("pkcs1");
        assert!(pkcs1.starts_with("-----BEGIN RSA PRIVATE KEY-----"));
        let loaded = load_key(&SecretString::new(pkcs1.as_str())).expect("loads");
        assert_eq!(loaded.algorithm(), &PKCS_RSA_SHA256);
    }

    #[test]
    fn bad_keys_are_refused_without_detail() {
        let bodies = [
            "",
            "not a key",
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
            "-----BEGIN PRIVATE KEY-----\n!!secret!!\n-----END PRIVATE KEY-----\n",
            "-----BEGIN PRIVATE KEY-----\nAAAA\n",
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        ];
        for body in bodies {
            let err = load_key(&SecretString::new(body)).expect_err(body);
            assert!(matches!(err, CertError::InvalidKey));
            assert!(!err.to_string().contains("secret"));
        }
    }

    #[test]
    fn ed25519_keys_are_refused() {
        let key = KeyPair::generate_for(&rcgen::PKCS_ED25519).expect("keygen");
        let pem = pkcs8_pem(key.serialized_der());
        assert!(matches!(load_key(&pem), Err(CertError::InvalidKey)));
    }

    /// Key-generation times, for budgeting hooks (`crates.md` §2.6). Run with
    /// `cargo test --release --lib -- --ignored --nocapture keygen_timing_probe`.
    #[test]
    #[ignore = "timing probe, run by hand in release"]
    fn keygen_timing_probe() {
        for (alg, n) in [(KeyAlgorithm::EcdsaP256, 200), (KeyAlgorithm::Rsa2048, 40)] {
            let mut ms: Vec<f64> = (0..n)
                .map(|_| {
                    let start = std::time::Instant::now();
                    generate_key(alg).expect("keygen");
                    start.elapsed().as_secs_f64() * 1e3
                })
                .collect();
            ms.sort_by(f64::total_cmp);
            let mean = ms.iter().sum::<f64>() / ms.len() as f64;
            let (min, median, max) = (ms[0], ms[ms.len() / 2], ms[ms.len() - 1]);
            println!(
                "{alg}: n={n} min {min:.3} ms, median {median:.3} ms, mean {mean:.3} ms, max {max:.3} ms"
            );
        }
    }
}
