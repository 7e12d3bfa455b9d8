//! Webhook certificates (`contract.md` §4.1): one CA, one leaf per `webhooks` entry, renewed.
//!
//! The four CKF webhook charms each made a throwaway CA with the openssl CLI, discarded its key,
//! kept the result in per-unit state lost with the pod, and never renewed anything
//! (`ckf-reference.md` §13 flaw 1). Here the CA and its key, the previous CA during a rotation,
//! and every leaf live in the application-owned Juju secret of [`crate::store`] (content keys
//! `ca-crt`, `ca-key`, `previous-ca-crt`, `crt-<name>`, `key-<name>`), so every unit and every
//! later leader serves the same material. [`desired`] is pure: given what is stored, the
//! config and the time, it decides what to keep and what to (re)issue:
//!
//! * the CA is issued when missing, and rotated when less than a third of its lifetime is left,
//!   when its common name, key algorithm or lifetime no longer match the config, or on
//!   `renew-certificates rotate-ca=true`; the outgoing CA stays in the bundle until it expires or
//!   the next rotation, so workloads holding a leaf of either CA keep verifying;
//! * a leaf is issued when missing, and re-issued when less than a third of its lifetime is
//!   left, when it was not signed by the current CA, when its DNS names, key algorithm or
//!   lifetime no longer match, or on `renew-certificates`.

use juju::SecretString;
use juju::tools::SecretContent;
use time::OffsetDateTime;

use crate::certs::{self, CertError, CertInfo, Issued, KeyAlgorithm};
use crate::config::WebhookSpec;
use crate::generated::Change;

const CA_CRT: &str = "ca-crt";
const CA_KEY: &str = "ca-key";
const PREVIOUS_CA_CRT: &str = "previous-ca-crt";

/// The config that shapes the certificates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Params<'a> {
    /// `ca-common-name`
    pub ca_common_name: &'a str,
    /// `ca-validity-days`
    pub ca_validity_days: u32,
    /// `certificate-validity-days`
    pub certificate_validity_days: u32,
    /// `key-algorithm`
    pub key_algorithm: KeyAlgorithm,
    /// The namespace of the webhook Services.
    pub namespace: &'a str,
}

/// What an action forces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Force {
    /// Re-issue every leaf.
    pub renew_leaves: bool,
    /// Rotate the CA (which re-issues every leaf).
    pub rotate_ca: bool,
}

/// One webhook's leaf, as it should be.
#[derive(Debug, Clone)]
pub struct Leaf {
    /// The `webhooks` entry.
    pub spec: WebhookSpec,
    /// Certificate and key.
    pub issued: Issued,
    /// Whether it was (re)issued by this plan.
    pub fresh: bool,
}

/// The certificates as they should be after this hook.
#[derive(Debug, Clone)]
pub struct Desired {
    /// What to do to the Juju secret.
    pub change: Change,
    /// Its full content.
    pub content: SecretContent,
    /// The current CA.
    pub ca: Issued,
    /// Whether the CA was (re)issued by this plan.
    pub ca_rotated: bool,
    /// The CA bundle: the current CA, then the previous one while it lasts.
    pub bundle: String,
    /// One leaf per `webhooks` entry, in config order.
    pub leaves: Vec<Leaf>,
}

impl Desired {
    /// How many leaves this plan (re)issued.
    pub fn renewed(&self) -> usize {
        self.leaves.iter().filter(|l| l.fresh).count()
    }
}

/// Whether a content key of the material secret belongs to this module.
pub fn is_own_key(key: &str) -> bool {
    matches!(key, CA_CRT | CA_KEY | PREVIOUS_CA_CRT)
        || key.starts_with("crt-")
        || key.starts_with("key-")
}

fn crt_key(name: &str) -> String {
    format!("crt-{name}")
}

fn key_key(name: &str) -> String {
    format!("key-{name}")
}

/// The stored CA (with key) and previous CA certificate, from the secret content.
pub fn stored_ca(stored: &SecretContent) -> Option<(Issued, Option<String>)> {
    let cert_pem = stored.get(CA_CRT)?.expose().to_owned();
    let key_pem = stored.get(CA_KEY)?.clone();
    let previous = stored.get(PREVIOUS_CA_CRT).map(|p| p.expose().to_owned());
    Some((Issued { cert_pem, key_pem }, previous))
}

/// The stored leaf of `name`.
pub fn stored_leaf(stored: &SecretContent, name: &str) -> Option<Issued> {
    let cert_pem = stored.get(&crt_key(name))?.expose().to_owned();
    let key_pem = stored.get(&key_key(name))?.clone();
    Some(Issued { cert_pem, key_pem })
}

