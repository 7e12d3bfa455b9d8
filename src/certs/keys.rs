//! Private keys: generation from the injected random source, PKCS#8 PEM in and out, signing, and
//! matching a key to a certificate.
//!
//! Every key comes from the [`Entropy`] the caller passes (the OS CSPRNG in production), so a plan
//! made with a seeded source is reproducible. RSA keys come from the pure-Rust `rsa` crate (ring
//! cannot generate RSA keys, briansmith/ring#219) and sign through ring (PKCS#1 v1.5 with SHA-256,
//! deterministic). ECDSA P-256 keys come from RustCrypto's `p256` and sign with it, with the
//! deterministic nonces of RFC 6979, so no signature depends on a random source that was not
//! injected (ring's ECDSA draws its nonces from its own `SystemRandom`). PEM is `pem-rfc7468`'s
//! (the `der` crate's encoder), in buffers that are wiped when dropped. (The key objects inside
//! ring are not zeroized on drop; `p256`'s are.)

use juju_charm::SecretString;
use p256::ecdsa::signature::Signer as _;
use p256::pkcs8::{DecodePrivateKey as _, EncodePrivateKey as _};
use pem_rfc7468::LineEnding;
use rcgen::{PKCS_ECDSA_P256_SHA256, PKCS_RSA_SHA256, PublicKeyData, SignatureAlgorithm};
use rsa::pkcs1::DecodeRsaPrivateKey as _;
use zeroize::Zeroizing;

use super::{CertError, CertInfo, KeyAlgorithm};
use crate::random::Entropy;

/// A private key the charm signs with: RSA (through ring) or ECDSA P-256 (through `p256`).
pub enum SigningKey {
    /// An RSA key, loaded into ring.
    Rsa(rcgen::KeyPair),
    /// An ECDSA P-256 key and its public point (SEC1, uncompressed).
    P256 {
        /// The key.
        key: p256::ecdsa::SigningKey,
        /// `04 ‖ x ‖ y`, what `SubjectPublicKeyInfo` carries.
        public: Vec<u8>,
    },
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self {
            Self::Rsa(_) => "rsa",
            Self::P256 { .. } => "ecdsa-p256",
        };
        write!(f, "SigningKey({kind}, [redacted])")
    }
}

impl PublicKeyData for SigningKey {
    fn der_bytes(&self) -> &[u8] {
        match self {
            Self::Rsa(key) => key.der_bytes(),
            Self::P256 { public, .. } => public,
        }
    }

    fn algorithm(&self) -> &'static SignatureAlgorithm {
        match self {
            Self::Rsa(_) => &PKCS_RSA_SHA256,
            Self::P256 { .. } => &PKCS_ECDSA_P256_SHA256,
        }
    }
}

impl rcgen::SigningKey for SigningKey {
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, rcgen::Error> {
        match self {
            Self::Rsa(key) => key.sign(msg),
            // X.509 carries ECDSA signatures as DER `ECDSA-Sig-Value`.
            Self::P256 { key, .. } => {
                let sig: p256::ecdsa::DerSignature =
                    key.try_sign(msg).map_err(|_| rcgen::Error::RemoteKeyError)?;
                Ok(sig.as_bytes().to_vec())
            }
        }
    }
}

impl SigningKey {
    fn p256(key: p256::ecdsa::SigningKey) -> Self {
        let public = key.verifying_key().to_sec1_point(false).as_bytes().to_vec();
        Self::P256 { key, public }
    }
}

/// A fresh key pair of `alg` from `rng`, ready to sign, and its PKCS#8 PEM.
pub fn generate_key(
    alg: KeyAlgorithm,
    rng: &mut dyn Entropy,
) -> Result<(SigningKey, SecretString), CertError> {
    let failed = |reason: String| CertError::GenerateKey { alg, reason };
    // A SecretDocument: zeroized on drop. One CPU token for the key (RSA's prime search is most
    // of an install's time).
    let der = crate::cpu::bounded(|| match alg.rsa_bits() {
        Some(bits) => rsa::PrivateKey::new(rng, bits)
            .map_err(|e| failed(format!("RSA: {e}")))?
            .to_pkcs8_der()
            .map_err(|e| failed(format!("PKCS#8: {e}"))),
        None => {
            use p256::elliptic_curve::Generate as _;
            p256::SecretKey::try_generate_from_rng(rng)
                .map_err(CertError::Entropy)?
                .to_pkcs8_der()
                .map_err(|e| failed(format!("PKCS#8: {e}")))
        }
    })?;
    let pem = pkcs8_pem(der.as_bytes())?;
    Ok((load_pkcs8(der.as_bytes())?, pem))
}

