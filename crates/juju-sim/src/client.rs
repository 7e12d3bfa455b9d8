//! The hook-tool side of a call, as thin as Juju's own `jujuc` (juju/juju cmd/jujuc/main.go,
//! `hookToolMain`): read `JUJU_CONTEXT_ID` and `JUJU_AGENT_SOCKET_ADDRESS` /
//! `JUJU_AGENT_SOCKET_NETWORK`, send the call to the agent serving the hook ([`crate::server`]),
//! print what comes back and exit with its code. The model never enters this process: a call
//! costs one small request and answer on a Unix socket on top of starting the process.
//!
//! Like `jujuc`, the first request carries no stdin; if the tool needs it (`--file -`) the agent
//! answers `hook tool requires stdin, none supplied` (`ErrNoStdin`) and the client reads its
//! stdin to the end and sends the call again with it (`StdinSet`). A tool that takes no stdin
//! never reads it, so an open pipe on stdin cannot block it.
//!
//! This module must stay free of the model ([`crate::State`], the tools, serde): it is all the
//! `juju-sim` binary links.

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;

use crate::wire::{NO_STDIN, Request, Response};

/// Entry of the multi-call hook-tool binary: sends the call of `tool` (argv\[0\]'s basename)
/// with `args` to the agent at `JUJU_AGENT_SOCKET_ADDRESS` (`@name` is a Linux abstract socket,
/// anything else a socket path), writes its output and returns its exit code. A call the agent
/// refuses, or no agent at all, prints `ERROR …` and returns 1.
pub fn multicall_main(
    tool: &str,
    args: &[String],
    stdin: &mut dyn Read,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> i32 {
    match call(tool, args, stdin) {
        Ok((code, out, err)) => {
            let written = stdout.write_all(&out).and_then(|()| stderr.write_all(&err));
            if written.is_err() { 1 } else { code }
        }
        Err(msg) => {
            // Nothing more can be reported if stderr itself is gone.
            let _ = writeln!(stderr, "ERROR {msg}");
            1
        }
    }
}

/// One call: exit code, stdout and stderr, or why there is none.
fn call(
    tool: &str,
    args: &[String],
    stdin: &mut dyn Read,
) -> Result<(i32, Vec<u8>, Vec<u8>), String> {
    let address = std::env::var("JUJU_AGENT_SOCKET_ADDRESS")
        .ok()
        .filter(|a| !a.is_empty())
        .ok_or("JUJU_AGENT_SOCKET_ADDRESS not set")?;
    let context_id = std::env::var("JUJU_CONTEXT_ID").map_err(|_| "JUJU_CONTEXT_ID not set")?;
    let network = std::env::var("JUJU_AGENT_SOCKET_NETWORK")
        .ok()
        .filter(|n| !n.is_empty())
        .ok_or("JUJU_AGENT_SOCKET_NETWORK not set")?;
    if network != "unix" {
        return Err(format!("cannot connect to agent: unsupported network {network:?}"));
    }
    let dir = std::env::current_dir().map_err(|e| e.to_string())?;
    let mut request =
        Request { context_id, dir, command: tool.to_owned(), args: args.to_vec(), stdin: None };
    let mut response = send(&address, &request)?;
    if matches!(&response, Response::Error(e) if e == NO_STDIN) {
        let mut input = Vec::new();
        stdin.read_to_end(&mut input).map_err(|e| format!("cannot read stdin: {e}"))?;
        request.stdin = Some(input);
        response = send(&address, &request)?;
    }
    match response {
        Response::Done { code, stdout, stderr } => Ok((code, stdout, stderr)),
        Response::Error(e) => Err(e),
    }
}

/// Sends `request` on a new connection and reads the answer.
fn send(address: &str, request: &Request) -> Result<Response, String> {
    let mut conn = connect(address).map_err(|e| format!("cannot connect to agent: {e}"))?;
    let lost = |e: std::io::Error| format!("lost connection to agent: {e}");
    conn.write_all(&request.encode()).map_err(lost)?;
    conn.shutdown(std::net::Shutdown::Write).map_err(lost)?;
    let mut bytes = Vec::new();
    conn.read_to_end(&mut bytes).map_err(lost)?;
    Response::decode(&bytes).ok_or_else(|| {
        if bytes.is_empty() {
            "lost connection to agent: closed without an answer".to_owned()
        } else {
            "lost connection to agent: malformed answer".to_owned()
        }
    })
}

fn connect(address: &str) -> std::io::Result<UnixStream> {
    match address.strip_prefix('@') {
        Some(name) => {
            use std::os::linux::net::SocketAddrExt;
            let addr = std::os::unix::net::SocketAddr::from_abstract_name(name)?;
            UnixStream::connect_addr(&addr)
        }
        None => UnixStream::connect(address),
    }
}
