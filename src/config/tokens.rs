//! The `service-account-tokens` option: which ServiceAccount tokens to request and keep fresh.
//!
//! A YAML list of `{service-account, audience, secret, expiration-seconds}`: `service-account` and
//! `audience` are required, `secret` defaults to `<service-account>-token`, `expiration-seconds` to
//! 604800 and must be at least 600 (the API server's minimum). The default is kfp-persistence's
//! token for the KFP API.

use std::collections::BTreeSet;

use serde::Deserialize;

use super::webhooks::check_dns_subdomain;

/// The KFP default of the option.
pub const DEFAULT: &str = "\
- service-account: kfp-persistence
  audience: pipelines.kubeflow.org
  secret: kfp-persistence-sa-token
  expiration-seconds: 604800
";

/// One token to keep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenSpec {
    /// The ServiceAccount (in the charm's namespace).
    pub service_account: String,
    /// The audience the token is for.
    pub audience: String,
    /// The Opaque Secret holding it under `token`.
    pub secret: String,
    /// The lifetime to ask for, in seconds (the API server may grant less).
    pub expiration_seconds: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    #[serde(rename = "service-account")]
    service_account: String,
    audience: String,
    secret: Option<String>,
    #[serde(rename = "expiration-seconds")]
    expiration_seconds: Option<u32>,
}

/// Parses and validates the option's YAML; the error says what is wrong.
pub fn parse(yaml: &str) -> Result<Vec<TokenSpec>, String> {
    if yaml.trim().is_empty() {
        return Ok(Vec::new());
    }
    let raw: Vec<RawEntry> = serde_saphyr::from_str(yaml)
        .map_err(|e| format!("not a YAML list of token entries: {e}"))?;
    let mut secrets = BTreeSet::new();
    let mut out = Vec::with_capacity(raw.len());
    for (i, e) in raw.into_iter().enumerate() {
        let at = |what: &str| format!("entry {} ({}): {what}", i + 1, e.service_account);
        check_dns_subdomain(&e.service_account)
            .map_err(|why| at(&format!("service-account {why}")))?;
        if e.audience.trim().is_empty() {
            return Err(at("audience must not be empty"));
        }
        let secret = e.secret.clone().unwrap_or_else(|| format!("{}-token", e.service_account));
        check_dns_subdomain(&secret).map_err(|why| at(&format!("secret '{secret}' {why}")))?;
        if !secrets.insert(secret.clone()) {
            return Err(at(&format!("secret '{secret}' is used by another entry")));
        }
        let expiration_seconds = e.expiration_seconds.unwrap_or(604_800);
        if expiration_seconds < 600 {
            return Err(at("expiration-seconds must be at least 600"));
        }
        out.push(TokenSpec {
            service_account: e.service_account,
            audience: e.audience,
            secret,
            expiration_seconds,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_is_kfp_persistence() {
        let specs = parse(DEFAULT).expect("default");
        assert_eq!(
            specs,
            [TokenSpec {
                service_account: "kfp-persistence".into(),
                audience: "pipelines.kubeflow.org".into(),
                secret: "kfp-persistence-sa-token".into(),
                expiration_seconds: 604_800,
            }]
        );
    }

    #[test]
    fn defaults_and_problems() {
        let specs = parse("- {service-account: sa, audience: aud}").expect("parses");
        assert_eq!(specs[0].secret, "sa-token");
        assert_eq!(specs[0].expiration_seconds, 604_800);
        for (yaml, needle) in [
            ("- {audience: a}", "not a YAML list"),
            ("- {service-account: sa}", "not a YAML list"),
            ("- {service-account: sa, audience: ''}", "audience must not be empty"),
            ("- {service-account: sa, audience: a, expiration-seconds: 599}", "at least 600"),
            ("- {service-account: Sa, audience: a}", "service-account"),
            (
                "- {service-account: a, audience: x}\n- {service-account: b, audience: x, secret: a-token}",
                "used by another",
            ),
        ] {
            let err = parse(yaml).expect_err(yaml);
            assert!(err.contains(needle), "{yaml}: {err}");
        }
    }
}