/// Loads a private key for signing: PKCS#8 PEM (`BEGIN PRIVATE KEY`) of an RSA or ECDSA P-256 key,
/// PKCS#1 PEM (`BEGIN RSA PRIVATE KEY`, what Python's TraditionalOpenSSL writes) or SEC1 PEM
/// (`BEGIN EC PRIVATE KEY`, what `openssl ecparam -genkey` writes).
pub fn load_key(key_pem: &SecretString) -> Result<SigningKey, CertError> {
    // Exposed to decode it; the decoded bytes stay in zeroizing buffers.
    let (label, der) = decode_pem(key_pem.expose()).ok_or(CertError::InvalidKey)?;
    load_der(&label, &der)
}

/// A decoded PEM block of one of the key types [`load_key`] reads.
fn load_der(label: &str, der: &[u8]) -> Result<SigningKey, CertError> {
    match label {
        "PRIVATE KEY" => load_pkcs8(der),
        "RSA PRIVATE KEY" => {
            let private =
                rsa::PrivateKey::from_pkcs1_der(der).map_err(|_| CertError::InvalidKey)?;
            let pkcs8 = rsa::pkcs8::EncodePrivateKey::to_pkcs8_der(&private)
                .map_err(|_| CertError::InvalidKey)?;
            load_pkcs8(pkcs8.as_bytes())
        }
        "EC PRIVATE KEY" => p256::SecretKey::from_sec1_der(der)
            .map(|k| SigningKey::p256(k.into()))
            .map_err(|_| CertError::InvalidKey),
        _ => Err(CertError::InvalidKey),
    }
}

/// A PKCS#8 DER key of an RSA or P-256 key.
fn load_pkcs8(der: &[u8]) -> Result<SigningKey, CertError> {
    if let Ok(key) = p256::ecdsa::SigningKey::from_pkcs8_der(der) {
        return Ok(SigningKey::p256(key));
    }
    let key = rcgen::KeyPair::try_from(der).map_err(|_| CertError::InvalidKey)?;
    if key.algorithm() == &PKCS_RSA_SHA256 {
        Ok(SigningKey::Rsa(key))
    } else {
        Err(CertError::InvalidKey)
    }
}

/// Whether the private key `key_pem` belongs to the certificate `cert_pem`: their public keys
/// (algorithm and subject public key bits) are equal. `false` when either does not parse.
pub fn key_matches(cert_pem: &str, key_pem: &SecretString) -> bool {
    super::inspect(cert_pem).is_ok_and(|cert| key_matches_inspected(&cert, key_pem))
}

/// [`key_matches`] for a certificate already inspected.
///
/// Every hook checks every stored key, so a key is compared by the public half it carries beside
/// its secret (an RSA key's modulus and exponent, a P-256 key's point), read without any
/// arithmetic: recomputing the point (a scalar multiplication) or validating the secret half
/// (ring's RSA key checks) is left to signing, which loads the whole key. A PKCS#8 RSA key has
/// its public half first, so only that prefix of its base64 is decoded (a quarter of an RSA-2048
/// key's); anything else, or a prefix that does not match, is decoded whole.
pub fn key_matches_inspected(cert: &CertInfo, key_pem: &SecretString) -> bool {
    let id = &cert.identity;
    if rsa_public_prefix(key_pem.expose())
        .is_some_and(|public| id.key_algorithm_oid == RSA_ENCRYPTION_OID && id.public_key == public)
    {
        return true;
    }
    // Exposed to decode it (once: constant-time base64 is not cheap); the decoded bytes stay in
    // zeroizing buffers.
    let Some((label, der)) = decode_pem(key_pem.expose()) else { return false };
    if let Some(public) = stored_public_key(&der).filter(|_| label == "PRIVATE KEY") {
        return spki_matches(cert, &public);
    }
    load_der(&label, &der).is_ok_and(|key| spki_matches(cert, &key))
}

