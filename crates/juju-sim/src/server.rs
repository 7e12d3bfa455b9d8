//! The unit agent's side of the hook tools while one hook runs (juju/juju
//! worker/uniter/runner/jujuc/server.go, `Server` and `Jujuc.Main`; the runner starts one per
//! hook, `startJujucServer`, and closes it when the hook's process has exited).
//!
//! [`Listener::bind`] takes a fresh Linux abstract socket name, unique to this process and run,
//! and [`Listener::serve`] serves it from one thread that owns the hook's [`Session`] and call
//! log, so calls are served one at a time, in the order they connect, as `Jujuc.Main` serialises
//! them under its mutex. Each connection carries one [`Request`] and one [`Response`]
//! ([`crate::wire`]). [`Server::stop`] stops accepting once the hook's process has exited: a
//! call already accepted is answered, one still queued is dropped unanswered, and a later
//! connection is refused; then the session and the calls are handed back.
//!
//! A call that reads stdin (`--file -`) but came without it is served on a copy of the session
//! and answered `hook tool requires stdin, none supplied` (`ErrNoStdin`), so nothing it did
//! stays and it is not logged; the client sends it again with its stdin (`StdinSet`).

use std::io::{self, Read, Write};
use std::os::linux::net::SocketAddrExt;
use std::os::unix::net::{SocketAddr, UnixListener, UnixStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::SimError;
use crate::outcome::Call;
use crate::session::Session;
use crate::tools::{Reply, serve};
use crate::wire::{NO_STDIN, Request, Response};

/// The tools that can read stdin, and then only with `--file -`.
const READS_STDIN: [&str; 4] = ["relation-set", "secret-add", "secret-set", "state-set"];

/// How long a connection may take to send its request; only a stuck client comes near it.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// What the agent knows of the running hook: its session and every call served so far (fault
/// injection counts them).
#[derive(Debug)]
pub(crate) struct Agent {
    /// The hook's session.
    pub session: Session,
    /// The calls served, in order.
    pub calls: Vec<Call>,
}

/// A bound, not yet served, agent socket.
#[derive(Debug)]
pub(crate) struct Listener {
    listener: UnixListener,
    name: String,
}

/// An agent socket being served from its own thread.
#[derive(Debug)]
pub(crate) struct Server {
    name: String,
    stopping: Arc<AtomicBool>,
    thread: Option<JoinHandle<Agent>>,
}

impl Listener {
    /// Binds a fresh abstract socket: `juju-sim/<pid>-<n>-<random>`, where `n` counts the
    /// sockets of this process and the random part (std's per-process hash seed, mixed with the
    /// time) tells apart processes that share a pid, e.g. in two PID namespaces that share one
    /// network namespace (abstract names are per network namespace).
    pub(crate) fn bind() -> Result<Listener, SimError> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let mut last = None;
        for _ in 0..8 {
            let name = format!(
                "juju-sim/{}-{}-{:016x}",
                std::process::id(),
                NEXT.fetch_add(1, Ordering::Relaxed),
                random()
            );
            let bound = SocketAddr::from_abstract_name(&name)
                .and_then(|addr| UnixListener::bind_addr(&addr));
            match bound {
                Ok(listener) => return Ok(Listener { listener, name }),
                Err(e) if e.kind() == io::ErrorKind::AddrInUse => last = Some(e),
                Err(e) => return Err(SimError::Socket(e)),
            }
        }
        Err(SimError::Socket(last.unwrap_or_else(|| io::ErrorKind::AddrInUse.into())))
    }

    /// `JUJU_AGENT_SOCKET_ADDRESS`: the name with `@`, Juju's mark of an abstract socket.
    pub(crate) fn address(&self) -> String {
        format!("@{}", self.name)
    }

    /// Serves `agent` on this socket from a new thread until [`Server::stop`].
    pub(crate) fn serve(self, agent: Agent) -> Result<Server, SimError> {
        let stopping = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stopping);
        let Listener { listener, name } = self;
        let thread = std::thread::Builder::new()
            .name("juju-sim-agent".into())
            .spawn(move || accept_loop(&listener, &flag, agent))
            .map_err(SimError::Socket)?;
        Ok(Server { name, stopping, thread: Some(thread) })
    }
}

