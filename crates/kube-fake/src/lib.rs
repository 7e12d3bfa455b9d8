//! kube-fake: a fake Kubernetes API server on loopback, speaking real HTTPS, for the tests and
//! the demo of ckf-crypto.
//!
//! The charm talks to Kubernetes through kube-rs in a separate process, configured from a
//! KUBECONFIG file, so the fake has to be a real server: TLS with a CA the client trusts, HTTP/1.1,
//! JSON bodies, Kubernetes `Status` errors. It serves the objects the charm writes (Secrets,
//! Mutating/ValidatingWebhookConfigurations, TokenRequests, `events.k8s.io/v1` Events) with the
//! semantics the charm relies on: server-side apply as structured-merge-diff does it, with field
//! ownership in
//! `metadata.managedFields` (per-manager Apply and Update entries, 409 conflicts with another
//! manager's fields unless forced, fields the applier stopped applying pruned unless someone else
//! owns them, `webhooks` merged by name), a `resourceVersion` that stays put when nothing changes,
//! and the API server's validation of Secrets, Events and tokens. It records every request so tests can
//! assert that a no-op hook writes nothing, injects faults (RBAC 403s by verb, resource and name,
//! 5xx, stalls), lets a test play another field manager ([`FakeKube::apply_as`],
//! [`FakeKube::merge_patch_as`]), and can play a Juju model's admission webhook, which labels what
//! the charm creates and updates ([`FakeKube::set_juju_webhook`]).
//!
//! ```no_run
//! let kube = kube_fake::FakeKube::start()?;
//! kube.write_kubeconfig(std::path::Path::new("/tmp/kubeconfig"), "kubeflow")?;
//! // … run the charm with KUBECONFIG=/tmp/kubeconfig …
//! assert!(kube.writes().is_empty());
//! # Ok::<(), std::io::Error>(())
//! ```

mod clock;
mod events;
mod fault;
mod fields;
mod juju;
mod kinds;
mod managed;
mod merge;
mod ownership;
mod record;
mod resource;
mod routes;
mod schema;
mod select;
mod server;
mod state;
mod status;
mod store;
mod tls;
mod typed;

use std::io;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::Path;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;

pub use fault::Fault;
pub use juju::{
    JujuModel, JujuWebhook, JujuWebhookVariant, LABEL_CREATED_BY, LABEL_DISABLE_WEBHOOK,
    LABEL_MANAGED_BY, LABEL_MODEL_NAME, LABEL_MODEL_UUID,
};
pub use record::{IssuedToken, Request};

use resource::Resource;
use server::Server;
use state::{Shared, State, lock};
use status::Reply;
use store::{object_mut, str_at};

