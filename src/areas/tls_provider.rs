//! The `certificates` endpoint: provider side of tls-certificates v4.
//!
//! istio-pilot (through cert_handler) and other requirers write their CSRs, in their unit or
//! application databag, as `certificate_signing_requests` = JSON `[{certificate_signing_request,
//! ca}]`. The provider answers in its application databag with `certificates` = JSON
//! `[{ca, certificate_signing_request, certificate, chain}]` and `request_errors` = JSON
//! `[{csr, error: {code, name, message}}]`, exactly as the Python `tls_certificates` library
//! does (every PEM without its trailing newline; an empty list is left out, as the library
//! does).
//!
//! **Its own trust domain.** The relation has its own issuer, never the webhook CA: no
//! certificate issued on a relation is ever trusted by the API server for an admission
//! webhook. By default that is the charm's relation CA (CN `<ca-common-name> certificates`,
//! kept in the material secret as `relation-ca-crt`/`relation-ca-key`, renewed with less than
//! a third of its lifetime left and rotated by `renew-certificates rotate-ca=true`, as the
//! webhook CA is). With `certificates-ca` set, an operator-provided CA signs instead: read with
//! `secret-get` from a user secret granted to the application (`certificate`: the CA, then
//! optionally the chain above it; `private-key`), checked (a CA, keyCertSign, valid now, the key
//! matches, the chain in order) and never copied into the charm's own secret. `chain` is
//! `[leaf, issuing CA, the chain above it...]` and `ca` its last certificate.
//!
//! **Its profile** (`crate::certs::csr`): the charm decides what a certificate may do; only the
//! subject and the DNS and IP SANs come from the request.
//!
//! **No certificate outlives its issuer.** A certificate ends at the latest when the first
//! certificate of its chain does (the issuing CA or any above it): under an operator
//! intermediate that expires in 30 days, a 365-day `certificate-validity-days` gives 30-day
//! certificates, re-issued as usual at a third of their lifetime left, so ever shorter ones as
//! the intermediate nears its end (the operator's cue to give a new one). Once the chain has
//! expired, requests are refused with that reason.
//!
//! The published certificates are the record of what was signed: one is kept while it was signed
//! by the current issuer with the current chain, for the same key, with the configured lifetime
//! (or one cut short at the chain's first expiry) and more than a third of it left; otherwise it
//! is signed again (so the first hook after an upgrade, an issuer rotation, a new
//! `certificates-ca` revision or its removal re-signs them).
//! A CSR the requirer withdrew disappears from `certificates` on the next hook; while one of its
//! databags does not parse, what was published stays as it is.
//!
//! Every request stands alone: one the profile refuses, with DNS names outside
//! `allowed-dns-suffixes`, IP addresses outside `allowed-ip-ranges`, beyond
//! [`MAX_SERVED`] on its relation, or that fails to sign is refused with an entry in
//! `request_errors`, and the other requests are served. A requirer databag that does not parse
//! affects that relation only. While there is no issuer, or this area's options are bad, the
//! relations stay as they are.

use std::collections::{BTreeMap, BTreeSet};

use juju_charm::environment::SecretHook;
use juju_charm::rules::SecretUri;
use juju_charm::tools::{SecretContent, SecretRead, SecretRef};
use juju_charm::{ErrorKind, Event, HookToolError, HookTools, RelationId, Scope, SecretString};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::webhooks::{CaParams, ca_fits};
use super::{Area, AreaPlan, Input, Observe, Planned, unless_gone};
use crate::certs::{self, Issued, SigningKey, csr, keys::load_key};
use crate::config::ip_ranges::IpRange;
use crate::material::{Keys, Material, Part, put_key, take_key};
use crate::random::Entropy;
use juju_charm::databag::Databag;
use juju_charm::status::Status;

/// The endpoint name.
pub const ENDPOINT: &str = "certificates";

/// The most requests served on one relation.
pub const MAX_SERVED: usize = 500;

const REQUESTS_KEY: &str = "certificate_signing_requests";
/// The provider's application databag as this charm writes it: each field one JSON value, as
/// the Python library writes it (the framework's `Databag::dump`).
#[derive(Serialize)]
struct ProviderAppData<'a> {
    certificates: Option<&'a Vec<ProviderCertificate>>,
    request_errors: Option<&'a Vec<RequestError<'a>>>,
}

/// The certificates published in a provider databag (for the check of what is kept, and
/// `list-certificates`); none when the key is absent or does not parse.
#[derive(Deserialize, Default)]
struct Published {
    #[serde(default)]
    certificates: Vec<ProviderCertificate>,
}

impl Published {
    fn of(bag: &Databag) -> Vec<ProviderCertificate> {
        bag.load::<Published>().unwrap_or_default().certificates
    }
}
const RELATION_CA_CRT: &str = "relation-ca-crt";
const RELATION_CA_KEY: &str = "relation-ca-key";
const RELATION_ROOT: &str = "relation-root";
const RELATION_ROOT_PREVIOUS: &str = "relation-root-previous";
/// The content keys of a `certificates-ca` user secret.
pub const OPERATOR_CERTIFICATE: &str = "certificate";
/// See [`OPERATOR_CERTIFICATE`].
pub const OPERATOR_KEY: &str = "private-key";

