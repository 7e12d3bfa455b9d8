//! Small encodings Pebble's API uses: Go durations, Go's query encoding, RFC 3339 times and
//! `multipart/form-data`.

use std::time::Duration;

/// Formats `d` as Go's `time.Duration.String` does (`1h0m0s`, `1.5s`, `500ms`, `0s`), which is
/// what Pebble's client sends and what `time.ParseDuration` on the server reads.
pub(crate) fn format_duration(d: Duration) -> String {
    let nanos = d.as_nanos();
    if nanos == 0 {
        return "0s".to_owned();
    }
    if nanos < 1_000_000_000 {
        let (unit, div, digits) = if nanos < 1_000 {
            ("ns", 1, 0)
        } else if nanos < 1_000_000 {
            ("µs", 1_000, 3)
        } else {
            ("ms", 1_000_000, 6)
        };
        return format!("{}{unit}", fraction(nanos / div, nanos % div, digits));
    }
    let secs = nanos / 1_000_000_000;
    let seconds = fraction(secs % 60, nanos % 1_000_000_000, 9);
    let (hours, minutes) = (secs / 3600, secs % 3600 / 60);
    if hours > 0 {
        format!("{hours}h{minutes}m{seconds}s")
    } else if minutes > 0 {
        format!("{minutes}m{seconds}s")
    } else {
        format!("{seconds}s")
    }
}

fn fraction(whole: u128, rest: u128, digits: usize) -> String {
    if rest == 0 {
        return whole.to_string();
    }
    let frac = format!("{rest:0digits$}");
    format!("{whole}.{}", frac.trim_end_matches('0'))
}

/// Parses a Go duration (`time.ParseDuration`: `1h30m`, `1.5s`, `300ms`, `2us`, `0`); `None`
/// when it does not parse or is negative.
pub(crate) fn parse_duration(s: &str) -> Option<Duration> {
    let mut rest = s.strip_prefix('+').unwrap_or(s);
    if rest == "0" {
        return Some(Duration::ZERO);
    }
    if rest.is_empty() {
        return None;
    }
    let digits_end = |s: &str| s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let mut total: u128 = 0;
    while !rest.is_empty() {
        let end = digits_end(rest);
        let (whole, after) = rest.split_at(end);
        let (frac, after) = match after.strip_prefix('.') {
            Some(r) => r.split_at(digits_end(r)),
            None => ("", after),
        };
        if whole.is_empty() && frac.is_empty() {
            return None;
        }
        let unit_end = after.find(|c: char| c == '.' || c.is_ascii_digit()).unwrap_or(after.len());
        let (unit, after) = after.split_at(unit_end);
        let scale: u128 = match unit {
            "ns" => 1,
            "us" | "µs" | "μs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => return None,
        };
        let whole: u128 = if whole.is_empty() { 0 } else { whole.parse().ok()? };
        total = total.checked_add(whole.checked_mul(scale)?)?;
        let frac = &frac[..frac.len().min(18)];
        if !frac.is_empty() {
            let f: u128 = frac.parse().ok()?;
            let frac_len = u32::try_from(frac.len()).ok()?;
            total = total.checked_add(f * scale / 10u128.pow(frac_len))?;
        }
        rest = after;
    }
    Some(Duration::from_nanos(u64::try_from(total).ok()?))
}

/// Serde for `Option<Duration>` as an optional Go duration string.
pub(crate) mod go_duration {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub(crate) fn serialize<S: Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_str(&super::format_duration(*d)),
            None => s.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Duration>, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(None),
            Some(s) if s.is_empty() => Ok(None),
            Some(s) => super::parse_duration(&s)
                .map(Some)
                .ok_or_else(|| D::Error::custom(format!("invalid duration {s:?}"))),
        }
    }
}

/// Escapes `s` as Go's `url.QueryEscape` does: unreserved bytes stay, a space becomes `+`,
/// every other byte `%XX`.
pub(crate) fn query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(b));
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Encodes a query as Go's `url.Values.Encode` does: keys sorted (stably, so repeated keys
/// keep their order), `key=value` joined by `&`.
pub(crate) fn encode_query(query: &[(String, String)]) -> String {
    let mut pairs: Vec<&(String, String)> = query.iter().collect();
    pairs.sort_by(|a, b| a.0.cmp(&b.0));
    let parts: Vec<String> =
        pairs.iter().map(|(k, v)| format!("{}={}", query_escape(k), query_escape(v))).collect();
    parts.join("&")
}

