//! Signing certificate requests for the `tls-certificates` provider (`contract.md` §6, §11).
//!
//! rcgen parses a CSR, verifies its signature, and refuses any extension other than subject
//! alternative name, key usage, extended key usage and basic constraints, which is the policy
//! the contract asks for. A request for a CA (in the CSR's basic constraints) is refused too.
//! The issued certificate keeps the requested subject and extensions, gets `CA:FALSE`, an
//! authority key identifier, a random 20-byte serial and the configured validity.

use rcgen::{CertificateSigningRequestParams, IsCa, Issuer, KeyPair};
use time::OffsetDateTime;
use x509_parser::prelude::FromDer;

use super::CertError;
use super::issue::{random_serial, validity};

/// A CSR that passed the policy, with what the provider checks.
#[derive(Debug)]
pub struct CheckedCsr {
    params: CertificateSigningRequestParams,
    /// The DNS names it asks for.
    pub dns_names: Vec<String>,
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
    Ok(CheckedCsr { params, dns_names })
}

/// Signs a checked CSR with `issuer` (from `load_issuer`, loaded once for many CSRs), valid
/// from `now` for `days`; returns the certificate PEM.
pub fn sign_csr(
    issuer: &Issuer<'_, KeyPair>,
    csr: CheckedCsr,
    days: u32,
    now: OffsetDateTime,
) -> Result<String, CertError> {
    let mut req = csr.params;
    let (not_before, not_after) = validity(now, days)?;
    req.params.not_before = not_before;
    req.params.not_after = not_after;
    req.params.serial_number = Some(random_serial()?);
    req.params.is_ca = IsCa::ExplicitNoCa;
    req.params.use_authority_key_identifier_extension = true;
    let cert = req.signed_by(issuer).map_err(CertError::Sign)?;
    Ok(cert.pem())
}

/// Whether the certificate and the CSR (both PEM) hold the same public key.
pub fn same_public_key(cert_pem: &str, csr_pem: &str) -> bool {
    let cert_spki = x509_parser::pem::parse_x509_pem(cert_pem.as_bytes())
        .ok()
        .and_then(|(_, p)| p.parse_x509().ok().map(|c| c.tbs_certificate.subject_pki.raw.to_vec()));
    let csr_spki = x509_parser::pem::parse_x509_pem(csr_pem.as_bytes()).ok().and_then(|(_, p)| {
        x509_parser::certification_request::X509CertificationRequest::from_der(&p.contents)
            .ok()
            .map(|(_, r)| r.certification_request_info.subject_pki.raw.to_vec())
    });
    matches!((cert_spki, csr_spki), (Some(a), Some(b)) if a == b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::certs::{KeyAlgorithm, generate_ca, inspect, issued_by};

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
        let ca = generate_ca("ca", 30, KeyAlgorithm::EcdsaP256, now).expect("ca");
        let pem = csr(&["gw.kubeflow.svc"], false);
        let checked = check_csr(&pem).expect("accepted");
        assert_eq!(checked.dns_names, ["gw.kubeflow.svc"]);
        let issuer = crate::certs::load_issuer(&ca).expect("issuer");
        let cert = sign_csr(&issuer, checked, 10, now).expect("signed");
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
