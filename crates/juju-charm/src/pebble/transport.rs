//! The seam between the client and the socket: [`Transport`] carries one HTTP request, or
//! opens one websocket, and [`UnixTransport`] does it over Pebble's Unix socket.
//!
//! Tests put a recording [`Transport`] in its place (as canonical/pebble's client tests replace
//! the client's `doer`), so they see the exact request the client sends and feed it canned
//! answers; a simulator may answer in process the same way.

use std::fmt;
use std::io::{BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use zeroize::Zeroizing;

use super::error::PebbleError;
use super::{http, websocket, wire};

/// One HTTP request as the client builds it, before it goes on the wire.
///
/// `Debug` shows the body's length only: a push carries file content, which may be secret.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Request {
    /// `GET` or `POST`.
    pub method: &'static str,
    /// The path (`/v1/services`).
    pub path: String,
    /// Query parameters in the order they are sent (sorted by key, as Go's `url.Values`
    /// encodes them; a repeated key keeps its values' order).
    pub query: Vec<(String, String)>,
    /// Headers set by the client (`Content-Type`, `Accept`); the transport adds `Host`,
    /// `User-Agent`, `Content-Length` and `Connection`.
    pub headers: Vec<(String, String)>,
    /// The body, zeroized when dropped.
    pub body: Zeroizing<Vec<u8>>,
    /// How long the answer may take; `None`: no limit (a change wait without a timeout).
    pub timeout: Option<Duration>,
}

impl Request {
    pub(crate) fn new(method: &'static str, path: impl Into<String>) -> Self {
        Self {
            method,
            path: path.into(),
            query: Vec::new(),
            // Pebble's Go client sets this on every request (client.go, `dispatch`).
            headers: vec![("Content-Type".to_owned(), "application/json".to_owned())],
            body: Zeroizing::new(Vec::new()),
            timeout: None,
        }
    }

    pub(crate) fn query(mut self, key: &str, value: impl Into<String>) -> Self {
        self.query.push((key.to_owned(), value.into()));
        self.query.sort_by(|a, b| a.0.cmp(&b.0));
        self
    }

    pub(crate) fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        let value = value.into();
        match self.headers.iter_mut().find(|(n, _)| n.eq_ignore_ascii_case(name)) {
            Some(slot) => slot.1 = value,
            None => self.headers.push((name.to_owned(), value)),
        }
        self
    }

    pub(crate) fn body(mut self, body: Vec<u8>) -> Self {
        self.body = Zeroizing::new(body);
        self
    }

    /// The path with its encoded query (`/v1/changes/42/wait?timeout=30s`).
    pub fn url(&self) -> String {
        if self.query.is_empty() {
            self.path.clone()
        } else {
            format!("{}?{}", self.path, wire::encode_query(&self.query))
        }
    }

    /// The value of header `name` (case-insensitive).
    pub fn header_value(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// `METHOD /path`, for error messages (without the query, which may name files).
    pub(crate) fn line(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query", &self.query)
            .field("headers", &self.headers)
            .field("body", &format_args!("[{} bytes]", self.body.len()))
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// One HTTP response: status, headers and the whole body.
///
/// `Debug` shows the body's length only: a pull carries file content.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Response {
    /// The HTTP status code.
    pub status: u16,
    /// The headers, in the order received.
    pub headers: Vec<(String, String)>,
    /// The body (de-chunked), zeroized when dropped.
    pub body: Zeroizing<Vec<u8>>,
}

impl Response {
    /// A response with `status`, `headers` and `body`.
    pub fn new(status: u16, headers: Vec<(String, String)>, body: impl Into<Vec<u8>>) -> Self {
        Self { status, headers, body: Zeroizing::new(body.into()) }
    }

    /// A `200 OK` response whose body is `json`, with `Content-Type: application/json`, as
    /// Pebble answers every API call but a file pull.
    pub fn json(json: impl Into<Vec<u8>>) -> Self {
        Self::new(200, vec![("Content-Type".to_owned(), "application/json".to_owned())], json)
    }

    /// The value of header `name` (case-insensitive).
    pub fn header_value(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

impl fmt::Debug for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Response")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("body", &format_args!("[{} bytes]", self.body.len()))
            .finish()
    }
}

/// One websocket message, as Pebble's exec streams use them (RFC 6455 data and close frames;
/// pings are answered below this level).
///
/// `Debug` shows the length of binary messages only: they carry stdin and output.
#[derive(Clone, PartialEq, Eq)]
pub enum Message {
    /// A text message: on exec's I/O streams an out-of-band command (`{"command":"end"}`), on
    /// the control stream a control command.
    Text(String),
    /// A binary message: I/O data.
    Binary(Vec<u8>),
    /// The connection was closed (a close frame, or the end of the stream).
    Close,
}

impl fmt::Debug for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Text(t) => f.debug_tuple("Text").field(t).finish(),
            Self::Binary(b) => write!(f, "Binary([{} bytes])", b.len()),
            Self::Close => f.write_str("Close"),
        }
    }
}

