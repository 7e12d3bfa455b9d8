//! A client for Pebble, the service manager in every workload container of a Kubernetes charm.
//!
//! Juju mounts each workload container's Pebble socket into the charm container at
//! `/charm/containers/<container>/pebble.socket`; [`Client::for_container`] talks to it. The
//! client is blocking and small: HTTP/1.1 over a Unix socket, one connection per request, JSON
//! bodies, and the websockets that `exec` needs. It follows canonical/pebble's Go client
//! (`client/*.go`) request for request: the same paths, queries, bodies and multipart layout,
//! so a Pebble server (or a simulator of one) sees what it would see from `pebble` itself.
//!
//! ```no_run
//! use std::time::Duration;
//!
//! use juju_charm::pebble::{Client, ExecOptions, Layer, PebbleError, PushOptions, Service};
//!
//! fn configure(config: &[u8]) -> Result<(), PebbleError> {
//!     let pebble = Client::for_container("workload");
//!     // Before the container's Pebble is up, every call fails with CannotConnect: wait for
//!     // the `workload-pebble-ready` event instead of failing the hook.
//!     match pebble.system_info() {
//!         Err(e) if e.is_cannot_connect() => return Ok(()),
//!         other => other?,
//!     };
//!     pebble.push("/etc/app/config.yaml", config, &PushOptions::new().permissions(0o600).make_dirs(true))?;
//!     let layer = Layer::new("app").service("app", Service::new("/usr/bin/app --config /etc/app/config.yaml"));
//!     pebble.add_layer("app", &layer, true)?;
//!     pebble.replan_services()?;
//!     let out = pebble.exec(&ExecOptions::new(["app", "--version"]).timeout(Duration::from_secs(10)))?;
//!     log::info!("app {}", String::from_utf8_lossy(&out.exit_ok()?.stdout).trim());
//!     Ok(())
//! }
//! ```
//!
//! In tests, give the client a [`Transport`] that records requests and answers from a script
//! ([`Client::with_transport`]):
//!
//! ```
//! use std::sync::Mutex;
//! use std::time::Duration;
//!
//! use juju_charm::pebble::{Client, Message, PebbleError, Request, Response, Transport, WebSocket};
//!
//! #[derive(Default)]
//! struct Recorder(Mutex<Vec<String>>);
//!
//! impl Transport for Recorder {
//!     fn send(&self, request: &Request) -> Result<Response, PebbleError> {
//!         self.0.lock().unwrap().push(format!("{} {}", request.method, request.url()));
//!         Ok(Response::json(r#"{"type":"sync","status-code":200,"result":{"version":"1.19.0"}}"#))
//!     }
//!     fn websocket(&self, _: &str, _: Option<Duration>) -> Result<Box<dyn WebSocket>, PebbleError> {
//!         unimplemented!("no exec here")
//!     }
//! }
//!
//! let recorder = std::sync::Arc::new(Recorder::default());
//! let pebble = Client::with_transport(recorder.clone());
//! assert_eq!(pebble.system_info()?.version, "1.19.0");
//! assert_eq!(*recorder.0.lock().unwrap(), ["GET /v1/system-info"]);
//! # Ok::<(), PebbleError>(())
//! ```
//!
//! # Where the socket is
//!
//! [`socket_path`]: `$CHARM_CONTAINERS_DIR/<container>/pebble.socket` when the environment
//! variable [`CONTAINERS_DIR_VAR`] is set (the `juju-sim` simulator sets it), else
//! [`DEFAULT_CONTAINERS_DIR`]`/<container>/pebble.socket`, where Juju mounts it.
//!
//! # Secrets
//!
//! File content pushed with [`Client::push`] or [`Client::push_secret`] travels only in the
//! request body over the socket: never on a command line, in a log record or an error message.
//! Request and response bodies are zeroized when dropped, and the `Debug` of every value that
//! carries content ([`Request`], [`Response`], [`Message`], [`ExecOptions`], [`ExecOutput`])
//! shows lengths only.
//!
//! # What is not here
//!
//! Pebble's TLS and HTTP basic authentication (the charm talks over the local socket), logs,
//! signals, identities, pairing, health and the debug endpoints, exec with a terminal, and
//! exec's `signal` and `resize` control messages but the one this client sends itself (a
//! `SIGKILL` when its own exec timeout passes). The crate's README lists which of Pebble's
//! client tests are ported.

