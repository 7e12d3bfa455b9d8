//! Kubernetes delivery of the material (`contract.md` §4.1, §4.3, §4.5), planned in pure code.
//!
//! Every Secret the charm writes carries the labels `app.kubernetes.io/managed-by: <app>` and
//! `app.kubernetes.io/part-of: kubeflow` and the salted config hash as an annotation. [`plan`]
//! compares what should be with what was listed and returns only the writes that change
//! something, so a hook where nothing changed writes nothing. `caBundle` writes come first, so
//! during a CA rotation the API server trusts the new CA before any workload serves a leaf
//! signed by it. A named webhook configuration that does not exist yet is reported as pending
//! and retried on later hooks.

use std::collections::{BTreeMap, BTreeSet};

use zeroize::Zeroizing;

use crate::config::WebhookSpec;
use crate::k8s::{CONFIG_HASH, MANAGED_BY, PART_OF, SecretObject, WebhookConfig, WebhookKind};

/// The objects the charm owns, as listed at the start of the hook.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Observed {
    /// Secrets labelled as managed by this application, by name.
    pub secrets: BTreeMap<String, SecretObject>,
    /// Webhook configurations, by kind and name.
    pub webhook_configs: BTreeMap<(WebhookKind, String), WebhookConfig>,
}

/// One write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Write {
    /// Set `caBundle` on these webhooks of a configuration.
    CaBundle {
        /// Mutating or validating.
        kind: WebhookKind,
        /// The configuration.
        name: String,
        /// Its webhooks (all of them).
        webhooks: Vec<String>,
    },
    /// Apply a Secret.
    Secret(SecretObject),
}

/// The writes of one hook, and what is still missing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// In order: `caBundle`s, then Secrets.
    pub writes: Vec<Write>,
    /// Named webhook configurations that do not exist (yet), sorted.
    pub pending: Vec<String>,
}

/// The labels of every Secret the charm writes.
pub fn labels(app: &str) -> BTreeMap<String, String> {
    BTreeMap::from([
        (MANAGED_BY.to_owned(), app.to_owned()),
        (PART_OF.to_owned(), "kubeflow".to_owned()),
    ])
}

/// The label selector that lists them back.
pub fn selector(app: &str) -> String {
    format!("{MANAGED_BY}={app}")
}

/// A Secret with the charm's labels and config-hash annotation.
pub fn secret(
    name: &str,
    type_: &str,
    data: Vec<(&str, &[u8])>,
    app: &str,
    config_hash: &str,
) -> SecretObject {
    SecretObject {
        name: name.to_owned(),
        type_: type_.to_owned(),
        data: data.into_iter().map(|(k, v)| (k.to_owned(), Zeroizing::new(v.to_vec()))).collect(),
        labels: labels(app),
        annotations: BTreeMap::from([(CONFIG_HASH.to_owned(), config_hash.to_owned())]),
    }
}

/// Plans the writes: `secrets` that differ from what was observed, and `caBundle = bundle` on
/// every webhook of every configuration the `specs` name (when `bundle` is known).
pub fn plan(
    observed: &Observed,
    secrets: Vec<SecretObject>,
    bundle: Option<&[u8]>,
    specs: &[WebhookSpec],
) -> Plan {
    let mut plan = Plan::default();
    if let Some(bundle) = bundle {
        let mut named = BTreeSet::new();
        for spec in specs {
            named.extend(spec.mutating.iter().map(|n| (WebhookKind::Mutating, n.clone())));
            named.extend(spec.validating.iter().map(|n| (WebhookKind::Validating, n.clone())));
        }
        let mut pending = BTreeSet::new();
        for key in named {
            match observed.webhook_configs.get(&key) {
                None => {
                    pending.insert(key.1);
                }
                Some(cfg) => {
                    let stale = cfg.webhooks.iter().any(|(_, ca)| ca.as_deref() != Some(bundle));
                    if stale && !cfg.webhooks.is_empty() {
                        plan.writes.push(Write::CaBundle {
                            kind: key.0,
                            name: key.1,
                            webhooks: cfg.webhooks.iter().map(|(n, _)| n.clone()).collect(),
                        });
                    }
                }
            }
        }
        plan.pending = pending.into_iter().collect();
    }
    for s in secrets {
        let current = observed.secrets.get(&s.name);
        if !current.is_some_and(|c| s.satisfied_by(c)) {
            plan.writes.push(Write::Secret(s));
        }
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(name: &str, mutating: &[&str], validating: &[&str]) -> WebhookSpec {
        WebhookSpec {
            name: name.into(),
            services: vec![name.into()],
            mutating: mutating.iter().map(|s| (*s).into()).collect(),
            validating: validating.iter().map(|s| (*s).into()).collect(),
            secret: format!("{name}-webhook-tls"),
        }
    }

    fn config(
        kind: WebhookKind,
        name: &str,
        bundles: &[Option<&[u8]>],
    ) -> ((WebhookKind, String), WebhookConfig) {
        let webhooks = bundles
            .iter()
            .enumerate()
            .map(|(i, b)| (format!("w{i}"), b.map(<[u8]>::to_vec)))
            .collect();
        ((kind, name.into()), WebhookConfig { kind, name: name.into(), webhooks })
    }

    #[test]
    fn missing_secret_is_written_and_present_one_is_not() {
        let s = secret("a", "Opaque", vec![("k", b"v")], "app", "h1");
        let mut observed = Observed::default();
        let p = plan(&observed, vec![s.clone()], None, &[]);
        assert_eq!(p.writes, vec![Write::Secret(s.clone())]);
        let mut seen = s.clone();
        seen.labels.insert("extra".into(), "x".into());
        observed.secrets.insert("a".into(), seen);
        assert_eq!(plan(&observed, vec![s.clone()], None, &[]).writes, vec![]);
        let changed_hash = secret("a", "Opaque", vec![("k", b"v")], "app", "h2");
        assert_eq!(
            plan(&observed, vec![changed_hash.clone()], None, &[]).writes,
            vec![Write::Secret(changed_hash)]
        );
    }

    #[test]
    fn ca_bundle_goes_first_only_where_stale_and_missing_configs_are_pending() {
        let specs = [
            spec("katib", &["katib.kubeflow.org"], &["katib.kubeflow.org"]),
            spec("pvc", &["pvc-m"], &[]),
        ];
        let mut observed = Observed::default();
        observed.webhook_configs.extend([
            config(WebhookKind::Mutating, "katib.kubeflow.org", &[Some(b"old"), Some(b"new")]),
            config(WebhookKind::Validating, "katib.kubeflow.org", &[Some(b"new")]),
        ]);
        let s = secret("a", "Opaque", vec![], "app", "h");
        let p = plan(&observed, vec![s.clone()], Some(b"new"), &specs);
        assert_eq!(
            p.writes,
            vec![
                Write::CaBundle {
                    kind: WebhookKind::Mutating,
                    name: "katib.kubeflow.org".into(),
                    webhooks: vec!["w0".into(), "w1".into()]
                },
                Write::Secret(s),
            ]
        );
        assert_eq!(p.pending, ["pvc-m"]);
    }
}