/// The CA bundle for `ca` and a `previous` CA, which is dropped once expired at `now`.
pub fn bundle(ca: &Issued, previous: Option<&str>, now: OffsetDateTime) -> String {
    let mut out = normalise(&ca.cert_pem);
    if let Some(prev) = previous.filter(|p| certs::inspect(p).is_ok_and(|i| i.not_after > now)) {
        out.push_str(&normalise(prev));
    }
    out
}

fn normalise(pem: &str) -> String {
    format!("{}\n", pem.trim_end())
}

fn lifetime_days(info: &CertInfo) -> i64 {
    (info.not_after - info.not_before).whole_days()
}

/// Whether a stored CA still fits the config and the time.
fn ca_fits(info: &CertInfo, p: &Params<'_>, now: OffsetDateTime) -> bool {
    info.is_ca
        && !info.renewal_due(now)
        && info.subject_cn.as_deref() == Some(p.ca_common_name)
        && info.key_algorithm == Some(p.key_algorithm)
        && lifetime_days(info) == i64::from(p.ca_validity_days)
}

/// Whether a stored leaf still fits its spec, the CA, the config and the time.
fn leaf_fits(
    leaf: &Issued,
    spec: &WebhookSpec,
    ca: &Issued,
    p: &Params<'_>,
    now: OffsetDateTime,
) -> bool {
    let Ok(info) = certs::inspect(&leaf.cert_pem) else { return false };
    !info.renewal_due(now)
        && certs::issued_by(&leaf.cert_pem, &ca.cert_pem)
        && certs::key_matches(&leaf.cert_pem, &leaf.key_pem)
        && info.dns_names == certs::webhook_dns_names(&spec.services, p.namespace)
        && info.key_algorithm == Some(p.key_algorithm)
        && lifetime_days(&info) == i64::from(p.certificate_validity_days)
}

/// Computes the certificates for `specs` from the `stored` secret content.
pub fn desired(
    stored: Option<&SecretContent>,
    specs: &[WebhookSpec],
    p: &Params<'_>,
    now: OffsetDateTime,
    force: Force,
) -> Result<Desired, CertError> {
    let kept_ca = stored.and_then(stored_ca).filter(|(ca, _)| {
        !force.rotate_ca
            && certs::key_matches(&ca.cert_pem, &ca.key_pem)
            && certs::inspect(&ca.cert_pem).is_ok_and(|info| ca_fits(&info, p, now))
    });
    let (ca, previous, ca_rotated) = match kept_ca {
        Some((ca, previous)) => (ca, previous, false),
        None => {
            let new =
                certs::generate_ca(p.ca_common_name, p.ca_validity_days, p.key_algorithm, now)?;
            // The outgoing CA, if any, stays in the bundle while it is valid.
            let outgoing = stored.and_then(stored_ca).map(|(old, _)| old.cert_pem);
            (new, outgoing, true)
        }
    };
    let previous = previous.filter(|prev| certs::inspect(prev).is_ok_and(|i| i.not_after > now));

    let mut content = SecretContent::new();
    content.insert(CA_CRT.into(), SecretString::new(ca.cert_pem.clone()));
    content.insert(CA_KEY.into(), ca.key_pem.clone());
    if let Some(prev) = &previous {
        content.insert(PREVIOUS_CA_CRT.into(), SecretString::new(prev.clone()));
    }
    let mut leaves = Vec::with_capacity(specs.len());
    for spec in specs {
        let kept = stored.and_then(|s| stored_leaf(s, &spec.name)).filter(|leaf| {
            !ca_rotated && !force.renew_leaves && leaf_fits(leaf, spec, &ca, p, now)
        });
        let (issued, fresh) = match kept {
            Some(leaf) => (leaf, false),
            None => (
                certs::issue_webhook_leaf(
                    &ca,
                    &spec.services,
                    p.namespace,
                    p.certificate_validity_days,
                    p.key_algorithm,
                    now,
                )?,
                true,
            ),
        };
        content.insert(crt_key(&spec.name), SecretString::new(issued.cert_pem.clone()));
        content.insert(key_key(&spec.name), issued.key_pem.clone());
        leaves.push(Leaf { spec: spec.clone(), issued, fresh });
    }
    let own: Option<SecretContent> = stored.map(|s| {
        s.iter().filter(|(k, _)| is_own_key(k)).map(|(k, v)| (k.clone(), v.clone())).collect()
    });
    let change = match own {
        None => Change::Create,
        Some(old) if old.is_empty() => Change::Create,
        Some(old) if old == content => Change::Keep,
        Some(_) => Change::Update,
    };
    let bundle = bundle(&ca, previous.as_deref(), now);
    Ok(Desired { change, content, ca, ca_rotated, bundle, leaves })
}