/// The content octets of the rsaEncryption OID (1.2.840.113549.1.1.1).
const RSA_ENCRYPTION_OID: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];

/// The `RSAPublicKey` (modulus and public exponent) of a PKCS#8 RSA key in PEM, read from the
/// start of its base64 alone. `PrivateKeyInfo` holds `RSAPrivateKey ::= SEQUENCE { version,
/// modulus, publicExponent, privateExponent, ... }`: everything before the private exponent is
/// public, and only that much is decoded (constant-time still, by `pem-rfc7468`). `None` when
/// the text is not that (another key type, other line widths, a malformed prefix).
fn rsa_public_prefix(text: &str) -> Option<Vec<u8>> {
    let start = text.find("-----BEGIN ")?;
    let pem = pem_rfc7468::Decoder::new(&text.as_bytes()[start..]).ok()?;
    if pem.type_label() != "PRIVATE KEY" {
        return None;
    }
    let mut r = DerPrefix { pem, buf: Zeroizing::new(Vec::new()), pos: 0 };
    r.enter(0x30)?; // PrivateKeyInfo
    r.skip(0x02)?; // version
    // AlgorithmIdentifier: rsaEncryption with NULL parameters.
    let mut alg = vec![0x06, 0x09];
    alg.extend_from_slice(RSA_ENCRYPTION_OID);
    alg.extend_from_slice(&[0x05, 0x00]);
    if r.value(0x30)? != alg.as_slice() {
        return None;
    }
    r.enter(0x04)?; // privateKey
    r.enter(0x30)?; // RSAPrivateKey
    r.skip(0x02)?; // version
    let public = r.pos;
    r.skip(0x02)?; // modulus
    r.skip(0x02)?; // publicExponent
    let ints = &r.buf[public..r.pos];
    // RSAPublicKey ::= SEQUENCE { modulus, publicExponent }
    let mut der = vec![0x30];
    match u16::try_from(ints.len()).ok()? {
        n @ 0..0x80 => der.push(n as u8),
        n @ 0x80..0x100 => der.extend_from_slice(&[0x81, n as u8]),
        n => der.extend_from_slice(&[0x82, (n >> 8) as u8, n as u8]),
    }
    der.extend_from_slice(ints);
    Some(der)
}

/// A DER reader over the start of a PEM document that decodes its base64 only as far as it
/// reads: tag and length of each field, and the content of the fields it takes.
struct DerPrefix<'i> {
    pem: pem_rfc7468::Decoder<'i>,
    /// What has been decoded. Public fields only, unless the key is malformed; zeroized anyway.
    buf: Zeroizing<Vec<u8>>,
    pos: usize,
}

impl DerPrefix<'_> {
    /// More than an RSA-8192 key's public half: a longer prefix is not one.
    const MAX: usize = 2048;

    /// Decodes up to byte `end` of the document.
    fn fill(&mut self, end: usize) -> Option<()> {
        let have = self.buf.len();
        if end > have {
            if end > Self::MAX {
                return None;
            }
            self.buf.resize(end, 0);
            self.pem.decode(&mut self.buf[have..]).ok()?;
        }
        Some(())
    }

    /// Reads the tag (which must be `tag`) and the length of the next field: its content's length.
    fn header(&mut self, tag: u8) -> Option<usize> {
        self.fill(self.pos + 2)?;
        let (t, first) = (self.buf[self.pos], self.buf[self.pos + 1]);
        self.pos += 2;
        if t != tag {
            return None;
        }
        if first < 0x80 {
            return Some(usize::from(first));
        }
        let n = usize::from(first & 0x7f);
        if !(1..=2).contains(&n) {
            return None;
        }
        self.fill(self.pos + n)?;
        let len = self.buf[self.pos..self.pos + n].iter().fold(0, |l, &b| l << 8 | usize::from(b));
        self.pos += n;
        Some(len)
    }

    /// Steps into a constructed field.
    fn enter(&mut self, tag: u8) -> Option<()> {
        self.header(tag).map(drop)
    }

    /// Steps over a field.
    fn skip(&mut self, tag: u8) -> Option<()> {
        self.value(tag).map(drop)
    }

    /// Reads a field's content.
    fn value(&mut self, tag: u8) -> Option<&[u8]> {
        let len = self.header(tag)?;
        let start = self.pos;
        self.fill(start + len)?;
        self.pos += len;
        Some(&self.buf[start..self.pos])
    }
}

