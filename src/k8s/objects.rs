//! The Kubernetes objects as the charm sees them: what a hook lists ([`View`]), what an area asks
//! to write ([`Write`]), and the comparison that decides whether a write is needed.
//!
//! Every Secret the charm writes carries `app.kubernetes.io/managed-by: <app>`,
//! `app.kubernetes.io/part-of: kubeflow` and the salted config hash as an annotation. The charm
//! compares only the fields it applies: a data key, label or annotation another field manager added
//! is not a change, and server-side apply leaves it in place. (Each Secret's set of data keys is
//! fixed by its kind, so the charm never needs to remove a key of its own.)
//!
//! **Juju's labels.** On a Kubernetes model, Juju's admission webhook labels every object a
//! charm creates or updates with `app.juju.is/created-by: <app>` (and the model's labels), and
//! Juju 3.6.11's rewrote `app.kubernetes.io/managed-by` to `juju` as well (juju/juju issue
//! 21312; later releases keep an existing value). So which Secrets are the charm's own is never
//! decided by `managed-by` alone ([`owned_by`]): one list selects `managed-by` `<app>` or `juju`
//! ([`selector`]), and of those the charm keeps the ones labelled as its own either way, which
//! covers Secrets an earlier revision created (`managed-by: <app>` only) as much as ones Juju
//! relabelled. A `managed-by` that Juju rewrote to `juju` is not a change ([`SecretObject::satisfied_by`]):
//! writing `<app>` again would only be rewritten again, on every hook. Juju's labels are never
//! applied, compared or removed by the charm.

use std::collections::BTreeMap;
use std::fmt;

use zeroize::Zeroizing;

use super::KubeError;

/// Label naming the application that manages an object.
pub const MANAGED_BY: &str = "app.kubernetes.io/managed-by";
/// Label Juju's admission webhook puts on every object a charm creates or updates: the
/// application's name.
pub const CREATED_BY: &str = "app.juju.is/created-by";
/// The `managed-by` value Juju 3.6.11's admission webhook wrote on every object a charm created
/// or updated.
pub const MANAGED_BY_JUJU: &str = "juju";
/// Label grouping the object with Kubeflow.
pub const PART_OF: &str = "app.kubernetes.io/part-of";
/// Annotation carrying the salted config hash.
pub const CONFIG_HASH: &str = "ckf-crypto.kubeflow.org/config-hash";
/// Annotation by which an operator asks for the charm's CA in a webhook configuration's
/// `caBundle` (as cert-manager's `cert-manager.io/inject-ca-from` does).
pub const INJECT_CA_FROM: &str = "ckf-crypto.kubeflow.org/inject-ca-from";

/// The labels of every Secret the charm writes.
pub fn labels(app: &str) -> BTreeMap<String, String> {
    BTreeMap::from([
        (MANAGED_BY.to_owned(), app.to_owned()),
        (PART_OF.to_owned(), "kubeflow".to_owned()),
    ])
}

/// The label selector that lists them back, with the Secrets Juju relabelled: `managed-by`
/// `<app>` or `juju`. Of those, [`owned_by`] tells the charm's own.
pub fn selector(app: &str) -> String {
    format!("{MANAGED_BY} in ({app},{MANAGED_BY_JUJU})")
}

/// Whether an object with `labels` is `app`'s: labelled `managed-by: <app>` (as the charm
/// writes it, and as every revision before Juju 3.6.11 left it), or created by `app` as Juju's
/// admission webhook records it.
pub fn owned_by(labels: &BTreeMap<String, String>, app: &str) -> bool {
    labels.get(MANAGED_BY).is_some_and(|v| v == app)
        || labels.get(CREATED_BY).is_some_and(|v| v == app)
}

/// A Secret as the charm writes and compares it. `Debug` never shows the data.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretObject {
    /// `metadata.name`
    pub name: String,
    /// `type`, e.g. `Opaque` or `kubernetes.io/tls`.
    pub type_: String,
    /// `data`, decoded; wiped on drop.
    pub data: BTreeMap<String, Zeroizing<Vec<u8>>>,
    /// `metadata.labels`
    pub labels: BTreeMap<String, String>,
    /// `metadata.annotations`
    pub annotations: BTreeMap<String, String>,
}