/// This area's material: the charm's own relation issuer, and the roots of the issuer's chain
/// that `send-ca-cert` publishes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stored {
    /// The relation CA, with its key.
    pub ca: Option<Issued>,
    /// The root of the chain that signs on `certificates` (trimmed PEM) when it is not
    /// [`Self::ca`]: the last certificate of the `certificates-ca` chain. `None` while the
    /// relation CA itself signs, so a deployment that never changed its root stores nothing
    /// more than before.
    pub root: Option<String>,
    /// The root before the last change of [`Self::root`] (a rotation), kept until it expires
    /// or the next change, so clients that trust it keep trusting servers not yet re-signed.
    pub previous_root: Option<String>,
}

impl Stored {
    /// The root of the chain that signs on `certificates`: [`Self::root`], else the relation
    /// CA's certificate (trimmed PEMs); `None` before there is either.
    pub fn current_root(&self) -> Option<String> {
        self.root.clone().or_else(|| self.ca.as_ref().map(|ca| trim(&ca.cert_pem)))
    }

    /// Records `root` as the issuer's root at `now`, `before` being the root of the material
    /// this hook started from ([`Self::current_root`] then): a change moves `before` to
    /// [`Self::previous_root`]; a previous root that has expired, or is the root again, is
    /// forgotten.
    pub fn record_root(&mut self, before: Option<String>, root: &str, now: OffsetDateTime) {
        if let Some(before) = before.filter(|b| b != root) {
            self.previous_root = Some(before);
        }
        let own = self.ca.as_ref().map(|ca| trim(&ca.cert_pem));
        self.root = (own.as_deref() != Some(root)).then(|| root.to_owned());
        let expired = |pem: &String| certs::inspect(pem).is_ok_and(|i| i.not_after <= now);
        if self.previous_root.as_ref().is_some_and(|p| expired(p) || p == root) {
            self.previous_root = None;
        }
    }
}

impl Keys for Stored {
    fn take(content: &mut SecretContent) -> Self {
        let ca = match (take_key(content, RELATION_CA_CRT), take_key(content, RELATION_CA_KEY)) {
            (Some(cert), Some(key_pem)) => {
                Some(Issued { cert_pem: cert.expose().to_owned(), key_pem })
            }
            _ => None,
        };
        let mut pem = |key| take_key(content, key).map(|v| v.expose().to_owned());
        Self { ca, root: pem(RELATION_ROOT), previous_root: pem(RELATION_ROOT_PREVIOUS) }
    }

    fn put(&self, content: &mut SecretContent) {
        let cert = self.ca.as_ref().map(|ca| SecretString::new(ca.cert_pem.as_str()));
        put_key(content, RELATION_CA_CRT, cert.as_ref());
        put_key(content, RELATION_CA_KEY, self.ca.as_ref().map(|ca| &ca.key_pem));
        let pem = |v: &Option<String>| v.as_deref().map(SecretString::new);
        put_key(content, RELATION_ROOT, pem(&self.root).as_ref());
        put_key(content, RELATION_ROOT_PREVIOUS, pem(&self.previous_root).as_ref());
    }
}

/// The common name of the charm's relation CA.
pub fn relation_ca_common_name(ca_common_name: &str) -> String {
    format!("{ca_common_name} certificates")
}

/// One `certificates` relation as observed.
#[derive(Debug, Clone)]
pub struct Relation {
    /// Its id.
    pub id: RelationId,
    /// The requirer application, if known.
    pub remote_app: Option<String>,
    /// Every requirer databag that may hold requests: (owner, content of `certificate_signing_requests`).
    pub request_bags: Vec<(String, String)>,
    /// Our application databag.
    pub local: Databag,
}

/// The `certificates-ca` secret as read this hook.
#[derive(Debug, Clone)]
pub struct OperatorSecret {
    /// Its URI (from the config).
    pub uri: SecretUri,
    /// Its content, or the message of why it could not be read.
    pub content: Result<SecretContent, String>,
    /// This hook is its `secret-changed`: every certificate is signed again.
    pub changed: bool,
}

#[derive(Deserialize)]
struct RawRequest {
    certificate_signing_request: String,
    #[serde(default)]
    ca: bool,
}

/// One entry of `certificates`, as the Python library reads and writes it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ProviderCertificate {
    /// The last certificate of `chain`: the root the requirer should trust.
    pub ca: String,
    /// The CSR it answers, as the requirer wrote it (trimmed).
    pub certificate_signing_request: String,
    /// The certificate.
    pub certificate: String,
    /// `[certificate, issuing CA, the chain above it...]`.
    #[serde(default)]
    pub chain: Vec<String>,
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    code: u32,
    name: &'a str,
    message: &'a str,
}

#[derive(Serialize)]
struct RequestError<'a> {
    csr: &'a str,
    error: ErrorBody<'a>,
}

/// The library's `CertificateRequestErrorCode`s the provider uses.
pub mod code {
    /// `IP_NOT_ALLOWED`
    pub const IP_NOT_ALLOWED: u32 = 101;
    /// `DOMAIN_NOT_ALLOWED`
    pub const DOMAIN_NOT_ALLOWED: u32 = 102;
    /// `OTHER`
    pub const OTHER: u32 = 999;
}

fn code_name(code: u32) -> &'static str {
    match code {
        code::IP_NOT_ALLOWED => "IP_NOT_ALLOWED",
        code::DOMAIN_NOT_ALLOWED => "DOMAIN_NOT_ALLOWED",
        _ => "OTHER",
    }
}

