//! Signing certificate requests for the `tls-certificates` provider (`contract.md` §6, §11).
//!
//! rcgen parses a CSR, verifies its signature, and refuses any extension other than subject
//! alternative name, key usage, extended key usage and basic constraints, which is the policy
//! the contract asks for. A request for a CA (in the CSR's basic constraints) is refused too.
//! The issued certificate keeps the requested subject and extensions, gets `CA:FALSE`, an
//! authority key identifier, a random 20-byte serial and the configured validity. It is checked
//! before it is handed out: it must hold the requester's public key exactly. (rcgen rebuilds the
//! public key's algorithm from the CSR's *signature* algorithm, so a P-384 key in a CSR signed
//! with ecdsa-with-SHA256 would otherwise come out labelled as a P-256 key.)

use rcgen::{CertificateSigningRequestParams, IsCa, Issuer};
use time::OffsetDateTime;
use x509_parser::prelude::FromDer;

use super::CertError;
use super::issue::{random_serial, validity};
use super::keys::SigningKey;
use crate::random::Entropy;

/// A CSR that passed the policy, with what the provider checks.
#[derive(Debug)]
pub struct CheckedCsr {
    params: CertificateSigningRequestParams,
    /// The DNS names it asks for.
    pub dns_names: Vec<String>,
    /// Its `SubjectPublicKeyInfo`, DER.
    spki: Vec<u8>,
}

/// Parses and checks a CSR (PEM); the error says why it is refused.
pub fn check_csr(pem: &str) -> Result<CheckedCsr, String> {
    let params = CertificateSigningRequestParams::from_pem(pem).map_err(|e| match e {
        rcgen::Error::UnsupportedExtension => "the request has an unsupported extension".to_owned(),
        other => format!("invalid certificate request: {other}"),
    })?;
    if matches!(params.params.is_ca, IsCa::Ca(_)) {
        return Err("the request asks for a CA certificate".into());
    }
    let dns_names = params
        .params
        .subject_alt_names
        .iter()
        .filter_map(|san| match san {
            rcgen::SanType::DnsName(name) => Some(name.as_str().to_owned()),
            _ => None,
        })
        .collect();
    let spki = csr_spki(pem).ok_or("invalid certificate request: no public key")?;
    Ok(CheckedCsr { params, dns_names, spki })
}

/// Signs a checked CSR with `issuer` (from `load_issuer`, loaded once for many CSRs), valid
/// from `now` for `days`; returns the certificate PEM.
pub fn sign_csr(
    issuer: &Issuer<'_, SigningKey>,
    csr: CheckedCsr,
    days: u32,
    now: OffsetDateTime,
    rng: &mut dyn Entropy,
) -> Result<String, CertError> {
    let CheckedCsr { params: mut req, spki, .. } = csr;
    let (not_before, not_after) = validity(now, days)?;
    req.params.not_before = not_before;
    req.params.not_after = not_after;
    req.params.serial_number = Some(random_serial(rng)?);
    req.params.is_ca = IsCa::ExplicitNoCa;
    req.params.use_authority_key_identifier_extension = true;
    let cert = req.signed_by(issuer).map_err(CertError::Sign)?;
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

/// Whether the certificate and the CSR (both PEM) hold the same public key.
pub fn same_public_key(cert_pem: &str, csr_pem: &str) -> bool {
    matches!((cert_spki(cert_pem), csr_spki(csr_pem)), (Some(a), Some(b)) if a == b)
}

fn cert_spki(cert_pem: &str) -> Option<Vec<u8>> {
    let (_, p) = x509_parser::pem::parse_x509_pem(cert_pem.as_bytes()).ok()?;
    p.parse_x509().ok().map(|c| c.tbs_certificate.subject_pki.raw.to_vec())
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
        let cert = sign_csr(&issuer, checked, 10, now, &mut OsEntropy).expect("signed");
        assert!(issued_by(&cert, &ca.cert_pem));
        assert!(same_public_key(&cert, &pem));
        assert!(!same_public_key(&cert, &csr(&["gw.kubeflow.svc"], false)));
        let info = inspect(&cert).expect("inspect");
        assert!(!info.is_ca);
        assert_eq!(info.dns_names, ["gw.kubeflow.svc"]);
        assert_eq!((info.not_after - info.not_before).whole_days(), 10);
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