/// The public half a PKCS#8 private key carries, as a certificate's `subjectPublicKey` holds it:
/// an RSA key's `RSAPublicKey` (from its modulus and public exponent), a P-256 key's point (its
/// `ECPrivateKey.publicKey`). `None` for other keys, or a P-256 key stored without its point.
fn stored_public_key(der: &[u8]) -> Option<StoredPublic> {
    use p256::pkcs8::{AssociatedOid as _, PrivateKeyInfoRef};
    use sec1::der::{Decode as _, Encode as _};
    let info = PrivateKeyInfoRef::from_der(der).ok()?;
    let secret = info.private_key.as_bytes();
    if info.algorithm.oid == rsa::pkcs1::ALGORITHM_OID {
        let key = rsa::pkcs1::RsaPrivateKeyRef::from_der(secret).ok()?;
        let public = key.public_key().to_der().ok()?;
        return Some(StoredPublic { der: public, alg: &PKCS_RSA_SHA256 });
    }
    let curve = info.algorithm.parameters_oid().ok()?;
    if info.algorithm.oid != p256::elliptic_curve::ALGORITHM_OID || curve != p256::NistP256::OID {
        return None;
    }
    let ec = sec1::EcPrivateKey::from_der(secret).ok()?;
    Some(StoredPublic { der: ec.public_key?.to_vec(), alg: &PKCS_ECDSA_P256_SHA256 })
}

/// The public half of a stored key, to compare with a certificate's.
struct StoredPublic {
    der: Vec<u8>,
    alg: &'static SignatureAlgorithm,
}

impl PublicKeyData for StoredPublic {
    fn der_bytes(&self) -> &[u8] {
        &self.der
    }

    fn algorithm(&self) -> &'static SignatureAlgorithm {
        self.alg
    }
}

/// Whether `key`'s public key is the one in the certificate `cert_pem`.
pub(crate) fn public_key_matches(cert_pem: &str, key: &impl PublicKeyData) -> bool {
    super::inspect(cert_pem).is_ok_and(|cert| spki_matches(&cert, key))
}

/// Whether `key`'s public key is the one in the inspected certificate.
fn spki_matches(cert: &CertInfo, key: &impl PublicKeyData) -> bool {
    let spki = key.subject_public_key_info();
    let Ok((_, key_spki)) =
        <x509_parser::x509::SubjectPublicKeyInfo as x509_parser::prelude::FromDer<_>>::from_der(
            &spki,
        )
    else {
        return false;
    };
    let id = &cert.identity;
    key_spki.algorithm.algorithm.as_bytes() == id.key_algorithm_oid.as_slice()
        && key_spki.subject_public_key.data == id.public_key.as_slice()
}

/// PKCS#8 DER as PEM (`BEGIN PRIVATE KEY`, 64-column base64, trailing newline).
pub(crate) fn pkcs8_pem(der: &[u8]) -> Result<SecretString, CertError> {
    let pem = Zeroizing::new(
        pem_rfc7468::encode_string("PRIVATE KEY", LineEnding::LF, der)
            .map_err(|_| CertError::InvalidKey)?,
    );
    Ok(SecretString::new(pem.as_str()))
}