mod changes;
mod error;
mod exec;
mod files;
mod http;
mod layer;
mod observe;
mod transport;
mod websocket;
mod wire;

#[cfg(test)]
mod conformance;
#[cfg(test)]
mod socket_tests;

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use serde::de::DeserializeOwned;

pub use changes::{
    Change, ChangeSelect, ServiceInfo, ServiceStatus, SystemInfo, Task, TaskProgress,
};
pub use error::PebbleError;
pub use exec::{ExecOptions, ExecOutput};
pub use files::{FileInfo, FileType, ListFilesOptions, MakeDirOptions, PushOptions};
pub use layer::{
    Check, CheckLevel, ExecCheck, HttpCheck, Layer, LogTarget, Override, Service, ServiceAction,
    Startup, TcpCheck,
};
pub use observe::{
    CheckInfo, CheckStatus, Notice, NoticesOptions, NotifyOptions, RefreshCheckResult,
};
pub use transport::{Message, Request, Response, Transport, UnixTransport, WebSocket};

/// The environment variable naming the directory that holds the containers' sockets, when set.
/// The `juju-sim` simulator sets it to a temporary directory.
pub const CONTAINERS_DIR_VAR: &str = "CHARM_CONTAINERS_DIR";

/// Where Juju mounts the containers' sockets in a sidecar charm's container.
pub const DEFAULT_CONTAINERS_DIR: &str = "/charm/containers";

/// The socket of container `container`'s Pebble: `<dir>/<container>/pebble.socket`, where
/// `<dir>` is [`CONTAINERS_DIR_VAR`] when set and not empty, else [`DEFAULT_CONTAINERS_DIR`].
///
/// ```
/// if std::env::var_os(juju_charm::pebble::CONTAINERS_DIR_VAR).is_none() {
///     assert_eq!(
///         juju_charm::pebble::socket_path("workload"),
///         std::path::Path::new("/charm/containers/workload/pebble.socket"),
///     );
/// }
/// ```
pub fn socket_path(container: &str) -> PathBuf {
    let dir = std::env::var(CONTAINERS_DIR_VAR).ok();
    socket_path_in(dir.as_deref(), container)
}

/// [`socket_path`] with `<dir>` given (the value of [`CONTAINERS_DIR_VAR`] in the hook's
/// environment, if any): what [`Client::for_hook`] uses, so that a charm run in process by a
/// test, whose hook environment is not its process's, finds the simulator's sockets too.
///
/// ```
/// use std::path::Path;
///
/// use juju_charm::pebble::socket_path_in;
///
/// let path = socket_path_in(Some("/tmp/sim"), "workload");
/// assert_eq!(path, Path::new("/tmp/sim/workload/pebble.socket"));
/// assert_eq!(socket_path_in(None, "db"), Path::new("/charm/containers/db/pebble.socket"));
/// ```
pub fn socket_path_in(dir: Option<&str>, container: &str) -> PathBuf {
    let dir = dir.filter(|d| !d.is_empty()).unwrap_or(DEFAULT_CONTAINERS_DIR);
    PathBuf::from(dir).join(container).join("pebble.socket")
}

/// How long an ordinary request may take before [`PebbleError::Timeout`].
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// How long service actions wait for their change (ops waits 30 s too).
pub const DEFAULT_CHANGE_TIMEOUT: Duration = Duration::from_secs(30);

/// How much longer than a server-side timeout the client waits for the answer, so that Pebble's
/// own timeout (and its error) comes first.
const MARGIN: Duration = Duration::from_secs(5);

