//! What can go wrong talking to Pebble.

use std::path::PathBuf;
use std::time::Duration;

/// A Pebble call failed.
///
/// The text of an error never holds file contents, command output, stdin or request bodies:
/// only the socket path, the request line, sizes, and what Pebble itself said. Charms usually
/// match on three cases:
///
/// * [`PebbleError::CannotConnect`] ([`PebbleError::is_cannot_connect`]): Pebble is not up yet
///   (or restarting). Not a failure of the charm: set a waiting status and let the next event
///   (`<container>-pebble-ready`) try again, as ops' `Container.can_connect` does.
/// * [`PebbleError::Api`]: Pebble refused the request; [`PebbleError::is_not_found`] tells a
///   missing file, service or change.
/// * [`PebbleError::ChangeFailed`]: a service action or command was accepted but failed;
///   the message is Pebble's, with the task log summary.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PebbleError {
    /// Connecting to the socket failed: it does not exist yet, or nothing listens on it
    /// (`ENOENT`, `ECONNREFUSED`). This is what a charm sees before its workload container's
    /// Pebble has started, and while it restarts: treat it as "cannot connect yet" and wait
    /// for the `<container>-pebble-ready` event.
    #[error(
        "cannot connect to Pebble at {}: {source} (is the container up? wait for the \
         pebble-ready event)",
        socket.display()
    )]
    CannotConnect {
        /// The socket path.
        socket: PathBuf,
        /// The OS error from `connect`.
        #[source]
        source: std::io::Error,
    },
    /// The connection broke after it was made (reset, broken pipe).
    #[error("lost the connection to Pebble during {request}: {source}")]
    Connection {
        /// The request line (`POST /v1/files`).
        request: String,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// Pebble did not answer in time. Retry later, or give the call a longer timeout
    /// ([`Client::with_timeout`](super::Client::with_timeout)).
    #[error("Pebble did not answer {request} within {after:?}")]
    Timeout {
        /// The request line.
        request: String,
        /// How long the client waited.
        after: Duration,
    },
    /// Pebble answered with an error (`"type": "error"`), or refused one path of a file
    /// operation. `kind` is Pebble's error kind (`not-found`, `permission-denied`,
    /// `generic-file-error`, `login-required`, ...), empty when Pebble gave none.
    #[error("Pebble refused the request: {message} (status {status_code}{})", kind_suffix(kind))]
    Api {
        /// The HTTP status code Pebble reported (`status-code`), 200 for a per-path file error.
        status_code: u16,
        /// Pebble's error kind, or empty.
        kind: String,
        /// Pebble's message.
        message: String,
    },
    /// A change (service start/stop/restart/replan, an exec) finished in error.
    #[error("Pebble change {change_id} ({kind}) failed: {message}")]
    ChangeFailed {
        /// The change ID.
        change_id: String,
        /// The change kind (`start`, `replan`, `exec`, ...).
        kind: String,
        /// The change's error, as Pebble wrote it.
        message: String,
    },
    /// A command run by [`Client::exec`](super::Client::exec) exited non-zero and the caller
    /// asked for success ([`ExecOutput::exit_ok`](super::ExecOutput::exit_ok)).
    #[error("{command:?} exited with status {exit_code} in the container")]
    ExitCode {
        /// The executable (the first element of the command only: arguments may be secret).
        command: String,
        /// Its exit code.
        exit_code: i32,
    },
    /// Pebble's answer does not have the shape its API documents.
    #[error("unexpected answer from Pebble to {request}: {why}")]
    Protocol {
        /// The request line.
        request: String,
        /// What is wrong (never the body itself).
        why: String,
    },
    /// The caller passed something Pebble cannot take (checked before sending).
    #[error("invalid Pebble request: {why}")]
    Invalid {
        /// What is wrong.
        why: String,
    },
}

fn kind_suffix(kind: &str) -> String {
    if kind.is_empty() { String::new() } else { format!(", kind {kind}") }
}

impl PebbleError {
    /// Whether Pebble could not be reached at all ([`PebbleError::CannotConnect`]): the
    /// container is not ready yet.
    pub fn is_cannot_connect(&self) -> bool {
        matches!(self, Self::CannotConnect { .. })
    }

    /// Whether the call timed out: the client gave up ([`PebbleError::Timeout`]), or Pebble
    /// answered `504 Gateway Timeout` (a change wait whose timeout passed).
    pub fn is_timeout(&self) -> bool {
        matches!(self, Self::Timeout { .. } | Self::Api { status_code: 504, .. })
    }

    /// Whether Pebble said the thing asked for does not exist (kind `not-found`, or HTTP 404).
    pub fn is_not_found(&self) -> bool {
        matches!(self, Self::Api { kind, status_code, .. } if kind == "not-found" || *status_code == 404)
    }

    /// Pebble's error kind for [`PebbleError::Api`] (`not-found`, `permission-denied`, ...).
    pub fn api_kind(&self) -> Option<&str> {
        match self {
            Self::Api { kind, .. } if !kind.is_empty() => Some(kind),
            _ => None,
        }
    }

    pub(crate) fn protocol(request: &str, why: impl Into<String>) -> Self {
        Self::Protocol { request: request.to_owned(), why: why.into() }
    }

    pub(crate) fn invalid(why: impl Into<String>) -> Self {
        Self::Invalid { why: why.into() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies() {
        let refused = PebbleError::CannotConnect {
            socket: "/charm/containers/app/pebble.socket".into(),
            source: std::io::Error::from(std::io::ErrorKind::ConnectionRefused),
        };
        assert!(refused.is_cannot_connect());
        assert!(refused.to_string().contains("/charm/containers/app/pebble.socket"));
        let api = |status_code, kind: &str| PebbleError::Api {
            status_code,
            kind: kind.into(),
            message: "m".into(),
        };
        assert!(api(404, "").is_not_found());
        assert!(api(200, "not-found").is_not_found());
        assert!(!api(400, "").is_not_found());
        assert!(api(504, "").is_timeout());
        assert_eq!(api(400, "permission-denied").api_kind(), Some("permission-denied"));
        assert_eq!(api(400, "").api_kind(), None);
        assert_eq!(
            api(400, "generic-file-error").to_string(),
            "Pebble refused the request: m (status 400, kind generic-file-error)"
        );
        assert_eq!(api(500, "").to_string(), "Pebble refused the request: m (status 500)");
    }
}
