//! Reading certificates back: the facts the charm decides on (expiry, names, serial, key type),
//! whether one certificate was signed by another, and splitting a CA bundle.
//!
//! Everything the charm stores is PEM text in Juju secrets and Kubernetes Secrets; parsing it back
//! (rather than keeping parallel metadata) means the decisions follow what is really deployed, and
//! certificates written by someone else (the Python charms, an operator) are understood the same
//! way. Parsing is x509-parser's; signature checks use its `verify` feature, which rcgen's `ring`
//! feature turns on and which runs on ring.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use pem_rfc7468::LineEnding;
use time::{OffsetDateTime, UtcOffset};
use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::{GeneralName, ParsedExtension};
use x509_parser::oid_registry::OID_EC_P256;
use x509_parser::pem::Pem;
use x509_parser::public_key::PublicKey;
use x509_parser::x509::SubjectPublicKeyInfo;

use super::{CertError, KeyAlgorithm};

/// Parsed facts about a certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertInfo {
    /// The serial number in lowercase hex, no separators, without the DER sign byte `00`.
    pub serial_hex: String,
    /// The first common name of the subject, if any.
    pub subject_cn: Option<String>,
    /// Start of validity (UTC).
    pub not_before: OffsetDateTime,
    /// End of validity (UTC).
    pub not_after: OffsetDateTime,
    /// DNS names of the subject alternative name extension, in certificate order.
    pub dns_names: Vec<String>,
    /// IP addresses of the subject alternative name extension, in certificate order.
    pub ip_addresses: Vec<IpAddr>,
    /// Whether basic constraints say `CA:TRUE`.
    pub is_ca: bool,
    /// Whether a key usage extension is present and allows keyCertSign.
    pub key_cert_sign: bool,
    /// The key type, when it is one the charm can generate.
    pub key_algorithm: Option<KeyAlgorithm>,
    /// Who the certificate is from and to, and its key, as the checks against an issuer and a
    /// private key compare them: read in the same parse, so those checks parse nothing again.
    pub identity: Identity,
}

/// The raw identity fields of a certificate (DER, as they appear in it).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Identity {
    /// The issuer name.
    pub issuer: Vec<u8>,
    /// The subject name.
    pub subject: Vec<u8>,
    /// The key identifier of the authority key identifier extension, if any.
    pub authority_key_id: Option<Vec<u8>>,
    /// The subject key identifier extension, if any.
    pub subject_key_id: Option<Vec<u8>>,
    /// The subject public key's algorithm (the OID's content octets).
    pub key_algorithm_oid: Vec<u8>,
    /// The subject public key (the BIT STRING's content: an `RSAPublicKey`, an EC point).
    pub public_key: Vec<u8>,
    /// The whole `SubjectPublicKeyInfo`, as a request for the same key carries it.
    pub public_key_info: Vec<u8>,
}

impl CertInfo {
    /// Less than a third of the lifetime (`not_after - not_before`) is left at `now`; also true
    /// once expired, and for a certificate whose lifetime is not positive. Exactly a third left is
    /// not yet due.
    pub fn renewal_due(&self, now: OffsetDateTime) -> bool {
        let lifetime = (self.not_after - self.not_before).whole_nanoseconds();
        let left = (self.not_after - now).whole_nanoseconds();
        lifetime <= 0 || left.saturating_mul(3) < lifetime
    }

    /// `not_after` in RFC 3339 UTC to the second, e.g. `2027-11-27T10:00:00Z`.
    pub fn not_after_rfc3339(&self) -> String {
        let t = self.not_after.to_offset(UtcOffset::UTC);
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        )
    }
}

