//! kube-fake: a fake Kubernetes API server on loopback, speaking real HTTPS, for the tests and
//! the demo of ckf-crypto.
//!
//! The charm talks to Kubernetes through kube-rs in a separate process, configured from a
//! KUBECONFIG file, so the fake has to be a real server: TLS with a CA the client trusts, HTTP/1.1,
//! JSON bodies, Kubernetes `Status` errors. It serves the objects the charm writes (Secrets,
//! Mutating/ValidatingWebhookConfigurations, TokenRequests; `spec/contract.md` §4) with the
//! semantics the charm relies on: server-side apply that leaves `resourceVersion` alone when
//! nothing changes, `webhooks` merged by name, the API server's validation of Secrets and
//! tokens. It records every request so tests can assert that a no-op hook writes nothing
//! (`spec/contract.md` §11), and injects faults (403, 5xx, stalls).
//!
//! ```no_run
//! let kube = kube_fake::FakeKube::start()?;
//! kube.write_kubeconfig(std::path::Path::new("/tmp/kubeconfig"), "kubeflow")?;
//! // … run the charm with KUBECONFIG=/tmp/kubeconfig …
//! assert!(kube.writes().is_empty());
//! # Ok::<(), std::io::Error>(())
//! ```

mod clock;
mod fault;
mod kinds;
mod merge;
mod record;
mod resource;
mod routes;
mod select;
mod server;
mod state;
mod status;
mod store;
mod tls;

use std::io;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::Path;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;

pub use fault::Fault;
pub use record::{IssuedToken, Request};

use resource::Resource;
use server::Server;
use state::{Shared, State, lock};
use store::{object_mut, str_at};

/// A fake Kubernetes API server running on a background thread; dropping it shuts it down.
#[derive(Debug)]
pub struct FakeKube {
    shared: Shared,
    ca_pem: String,
    token: String,
    // Declared last so it drops last: the server thread still holds a clone of `shared`.
    server: Server,
}

