//! Running a command in the container (canonical/pebble `client/exec.go`; the server side is
//! `internals/daemon/api_exec.go` and `internals/overlord/cmdstate/handlers.go`).
//!
//! The flow, as Pebble's Go client runs it:
//!
//! 1. `POST /v1/exec` with the command; Pebble answers `202` with a change ID and
//!    `{"task-id": ...}`, and waits (up to 5 s) for the client's websockets.
//! 2. Websockets `GET /v1/tasks/<task-id>/websocket/control`, `.../stdio` and, unless stderr is
//!    combined into stdout, `.../stderr`. Pebble starts the command once `stdio` (and
//!    `stderr`) are connected.
//! 3. Stdin goes to `stdio` as binary messages, then the text message `{"command":"end"}`.
//!    Stdout comes from `stdio` and stderr from `stderr` as binary messages, each stream ended
//!    by `{"command":"end"}`. The control socket stays open while the command runs (Pebble
//!    kills the command if it drops abnormally); this client sends on it only
//!    `{"command":"signal","signal":{"name":"SIGKILL"}}` when its own timeout passes.
//! 4. `GET /v1/changes/<id>/wait` (with the command's timeout plus a second, when it has one);
//!    the exit code is the first task's `data["exit-code"]`.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, Zeroizing};

use super::transport::{Message, WebSocket};
use super::{Client, MARGIN, PebbleError, decode, encoded_body, wire};
use crate::secret::SecretString;

/// How much stdin goes in one websocket message (Pebble's `wsutil` reads 128 KiB at a time).
const STDIN_CHUNK: usize = 128 * 1024;

/// The text message that ends an I/O stream (Pebble's `wsutil`, `endCommandJSON`).
const END: &str = r#"{"command":"end"}"#;

/// A command for [`Client::exec`].
///
/// `Debug` shows the executable and the number of arguments, the environment's names and the
/// length of stdin: arguments, values and stdin may be secret.
#[derive(Clone, Default)]
pub struct ExecOptions {
    command: Vec<String>,
    service_context: Option<String>,
    environment: BTreeMap<String, String>,
    working_dir: Option<String>,
    timeout: Option<Duration>,
    user_id: Option<u32>,
    user: Option<String>,
    group_id: Option<u32>,
    group: Option<String>,
    stdin: Zeroizing<Vec<u8>>,
    combine_stderr: bool,
}

impl fmt::Debug for ExecOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExecOptions")
            .field("executable", &self.command.first())
            .field("arguments", &self.command.len().saturating_sub(1))
            .field("service_context", &self.service_context)
            .field("environment", &self.environment.keys().collect::<Vec<_>>())
            .field("working_dir", &self.working_dir)
            .field("timeout", &self.timeout)
            .field("user_id", &self.user_id)
            .field("user", &self.user)
            .field("group_id", &self.group_id)
            .field("group", &self.group)
            .field("stdin", &format_args!("[{} bytes]", self.stdin.len()))
            .field("combine_stderr", &self.combine_stderr)
            .finish()
    }
}

impl ExecOptions {
    /// Runs `command` (the executable, then its arguments), found on Pebble's `PATH`.
    pub fn new<I, S>(command: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self { command: command.into_iter().map(Into::into).collect(), ..Self::default() }
    }

    /// Adds environment variable `name=value` (on top of Pebble's, or the service context's).
    #[must_use]
    pub fn environment(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.environment.insert(name.into(), value.into());
        self
    }

    /// Runs in this directory (default: the user's home, or `/`).
    #[must_use]
    pub fn working_dir(mut self, dir: impl Into<String>) -> Self {
        self.working_dir = Some(dir.into());
        self
    }

    /// Runs with service `service`'s environment, user, group and working directory (the
    /// options here override them).
    #[must_use]
    pub fn service_context(mut self, service: impl Into<String>) -> Self {
        self.service_context = Some(service.into());
        self
    }

