//! The server side of RFC 6455 as Pebble's exec websockets speak it (gorilla/websocket behind
//! canonical/pebble `internals/overlord/cmdstate/handlers.go` and `internals/wsutil`): the
//! opening handshake (`Sec-WebSocket-Accept` is the base64 SHA-1 of the client's key and the
//! protocol's GUID), client frames that must be masked and are unmasked here, fragmented
//! messages joined, pings answered, and a close answered with a close.

use std::io::{self, Read, Write};

/// RFC 6455's GUID for the accept key.
const GUID: &str = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// Opcode of a text message.
pub(crate) const TEXT: u8 = 0x1;
/// Opcode of a binary message.
pub(crate) const BINARY: u8 = 0x2;
/// Opcode of a close frame.
pub(crate) const CLOSE: u8 = 0x8;
const PING: u8 = 0x9;
const PONG: u8 = 0xA;

/// The largest message the server accepts.
const LIMIT: usize = 64 << 20;

/// `Sec-WebSocket-Accept` for the client's `Sec-WebSocket-Key`.
pub(crate) fn accept_key(key: &str) -> String {
    base64(&sha1(format!("{key}{GUID}").as_bytes()))
}

/// The handshake's response (`101 Switching Protocols`).
pub(crate) fn handshake_response(key: &str) -> String {
    format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Accept: {}\r\n\r\n",
        accept_key(key)
    )
}

/// One whole message (a data message with its fragments joined, or a close).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Message {
    /// [`TEXT`], [`BINARY`] or [`CLOSE`].
    pub opcode: u8,
    /// Its payload, unmasked.
    pub payload: Vec<u8>,
}

/// Reads the next message, answering pings; a client frame that is not masked is an error, as
/// gorilla/websocket makes it (`bad MASK`).
pub(crate) fn read_message(r: &mut impl Read, w: &mut impl Write) -> io::Result<Message> {
    let mut message: Option<(u8, Vec<u8>)> = None;
    loop {
        let mut head = [0u8; 2];
        r.read_exact(&mut head)?;
        let fin = head[0] & 0x80 != 0;
        let opcode = head[0] & 0x0f;
        if head[1] & 0x80 == 0 {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "websocket: bad MASK"));
        }
        let len = match head[1] & 0x7f {
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
        let len = usize::try_from(len).ok().filter(|l| *l <= LIMIT).ok_or_else(|| {
            io::Error::new(io::ErrorKind::InvalidData, "websocket: read limit exceeded")
        })?;
        let mut mask = [0u8; 4];
        r.read_exact(&mut mask)?;
        let mut payload = vec![0u8; len];
        r.read_exact(&mut payload)?;
        for (i, b) in payload.iter_mut().enumerate() {
            *b ^= mask[i % 4];
        }
        match opcode {
            // Control frames may come between a message's fragments.
            PING => {
                write_frame(w, PONG, &payload)?;
                continue;
            }
            PONG => continue,
            CLOSE => {
                // Echo the status code back, as gorilla's default close handler does.
                let code = payload.get(..2).map(<[u8]>::to_vec).unwrap_or_default();
                let _ = write_frame(w, CLOSE, &code);
                return Ok(Message { opcode: CLOSE, payload });
            }
            0 => match &mut message {
                Some((_, data)) => data.extend_from_slice(&payload),
                None => {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        "websocket: continuation after FIN",
                    ));
                }
            },
            TEXT | BINARY => message = Some((opcode, payload)),
            _ => return Err(io::Error::new(io::ErrorKind::InvalidData, "websocket: bad opcode")),
        }
        if fin && let Some((opcode, payload)) = message.take() {
            return Ok(Message { opcode, payload });
        }
    }
}

/// Writes one unmasked frame, as a server does.
pub(crate) fn write_frame(w: &mut impl Write, opcode: u8, payload: &[u8]) -> io::Result<()> {
    let mut frame = vec![0x80 | opcode];
    match payload.len() {
        n if n < 126 => frame.push(n as u8),
        n if n <= usize::from(u16::MAX) => {
            frame.push(126);
            frame.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            frame.push(127);
            frame.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    frame.extend_from_slice(payload);
    w.write_all(&frame)?;
    w.flush()
}

/// Standard base64 with padding.
pub(crate) fn base64(data: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ABC[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// SHA-1 (FIPS 180-4), which the handshake needs and nothing else.
pub(crate) fn sha1(data: &[u8]) -> [u8; 20] {
    let mut h: [u32; 5] = [0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476, 0xC3D2_E1F0];
    let mut msg = data.to_vec();
    let bits = (data.len() as u64).wrapping_mul(8);
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&bits.to_be_bytes());
    for block in msg.chunks(64) {
        let mut w = [0u32; 80];
        for (i, word) in block.chunks(4).enumerate() {
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
            (e, d, c, b, a) = (d, c, b.rotate_left(30), a, t);
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d, e]) {
            *x = x.wrapping_add(y);
        }
    }
    let mut out = [0u8; 20];
    for (i, x) in h.iter().enumerate() {
        out[4 * i..4 * i + 4].copy_from_slice(&x.to_be_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_accept_key_of_rfc_6455_section_1_3() {
        assert_eq!(accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
        assert_eq!(base64(b"ab"), "YWI=");
    }

    #[test]
    fn masked_fragments_are_joined_and_pings_answered() {
        let mask = [1u8, 2, 3, 4];
        let masked = |opcode: u8, fin: bool, data: &[u8]| {
            let mut f = vec![if fin { 0x80 } else { 0 } | opcode, 0x80 | data.len() as u8];
            f.extend_from_slice(&mask);
            f.extend(data.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
            f
        };
        let mut input = masked(BINARY, false, b"hel");
        input.extend(masked(PING, true, b"p"));
        input.extend(masked(0, true, b"lo"));
        let mut out = Vec::new();
        let m = read_message(&mut &input[..], &mut out).unwrap();
        assert_eq!(m, Message { opcode: BINARY, payload: b"hello".to_vec() });
        assert_eq!(out, [0x80 | PONG, 1, b'p']);
        let unmasked = [0x82u8, 1, b'x'];
        assert!(read_message(&mut &unmasked[..], &mut Vec::new()).is_err());
    }
}