/// A request that was refused, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The CSR (trimmed).
    pub csr: String,
    /// The library's error code ([`code`]).
    pub code: u32,
    /// Why.
    pub message: String,
}

/// What to do on one relation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The relation.
    pub id: RelationId,
    /// Keys to write (empty value deletes), or `None` when the databag is right.
    pub write: Option<Databag>,
    /// The certificates served after this hook.
    pub served: Vec<ProviderCertificate>,
    /// How many were (re)signed by this plan.
    pub signed: usize,
    /// The refused requests.
    pub refused: Vec<Refusal>,
    /// Requirer databags whose requests are not valid JSON (reported, not fatal).
    pub malformed: Vec<String>,
}

/// The provider's settings.
#[derive(Debug, Clone, Copy)]
pub struct Params<'a> {
    /// The CA that signs.
    pub ca: &'a Issued,
    /// Above it, up to a root: the operator's chain (trimmed PEMs), empty for the charm's own.
    pub above: &'a [String],
    /// `certificate-validity-days`
    pub days: u32,
    /// `allowed-dns-suffixes` (empty: any).
    pub suffixes: &'a [String],
    /// `allowed-ip-ranges` (empty: any).
    pub ranges: &'a [IpRange],
    /// The time of this hook.
    pub now: OffsetDateTime,
    /// Sign every request again (`renew-certificates`, a new `certificates-ca` revision).
    pub force: bool,
}

fn trim(pem: &str) -> String {
    pem.trim().to_owned()
}

fn allowed(name: &str, suffixes: &[String]) -> bool {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    suffixes.iter().any(|s| name == *s || name.ends_with(&format!(".{s}")))
}

/// The CA key, loaded at most once per relation (for the first CSR that needs it); a key that
/// does not load refuses every request that needs signing, and only those.
enum Signer<'a> {
    Unloaded(&'a Issued),
    Loaded(Box<rcgen::Issuer<'static, SigningKey>>),
    Broken(String),
}

impl Signer<'_> {
    fn sign(
        &mut self,
        checked: csr::CheckedCsr,
        p: &Params<'_>,
        cap: Option<OffsetDateTime>,
        rng: &mut dyn Entropy,
    ) -> Result<String, String> {
        if let Self::Unloaded(ca) = self {
            *self = match certs::load_issuer(ca) {
                Ok(issuer) => Self::Loaded(Box::new(issuer)),
                Err(e) => Self::Broken(format!("the CA cannot sign: {e}")),
            };
        }
        match self {
            Self::Loaded(issuer) => csr::sign_csr(issuer, checked, p.days, p.now, cap, rng)
                .map_err(|e| format!("signing failed: {e}")),
            Self::Broken(why) => Err(why.clone()),
            Self::Unloaded(_) => Err("the CA is not loaded".into()),
        }
    }
}

