//! Just enough HTTP/1.1 for Pebble's API over a Unix socket: requests (with a `Content-Length`
//! or chunked body, kept alive until the client closes or says `Connection: close`), responses,
//! query strings, and `multipart/form-data` bodies as Go's `mime/multipart` reads and writes
//! them.

use std::io::{self, BufRead, Write};

/// The largest request head or body the server reads.
const LIMIT: usize = 64 << 20;

/// One request.
#[derive(Clone, Debug, Default)]
pub(crate) struct Request {
    /// `GET`, `POST`, …
    pub method: String,
    /// The path, percent-decoded.
    pub path: String,
    /// The query's pairs, decoded, in order.
    pub query: Vec<(String, String)>,
    /// Headers, names in lower case.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
    /// Whether the connection closes after the response.
    pub close: bool,
}

impl Request {
    /// Header `name` (lower case).
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// The first value of query parameter `key`, or `""` (Go's `Query().Get`).
    pub(crate) fn get(&self, key: &str) -> &str {
        self.query.iter().find(|(k, _)| k == key).map_or("", |(_, v)| v.as_str())
    }

    /// Every value of query parameter `key`.
    pub(crate) fn all(&self, key: &str) -> Vec<&str> {
        self.query.iter().filter(|(k, _)| k == key).map(|(_, v)| v.as_str()).collect()
    }

    /// Whether query parameter `key` is present.
    pub(crate) fn has(&self, key: &str) -> bool {
        self.query.iter().any(|(k, _)| k == key)
    }
}

/// One response.
#[derive(Clone, Debug)]
pub(crate) struct Response {
    /// Status code.
    pub status: u16,
    /// Headers besides `Content-Length`.
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: Vec<u8>,
}

impl Response {
    /// A JSON response.
    pub(crate) fn json(status: u16, body: String) -> Self {
        Response {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.into_bytes(),
        }
    }
}

/// Reads one request; `None` when the client closed the connection between requests.
pub(crate) fn read_request(r: &mut impl BufRead) -> io::Result<Option<Request>> {
    let mut line = String::new();
    // Tolerate blank lines between requests, as Go's server does.
    loop {
        line.clear();
        if r.read_line(&mut line)? == 0 {
            return Ok(None);
        }
        if !line.trim().is_empty() {
            break;
        }
    }
    let mut parts = line.split_whitespace();
    let (method, target, version) =
        (parts.next().unwrap_or(""), parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    if method.is_empty() || target.is_empty() || !version.starts_with("HTTP/1.") {
        return Err(io::Error::new(io::ErrorKind::InvalidData, "malformed request line"));
    }
    let mut req = Request { method: method.to_owned(), ..Request::default() };
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    req.path = percent_decode(path, false);
    req.query = parse_query(query);
    let mut head = line.len();
    loop {
        let mut h = String::new();
        if r.read_line(&mut h)? == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        head += h.len();
        if head > LIMIT {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "request head too large"));
        }
        let h = h.trim_end_matches(['\r', '\n']);
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            req.headers.push((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
        }
    }
    let connection = req.header("connection").unwrap_or("").to_ascii_lowercase();
    req.close = connection.contains("close") || version == "HTTP/1.0";
    let chunked =
        req.header("transfer-encoding").is_some_and(|t| t.to_ascii_lowercase().contains("chunked"));
    if chunked {
        req.body = read_chunked(r)?;
    } else if let Some(n) = req.header("content-length") {
        let n: usize = n
            .parse()
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "bad Content-Length"))?;
        if n > LIMIT {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "body too large"));
        }
        let mut body = vec![0; n];
        r.read_exact(&mut body)?;
        req.body = body;
    }
    Ok(Some(req))
}

fn read_chunked(r: &mut impl BufRead) -> io::Result<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let mut size = String::new();
        r.read_line(&mut size)?;
        let hex = size.trim().split(';').next().unwrap_or("");
        let n = usize::from_str_radix(hex, 16)
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "bad chunk size"))?;
        if n == 0 {
            // Trailers, then the blank line.
            loop {
                let mut t = String::new();
                if r.read_line(&mut t)? == 0 || t.trim().is_empty() {
                    return Ok(body);
                }
            }
        }
        if body.len() + n > LIMIT {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "body too large"));
        }
        let start = body.len();
        body.resize(start + n, 0);
        r.read_exact(&mut body[start..])?;
        let mut crlf = String::new();
        r.read_line(&mut crlf)?;
    }
}

/// Writes `resp`, with `Connection: close` if the connection ends after it.
pub(crate) fn write_response(w: &mut impl Write, resp: &Response, close: bool) -> io::Result<()> {
    let mut head = format!("HTTP/1.1 {} {}\r\n", resp.status, status_text(resp.status));
    for (k, v) in &resp.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n", resp.body.len()));
    if close {
        head.push_str("Connection: close\r\n");
    }
    head.push_str("\r\n");
    w.write_all(head.as_bytes())?;
    w.write_all(&resp.body)?;
    w.flush()
}

/// Go's `http.StatusText` for the codes Pebble answers with.
pub(crate) fn status_text(code: u16) -> &'static str {
    match code {
        101 => "Switching Protocols",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        500 => "Internal Server Error",
        504 => "Gateway Timeout",
        _ => "",
    }
}

fn parse_query(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k, true), percent_decode(v, true))
        })
        .collect()
}

