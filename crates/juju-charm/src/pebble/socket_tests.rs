//! The client against a Pebble stand-in on a real Unix socket: the bytes on the wire, HTTP and
//! websocket, as Pebble's server (Go's net/http and gorilla/websocket) sends and reads them.

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::PathBuf;
use std::thread::JoinHandle;
use std::time::Duration;

use super::websocket::{OP_BINARY, OP_CLOSE, OP_CONTINUATION, OP_PING, OP_PONG, OP_TEXT};
use super::*;

/// One request as the stand-in reads it.
struct Incoming {
    line: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Incoming {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

fn read_request(r: &mut BufReader<UnixStream>) -> Incoming {
    let mut line = String::new();
    r.read_line(&mut line).expect("a request line");
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        r.read_line(&mut h).expect("a header");
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        let (n, v) = h.split_once(':').expect("name: value");
        headers.push((n.trim().to_owned(), v.trim().to_owned()));
    }
    let mut incoming = Incoming { line: line.trim_end().to_owned(), headers, body: Vec::new() };
    let len: usize = incoming.header("Content-Length").map_or(0, |l| l.parse().expect("a length"));
    incoming.body = vec![0; len];
    r.read_exact(&mut incoming.body).expect("the body");
    incoming
}

/// A JSON answer, chunked as Go's server sends a body it did not measure.
fn reply_chunked(w: &mut UnixStream, content_type: &str, body: &[u8]) {
    let (a, b) = body.split_at(body.len() / 2);
    let mut out = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    .into_bytes();
    for chunk in [a, b] {
        out.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        out.extend_from_slice(chunk);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"0\r\n\r\n");
    w.write_all(&out).expect("written");
}

fn reply(w: &mut UnixStream, status: &str, body: &str) {
    let out = format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    w.write_all(out.as_bytes()).expect("written");
}

/// A server frame: unmasked, as RFC 6455 requires of servers.
fn server_frame(w: &mut UnixStream, fin: bool, opcode: u8, payload: &[u8]) {
    assert!(payload.len() < 126);
    let mut frame = vec![if fin { 0x80 } else { 0 } | opcode, payload.len() as u8];
    frame.extend_from_slice(payload);
    w.write_all(&frame).expect("written");
}

/// A client frame, which must be masked.
fn client_frame(r: &mut BufReader<UnixStream>) -> (u8, Vec<u8>) {
    let mut second = [0u8; 2];
    let raw = r.fill_buf().expect("a frame");
    second.copy_from_slice(&raw[..2]);
    assert_ne!(second[1] & 0x80, 0, "client frames are masked");
    let frame = websocket::read_frame(r).ok().flatten().expect("a frame");
    assert!(frame.fin);
    (frame.opcode, frame.payload)
}

/// The stand-in: a listener in a fresh directory, answering connections with `serve` on a
/// thread.
fn stand_in<F>(serve: F) -> (tempfile::TempDir, PathBuf, JoinHandle<()>)
where
    F: FnOnce(UnixListener) + Send + 'static,
{
    let dir = tempfile::tempdir().expect("a directory");
    let socket = dir.path().join("pebble.socket");
    let listener = UnixListener::bind(&socket).expect("bound");
    let handle = std::thread::spawn(move || serve(listener));
    (dir, socket, handle)
}

fn accept(listener: &UnixListener) -> (BufReader<UnixStream>, UnixStream) {
    let (stream, _) = listener.accept().expect("a connection");
    let writer = stream.try_clone().expect("cloned");
    (BufReader::new(stream), writer)
}

/// client_test.go, `TestClientIntegrationUnixSocket` (without basic auth, which this client
/// does not send).
#[test]
fn pebble_conformance_client_integration_unix_socket() {
    let (_dir, socket, server) = stand_in(|listener| {
        let (mut r, mut w) = accept(&listener);
        let req = read_request(&mut r);
        assert_eq!(req.line, "GET /v1/system-info HTTP/1.1");
        assert_eq!(req.header("Host"), Some("localhost"));
        assert_eq!(req.header("Content-Type"), Some("application/json"));
        assert_eq!(req.header("Content-Length"), Some("0"));
        assert_eq!(req.header("Connection"), Some("close"));
        reply_chunked(
            &mut w,
            "application/json",
            b"{\"type\":\"sync\", \"result\":{\"version\":\"1\"}}\n",
        );
    });
    let info = Client::new(&socket).system_info().expect("system info");
    assert_eq!(info.version, "1");
    server.join().expect("the stand-in passed");
}

/// Push and pull on the wire: the multipart request as Pebble's server parses it, and a
/// multipart answer as it writes it.
#[test]
fn push_and_pull_on_the_wire() {
    let (_dir, socket, server) = stand_in(|listener| {
        let (mut r, mut w) = accept(&listener);
        let req = read_request(&mut r);
        assert_eq!(req.line, "POST /v1/files HTTP/1.1");
        let (media, boundary) = wire::media_type(req.header("Content-Type").expect("a type"));
        assert_eq!(media, "multipart/form-data");
        let parts =
            wire::parse_multipart(&req.body, &boundary.expect("a boundary")).expect("parts");
        assert_eq!((parts[0].name.as_str(), parts[1].name.as_str()), ("request", "files"));
        assert_eq!(parts[1].body, b"secret\r\n--not-a-boundary\r\n");
        reply(
            &mut w,
            "200 OK",
            r#"{"type":"sync","status-code":200,"status":"OK","result":[{"path":"/etc/x"}]}"#,
        );

        let (mut r, mut w) = accept(&listener);
        let req = read_request(&mut r);
        assert_eq!(req.line, "GET /v1/files?action=read&path=%2Fetc%2Fx HTTP/1.1");
        assert_eq!(req.header("Accept"), Some("multipart/form-data"));
        let boundary = "a".repeat(60);
        let body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"/etc/x\"\r\n\
             Content-Type: application/octet-stream\r\n\r\nsecret\r\n--not-a-boundary\r\n\
             \r\n--{boundary}\r\nContent-Disposition: form-data; name=\"response\"\r\n\
             Content-Type: application/json\r\n\r\n\
             {{\"type\":\"sync\",\"status-code\":200,\"status\":\"OK\",\"result\":[{{\"path\":\"/etc/x\"}}]}}\n\
             \r\n--{boundary}--\r\n"
        );
        reply_chunked(
            &mut w,
            &format!("multipart/form-data; boundary={boundary}"),
            body.as_bytes(),
        );
    });
    let client = Client::new(&socket);
    let content = b"secret\r\n--not-a-boundary\r\n";
    client.push("/etc/x", content, &PushOptions::new().permissions(0o600)).expect("pushed");
    assert_eq!(client.pull("/etc/x").expect("pulled"), content);
    server.join().expect("the stand-in passed");
}

