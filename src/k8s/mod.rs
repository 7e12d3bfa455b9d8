//! The Kubernetes objects the charm owns, behind a small synchronous interface.
//!
//! [`Kube`] has the handful of operations the charm needs (list, get, apply and delete Secrets,
//! list webhook configurations and set their `caBundle`, request a token), so planning code and
//! tests never see HTTP. [`client::KubeClient`] implements it over kube-rs: server-side apply
//! with field manager `ckf-crypto`, reads by list with a label selector, and async confined to a
//! current-thread runtime inside the adapter. Errors are classified once into [`KubeError`]:
//! 403, 404 and the other refusals a retry will not change are told apart from transient
//! failures (5xx, 429, timeouts), which the adapter retries a few times first.
//!
//! [`View`] is what a hook lists at its start, [`Write`] one write an area plans. Both are plain
//! data; [`crate::reconcile`] performs the writes one by one, each with its own outcome, then
//! records the Kubernetes Events of what it did ([`events`], best effort).

pub mod client;
pub mod events;
mod listed;
mod objects;

pub use objects::{
    CONFIG_HASH, CREATED_BY, INJECT_CA_FROM, MANAGED_BY, MANAGED_BY_JUJU, ObjectRef, PART_OF,
    SecretObject, View, WebhookConfig, WebhookConfigs, WebhookKind, Write, labels, owned_by,
    selector,
};

use std::fmt;

/// Field manager of every server-side apply.
pub const FIELD_MANAGER: &str = "ckf-crypto";

/// What went wrong talking to Kubernetes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KubeError {
    /// HTTP 403: the request is not allowed (all of them, without `juju trust`; or one object).
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// HTTP 404: the object (a ServiceAccount, say) does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// Another 4xx (400, 409, 422, ...): the API server refused the request for a reason a
    /// retry will not change.
    #[error("refused ({code}): {message}")]
    Refused {
        /// The HTTP status.
        code: u16,
        /// The API server's message.
        message: String,
    },
    /// No usable configuration (neither KUBECONFIG nor in-cluster).
    #[error("no Kubernetes API configuration: {0}")]
    Unavailable(String),
    /// 5xx, 429, timeouts, connection errors, still failing after the retries.
    #[error("Kubernetes API error (transient): {0}")]
    Transient(String),
    /// Anything else (an unexpected or unreadable response).
    #[error("Kubernetes API error: {0}")]
    Other(String),
}

impl KubeError {
    /// Whether a later attempt may succeed without anyone changing anything.
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Transient(_) | Self::Other(_) | Self::Unavailable(_))
    }

    /// The same error with `reason` in place of its message (a redacted one, say).
    pub fn with_reason(self, reason: String) -> Self {
        match self {
            Self::Forbidden(_) => Self::Forbidden(reason),
            Self::NotFound(_) => Self::NotFound(reason),
            Self::Refused { code, .. } => Self::Refused { code, message: reason },
            Self::Unavailable(_) => Self::Unavailable(reason),
            Self::Transient(_) => Self::Transient(reason),
            Self::Other(_) => Self::Other(reason),
        }
    }

    /// The API server's reason, as a status message can show it.
    pub fn reason(&self) -> &str {
        match self {
            Self::Forbidden(m)
            | Self::NotFound(m)
            | Self::Refused { message: m, .. }
            | Self::Unavailable(m)
            | Self::Transient(m)
            | Self::Other(m) => m,
        }
    }
}

/// A token the API server issued. `Debug` never shows the token.
#[derive(Clone, PartialEq, Eq)]
pub struct IssuedToken {
    /// `status.token`
    pub token: juju_charm::SecretString,
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
    /// The Secret `name` in `namespace`, if it exists.
    fn get_secret(
        &mut self,
        namespace: &str,
        name: &str,
    ) -> Result<Option<SecretObject>, KubeError>;
    /// Server-side applies `secret` in `namespace`.
    fn apply_secret(&mut self, namespace: &str, secret: &SecretObject) -> Result<(), KubeError>;
    /// Deletes the Secret `name` in `namespace` (gone already is not an error).
    fn delete_secret(&mut self, namespace: &str, name: &str) -> Result<(), KubeError>;
    /// All webhook configurations of `kind`.
    fn list_webhook_configs(&mut self, kind: WebhookKind) -> Result<Vec<WebhookConfig>, KubeError>;
    /// Server-side applies `caBundle = bundle` on the named webhooks of configuration `name`;
    /// with `force`, taking the field over from any other field manager (a conflict otherwise).
    fn apply_ca_bundle(
        &mut self,
        kind: WebhookKind,
        name: &str,
        webhooks: &[String],
        bundle: &[u8],
        force: bool,
    ) -> Result<(), KubeError>;
    /// A TokenRequest for ServiceAccount `service_account` in `namespace`.
    fn request_token(
        &mut self,
        namespace: &str,
        service_account: &str,
        audience: &str,
        expiration_seconds: u32,
    ) -> Result<IssuedToken, KubeError>;
    /// Creates the `events.k8s.io/v1` Event `body` in `namespace` (once, no retry: Events are
    /// best effort); one that exists already is `Refused { code: 409 }`.
    fn create_event(&mut self, namespace: &str, body: &serde_json::Value) -> Result<(), KubeError>;
    /// The Event `name` in `namespace`: `None` if it does not exist, else its `series.count`
    /// (`None` while it has no series).
    fn event_series(
        &mut self,
        namespace: &str,
        name: &str,
    ) -> Result<Option<Option<i64>>, KubeError>;
    /// Merge-patches the Event `name` in `namespace` (once, no retry).
    fn patch_event(
        &mut self,
        namespace: &str,
        name: &str,
        patch: &serde_json::Value,
    ) -> Result<(), KubeError>;
}