impl FakeKube {
    /// Binds `127.0.0.1:0` with a fresh self-signed CA and a server certificate for IP
    /// `127.0.0.1` and DNS `localhost`, and starts serving.
    pub fn start() -> io::Result<Self> {
        let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))?;
        let address = listener.local_addr()?.to_string();
        let identity = tls::generate()?;
        let shared = Arc::new(Mutex::new(State::new(address)));
        let server = Server::start(listener, identity.server_config, shared.clone())?;
        let token = format!("kube-fake-{:016x}{:016x}", clock::random_u64(), clock::random_u64());
        Ok(FakeKube { shared, ca_pem: identity.ca_pem, token, server })
    }

    /// The server URL, `https://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("https://{}", self.server.addr())
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.server.addr()
    }

    /// The PEM of the CA that signed the server certificate, to trust the server.
    pub fn ca_pem(&self) -> String {
        self.ca_pem.clone()
    }

    /// The bearer token the kubeconfig carries (the server accepts any token, or none).
    pub fn token(&self) -> String {
        self.token.clone()
    }

    /// A kubeconfig: one cluster with `certificate-authority-data`, a user with a bearer token,
    /// and a current context with `namespace`.
    pub fn kubeconfig(&self, namespace: &str) -> String {
        // JSON strings are YAML flow scalars, so this quotes anything a namespace could hold.
        let q = |s: &str| Value::from(s).to_string();
        format!(
            "\
apiVersion: v1
kind: Config
clusters:
- name: kube-fake
  cluster:
    server: {server}
    certificate-authority-data: {ca}
users:
- name: kube-fake
  user:
    token: {token}
contexts:
- name: kube-fake
  context:
    cluster: kube-fake
    user: kube-fake
    namespace: {ns}
current-context: kube-fake
preferences: {{}}
",
            server = q(&self.url()),
            ca = STANDARD.encode(&self.ca_pem),
            token = q(&self.token),
            ns = q(namespace),
        )
    }

    /// Writes [`FakeKube::kubeconfig`] to `path`.
    pub fn write_kubeconfig(&self, path: &Path, namespace: &str) -> io::Result<()> {
        std::fs::write(path, self.kubeconfig(namespace))
    }

    /// Every request served so far, in the order served.
    pub fn requests(&self) -> Vec<Request> {
        lock(&self.shared).requests.clone()
    }

    /// Forgets the requests served so far.
    pub fn clear_requests(&self) {
        lock(&self.shared).requests.clear();
    }

    /// The requests that change state: `POST`, `PUT`, `PATCH`, `DELETE` (whatever their status).
    pub fn writes(&self) -> Vec<Request> {
        let st = lock(&self.shared);
        st.requests.iter().filter(|r| r.is_write()).cloned().collect()
    }

    /// The stored object `kind` (`"Secret"`, `"MutatingWebhookConfiguration"`, …) named `name`
    /// in `namespace` (`None` for cluster-scoped kinds).
    pub fn get(&self, kind: &str, namespace: Option<&str>, name: &str) -> Option<Value> {
        lock(&self.shared).store.get(kind, namespace, name).cloned()
    }

    /// The stored objects of `kind` in `namespace`; `None` lists cluster-scoped objects, or
    /// namespaced ones across all namespaces.
    pub fn list(&self, kind: &str, namespace: Option<&str>) -> Vec<Value> {
        let st = lock(&self.shared);
        st.store.list(kind, namespace).into_iter().cloned().collect()
    }

    /// Creates or replaces an object as-is, without validation (to seed the webhook
    /// configurations the charm will patch). `apiVersion` is filled in when missing; `uid`,
    /// `creationTimestamp` and `resourceVersion` are the server's, as for any write.
    ///
    /// # Panics
    ///
    /// If `obj` has no `metadata.name`, or its `kind` is not one the fake serves.
    pub fn put(&self, mut obj: Value) {
        let kind = str_at(&obj, &["kind"]).unwrap_or_default();
        let Some(res) = Resource::by_kind(kind) else {
            panic!("kube-fake does not serve kind {kind:?}");
        };
        if str_at(&obj, &["metadata", "name"]).is_none_or(str::is_empty) {
            panic!("kube-fake: put needs metadata.name");
        }
        object_mut(&mut obj).entry("apiVersion").or_insert_with(|| res.api_version().into());
        lock(&self.shared).store.update(obj);
    }

    /// Deletes the stored object, if any.
    pub fn delete(&self, kind: &str, namespace: Option<&str>, name: &str) {
        lock(&self.shared).store.remove(kind, namespace, name);
    }

    /// Replaces the faults in force; each counts matching requests from now.
    pub fn set_faults(&self, faults: Vec<Fault>) {
        lock(&self.shared).faults.set(faults);
    }

    /// Removes every fault.
    pub fn clear_faults(&self) {
        lock(&self.shared).faults.set(Vec::new());
    }

    /// Caps the lifetime of issued tokens, as `--service-account-max-token-expiration` does;
    /// `None` (the default) grants what is asked.
    pub fn set_max_token_seconds(&self, max: Option<u64>) {
        lock(&self.shared).max_token_seconds = max;
    }

    /// Issues tokens as if it were `unix_secs` (or the real time again with `None`), so that a
    /// test can move the API server's clock together with the charm's.
    pub fn set_token_clock(&self, unix_secs: Option<u64>) {
        lock(&self.shared).token_clock = unix_secs;
    }

    /// Whether a TokenRequest for a ServiceAccount that is not stored succeeds (default `true`);
    /// when `false`, it gets 404 unless the ServiceAccount was [`FakeKube::put`].
    pub fn set_auto_service_accounts(&self, auto: bool) {
        lock(&self.shared).auto_service_accounts = auto;
    }

    /// The user Forbidden messages name (default
    /// `system:serviceaccount:kubeflow:ckf-crypto`).
    pub fn set_user(&self, user: &str) {
        lock(&self.shared).user = user.to_owned();
    }

    /// Every token issued so far, in order.
    pub fn tokens(&self) -> Vec<IssuedToken> {
        lock(&self.shared).tokens.clone()
    }
}