    /// Kills the command after `timeout` (Pebble's own timeout; the change then fails with
    /// `timed out after ...`). Without one, [`Client::exec`] waits as long as it runs.
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Runs as this user ID.
    #[must_use]
    pub fn user_id(mut self, uid: u32) -> Self {
        self.user_id = Some(uid);
        self
    }

    /// Runs as this user.
    #[must_use]
    pub fn user(mut self, name: impl Into<String>) -> Self {
        self.user = Some(name.into());
        self
    }

    /// Runs with this group ID.
    #[must_use]
    pub fn group_id(mut self, gid: u32) -> Self {
        self.group_id = Some(gid);
        self
    }

    /// Runs with this group.
    #[must_use]
    pub fn group(mut self, name: impl Into<String>) -> Self {
        self.group = Some(name.into());
        self
    }

    /// Feeds `stdin` to the command's standard input (default: none, an immediate end).
    #[must_use]
    pub fn stdin(mut self, stdin: impl Into<Vec<u8>>) -> Self {
        self.stdin = Zeroizing::new(stdin.into());
        self
    }

    /// Feeds a secret to the command's standard input: the way to give a command a secret
    /// without putting it on its command line.
    #[must_use]
    pub fn stdin_secret(self, secret: &SecretString) -> Self {
        // Exposed into a zeroized buffer that goes only to the websocket.
        self.stdin(secret.expose().as_bytes())
    }

    /// Sends stderr into stdout (one stream, as a terminal shows them) instead of capturing it
    /// separately.
    #[must_use]
    pub fn combine_stderr(mut self, combine: bool) -> Self {
        self.combine_stderr = combine;
        self
    }
}

/// What a command run by [`Client::exec`] printed, and how it exited.
///
/// `Debug` shows the lengths of the output only.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ExecOutput {
    /// The exit code.
    pub exit_code: i32,
    /// Standard output (with stderr when combined).
    pub stdout: Vec<u8>,
    /// Standard error (empty when combined).
    pub stderr: Vec<u8>,
    command: String,
}

impl fmt::Debug for ExecOutput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExecOutput")
            .field("command", &self.command)
            .field("exit_code", &self.exit_code)
            .field("stdout", &format_args!("[{} bytes]", self.stdout.len()))
            .field("stderr", &format_args!("[{} bytes]", self.stderr.len()))
            .finish()
    }
}

impl ExecOutput {
    /// Whether the command exited 0.
    pub fn success(&self) -> bool {
        self.exit_code == 0
    }

    /// The output if the command exited 0, else [`PebbleError::ExitCode`] (which names the
    /// executable only, never the output).
    pub fn exit_ok(self) -> Result<Self, PebbleError> {
        if self.success() {
            Ok(self)
        } else {
            Err(PebbleError::ExitCode { command: self.command, exit_code: self.exit_code })
        }
    }
}

/// The body of `POST /v1/exec` (Go's `execPayload`, every field `omitempty`).
#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Payload<'a> {
    command: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    service_context: Option<&'a str>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    environment: &'a BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    working_dir: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    timeout: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    user_id: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    user: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    group_id: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    group: Option<&'a str>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    split_stderr: bool,
}

/// A control message as Pebble's Go client writes it (`execCommand`: `signal` and `resize`
/// are `omitempty`).
pub(crate) fn signal_message(name: &str) -> String {
    serde_json::json!({"command": "signal", "signal": {"name": name}}).to_string()
}

/// Sends `stdin` in chunks, then the end of the stream. Each chunk's copy is zeroized once sent.
fn send_stdin(ws: &dyn WebSocket, stdin: &[u8]) -> Result<(), PebbleError> {
    for chunk in stdin.chunks(STDIN_CHUNK) {
        let mut message = Message::Binary(chunk.to_vec());
        let sent = ws.send(&message);
        if let Message::Binary(data) = &mut message {
            data.zeroize();
        }
        sent?;
    }
    ws.send(&Message::Text(END.to_owned()))
}

