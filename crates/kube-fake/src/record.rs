//! What the fake remembers about its clients: every request, and every token it issued.
//!
//! Tests assert on these rather than on server logs: the charm's promises are phrased in terms of
//! requests (the README: "a no-op hook makes no POST, PUT, PATCH or DELETE"), and a token's granted
//! lifetime is what the charm must read back from `status.expirationTimestamp`.

use serde_json::Value;

/// One request the server answered, as the client sent it, with the status it got back.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// The HTTP method, upper case (`GET`, `PATCH`, …).
    pub method: String,
    /// The path, without the query string (`/api/v1/namespaces/kubeflow/secrets/x`).
    pub path: String,
    /// The raw query string without `?` (`fieldManager=ckf-crypto&force=true`), empty if none.
    pub query: String,
    /// The `content-type` header, if the client sent one.
    pub content_type: Option<String>,
    /// The body parsed as JSON; a body that is not JSON is kept as a JSON string; `None` if empty.
    pub body: Option<Value>,
    /// The HTTP status code of the response (including injected faults).
    pub status: u16,
}

impl Request {
    /// Whether this request changes state: `POST`, `PUT`, `PATCH` or `DELETE`.
    pub fn is_write(&self) -> bool {
        is_write_method(&self.method)
    }

    /// The decoded value of query parameter `key`, if present.
    pub fn query_param(&self, key: &str) -> Option<String> {
        crate::select::param(&self.query, key)
    }
}

/// Whether an HTTP method changes state in the Kubernetes API.
pub(crate) fn is_write_method(method: &str) -> bool {
    matches!(method, "POST" | "PUT" | "PATCH" | "DELETE")
}

/// A ServiceAccount token the fake issued through the TokenRequest API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedToken {
    /// The ServiceAccount's name.
    pub service_account: String,
    /// The ServiceAccount's namespace.
    pub namespace: String,
    /// The audiences of the token (the requested ones, or the API server's default when none).
    pub audiences: Vec<String>,
    /// `spec.expirationSeconds` as requested, `None` when the request left it out.
    pub requested_seconds: Option<u64>,
    /// The lifetime granted: the request (default 3600) capped by the configured maximum.
    pub granted_seconds: u64,
    /// The JWT-shaped token returned in `status.token`.
    pub token: String,
    /// `status.expirationTimestamp` as returned (RFC 3339, UTC, whole seconds).
    pub expiration_timestamp: String,
    /// When it was issued, in seconds since the Unix epoch.
    pub issued_at: u64,
}