/// Parses the first certificate of `cert_pem`.
pub fn inspect(cert_pem: &str) -> Result<CertInfo, CertError> {
    let pem = parse_pem(cert_pem)?;
    let cert = parse_cert(&pem)?;
    let mut dns_names = Vec::new();
    let mut ip_addresses = Vec::new();
    let san = cert
        .subject_alternative_name()
        .map_err(|e| CertError::InvalidCertificate(format!("subject alternative name: {e}")))?;
    for name in san.iter().flat_map(|ext| &ext.value.general_names) {
        match name {
            GeneralName::DNSName(dns) => dns_names.push((*dns).to_owned()),
            GeneralName::IPAddress(bytes) => ip_addresses.extend(ip_from_bytes(bytes)),
            _ => {}
        }
    }
    Ok(CertInfo {
        serial_hex: serial_hex(cert.raw_serial()),
        subject_cn: cert
            .subject()
            .iter_common_name()
            .next()
            .and_then(|cn| cn.as_str().ok())
            .map(str::to_owned),
        not_before: cert.validity().not_before.to_datetime(),
        not_after: cert.validity().not_after.to_datetime(),
        dns_names,
        ip_addresses,
        is_ca: cert.is_ca(),
        key_cert_sign: cert.key_usage().ok().flatten().is_some_and(|ku| ku.value.key_cert_sign()),
        key_algorithm: key_algorithm(cert.public_key()),
        identity: identity(&cert),
    })
}

fn identity(cert: &X509Certificate<'_>) -> Identity {
    let mut id = Identity {
        issuer: cert.issuer().as_raw().to_vec(),
        subject: cert.subject().as_raw().to_vec(),
        key_algorithm_oid: cert.public_key().algorithm.algorithm.as_bytes().to_vec(),
        public_key: cert.public_key().subject_public_key.data.to_vec(),
        public_key_info: cert.public_key().raw.to_vec(),
        ..Identity::default()
    };
    for ext in cert.extensions() {
        match ext.parsed_extension() {
            ParsedExtension::AuthorityKeyIdentifier(aki) => {
                id.authority_key_id = aki.key_identifier.as_ref().map(|k| k.0.to_vec());
            }
            ParsedExtension::SubjectKeyIdentifier(ski) => id.subject_key_id = Some(ski.0.to_vec()),
            _ => {}
        }
    }
    id
}

/// Whether `cert_pem`'s issuer name is `issuer_pem`'s subject name and its signature verifies with
/// `issuer_pem`'s public key. (A self-signed certificate is issued by itself.) `false` when either
/// does not parse. Validity dates and extensions are not checked.
pub fn issued_by(cert_pem: &str, issuer_pem: &str) -> bool {
    parsed_pair(cert_pem, issuer_pem, |cert, issuer| {
        cert.issuer().as_raw() == issuer.subject().as_raw()
            && cert.verify_signature(Some(issuer.public_key())).is_ok()
    })
}

/// `check` of the first certificates of two PEMs, `false` when either does not parse.
fn parsed_pair(
    cert_pem: &str,
    issuer_pem: &str,
    check: impl FnOnce(&X509Certificate<'_>, &X509Certificate<'_>) -> bool,
) -> bool {
    let (Ok(cert_pem), Ok(issuer_pem)) = (parse_pem(cert_pem), parse_pem(issuer_pem)) else {
        return false;
    };
    let (Ok(cert), Ok(issuer)) = (parse_cert(&cert_pem), parse_cert(&issuer_pem)) else {
        return false;
    };
    check(&cert, &issuer)
}

/// Whether the charm's own stored `cert_pem` names `issuer_pem` as its issuer: the issuer name is
/// the issuer's subject and the authority key identifier is the issuer's subject key identifier.
/// This is the per-hook check of material the charm made and keeps in its own secret (a CA
/// rotation always brings a new key, so a new identifier), and costs a parse instead of a
/// signature verification (about 0.4 M instructions for an RSA-2048 signature). When either
/// identifier is missing it verifies the signature, as [`issued_by`] does.
pub fn issued_by_stored(cert_pem: &str, issuer_pem: &str) -> bool {
    match (inspect(cert_pem), inspect(issuer_pem)) {
        (Ok(cert), Ok(issuer)) => issued_by_inspected((&cert, cert_pem), (&issuer, issuer_pem)),
        _ => false,
    }
}

/// [`issued_by_stored`] of two certificates already inspected (each with its PEM, for the
/// signature check when an identifier is missing).
pub fn issued_by_inspected(cert: (&CertInfo, &str), issuer: (&CertInfo, &str)) -> bool {
    let (c, i) = (&cert.0.identity, &issuer.0.identity);
    if c.issuer != i.subject {
        return false;
    }
    match (&c.authority_key_id, &i.subject_key_id) {
        (Some(aki), Some(ski)) => aki == ski,
        _ => issued_by(cert.1, issuer.1),
    }
}

