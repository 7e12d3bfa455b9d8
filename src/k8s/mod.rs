//! The Kubernetes objects the charm owns, behind a small synchronous interface.
//!
//! [`Kube`] has the handful of operations the charm needs (list and apply Secrets, list
//! webhook configurations and set their `caBundle`), so planning code and tests never see
//! HTTP. [`client::KubeClient`] implements it over kube-rs: server-side apply with field manager
//! `ckf-crypto` (forced, since the Python charms left `caBundle` owned by `lightkube`), reads by
//! list with a label selector, and async confined to a current-thread runtime inside the
//! adapter. Errors are classified once into [`KubeError`]: 403 becomes the trust message of
//! `contract.md` §8, 5xx and timeouts are retried a few times and then reported as transient.

pub mod client;

use std::collections::BTreeMap;
use std::fmt;

use zeroize::Zeroizing;

/// Field manager of every server-side apply.
pub const FIELD_MANAGER: &str = "ckf-crypto";

/// Label naming the application that manages an object.
pub const MANAGED_BY: &str = "app.kubernetes.io/managed-by";
/// Label grouping the object with Kubeflow.
pub const PART_OF: &str = "app.kubernetes.io/part-of";
/// Annotation carrying the salted config hash.
pub const CONFIG_HASH: &str = "ckf-crypto.kubeflow.org/config-hash";

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
    /// Whether `observed` already holds everything this desired Secret sets (labels and
    /// annotations may have more keys; data and type must be equal).
    pub fn satisfied_by(&self, observed: &SecretObject) -> bool {
        self.type_ == observed.type_
            && self.data == observed.data
            && self.labels.iter().all(|(k, v)| observed.labels.get(k) == Some(v))
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
}

/// What went wrong talking to Kubernetes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KubeError {
    /// HTTP 403: the application is not trusted.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// No usable configuration (neither KUBECONFIG nor in-cluster).
    #[error("no Kubernetes API configuration: {0}")]
    Unavailable(String),
    /// 5xx, 429, timeouts, connection errors, still failing after the retries.
    #[error("Kubernetes API error (transient): {0}")]
    Transient(String),
    /// HTTP 404: the object (e.g. a ServiceAccount) does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// Anything else (4xx other than 403 and 404, unexpected responses).
    #[error("Kubernetes API error: {0}")]
    Other(String),
}

/// A token the API server issued. `Debug` never shows the token.
#[derive(Clone, PartialEq, Eq)]
pub struct IssuedToken {
    /// `status.token`
    pub token: juju::SecretString,
    /// `status.expirationTimestamp`, in seconds since the Unix epoch.
    pub expires_unix: i64,
}

impl fmt::Debug for IssuedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IssuedToken")
            .field("expires_unix", &self.expires_unix)
            .finish_non_exhaustive()
    }
}

/// The operations the charm performs on Kubernetes. `Send`, so that the reads can run beside
/// the hook tools.
pub trait Kube: Send {
    /// Secrets in `namespace` matching `label_selector` (`k=v,...`).
    fn list_secrets(
        &mut self,
        namespace: &str,
        label_selector: &str,
    ) -> Result<Vec<SecretObject>, KubeError>;
    /// Server-side applies `secret` in `namespace`.
    fn apply_secret(&mut self, namespace: &str, secret: &SecretObject) -> Result<(), KubeError>;
    /// All webhook configurations of `kind`.
    fn list_webhook_configs(&mut self, kind: WebhookKind) -> Result<Vec<WebhookConfig>, KubeError>;
    /// Server-side applies `caBundle = bundle` on the named webhooks of configuration `name`.
    fn apply_ca_bundle(
        &mut self,
        kind: WebhookKind,
        name: &str,
        webhooks: &[String],
        bundle: &[u8],
    ) -> Result<(), KubeError>;
    /// A TokenRequest for ServiceAccount `service_account` in `namespace`.
    fn request_token(
        &mut self,
        namespace: &str,
        service_account: &str,
        audience: &str,
        expiration_seconds: u32,
    ) -> Result<IssuedToken, KubeError>;
}
