//! The containers' Pebble servers for one run: each container of the running unit is served
//! on a real Unix socket, `<dir>/<container>/pebble.socket`, from threads of the test's
//! process, while the charm runs; `<dir>` reaches the charm as `CHARM_CONTAINERS_DIR`. (In a
//! Juju pod each workload container's Pebble listens on `/charm/containers/<name>/pebble.socket`
//! of the charm container, a shared volume; the simulator cannot mount there, hence the
//! variable.)
//!
//! A container that cannot connect has a socket file with no server behind it, so connecting
//! is refused (`ECONNREFUSED`), as when the workload's Pebble is not up yet. One that can is
//! served by an accepting thread that starts a thread per connection, so a charm can hold the
//! three websockets of an `exec` and wait on its change at once. When the run ends the sockets
//! are closed, every connection is shut, and the containers, as the charm left them, go back
//! into the state.

mod api;
mod http;
mod websocket;

use std::collections::BTreeMap;
use std::io::{BufReader, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use self::api::{Reply, Shared, finish_exec, handle, record_stdin};
use self::http::{Request, Response, read_request, write_response};
use self::websocket::{BINARY, CLOSE, TEXT, handshake_response, read_message, write_frame};
use crate::SimError;
use crate::state::Container;

/// The `end` message of Pebble's I/O websockets (wsutil `endCommandJSON`).
const END: &[u8] = br#"{"command":"end"}"#;

/// The running servers of one run.
#[derive(Debug)]
pub(crate) struct Pebbles {
    dir: PathBuf,
    servers: Vec<Server>,
    /// Containers that cannot connect, kept as they were.
    unreachable: BTreeMap<String, Container>,
}

#[derive(Debug)]
struct Server {
    shared: Arc<Shared>,
    socket: PathBuf,
    stopping: Arc<AtomicBool>,
    connections: Arc<Connections>,
    accept: Option<JoinHandle<()>>,
}

impl Pebbles {
    /// A fresh directory for a run's sockets, under the system's temporary directory: short,
    /// as a socket's path must be (108 bytes on Linux).
    pub(crate) fn fresh_dir() -> PathBuf {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        std::env::temp_dir().join(format!(
            "juju-sim-pebble-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ))
    }

    /// Serves `containers` under `dir`, which is made (and removed by [`Pebbles::stop`]).
    pub(crate) fn start(
        dir: &Path,
        containers: BTreeMap<String, Container>,
    ) -> Result<Pebbles, SimError> {
        let mut pebbles =
            Pebbles { dir: dir.to_path_buf(), servers: Vec::new(), unreachable: BTreeMap::new() };
        for (name, container) in containers {
            let sub = dir.join(&name);
            std::fs::create_dir_all(&sub).map_err(|e| SimError::io(&sub, e))?;
            let socket = sub.join("pebble.socket");
            let _ = std::fs::remove_file(&socket);
            let listener = UnixListener::bind(&socket).map_err(SimError::Socket)?;
            if !container.can_connect {
                // The file stays with nothing listening: connecting is refused.
                drop(listener);
                pebbles.unreachable.insert(name, container);
                continue;
            }
            let shared = Arc::new(Shared {
                name: name.clone(),
                container: Mutex::new(container),
                changed: Condvar::new(),
                execs: Mutex::new(BTreeMap::new()),
            });
            let stopping = Arc::new(AtomicBool::new(false));
            let connections = Arc::new(Mutex::new(Vec::new()));
            let accept = {
                let (shared, stopping, connections) =
                    (Arc::clone(&shared), Arc::clone(&stopping), Arc::clone(&connections));
                std::thread::Builder::new()
                    .name(format!("juju-sim-pebble-{name}"))
                    .spawn(move || accept_loop(&listener, &shared, &stopping, &connections))
                    .map_err(SimError::Socket)?
            };
            pebbles.servers.push(Server {
                shared,
                socket,
                stopping,
                connections,
                accept: Some(accept),
            });
        }
        Ok(pebbles)
    }

    /// `CHARM_CONTAINERS_DIR`.
    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    /// Stops serving, shuts every connection, removes the sockets' directory, and returns the
    /// containers as the charm left them.
    pub(crate) fn stop(mut self) -> BTreeMap<String, Container> {
        let mut out = std::mem::take(&mut self.unreachable);
        for mut server in std::mem::take(&mut self.servers) {
            server.halt();
            let container = server.shared.lock().clone();
            out.insert(server.shared.name.clone(), container);
        }
        let _ = std::fs::remove_dir_all(&self.dir);
        out
    }
}

impl Server {
    fn halt(&mut self) {
        let Some(accept) = self.accept.take() else { return };
        self.stopping.store(true, Ordering::SeqCst);
        // Wake `accept`.
        let _ = UnixStream::connect(&self.socket);
        let _ = accept.join();
        let connections = std::mem::take(
            &mut *self.connections.lock().unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        for (stream, _) in &connections {
            let _ = stream.shutdown(std::net::Shutdown::Both);
        }
        for (_, thread) in connections {
            let _ = thread.join();
        }
    }
}

impl Drop for Pebbles {
    /// A run that ends early (an error, a panic) still stops its servers.
    fn drop(&mut self) {
        for server in &mut self.servers {
            server.halt();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A server's open connections: a handle on each stream (to shut it) and its thread.
type Connections = Mutex<Vec<(UnixStream, JoinHandle<()>)>>;

fn accept_loop(
    listener: &UnixListener,
    shared: &Arc<Shared>,
    stopping: &AtomicBool,
    connections: &Arc<Connections>,
) {
    loop {
        let accepted = listener.accept();
        if stopping.load(Ordering::SeqCst) {
            return;
        }
        let Ok((stream, _)) = accepted else {
            std::thread::sleep(Duration::from_millis(1));
            continue;
        };
        let Ok(copy) = stream.try_clone() else { continue };
        let shared = Arc::clone(shared);
        let spawned = std::thread::Builder::new()
            .name("juju-sim-pebble-conn".into())
            .spawn(move || serve_connection(&shared, stream));
        if let Ok(thread) = spawned {
            connections
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push((copy, thread));
        }
    }
}

/// Serves requests on one connection until the client closes it or upgrades it.
fn serve_connection(shared: &Shared, stream: UnixStream) {
    let Ok(read_half) = stream.try_clone() else { return };
    let mut reader = BufReader::new(read_half);
    let mut writer = stream;
    loop {
        let req = match read_request(&mut reader) {
            Ok(Some(r)) => r,
            Ok(None) => return,
            Err(_) => {
                let resp = Response::json(400, String::new());
                let _ = write_response(&mut writer, &resp, true);
                return;
            }
        };
        match handle(shared, &req) {
            Reply::Http(resp) => {
                if write_response(&mut writer, &resp, req.close).is_err() || req.close {
                    return;
                }
            }
            Reply::Websocket { task, id } => {
                upgrade(shared, &req, &task, &id, reader, writer);
                return;
            }
        }
    }
}

/// The websocket's handshake, then its part of the exec: `stdio` and `stderr` carry the
/// output (and `stdio` the charm's stdin), `control` is closed when the command ends.
fn upgrade(
    shared: &Shared,
    req: &Request,
    task: &str,
    id: &str,
    mut reader: BufReader<UnixStream>,
    mut writer: UnixStream,
) {
    let upgrade = req.header("upgrade").is_some_and(|u| u.eq_ignore_ascii_case("websocket"));
    let connection =
        req.header("connection").is_some_and(|c| c.to_ascii_lowercase().contains("upgrade"));
    let key = req.header("sec-websocket-key").unwrap_or("");
    if !connection || !upgrade || key.is_empty() {
        // gorilla/websocket's Upgrader answers a plain HTTP request so.
        let why = if !connection {
            "websocket: the client is not using the websocket protocol: 'upgrade' token not \
             found in 'Connection' header"
        } else if !upgrade {
            "websocket: the client is not using the websocket protocol: 'websocket' token not \
             found in 'Upgrade' header"
        } else {
            "websocket: not a websocket handshake: 'Sec-WebSocket-Key' header must be Base64 \
             encoded value of 16-byte in length"
        };
        let resp = Response {
            status: 400,
            headers: vec![("Content-Type".into(), "text/plain; charset=utf-8".into())],
            body: format!("{why}\n").into_bytes(),
        };
        let _ = write_response(&mut writer, &resp, true);
        return;
    }
    if writer.write_all(handshake_response(key).as_bytes()).is_err() {
        return;
    }
    let Ok(stream) = writer.try_clone() else { return };
    let (call, run) = {
        let mut sessions = shared.sessions();
        let Some(session) = sessions.get_mut(task) else { return };
        session.connected.push(id.to_owned());
        session.streams.insert(id.to_owned(), stream);
        let io_ready = session.connected.iter().any(|c| c == "stdio")
            && (!session.split_stderr || session.connected.iter().any(|c| c == "stderr"));
        let run = io_ready && !session.done;
        if run {
            session.done = true;
        }
        (session.call, run)
    };
    if run {
        run_exec(shared, task);
    }
    // Read what the client sends until it closes: stdin on `stdio` (until its `end`), control
    // commands (signals, resizes) on `control`, nothing on `stderr`.
    let mut stdin_open = id == "stdio";
    while let Ok(message) = read_message(&mut reader, &mut writer) {
        match message.opcode {
            CLOSE => break,
            BINARY if stdin_open => record_stdin(shared, call, &message.payload),
            TEXT if stdin_open && is_end(&message.payload) => stdin_open = false,
            _ => {}
        }
    }
    let _ = writer.shutdown(std::net::Shutdown::Both);
}

fn is_end(payload: &[u8]) -> bool {
    serde_json::from_slice::<serde_json::Value>(payload)
        .is_ok_and(|v| v.get("command").and_then(serde_json::Value::as_str) == Some("end"))
}

/// Runs the handler once its I/O is connected: its output on `stdio` (stderr too, unless split
/// onto `stderr`), each stream ended with `{"command":"end"}` (wsutil `WebsocketSendStream`);
/// then the exit code goes into the change, and `control` is closed, as cmdstate's `do` does.
fn run_exec(shared: &Shared, task: &str) {
    let (change, stdout, stderr, code, split, mut streams) = {
        let mut sessions = shared.sessions();
        let Some(s) = sessions.get_mut(task) else { return };
        let streams: BTreeMap<String, UnixStream> =
            s.streams.iter().filter_map(|(k, v)| Some((k.clone(), v.try_clone().ok()?))).collect();
        (s.change.clone(), s.stdout.clone(), s.stderr.clone(), s.exit_code, s.split_stderr, streams)
    };
    if let Some(stdio) = streams.get_mut("stdio") {
        let mut out = stdout;
        if !split {
            out.extend_from_slice(&stderr);
        }
        if !out.is_empty() {
            let _ = write_frame(stdio, BINARY, &out);
        }
        let _ = write_frame(stdio, TEXT, END);
    }
    if split && let Some(err) = streams.get_mut("stderr") {
        if !stderr.is_empty() {
            let _ = write_frame(err, BINARY, &stderr);
        }
        let _ = write_frame(err, TEXT, END);
    }
    finish_exec(shared, &change, code);
    if let Some(control) = streams.get("control") {
        let _ = control.shutdown(std::net::Shutdown::Both);
    }
    // A control websocket that connects later finds the command over.
    shared.sessions().remove(task);
}