/// Decides what to publish on `rel`: every request is served or refused on its own.
pub fn plan(rel: &Relation, p: &Params<'_>, rng: &mut dyn Entropy) -> Plan {
    let mut malformed = Vec::new();
    let mut requests: BTreeMap<String, bool> = BTreeMap::new();
    for (owner, raw) in &rel.request_bags {
        match serde_json::from_str::<Vec<RawRequest>>(raw) {
            Ok(list) => {
                for r in list {
                    let ca = requests.entry(trim(&r.certificate_signing_request)).or_insert(false);
                    *ca |= r.ca;
                }
            }
            Err(_) => malformed.push(owner.clone()),
        }
    }
    let published: BTreeMap<String, ProviderCertificate> = Published::of(&rel.local)
        .into_iter()
        .map(|c| (trim(&c.certificate_signing_request), c))
        .collect();
    // The issuer's chain as published: the issuing CA, then the operator's chain above it.
    let issuer_chain: Vec<String> =
        std::iter::once(trim(&p.ca.cert_pem)).chain(p.above.iter().cloned()).collect();
    let root = issuer_chain.last().cloned().unwrap_or_default();
    // Parsed once for every certificate kept.
    let ca_info = certs::inspect(&p.ca.cert_pem).ok();
    // No certificate outlives any certificate of its chain: each ends at the latest at the
    // earliest expiry among the issuer and the chain above it.
    let cap = issuer_chain.iter().filter_map(|c| certs::inspect(c).ok()).map(|i| i.not_after).min();
    let mut served = Vec::new();
    let mut refused = Vec::new();
    let mut signed = 0;
    let mut signer = Signer::Unloaded(p.ca);
    // Requests served before come first, so that a new one never takes an old one's place under
    // the limit.
    let mut ordered: Vec<(String, bool)> = requests.into_iter().collect();
    ordered.sort_by_key(|(pem, _)| !published.contains_key(pem));
    for (pem, wants_ca) in ordered {
        let refuse = |code, message: String| Refusal { csr: pem.clone(), code, message };
        if wants_ca {
            refused.push(refuse(code::OTHER, "CA certificates are not issued (ca: true)".into()));
            continue;
        }
        if served.len() >= MAX_SERVED {
            let why = format!("the relation already has {MAX_SERVED} served requests");
            refused.push(refuse(code::OTHER, why));
            continue;
        }
        let checked = match csr::check_csr(&pem) {
            Ok(c) => c,
            Err(why) => {
                refused.push(refuse(code::OTHER, why));
                continue;
            }
        };
        let outside =
            checked.dns_names.iter().find(|n| !p.suffixes.is_empty() && !allowed(n, p.suffixes));
        if let Some(bad) = outside {
            let why = format!("DNS name '{bad}' is outside allowed-dns-suffixes");
            refused.push(refuse(code::DOMAIN_NOT_ALLOWED, why));
            continue;
        }
        let outside = checked
            .ip_addresses
            .iter()
            .find(|ip| !p.ranges.is_empty() && !p.ranges.iter().any(|r| r.contains(**ip)));
        if let Some(bad) = outside {
            let why = format!("IP address '{bad}' is outside allowed-ip-ranges");
            refused.push(refuse(code::IP_NOT_ALLOWED, why));
            continue;
        }
        let keep = published.get(&pem).filter(|c| {
            !p.force
                && c.chain.get(1..).is_some_and(|above| {
                    above.iter().map(|c| trim(c)).eq(issuer_chain.iter().cloned())
                })
                && trim(&c.ca) == root
                && certs::inspect(&c.certificate).is_ok_and(|i| {
                    !i.renewal_due(p.now)
                        && cap.is_none_or(|cap| i.not_after <= cap)
                        && ((i.not_after - i.not_before).whole_days() == i64::from(p.days)
                            || Some(i.not_after) == cap)
                        && ca_info.as_ref().is_some_and(|ca| {
                            certs::issued_by_inspected((&i, &c.certificate), (ca, &p.ca.cert_pem))
                        })
                        && csr::requests_key_of(&i, &pem)
                })
        });
        let certificate = match keep {
            Some(c) => trim(&c.certificate),
            None => match signer.sign(checked, p, cap, rng) {
                Ok(cert) => {
                    signed += 1;
                    trim(&cert)
                }
                Err(why) => {
                    refused.push(refuse(code::OTHER, why));
                    continue;
                }
            },
        };
        served.push(ProviderCertificate {
            ca: root.clone(),
            certificate_signing_request: pem,
            chain: std::iter::once(certificate.clone())
                .chain(issuer_chain.iter().cloned())
                .collect(),
            certificate,
        });
    }
    // A requirer databag that does not parse may hold the requests of what was published
    // before: that stays as it is until the databag parses again (bad input destroys nothing
    // already in place); a request withdrawn from a databag that parses goes.
    if !malformed.is_empty() {
        let answered: BTreeSet<String> = served
            .iter()
            .map(|c| trim(&c.certificate_signing_request))
            .chain(refused.iter().map(|r| r.csr.clone()))
            .collect();
        for (pem, cert) in &published {
            if !answered.contains(pem) && served.len() < MAX_SERVED {
                served.push(cert.clone());
            }
        }
    }
    let errors: Vec<RequestError<'_>> = refused
        .iter()
        .map(|r| RequestError {
            csr: &r.csr,
            error: ErrorBody { code: r.code, name: code_name(r.code), message: &r.message },
        })
        .collect();
    // An empty list is no key at all: `None` is written as "", which deletes it.
    let data = ProviderAppData {
        certificates: (!served.is_empty()).then_some(&served),
        request_errors: (!errors.is_empty()).then_some(&errors),
    };
    let desired = Databag::dump(&data).unwrap_or_default();
    let changed = desired.iter().any(|(k, v)| rel.local.get(k).unwrap_or("") != v);
    Plan {
        id: rel.id.clone(),
        write: changed.then_some(desired),
        served,
        signed,
        refused,
        malformed,
    }
}

/// The operator's issuing CA from the content of the `certificates-ca` secret, checked at
/// `now`: the CA and its key, and the chain above it (trimmed PEMs). The error is the reason
/// for `Invalid 'certificates-ca' config: <why>`; it never quotes the content.
pub fn operator_issuer(
    content: &SecretContent,
    now: OffsetDateTime,
) -> Result<(Issued, Vec<String>), String> {
    let (Some(cert), Some(key)) = (content.get(OPERATOR_CERTIFICATE), content.get(OPERATOR_KEY))
    else {
        return Err(format!(
            "the secret must hold the keys '{OPERATOR_CERTIFICATE}' and '{OPERATOR_KEY}'"
        ));
    };
    let mut chain = certs::split_pem_bundle(cert.expose()).into_iter().map(|c| trim(&c));
    let Some(first) = chain.next() else {
        return Err(format!("'{OPERATOR_CERTIFICATE}' holds no PEM certificate"));
    };
    let above: Vec<String> = chain.collect();
    let info =
        certs::inspect(&first).map_err(|e| format!("the certificate does not parse: {e}"))?;
    let subject = info.subject_cn.clone().unwrap_or_default();
    if !info.is_ca {
        return Err(format!("'{subject}' is not a CA (basic constraints CA:TRUE)"));
    }
    if !info.key_cert_sign {
        return Err(format!("'{subject}' has no key usage keyCertSign"));
    }
    if info.not_after <= now {
        return Err(format!("'{subject}' expired at {}", info.not_after_rfc3339()));
    }
    if info.not_before > now {
        return Err(format!("'{subject}' is not valid yet"));
    }
    if load_key(key).is_err() {
        return Err(format!(
            "'{OPERATOR_KEY}' is not an RSA or ECDSA P-256 private key in PEM (PKCS#8, PKCS#1 \
             or SEC1)"
        ));
    }
    if !certs::key_matches(&first, key) {
        return Err(format!("'{OPERATOR_KEY}' does not belong to '{subject}'"));
    }
    let mut below = first.as_str();
    for (i, next) in above.iter().enumerate() {
        if !certs::issued_by(below, next) {
            return Err(format!(
                "the chain is not in order: certificate {} is not issued by certificate {}",
                i + 1,
                i + 2
            ));
        }
        below = next;
    }
    Ok((Issued { cert_pem: first.clone(), key_pem: key.clone() }, above))
}

