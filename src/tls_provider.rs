//! The `certificates` endpoint: provider side of tls-certificates v4 (`contract.md` §6, §11).
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
//! withdrew disappears from `certificates` on the next hook. A request with a bad signature, an
//! unsupported extension, `ca: true`, or DNS names outside `allowed-dns-suffixes` is refused
//! with an entry in `request_errors`; the other requests are served. [`plan`] is pure but for
//! the signing it decides on.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use juju::RelationId;

use crate::certs::{self, CertError, Issued, csr};
use crate::databag::Databag;

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
#[derive(Debug, Clone)]
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

/// Decides what to publish on `rel`.
pub fn plan(rel: &Relation, p: &Params<'_>) -> Result<Plan, CertError> {
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
    let mut issuer = None;
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
            None => {
                signed += 1;
                // The CA key is loaded once per relation, for the first CSR that needs it.
                let issuer = match &mut issuer {
                    Some(loaded) => loaded,
                    empty => empty.insert(certs::load_issuer(p.ca)?),
                };
                trim(&csr::sign_csr(issuer, checked, p.days, p.now)?)
            }
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
    let desired = BTreeMap::from([
        (
            CERTIFICATES_KEY.to_owned(),
            if served.is_empty() {
                String::new()
            } else {
                serde_json::to_string(&served).unwrap_or_default()
            },
        ),
        (
            ERRORS_KEY.to_owned(),
            if errors.is_empty() {
                String::new()
            } else {
                serde_json::to_string(&errors).unwrap_or_default()
            },
        ),
    ]);
    let changed = desired.iter().any(|(k, v)| rel.local.get(k).unwrap_or("") != v);
    Ok(Plan {
        id: rel.id.clone(),
        write: changed.then(|| Databag(desired)),
        served,
        signed,
        refused,
        malformed,
    })
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
        let ca = generate_ca("ca", 30, KeyAlgorithm::EcdsaP256, now).expect("ca");
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
        let plan = plan(&rel, &p).expect("plan");
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
        plan(&rel, p).expect("plan")
    }

    #[test]
    fn withdrawn_requests_disappear_and_malformed_bags_are_reported() {
        let now = OffsetDateTime::now_utc();
        let ca = generate_ca("ca", 30, KeyAlgorithm::EcdsaP256, now).expect("ca");
        let p = Params { ca: &ca, days: 10, suffixes: &[], now, force: false };
        let good = csr(&["a.svc"], false);
        let first = plan(&relation(&[(&good, false)], Databag::default()), &p).expect("plan");
        let mut rel = relation(&[], first.write.expect("write"));
        rel.request_bags.push(("istio-pilot".into(), "{not json".into()));
        let p2 = plan(&rel, &p).expect("plan");
        assert_eq!(p2.malformed, ["istio-pilot"]);
        let bag = p2.write.expect("withdrawn");
        assert_eq!(bag.get("certificates"), Some(""));
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