impl fmt::Debug for SecretObject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecretObject")
            .field("name", &self.name)
            .field("type", &self.type_)
            .field("keys", &self.data.keys().collect::<Vec<_>>())
            .field("labels", &self.labels)
            .field("annotations", &self.annotations)
            .finish()
    }
}

impl SecretObject {
    /// A Secret of `app` with the charm's labels and the config-hash annotation.
    pub fn new(
        name: &str,
        type_: &str,
        data: Vec<(&str, &[u8])>,
        app: &str,
        config_hash: &str,
    ) -> Self {
        Self {
            name: name.to_owned(),
            type_: type_.to_owned(),
            data: data
                .into_iter()
                .map(|(k, v)| (k.to_owned(), Zeroizing::new(v.to_vec())))
                .collect(),
            labels: labels(app),
            annotations: BTreeMap::from([(CONFIG_HASH.to_owned(), config_hash.to_owned())]),
        }
    }

    /// Whether `observed` already holds everything this desired Secret sets: the same type, and
    /// every data key, label and annotation it applies with the same value. Anything else in
    /// `observed` belongs to other field managers and is no reason to write.
    pub fn satisfied_by(&self, observed: &SecretObject) -> bool {
        self.type_ == observed.type_
            && self.data.iter().all(|(k, v)| observed.data.get(k) == Some(v))
            && self.labels.iter().all(|(k, v)| match observed.labels.get(k) {
                // Juju 3.6.11 rewrites it on every write: not a change the charm can make.
                Some(seen) if k == MANAGED_BY => seen == v || seen == MANAGED_BY_JUJU,
                seen => seen == Some(v),
            })
            && self.annotations.iter().all(|(k, v)| observed.annotations.get(k) == Some(v))
    }
}

/// Mutating or validating.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum WebhookKind {
    /// `MutatingWebhookConfiguration`
    Mutating,
    /// `ValidatingWebhookConfiguration`
    Validating,
}

impl WebhookKind {
    /// The Kubernetes kind.
    pub fn kind(self) -> &'static str {
        match self {
            Self::Mutating => "MutatingWebhookConfiguration",
            Self::Validating => "ValidatingWebhookConfiguration",
        }
    }
}

/// A webhook configuration as observed: its webhooks and their current `caBundle`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookConfig {
    /// Mutating or validating.
    pub kind: WebhookKind,
    /// `metadata.name`
    pub name: String,
    /// `(webhooks[].name, webhooks[].clientConfig.caBundle)`
    pub webhooks: Vec<(String, Option<Vec<u8>>)>,
    /// The value of the [`INJECT_CA_FROM`] annotation, if any.
    pub inject_ca_from: Option<String>,
    /// The field managers that own a webhook's `caBundle` (from `metadata.managedFields`), for
    /// the log of a configuration the charm holds off.
    pub ca_bundle_managers: Vec<String>,
}

/// The listed webhook configurations, by kind and name.
pub type WebhookConfigs = BTreeMap<(WebhookKind, String), WebhookConfig>;

/// The objects listed at the start of a hook. A list is `None` when no area needed it (or the
/// namespace is not valid), and an error when the API server did not answer it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct View {
    /// Secrets labelled as managed by this application, by name.
    pub secrets: Option<Result<BTreeMap<String, SecretObject>, KubeError>>,
    /// Webhook configurations, by kind and name.
    pub webhook_configs: Option<Result<WebhookConfigs, KubeError>>,
}

impl View {
    /// The listed Secrets, when the list succeeded.
    pub fn secrets(&self) -> Option<&BTreeMap<String, SecretObject>> {
        self.secrets.as_ref().and_then(|r| r.as_ref().ok())
    }

