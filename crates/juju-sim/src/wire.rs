//! The bytes of one hook-tool call on the agent socket, shared by the client ([`crate::client`],
//! in every hook-tool process) and the server ([`crate::server`], in the harness).
//!
//! The messages are Juju's: a [`Request`] is juju/juju `jujuc.Request` (`ContextId`, `Dir`,
//! `CommandName`, `Args`, `StdinSet` + `Stdin`), a [`Response`] is either
//! `exec.ExecResponse` (`Code`, `Stdout`, `Stderr`) or the error `Jujuc.Main` returns instead
//! (`bad request: …`, or [`NO_STDIN`]). Juju sends them with Go's `net/rpc`; here each is one
//! message per direction on its own connection: the client writes the request and shuts down
//! its write half, the server answers and closes. The encoding is a flat sequence of fields,
//! each byte string prefixed by its length (u32, little-endian), so stdin and output travel as
//! raw bytes and neither side needs a serialisation library.

use std::path::PathBuf;

/// The error a call that reads stdin gets when it was sent without (juju/juju
/// `jujuc.ErrNoStdin`); the client then reads its stdin and sends the call again with it.
pub(crate) const NO_STDIN: &str = "hook tool requires stdin, none supplied";

/// One hook-tool call, as the client sends it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Request {
    /// `JUJU_CONTEXT_ID` of the calling process.
    pub context_id: String,
    /// The calling process's working directory (relative `--file` paths are read from it).
    pub dir: PathBuf,
    /// The tool's name.
    pub command: String,
    /// The arguments after the tool's name.
    pub args: Vec<String>,
    /// The process's whole stdin, once the server asked for it ([`NO_STDIN`]).
    pub stdin: Option<Vec<u8>>,
}

/// The server's answer to a [`Request`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Response {
    /// The tool ran: its exit code and output.
    Done {
        /// Exit code.
        code: i32,
        /// What the tool printed on stdout.
        stdout: Vec<u8>,
        /// What the tool printed on stderr.
        stderr: Vec<u8>,
    },
    /// The call was refused before running (the client prints `ERROR <this>` and exits 1).
    Error(String),
}

impl Request {
    /// The request's bytes.
    pub(crate) fn encode(&self) -> Vec<u8> {
        use std::os::unix::ffi::OsStrExt;
        let mut out = Vec::with_capacity(256 + self.stdin.as_ref().map_or(0, Vec::len));
        put(&mut out, self.context_id.as_bytes());
        put(&mut out, self.dir.as_os_str().as_bytes());
        put(&mut out, self.command.as_bytes());
        put_len(&mut out, self.args.len());
        for arg in &self.args {
            put(&mut out, arg.as_bytes());
        }
        match &self.stdin {
            None => out.push(0),
            Some(stdin) => {
                out.push(1);
                put(&mut out, stdin);
            }
        }
        out
    }

    /// Parses a request; `None` if `bytes` are not one.
    pub(crate) fn decode(bytes: &[u8]) -> Option<Request> {
        use std::os::unix::ffi::OsStrExt;
        let mut r = Reader(bytes);
        let context_id = r.string()?;
        let dir = PathBuf::from(std::ffi::OsStr::from_bytes(r.bytes()?));
        let command = r.string()?;
        let n = r.len()?;
        let args = (0..n).map(|_| r.string()).collect::<Option<Vec<_>>>()?;
        let stdin = match r.byte()? {
            0 => None,
            1 => Some(r.bytes()?.to_vec()),
            _ => return None,
        };
        r.0.is_empty().then_some(Request { context_id, dir, command, args, stdin })
    }
}

impl Response {
    /// The response's bytes.
    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        match self {
            Response::Done { code, stdout, stderr } => {
                out.reserve(16 + stdout.len() + stderr.len());
                out.push(0);
                out.extend_from_slice(&code.to_le_bytes());
                put(&mut out, stdout);
                put(&mut out, stderr);
            }
            Response::Error(message) => {
                out.push(1);
                put(&mut out, message.as_bytes());
            }
        }
        out
    }

    /// Parses a response; `None` if `bytes` are not one.
    pub(crate) fn decode(bytes: &[u8]) -> Option<Response> {
        let mut r = Reader(bytes);
        let response = match r.byte()? {
            0 => {
                let code = i32::from_le_bytes(r.take(4)?.try_into().ok()?);
                Response::Done { code, stdout: r.bytes()?.to_vec(), stderr: r.bytes()?.to_vec() }
            }
            1 => Response::Error(r.string()?),
            _ => return None,
        };
        r.0.is_empty().then_some(response)
    }
}

fn put_len(out: &mut Vec<u8>, len: usize) {
    // Nothing a hook tool is given or prints comes near 4 GiB; saturate rather than wrap.
    out.extend_from_slice(&u32::try_from(len).unwrap_or(u32::MAX).to_le_bytes());
}

fn put(out: &mut Vec<u8>, bytes: &[u8]) {
    put_len(out, bytes.len());
    out.extend_from_slice(bytes);
}

/// Reads fields off the front of a message.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, tail) = self.0.split_at_checked(n)?;
        self.0 = tail;
        Some(head)
    }

    fn byte(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }

    fn len(&mut self) -> Option<usize> {
        let n = u32::from_le_bytes(self.take(4)?.try_into().ok()?);
        usize::try_from(n).ok()
    }

    fn bytes(&mut self) -> Option<&'a [u8]> {
        let n = self.len()?;
        self.take(n)
    }

    fn string(&mut self) -> Option<String> {
        String::from_utf8(self.bytes()?.to_vec()).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_and_responses_round_trip_byte_for_byte() {
        let mut req = Request {
            context_id: "hello/0-install-1".into(),
            dir: PathBuf::from("/var/lib/juju/agents/unit-hello-0/charm"),
            command: "relation-set".into(),
            args: vec!["-r".into(), "certificates:1".into(), "--file".into(), "-".into()],
            stdin: None,
        };
        assert_eq!(Request::decode(&req.encode()), Some(req.clone()));
        req.stdin = Some(Vec::new());
        assert_eq!(Request::decode(&req.encode()), Some(req.clone()), "empty stdin is still set");
        req.stdin = Some(vec![0xff, 0, b'\n']);
        assert_eq!(Request::decode(&req.encode()), Some(req.clone()));
        for resp in [
            Response::Done { code: 2, stdout: vec![0xfe, b'x'], stderr: b"ERROR no\n".to_vec() },
            Response::Done { code: -1, stdout: Vec::new(), stderr: Vec::new() },
            Response::Error(NO_STDIN.into()),
        ] {
            assert_eq!(Response::decode(&resp.encode()), Some(resp));
        }
    }

    #[test]
    fn truncated_or_trailing_bytes_are_not_a_message() {
        let req = Request {
            context_id: "c".into(),
            dir: PathBuf::from("/"),
            command: "is-leader".into(),
            args: vec![],
            stdin: None,
        };
        let bytes = req.encode();
        assert_eq!(Request::decode(&bytes[..bytes.len() - 1]), None);
        assert_eq!(Request::decode(&[bytes.as_slice(), b"x"].concat()), None);
        assert_eq!(Request::decode(b""), None);
        assert_eq!(Response::decode(&[0, 1, 0]), None);
        assert_eq!(Response::decode(&[7]), None);
    }
}
