//! Making certificates: the charm's self-signed CA and the webhook server leaves it signs.
//!
//! The profiles are those of the README ("How it works", Certificates). rcgen's defaults are unsafe
//! for us in two ways, so every certificate here sets them explicitly: the serial (rcgen would
//! derive it from the public key, repeating it on re-issue) and the validity (rcgen would use
//! 1975..4096). Leaves use `IsCa::ExplicitNoCa`, which writes a critical `CA:FALSE` and the SKI.
//! [`load_issuer`] and [`random_serial`] are public so that other signers (the `certificates`
//! relation) sign with the same CA under the same rules.

use std::net::{IpAddr, Ipv4Addr};

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyUsagePurpose, SanType, SerialNumber,
};
use time::{Duration, OffsetDateTime, UtcOffset};

use super::keys::{SigningKey, generate_key, load_key, public_key_matches};
use super::{CertError, Issued, KeyAlgorithm};
use crate::random::{self, Entropy};

/// Length of every serial number, in bytes (the RFC 5280 maximum).
pub const SERIAL_LEN: usize = 20;

/// The cluster DNS suffixes, in the order the SANs list them after the bare service name.
const DNS_SUFFIXES: [&str; 4] = ["", ".svc", ".svc.cluster", ".svc.cluster.local"];

/// Self-signed CA: subject `CN=common_name`, critical `CA:TRUE`, key usage keyCertSign + cRLSign +
/// digitalSignature, SKI, a random 20-byte serial, valid from `now` (to the second) for
/// `validity_days`. Signed with SHA-256 (RSA PKCS#1 v1.5 or ECDSA, after `alg`).
pub fn generate_ca(
    common_name: &str,
    validity_days: u32,
    alg: KeyAlgorithm,
    now: OffsetDateTime,
    rng: &mut dyn Entropy,
) -> Result<Issued, CertError> {
    if common_name.is_empty() {
        return Err(CertError::InvalidParams("the CA common name is empty".into()));
    }
    let mut params = CertificateParams::default();
    params.distinguished_name = common_name_dn(common_name);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    params.serial_number = Some(random_serial(rng)?);
    (params.not_before, params.not_after) = validity(now, validity_days)?;
    let (key, key_pem) = generate_key(alg, rng)?;
    let cert = params.self_signed(&key).map_err(CertError::Sign)?;
    Ok(Issued { cert_pem: cert.pem(), key_pem })
}

/// Webhook server leaf signed by `ca`: DNS SANs from [`webhook_dns_names`] plus IP `127.0.0.1`,
/// subject `CN=<first service>.<namespace>.svc`, critical `CA:FALSE`, key usage digitalSignature +
/// keyEncipherment, EKU serverAuth + clientAuth, AKI and SKI, a random 20-byte serial, valid from
/// `now` (to the second) for `validity_days`. The signature algorithm follows the CA's key.
pub fn issue_webhook_leaf(
    ca: &Issued,
    services: &[String],
    namespace: &str,
    validity_days: u32,
    alg: KeyAlgorithm,
    now: OffsetDateTime,
    rng: &mut dyn Entropy,
) -> Result<Issued, CertError> {
    let Some(first) = services.first() else {
        return Err(CertError::InvalidParams("a webhook needs at least one service".into()));
    };
    if namespace.is_empty() || services.iter().any(String::is_empty) {
        return Err(CertError::InvalidParams("empty service name or namespace".into()));
    }
    let issuer = load_issuer(ca)?;
    let mut params = CertificateParams::default();
    params.distinguished_name = common_name_dn(&format!("{first}.{namespace}.svc"));
    params.subject_alt_names = webhook_dns_names(services, namespace)
        .into_iter()
        .map(|name| {
            name.as_str()
                .try_into()
                .map(SanType::DnsName)
                .map_err(|_| CertError::InvalidParams(format!("{name:?} is not an ASCII DNS name")))
        })
        .collect::<Result<_, _>>()?;
    params.subject_alt_names.push(SanType::IpAddress(IpAddr::V4(Ipv4Addr::LOCALHOST)));
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyEncipherment];
    params.extended_key_usages =
        vec![ExtendedKeyUsagePurpose::ServerAuth, ExtendedKeyUsagePurpose::ClientAuth];
    params.use_authority_key_identifier_extension = true;
    params.serial_number = Some(random_serial(rng)?);
    (params.not_before, params.not_after) = validity(now, validity_days)?;
    let (key, key_pem) = generate_key(alg, rng)?;
    let cert = params.signed_by(&key, &issuer).map_err(CertError::Sign)?;
    Ok(Issued { cert_pem: cert.pem(), key_pem })
}

