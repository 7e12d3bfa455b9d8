//! HTTP/1.1 on the wire (RFC 9112), as much as talking to Pebble needs: a request head, and a
//! response with a `Content-Length`, chunked, or delimited by the end of the connection.

use std::io::{self, BufRead, Read};

use super::transport::{Request, Response};

/// The `User-Agent` this client sends.
pub(crate) const USER_AGENT: &str = concat!("juju-charm/", env!("CARGO_PKG_VERSION"));

/// The most a response head (status line and headers) may take.
const MAX_HEAD: usize = 64 * 1024;

/// Reading a response failed.
#[derive(Debug)]
pub(crate) enum HttpError {
    /// The socket failed.
    Io(io::Error),
    /// The bytes are not an HTTP/1.1 response (never quotes them).
    Malformed(String),
}

impl From<io::Error> for HttpError {
    fn from(e: io::Error) -> Self {
        Self::Io(e)
    }
}

/// The request line and headers of `request`, ending with the blank line. `Host: localhost`
/// as Pebble's Go client addresses its Unix socket (`http://localhost`).
pub(crate) fn request_head(request: &Request) -> String {
    let mut head = format!("{} {} HTTP/1.1\r\nHost: localhost\r\n", request.method, request.url());
    head.push_str(&format!("User-Agent: {USER_AGENT}\r\n"));
    for (name, value) in &request.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\nConnection: close\r\n\r\n", request.body.len()));
    head
}

/// Reads the status line and headers: `(status, headers)`.
pub(crate) fn read_head<R: BufRead>(r: &mut R) -> Result<(u16, Vec<(String, String)>), HttpError> {
    let mut total = 0;
    let mut line = read_line(r, &mut total)?;
    let mut words = line.splitn(3, ' ');
    let version = words.next().unwrap_or("");
    let status = words.next().and_then(|s| s.parse::<u16>().ok());
    let Some(status) = status.filter(|_| version.starts_with("HTTP/1.")) else {
        return Err(HttpError::Malformed("the answer is not an HTTP/1.1 response".to_owned()));
    };
    let mut headers = Vec::new();
    loop {
        line = read_line(r, &mut total)?;
        if line.is_empty() {
            return Ok((status, headers));
        }
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| HttpError::Malformed("a response header without a colon".to_owned()))?;
        headers.push((name.trim().to_owned(), value.trim().to_owned()));
    }
}

fn read_line<R: BufRead>(r: &mut R, total: &mut usize) -> Result<String, HttpError> {
    let mut buf = Vec::new();
    let limit = u64::try_from(MAX_HEAD.saturating_sub(*total)).unwrap_or(0);
    let n = r.by_ref().take(limit).read_until(b'\n', &mut buf)?;
    *total += n;
    if n == 0 {
        return Err(HttpError::Io(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "the connection closed before the response head ended",
        )));
    }
    if !buf.ends_with(b"\n") {
        return Err(HttpError::Malformed(format!("the response head is over {MAX_HEAD} bytes")));
    }
    buf.pop();
    if buf.ends_with(b"\r") {
        buf.pop();
    }
    String::from_utf8(buf)
        .map_err(|_| HttpError::Malformed("a response header is not UTF-8".into()))
}

/// Reads a whole response: head, then the body as its headers delimit it.
pub(crate) fn read_response<R: BufRead>(r: &mut R) -> Result<Response, HttpError> {
    let (status, headers) = read_head(r)?;
    let header = |name: &str| {
        headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    };
    let mut body = Vec::new();
    if header("Transfer-Encoding").is_some_and(|v| v.to_ascii_lowercase().contains("chunked")) {
        read_chunked(r, &mut body)?;
    } else if let Some(len) = header("Content-Length") {
        let len: u64 = len
            .parse()
            .map_err(|_| HttpError::Malformed("the Content-Length is not a number".to_owned()))?;
        r.take(len).read_to_end(&mut body)?;
        if u64::try_from(body.len()).ok() != Some(len) {
            return Err(HttpError::Io(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the connection closed before the body ended",
            )));
        }
    } else if !(status == 204 || status == 304 || (100..200).contains(&status)) {
        r.read_to_end(&mut body)?;
    }
    Ok(Response::new(status, headers, body))
}

fn read_chunked<R: BufRead>(r: &mut R, body: &mut Vec<u8>) -> Result<(), HttpError> {
    loop {
        let line = read_line(r, &mut 0)?;
        let size = line.split(';').next().unwrap_or("").trim();
        let size = u64::from_str_radix(size, 16)
            .map_err(|_| HttpError::Malformed("a chunk size is not hexadecimal".to_owned()))?;
        if size == 0 {
            // Trailers, up to the blank line.
            let mut total = 0;
            while !read_line(r, &mut total)?.is_empty() {}
            return Ok(());
        }
        let before = body.len();
        r.take(size).read_to_end(body)?;
        if u64::try_from(body.len() - before).ok() != Some(size) {
            return Err(HttpError::Io(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the connection closed inside a chunk",
            )));
        }
        if !read_line(r, &mut 0)?.is_empty() {
            return Err(HttpError::Malformed("a chunk does not end with CRLF".to_owned()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(raw: &[u8]) -> Result<Response, HttpError> {
        read_response(&mut io::BufReader::new(raw))
    }

    #[test]
    fn request_head_is_http_1_1() {
        let req = Request::new("GET", "/v1/files").query("path", "/a b").query("action", "list");
        assert_eq!(
            request_head(&req),
            format!(
                "GET /v1/files?action=list&path=%2Fa+b HTTP/1.1\r\nHost: localhost\r\n\
                 User-Agent: {USER_AGENT}\r\nContent-Type: application/json\r\n\
                 Content-Length: 0\r\nConnection: close\r\n\r\n"
            )
        );
    }

    #[test]
    fn reads_content_length_chunked_and_eof_bodies() {
        let r = parse(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}",
        )
        .expect("parses");
        assert_eq!((r.status, &r.body[..]), (200, &b"{}"[..]));
        assert_eq!(r.header_value("content-type"), Some("application/json"));

        let r = parse(b"HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n2\r\nde\r\n0\r\nT: v\r\n\r\n")
            .expect("parses");
        assert_eq!((r.status, &r.body[..]), (404, &b"abcde"[..]));

        let r = parse(b"HTTP/1.0 200 OK\r\n\r\nto the end").expect("parses");
        assert_eq!(&r.body[..], b"to the end");
    }

    #[test]
    fn refuses_what_is_not_http() {
        assert!(matches!(parse(b"SSH-2.0-OpenSSH\r\n\r\n"), Err(HttpError::Malformed(_))));
        assert!(matches!(parse(b""), Err(HttpError::Io(_))));
        assert!(matches!(
            parse(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab"),
            Err(HttpError::Io(_))
        ));
        assert!(matches!(
            parse(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"),
            Err(HttpError::Malformed(_))
        ));
        let huge = format!("HTTP/1.1 200 OK\r\nX: {}\r\n\r\n", "a".repeat(MAX_HEAD));
        assert!(matches!(parse(huge.as_bytes()), Err(HttpError::Malformed(_))));
    }
}
