//! Everything the server knows, behind one mutex shared by the test thread and the server task.
//!
//! Requests are served one at a time under the lock, so every request sees and leaves a
//! consistent store and the request log is in the order requests were served. The lock is never
//! held across an `.await`; a held-back response (`Fault::DelayOnce`) waits outside it.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::fault::Faults;
use crate::juju::JujuWebhook;
use crate::record::{IssuedToken, Request};
use crate::store::Store;

/// The user RBAC messages name by default: the charm's own ServiceAccount in Charmed Kubeflow.
pub(crate) const DEFAULT_USER: &str = "system:serviceaccount:kubeflow:ckf-crypto";

/// The fake API server's state.
#[derive(Debug)]
pub(crate) struct State {
    pub(crate) store: Store,
    pub(crate) requests: Vec<Request>,
    pub(crate) faults: Faults,
    pub(crate) tokens: Vec<IssuedToken>,
    /// The time tokens are issued at (seconds since the epoch), instead of the real clock; tests
    /// move it together with the charm's clock.
    pub(crate) token_clock: Option<u64>,
    /// The longest token lifetime granted (as `--service-account-max-token-expiration` sets it).
    pub(crate) max_token_seconds: Option<u64>,
    /// Whether a TokenRequest for a ServiceAccount that is not stored succeeds.
    pub(crate) auto_service_accounts: bool,
    /// The user named in Forbidden messages.
    pub(crate) user: String,
    /// Juju's model admission webhook, when the fake plays a Juju model.
    pub(crate) juju_webhook: Option<JujuWebhook>,
    /// `host:port` of the server, for discovery documents.
    pub(crate) address: String,
}

/// The state as shared between [`crate::FakeKube`] and the server task.
pub(crate) type Shared = Arc<Mutex<State>>;

impl State {
    pub(crate) fn new(address: String) -> State {
        State {
            store: Store::default(),
            requests: Vec::new(),
            faults: Faults::default(),
            tokens: Vec::new(),
            token_clock: None,
            max_token_seconds: None,
            auto_service_accounts: true,
            user: DEFAULT_USER.to_owned(),
            juju_webhook: None,
            address,
        }
    }
}

/// Locks the state. A panic while the lock was held (a failed assertion in a test callback, say)
/// leaves data that is still consistent for a fake, so poisoning is ignored.
pub(crate) fn lock(shared: &Mutex<State>) -> MutexGuard<'_, State> {
    shared.lock().unwrap_or_else(PoisonError::into_inner)
}