    /// The listed webhook configurations, when both lists succeeded.
    pub fn webhook_configs(&self) -> Option<&WebhookConfigs> {
        self.webhook_configs.as_ref().and_then(|r| r.as_ref().ok())
    }

    /// Every list that failed, with what it was.
    pub fn failures(&self) -> Vec<(&'static str, &KubeError)> {
        let mut out = Vec::new();
        if let Some(Err(e)) = &self.secrets {
            out.push(("Secrets", e));
        }
        if let Some(Err(e)) = &self.webhook_configs {
            out.push(("webhook configurations", e));
        }
        out
    }
}

/// The object a write is about, as status messages name it (`Secret 'x'`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ObjectRef {
    /// The Kubernetes kind.
    pub kind: &'static str,
    /// Its name.
    pub name: String,
}

impl fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} '{}'", self.kind, self.name)
    }
}

/// One Kubernetes write an area plans; each is applied and reported on its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Write {
    /// Server-side apply of a Secret.
    Secret {
        /// The Secret as it should be.
        secret: SecretObject,
        /// The Secret of that name is the charm's own (it carries the managed-by label) but of
        /// another type, which the API server does not let change: delete it first.
        replace: bool,
        /// Objects whose write must not have failed in this hook, or this one waits for the next.
        after: Vec<ObjectRef>,
    },
    /// Set `caBundle` on the named webhooks of a configuration.
    CaBundle {
        /// Mutating or validating.
        kind: WebhookKind,
        /// The configuration.
        name: String,
        /// Its webhooks (all of them).
        webhooks: Vec<String>,
        /// The PEM bundle.
        bundle: Vec<u8>,
        /// Take the field over from other field managers (the operator opted in).
        force: bool,
    },
    /// A TokenRequest, then the Secret that holds the token.
    Token {
        /// The ServiceAccount.
        service_account: String,
        /// The token's audience.
        audience: String,
        /// The lifetime asked for.
        expiration_seconds: u32,
        /// The Secret, without the token.
        secret: SecretObject,
        /// The data key the token goes into.
        token_key: String,
        /// The annotation that records `status.expirationTimestamp` (Unix seconds).
        expires_annotation: String,
    },
}

impl Write {
    /// The object this write changes.
    pub fn object(&self) -> ObjectRef {
        match self {
            Self::Secret { secret, .. } | Self::Token { secret, .. } => {
                ObjectRef { kind: "Secret", name: secret.name.clone() }
            }
            Self::CaBundle { kind, name, .. } => {
                ObjectRef { kind: kind.kind(), name: name.clone() }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn foreign_fields_are_not_a_change_but_ours_are() {
        let ours = SecretObject::new("a", "Opaque", vec![("k", b"v")], "app", "h1");
        let mut seen = ours.clone();
        seen.labels.insert("extra".into(), "x".into());
        seen.annotations.insert("other.io/note".into(), "y".into());
        seen.data.insert("foreign".into(), Zeroizing::new(b"z".to_vec()));
        assert!(ours.satisfied_by(&seen));
        let changed_hash = SecretObject::new("a", "Opaque", vec![("k", b"v")], "app", "h2");
        assert!(!changed_hash.satisfied_by(&seen));
        let changed_data = SecretObject::new("a", "Opaque", vec![("k", b"w")], "app", "h1");
        assert!(!changed_data.satisfied_by(&seen));
        let mut other_type = seen.clone();
        other_type.type_ = "kubernetes.io/tls".into();
        assert!(!ours.satisfied_by(&other_type));
        let mut missing_key = seen;
        missing_key.data.remove("k");
        assert!(!ours.satisfied_by(&missing_key));
    }

    #[test]
    fn debug_hides_the_data() {
        let s = SecretObject::new("a", "Opaque", vec![("k", b"S3CR3T-VALUE")], "app", "h");
        let debug = format!("{:?}", Write::Secret { secret: s, replace: false, after: vec![] });
        assert!(!debug.contains("S3CR3T") && debug.contains("\"k\""), "{debug}");
    }
}