/// Upgrades one connection as gorilla/websocket's server does; returns it and its path.
fn upgrade(listener: &UnixListener) -> (BufReader<UnixStream>, UnixStream, String) {
    let (mut r, mut w) = accept(listener);
    let req = read_request(&mut r);
    let path = req.line.split(' ').nth(1).expect("a path").to_owned();
    assert_eq!(req.header("Upgrade"), Some("websocket"));
    assert_eq!(req.header("Connection"), Some("Upgrade"));
    assert_eq!(req.header("Sec-WebSocket-Version"), Some("13"));
    let key = req.header("Sec-WebSocket-Key").expect("a key");
    assert_eq!(key.len(), 24, "16 bytes in base64");
    let out = format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Accept: {}\r\n\r\n",
        websocket::accept_key(key)
    );
    w.write_all(out.as_bytes()).expect("written");
    (r, w, path)
}

/// The exec flow on the wire, as Pebble's server runs it (api_exec.go, cmdstate/handlers.go):
/// stdin in masked frames then the end command; output fragmented, a ping in between; the
/// exit code from the change; close frames at the end.
#[test]
fn exec_on_the_wire() {
    let (_dir, socket, server) = stand_in(|listener| {
        let (mut r, mut w) = accept(&listener);
        let req = read_request(&mut r);
        assert_eq!(req.line, "POST /v1/exec HTTP/1.1");
        let body: serde_json::Value = serde_json::from_slice(&req.body).expect("JSON");
        assert_eq!(
            body,
            serde_json::json!({"command": ["cat"], "split-stderr": true, "timeout": "10s"})
        );
        reply(
            &mut w,
            "202 Accepted",
            r#"{"type":"async","status-code":202,"status":"Accepted","change":"7","result":{"task-id":"9","environment":{},"working-dir":"/"}}"#,
        );
        let (mut control_r, _control_w, path) = upgrade(&listener);
        assert_eq!(path, "/v1/tasks/9/websocket/control");
        let (mut stdio_r, mut stdio_w, path) = upgrade(&listener);
        assert_eq!(path, "/v1/tasks/9/websocket/stdio");
        let (mut stderr_r, mut stderr_w, path) = upgrade(&listener);
        assert_eq!(path, "/v1/tasks/9/websocket/stderr");

        assert_eq!(client_frame(&mut stdio_r), (OP_BINARY, b"hello".to_vec()));
        assert_eq!(client_frame(&mut stdio_r), (OP_TEXT, br#"{"command":"end"}"#.to_vec()));
        server_frame(&mut stdio_w, false, OP_BINARY, b"hel");
        server_frame(&mut stdio_w, true, OP_PING, b"p");
        server_frame(&mut stdio_w, true, OP_CONTINUATION, b"lo");
        server_frame(&mut stdio_w, true, OP_TEXT, br#"{"command":"end"}"#);
        assert_eq!(client_frame(&mut stdio_r), (OP_PONG, b"p".to_vec()));
        server_frame(&mut stderr_w, true, OP_BINARY, b"warning\n");
        server_frame(&mut stderr_w, true, OP_TEXT, br#"{"command":"end"}"#);

        let (mut r, mut w) = accept(&listener);
        let req = read_request(&mut r);
        assert_eq!(req.line, "GET /v1/changes/7/wait?timeout=11s HTTP/1.1");
        reply(
            &mut w,
            "200 OK",
            r#"{"type":"sync","status-code":200,"status":"OK","result":{"id":"7","kind":"exec","status":"Done","ready":true,"tasks":[{"id":"9","kind":"exec","status":"Done","data":{"exit-code":3}}]}}"#,
        );
        for r in [&mut control_r, &mut stdio_r, &mut stderr_r] {
            assert_eq!(client_frame(r), (OP_CLOSE, 1000u16.to_be_bytes().to_vec()));
        }
    });
    let options =
        ExecOptions::new(["cat"]).stdin(b"hello".to_vec()).timeout(Duration::from_secs(10));
    let output = Client::new(&socket).exec(&options).expect("ran");
    assert_eq!(output.exit_code, 3);
    assert_eq!(
        (output.stdout.as_slice(), output.stderr.as_slice()),
        (&b"hello"[..], &b"warning\n"[..])
    );
    assert!(output.exit_ok().is_err());
    server.join().expect("the stand-in passed");
}

/// A refused websocket upgrade reads as Pebble's error (client.go, `getWebsocket` and
/// `parseError`).
#[test]
fn refused_upgrade_is_pebbles_error() {
    let (_dir, socket, server) = stand_in(|listener| {
        let (mut r, mut w) = accept(&listener);
        read_request(&mut r);
        reply(
            &mut w,
            "202 Accepted",
            r#"{"type":"async","status-code":202,"change":"7","result":{"task-id":"9"}}"#,
        );
        let (mut r, mut w) = accept(&listener);
        read_request(&mut r);
        reply(
            &mut w,
            "404 Not Found",
            r#"{"type":"error","status-code":404,"status":"Not Found","result":{"message":"cannot find task with id \"9\""}}"#,
        );
    });
    let err = Client::new(&socket).exec(&ExecOptions::new(["true"])).expect_err("refused");
    assert!(err.is_not_found(), "{err}");
    assert!(err.to_string().contains("cannot find task"), "{err}");
    server.join().expect("the stand-in passed");
}

/// A socket that exists with nothing listening is "cannot connect yet", as is one that does not
/// exist.
#[test]
fn connection_refused_is_cannot_connect() {
    let dir = tempfile::tempdir().expect("a directory");
    let socket = dir.path().join("pebble.socket");
    drop(UnixListener::bind(&socket).expect("bound"));
    let err = Client::new(&socket).system_info().expect_err("refused");
    assert!(err.is_cannot_connect(), "{err}");
    assert!(matches!(&err, PebbleError::CannotConnect { source, .. }
        if source.kind() == std::io::ErrorKind::ConnectionRefused));
}

/// A Pebble that accepts and never answers: a timeout, not a hang.
#[test]
fn silence_is_a_timeout() {
    let (_dir, socket, server) = stand_in(|listener| {
        let (mut r, _w) = accept(&listener);
        read_request(&mut r);
        // Hold the connection until the client gives up.
        let mut rest = Vec::new();
        let _ = r.read_to_end(&mut rest);
    });
    let client = Client::new(&socket).with_timeout(Duration::from_millis(200));
    let err = client.system_info().expect_err("silence");
    assert!(err.is_timeout(), "{err}");
    assert!(
        matches!(err, PebbleError::Timeout { ref request, .. } if request == "GET /v1/system-info")
    );
    drop(client);
    server.join().expect("the stand-in passed");
}

#[test]
fn socket_path_follows_the_environment_rule() {
    // The variable is not set in this test process unless the runner set it; both cases are
    // the same rule.
    let want = match std::env::var_os(CONTAINERS_DIR_VAR).filter(|d| !d.is_empty()) {
        Some(dir) => PathBuf::from(dir).join("redis/pebble.socket"),
        None => PathBuf::from("/charm/containers/redis/pebble.socket"),
    };
    assert_eq!(socket_path("redis"), want);
    assert_eq!(Client::for_container("redis").socket(), Some(want.as_path()));
}