/// The DNS SANs of a webhook leaf: `S`, `S.ns`, `S.ns.svc`, `S.ns.svc.cluster`,
/// `S.ns.svc.cluster.local` for every service `S`, in order, each name once (pvcviewer's Python
/// charm listed its service twice).
pub fn webhook_dns_names(services: &[String], namespace: &str) -> Vec<String> {
    let mut names = Vec::with_capacity(services.len() * (DNS_SUFFIXES.len() + 1));
    for service in services {
        let candidates = std::iter::once(service.clone())
            .chain(DNS_SUFFIXES.iter().map(|suffix| format!("{service}.{namespace}{suffix}")));
        for name in candidates {
            if !names.contains(&name) {
                names.push(name);
            }
        }
    }
    names
}

/// Loads a CA back from its certificate and key to sign again. Refuses a certificate that is not
/// a CA and a key that does not belong to it (signing with it would make unverifiable leaves).
pub fn load_issuer(ca: &Issued) -> Result<Issuer<'static, SigningKey>, CertError> {
    let info = super::inspect(&ca.cert_pem)?;
    if !info.is_ca {
        return Err(CertError::InvalidParams("the issuer certificate is not a CA".into()));
    }
    let key = load_key(&ca.key_pem)?;
    if !public_key_matches(&ca.cert_pem, &key) {
        return Err(CertError::MismatchedCaKey);
    }
    Issuer::from_ca_cert_pem(&ca.cert_pem, key)
        .map_err(|e| CertError::InvalidCertificate(format!("CA: {e}")))
}

/// A fresh serial number: 20 bytes from `rng`, positive (top bit clear) and with a non-zero
/// first byte, so the DER INTEGER is exactly 20 bytes (159 random bits less 1/128).
pub fn random_serial(rng: &mut dyn Entropy) -> Result<SerialNumber, CertError> {
    let mut bytes = [0u8; SERIAL_LEN];
    loop {
        random::fill(rng, &mut bytes).map_err(CertError::Entropy)?;
        bytes[0] &= 0x7f;
        if bytes[0] != 0 {
            return Ok(SerialNumber::from_slice(&bytes));
        }
    }
}

/// The validity window `now..now + days`, in UTC and truncated to the second (what X.509 can
/// hold, so that [`super::CertInfo`] reads back exactly these instants).
pub fn validity(
    now: OffsetDateTime,
    days: u32,
) -> Result<(OffsetDateTime, OffsetDateTime), CertError> {
    if days == 0 {
        return Err(CertError::InvalidParams("the validity must be at least one day".into()));
    }
    let utc = now.to_offset(UtcOffset::UTC);
    let not_before = utc - Duration::nanoseconds(i64::from(utc.nanosecond()));
    let not_after = not_before
        .checked_add(Duration::days(i64::from(days)))
        .filter(|t| t.year() <= 9999)
        .ok_or_else(|| {
            CertError::InvalidParams(format!("a validity of {days} days ends after 9999"))
        })?;
    Ok((not_before, not_after))
}