/// Reads an output stream until `{"command":"end"}` or the close of the socket, as Pebble's
/// `wsutil.WebsocketRecvStream` does (other text messages are ignored).
fn recv_stream(ws: &dyn WebSocket) -> Result<Vec<u8>, PebbleError> {
    #[derive(Deserialize)]
    struct Command {
        #[serde(default)]
        command: String,
    }
    let mut out = Vec::new();
    loop {
        match ws.recv()? {
            Message::Binary(data) => out.extend_from_slice(&data),
            Message::Text(text) => {
                if serde_json::from_str::<Command>(&text).is_ok_and(|c| c.command == "end") {
                    return Ok(out);
                }
            }
            Message::Close => return Ok(out),
        }
    }
}

impl Client {
    /// Runs a command in the container and returns its exit code and output, whatever the exit
    /// code ([`ExecOutput::exit_ok`] turns a non-zero one into an error).
    ///
    /// Output is kept in memory whole. Stdin, arguments and output never reach a log or an
    /// error message. A failed change (the executable not found, Pebble's timeout) is
    /// [`PebbleError::ChangeFailed`]; when the client's own wait (the timeout plus 5 s) passes
    /// first, it sends `SIGKILL` to the command and fails with [`PebbleError::Timeout`].
    pub fn exec(&self, options: &ExecOptions) -> Result<ExecOutput, PebbleError> {
        let Some(executable) = options.command.first() else {
            return Err(PebbleError::invalid("exec needs a command: give at least the executable"));
        };
        let payload = Payload {
            command: &options.command,
            service_context: options.service_context.as_deref(),
            environment: &options.environment,
            working_dir: options.working_dir.as_deref(),
            timeout: options.timeout.filter(|t| !t.is_zero()).map(wire::format_duration),
            user_id: options.user_id,
            user: options.user.as_deref(),
            group_id: options.group_id,
            group: options.group.as_deref(),
            split_stderr: !options.combine_stderr,
        };
        let request = self.request("POST", "/v1/exec").body(encoded_body(&payload));
        let (change_id, result) = self.start(&request)?;
        #[derive(Deserialize)]
        struct Started {
            #[serde(rename = "task-id")]
            task_id: String,
        }
        let line = request.line();
        let started: Started = decode(&line, result, "an object with a task-id")?;
        let task = started.task_id;
        if task.is_empty() || !task.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(PebbleError::protocol(&line, "the task ID is not alphanumeric"));
        }

        let read_timeout = options.timeout.map(|t| t + MARGIN);
        let open = |id: &str| {
            self.transport.websocket(&format!("/v1/tasks/{task}/websocket/{id}"), read_timeout)
        };
        let control = open("control")?;
        let stdio = open("stdio")?;
        let stderr = if options.combine_stderr { None } else { Some(open("stderr")?) };

        let io = std::thread::scope(|s| {
            let stdio = &*stdio;
            let writer = s.spawn(|| send_stdin(stdio, &options.stdin));
            let errors = stderr.as_deref().map(|ws| s.spawn(move || recv_stream(ws)));
            let out = recv_stream(stdio);
            let panicked = || PebbleError::protocol(&line, "an exec I/O thread panicked");
            // A command that does not read its stdin may leave it unsent: not an error.
            let _ = writer.join();
            let err =
                errors.map_or(Ok(Vec::new()), |h| h.join().unwrap_or_else(|_| Err(panicked())));
            out.and_then(|out| Ok((out, err?)))
        });
        let close = || {
            for ws in [Some(&control), Some(&stdio), stderr.as_ref()].into_iter().flatten() {
                let _ = ws.send(&Message::Close);
            }
        };
        let (stdout, stderr_out) = match io {
            Ok(output) => output,
            Err(e) => {
                if e.is_timeout() {
                    // Our wait ended before Pebble's: do not leave the command running.
                    let _ = control.send(&Message::Text(signal_message("SIGKILL")));
                }
                close();
                return Err(e);
            }
        };
        let exit_code =
            self.wait_exec(&change_id, options.timeout.map(|t| t + Duration::from_secs(1)));
        close();
        Ok(ExecOutput {
            exit_code: exit_code?,
            stdout,
            stderr: stderr_out,
            command: executable.clone(),
        })
    }
}
