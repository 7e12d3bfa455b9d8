//! Service-account tokens (`contract.md` §4.4), kept fresh instead of rewritten every hook.
//!
//! kfp-persistence asks for a token of its own ServiceAccount with an expiry of 2^32 seconds
//! and rewrites it on every hook (`ckf-reference.md` §5, §13 flaw 7). Here each entry of
//! `service-account-tokens` gets a TokenRequest with its audience and expiration, the token goes
//! into the Opaque Secret `<secret>` under `token`, and it is requested again only when the
//! Secret is missing, the entry changed, or less than a third of the lifetime the API server
//! *granted* (from issue to `status.expirationTimestamp`, which may be shorter than asked) is
//! left. The issue and expiry times and the request are recorded as annotations of that Secret,
//! so no other state is needed. [`plan`] is pure.

use std::collections::BTreeMap;

use crate::config::TokenSpec;
use crate::delivery;
use crate::k8s::SecretObject;

/// Annotation: when the token was issued (Unix seconds, by the charm's clock).
pub const ISSUED_AT: &str = "ckf-crypto.kubeflow.org/token-issued-at";
/// Annotation: `status.expirationTimestamp` (Unix seconds).
pub const EXPIRES_AT: &str = "ckf-crypto.kubeflow.org/token-expires-at";
/// Annotation: what was requested (`<service-account> <audience> <seconds>`).
pub const REQUEST: &str = "ckf-crypto.kubeflow.org/token-request";

/// What to do for one entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenPlan {
    /// The token in place is fresh: keep it (the Secret is still compared, for the config hash).
    Keep(SecretObject),
    /// Request a new token.
    Request(TokenSpec),
}

fn request_id(spec: &TokenSpec) -> String {
    format!("{} {} {}", spec.service_account, spec.audience, spec.expiration_seconds)
}

/// Decides whether the token in `observed` (the Secret `spec.secret`, if listed) can stay.
pub fn plan(
    spec: &TokenSpec,
    observed: Option<&SecretObject>,
    now_unix: i64,
    app: &str,
    config_hash: &str,
) -> TokenPlan {
    let fresh = observed.and_then(|s| {
        let token = s.data.get("token").filter(|t| !t.is_empty())?;
        let issued: i64 = s.annotations.get(ISSUED_AT)?.parse().ok()?;
        let expires: i64 = s.annotations.get(EXPIRES_AT)?.parse().ok()?;
        let same_request = s.annotations.get(REQUEST) == Some(&request_id(spec));
        // Renew with less than a third of the granted lifetime left: 3 × left < lifetime.
        let due = 3 * (expires - now_unix) < expires - issued;
        (same_request && !due && expires > now_unix).then(|| (token.clone(), issued, expires))
    });
    match fresh {
        Some((token, issued, expires)) => {
            TokenPlan::Keep(secret(spec, &token, issued, expires, app, config_hash))
        }
        None => TokenPlan::Request(spec.clone()),
    }
}

/// The Secret holding a token.
pub fn secret(
    spec: &TokenSpec,
    token: &[u8],
    issued: i64,
    expires: i64,
    app: &str,
    config_hash: &str,
) -> SecretObject {
    let mut s = delivery::secret(&spec.secret, "Opaque", vec![("token", token)], app, config_hash);
    let notes: BTreeMap<String, String> = [
        (ISSUED_AT.to_owned(), issued.to_string()),
        (EXPIRES_AT.to_owned(), expires.to_string()),
        (REQUEST.to_owned(), request_id(spec)),
    ]
    .into_iter()
    .collect();
    s.annotations.extend(notes);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> TokenSpec {
        TokenSpec {
            service_account: "kfp-persistence".into(),
            audience: "pipelines.kubeflow.org".into(),
            secret: "kfp-persistence-sa-token".into(),
            expiration_seconds: 3000,
        }
    }

    #[test]
    fn missing_secret_requests() {
        assert_eq!(plan(&spec(), None, 1000, "app", "h"), TokenPlan::Request(spec()));
    }

    #[test]
    fn renewal_at_a_third_of_the_granted_lifetime() {
        // Issued at 1000, granted 3000 s (until 4000): due once less than 1000 s are left.
        let s = secret(&spec(), b"tok", 1000, 4000, "app", "h");
        assert!(
            matches!(plan(&spec(), Some(&s), 3000, "app", "h"), TokenPlan::Keep(_)),
            "exactly a third left"
        );
        assert_eq!(plan(&spec(), Some(&s), 3001, "app", "h"), TokenPlan::Request(spec()));
        // A shortened grant (600 s, until 1600) is what counts.
        let short = secret(&spec(), b"tok", 1000, 1600, "app", "h");
        assert!(matches!(plan(&spec(), Some(&short), 1400, "app", "h"), TokenPlan::Keep(_)));
        assert_eq!(plan(&spec(), Some(&short), 1401, "app", "h"), TokenPlan::Request(spec()));
    }

    #[test]
    fn a_changed_entry_requests_and_a_kept_token_follows_the_config_hash() {
        let s = secret(&spec(), b"tok", 1000, 4000, "app", "h1");
        let mut other = spec();
        other.audience = "other".into();
        assert_eq!(plan(&other, Some(&s), 1500, "app", "h1"), TokenPlan::Request(other));
        let TokenPlan::Keep(kept) = plan(&spec(), Some(&s), 1500, "app", "h2") else {
            panic!("keep")
        };
        assert_eq!(kept.annotations["ckf-crypto.kubeflow.org/config-hash"], "h2");
        assert_eq!(&kept.data["token"][..], b"tok");
    }
}
