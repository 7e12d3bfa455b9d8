//! Signing certificate requests for the `tls-certificates` provider.
//!
//! The charm, not the requester, decides what a certificate may do (as cert-manager's issuers set
//! usages themselves): `CA:FALSE`; key usage digitalSignature, plus keyEncipherment for an RSA key;
//! extended key usage serverAuth and clientAuth; subject and authority key identifiers. Only the
//! subject and the DNS and IP SANs come from the request. A request is refused, with a reason, when
//! it asks for a CA (basic constraints `CA:TRUE`, key usage keyCertSign or cRLSign), has a SAN of
//! another type (URI, email, other name, ...), more than [`MAX_SANS`] SANs, an RSA key under 2048
//! bits, a DNS SAN that is not a host name (a wildcard only as the whole leftmost label), an
//! extension other than subject alternative name, key usage, extended key usage and basic
//! constraints, or a signature that does not verify. Requested key usages and extended key usages
//! that fit the profile are no error; they are replaced by it.
//!
//! The issued certificate is checked before it is handed out: it must hold the requester's
//! public key exactly. (rcgen rebuilds the public key's algorithm from the CSR's *signature*
//! algorithm, so a P-384 key in a CSR signed with ecdsa-with-SHA256 would otherwise come out
//! labelled as a P-256 key.)

use std::net::IpAddr;

use rcgen::{
    CertificateParams, CertificateSigningRequestParams, ExtendedKeyUsagePurpose, IsCa, Issuer,
    KeyUsagePurpose, SanType,
};
use time::OffsetDateTime;
use x509_parser::extensions::{GeneralName, ParsedExtension};
use x509_parser::prelude::FromDer;
use x509_parser::public_key::PublicKey;

use super::CertError;
use super::issue::{random_serial, validity};
use super::keys::SigningKey;
use crate::random::Entropy;

/// The most SANs one request may ask for.
pub const MAX_SANS: usize = 100;
/// The smallest RSA key signed.
pub const MIN_RSA_BITS: usize = 2048;

/// A CSR that passed the policy, with what the provider checks.
#[derive(Debug)]
pub struct CheckedCsr {
    params: CertificateSigningRequestParams,
    /// The DNS names it asks for.
    pub dns_names: Vec<String>,
    /// The IP addresses it asks for.
    pub ip_addresses: Vec<IpAddr>,
    /// Its `SubjectPublicKeyInfo`, DER.
    spki: Vec<u8>,
    /// Whether its key is an RSA key.
    rsa: bool,
}

/// Parses and checks a CSR (PEM) against the profile; the error says why it is refused.
pub fn check_csr(pem: &str) -> Result<CheckedCsr, String> {
    let invalid = |why: &str| format!("invalid certificate request: {why}");
    let (_, block) =
        x509_parser::pem::parse_x509_pem(pem.as_bytes()).map_err(|_| invalid("not PEM"))?;
    let (_, csr) =
        x509_parser::certification_request::X509CertificationRequest::from_der(&block.contents)
            .map_err(|_| invalid("not a PKCS#10 request"))?;
    let info = &csr.certification_request_info;
    // Before the signature: ring does not verify signatures of RSA keys this small.
    let rsa = match info.subject_pki.parsed() {
        Ok(PublicKey::RSA(key)) if key.key_size() < MIN_RSA_BITS => {
            return Err(format!(
                "the request's RSA key has {} bits; at least {MIN_RSA_BITS} are signed",
                key.key_size()
            ));
        }
        Ok(PublicKey::RSA(_)) => true,
        _ => false,
    };
    csr.verify_signature().map_err(|_| "the request's signature does not verify".to_owned())?;
    let (mut dns_names, mut ip_addresses, mut sans) = (Vec::new(), Vec::new(), 0);
    for ext in csr.requested_extensions().into_iter().flatten() {
        match ext {
            ParsedExtension::SubjectAlternativeName(san) => {
                for name in &san.general_names {
                    sans += 1;
                    match name {
                        GeneralName::DNSName(n) => dns_names.push((*n).to_owned()),
                        GeneralName::IPAddress(b) => ip_addresses.push(ip(b).ok_or_else(|| {
                            invalid("an IP address SAN is neither 4 nor 16 bytes")
                        })?),
                        other => {
                            return Err(format!(
                                "the request has {} SAN; only DNS and IP SANs are issued",
                                san_kind(other)
                            ));
                        }
                    }
                }
            }
            ParsedExtension::KeyUsage(ku) if ku.key_cert_sign() || ku.crl_sign() => {
                return Err("the request asks for key usage keyCertSign or cRLSign, a CA's".into());
            }
            ParsedExtension::BasicConstraints(bc) if bc.ca => {
                return Err(
                    "the request asks for a CA certificate (basic constraints CA:TRUE)".into()
                );
            }
            ParsedExtension::KeyUsage(_)
            | ParsedExtension::ExtendedKeyUsage(_)
            | ParsedExtension::BasicConstraints(_) => {}
            _ => return Err("the request has an unsupported extension".into()),
        }
    }
    if sans > MAX_SANS {
        return Err(format!("the request has {sans} SANs; at most {MAX_SANS} are issued"));
    }
    if let Some(bad) = dns_names.iter().find(|n| !valid_dns_name(n)) {
        return Err(format!(
            "DNS name '{bad}' is not a valid host name (a wildcard is allowed only as the whole \
             leftmost label)"
        ));
    }
    let spki = info.subject_pki.raw.to_vec();
    let params = CertificateSigningRequestParams::from_der(&block.contents.as_slice().into())
        .map_err(|e| match e {
            rcgen::Error::UnsupportedExtension => {
                "the request has an unsupported extension".to_owned()
            }
            other => invalid(&other.to_string()),
        })?;
    Ok(CheckedCsr { params, dns_names, ip_addresses, spki, rsa })
}

