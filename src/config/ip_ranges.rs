//! The `allowed-ip-ranges` option: comma-separated CIDRs; when set, a CSR on `certificates` with an
//! IP SAN outside them is refused.
//!
//! `10.0.0.0/8`, `fd00::/8`; a bare address means that one address (`/32`, `/128`). A range with
//! host bits set (`10.0.0.1/8`) is refused rather than silently widened or narrowed, since it is
//! more likely a typo than a wish.

use std::fmt;
use std::net::IpAddr;

/// One CIDR range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct IpRange {
    network: IpAddr,
    prefix: u8,
}

impl IpRange {
    /// Whether `ip` is in the range (an IPv4 address is never in an IPv6 range, nor the reverse,
    /// except an IPv4-mapped IPv6 address, which is taken as the IPv4 address it maps).
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        match (self.network, ip) {
            (IpAddr::V4(n), IpAddr::V4(a)) => {
                masked(u128::from(u32::from(a)), 32, self.prefix) == u128::from(u32::from(n))
            }
            (IpAddr::V6(n), IpAddr::V6(a)) => {
                masked(u128::from(a), 128, self.prefix) == u128::from(n)
            }
            _ => false,
        }
    }
}

impl fmt::Display for IpRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix)
    }
}

/// `value` with only its first `prefix` bits of `width` kept.
fn masked(value: u128, width: u8, prefix: u8) -> u128 {
    if prefix == 0 {
        return 0;
    }
    let keep = u128::MAX << (128 - u32::from(prefix)) >> (128 - u32::from(width));
    value & keep
}

/// Parses the option; the error names the bad item.
pub fn parse(value: &str) -> Result<Vec<IpRange>, String> {
    let mut out = Vec::new();
    for item in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let (addr, prefix) = match item.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (item, None),
        };
        let network: IpAddr =
            addr.parse().map_err(|_| format!("'{item}' is not an IP address or CIDR range"))?;
        let width = if network.is_ipv4() { 32 } else { 128 };
        let prefix =
            match prefix {
                None => width,
                Some(p) => p.parse::<u8>().ok().filter(|p| *p <= width).ok_or_else(|| {
                    format!("'{item}' has a prefix length that is not 0 to {width}")
                })?,
            };
        let bits = match network {
            IpAddr::V4(a) => u128::from(u32::from(a)),
            IpAddr::V6(a) => u128::from(a),
        };
        if masked(bits, width, prefix) != bits {
            return Err(format!("'{item}' has host bits set"));
        }
        let range = IpRange { network, prefix };
        if !out.contains(&range) {
            out.push(range);
        }
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    #[test]
    fn ranges_contain_what_they_should() {
        let r = parse(" 10.0.0.0/8, 192.168.1.7 ,fd00::/8, 0.0.0.0/0").expect("parses");
        assert_eq!(r.len(), 4);
        let ten = parse("10.0.0.0/8").expect("ok")[0];
        assert!(ten.contains(ip("10.255.1.2")) && !ten.contains(ip("11.0.0.1")));
        assert!(ten.contains(ip("::ffff:10.1.2.3")), "IPv4-mapped");
        assert!(!ten.contains(ip("fd00::1")));
        let one = parse("192.168.1.7").expect("ok")[0];
        assert!(one.contains(ip("192.168.1.7")) && !one.contains(ip("192.168.1.8")));
        let v6 = parse("fd00::/8").expect("ok")[0];
        assert!(v6.contains(ip("fdff::1")) && !v6.contains(ip("fe80::1")));
        let all = parse("0.0.0.0/0").expect("ok")[0];
        assert!(all.contains(ip("8.8.8.8")) && !all.contains(ip("::1")));
        assert_eq!(parse("").expect("empty"), []);
        assert_eq!(one.to_string(), "192.168.1.7/32");
    }

    #[test]
    fn problems_are_named() {
        for (bad, needle) in [
            ("10.0.0.1/8", "host bits"),
            ("10.0.0.0/33", "prefix length"),
            ("fd00::/129", "prefix length"),
            ("example.com", "not an IP"),
            ("10.0.0.0/x", "prefix length"),
        ] {
            let err = parse(bad).expect_err(bad);
            assert!(err.contains(needle) && err.contains(bad), "{bad}: {err}");
        }
    }
}
