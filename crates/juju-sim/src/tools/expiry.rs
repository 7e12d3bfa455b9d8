//! `--expire` of secret-add and secret-set: an RFC 3339 time or a Go duration.

/// `--expire`: RFC 3339, `2006-01-02T15:04:05` (UTC), or a positive Go duration (`24h`, `1h30m`).
///
/// Why `--expire` is refused, as secret-add/secret-set's `Init` says it: a duration of zero or
/// less is `negative expire duration "<s>" not valid`, anything else unparsable
/// `expire time or duration "<s>" not valid`.
pub(crate) fn expire_error(s: &str) -> Option<String> {
    if valid_timestamp(s) {
        return None;
    }
    match go_duration(s) {
        None => Some(format!("expire time or duration {s:?} not valid")),
        Some(d) if d <= 0.0 => Some(format!("negative expire duration {s:?} not valid")),
        Some(_) => None,
    }
}

fn valid_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    let shape = b.len() >= 19
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && b[10] == b'T'
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19);
    if !shape {
        return false;
    }
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return false;
        }
        rest = &frac[n..];
    }
    match rest {
        "" | "Z" => true,
        tz => {
            let t = tz.as_bytes();
            t.len() == 6
                && (t[0] == b'+' || t[0] == b'-')
                && t[3] == b':'
                && [1, 2, 4, 5].iter().all(|i| t[*i].is_ascii_digit())
        }
    }
}

/// Go's `time.ParseDuration`, as a signed sum (the units do not matter for the sign).
fn go_duration(s: &str) -> Option<f64> {
    let (sign, mut rest) = match s.as_bytes().first() {
        Some(b'-') => (-1.0, &s[1..]),
        Some(b'+') => (1.0, &s[1..]),
        _ => (1.0, s),
    };
    if rest == "0" {
        return Some(0.0);
    }
    if rest.is_empty() {
        return None;
    }
    let mut total = 0f64;
    while !rest.is_empty() {
        let n = rest.bytes().take_while(|c| c.is_ascii_digit() || *c == b'.').count();
        let num = rest[..n].parse::<f64>().ok()?;
        rest = &rest[n..];
        let unit =
            ["ns", "us", "µs", "μs", "ms", "s", "m", "h"].iter().find(|u| rest.starts_with(**u))?;
        rest = &rest[unit.len()..];
        total += num;
    }
    Some(sign * total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_expire_accepts_rfc3339_naive_and_durations() {
        assert_eq!(
            expire_error("-1h").as_deref(),
            Some("negative expire duration \"-1h\" not valid")
        );
        for ok in [
            "2030-01-02T03:04:05Z",
            "2030-01-02T03:04:05",
            "2030-01-02T03:04:05.5+02:00",
            "24h",
            "1h30m",
        ] {
            assert_eq!(expire_error(ok), None, "{ok}");
        }
        for bad in ["tomorrow", "0h", "2030-01-02", "-1h", ""] {
            assert!(expire_error(bad).is_some(), "{bad}");
        }
    }
}