/// The field manager of [`FakeKube::put`].
const PUT_MANAGER: &str = "kube-fake";

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

    /// The `events.k8s.io/v1` Events stored in `namespace`, in name order, as the API server
    /// returns them (`regarding`, `note`, `reason`, `series`, …), so that a test can read what
    /// the charm reported: `kube.events("kubeflow")[0]["reason"]`.
    pub fn events(&self, namespace: &str) -> Vec<Value> {
        self.list("Event", Some(namespace))
    }

    /// Creates or replaces an object as-is, without validation (to seed the webhook
    /// configurations the charm will patch). `apiVersion` is filled in when missing; `uid`,
    /// `creationTimestamp` and `resourceVersion` are the server's, as for any write. The fields
    /// it sets are recorded as an Update by field manager `kube-fake`, unless `obj` carries
    /// `metadata.managedFields`, which are then stored as given.
    ///
    /// # Panics
    ///
    /// If `obj` has no `metadata.name`, or its `kind` is not one the fake serves.
    pub fn put(&self, mut obj: Value) {
        let kind = str_at(&obj, &["kind"]).unwrap_or_default();
        let Some(res) = Resource::by_kind(kind) else {
            panic!("kube-fake does not serve kind {kind:?}");
        };
        let Some(name) = str_at(&obj, &["metadata", "name"]).filter(|n| !n.is_empty()) else {
            panic!("kube-fake: put needs metadata.name");
        };
        let name = name.to_owned();
        let namespace = str_at(&obj, &["metadata", "namespace"]).map(str::to_owned);
        object_mut(&mut obj).entry("apiVersion").or_insert_with(|| res.api_version().into());
        let mut st = lock(&self.shared);
        if obj.get("metadata").and_then(|m| m.get("managedFields")).is_none() {
            let live = st.store.get(res.kind, namespace.as_deref(), &name).cloned();
            ownership::record_update(&res.api_version(), live.as_ref(), &mut obj, PUT_MANAGER);
        }
        st.store.update(obj);
    }

    /// A server-side apply of `obj` by field manager `manager`, as a client's
    /// `PATCH ?fieldManager=<manager>&force=<force>` with `application/apply-patch+yaml` would
    /// be: the same checks, merge, conflicts and pruning. It is the test playing another client,
    /// so it is not in [`FakeKube::requests`] and faults do not touch it. The kind, name and
    /// namespace come from `obj` (`metadata.namespace` is needed for a namespaced kind). Returns
    /// the stored object, or the `Status` of the refusal.
    pub fn apply_as(&self, manager: &str, obj: Value, force: bool) -> Result<Value, Value> {
        let kind = str_at(&obj, &["kind"]).unwrap_or_default().to_owned();
        let name = str_at(&obj, &["metadata", "name"]).unwrap_or_default().to_owned();
        let namespace = str_at(&obj, &["metadata", "namespace"]).map(str::to_owned);
        let query = format!("fieldManager={}&force={force}", select::encode(manager));
        self.patch_as(
            &kind,
            namespace.as_deref(),
            &name,
            query,
            "application/apply-patch+yaml",
            obj,
        )
    }

    /// A JSON merge patch of `kind` `namespace`/`name` by field manager `manager`: an Update,
    /// which takes the fields it changes from their other managers. Not recorded, not faulted,
    /// like [`FakeKube::apply_as`]. Returns the stored object, or the `Status` of the refusal.
    pub fn merge_patch_as(
        &self,
        manager: &str,
        kind: &str,
        namespace: Option<&str>,
        name: &str,
        patch: Value,
    ) -> Result<Value, Value> {
        let query = format!("fieldManager={}", select::encode(manager));
        self.patch_as(kind, namespace, name, query, "application/merge-patch+json", patch)
    }

    fn patch_as(
        &self,
        kind: &str,
        namespace: Option<&str>,
        name: &str,
        query: String,
        content_type: &str,
        body: Value,
    ) -> Result<Value, Value> {
        let Some(res) = Resource::by_kind(kind) else {
            return Err(Reply::no_route().body);
        };
        if res.namespaced != namespace.is_some() || name.is_empty() {
            let msg = format!(
                "kube-fake: a {kind} needs a name{}",
                if res.namespaced { " and a namespace" } else { " and no namespace" }
            );
            return Err(Reply::bad_request(&msg).body);
        }
        let req = routes::Incoming {
            method: "PATCH".to_owned(),
            path: String::new(),
            query,
            content_type: Some(content_type.to_owned()),
            user_agent: None,
            body: Vec::new(),
            by_charm: false,
        };
        let mut st = lock(&self.shared);
        let reply = routes::objects::object(&mut st, &req, &res, namespace, name, Some(&body));
        if reply.status < 400 { Ok(reply.body) } else { Err(reply.body) }
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

    /// Plays a Juju model's admission webhook (`None`, the default, turns it off): every create
    /// and update (PUT, any PATCH, a server-side apply) the charm sends of any kind the fake
    /// stores, Events included, gets Juju's labels after the request's own changes and before
    /// storage, as [`JujuWebhook`] describes; the response and the stored object carry them, the
    /// `resourceVersion` moves only if the stored object changed, and `managedFields` leave the
    /// labels unowned, as the API server's order (field manager, then mutating admission) does.
    /// [`FakeKube::put`], [`FakeKube::apply_as`] and [`FakeKube::merge_patch_as`] are other
    /// clients and are not mutated.
    pub fn set_juju_webhook(&self, webhook: Option<JujuWebhook>) {
        lock(&self.shared).juju_webhook = webhook;
    }

    /// Every token issued so far, in order.
    pub fn tokens(&self) -> Vec<IssuedToken> {
        lock(&self.shared).tokens.clone()
    }
}