fn ip(bytes: &[u8]) -> Option<IpAddr> {
    match bytes.len() {
        4 => <[u8; 4]>::try_from(bytes).ok().map(IpAddr::from),
        16 => <[u8; 16]>::try_from(bytes).ok().map(IpAddr::from),
        _ => None,
    }
}

fn san_kind(name: &GeneralName<'_>) -> &'static str {
    match name {
        GeneralName::URI(_) => "a URI",
        GeneralName::RFC822Name(_) => "an email",
        GeneralName::OtherName(..) => "an other-name",
        GeneralName::DirectoryName(_) => "a directory-name",
        GeneralName::RegisteredID(_) => "a registered-ID",
        _ => "an unsupported",
    }
}

/// A host name as a certificate may carry it (RFC 5280 section 4.2.1.6 preferred name syntax,
/// RFC 1123 labels): at most 253 characters, labels of 1 to 63 letters, digits and inner hyphens,
/// at least two labels, and `*` only as the whole leftmost label.
pub fn valid_dns_name(name: &str) -> bool {
    let labels: Vec<&str> = name.split('.').collect();
    let label_ok = |l: &&str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    let rest = match labels.split_first() {
        Some((&"*", rest)) => rest,
        _ => &labels[..],
    };
    name.len() <= 253 && labels.len() >= 2 && !rest.is_empty() && rest.iter().all(label_ok)
}

/// Signs a checked CSR with `issuer` (from `load_issuer`, loaded once for many CSRs), valid
/// from `now` for `days` but never past `not_after_cap` (the earliest expiry of the issuer's
/// chain: no certificate outlives its issuer), with the charm's profile; returns the
/// certificate PEM. A cap at or before `now` is an error: the chain has expired.
pub fn sign_csr(
    issuer: &Issuer<'_, SigningKey>,
    csr: CheckedCsr,
    days: u32,
    now: OffsetDateTime,
    not_after_cap: Option<OffsetDateTime>,
    rng: &mut dyn Entropy,
) -> Result<String, CertError> {
    let CheckedCsr { params: req, spki, rsa, .. } = csr;
    let (not_before, mut not_after) = validity(now, days)?;
    if let Some(cap) = not_after_cap {
        if cap <= not_before {
            return Err(CertError::InvalidParams(
                "the issuer's chain has expired: a certificate would end before it starts".into(),
            ));
        }
        not_after = not_after.min(cap);
    }
    let mut params = CertificateParams::default();
    params.distinguished_name = req.params.distinguished_name.clone();
    params.subject_alt_names = req
        .params
        .subject_alt_names
        .iter()
        .filter(|s| matches!(s, SanType::DnsName(_) | SanType::IpAddress(_)))
        .cloned()
        .collect();
    params.not_before = not_before;
    params.not_after = not_after;
    params.serial_number = Some(random_serial(rng)?);
    // ExplicitNoCa writes basic constraints CA:FALSE and the subject key identifier.
    params.is_ca = IsCa::ExplicitNoCa;
    params.use_authority_key_identifier_extension = true;
    params.key_usages = if rsa {
        vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyEncipherment]
    } else {
        vec![KeyUsagePurpose::DigitalSignature]
    };
    params.extended_key_usages =
        vec![ExtendedKeyUsagePurpose::ServerAuth, ExtendedKeyUsagePurpose::ClientAuth];
    let cert = params.signed_by(&req.public_key, issuer).map_err(CertError::Sign)?;
    let pem = cert.pem();
    if cert_spki(&pem).as_deref() != Some(spki.as_slice()) {
        return Err(CertError::InvalidParams(
            "the certificate would not hold the requested public key (its key type does not \
             match the request's signature algorithm)"
                .into(),
        ));
    }
    Ok(pem)
}

