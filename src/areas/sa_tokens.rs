//! Service-account tokens, kept fresh instead of rewritten every hook.
//!
//! kfp-persistence asks for a token of its own ServiceAccount with an expiry of 2^32 seconds and
//! rewrites it on every hook (canonical/kfp-operators `charms/kfp-persistence`). Here each entry of
//! `service-account-tokens` gets a TokenRequest with its audience and expiration, the token goes
//! into the Opaque Secret `<secret>` under `token`, and it is requested again only when the Secret
//! is missing, the entry changed, or less than a third of the lifetime the API server
//! *granted* (from issue to `status.expirationTimestamp`, which may be shorter than asked) is
//! left. The issue and expiry times and the request are recorded as annotations of that Secret,
//! so no other state is needed. Annotations are anyone's to edit: times that do not parse, or
//! whose arithmetic would overflow, mean "renew", never a panic. A missing ServiceAccount leaves
//! that entry waiting; the others are served.

use std::collections::BTreeMap;

use super::{Area, AreaPlan, Input, KubeReads, Planned};
use crate::config::TokenSpec;
use crate::k8s::events::{EventNote, PlannedEvent};
use crate::k8s::{ObjectRef, SecretObject, Write};
use crate::material::Material;
use crate::random::Entropy;

/// Annotation: when the token was issued (Unix seconds, by the charm's clock).
pub const ISSUED_AT: &str = "ckf-crypto.kubeflow.org/token-issued-at";
/// Annotation: `status.expirationTimestamp` (Unix seconds).
pub const EXPIRES_AT: &str = "ckf-crypto.kubeflow.org/token-expires-at";
/// Annotation: what was requested (`<service-account> <audience> <seconds>`).
pub const REQUEST: &str = "ckf-crypto.kubeflow.org/token-request";
/// The data key of the token.
pub const TOKEN_KEY: &str = "token";

fn request_id(spec: &TokenSpec) -> String {
    format!("{} {} {}", spec.service_account, spec.audience, spec.expiration_seconds)
}

/// Whether the token recorded in `observed` can stay at `now` (Unix seconds): the same request,
/// not expired, and at least a third of its granted lifetime left. Returns the token and its
/// times when it can.
fn fresh(spec: &TokenSpec, observed: &SecretObject, now: i64) -> Option<(Vec<u8>, i64, i64)> {
    let token = observed.data.get(TOKEN_KEY).filter(|t| !t.is_empty())?;
    let issued: i64 = observed.annotations.get(ISSUED_AT)?.parse().ok()?;
    let expires: i64 = observed.annotations.get(EXPIRES_AT)?.parse().ok()?;
    if observed.annotations.get(REQUEST) != Some(&request_id(spec)) {
        return None;
    }
    // Renew with less than a third of the granted lifetime left: 3 × left < lifetime.
    let left = expires.checked_sub(now)?;
    let lifetime = expires.checked_sub(issued)?;
    let due = left.checked_mul(3)? < lifetime;
    (left > 0 && lifetime > 0 && !due).then(|| (token.to_vec(), issued, expires))
}

/// The Secret holding a token issued at `issued` (the expiry annotation is added when known).
fn secret(input: &Input<'_>, spec: &TokenSpec, token: &[u8], issued: i64) -> SecretObject {
    let mut s = input.secret(&spec.secret, "Opaque", vec![(TOKEN_KEY, token)]);
    let notes: BTreeMap<String, String> =
        [(ISSUED_AT.to_owned(), issued.to_string()), (REQUEST.to_owned(), request_id(spec))]
            .into_iter()
            .collect();
    s.annotations.extend(notes);
    s
}

/// The service-account tokens area.
#[derive(Debug, Default)]
pub struct SaTokens;