/// The status message when `certificates-ca` cannot be read.
pub fn unreadable_message(uri: &SecretUri, app: &str) -> String {
    format!("cannot read secret {uri}; grant it with 'juju grant-secret {uri} {app}'")
}

/// Whether this hook is the `secret-changed` of the secret `uri`.
pub fn is_changed_hook(event: &Event, uri: &SecretUri) -> bool {
    matches!(event, Event::Secret { hook: SecretHook::Changed, id, .. } if id.same_secret(uri))
}

/// Reads the `certificates-ca` secret (`read`: the tracked revision, or the latest on its
/// `secret-changed`). A secret that is not there or not granted is a config problem; any other
/// failure is the hook's.
pub fn read_operator_secret(
    tools: &HookTools<'_>,
    uri: &SecretUri,
    app: &str,
    read: SecretRead,
) -> Result<Result<SecretContent, String>, HookToolError> {
    match tools.secret_get(SecretRef::Uri(uri), read) {
        Ok(content) => Ok(Ok(content)),
        Err(e) if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::PermissionDenied) => {
            Ok(Err(unreadable_message(uri, app)))
        }
        Err(e) => Err(e),
    }
}

/// The `certificates` provider area.
#[derive(Debug, Default)]
pub struct TlsProvider {
    relations: Vec<Relation>,
    operator: Option<OperatorSecret>,
}

impl TlsProvider {
    /// An area that observed these relations (tests).
    pub fn with(relations: Vec<Relation>) -> Self {
        Self { relations, operator: None }
    }

    /// The same, with the `certificates-ca` secret as read (tests).
    pub fn with_operator(relations: Vec<Relation>, operator: OperatorSecret) -> Self {
        Self { relations, operator: Some(operator) }
    }
}

impl Area for TlsProvider {
    fn name(&self) -> &'static str {
        "certificates"
    }

    fn observe(&mut self, juju: &Observe<'_>) -> Result<(), HookToolError> {
        let tools = juju.tools;
        'relations: for id in super::live_relation_ids(tools, juju.event, ENDPOINT)? {
            let Some(remote_app) = unless_gone(tools.relation_list_app(&id))? else { continue };
            let Some(units) = unless_gone(tools.relation_list(&id))? else { continue };
            let members = remote_app
                .iter()
                .map(|a| (a.clone(), true))
                .chain(units.into_iter().map(|u| (u, false)));
            let mut request_bags = Vec::new();
            for (member, is_app) in members {
                let scope = if is_app { Scope::App } else { Scope::Unit };
                let Some(bag) = unless_gone(tools.relation_get(&id, scope, &member))? else {
                    continue 'relations;
                };
                if let Some(requests) = requests_of(bag.as_map()) {
                    request_bags.push((member, requests.clone()));
                }
            }
            let Some(local) = unless_gone(tools.relation_get(&id, Scope::App, juju.app))? else {
                continue;
            };
            self.relations.push(Relation { id, remote_app, request_bags, local });
        }
        if let Ok(Some(uri)) = &juju.config.certificates_ca {
            // On its `secret-changed`, the new revision; otherwise the one this unit tracks.
            let changed = is_changed_hook(juju.event, uri);
            let read = if changed { SecretRead::Refresh } else { SecretRead::Tracked };
            let content = read_operator_secret(tools, uri, juju.app, read)?;
            self.operator = Some(OperatorSecret { uri: uri.clone(), content, changed });
        }
        Ok(())
    }

    fn plan(&self, input: &Input<'_>, material: &Material, rng: &mut dyn Entropy) -> Planned {
        let mut out = AreaPlan::default();
        let c = input.config;
        let now = input.now;
        // The charm's own relation issuer, kept ready even while an operator's CA signs.
        let mut own = material.certificates.clone();
        let root_before = own.current_root();
        if let (Ok(cn), Ok(days), Ok(alg)) =
            (&c.ca_common_name, &c.ca_validity_days, &c.key_algorithm)
        {
            let common_name = relation_ca_common_name(cn);
            let p = CaParams { common_name: &common_name, days: *days, alg: *alg };
            let rotate = input.intent.renew.is_some_and(|r| r.rotate_ca);
            if rotate || !own.ca.as_ref().is_some_and(|ca| ca_fits(ca, &p, now)) {
                own.ca = Some(certs::generate_ca(&common_name, *days, *alg, now, rng)?);
                out.info(format!("issued a new relation CA '{common_name}'"));
            }
        }
        let operator = match (&c.certificates_ca, &self.operator) {
            (Ok(Some(_)), Some(secret)) => {
                match secret
                    .content
                    .as_ref()
                    .map_err(Clone::clone)
                    .and_then(|content| operator_issuer(content, now))
                {
                    Ok(issuer) => Some((issuer, secret.changed)),
                    Err(why) => {
                        out.status.add(Status::blocked(format!(
                            "Invalid 'certificates-ca' config: {why}"
                        )));
                        out.material = Some(Part::Certificates(own));
                        return Ok(out);
                    }
                }
            }
            // Configured but not read (this area did not observe): the relations stay as they
            // are rather than be signed by another issuer.
            (Ok(Some(_)), None) => {
                out.material = Some(Part::Certificates(own));
                return Ok(out);
            }
            _ => None,
        };
        // The root `send-ca-cert` publishes, recorded whatever the other options say.
        let root = match &operator {
            Some(((issuer, above), _)) => {
                Some(above.last().cloned().unwrap_or_else(|| trim(&issuer.cert_pem)))
            }
            None => own.ca.as_ref().map(|ca| trim(&ca.cert_pem)),
        };
        if let Some(root) = root {
            own.record_root(root_before, &root, now);
        }
        let (issuer, above, changed) = match &operator {
            Some(((issuer, above), changed)) => (issuer, above.as_slice(), *changed),
            None => match &own.ca {
                Some(ca) => (ca, &[][..], false),
                None => {
                    out.material = Some(Part::Certificates(own));
                    return Ok(out);
                }
            },
        };
        let (Ok(days), Ok(suffixes), Ok(ranges), Ok(_)) = (
            &c.certificate_validity_days,
            &c.allowed_dns_suffixes,
            &c.allowed_ip_ranges,
            &c.certificates_ca,
        ) else {
            // A bad option: every relation stays as it is.
            out.material = Some(Part::Certificates(own.clone()));
            return Ok(out);
        };
        let params = Params {
            ca: issuer,
            above,
            days: *days,
            suffixes,
            ranges,
            now,
            force: input.intent.renew.is_some() || changed,
        };
        let mut issued = 0;
        for rel in &self.relations {
            let p = plan(rel, &params, rng);
            for r in &p.refused {
                out.warn(format!(
                    "refused a certificate request on relation {}: {}",
                    p.id, r.message
                ));
            }
            for owner in &p.malformed {
                out.warn(format!(
                    "the certificate requests of {owner} on relation {} are not valid JSON",
                    p.id
                ));
            }
            if p.signed > 0 {
                out.info(format!("signed {} certificate(s) on relation {}", p.signed, p.id));
            }
            out.issued += p.signed;
            issued += p.served.len();
            if let Some(bag) = p.write {
                out.relations.push((p.id, bag));
            }
        }
        if issued > 0 {
            out.status.note(format!("certificates: {issued} issued"));
        }
        out.material = Some(Part::Certificates(own.clone()));
        Ok(out)
    }
}

