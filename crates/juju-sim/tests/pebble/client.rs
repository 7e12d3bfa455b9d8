//! A tiny Pebble client for the tests: raw HTTP/1.1 over the container's Unix socket, and the
//! client side of the exec websockets (masked frames, as RFC 6455 requires of a client).

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};

use serde_json::Value;

/// The Pebble of one container, as the charm reaches it.
pub struct Pebble {
    pub socket: PathBuf,
}

/// A raw response.
#[derive(Debug)]
pub struct Raw {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Raw {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

impl Pebble {
    /// The Pebble of `container`, from the hook's environment.
    pub fn from_env(env: &[(String, String)], container: &str) -> Pebble {
        let dir = env.iter().find(|(k, _)| k == "CHARM_CONTAINERS_DIR").map(|(_, v)| v).unwrap();
        Pebble { socket: Path::new(dir).join(container).join("pebble.socket") }
    }

    /// One request on its own connection.
    pub fn raw(&self, method: &str, target: &str, headers: &[(&str, &str)], body: &[u8]) -> Raw {
        let mut s = UnixStream::connect(&self.socket).unwrap();
        let mut head =
            format!("{method} {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
        for (k, v) in headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
        s.write_all(head.as_bytes()).unwrap();
        s.write_all(body).unwrap();
        let mut r = BufReader::new(s);
        read_response(&mut r)
    }

    pub fn get(&self, target: &str) -> Value {
        self.raw("GET", target, &[], b"").json()
    }

    pub fn post(&self, target: &str, body: &Value) -> Value {
        let body = body.to_string();
        self.raw("POST", target, &[("Content-Type", "application/json")], body.as_bytes()).json()
    }

    /// Opens websocket `id` of exec task `task`.
    pub fn websocket(&self, task: &str, id: &str) -> Ws {
        let mut s = UnixStream::connect(&self.socket).unwrap();
        let head = format!(
            "GET /v1/tasks/{task}/websocket/{id} HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n\
             Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
             Sec-WebSocket-Version: 13\r\n\r\n"
        );
        s.write_all(head.as_bytes()).unwrap();
        let mut r = BufReader::new(s.try_clone().unwrap());
        let mut status = String::new();
        r.read_line(&mut status).unwrap();
        assert!(status.starts_with("HTTP/1.1 101 "), "{status}");
        let mut accept = String::new();
        loop {
            let mut line = String::new();
            r.read_line(&mut line).unwrap();
            if line.trim().is_empty() {
                break;
            }
            if let Some(v) = line.strip_prefix("Sec-WebSocket-Accept: ") {
                accept = v.trim().to_owned();
            }
        }
        // RFC 6455 section 1.3's example key and its accept value.
        assert_eq!(accept, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
        Ws { reader: r, writer: s }
    }
}

fn read_response(r: &mut impl BufRead) -> Raw {
    let mut status = String::new();
    r.read_line(&mut status).unwrap();
    let code: u16 = status.split_whitespace().nth(1).unwrap().parse().unwrap();
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        r.read_line(&mut line).unwrap();
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (k, v) = line.split_once(':').unwrap();
        headers.push((k.trim().to_owned(), v.trim().to_owned()));
    }
    let len: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .map_or(0, |(_, v)| v.parse().unwrap());
    let mut body = vec![0; len];
    r.read_exact(&mut body).unwrap();
    Raw { status: code, headers, body }
}

/// One client websocket.
pub struct Ws {
    reader: BufReader<UnixStream>,
    writer: UnixStream,
}

impl Ws {
    /// Sends a masked frame.
    pub fn send(&mut self, opcode: u8, payload: &[u8]) {
        let mask = [0x12u8, 0x34, 0x56, 0x78];
        let mut frame = vec![0x80 | opcode];
        assert!(payload.len() < 126);
        frame.push(0x80 | payload.len() as u8);
        frame.extend_from_slice(&mask);
        frame.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
        self.writer.write_all(&frame).unwrap();
    }

    /// Reads a frame from the server (unmasked); `None` when the server closed the connection.
    pub fn recv(&mut self) -> Option<(u8, Vec<u8>)> {
        let mut head = [0u8; 2];
        self.reader.read_exact(&mut head).ok()?;
        assert_eq!(head[1] & 0x80, 0, "a server's frames are not masked");
        let len = match head[1] & 0x7f {
            126 => {
                let mut b = [0u8; 2];
                self.reader.read_exact(&mut b).ok()?;
                usize::from(u16::from_be_bytes(b))
            }
            127 => {
                let mut b = [0u8; 8];
                self.reader.read_exact(&mut b).ok()?;
                u64::from_be_bytes(b) as usize
            }
            n => usize::from(n),
        };
        let mut payload = vec![0; len];
        self.reader.read_exact(&mut payload).ok()?;
        Some((head[0] & 0x0f, payload))
    }

    /// Reads binary frames until the `{"command":"end"}` text frame.
    pub fn read_until_end(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        loop {
            let (opcode, payload) = self.recv().expect("the stream ends with an end message");
            match opcode {
                2 => out.extend(payload),
                1 => {
                    assert_eq!(payload, br#"{"command":"end"}"#);
                    return out;
                }
                other => panic!("unexpected opcode {other}"),
            }
        }
    }

    /// Sends a close frame.
    pub fn close(&mut self) {
        self.send(0x8, &1000u16.to_be_bytes());
    }
}
