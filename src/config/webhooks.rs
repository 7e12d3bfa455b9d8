//! The `webhooks` option: which webhook servers get certificates.
//!
//! A YAML list of entries `{name, services, mutating, validating, secret, take-over}`, parsed into
//! [`WebhookSpec`]s once. The default is the CKF set (admission-webhook, katib-controller,
//! kserve-controller, pvcviewer-operator). Names and services are DNS-1123 labels; a name must
//! also avoid `--`, because it becomes part of a Juju secret content key, which Juju restricts
//! to `^[a-z](?:-?[a-z0-9]){2,}$` (the one place this is stricter than DNS-1123).

use std::collections::BTreeSet;

use serde::Deserialize;

use super::check_dns_label;

/// The CKF default of the `webhooks` option.
pub const DEFAULT: &str = "\
- name: admission-webhook
  services: [admission-webhook]
  mutating: [admission-webhook]
- name: katib-controller
  services: [katib-controller]
  mutating: [katib.kubeflow.org]
  validating: [katib.kubeflow.org]
- name: kserve-controller
  services: [kserve-controller, kserve-webhook-server-service]
  mutating: [inferenceservice.serving.kserve.io]
  validating: [inferencegraph.serving.kserve.io, inferenceservice.serving.kserve.io,
               servingruntime.serving.kserve.io, trainedmodel.serving.kserve.io,
               clusterservingruntime.serving.kserve.io]
- name: pvcviewer-operator
  services: [pvcviewer-operator]
  mutating: [pvcviewer-mutating-webhook-configuration]
  validating: [pvcviewer-validating-webhook-configuration]
";

/// One webhook server to issue a certificate for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookSpec {
    /// The entry's name (a DNS-1123 label).
    pub name: String,
    /// The Services its certificate must cover (non-empty, DNS-1123 labels).
    pub services: Vec<String>,
    /// MutatingWebhookConfigurations whose `caBundle` the charm sets.
    pub mutating: Vec<String>,
    /// ValidatingWebhookConfigurations whose `caBundle` the charm sets.
    pub validating: Vec<String>,
    /// The `kubernetes.io/tls` Secret to write (default `<name>-webhook-tls`).
    pub secret: String,
    /// `take-over`: the operator lets the charm force its CA into these configurations'
    /// `caBundle`, whoever holds it now.
    pub take_over: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    name: String,
    services: Vec<String>,
    #[serde(default)]
    mutating: Vec<String>,
    #[serde(default)]
    validating: Vec<String>,
    secret: Option<String>,
    #[serde(rename = "take-over", default)]
    take_over: bool,
}

/// Parses and validates the option's YAML; the error says what is wrong, without the value.
pub fn parse(yaml: &str) -> Result<Vec<WebhookSpec>, String> {
    if yaml.trim().is_empty() {
        return Ok(Vec::new());
    }
    let raw: Vec<RawEntry> = serde_saphyr::from_str(yaml)
        .map_err(|e| format!("not a YAML list of webhook entries: {e}"))?;
    let mut names = BTreeSet::new();
    let mut secrets = BTreeSet::new();
    let mut out = Vec::with_capacity(raw.len());
    for (i, e) in raw.into_iter().enumerate() {
        let at = |what: &str| format!("entry {} ({}): {what}", i + 1, e.name);
        check_dns_label(&e.name).map_err(|why| at(&format!("name {why}")))?;
        if e.name.contains("--")
            || e.name.len() < 3
            || e.name.starts_with(|c: char| c.is_ascii_digit())
        {
            return Err(at(
                "name must start with a letter, be at least 3 characters and not contain '--'",
            ));
        }
        if !names.insert(e.name.clone()) {
            return Err(at("duplicate name"));
        }
        if e.services.is_empty() {
            return Err(at("services must not be empty"));
        }
        for s in &e.services {
            check_dns_label(s).map_err(|why| at(&format!("service '{s}' {why}")))?;
        }
        for c in e.mutating.iter().chain(&e.validating) {
            check_dns_subdomain(c)
                .map_err(|why| at(&format!("webhook configuration '{c}' {why}")))?;
        }
        let secret = e.secret.clone().unwrap_or_else(|| format!("{}-webhook-tls", e.name));
        check_dns_subdomain(&secret).map_err(|why| at(&format!("secret '{secret}' {why}")))?;
        if !secrets.insert(secret.clone()) {
            return Err(at(&format!("secret '{secret}' is used by another entry")));
        }
        let mut services = Vec::new();
        for s in e.services {
            if !services.contains(&s) {
                services.push(s);
            }
        }
        out.push(WebhookSpec {
            name: e.name,
            services,
            mutating: e.mutating,
            validating: e.validating,
            secret,
            take_over: e.take_over,
        });
    }
    Ok(out)
}

/// A DNS-1123 subdomain (Kubernetes object names): dot-separated labels, at most 253 characters.
pub fn check_dns_subdomain(s: &str) -> Result<(), &'static str> {
    if s.len() > 253 {
        return Err("must be at most 253 characters (a DNS-1123 subdomain)");
    }
    s.split('.').try_for_each(check_dns_label)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_is_the_ckf_set() {
        let specs = parse(DEFAULT).expect("default parses");
        let names: Vec<&str> = specs.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            names,
            ["admission-webhook", "katib-controller", "kserve-controller", "pvcviewer-operator"]
        );
        assert_eq!(specs[2].services, ["kserve-controller", "kserve-webhook-server-service"]);
        assert_eq!(specs[2].validating.len(), 5);
        assert_eq!(specs[0].secret, "admission-webhook-webhook-tls");
        assert!(specs[0].validating.is_empty());
        assert!(specs.iter().all(|s| !s.take_over));
    }

    #[test]
    fn explicit_secret_and_duplicate_services() {
        let specs = parse("- {name: abc, services: [a, a, b], secret: my-tls}").expect("parses");
        assert_eq!(specs[0].services, ["a", "b"]);
        assert_eq!(specs[0].secret, "my-tls");
        let specs = parse("- {name: abc, services: [a], take-over: true}").expect("parses");
        assert!(specs[0].take_over);
    }

    #[test]
    fn empty_means_no_webhooks() {
        assert_eq!(parse("  "), Ok(vec![]));
        assert_eq!(parse("[]"), Ok(vec![]));
    }

    #[test]
    fn problems_are_named() {
        for (yaml, needle) in [
            ("- {name: abc}", "not a YAML list"),
            ("- {name: abc, services: []}", "services must not be empty"),
            ("- {name: Abc, services: [a]}", "name must"),
            ("- {name: a--b, services: [a]}", "'--'"),
            ("- {name: abc, services: [A_B]}", "service 'A_B'"),
            ("- {name: abc, services: [a]}\n- {name: abc, services: [b]}", "duplicate name"),
            ("- {name: abc, services: [a], extra: 1}", "not a YAML list"),
            ("- {name: abc, services: [a], mutating: [-x]}", "webhook configuration '-x'"),
            (
                "- {name: abc, services: [a], secret: s}\n- {name: abd, services: [a], secret: s}",
                "used by another",
            ),
            ("key: value", "not a YAML list"),
            ("- {name: abc, services: [a], take-over: maybe}", "not a YAML list"),
        ] {
            let err = parse(yaml).expect_err(yaml);
            assert!(err.contains(needle), "{yaml}: {err}");
        }
    }
}