/// Splits a PEM bundle into its certificates: every `CERTIFICATE` block, decoded and encoded
/// again by `pem-rfc7468` (64-column base64, `\n` line ends, a trailing newline), so surrounding
/// whitespace, `\r` and other line widths do not matter. Text between blocks, blocks of other types (a private key
/// pasted by mistake), blocks that are not valid base64 and an unterminated block are left out.
pub fn split_pem_bundle(bundle: &str) -> Vec<String> {
    const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
    const END: &str = "-----END CERTIFICATE-----";
    let mut certs = Vec::new();
    let mut block: Option<String> = None;
    for line in bundle.lines().map(str::trim) {
        if line == BEGIN {
            block = Some(String::new());
        } else if let Some(base64) = block.as_mut() {
            if line == END {
                let reencoded = STANDARD.decode(base64.as_bytes()).ok().and_then(|der| {
                    pem_rfc7468::encode_string("CERTIFICATE", LineEnding::LF, &der).ok()
                });
                certs.extend(reencoded);
                block = None;
            } else if line.starts_with("-----") {
                block = None; // a block boundary of another type: this block is broken
            } else {
                base64.push_str(line);
            }
        }
    }
    certs
}

fn parse_pem(cert_pem: &str) -> Result<Pem, CertError> {
    let (_, pem) = x509_parser::pem::parse_x509_pem(cert_pem.as_bytes())
        .map_err(|e| CertError::InvalidCertificate(format!("not PEM: {e}")))?;
    if pem.label != "CERTIFICATE" {
        return Err(CertError::InvalidCertificate(format!(
            "a {:?} PEM block, not a CERTIFICATE",
            pem.label
        )));
    }
    Ok(pem)
}

fn parse_cert(pem: &Pem) -> Result<X509Certificate<'_>, CertError> {
    pem.parse_x509().map_err(|e| CertError::InvalidCertificate(e.to_string()))
}

/// Lowercase hex of a DER INTEGER's content, without leading zero bytes (keeping one for zero).
fn serial_hex(raw: &[u8]) -> String {
    let start = raw.iter().position(|&b| b != 0).unwrap_or(raw.len().saturating_sub(1));
    hex::encode(&raw[start..])
}

fn ip_from_bytes(bytes: &[u8]) -> Option<IpAddr> {
    match bytes.len() {
        4 => <[u8; 4]>::try_from(bytes).ok().map(|b| IpAddr::V4(Ipv4Addr::from(b))),
        16 => <[u8; 16]>::try_from(bytes).ok().map(|b| IpAddr::V6(Ipv6Addr::from(b))),
        _ => None,
    }
}