/// Carries the client's requests to Pebble: [`UnixTransport`] in production, a recording fake
/// in tests.
pub trait Transport: Send + Sync {
    /// Sends `request` and returns Pebble's response, whatever its status code (the client
    /// reads Pebble's error envelope from the body).
    fn send(&self, request: &Request) -> Result<Response, PebbleError>;

    /// Opens the websocket at `path` (`/v1/tasks/<task-id>/websocket/<id>`). Reading a
    /// message waits at most `timeout` (`None`: no limit).
    fn websocket(
        &self,
        path: &str,
        timeout: Option<Duration>,
    ) -> Result<Box<dyn WebSocket>, PebbleError>;
}

impl<T: Transport + ?Sized> Transport for Arc<T> {
    fn send(&self, request: &Request) -> Result<Response, PebbleError> {
        (**self).send(request)
    }

    fn websocket(
        &self,
        path: &str,
        timeout: Option<Duration>,
    ) -> Result<Box<dyn WebSocket>, PebbleError> {
        (**self).websocket(path, timeout)
    }
}

/// One open websocket. Sending and receiving may happen on two threads at once (exec writes
/// stdin while it reads output).
pub trait WebSocket: Send + Sync {
    /// Sends `message` ([`Message::Close`] sends a normal-closure close frame).
    fn send(&self, message: &Message) -> Result<(), PebbleError>;

    /// The next data message, or [`Message::Close`] once the peer closed.
    fn recv(&self) -> Result<Message, PebbleError>;
}

/// HTTP/1.1 over Pebble's Unix socket, one connection per request (`Connection: close`).
#[derive(Debug, Clone)]
pub struct UnixTransport {
    socket: PathBuf,
}

impl UnixTransport {
    /// A transport to the socket at `socket`.
    pub fn new(socket: impl Into<PathBuf>) -> Self {
        Self { socket: socket.into() }
    }

    /// The socket path.
    pub fn socket(&self) -> &Path {
        &self.socket
    }

    fn connect(&self, timeout: Option<Duration>, line: &str) -> Result<UnixStream, PebbleError> {
        let stream = UnixStream::connect(&self.socket)
            .map_err(|source| PebbleError::CannotConnect { socket: self.socket.clone(), source })?;
        let io = |source| PebbleError::Connection { request: line.to_owned(), source };
        stream.set_read_timeout(timeout).map_err(io)?;
        stream.set_write_timeout(timeout).map_err(io)?;
        Ok(stream)
    }
}

/// Maps an I/O error of a request to [`PebbleError::Timeout`] or [`PebbleError::Connection`].
pub(crate) fn io_error(
    source: std::io::Error,
    line: &str,
    timeout: Option<Duration>,
) -> PebbleError {
    use std::io::ErrorKind;
    match (source.kind(), timeout) {
        (ErrorKind::WouldBlock | ErrorKind::TimedOut, Some(after)) => {
            PebbleError::Timeout { request: line.to_owned(), after }
        }
        _ => PebbleError::Connection { request: line.to_owned(), source },
    }
}

impl Transport for UnixTransport {
    fn send(&self, request: &Request) -> Result<Response, PebbleError> {
        let line = request.line();
        let mut stream = self.connect(request.timeout, &line)?;
        let head = http::request_head(request);
        stream
            .write_all(head.as_bytes())
            .and_then(|()| stream.write_all(&request.body))
            .and_then(|()| stream.flush())
            .map_err(|e| io_error(e, &line, request.timeout))?;
        let mut reader = BufReader::new(stream);
        http::read_response(&mut reader).map_err(|e| match e {
            http::HttpError::Io(e) => io_error(e, &line, request.timeout),
            http::HttpError::Malformed(why) => PebbleError::protocol(&line, why),
        })
    }

    fn websocket(
        &self,
        path: &str,
        timeout: Option<Duration>,
    ) -> Result<Box<dyn WebSocket>, PebbleError> {
        let line = format!("GET {path}");
        // The handshake has the ordinary limit; reads after it wait as long as the caller says.
        let handshake_timeout = Some(Duration::from_secs(30));
        let stream = self.connect(handshake_timeout, &line)?;
        let ws = websocket::UnixWebSocket::handshake(stream, path, handshake_timeout)?;
        ws.set_read_timeout(timeout)?;
        Ok(Box::new(ws))
    }
}