fn percent_decode(s: &str, plus: bool) -> String {
    let b = s.as_bytes();
    let hex = |c: u8| (c as char).to_digit(16);
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' if i + 2 < b.len() => {
                if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                    continue;
                }
                out.push(b'%');
            }
            b'+' if plus => out.push(b' '),
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A header's value and its `key=value` parameters (Go's `mime.ParseMediaType`), the value in
/// lower case.
pub(crate) fn media_type(value: &str) -> (String, Vec<(String, String)>) {
    let mut parts = value.split(';');
    let kind = parts.next().unwrap_or("").trim().to_ascii_lowercase();
    let params = parts
        .filter_map(|p| {
            let (k, v) = p.split_once('=')?;
            Some((k.trim().to_ascii_lowercase(), v.trim().trim_matches('"').to_owned()))
        })
        .collect();
    (kind, params)
}

/// One part of a multipart body.
#[derive(Clone, Debug, Default)]
pub(crate) struct Part {
    /// Its `Content-Disposition` name.
    pub name: String,
    /// Its `Content-Disposition` filename, unchanged (Pebble's `multipartFilename`).
    pub filename: String,
    /// Its body.
    pub body: Vec<u8>,
}

/// The parts of a `multipart/form-data` body with `boundary`.
pub(crate) fn parse_multipart(body: &[u8], boundary: &str) -> Result<Vec<Part>, String> {
    let delim = format!("--{boundary}");
    let d = delim.as_bytes();
    let mut pos = find(body, d, 0).ok_or("multipart: NextPart: EOF")?;
    let mut parts = Vec::new();
    loop {
        pos += d.len();
        if body[pos..].starts_with(b"--") {
            return Ok(parts);
        }
        pos += if body[pos..].starts_with(b"\r\n") { 2 } else { 1 };
        let head_end = find(body, b"\r\n\r\n", pos).ok_or("multipart: malformed MIME header")?;
        let head = String::from_utf8_lossy(&body[pos..head_end]).into_owned();
        let content = head_end + 4;
        let next = find(body, format!("\r\n{delim}").as_bytes(), content)
            .ok_or("multipart: NextPart: EOF")?;
        let mut part = Part { body: body[content..next].to_vec(), ..Part::default() };
        for line in head.split("\r\n") {
            if let Some((k, v)) = line.split_once(':')
                && k.trim().eq_ignore_ascii_case("content-disposition")
            {
                let (_, params) = media_type(v);
                for (k, v) in params {
                    match k.as_str() {
                        "name" => part.name = v,
                        "filename" => part.filename = v,
                        _ => {}
                    }
                }
            }
        }
        parts.push(part);
        pos = next + 2;
    }
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if from > hay.len() {
        return None;
    }
    hay[from..].windows(needle.len()).position(|w| w == needle).map(|p| p + from)
}

/// Builds a `multipart/form-data` body as Go's `multipart.Writer` writes it.
pub(crate) struct MultipartWriter {
    /// The boundary.
    pub boundary: String,
    body: Vec<u8>,
}

impl MultipartWriter {
    /// A writer with a fresh 60-hex-digit boundary, as Go's `randomBoundary` makes.
    pub(crate) fn new(seed: u64) -> Self {
        use std::hash::BuildHasher;
        let s = std::collections::hash_map::RandomState::new();
        let boundary: String = (0..4)
            .map(|i| format!("{:016x}", s.hash_one((seed, i, std::time::SystemTime::now()))))
            .collect::<String>()[..60]
            .to_owned();
        MultipartWriter { boundary, body: Vec::new() }
    }

    /// Adds a part with these headers.
    pub(crate) fn part(&mut self, headers: &[(&str, &str)], content: &[u8]) {
        let sep = if self.body.is_empty() { "" } else { "\r\n" };
        self.body.extend_from_slice(format!("{sep}--{}\r\n", self.boundary).as_bytes());
        for (k, v) in headers {
            self.body.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
        }
        self.body.extend_from_slice(b"\r\n");
        self.body.extend_from_slice(content);
    }

    /// The body, closed.
    pub(crate) fn finish(mut self) -> Vec<u8> {
        self.body.extend_from_slice(format!("\r\n--{}--\r\n", self.boundary).as_bytes());
        self.body
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_requests_kept_alive_and_chunked() {
        let raw = b"GET /v1/files?action=list&path=%2Fetc&pattern=*.conf HTTP/1.1\r\nHost: x\r\n\r\nPOST /v1/x HTTP/1.1\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n";
        let mut r = io::BufReader::new(&raw[..]);
        let a = read_request(&mut r).unwrap().unwrap();
        assert_eq!(
            (a.method.as_str(), a.path.as_str(), a.get("path")),
            ("GET", "/v1/files", "/etc")
        );
        assert_eq!(a.get("pattern"), "*.conf");
        assert!(!a.close);
        let b = read_request(&mut r).unwrap().unwrap();
        assert_eq!((b.body.as_slice(), b.close), (&b"abcde"[..], true));
        assert!(read_request(&mut r).unwrap().is_none());
    }

    #[test]
    fn multipart_round_trips() {
        let mut w = MultipartWriter::new(1);
        w.part(&[("Content-Disposition", "form-data; name=\"files\"; filename=\"/a/b\"")], b"hi");
        w.part(&[("Content-Disposition", "form-data; name=\"response\"")], b"{}");
        let boundary = w.boundary.clone();
        assert_eq!(boundary.len(), 60);
        let parts = parse_multipart(&w.finish(), &boundary).unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!((parts[0].name.as_str(), parts[0].filename.as_str()), ("files", "/a/b"));
        assert_eq!(parts[0].body, b"hi");
        assert_eq!(parts[1].name, "response");
    }
}