impl Area for SaTokens {
    fn name(&self) -> &'static str {
        "service-account tokens"
    }

    fn kube_reads(&self) -> KubeReads {
        KubeReads { secrets: true, ..KubeReads::default() }
    }

    fn plan(&self, input: &Input<'_>, _material: &Material, _rng: &mut dyn Entropy) -> Planned {
        let mut plan = AreaPlan::default();
        let (Ok(specs), Some(listed)) =
            (&input.config.service_account_tokens, input.kube.secrets())
        else {
            return Ok(plan);
        };
        let now = input.now.unix_timestamp();
        for spec in specs {
            let observed = listed.get(&spec.secret);
            match observed.and_then(|s| fresh(spec, s, now)) {
                Some((token, issued, expires)) => {
                    // The token in place stays; its Secret still follows the config hash.
                    let mut s = secret(input, spec, &token, issued);
                    s.annotations.insert(EXPIRES_AT.to_owned(), expires.to_string());
                    plan.kube.extend(input.secret_write(s, vec![]));
                }
                None => {
                    let mut s = secret(input, spec, b"", now);
                    s.data.clear();
                    let regarding = ObjectRef { kind: "Secret", name: s.name.clone() };
                    plan.events.push(PlannedEvent {
                        after: Some(regarding.clone()),
                        note: EventNote::normal(
                            "TokenRequested",
                            "RequestToken",
                            regarding,
                            format!(
                                "requested a token for ServiceAccount '{}' (audience '{}', \
                                 {} seconds)",
                                spec.service_account, spec.audience, spec.expiration_seconds
                            ),
                        ),
                    });
                    plan.kube.push(Write::Token {
                        service_account: spec.service_account.clone(),
                        audience: spec.audience.clone(),
                        expiration_seconds: spec.expiration_seconds,
                        secret: s,
                        token_key: TOKEN_KEY.to_owned(),
                        expires_annotation: EXPIRES_AT.to_owned(),
                    });
                }
            }
        }
        Ok(plan)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::areas::tests::input_for;
    use crate::k8s::View;
    use serde_json::json;

    fn spec() -> TokenSpec {
        TokenSpec {
            service_account: "kfp-persistence".into(),
            audience: "pipelines.kubeflow.org".into(),
            secret: "kfp-persistence-sa-token".into(),
            expiration_seconds: 3000,
        }
    }

    fn recorded(issued: &str, expires: &str, request: &str) -> SecretObject {
        let mut s = SecretObject::new("s", "Opaque", vec![(TOKEN_KEY, b"tok")], "app", "h");
        s.annotations.insert(ISSUED_AT.into(), issued.into());
        s.annotations.insert(EXPIRES_AT.into(), expires.into());
        s.annotations.insert(REQUEST.into(), request.into());
        s
    }

    fn ok(issued: i64, expires: i64) -> SecretObject {
        recorded(&issued.to_string(), &expires.to_string(), &request_id(&spec()))
    }

    #[test]
    fn renewal_at_a_third_of_the_granted_lifetime() {
        // Issued at 1000, granted 3000 s (until 4000): due once less than 1000 s are left.
        assert!(fresh(&spec(), &ok(1000, 4000), 3000).is_some(), "exactly a third left");
        assert!(fresh(&spec(), &ok(1000, 4000), 3001).is_none());
        // A shortened grant (600 s, until 1600) is what counts.
        assert!(fresh(&spec(), &ok(1000, 1600), 1400).is_some());
        assert!(fresh(&spec(), &ok(1000, 1600), 1401).is_none());
    }

    #[test]
    fn a_changed_entry_requests_again() {
        let mut other = spec();
        other.audience = "other".into();
        assert!(fresh(&other, &ok(1000, 4000), 1500).is_none());
    }

    #[test]
    fn hostile_annotations_mean_renew_not_a_panic() {
        let id = request_id(&spec());
        for (issued, expires) in [
            ("-9223372036854775808", "9223372036854775807"),
            ("9223372036854775807", "-9223372036854775808"),
            ("0", "9223372036854775807"),
            ("x", "4000"),
            ("1000", "1e9"),
            ("4000", "1000"),
            ("1000", "1000"),
        ] {
            let s = recorded(issued, expires, &id);
            assert!(fresh(&spec(), &s, 1500).is_none(), "{issued} {expires}");
        }
        assert!(fresh(&spec(), &ok(1000, 4000), i64::MIN).is_none());
    }

    #[test]
    fn a_kept_token_follows_the_config_hash_and_a_missing_one_is_requested() {
        let mut fixture = input_for(json!({"service-account-tokens":
            "- {service-account: kfp-persistence, audience: pipelines.kubeflow.org, secret: kfp-persistence-sa-token, expiration-seconds: 3000}"}));
        let mut s = ok(fixture.now.unix_timestamp() - 10, fixture.now.unix_timestamp() + 2990);
        s.name = "kfp-persistence-sa-token".into();
        fixture.view = View {
            secrets: Some(Ok([(s.name.clone(), s)].into_iter().collect())),
            ..View::default()
        };
        let m = Material::default();
        let plan =
            SaTokens.plan(&fixture.input(), &m, &mut crate::random::OsEntropy).expect("plan");
        let [Write::Secret { secret, .. }] = plan.kube.as_slice() else {
            panic!("{:?}", plan.kube)
        };
        assert_eq!(secret.annotations["ckf-crypto.kubeflow.org/config-hash"], fixture.config_hash);
        assert_eq!(&secret.data[TOKEN_KEY][..], b"tok");
        fixture.view.secrets = Some(Ok(BTreeMap::new()));
        let plan =
            SaTokens.plan(&fixture.input(), &m, &mut crate::random::OsEntropy).expect("plan");
        assert!(matches!(plan.kube.as_slice(), [Write::Token { .. }]));
    }
}