/// The certificates published on every `certificates` relation (for `list-certificates`):
/// `(relation, certificate PEM)`. Only the leader can read its application databag.
pub fn published(
    tools: &HookTools<'_>,
    app: &str,
) -> Result<Vec<(RelationId, String)>, HookToolError> {
    let mut out = Vec::new();
    for id in tools.relation_ids(ENDPOINT)? {
        let Some(local) = unless_gone(tools.relation_get(&id, Scope::App, app))? else { continue };
        out.extend(Published::of(&local).into_iter().map(|c| (id.clone(), c.certificate)));
    }
    Ok(out)
}

/// Parses `allowed-dns-suffixes`: comma-separated, case-insensitive, a leading dot optional.
pub fn parse_suffixes(value: &str) -> Result<Vec<String>, String> {
    let mut out = BTreeSet::new();
    for s in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let s = s.trim_start_matches('.').trim_end_matches('.').to_ascii_lowercase();
        crate::config::webhooks::check_dns_subdomain(&s).map_err(|why| format!("'{s}' {why}"))?;
        out.insert(s);
    }
    Ok(out.into_iter().collect())
}

/// The requests key of a requirer databag, if present.
pub fn requests_of(bag: &BTreeMap<String, String>) -> Option<&String> {
    bag.get(REQUESTS_KEY).filter(|v| !v.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::certs::{KeyAlgorithm, generate_ca};
    use crate::random::OsEntropy;
    use time::Duration;

    fn csr(names: &[&str], extra: bool) -> String {
        let key = rcgen::KeyPair::generate().expect("key");
        let mut params = rcgen::CertificateParams::new(
            names.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>(),
        )
        .expect("params");
        if extra {
            params
                .custom_extensions
                .push(rcgen::CustomExtension::from_oid_content(&[1, 2, 3, 4], vec![5, 0]));
        }
        params.serialize_request(&key).expect("csr").pem().expect("pem")
    }

    /// An ECDSA CA valid for 30 days from `now`.
    fn test_ca(now: OffsetDateTime) -> Issued {
        generate_ca("ca", 30, KeyAlgorithm::EcdsaP256, now, &mut OsEntropy).expect("ca")
    }

    /// `ca` signs 10-day certificates at `now`, with no suffix or range limit, not forced.
    fn params(ca: &Issued, now: OffsetDateTime) -> Params<'_> {
        Params { ca, above: &[], days: 10, suffixes: &[], ranges: &[], now, force: false }
    }

    fn relation(requests: &[(&str, bool)], local: Databag) -> Relation {
        let list: Vec<_> = requests
            .iter()
            .map(|(pem, ca)| serde_json::json!({"certificate_signing_request": pem.trim(), "ca": ca}))
            .collect();
        Relation {
            id: RelationId { endpoint: ENDPOINT.into(), number: 7 },
            remote_app: Some("istio-pilot".into()),
            request_bags: vec![(
                "istio-pilot/0".into(),
                serde_json::to_string(&list).expect("json"),
            )],
            local,
        }
    }

    #[test]
    fn no_certificate_outlives_its_chain_and_one_cut_short_is_kept_until_due() {
        let now = OffsetDateTime::now_utc();
        let ca = test_ca(now);
        let ca_end = certs::inspect(&ca.cert_pem).expect("ca").not_after;
        // 365 days asked under a CA that ends in 30: the certificate ends with the CA.
        let p = Params { days: 365, ..params(&ca, now) };
        let rel = relation(&[(&csr(&["gw.example.com"], false), false)], Databag::default());
        let first = plan(&rel, &p, &mut OsEntropy);
        let cert = &first.served[0].certificate;
        assert_eq!(certs::inspect(cert).expect("cert").not_after, ca_end);
        // The next hook keeps it: cut short at the chain's end is the right lifetime.
        let rel = Relation { local: first.write.clone().expect("written"), ..rel };
        let again = plan(&rel, &Params { now: now + Duration::days(5), ..p }, &mut OsEntropy);
        assert_eq!((again.signed, again.write), (0, None));
        // With a third of it left, it is signed again, still ending with the CA.
        let later = Params { now: now + Duration::days(21), ..p };
        let renewed = plan(&rel, &later, &mut OsEntropy);
        assert_eq!(renewed.signed, 1);
        let info = certs::inspect(&renewed.served[0].certificate).expect("cert");
        assert_eq!(info.not_after, ca_end);
        // Once the chain has expired, nothing is signed.
        let dead = Params { now: ca_end + Duration::seconds(1), force: true, ..p };
        let refused = plan(&rel, &dead, &mut OsEntropy);
        assert!(refused.served.is_empty());
        assert!(refused.refused[0].message.contains("chain has expired"), "{:?}", refused.refused);
    }

    #[test]
    fn good_requests_are_served_and_bad_ones_refused_side_by_side() {
        let now = OffsetDateTime::now_utc();
        let ca = test_ca(now);
        let suffixes = parse_suffixes(".kubeflow.svc, example.com").expect("suffixes");
        let p = Params { suffixes: &suffixes, ..params(&ca, now) };
        let good = csr(&["gw.kubeflow.svc"], false);
        let outside = csr(&["gw.elsewhere.org"], false);
        let extension = csr(&["x.example.com"], true);
        let wants_ca = csr(&["y.example.com"], false);
        let forged = good.replace("MII", "MIJ");
        let rel = relation(
            &[
                (&good, false),
                (&outside, false),
                (&extension, false),
                (&wants_ca, true),
                (&forged, false),
            ],
            Databag::default(),
        );
        let plan = plan(&rel, &p, &mut OsEntropy);
        assert_eq!(plan.served.len(), 1);
        assert_eq!(plan.signed, 1);
        assert_eq!(plan.refused.len(), 4, "{:?}", plan.refused);
        assert!(
            plan.refused.iter().any(|r| r.code == 102 && r.message.contains("gw.elsewhere.org"))
        );
        let bag = plan.write.expect("write");
        let served: Vec<ProviderCertificate> =
            serde_json::from_str(bag.get("certificates").expect("certs")).expect("json");
        assert_eq!(served[0].chain, [served[0].certificate.clone(), served[0].ca.clone()]);
        assert!(!served[0].certificate.ends_with('\n'));
        let errors: Vec<serde_json::Value> =
            serde_json::from_str(bag.get("request_errors").expect("errors")).expect("json");
        assert_eq!(errors.len(), 4);
        assert!(errors.iter().all(|e| e["csr"].is_string() && e["error"]["code"].is_u64()));

        // The same hook again: nothing to sign, nothing to write.
        let again = plan_again(&rel, bag, &p);
        assert_eq!((again.signed, again.write.is_none()), (0, true));
    }

    fn plan_again(rel: &Relation, local: Databag, p: &Params<'_>) -> Plan {
        let mut rel = rel.clone();
        rel.local = local;
        plan(&rel, p, &mut OsEntropy)
    }

    #[test]
    fn withdrawn_requests_disappear_and_malformed_bags_are_reported_and_keep_what_is_published() {
        let now = OffsetDateTime::now_utc();
        let ca = test_ca(now);
        let p = params(&ca, now);
        let good = csr(&["a.svc"], false);
        let first = plan(&relation(&[(&good, false)], Databag::default()), &p, &mut OsEntropy);
        let published = first.write.expect("write");
        // The requirer's databag no longer parses: what was published stays as it is.
        let mut rel = relation(&[], published.clone());
        rel.request_bags = vec![("istio-pilot".into(), "{not json".into())];
        let p2 = plan(&rel, &p, &mut OsEntropy);
        assert_eq!(p2.malformed, ["istio-pilot"]);
        assert_eq!((p2.write, p2.served.len(), p2.signed), (None, 1, 0));
        // It parses again without the request: withdrawn.
        let rel = relation(&[], published);
        let p3 = plan(&rel, &p, &mut OsEntropy);
        let bag = p3.write.expect("withdrawn");
        assert_eq!(bag.get("certificates"), Some(""));
    }

    #[test]
    fn a_request_that_cannot_be_signed_is_refused_and_the_kept_ones_are_served() {
        let now = OffsetDateTime::now_utc();
        let ca = test_ca(now);
        let p = params(&ca, now);
        let old = csr(&["old.svc"], false);
        let first = plan(&relation(&[(&old, false)], Databag::default()), &p, &mut OsEntropy);
        // The CA key no longer matches its certificate: no new request can be signed.
        let other = test_ca(now);
        let broken = Issued { cert_pem: ca.cert_pem.clone(), key_pem: other.key_pem };
        let p = Params { ca: &broken, ..p };
        let new = csr(&["new.svc"], false);
        let second = plan(
            &relation(&[(&old, false), (&new, false)], first.write.expect("w")),
            &p,
            &mut OsEntropy,
        );
        assert_eq!(second.served.len(), 1, "the certificate already issued is still served");
        assert_eq!(second.refused.len(), 1);
        assert!(second.refused[0].message.contains("cannot sign"), "{:?}", second.refused);
        assert_eq!(second.refused[0].csr, new.trim());
    }

    #[test]
    fn at_most_500_requests_are_served_per_relation_and_old_ones_keep_their_place() {
        let now = OffsetDateTime::now_utc();
        let ca = test_ca(now);
        let p = params(&ca, now);
        let csrs: Vec<String> =
            (0..=MAX_SERVED).map(|i| csr(&[&format!("h{i}.svc")], false)).collect();
        let all: Vec<(&str, bool)> = csrs.iter().map(|c| (c.as_str(), false)).collect();
        let first = plan(&relation(&all[..MAX_SERVED], Databag::default()), &p, &mut OsEntropy);
        assert_eq!(first.served.len(), MAX_SERVED);
        // One more: refused, whichever way the CSRs sort, and the 500 stay.
        let second = plan(&relation(&all, first.write.expect("written")), &p, &mut OsEntropy);
        assert_eq!((second.served.len(), second.signed), (MAX_SERVED, 0));
        assert_eq!(second.refused.len(), 1);
        assert_eq!(second.refused[0].csr, csrs[MAX_SERVED].trim());
        assert_eq!(second.refused[0].message, "the relation already has 500 served requests");
        let bag = second.write.expect("request_errors written");
        let errors: Vec<serde_json::Value> =
            serde_json::from_str(bag.get("request_errors").expect("errors")).expect("json");
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0]["csr"], serde_json::json!(csrs[MAX_SERVED].trim()));
        assert_eq!(
            errors[0]["error"]["message"],
            serde_json::json!("the relation already has 500 served requests")
        );
    }

    #[test]
    fn ip_addresses_outside_the_ranges_are_refused() {
        let now = OffsetDateTime::now_utc();
        let ca = test_ca(now);
        let ranges = crate::config::ip_ranges::parse("10.0.0.0/8").expect("ranges");
        let p = Params { ranges: &ranges, ..params(&ca, now) };
        let inside = csr(&["10.1.1.1", "a.svc"], false);
        let outside = csr(&["a.svc", "192.168.0.1"], false);
        let plan = plan(
            &relation(&[(&inside, false), (&outside, false)], Databag::default()),
            &p,
            &mut OsEntropy,
        );
        assert_eq!(plan.served.len(), 1);
        assert_eq!(plan.served[0].certificate_signing_request, inside.trim());
        assert_eq!(plan.refused[0].code, code::IP_NOT_ALLOWED);
        assert_eq!(
            plan.refused[0].message,
            "IP address '192.168.0.1' is outside allowed-ip-ranges"
        );
        let bag = plan.write.expect("write");
        assert!(bag.get("request_errors").expect("errors").contains("\"IP_NOT_ALLOWED\""));
    }

    #[test]
    fn certificates_of_another_issuer_are_signed_again_by_the_relation_issuer() {
        // What a revision that signed with the webhook CA left in the databag.
        let now = OffsetDateTime::now_utc();
        let webhook_ca =
            generate_ca("ckf-crypto", 30, KeyAlgorithm::EcdsaP256, now, &mut OsEntropy)
                .expect("ca");
        let relation_ca = generate_ca(
            "ckf-crypto certificates",
            30,
            KeyAlgorithm::EcdsaP256,
            now,
            &mut OsEntropy,
        )
        .expect("ca");
        let request = csr(&["gw.kubeflow.svc"], false);
        let old = plan(
            &relation(&[(&request, false)], Databag::default()),
            &params(&webhook_ca, now),
            &mut OsEntropy,
        );
        let rel = relation(&[(&request, false)], old.write.expect("written"));
        let new = plan(&rel, &params(&relation_ca, now), &mut OsEntropy);
        assert_eq!(new.signed, 1);
        assert!(certs::issued_by(&new.served[0].certificate, &relation_ca.cert_pem));
        assert_eq!(new.served[0].ca, relation_ca.cert_pem.trim());
        // And kept from then on.
        let again = plan(
            &relation(&[(&request, false)], new.write.expect("written")),
            &params(&relation_ca, now),
            &mut OsEntropy,
        );
        assert_eq!((again.signed, again.write), (0, None));
    }

    #[test]
    fn suffixes() {
        assert_eq!(
            parse_suffixes(" .Kubeflow.svc,example.com., ").expect("ok"),
            ["example.com", "kubeflow.svc"]
        );
        assert!(parse_suffixes("bad_suffix").is_err());
        let s = vec!["kubeflow.svc".to_owned()];
        assert!(
            allowed("kubeflow.svc", &s)
                && allowed("a.kubeflow.svc", &s)
                && allowed("A.KUBEFLOW.SVC.", &s)
        );
        assert!(!allowed("akubeflow.svc", &s) && !allowed("kubeflow.svc.evil", &s));
    }
}