/// A blocking client of one container's Pebble.
///
/// Every method is one or a few HTTP requests; none keeps a connection open between calls, so
/// a client can be made once per hook and kept. Methods that start a change (service actions,
/// exec) wait for it and report a failed change as [`PebbleError::ChangeFailed`].
pub struct Client {
    transport: Box<dyn Transport>,
    socket: Option<PathBuf>,
    timeout: Duration,
    change_timeout: Duration,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("socket", &self.socket)
            .field("timeout", &self.timeout)
            .field("change_timeout", &self.change_timeout)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client of container `container`'s Pebble, at [`socket_path`]`(container)`, the
    /// directory read from the process's environment. A charm should prefer
    /// [`Client::for_hook`], which reads the hook's.
    pub fn for_container(container: &str) -> Self {
        Self::new(socket_path(container))
    }

    /// A client of container `container`'s Pebble, the socket directory read from the hook's
    /// environment `env` ([`CONTAINERS_DIR_VAR`], else [`DEFAULT_CONTAINERS_DIR`]): the same
    /// socket as [`Client::for_container`] under Juju, and the simulator's when a test runs the
    /// charm in process.
    pub fn for_hook(env: &crate::Environment, container: &str) -> Self {
        Self::new(socket_path_in(env.var(CONTAINERS_DIR_VAR), container))
    }

    /// A client of the Pebble listening on `socket`.
    pub fn new(socket: impl Into<PathBuf>) -> Self {
        let socket = socket.into();
        let mut client = Self::with_transport(UnixTransport::new(socket.clone()));
        client.socket = Some(socket);
        client
    }

    /// A client that sends its requests through `transport` (a recording fake in tests, an
    /// in-process Pebble in a simulator).
    pub fn with_transport(transport: impl Transport + 'static) -> Self {
        Self {
            transport: Box::new(transport),
            socket: None,
            timeout: DEFAULT_TIMEOUT,
            change_timeout: DEFAULT_CHANGE_TIMEOUT,
        }
    }

    /// Sets how long an ordinary request may take ([`DEFAULT_TIMEOUT`]).
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets how long service actions wait for their change ([`DEFAULT_CHANGE_TIMEOUT`]).
    #[must_use]
    pub fn with_change_timeout(mut self, timeout: Duration) -> Self {
        self.change_timeout = timeout;
        self
    }

    /// The socket path, for a client made with [`Client::new`] or [`Client::for_container`].
    pub fn socket(&self) -> Option<&Path> {
        self.socket.as_deref()
    }

    /// A request with the ordinary timeout.
    fn request(&self, method: &'static str, path: impl Into<String>) -> Request {
        let mut request = Request::new(method, path);
        request.timeout = Some(self.timeout);
        request
    }

    /// Sends `request` and reads Pebble's envelope; an error envelope is the error.
    fn call(&self, request: &Request) -> Result<Envelope, PebbleError> {
        let response = self.transport.send(request)?;
        envelope(&request.line(), &response)
    }

    /// A sync request's result, decoded as `T` (`expected` says what it should be).
    fn sync<T: DeserializeOwned>(
        &self,
        request: &Request,
        expected: &str,
    ) -> Result<T, PebbleError> {
        let env = self.call(request)?;
        let line = request.line();
        if env.type_ != "sync" {
            return Err(PebbleError::protocol(
                &line,
                format!("expected a sync response, got {:?}", env.type_),
            ));
        }
        decode(&line, env.result, expected)
    }

    /// An async request's change ID and result.
    fn start(&self, request: &Request) -> Result<(String, serde_json::Value), PebbleError> {
        let env = self.call(request)?;
        let line = request.line();
        if env.type_ != "async" {
            let why = format!("expected an async response, got {:?}", env.type_);
            return Err(PebbleError::protocol(&line, why));
        }
        if env.status_code != 202 {
            return Err(PebbleError::protocol(&line, "operation not accepted"));
        }
        if env.change.is_empty() {
            return Err(PebbleError::protocol(&line, "async response without change reference"));
        }
        Ok((env.change, env.result))
    }
}