/// Whether `s` is an RFC 3339 date-time as Go's `time.Parse(time.RFC3339, s)` accepts it
/// (`2022-04-21T03:02:51Z`, `2023-09-05T15:43:00.123+01:00`), with a real calendar date.
pub(crate) fn is_rfc3339(s: &str) -> bool {
    let b = s.as_bytes();
    let num = |from: usize, len: usize| -> Option<u32> {
        let part = b.get(from..from + len)?;
        part.iter()
            .all(u8::is_ascii_digit)
            .then(|| part.iter().fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0')))
    };
    let (Some(year), Some(month), Some(day), Some(hour), Some(min), Some(sec)) =
        (num(0, 4), num(5, 2), num(8, 2), num(11, 2), num(14, 2), num(17, 2))
    else {
        return false;
    };
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' {
        return false;
    }
    if b[16] != b':' {
        return false;
    }
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    if day == 0 || day > days || hour > 23 || min > 59 || sec > 59 {
        return false;
    }
    let mut i = 19;
    if b[i] == b'.' {
        let start = i + 1;
        i = start;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    match &b[i..] {
        [b'Z'] => true,
        [sign, ..] if *sign == b'+' || *sign == b'-' => {
            b.len() == i + 6
                && b[i + 3] == b':'
                && num(i + 1, 2).is_some_and(|h| h < 24)
                && num(i + 4, 2).is_some_and(|m| m < 60)
        }
        _ => false,
    }
}

/// One part of a `multipart/form-data` body.
pub(crate) struct Part<'a> {
    /// The `name` of its `Content-Disposition`.
    pub(crate) name: String,
    /// Its content.
    pub(crate) body: &'a [u8],
}

/// Splits a Content-Type into its media type (lowercase) and its `boundary` parameter.
pub(crate) fn media_type(content_type: &str) -> (String, Option<String>) {
    let mut parts = content_type.split(';');
    let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
    let boundary = parts.find_map(|p| {
        let (k, v) = p.split_once('=')?;
        (k.trim().eq_ignore_ascii_case("boundary")).then(|| v.trim().trim_matches('"').to_owned())
    });
    (media, boundary)
}

/// Splits a `multipart/form-data` body (RFC 7578) into its parts. The error says what is
/// wrong, never what the body holds.
pub(crate) fn parse_multipart<'a>(body: &'a [u8], boundary: &str) -> Result<Vec<Part<'a>>, String> {
    if boundary.is_empty() {
        return Err("no boundary".to_owned());
    }
    let dash = format!("--{boundary}");
    let delim = format!("\r\n--{boundary}");
    // The first delimiter may start the body, or follow a preamble.
    let mut pos = if body.starts_with(dash.as_bytes()) {
        dash.len()
    } else {
        find(body, delim.as_bytes(), 0).ok_or("no first boundary")? + delim.len()
    };
    let mut parts = Vec::new();
    loop {
        let rest = &body[pos..];
        if rest.starts_with(b"--") {
            return Ok(parts);
        }
        // Transport padding, then CRLF.
        let line_end = find(body, b"\r\n", pos).ok_or("boundary line without an end")?;
        let head_start = line_end + 2;
        let head_end = find(body, b"\r\n\r\n", head_start)
            .map(|i| i + 4)
            .or_else(|| body[head_start..].starts_with(b"\r\n").then_some(head_start + 2))
            .ok_or("part headers without an end")?;
        let head = std::str::from_utf8(&body[head_start..head_end])
            .map_err(|_| "part headers are not UTF-8")?;
        let end =
            find(body, delim.as_bytes(), head_end).ok_or("part without a closing boundary")?;
        parts.push(Part { name: form_name(head).unwrap_or_default(), body: &body[head_end..end] });
        pos = end + delim.len();
    }
}

/// The `name` parameter of a part's `Content-Disposition: form-data; name="..."`.
fn form_name(head: &str) -> Option<String> {
    let line = head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim().eq_ignore_ascii_case("content-disposition").then_some(v)
    })?;
    line.split(';').find_map(|p| {
        let (k, v) = p.split_once('=')?;
        (k.trim() == "name").then(|| unquote(v.trim()))
    })
}