impl Server {
    /// Stops serving (the socket is closed before this returns) and hands back the session and
    /// the calls. A panic of a tool in the serving thread is resumed here.
    pub(crate) fn stop(mut self) -> Agent {
        match self.halt() {
            Some(Ok(agent)) => agent,
            Some(Err(panic)) => std::panic::resume_unwind(panic),
            None => unreachable!("a server is stopped once"),
        }
    }

    fn halt(&mut self) -> Option<std::thread::Result<Agent>> {
        let thread = self.thread.take()?;
        self.stopping.store(true, Ordering::SeqCst);
        // Wake `accept`. If the thread is gone already (a panic), the connection is refused.
        if let Ok(addr) = SocketAddr::from_abstract_name(&self.name) {
            let _ = UnixStream::connect_addr(&addr);
        }
        Some(thread.join())
    }
}

impl Drop for Server {
    /// A harness that returns early (an error, a panic) still stops its server.
    fn drop(&mut self) {
        let _ = self.halt();
    }
}

fn accept_loop(listener: &UnixListener, stopping: &AtomicBool, mut agent: Agent) -> Agent {
    loop {
        let accepted = listener.accept();
        if stopping.load(Ordering::SeqCst) {
            // The hook is over: the listener is dropped with whatever is still queued, so
            // those calls end unanswered and later ones are refused.
            return agent;
        }
        match accepted {
            Ok((conn, _)) => answer(&mut agent, conn),
            // E.g. out of file descriptors: let the client's side fail, and try again.
            Err(_) => std::thread::sleep(Duration::from_millis(1)),
        }
    }
}

/// Reads one request from `conn`, serves it and writes the response.
fn answer(agent: &mut Agent, mut conn: UnixStream) {
    let mut bytes = Vec::new();
    let read =
        conn.set_read_timeout(Some(REQUEST_TIMEOUT)).and_then(|()| conn.read_to_end(&mut bytes));
    let response = match (read, Request::decode(&bytes)) {
        (Ok(_), Some(request)) => handle(agent, request),
        (Ok(_), None) => Response::Error("bad request: malformed request".into()),
        // The client went away or stalled; there is no one to answer.
        (Err(_), _) => return,
    };
    // A client killed meanwhile has nobody left to read this.
    let _ = conn.write_all(&response.encode());
}

/// `Jujuc.Main`: checks the request, then runs the tool against the session.
fn handle(agent: &mut Agent, request: Request) -> Response {
    let Request { context_id, dir, command, args, stdin } = request;
    if command.is_empty() {
        return Response::Error("bad request: command not specified".into());
    }
    if !dir.is_absolute() {
        return Response::Error("bad request: Dir is not absolute".into());
    }
    if context_id != agent.session.ctx.context_id {
        return Response::Error(format!("bad request: unknown context {context_id:?}"));
    }
    agent.session.call_dir = Some(dir);
    let reply = run(agent, &command, &args, stdin);
    agent.session.call_dir = None;
    let Some(reply) = reply else {
        return Response::Error(NO_STDIN.into());
    };
    agent.calls.push(Call { tool: command, args, code: reply.code });
    Response::Done { code: reply.code, stdout: reply.stdout, stderr: reply.stderr }
}

/// Runs the tool; `None` if it needs the stdin it was not sent, and then nothing it did stays.
fn run(agent: &mut Agent, command: &str, args: &[String], stdin: Option<Vec<u8>>) -> Option<Reply> {
    let Agent { session, calls } = agent;
    if let Some(input) = stdin {
        return Some(serve(session, command, args, &mut input.as_slice(), calls));
    }
    let mut none = NoStdin::default();
    if !may_read_stdin(command, args) {
        let reply = serve(session, command, args, &mut none, calls);
        debug_assert!(!none.asked, "{command} read stdin without --file -");
        return Some(reply);
    }
    let mut trial = session.clone();
    let reply = serve(&mut trial, command, args, &mut none, calls);
    if none.asked {
        return None;
    }
    *session = trial;
    Some(reply)
}

