//! The websocket client Pebble's exec needs (RFC 6455): the opening handshake, masked frames
//! out, text, binary, close, ping and pong frames in, fragmented messages reassembled.
//!
//! `Sec-WebSocket-Accept` is checked with the SHA-1 below (RFC 3174), written here because a
//! handshake check is its only use: it is not used for anything that needs a secure hash.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::io::{self, BufReader, Read, Write};
use std::os::unix::net::UnixStream;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use super::error::PebbleError;
use super::http::{self, HttpError};
use super::transport::{Message, WebSocket, io_error};

/// The GUID of RFC 6455 section 1.3, appended to the key to compute the accept value.
const GUID: &str = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// The largest message accepted from Pebble (its exec streams send at most 128 KiB at once).
const MAX_MESSAGE: usize = 64 * 1024 * 1024;

pub(crate) const OP_CONTINUATION: u8 = 0x0;
pub(crate) const OP_TEXT: u8 = 0x1;
pub(crate) const OP_BINARY: u8 = 0x2;
pub(crate) const OP_CLOSE: u8 = 0x8;
pub(crate) const OP_PING: u8 = 0x9;
pub(crate) const OP_PONG: u8 = 0xA;

/// SHA-1 (RFC 3174) of `data`.
pub(crate) fn sha1(data: &[u8]) -> [u8; 20] {
    let mut h: [u32; 5] = [0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476, 0xC3D2_E1F0];
    let mut msg = data.to_vec();
    let bit_len = (data.len() as u64).wrapping_mul(8);
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&bit_len.to_be_bytes());
    for block in msg.chunks_exact(64) {
        let mut w = [0u32; 80];
        for (i, word) in block.chunks_exact(4).enumerate() {
            w[i] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for i in 16..80 {
            w[i] = (w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]).rotate_left(1);
        }
        let [mut a, mut b, mut c, mut d, mut e] = h;
        for (i, wi) in w.iter().enumerate() {
            let (f, k) = match i {
                0..=19 => ((b & c) | (!b & d), 0x5A82_7999),
                20..=39 => (b ^ c ^ d, 0x6ED9_EBA1),
                40..=59 => ((b & c) | (b & d) | (c & d), 0x8F1B_BCDC),
                _ => (b ^ c ^ d, 0xCA62_C1D6),
            };
            let t =
                a.rotate_left(5).wrapping_add(f).wrapping_add(e).wrapping_add(k).wrapping_add(*wi);
            e = d;
            d = c;
            c = b.rotate_left(30);
            b = a;
            a = t;
        }
        for (hv, v) in h.iter_mut().zip([a, b, c, d, e]) {
            *hv = hv.wrapping_add(v);
        }
    }
    let mut out = [0u8; 20];
    for (chunk, v) in out.chunks_exact_mut(4).zip(h) {
        chunk.copy_from_slice(&v.to_be_bytes());
    }
    out
}

