//! Go's `time.Duration` as Pebble reads and writes it: `time.ParseDuration` for the layer fields
//! (`backoff-delay`, `period`, …) and `Duration.String` for the plan it prints (`1m30s`,
//! `500ms`, `1h0m0s`).

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A span of time as Go's `time.Duration`: whole nanoseconds.
///
/// ```
/// use juju_sim::pebble::GoDuration;
///
/// let d: GoDuration = "1m30s".parse()?;
/// assert_eq!(d.as_nanos(), 90_000_000_000);
/// assert_eq!(d.to_string(), "1m30s");
/// assert_eq!("1.5h".parse::<GoDuration>()?.to_string(), "1h30m0s");
/// assert_eq!("500ms".parse::<GoDuration>()?.to_string(), "500ms");
/// assert!("10".parse::<GoDuration>().is_err(), "Go wants a unit");
/// # Ok::<(), String>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GoDuration(i64);

const NS: i64 = 1;
const US: i64 = 1_000;
const MS: i64 = 1_000_000;
const SEC: i64 = 1_000_000_000;
const MIN: i64 = 60 * SEC;
const HOUR: i64 = 60 * MIN;

impl GoDuration {
    /// `n` nanoseconds.
    pub const fn from_nanos(n: i64) -> Self {
        Self(n)
    }

    /// `n` seconds.
    pub const fn from_secs(n: i64) -> Self {
        Self(n * SEC)
    }

    /// `n` milliseconds.
    pub const fn from_millis(n: i64) -> Self {
        Self(n * MS)
    }

    /// The span in nanoseconds.
    pub const fn as_nanos(self) -> i64 {
        self.0
    }

    /// Whether it is zero.
    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }
}

impl std::str::FromStr for GoDuration {
    type Err = String;

    /// Go's `time.ParseDuration`: a sign, then numbers with units (`ns`, `us`/`µs`, `ms`, `s`,
    /// `m`, `h`), possibly fractional, `"0"` alone without one. The error is Go's
    /// (`time: invalid duration "x"`, `time: missing unit in duration "10"`).
    fn from_str(orig: &str) -> Result<Self, String> {
        let invalid = || format!("time: invalid duration \"{orig}\"");
        let mut s = orig;
        let mut negative = false;
        if let Some(rest) = s.strip_prefix('-') {
            negative = true;
            s = rest;
        } else if let Some(rest) = s.strip_prefix('+') {
            s = rest;
        }
        if s == "0" {
            return Ok(Self(0));
        }
        if s.is_empty() {
            return Err(invalid());
        }
        let mut total: i128 = 0;
        while !s.is_empty() {
            let digits = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
            let (whole, rest) = s.split_at(digits);
            let mut frac = "";
            let mut rest = rest;
            if let Some(r) = rest.strip_prefix('.') {
                let n = r.find(|c: char| !c.is_ascii_digit()).unwrap_or(r.len());
                frac = &r[..n];
                rest = &r[n..];
            }
            if whole.is_empty() && frac.is_empty() {
                return Err(invalid());
            }
            let unit_len =
                rest.find(|c: char| c == '.' || c.is_ascii_digit()).unwrap_or(rest.len());
            let (unit, tail) = rest.split_at(unit_len);
            if unit.is_empty() {
                return Err(format!("time: missing unit in duration \"{orig}\""));
            }
            let scale: i64 = match unit {
                "ns" => NS,
                "us" | "µs" | "μs" => US,
                "ms" => MS,
                "s" => SEC,
                "m" => MIN,
                "h" => HOUR,
                _ => return Err(format!("time: unknown unit \"{unit}\" in duration \"{orig}\"")),
            };
            let w: i128 =
                if whole.is_empty() { 0 } else { whole.parse().map_err(|_| invalid())? };
            let mut v = w * i128::from(scale);
            if !frac.is_empty() {
                let mut f: i128 = 0;
                let mut div: i128 = 1;
                for d in frac.bytes().take(18) {
                    f = f * 10 + i128::from(d - b'0');
                    div *= 10;
                }
                v += f * i128::from(scale) / div;
            }
            total += v;
            if total > i128::from(i64::MAX) {
                return Err(invalid());
            }
            s = tail;
        }
        let n = i64::try_from(total).map_err(|_| invalid())?;
        Ok(Self(if negative { -n } else { n }))
    }
}

impl fmt::Display for GoDuration {
    /// Go's `Duration.String`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.0;
        if d == 0 {
            return f.write_str("0s");
        }
        let sign = if d < 0 { "-" } else { "" };
        let u = d.unsigned_abs();
        if u < 1_000_000_000 {
            let (unit, div) = if u < 1_000 {
                ("ns", 1)
            } else if u < 1_000_000 {
                ("µs", 1_000)
            } else {
                ("ms", 1_000_000)
            };
            return write!(f, "{sign}{}{unit}", frac(u, div));
        }
        let secs = u / 1_000_000_000;
        let sub = u % 1_000_000_000;
        let (h, m, s) = (secs / 3600, (secs / 60) % 60, secs % 60);
        let s = frac(s * 1_000_000_000 + sub, 1_000_000_000);
        if h > 0 {
            write!(f, "{sign}{h}h{m}m{s}s")
        } else if m > 0 {
            write!(f, "{sign}{m}m{s}s")
        } else {
            write!(f, "{sign}{s}s")
        }
    }
}

/// `v / div` with the fraction's trailing zeros dropped, as Go's `fmtFrac`.
fn frac(v: u64, div: u64) -> String {
    let whole = v / div;
    let rest = v % div;
    if rest == 0 {
        return whole.to_string();
    }
    let width = div.to_string().len() - 1;
    let digits = format!("{rest:0width$}");
    format!("{whole}.{}", digits.trim_end_matches('0'))
}

impl Serialize for GoDuration {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for GoDuration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_formats_and_parses_durations() {
        for (text, nanos, shown) in [
            ("10s", 10 * SEC, "10s"),
            ("500ms", 500 * MS, "500ms"),
            ("1.5s", 1_500 * MS, "1.5s"),
            ("90s", 90 * SEC, "1m30s"),
            ("1h", HOUR, "1h0m0s"),
            ("100us", 100 * US, "100µs"),
            ("3ns", 3, "3ns"),
            ("-2m", -2 * MIN, "-2m0s"),
            ("1h2m3.25s", HOUR + 2 * MIN + 3_250 * MS, "1h2m3.25s"),
        ] {
            let d: GoDuration = text.parse().unwrap();
            assert_eq!(d.as_nanos(), nanos, "{text}");
            assert_eq!(d.to_string(), shown, "{text}");
        }
        assert_eq!("".parse::<GoDuration>(), Err("time: invalid duration \"\"".into()));
        assert_eq!("foo".parse::<GoDuration>(), Err("time: invalid duration \"foo\"".into()));
        assert_eq!("10".parse::<GoDuration>(), Err("time: missing unit in duration \"10\"".into()));
        assert_eq!(
            "3d".parse::<GoDuration>(),
            Err("time: unknown unit \"d\" in duration \"3d\"".into())
        );
    }
}