fn common_name_dn(common_name: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, common_name);
    dn
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::certs::{inspect, issued_by, key_matches};
    use crate::random::OsEntropy;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-11-27 10:00:00.123456 UTC);

    fn kserve() -> Vec<String> {
        vec!["kserve-controller".into(), "kserve-webhook-server-service".into()]
    }

    #[test]
    fn kserve_sans_are_five_per_service_in_order() {
        let names = webhook_dns_names(&kserve(), "kubeflow");
        assert_eq!(
            names,
            [
                "kserve-controller",
                "kserve-controller.kubeflow",
                "kserve-controller.kubeflow.svc",
                "kserve-controller.kubeflow.svc.cluster",
                "kserve-controller.kubeflow.svc.cluster.local",
                "kserve-webhook-server-service",
                "kserve-webhook-server-service.kubeflow",
                "kserve-webhook-server-service.kubeflow.svc",
                "kserve-webhook-server-service.kubeflow.svc.cluster",
                "kserve-webhook-server-service.kubeflow.svc.cluster.local",
            ]
        );
    }

    #[test]
    fn repeated_services_give_each_name_once() {
        let twice = vec!["pvcviewer-operator".to_owned(), "pvcviewer-operator".to_owned()];
        let once = webhook_dns_names(&twice[..1], "kubeflow");
        assert_eq!(webhook_dns_names(&twice, "kubeflow"), once);
        assert_eq!(once.len(), 5);
    }

    #[test]
    fn serials_are_20_bytes_positive_and_unique() {
        let mut seen = std::collections::HashSet::new();
        for _ in 0..2000 {
            let serial = random_serial(&mut OsEntropy).expect("getrandom").to_bytes();
            assert_eq!(serial.len(), SERIAL_LEN);
            assert!(serial[0] & 0x80 == 0 && serial[0] != 0, "{serial:02x?}");
            assert!(seen.insert(serial), "serial repeated");
        }
    }

    #[test]
    fn ca_and_leaf_read_back_as_issued() {
        let ca = generate_ca("ckf-crypto", 3650, KeyAlgorithm::EcdsaP256, NOW, &mut OsEntropy)
            .expect("ca");
        let leaf = issue_webhook_leaf(
            &ca,
            &kserve(),
            "kubeflow",
            365,
            KeyAlgorithm::EcdsaP256,
            NOW,
            &mut OsEntropy,
        )
        .expect("leaf");
        let ca_info = inspect(&ca.cert_pem).expect("ca parses");
        assert!(ca_info.is_ca);
        assert_eq!(ca_info.subject_cn.as_deref(), Some("ckf-crypto"));
        assert_eq!(ca_info.not_before, datetime!(2026-11-27 10:00:00 UTC));
        assert_eq!(ca_info.not_after, datetime!(2036-11-24 10:00:00 UTC));
        let info = inspect(&leaf.cert_pem).expect("leaf parses");
        assert!(!info.is_ca);
        assert_eq!(info.subject_cn.as_deref(), Some("kserve-controller.kubeflow.svc"));
        assert_eq!(info.dns_names, webhook_dns_names(&kserve(), "kubeflow"));
        assert_eq!(info.ip_addresses, [IpAddr::V4(Ipv4Addr::LOCALHOST)]);
        assert_eq!(info.not_after_rfc3339(), "2027-11-27T10:00:00Z");
        assert_eq!(info.key_algorithm, Some(KeyAlgorithm::EcdsaP256));
        assert_eq!(info.serial_hex.len(), 2 * SERIAL_LEN);
        assert_ne!(info.serial_hex, ca_info.serial_hex);
        assert!(issued_by(&leaf.cert_pem, &ca.cert_pem));
        assert!(key_matches(&leaf.cert_pem, &leaf.key_pem));
    }

    #[test]
    fn a_reloaded_ca_signs_again_rsa_and_ecdsa() {
        for (ca_alg, leaf_alg) in [
            (KeyAlgorithm::Rsa2048, KeyAlgorithm::EcdsaP256),
            (KeyAlgorithm::EcdsaP256, KeyAlgorithm::Rsa2048),
        ] {
            let ca = generate_ca("ckf-crypto", 30, ca_alg, NOW, &mut OsEntropy).expect("ca");
            // A round trip through plain strings, as through a Juju secret.
            let stored = Issued {
                cert_pem: ca.cert_pem.clone(),
                key_pem: juju_charm::SecretString::new(ca.key_pem.expose().to_owned()),
            };
            let services = ["admission-webhook".to_owned()];
            let leaf = || {
                issue_webhook_leaf(&stored, &services, "kubeflow", 7, leaf_alg, NOW, &mut OsEntropy)
            };
            let (a, b) = (leaf().expect("first leaf"), leaf().expect("second leaf"));
            for leaf in [&a, &b] {
                assert!(issued_by(&leaf.cert_pem, &ca.cert_pem), "{ca_alg} CA, {leaf_alg} leaf");
                let info = inspect(&leaf.cert_pem).expect("parses");
                assert_eq!(info.key_algorithm, Some(leaf_alg));
            }
            assert_ne!(inspect(&a.cert_pem).ok().map(|i| i.serial_hex), {
                inspect(&b.cert_pem).ok().map(|i| i.serial_hex)
            });
        }
    }

    #[test]
    fn a_ca_with_a_foreign_key_or_a_leaf_as_ca_is_refused() {
        let ca = generate_ca("one", 30, KeyAlgorithm::EcdsaP256, NOW, &mut OsEntropy).expect("ca");
        let other =
            generate_ca("two", 30, KeyAlgorithm::EcdsaP256, NOW, &mut OsEntropy).expect("ca");
        let mixed = Issued { cert_pem: ca.cert_pem.clone(), key_pem: other.key_pem.clone() };
        let services = ["x".to_owned()];
        let alg = KeyAlgorithm::EcdsaP256;
        let err = issue_webhook_leaf(&mixed, &services, "ns", 1, alg, NOW, &mut OsEntropy)
            .expect_err("mismatch");
        assert!(matches!(err, CertError::MismatchedCaKey), "{err}");
        let leaf =
            issue_webhook_leaf(&ca, &services, "ns", 1, alg, NOW, &mut OsEntropy).expect("leaf");
        let err = issue_webhook_leaf(&leaf, &services, "ns", 1, alg, NOW, &mut OsEntropy)
            .expect_err("not a CA");
        assert!(matches!(err, CertError::InvalidParams(_)), "{err}");
    }

    #[test]
    fn bad_parameters_are_refused() {
        let alg = KeyAlgorithm::EcdsaP256;
        let ca = generate_ca("ckf-crypto", 30, alg, NOW, &mut OsEntropy).expect("ca");
        let params_err =
            |r: Result<Issued, CertError>| matches!(r, Err(CertError::InvalidParams(_)));
        assert!(params_err(generate_ca("", 30, alg, NOW, &mut OsEntropy)));
        assert!(params_err(generate_ca("ca", 0, alg, NOW, &mut OsEntropy)));
        assert!(params_err(generate_ca("ca", u32::MAX, alg, NOW, &mut OsEntropy)));
        assert!(params_err(issue_webhook_leaf(&ca, &[], "ns", 1, alg, NOW, &mut OsEntropy)));
        assert!(params_err(issue_webhook_leaf(
            &ca,
            &["a".into()],
            "",
            1,
            alg,
            NOW,
            &mut OsEntropy
        )));
        assert!(params_err(issue_webhook_leaf(
            &ca,
            &["é".into()],
            "ns",
            1,
            alg,
            NOW,
            &mut OsEntropy
        )));
    }

    #[test]
    fn validity_is_utc_and_whole_seconds() {
        let local = datetime!(2026-11-27 12:00:00.999 +02:00);
        let (from, to) = validity(local, 1).expect("validity");
        assert_eq!(from, datetime!(2026-11-27 10:00:00 UTC));
        assert_eq!(from.offset(), UtcOffset::UTC);
        assert_eq!(to, datetime!(2026-11-28 10:00:00 UTC));
    }
}