/// Pebble's response envelope (canonical/pebble `client/client.go`, `response`).
#[derive(Debug, Deserialize)]
struct Envelope {
    #[serde(rename = "type", default)]
    type_: String,
    #[serde(rename = "status-code", default)]
    status_code: u16,
    #[serde(default)]
    status: String,
    #[serde(default)]
    change: String,
    #[serde(default)]
    result: serde_json::Value,
}

/// The `result` of an error envelope, and of a failed path of a file operation.
#[derive(Debug, Default, Deserialize)]
struct ErrorResult {
    #[serde(default)]
    message: String,
    #[serde(default)]
    kind: String,
}

/// Reads the envelope of `response`; an error envelope becomes [`PebbleError::Api`].
fn envelope(line: &str, response: &Response) -> Result<Envelope, PebbleError> {
    match serde_json::from_slice::<Envelope>(&response.body) {
        Ok(env) if env.type_ == "error" => Err(api_error(&env, response.status)),
        Ok(env) => Ok(env),
        Err(_) if response.status >= 400 => Err(PebbleError::Api {
            status_code: response.status,
            kind: String::new(),
            message: format!("server error: HTTP {}", response.status),
        }),
        Err(_) => Err(PebbleError::protocol(
            line,
            format!("the body is not a JSON response ({} bytes)", response.body.len()),
        )),
    }
}

/// The error of an error envelope, as Go's `response.err` reads it: Pebble's message and kind,
/// or `server error: "<status>"` when the result has no message.
fn api_error(env: &Envelope, http_status: u16) -> PebbleError {
    let status_code = if env.status_code != 0 { env.status_code } else { http_status };
    let result: ErrorResult = serde_json::from_value(env.result.clone()).unwrap_or_default();
    if result.message.is_empty() {
        let status =
            if env.status.is_empty() { http_status.to_string() } else { env.status.clone() };
        return PebbleError::Api {
            status_code,
            kind: result.kind,
            message: format!("server error: {status:?}"),
        };
    }
    PebbleError::Api { status_code, kind: result.kind, message: result.message }
}

/// The error for a response that was not what was asked for (a refused websocket upgrade, a
/// pull answered without multipart), as Go's `parseError` reads it: Pebble's error envelope
/// when the body is JSON, else `server error`.
fn refusal(line: &str, response: &Response) -> PebbleError {
    let json =
        response.header_value("Content-Type").is_some_and(|t| t.starts_with("application/json"));
    if json
        && let Ok(env) = serde_json::from_slice::<Envelope>(&response.body)
        && env.type_ == "error"
    {
        return api_error(&env, response.status);
    }
    if response.status >= 300 {
        return PebbleError::Api {
            status_code: response.status,
            kind: String::new(),
            message: format!("server error: HTTP {}", response.status),
        };
    }
    PebbleError::protocol(line, format!("unexpected HTTP {} answer", response.status))
}

/// Decodes a result. The error names what was expected, never what came (serde's messages
/// quote values, and a result may hold file metadata or notice data).
fn decode<T: DeserializeOwned>(
    line: &str,
    value: serde_json::Value,
    expected: &str,
) -> Result<T, PebbleError> {
    serde_json::from_value(value).map_err(|_| {
        PebbleError::protocol(line, format!("cannot unmarshal the result: expected {expected}"))
    })
}

/// A JSON body as Go's `json.Marshal` writes it.
fn json_body(value: &impl serde::Serialize) -> Vec<u8> {
    serde_json::to_vec(value).unwrap_or_default()
}

/// A JSON body as Go's `json.NewEncoder(...).Encode` writes it: with a trailing newline.
fn encoded_body(value: &impl serde::Serialize) -> Vec<u8> {
    let mut body = json_body(value);
    body.push(b'\n');
    body
}

/// Whether `id` is a change or notice ID Pebble can have (`^[a-z0-9]+$`).
fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}