/// The label and content of the first PEM block of `text` (text before it is ignored), or `None`
/// if there is none or it is malformed (an encrypted key's headers, say). The content is
/// returned in a zeroizing buffer.
fn decode_pem(text: &str) -> Option<(String, Zeroizing<Vec<u8>>)> {
    let start = text.find("-----BEGIN ")?;
    let (label, der) = pem_rfc7468::decode_vec(&text.as_bytes()[start..]).ok()?;
    Some((label.to_owned(), Zeroizing::new(der)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::OsEntropy;
    use crate::random::tests::Seeded;

    #[test]
    fn ecdsa_key_is_pkcs8_pem_and_loads_back() {
        let (key, pem) = generate_key(KeyAlgorithm::EcdsaP256, &mut OsEntropy).expect("keygen");
        assert!(pem.expose().starts_with("-----BEGIN PRIVATE KEY-----\n"));
        assert!(pem.expose().ends_with("-----END PRIVATE KEY-----\n"));
        assert!(pem.expose().lines().all(|l| l.len() <= 64));
        let loaded = load_key(&pem).expect("loads");
        assert_eq!(loaded.algorithm(), &PKCS_ECDSA_P256_SHA256);
        assert_eq!(loaded.der_bytes(), key.der_bytes());
        assert_eq!(key.der_bytes().len(), 65);
    }

    #[test]
    fn rsa_2048_key_is_pkcs8_pem_and_loads_back() {
        let (key, pem) = generate_key(KeyAlgorithm::Rsa2048, &mut OsEntropy).expect("keygen");
        assert!(pem.expose().starts_with("-----BEGIN PRIVATE KEY-----\n"));
        let loaded = load_key(&pem).expect("loads");
        assert_eq!(loaded.algorithm(), &PKCS_RSA_SHA256);
        assert_eq!(loaded.der_bytes(), key.der_bytes());
    }

    #[test]
    fn a_seeded_source_gives_the_same_keys_and_signatures() {
        for alg in [KeyAlgorithm::EcdsaP256, KeyAlgorithm::Rsa2048] {
            let (a, pem_a) = generate_key(alg, &mut Seeded::new(7)).expect("keygen");
            let (b, pem_b) = generate_key(alg, &mut Seeded::new(7)).expect("keygen");
            assert_eq!(pem_a, pem_b, "{alg}");
            use rcgen::SigningKey as _;
            assert_eq!(a.sign(b"msg").expect("sign"), b.sign(b"msg").expect("sign"), "{alg}");
            let (_, other) = generate_key(alg, &mut Seeded::new(8)).expect("keygen");
            assert_ne!(pem_a, other, "{alg}");
        }
    }

    #[test]
    fn the_stored_public_half_is_what_is_compared_and_a_foreign_key_does_not_match() {
        for alg in [KeyAlgorithm::EcdsaP256, KeyAlgorithm::Rsa2048] {
            let ca = crate::certs::generate_ca("ca", 30, alg, now(), &mut OsEntropy).expect("ca");
            assert!(key_matches(&ca.cert_pem, &ca.key_pem), "{alg}");
            let (_, other) = generate_key(alg, &mut OsEntropy).expect("keygen");
            assert!(!key_matches(&ca.cert_pem, &other), "{alg}");
        }
        for (alg, len) in [(KeyAlgorithm::EcdsaP256, 65), (KeyAlgorithm::Rsa2048, 270)] {
            let (key, pem) = generate_key(alg, &mut OsEntropy).expect("keygen");
            let (_, der) = decode_pem(pem.expose()).expect("pem");
            let public = stored_public_key(&der).expect("a public half");
            assert_eq!((public.der.len(), public.der_bytes()), (len, key.der_bytes()), "{alg}");
        }
    }

    #[test]
    fn an_rsa_keys_public_half_is_read_from_the_start_of_its_pem_alone() {
        for alg in [KeyAlgorithm::Rsa2048, KeyAlgorithm::Rsa4096] {
            let (key, pem) = generate_key(alg, &mut OsEntropy).expect("keygen");
            let public = rsa_public_prefix(pem.expose()).expect("a PKCS#8 RSA key");
            assert_eq!(public, key.der_bytes(), "{alg}");
            // The prefix is all there is to read: the rest of the PEM may be anything.
            let head: Vec<&str> = pem.expose().lines().take(14).collect();
            let truncated = format!("{}\n-----END PRIVATE KEY-----\n", head.join("\n"));
            assert_eq!(rsa_public_prefix(&truncated).as_deref(), Some(public.as_slice()), "{alg}");
        }
        let (_, ec) = generate_key(KeyAlgorithm::EcdsaP256, &mut OsEntropy).expect("keygen");
        assert_eq!(rsa_public_prefix(ec.expose()), None, "not an RSA key");
        assert_eq!(rsa_public_prefix("-----BEGIN PRIVATE KEY-----\nMIIE\n"), None);
        assert_eq!(rsa_public_prefix("no PEM here"), None);
    }

    #[test]
    fn a_key_is_checked_against_an_inspected_certificate_by_either_path() {
        for alg in [KeyAlgorithm::EcdsaP256, KeyAlgorithm::Rsa2048] {
            let ca = crate::certs::generate_ca("ca", 30, alg, now(), &mut OsEntropy).expect("ca");
            let info = crate::certs::inspect(&ca.cert_pem).expect("inspect");
            assert!(key_matches_inspected(&info, &ca.key_pem), "{alg}");
            let (_, other) = generate_key(alg, &mut OsEntropy).expect("keygen");
            assert!(!key_matches_inspected(&info, &other), "{alg}");
            // PKCS#1 (no fast path) of the same RSA key still matches.
            if alg == KeyAlgorithm::Rsa2048 {
                use rsa::pkcs1::EncodeRsaPrivateKey as _;
                use rsa::pkcs8::DecodePrivateKey as _;
                let (_, der) = decode_pem(ca.key_pem.expose()).expect("pem");
                let private = rsa::PrivateKey::from_pkcs8_der(&der).expect("rsa");
                let pkcs1 = private.to_pkcs1_pem(rsa::pkcs8::LineEnding::LF).expect("pkcs1");
                assert!(key_matches_inspected(&info, &SecretString::new(pkcs1.as_str())));
            }
        }
    }

    fn now() -> time::OffsetDateTime {
        time::OffsetDateTime::from_unix_timestamp(1_800_000_000).expect("time")
    }

    #[test]
    fn pkcs1_and_sec1_keys_are_read() {
        use rsa::pkcs1::EncodeRsaPrivateKey as _;
        let private = rsa::PrivateKey::new(&mut OsEntropy, 2048).expect("keygen");
        let pkcs1 = private.to_pkcs1_pem(rsa::pkcs8::LineEnding::LF).expect("pkcs1");
        assert!(pkcs1.starts_with("-----BEGIN RSA PRIVATE KEY-----"));
        let loaded = load_key(&SecretString::new(pkcs1.as_str())).expect("loads");
        assert_eq!(loaded.algorithm(), &PKCS_RSA_SHA256);
        use p256::elliptic_curve::Generate as _;
        let ec = p256::SecretKey::try_generate_from_rng(&mut OsEntropy).expect("keygen");
        let der = ec.to_sec1_der().expect("sec1");
        let sec1 = pem_rfc7468::encode_string("EC PRIVATE KEY", LineEnding::LF, &der).expect("pem");
        let loaded = load_key(&SecretString::new(format!("comment\n{sec1}"))).expect("loads");
        assert_eq!(loaded.algorithm(), &PKCS_ECDSA_P256_SHA256);
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
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ED25519).expect("keygen");
        let pem = pkcs8_pem(key.serialized_der()).expect("pem");
        assert!(matches!(load_key(&pem), Err(CertError::InvalidKey)));
    }

    /// Key-loading times (every hook checks the stored keys). Run with
    /// `cargo test --release --lib -- --ignored --nocapture keyload_timing_probe`.
    #[test]
    #[ignore = "timing probe, run by hand in release"]
    fn keyload_timing_probe() {
        for alg in [KeyAlgorithm::EcdsaP256, KeyAlgorithm::Rsa2048] {
            let (_, pem) = generate_key(alg, &mut OsEntropy).expect("keygen");
            let start = std::time::Instant::now();
            for _ in 0..200 {
                load_key(&pem).expect("load");
            }
            println!("{alg}: load_key {:.3} ms", start.elapsed().as_secs_f64() * 1e3 / 200.0);
            let ca = crate::certs::generate_ca("ca", 30, alg, now(), &mut OsEntropy).expect("ca");
            let start = std::time::Instant::now();
            for _ in 0..200 {
                assert!(key_matches(&ca.cert_pem, &ca.key_pem));
            }
            println!("{alg}: key_matches {:.3} ms", start.elapsed().as_secs_f64() * 1e3 / 200.0);
        }
    }

    /// Key-generation times, for budgeting hooks. Run with
    /// `cargo test --release --lib -- --ignored --nocapture keygen_timing_probe`.
    #[test]
    #[ignore = "timing probe, run by hand in release"]
    fn keygen_timing_probe() {
        for (alg, n) in [(KeyAlgorithm::EcdsaP256, 200), (KeyAlgorithm::Rsa2048, 40)] {
            let mut ms: Vec<f64> = (0..n)
                .map(|_| {
                    let start = std::time::Instant::now();
                    generate_key(alg, &mut OsEntropy).expect("keygen");
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