fn key_algorithm(spki: &SubjectPublicKeyInfo<'_>) -> Option<KeyAlgorithm> {
    match spki.parsed().ok()? {
        PublicKey::RSA(rsa) => {
            let modulus = &rsa.modulus[rsa.modulus.iter().position(|&b| b != 0)?..];
            let bits = modulus.len() * 8 - modulus.first()?.leading_zeros() as usize;
            KeyAlgorithm::ALL.into_iter().find(|alg| alg.rsa_bits() == Some(bits))
        }
        PublicKey::EC(_) => {
            let curve = spki.algorithm.parameters.as_ref()?.as_oid().ok()?;
            (curve == OID_EC_P256).then_some(KeyAlgorithm::EcdsaP256)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::certs::{generate_ca, issue_webhook_leaf, key_matches};
    use crate::random::OsEntropy;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-11-27 10:00:00 UTC);

    fn info(not_before: OffsetDateTime, not_after: OffsetDateTime) -> CertInfo {
        CertInfo {
            serial_hex: "01".into(),
            subject_cn: None,
            not_before,
            not_after,
            dns_names: vec![],
            ip_addresses: vec![],
            is_ca: false,
            key_cert_sign: false,
            key_algorithm: None,
            identity: Identity::default(),
        }
    }

    #[test]
    fn renewal_is_due_with_less_than_a_third_left() {
        // 300 days: due once fewer than 100 days are left, i.e. after day 200.
        let cert = info(NOW, NOW + time::Duration::days(300));
        let boundary = NOW + time::Duration::days(200);
        let nano = time::Duration::nanoseconds(1);
        assert!(!cert.renewal_due(NOW - time::Duration::days(1)), "not yet valid");
        assert!(!cert.renewal_due(NOW));
        assert!(!cert.renewal_due(boundary - nano));
        assert!(!cert.renewal_due(boundary), "exactly a third left");
        assert!(cert.renewal_due(boundary + nano));
        assert!(cert.renewal_due(cert.not_after));
        assert!(cert.renewal_due(cert.not_after + time::Duration::days(1000)), "expired");
    }

    #[test]
    fn renewal_boundary_with_a_lifetime_not_divisible_by_three() {
        // 10 s: a third is 3.33 s, so 3 s left is due and 4 s is not.
        let cert = info(NOW, NOW + time::Duration::seconds(10));
        assert!(!cert.renewal_due(NOW + time::Duration::seconds(6)));
        assert!(cert.renewal_due(NOW + time::Duration::seconds(7)));
        assert!(info(NOW, NOW).renewal_due(NOW - time::Duration::days(1)), "empty lifetime");
    }

    #[test]
    fn not_after_is_rfc3339_utc() {
        let cert = info(NOW, datetime!(2027-11-27 12:00:00 +02:00));
        assert_eq!(cert.not_after_rfc3339(), "2027-11-27T10:00:00Z");
        let cert = info(NOW, datetime!(2050-01-02 03:04:05 UTC));
        assert_eq!(cert.not_after_rfc3339(), "2050-01-02T03:04:05Z");
    }

    #[test]
    fn serial_hex_drops_the_sign_byte() {
        assert_eq!(serial_hex(&[0x00, 0x80, 0x01]), "8001");
        assert_eq!(serial_hex(&[0x7f, 0x00]), "7f00");
        assert_eq!(serial_hex(&[0x00]), "00");
        assert_eq!(serial_hex(&[]), "");
    }

    #[test]
    fn split_bundle_keeps_only_whole_certificate_blocks() {
        let bundle = "# old CA\r\n-----BEGIN CERTIFICATE-----\r\nAAAA\r\nBBBB\r\n\
                      -----END CERTIFICATE-----\r\n\
                      -----BEGIN PRIVATE KEY-----\nKKKK\n-----END PRIVATE KEY-----\n\
                      text\n  -----BEGIN CERTIFICATE-----  \nCCCC\n-----END CERTIFICATE-----\
                      \n-----BEGIN CERTIFICATE-----\nDDDD\n-----END PRIVATE KEY-----\n\
                      -----BEGIN CERTIFICATE-----\nEEEE\n";
        assert_eq!(
            split_pem_bundle(bundle),
            [
                "-----BEGIN CERTIFICATE-----\nAAAABBBB\n-----END CERTIFICATE-----\n",
                "-----BEGIN CERTIFICATE-----\nCCCC\n-----END CERTIFICATE-----\n",
            ]
        );
        assert!(split_pem_bundle("").is_empty());
    }

    #[test]
    fn split_bundle_of_real_cas_round_trips() {
        let alg = KeyAlgorithm::EcdsaP256;
        let old = generate_ca("ckf-crypto", 30, alg, NOW, &mut OsEntropy).expect("ca");
        let new = generate_ca("ckf-crypto", 30, alg, NOW, &mut OsEntropy).expect("ca");
        let bundle = format!("{}{}", old.cert_pem, new.cert_pem.trim_end());
        let parts = split_pem_bundle(&bundle);
        assert_eq!(parts, [old.cert_pem.clone(), new.cert_pem.clone()]);
        assert!(parts.iter().all(|p| inspect(p).is_ok()));
    }

    #[test]
    fn issued_by_checks_the_signature_not_only_the_name() {
        let alg = KeyAlgorithm::EcdsaP256;
        let ca = generate_ca("ckf-crypto", 30, alg, NOW, &mut OsEntropy).expect("ca");
        let same_name = generate_ca("ckf-crypto", 30, alg, NOW, &mut OsEntropy).expect("ca");
        let leaf = issue_webhook_leaf(&ca, &["a".into()], "ns", 1, alg, NOW, &mut OsEntropy)
            .expect("leaf");
        assert!(issued_by(&ca.cert_pem, &ca.cert_pem), "self-signed");
        assert!(issued_by(&leaf.cert_pem, &ca.cert_pem));
        assert!(!issued_by(&leaf.cert_pem, &same_name.cert_pem), "same name, other key");
        assert!(!issued_by(&ca.cert_pem, &leaf.cert_pem));
        assert!(!issued_by(&leaf.cert_pem, "garbage"));
        assert!(!issued_by("garbage", &ca.cert_pem));
        // The per-hook check of stored material tells the same by name and key identifier.
        assert!(issued_by_stored(&leaf.cert_pem, &ca.cert_pem));
        assert!(!issued_by_stored(&leaf.cert_pem, &same_name.cert_pem), "same name, other key");
        assert!(!issued_by_stored(&ca.cert_pem, &leaf.cert_pem));
        assert!(!issued_by_stored(&leaf.cert_pem, "garbage"));
        // A CA without a subject key identifier (openssl's `-addext` can leave it out): the
        // signature decides.
        let dir = tempfile::tempdir().expect("tmp");
        let out = std::process::Command::new("openssl")
            .args(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"])
            .args(["-nodes", "-subj", "/CN=bare", "-days", "2", "-addext"])
            .args(["subjectKeyIdentifier=none", "-keyout"])
            .arg(dir.path().join("k.pem"))
            .output()
            .expect("openssl");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let bare = String::from_utf8(out.stdout).expect("pem");
        assert!(
            !bare.is_empty() && issued_by_stored(&bare, &bare),
            "self-signed, by its signature"
        );
        assert!(!issued_by_stored(&leaf.cert_pem, &bare));
    }

    #[test]
    fn issued_by_works_for_an_rsa_ca() {
        let ca =
            generate_ca("ckf-crypto", 30, KeyAlgorithm::Rsa2048, NOW, &mut OsEntropy).expect("ca");
        let other =
            generate_ca("other", 30, KeyAlgorithm::EcdsaP256, NOW, &mut OsEntropy).expect("ca");
        let leaf = issue_webhook_leaf(
            &ca,
            &["a".into()],
            "ns",
            1,
            KeyAlgorithm::Rsa2048,
            NOW,
            &mut OsEntropy,
        )
        .expect("leaf");
        assert!(issued_by(&ca.cert_pem, &ca.cert_pem));
        assert!(issued_by(&leaf.cert_pem, &ca.cert_pem));
        assert!(!issued_by(&leaf.cert_pem, &other.cert_pem));
        assert_eq!(inspect(&leaf.cert_pem).ok().and_then(|i| i.key_algorithm), {
            Some(KeyAlgorithm::Rsa2048)
        });
    }

    #[test]
    fn key_matches_only_its_own_certificate() {
        let alg = KeyAlgorithm::EcdsaP256;
        let ca = generate_ca("ckf-crypto", 30, alg, NOW, &mut OsEntropy).expect("ca");
        let leaf = issue_webhook_leaf(&ca, &["a".into()], "ns", 1, alg, NOW, &mut OsEntropy)
            .expect("leaf");
        assert!(key_matches(&ca.cert_pem, &ca.key_pem));
        assert!(key_matches(&leaf.cert_pem, &leaf.key_pem));
        assert!(!key_matches(&leaf.cert_pem, &ca.key_pem));
        assert!(!key_matches(&ca.cert_pem, &leaf.key_pem));
        assert!(!key_matches("garbage", &leaf.key_pem));
        assert!(!key_matches(&leaf.cert_pem, &juju_charm::SecretString::new("garbage")));
    }

    #[test]
    fn rsa_4096_ca_has_a_4096_bit_key() {
        let ca =
            generate_ca("ckf-crypto", 30, KeyAlgorithm::Rsa4096, NOW, &mut OsEntropy).expect("ca");
        let info = inspect(&ca.cert_pem).expect("parses");
        assert_eq!(info.key_algorithm, Some(KeyAlgorithm::Rsa4096));
        assert!(key_matches(&ca.cert_pem, &ca.key_pem));
    }

    #[test]
    fn inspect_refuses_what_is_not_a_certificate() {
        for bad in ["", "garbage", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"]
        {
            assert!(matches!(inspect(bad), Err(CertError::InvalidCertificate(_))), "{bad:?}");
        }
        let broken = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        assert!(matches!(inspect(broken), Err(CertError::InvalidCertificate(_))));
    }
}