/// Standard base64 with padding (RFC 4648 section 4).
pub(crate) fn base64(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [chunk[0], chunk.get(1).copied().unwrap_or(0), chunk.get(2).copied().unwrap_or(0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The `Sec-WebSocket-Accept` a server must answer to `key` (RFC 6455 section 4.2.2).
pub(crate) fn accept_key(key: &str) -> String {
    base64(&sha1(format!("{key}{GUID}").as_bytes()))
}

/// Unpredictable bytes for the handshake key, the frame masks and multipart boundaries, from
/// the standard library's randomly keyed SipHash (`RandomState`), fed a counter. These values
/// need to be unpredictable to intermediaries (RFC 6455 section 10.3), not secret.
pub(crate) fn random_bytes<const N: usize>() -> [u8; N] {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let state = RandomState::new();
    let mut out = [0u8; N];
    for chunk in out.chunks_mut(8) {
        let mut hasher = state.build_hasher();
        hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
        let bytes = hasher.finish().to_le_bytes();
        chunk.copy_from_slice(&bytes[..chunk.len()]);
    }
    out
}

/// Writes one final frame of `opcode` with `payload`, masked with `mask` as a client must
/// (RFC 6455 section 5.3).
pub(crate) fn write_frame<W: Write>(
    w: &mut W,
    opcode: u8,
    payload: &[u8],
    mask: [u8; 4],
) -> io::Result<()> {
    let mut frame = Vec::with_capacity(payload.len() + 14);
    frame.push(0x80 | opcode);
    match payload.len() {
        n if n < 126 => frame.push(0x80 | n as u8),
        n if n <= usize::from(u16::MAX) => {
            frame.push(0x80 | 126);
            frame.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            frame.push(0x80 | 127);
            frame.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    frame.extend_from_slice(&mask);
    frame.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
    w.write_all(&frame)?;
    w.flush()
}

/// One frame as read.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Frame {
    pub(crate) fin: bool,
    pub(crate) opcode: u8,
    pub(crate) payload: Vec<u8>,
}

/// Reads one frame, unmasking it if the peer masked it. `Ok(None)` at a clean end of stream.
pub(crate) fn read_frame<R: Read>(r: &mut R) -> Result<Option<Frame>, HttpError> {
    let mut head = [0u8; 2];
    match r.read(&mut head[..1])? {
        0 => return Ok(None),
        _ => r.read_exact(&mut head[1..])?,
    }
    let fin = head[0] & 0x80 != 0;
    if head[0] & 0x70 != 0 {
        return Err(HttpError::Malformed("a websocket frame has reserved bits set".to_owned()));
    }
    let opcode = head[0] & 0x0F;
    let masked = head[1] & 0x80 != 0;
    let len = match head[1] & 0x7F {
        126 => {
            let mut b = [0u8; 2];
            r.read_exact(&mut b)?;
            u64::from(u16::from_be_bytes(b))
        }
        127 => {
            let mut b = [0u8; 8];
            r.read_exact(&mut b)?;
            u64::from_be_bytes(b)
        }
        n => u64::from(n),
    };
    let len = usize::try_from(len).ok().filter(|&n| n <= MAX_MESSAGE).ok_or_else(|| {
        HttpError::Malformed(format!("a websocket frame is over {MAX_MESSAGE} bytes"))
    })?;
    if opcode >= 0x8 && (len > 125 || !fin) {
        return Err(HttpError::Malformed(
            "a websocket control frame is too long or fragmented".into(),
        ));
    }
    let mut mask = [0u8; 4];
    if masked {
        r.read_exact(&mut mask)?;
    }
    let mut payload = vec![0u8; len];
    r.read_exact(&mut payload)?;
    if masked {
        for (i, b) in payload.iter_mut().enumerate() {
            *b ^= mask[i % 4];
        }
    }
    Ok(Some(Frame { fin, opcode, payload }))
}

/// A client websocket over a Unix socket.
pub(crate) struct UnixWebSocket {
    reader: Mutex<BufReader<UnixStream>>,
    writer: Mutex<UnixStream>,
    close_sent: AtomicBool,
    read_timeout: Mutex<Option<Duration>>,
    path: String,
}

impl UnixWebSocket {
    /// Upgrades `stream` to a websocket at `path` (RFC 6455 section 4.1), checking the status,
    /// `Upgrade`, `Connection` and `Sec-WebSocket-Accept` of the answer. A refusal is read as
    /// Pebble's error envelope, as its Go client's `parseError` does.
    pub(crate) fn handshake(
        stream: UnixStream,
        path: &str,
        timeout: Option<Duration>,
    ) -> Result<Self, PebbleError> {
        let line = format!("GET {path}");
        let key = base64(&random_bytes::<16>());
        let request = format!(
            "GET {path} HTTP/1.1\r\nHost: localhost\r\nUser-Agent: {}\r\nUpgrade: websocket\r\n\
             Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n",
            http::USER_AGENT
        );
        let mut writer = stream.try_clone().map_err(|e| io_error(e, &line, timeout))?;
        writer.write_all(request.as_bytes()).map_err(|e| io_error(e, &line, timeout))?;
        let mut reader = BufReader::new(stream);
        let (status, headers) = http::read_head(&mut reader).map_err(|e| match e {
            HttpError::Io(e) => io_error(e, &line, timeout),
            HttpError::Malformed(why) => PebbleError::protocol(&line, why),
        })?;
        let header = |name: &str| {
            headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
        };
        if status != 101 {
            // The rest is the error body: read what the headers delimit.
            let mut body = Vec::new();
            if let Some(len) = header("Content-Length").and_then(|l| l.parse::<u64>().ok()) {
                let _ = reader.by_ref().take(len.min(1 << 20)).read_to_end(&mut body);
            }
            let response = super::transport::Response::new(status, headers.clone(), body);
            return Err(super::refusal(&line, &response));
        }
        let upgrade = header("Upgrade").is_some_and(|v| v.eq_ignore_ascii_case("websocket"));
        let connection = header("Connection")
            .is_some_and(|v| v.split(',').any(|t| t.trim().eq_ignore_ascii_case("upgrade")));
        if !upgrade || !connection {
            return Err(PebbleError::protocol(&line, "101 without Upgrade: websocket"));
        }
        if header("Sec-WebSocket-Accept") != Some(accept_key(&key).as_str()) {
            return Err(PebbleError::protocol(&line, "wrong Sec-WebSocket-Accept"));
        }
        Ok(Self {
            reader: Mutex::new(reader),
            writer: Mutex::new(writer),
            close_sent: AtomicBool::new(false),
            read_timeout: Mutex::new(timeout),
            path: path.to_owned(),
        })
    }

    /// Sets how long [`WebSocket::recv`] waits for a frame.
    pub(crate) fn set_read_timeout(&self, timeout: Option<Duration>) -> Result<(), PebbleError> {
        let reader = self.reader.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        reader.get_ref().set_read_timeout(timeout).map_err(|e| io_error(e, &self.line(), None))?;
        *self.read_timeout.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = timeout;
        Ok(())
    }

    fn line(&self) -> String {
        format!("websocket {}", self.path)
    }

    fn write(&self, opcode: u8, payload: &[u8]) -> Result<(), PebbleError> {
        let mut writer = self.writer.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        write_frame(&mut *writer, opcode, payload, random_bytes::<4>())
            .map_err(|e| io_error(e, &self.line(), None))
    }
}

impl WebSocket for UnixWebSocket {
    fn send(&self, message: &Message) -> Result<(), PebbleError> {
        match message {
            Message::Text(text) => self.write(OP_TEXT, text.as_bytes()),
            Message::Binary(data) => self.write(OP_BINARY, data),
            Message::Close => {
                if self.close_sent.swap(true, Ordering::SeqCst) {
                    return Ok(());
                }
                // 1000: normal closure.
                self.write(OP_CLOSE, &1000u16.to_be_bytes())
            }
        }
    }

    fn recv(&self) -> Result<Message, PebbleError> {
        let timeout = *self.read_timeout.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut reader = self.reader.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let fail = |e: HttpError| match e {
            HttpError::Io(e) if e.kind() == io::ErrorKind::UnexpectedEof => None,
            HttpError::Io(e) => Some(io_error(e, &self.line(), timeout)),
            HttpError::Malformed(why) => Some(PebbleError::protocol(&self.line(), why)),
        };
        let mut message: Option<(u8, Vec<u8>)> = None;
        loop {
            let frame = match read_frame(&mut *reader) {
                Ok(Some(frame)) => frame,
                // The peer went away without a close frame: the stream is over all the same.
                Ok(None) => return Ok(Message::Close),
                Err(e) => return fail(e).map_or(Ok(Message::Close), Err),
            };
            match frame.opcode {
                OP_PING => self.write(OP_PONG, &frame.payload)?,
                OP_PONG => {}
                OP_CLOSE => {
                    if !self.close_sent.swap(true, Ordering::SeqCst) {
                        // Echo the status code, as RFC 6455 section 5.5.1 asks; the peer may
                        // already be gone.
                        let code = frame.payload.get(..2).unwrap_or(&[0x03, 0xE8]).to_vec();
                        let _ = self.write(OP_CLOSE, &code);
                    }
                    return Ok(Message::Close);
                }
                OP_TEXT | OP_BINARY if message.is_none() => {
                    if frame.fin {
                        return to_message(frame.opcode, frame.payload, &self.line());
                    }
                    message = Some((frame.opcode, frame.payload));
                }
                OP_CONTINUATION if message.is_some() => {
                    let (opcode, mut data) = message.take().unwrap_or_default();
                    if data.len() + frame.payload.len() > MAX_MESSAGE {
                        let why = format!("a websocket message is over {MAX_MESSAGE} bytes");
                        return Err(PebbleError::protocol(&self.line(), why));
                    }
                    data.extend_from_slice(&frame.payload);
                    if frame.fin {
                        return to_message(opcode, data, &self.line());
                    }
                    message = Some((opcode, data));
                }
                other => {
                    let why = format!("unexpected websocket frame (opcode {other:#x})");
                    return Err(PebbleError::protocol(&self.line(), why));
                }
            }
        }
    }
}

fn to_message(opcode: u8, payload: Vec<u8>, line: &str) -> Result<Message, PebbleError> {
    if opcode == OP_TEXT {
        String::from_utf8(payload)
            .map(Message::Text)
            .map_err(|_| PebbleError::protocol(line, "a websocket text message is not UTF-8"))
    } else {
        Ok(Message::Binary(payload))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn sha1_matches_rfc_3174_vectors() {
        assert_eq!(hex(&sha1(b"abc")), "a9993e364706816aba3e25717850c26c9cd0d89d");
        assert_eq!(
            hex(&sha1(b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1"
        );
        assert_eq!(hex(&sha1(b"")), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
        assert_eq!(hex(&sha1(&vec![b'a'; 1_000_000])), "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
    }

    #[test]
    fn accept_key_matches_rfc_6455_example() {
        // RFC 6455 section 1.3.
        assert_eq!(accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    }

    #[test]
    fn base64_pads() {
        let table: [(&[u8], &str); 4] =
            [(b"", ""), (b"f", "Zg=="), (b"fo", "Zm8="), (b"foobar", "Zm9vYmFy")];
        for (input, want) in table {
            assert_eq!(base64(input), want);
        }
    }

    #[test]
    fn random_bytes_differ() {
        assert_ne!(random_bytes::<16>(), random_bytes::<16>());
    }

    #[test]
    fn frames_as_rfc_6455_section_5_7_shows_them() {
        // A single-frame masked text message "Hello".
        let mut out = Vec::new();
        write_frame(&mut out, OP_TEXT, b"Hello", [0x37, 0xfa, 0x21, 0x3d]).expect("writes");
        assert_eq!(out, [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]);
        let frame = read_frame(&mut &out[..]).expect("reads").expect("a frame");
        assert_eq!(frame, Frame { fin: true, opcode: OP_TEXT, payload: b"Hello".to_vec() });

        // An unmasked one, as a server sends.
        let raw = [0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f];
        let frame = read_frame(&mut &raw[..]).expect("reads").expect("a frame");
        assert_eq!(frame.payload, b"Hello");

        // A fragmented unmasked text message: "Hel", then "lo".
        let raw = [0x01, 0x03, 0x48, 0x65, 0x6c, 0x80, 0x02, 0x6c, 0x6f];
        let mut r = &raw[..];
        let first = read_frame(&mut r).expect("reads").expect("a frame");
        assert_eq!((first.fin, first.opcode, &first.payload[..]), (false, OP_TEXT, &b"Hel"[..]));
        let second = read_frame(&mut r).expect("reads").expect("a frame");
        assert_eq!((second.fin, second.opcode), (true, OP_CONTINUATION));
        assert_eq!(read_frame(&mut r).expect("clean end"), None);

        // 256 bytes and 65536 bytes: 16-bit and 64-bit lengths.
        let mut out = Vec::new();
        write_frame(&mut out, OP_BINARY, &[0u8; 256], [0; 4]).expect("writes");
        assert_eq!(out[..4], [0x82, 0xFE, 0x01, 0x00]);
        let mut out = Vec::new();
        write_frame(&mut out, OP_BINARY, &vec![7u8; 65536], [1, 2, 3, 4]).expect("writes");
        assert_eq!(out[..10], [0x82, 0xFF, 0, 0, 0, 0, 0, 1, 0, 0]);
        let frame = read_frame(&mut &out[..]).expect("reads").expect("a frame");
        assert_eq!(frame.payload, vec![7u8; 65536]);
    }

    #[test]
    fn refuses_bad_frames() {
        // Reserved bits, a long control frame, a truncated frame.
        assert!(matches!(read_frame(&mut &[0xC1, 0x00][..]), Err(HttpError::Malformed(_))));
        let long_ping = [0x89, 0x7E, 0x00, 0x80];
        assert!(matches!(read_frame(&mut &long_ping[..]), Err(HttpError::Malformed(_))));
        assert!(matches!(read_frame(&mut &[0x82, 0x05, 1][..]), Err(HttpError::Io(_))));
    }
}