fn unquote(v: &str) -> String {
    match v.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
        Some(inner) => inner.replace("\\\"", "\"").replace("\\\\", "\\"),
        None => v.to_owned(),
    }
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack.get(from..)?.windows(needle.len()).position(|w| w == needle).map(|i| i + from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_print_as_go_does() {
        let table = [
            (Duration::ZERO, "0s"),
            (Duration::from_secs(1), "1s"),
            (Duration::from_secs(30), "30s"),
            (Duration::from_secs(90), "1m30s"),
            (Duration::from_secs(3600), "1h0m0s"),
            (Duration::from_secs(168 * 3600), "168h0m0s"),
            (Duration::from_millis(1500), "1.5s"),
            (Duration::from_millis(500), "500ms"),
            (Duration::from_micros(1500), "1.5ms"),
            (Duration::from_nanos(1500), "1.5µs"),
            (Duration::from_nanos(7), "7ns"),
            (Duration::from_millis(3_723_004), "1h2m3.004s"),
        ];
        for (d, want) in table {
            assert_eq!(format_duration(d), want);
            assert_eq!(parse_duration(want), Some(d), "{want}");
        }
    }

    #[test]
    fn durations_parse_as_go_does() {
        assert_eq!(parse_duration("0"), Some(Duration::ZERO));
        assert_eq!(parse_duration("1h30m"), Some(Duration::from_secs(5400)));
        assert_eq!(parse_duration("2us"), Some(Duration::from_micros(2)));
        assert_eq!(parse_duration(".5s"), Some(Duration::from_millis(500)));
        assert_eq!(parse_duration("168h"), Some(Duration::from_secs(168 * 3600)));
        for bad in ["", "1", "1x", "-1s", "s", ".s", "1.2.3s"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }

    #[test]
    fn queries_encode_as_go_does() {
        let q = |pairs: &[(&str, &str)]| {
            encode_query(
                &pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect::<Vec<_>>(),
            )
        };
        assert_eq!(q(&[("path", "/a b"), ("action", "list")]), "action=list&path=%2Fa+b");
        assert_eq!(
            q(&[("names", "b"), ("level", "alive"), ("names", "a")]),
            "level=alive&names=b&names=a"
        );
        assert_eq!(q(&[("after", "2023-09-05T16:43:32Z")]), "after=2023-09-05T16%3A43%3A32Z");
        assert_eq!(q(&[("pattern", "*.[a-z]~")]), "pattern=%2A.%5Ba-z%5D~");
    }

    #[test]
    fn rfc3339() {
        for good in [
            "2022-04-21T03:02:51Z",
            "2023-09-05T15:43:00.123Z",
            "2024-02-29T00:00:00+01:00",
            "2023-09-05T16:43:32.123456789-07:30",
        ] {
            assert!(is_rfc3339(good), "{good}");
        }
        for bad in [
            "2022-08-32T12:42:49Z",
            "2023-02-29T00:00:00Z",
            "2022-04-21 03:02:51Z",
            "2022-04-21T03:02:51",
            "2022-04-21T24:02:51Z",
            "2022-04-21T03:02:51.Z",
            "2022-04-21T03:02:51+0100",
            "",
        ] {
            assert!(!is_rfc3339(bad), "{bad}");
        }
    }

    #[test]
    fn multipart_round_trip() {
        let body = b"--XYZ\r\nContent-Disposition: form-data; name=\"files\"; filename=\"/a\"\r\n\
            Content-Type: application/octet-stream\r\n\r\nline\r\n--XY\r\n--XYZ\r\n\
            Content-Disposition: form-data; name=\"response\"\r\n\r\n{}\n\r\n--XYZ--\r\n";
        let parts = parse_multipart(body, "XYZ").expect("parses");
        assert_eq!(parts.len(), 2);
        assert_eq!((parts[0].name.as_str(), parts[0].body), ("files", &b"line\r\n--XY"[..]));
        assert_eq!((parts[1].name.as_str(), parts[1].body), ("response", &b"{}\n"[..]));
        assert!(parse_multipart(b"Definitely not a multipart payload", "XYZ").is_err());
        assert!(parse_multipart(body, "").is_err());
        assert_eq!(
            media_type("multipart/form-data; boundary=\"abc\""),
            ("multipart/form-data".to_owned(), Some("abc".to_owned()))
        );
        assert_eq!(media_type("text/plain; charset=utf-8"), ("text/plain".to_owned(), None));
    }
}
