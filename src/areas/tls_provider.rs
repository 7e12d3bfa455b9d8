//! The `certificates` endpoint: provider side of tls-certificates v4 (`contract.md` §6, §11, §12).
//!
//! istio-pilot (through cert_handler) and other requirers write their CSRs, in their unit or
//! application databag, as `certificate_signing_requests` = JSON `[{certificate_signing_request,
//! ca}]`. The provider answers in its application databag with `certificates` = JSON
//! `[{ca, certificate_signing_request, certificate, chain}]` (`chain` = [leaf, CA], every PEM
//! without its trailing newline) and `request_errors` = JSON `[{csr, error: {code, name,
//! message}}]`, exactly as the Python `tls_certificates` library does (an empty list is left
//! out, as the library does). The published certificates are the record of what was signed:
//! one is kept while it was signed by the current CA, for the same key, with the configured
//! lifetime and more than a third of it left; otherwise it is signed again. A CSR the requirer
//! withdrew disappears from `certificates` on the next hook.
//!
//! Every request stands alone: a request with a bad signature, an unsupported extension,
//! `ca: true`, DNS names outside `allowed-dns-suffixes`, or one that fails to sign is refused
//! with an entry in `request_errors`, and the other requests are served. A requirer databag that
//! does not parse affects that relation only. The signer is the webhook CA as the webhook area
//! planned it; while there is none, or this area's options are bad, the relations stay as they
//! are.

use std::collections::{BTreeMap, BTreeSet};

use juju::{HookToolError, HookTools, RelationId};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{Area, AreaPlan, Input, Observe, Planned, unless_gone};
use crate::certs::{self, Issued, SigningKey, csr};
use crate::databag::Databag;
use crate::material::Material;
use crate::random::Entropy;

/// The endpoint name.
pub const ENDPOINT: &str = "certificates";

const REQUESTS_KEY: &str = "certificate_signing_requests";
const CERTIFICATES_KEY: &str = "certificates";
const ERRORS_KEY: &str = "request_errors";

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

#[derive(Deserialize)]
struct RawRequest {
    certificate_signing_request: String,
    #[serde(default)]
    ca: bool,
}

/// One entry of `certificates`, as the Python library reads and writes it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ProviderCertificate {
    /// The CA certificate.
    pub ca: String,
    /// The CSR it answers, as the requirer wrote it (trimmed).
    pub certificate_signing_request: String,
    /// The certificate.
    pub certificate: String,
    /// `[certificate, ca]`.
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