/// Whether the call may read stdin: one of [`READS_STDIN`] with a `-` argument (`--file -`,
/// `--file=-`; a flag's value is the next argument or follows `=`).
fn may_read_stdin(command: &str, args: &[String]) -> bool {
    READS_STDIN.contains(&command) && args.iter().any(|a| a == "-" || a.ends_with("=-"))
}

/// The stdin of a call sent without one: reading it fails (`noStdinReader`) and is noted.
#[derive(Default)]
struct NoStdin {
    asked: bool,
}

impl Read for NoStdin {
    fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
        self.asked = true;
        Err(io::Error::other(NO_STDIN))
    }
}

/// 64 random-enough bits: std's randomly seeded hasher over the time.
fn random() -> u64 {
    use std::hash::BuildHasher;
    std::collections::hash_map::RandomState::new().hash_one(std::time::SystemTime::now())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CharmMeta, Event, State};

    fn agent() -> (Agent, juju_charm::RelationId) {
        let meta = CharmMeta::from_yaml(
            "name: app\nprovides:\n  db:\n    interface: pg\n",
            "options: {}\n",
            "{}\n",
        )
        .unwrap();
        let mut state = State::new(meta, "app", "model");
        let rel = state.add_relation("db", "pg", 1);
        let ctx = crate::event::prepare(&mut state, 0, &Event::UpdateStatus).unwrap();
        (Agent { session: Session::new(state, ctx, Vec::new()), calls: Vec::new() }, rel)
    }

    fn request(agent: &Agent, command: &str, args: &[&str], stdin: Option<&str>) -> Request {
        Request {
            context_id: agent.session.ctx.context_id.clone(),
            dir: "/".into(),
            command: command.into(),
            args: args.iter().map(|a| (*a).to_owned()).collect(),
            stdin: stdin.map(|s| s.as_bytes().to_vec()),
        }
    }

    #[test]
    fn a_call_that_needs_stdin_is_refused_without_a_trace_then_served_with_it() {
        let (mut agent, rel) = agent();
        let r = rel.to_string();
        let args = ["-r", r.as_str(), "--file", "-", "extra=1"];
        let before = agent.session.work.clone();
        let req = request(&agent, "relation-set", &args, None);
        assert_eq!(handle(&mut agent, req), Response::Error(NO_STDIN.into()));
        assert_eq!(agent.session.work, before);
        assert!(agent.calls.is_empty(), "the attempt without stdin is not a call");
        let req = request(&agent, "relation-set", &args, Some("{\"a\": \"b\"}"));
        assert!(matches!(handle(&mut agent, req), Response::Done { code: 0, .. }));
        let bag = agent.session.work.local_unit_data(&rel, 0).unwrap();
        assert_eq!((bag["a"].as_str(), bag["extra"].as_str()), ("b", "1"));
        assert_eq!(agent.calls.len(), 1);
        // Without `-` the call is served at once and never asks.
        let req = request(&agent, "relation-set", &["-r", &r, "c=d"], None);
        assert!(matches!(handle(&mut agent, req), Response::Done { code: 0, .. }));
        assert_eq!(agent.calls.len(), 2);
    }

    #[test]
    fn bad_requests_are_refused_as_jujuc_refuses_them() {
        let (mut agent, _) = agent();
        let mut req = request(&agent, "is-leader", &[], None);
        req.context_id = "other".into();
        let refused = |e: &str| Response::Error(format!("bad request: {e}"));
        assert_eq!(handle(&mut agent, req), refused("unknown context \"other\""));
        let mut req = request(&agent, "is-leader", &[], None);
        req.dir = "charm".into();
        assert_eq!(handle(&mut agent, req), refused("Dir is not absolute"));
        let req = request(&agent, "", &[], None);
        assert_eq!(handle(&mut agent, req), refused("command not specified"));
        assert!(agent.calls.is_empty());
    }
}