fn cert_spki(cert_pem: &str) -> Option<Vec<u8>> {
    let (_, p) = x509_parser::pem::parse_x509_pem(cert_pem.as_bytes()).ok()?;
    p.parse_x509().ok().map(|c| c.tbs_certificate.subject_pki.raw.to_vec())
}

/// Whether the (inspected) certificate holds the public key the CSR (PEM) requests.
pub fn requests_key_of(cert: &super::CertInfo, csr_pem: &str) -> bool {
    csr_spki(csr_pem).is_some_and(|spki| spki == cert.identity.public_key_info)
}

fn csr_spki(csr_pem: &str) -> Option<Vec<u8>> {
    let (_, p) = x509_parser::pem::parse_x509_pem(csr_pem.as_bytes()).ok()?;
    x509_parser::certification_request::X509CertificationRequest::from_der(&p.contents)
        .ok()
        .map(|(_, r)| r.certification_request_info.subject_pki.raw.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::certs::{KeyAlgorithm, generate_ca, inspect, issued_by};
    use crate::random::OsEntropy;

    fn csr(names: &[&str], ca: bool) -> String {
        let key = rcgen::KeyPair::generate().expect("key");
        let mut params = rcgen::CertificateParams::new(
            names.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>(),
        )
        .expect("params");
        params.distinguished_name.push(rcgen::DnType::CommonName, names[0]);
        if ca {
            params.is_ca = IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        }
        params.serialize_request(&key).expect("csr").pem().expect("pem")
    }

    #[test]
    fn signs_a_plain_request() {
        let now = OffsetDateTime::now_utc();
        let ca = generate_ca("ca", 30, KeyAlgorithm::EcdsaP256, now, &mut OsEntropy).expect("ca");
        let pem = csr(&["gw.kubeflow.svc"], false);
        let checked = check_csr(&pem).expect("accepted");
        assert_eq!(checked.dns_names, ["gw.kubeflow.svc"]);
        let issuer = crate::certs::load_issuer(&ca).expect("issuer");
        let cert = sign_csr(&issuer, checked, 10, now, None, &mut OsEntropy).expect("signed");
        assert!(issued_by(&cert, &ca.cert_pem));
        let info = inspect(&cert).expect("inspect");
        assert!(requests_key_of(&info, &pem));
        assert!(!requests_key_of(&info, &csr(&["gw.kubeflow.svc"], false)));
        assert!(!info.is_ca);
        assert_eq!(info.dns_names, ["gw.kubeflow.svc"]);
        assert_eq!((info.not_after - info.not_before).whole_days(), 10);
    }

    #[test]
    fn host_names() {
        for good in ["a.svc", "*.kubeflow.svc", "xn--bcher-kva.example", "A-1.b2.C", "1.2"] {
            assert!(valid_dns_name(good), "{good}");
        }
        let long = format!("{}.svc", "a".repeat(64));
        for bad in [
            "svc", "*.svc.*", "a.*.svc", "*a.svc", "a_b.svc", "-a.svc", "a-.svc", "a..b", "a.svc.",
            "*", &long,
        ] {
            assert!(!valid_dns_name(bad), "{bad}");
        }
    }

    #[test]
    fn refuses_a_ca_request_and_garbage() {
        assert!(check_csr(&csr(&["x.svc"], true)).expect_err("ca").contains("CA"));
        assert!(
            check_csr(
                "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----"
            )
            .is_err()
        );
    }
}