/// A request that was refused, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The CSR (trimmed).
    pub csr: String,
    /// The library's error code: 102 `DOMAIN_NOT_ALLOWED` or 999 `OTHER`.
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
    /// `certificate-validity-days`
    pub days: u32,
    /// `allowed-dns-suffixes` (empty: any).
    pub suffixes: &'a [String],
    /// The time of this hook.
    pub now: OffsetDateTime,
    /// Sign every request again (`renew-certificates`).
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
        rng: &mut dyn Entropy,
    ) -> Result<String, String> {
        if let Self::Unloaded(ca) = self {
            *self = match certs::load_issuer(ca) {
                Ok(issuer) => Self::Loaded(Box::new(issuer)),
                Err(e) => Self::Broken(format!("the CA cannot sign: {e}")),
            };
        }
        match self {
            Self::Loaded(issuer) => csr::sign_csr(issuer, checked, p.days, p.now, rng)
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
    let published: Vec<ProviderCertificate> = rel
        .local
        .get(CERTIFICATES_KEY)
        .and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or_default();
    let published: BTreeMap<String, ProviderCertificate> =
        published.into_iter().map(|c| (trim(&c.certificate_signing_request), c)).collect();
    let ca_pem = trim(&p.ca.cert_pem);
    let mut served = Vec::new();
    let mut refused = Vec::new();
    let mut signed = 0;
    let mut signer = Signer::Unloaded(p.ca);
    for (pem, wants_ca) in requests {
        let refuse = |code, message: String| Refusal { csr: pem.clone(), code, message };
        if wants_ca {
            refused.push(refuse(999, "CA certificates are not issued (ca: true)".into()));
            continue;
        }
        let checked = match csr::check_csr(&pem) {
            Ok(c) => c,
            Err(why) => {
                refused.push(refuse(999, why));
                continue;
            }
        };
        let outside =
            checked.dns_names.iter().find(|n| !p.suffixes.is_empty() && !allowed(n, p.suffixes));
        if let Some(bad) = outside {
            refused.push(refuse(102, format!("DNS name '{bad}' is outside allowed-dns-suffixes")));
            continue;
        }
        let keep = published.get(&pem).filter(|c| {
            !p.force
                && certs::issued_by(&c.certificate, &p.ca.cert_pem)
                && csr::same_public_key(&c.certificate, &pem)
                && certs::inspect(&c.certificate).is_ok_and(|i| {
                    !i.renewal_due(p.now)
                        && (i.not_after - i.not_before).whole_days() == i64::from(p.days)
                })
        });
        let certificate = match keep {
            Some(c) => trim(&c.certificate),
            None => match signer.sign(checked, p, rng) {
                Ok(cert) => {
                    signed += 1;
                    trim(&cert)
                }
                Err(why) => {
                    refused.push(refuse(999, why));
                    continue;
                }
            },
        };
        served.push(ProviderCertificate {
            ca: ca_pem.clone(),
            certificate_signing_request: pem,
            chain: vec![certificate.clone(), ca_pem.clone()],
            certificate,
        });
    }
    let errors: Vec<RequestError<'_>> = refused
        .iter()
        .map(|r| RequestError {
            csr: &r.csr,
            error: ErrorBody {
                code: r.code,
                name: if r.code == 102 { "DOMAIN_NOT_ALLOWED" } else { "OTHER" },
                message: &r.message,
            },
        })
        .collect();
    let json = |empty: bool, v: String| if empty { String::new() } else { v };
    let desired = BTreeMap::from([
        (
            CERTIFICATES_KEY.to_owned(),
            json(served.is_empty(), serde_json::to_string(&served).unwrap_or_default()),
        ),
        (
            ERRORS_KEY.to_owned(),
            json(errors.is_empty(), serde_json::to_string(&errors).unwrap_or_default()),
        ),
    ]);
    let changed = desired.iter().any(|(k, v)| rel.local.get(k).unwrap_or("") != v);
    Plan {
        id: rel.id.clone(),
        write: changed.then(|| Databag(desired)),
        served,
        signed,
        refused,
        malformed,
    }
}

/// The `certificates` provider area.
#[derive(Debug, Default)]
pub struct TlsProvider {
    relations: Vec<Relation>,
}

impl TlsProvider {
    /// An area that observed these relations (tests).
    pub fn with(relations: Vec<Relation>) -> Self {
        Self { relations }
    }
}

impl Area for TlsProvider {
    fn name(&self) -> &'static str {
        "certificates"
    }

    fn observe(&mut self, juju: &Observe<'_>) -> Result<(), HookToolError> {
        let tools = juju.tools;
        'relations: for id in tools.relation_ids(ENDPOINT)? {
            let Some(remote_app) = unless_gone(tools.relation_list_app(&id))? else { continue };
            let Some(units) = unless_gone(tools.relation_list(&id))? else { continue };
            let members = remote_app
                .iter()
                .map(|a| (a.clone(), true))
                .chain(units.into_iter().map(|u| (u, false)));
            let mut request_bags = Vec::new();
            for (member, is_app) in members {
                let Some(bag) = unless_gone(tools.relation_get(&id, &member, is_app))? else {
                    continue 'relations;
                };
                if let Some(requests) = requests_of(&bag) {
                    request_bags.push((member, requests.clone()));
                }
            }
            let Some(local) = unless_gone(tools.relation_get(&id, juju.app, true))? else {
                continue;
            };
            self.relations.push(Relation { id, remote_app, request_bags, local: Databag(local) });
        }
        Ok(())
    }

    fn plan(&self, input: &Input<'_>, material: &Material, rng: &mut dyn Entropy) -> Planned {
        let mut out = AreaPlan::default();
        let c = input.config;
        let (Some(ca), Ok(days), Ok(suffixes)) =
            (&material.webhooks.ca, &c.certificate_validity_days, &c.allowed_dns_suffixes)
        else {
            // No CA yet, or a bad option: every relation stays as it is.
            return Ok(out);
        };
        let params = Params {
            ca,
            days: *days,
            suffixes,
            now: input.now,
            force: input.intent.renew.is_some(),
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
        let Some(local) = unless_gone(tools.relation_get(&id, app, true))? else { continue };
        let list: Vec<ProviderCertificate> = local
            .get(CERTIFICATES_KEY)
            .and_then(|s| serde_json::from_str(s).ok())
            .unwrap_or_default();
        out.extend(list.into_iter().map(|c| (id.clone(), c.certificate)));
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
    fn good_requests_are_served_and_bad_ones_refused_side_by_side() {
        let now = OffsetDateTime::now_utc();
        let ca = generate_ca("ca", 30, KeyAlgorithm::EcdsaP256, now, &mut OsEntropy).expect("ca");
        let suffixes = parse_suffixes(".kubeflow.svc, example.com").expect("suffixes");
        let p = Params { ca: &ca, days: 10, suffixes: &suffixes, now, force: false };
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
    fn withdrawn_requests_disappear_and_malformed_bags_are_reported() {
        let now = OffsetDateTime::now_utc();
        let ca = generate_ca("ca", 30, KeyAlgorithm::EcdsaP256, now, &mut OsEntropy).expect("ca");
        let p = Params { ca: &ca, days: 10, suffixes: &[], now, force: false };
        let good = csr(&["a.svc"], false);
        let first = plan(&relation(&[(&good, false)], Databag::default()), &p, &mut OsEntropy);
        let mut rel = relation(&[], first.write.expect("write"));
        rel.request_bags.push(("istio-pilot".into(), "{not json".into()));
        let p2 = plan(&rel, &p, &mut OsEntropy);
        assert_eq!(p2.malformed, ["istio-pilot"]);
        let bag = p2.write.expect("withdrawn");
        assert_eq!(bag.get("certificates"), Some(""));
    }

    #[test]
    fn a_request_that_cannot_be_signed_is_refused_and_the_kept_ones_are_served() {
        let now = OffsetDateTime::now_utc();
        let ca = generate_ca("ca", 30, KeyAlgorithm::EcdsaP256, now, &mut OsEntropy).expect("ca");
        let p = Params { ca: &ca, days: 10, suffixes: &[], now, force: false };
        let old = csr(&["old.svc"], false);
        let first = plan(&relation(&[(&old, false)], Databag::default()), &p, &mut OsEntropy);
        // The CA key no longer matches its certificate: no new request can be signed.
        let other =
            generate_ca("ca", 30, KeyAlgorithm::EcdsaP256, now, &mut OsEntropy).expect("ca");
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
