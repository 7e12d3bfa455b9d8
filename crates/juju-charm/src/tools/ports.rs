//! Ports: `open-port`, `close-port`, `opened-ports`.
//!
//! Opening and closing take effect when the hook succeeds, so `opened-ports` does not show what
//! the current hook opened (juju/juju `jujuc/opened-ports.go`). On a machine the port is only
//! reachable while the application is exposed; on Kubernetes it is opened on the service whether
//! exposed or not, and only single ports, not ranges, can be opened there (the help text of
//! juju/juju `jujuc/ports.go`).

use std::fmt;

use super::{HookTools, Result, parse_error, parse_json};
use crate::error::HookToolError;

/// The transport protocol of a [`Port`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Protocol {
    /// `tcp`, Juju's default.
    Tcp,
    /// `udp`
    Udp,
}

impl Protocol {
    /// The word Juju uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Tcp => "tcp",
            Self::Udp => "udp",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        if s.eq_ignore_ascii_case("tcp") {
            Some(Self::Tcp)
        } else if s.eq_ignore_ascii_case("udp") {
            Some(Self::Udp)
        } else {
            None
        }
    }
}

/// A port, a range of ports, or ICMP: what `open-port` and `close-port` take and
/// `opened-ports` lists. [`Display`](fmt::Display) gives Juju's form (`80/tcp`,
/// `1000-2000/udp`, `icmp`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Port {
    /// One port: `80/tcp`.
    Single {
        /// Its protocol.
        protocol: Protocol,
        /// The port number.
        number: u16,
    },
    /// A range of ports, both ends included: `1000-2000/udp`. Not supported on Kubernetes,
    /// where each port must be opened on its own.
    Range {
        /// Their protocol.
        protocol: Protocol,
        /// The first port.
        from: u16,
        /// The last port (at least `from`).
        to: u16,
    },
    /// ICMP, which has no port numbers: `icmp`.
    Icmp,
}

impl Port {
    /// One TCP port.
    pub fn tcp(number: u16) -> Self {
        Self::Single { protocol: Protocol::Tcp, number }
    }

    /// One UDP port.
    pub fn udp(number: u16) -> Self {
        Self::Single { protocol: Protocol::Udp, number }
    }

    /// The ports `from` to `to`, both included.
    pub fn range(protocol: Protocol, from: u16, to: u16) -> Self {
        Self::Range { protocol, from, to }
    }

    /// Parses Juju's form: `80/tcp`, `1000-2000/udp`, `icmp`; a missing protocol is TCP (as
    /// Juju's `network.ParsePortRange` reads it), a range that ends before it starts is `None`.
    fn parse(s: &str) -> Option<Self> {
        if s.eq_ignore_ascii_case("icmp") {
            return Some(Self::Icmp);
        }
        let (numbers, protocol) = match s.split_once('/') {
            Some((numbers, protocol)) => (numbers, Protocol::parse(protocol)?),
            None => (s, Protocol::Tcp),
        };
        let number = |n: &str| n.parse::<u16>().ok();
        match numbers.split_once('-') {
            None => Some(Self::Single { protocol, number: number(numbers)? }),
            Some((from, to)) => {
                let (from, to) = (number(from)?, number(to)?);
                (from <= to).then_some(Self::Range { protocol, from, to })
            }
        }
    }
}

impl fmt::Display for Port {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Single { protocol, number } => write!(f, "{number}/{}", protocol.as_str()),
            Self::Range { protocol, from, to } => write!(f, "{from}-{to}/{}", protocol.as_str()),
            Self::Icmp => f.write_str("icmp"),
        }
    }
}

/// The endpoints an opened port applies to, as `opened-ports --endpoints` shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PortEndpoints {
    /// Every endpoint (`(*)`): the port was opened without `--endpoints`.
    All,
    /// Only these endpoints, sorted by name (`(db, web)`).
    Only(Vec<String>),
}

/// One entry of `opened-ports --endpoints`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OpenedPort {
    /// The port or range.
    pub port: Port,
    /// The endpoints it is open for.
    pub endpoints: PortEndpoints,
}

const PORTS: &str = "a JSON array of ports (80/tcp, 1000-2000/udp, icmp)";

impl HookTools<'_> {
    /// `open-port [--endpoints <a,b>] <port>`: asks Juju to open `port` when the hook succeeds,
    /// for every endpoint (`endpoints` empty) or only for those listed.
    ///
    /// A [`Port::Range`] is not supported on Kubernetes (the tool's own help: "it is currently
    /// not possible to designate a range of ports to open for Kubernetes charms"): open each
    /// port on its own there. A range that ends before it starts, or an endpoint name that is empty or
    /// holds a comma, is refused before the tool runs. The tool prints nothing.
    ///
    /// ```
    /// use juju_charm::{HookTools, ToolOutput};
    /// use juju_charm::tools::{Port, Protocol};
    ///
    /// let runner = |tool: &str, args: &[&str], _stdin: Option<&[u8]>| {
    ///     assert_eq!(tool, "open-port");
    ///     assert!(args == ["443/tcp"] || args == ["--endpoints", "metrics,web", "8000-8099/udp"]);
    ///     Ok(ToolOutput::ok(""))
    /// };
    /// let tools = HookTools::new(&runner);
    /// tools.open_port(Port::tcp(443), &[])?;
    /// tools.open_port(Port::range(Protocol::Udp, 8000, 8099), &["metrics", "web"])?;
    /// # Ok::<(), juju_charm::HookToolError>(())
    /// ```
    pub fn open_port(&self, port: Port, endpoints: &[&str]) -> Result<()> {
        self.port_command("open-port", port, endpoints)
    }

    /// `close-port [--endpoints <a,b>] <port>`: asks Juju to close `port` when the hook
    /// succeeds, for every endpoint (`endpoints` empty) or only for those listed. The same
    /// rules and checks as [`HookTools::open_port`].
    pub fn close_port(&self, port: Port, endpoints: &[&str]) -> Result<()> {
        self.port_command("close-port", port, endpoints)
    }

    /// `opened-ports --format=json`: the ports this unit has open, sorted by protocol then
    /// number, without those the current hook opened (they open when it succeeds).
    pub fn opened_ports(&self) -> Result<Vec<Port>> {
        let tool = "opened-ports";
        let out = self.run(tool, &["--format=json"], None)?;
        let entries: Option<Vec<String>> = parse_json(tool, &out, PORTS)?;
        entries
            .unwrap_or_default()
            .iter()
            .map(|e| Port::parse(e).ok_or_else(|| parse_error(tool, PORTS)))
            .collect()
    }

    /// `opened-ports --endpoints --format=json`: the ports this unit has open, each with the
    /// endpoints it applies to (Juju prints `80/tcp (*)`, `81/tcp (db, web)`). A port opened
    /// for every endpoint is [`PortEndpoints::All`], even if also opened for some by name.
    pub fn opened_ports_endpoints(&self) -> Result<Vec<OpenedPort>> {
        let tool = "opened-ports";
        let what = "a JSON array of ports with endpoints (80/tcp (*), 81/tcp (db, web))";
        let out = self.run(tool, &["--endpoints", "--format=json"], None)?;
        let entries: Option<Vec<String>> = parse_json(tool, &out, what)?;
        entries
            .unwrap_or_default()
            .iter()
            .map(|e| parse_opened_port(e).ok_or_else(|| parse_error(tool, what)))
            .collect()
    }

    fn port_command(&self, tool: &str, port: Port, endpoints: &[&str]) -> Result<()> {
        let invalid = |why: String| HookToolError::Invalid { tool: tool.to_owned(), why };
        if let Port::Range { from, to, .. } = port
            && from > to
        {
            return Err(invalid(format!("the port range {from}-{to} ends before it starts")));
        }
        if let Some(bad) = endpoints.iter().find(|e| e.is_empty() || e.contains(',')) {
            return Err(invalid(format!("{bad:?} is not an endpoint name")));
        }
        let endpoints = endpoints.join(",");
        let port = port.to_string();
        let mut args = Vec::new();
        if !endpoints.is_empty() {
            args.extend(["--endpoints", endpoints.as_str()]);
        }
        args.push(port.as_str());
        self.run(tool, &args, None).map(drop)
    }
}

/// `80/tcp (*)`, `1000-2000/udp (db, web)`, `icmp (*)`.
fn parse_opened_port(entry: &str) -> Option<OpenedPort> {
    let (port, rest) = entry.split_once(' ')?;
    let names = rest.trim().strip_prefix('(')?.strip_suffix(')')?;
    let endpoints = if names.trim() == "*" {
        PortEndpoints::All
    } else {
        let names: Vec<String> = names.split(',').map(|n| n.trim().to_owned()).collect();
        if names.iter().any(String::is_empty) {
            return None;
        }
        PortEndpoints::Only(names)
    };
    Some(OpenedPort { port: Port::parse(port)?, endpoints })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_print_and_parse_as_juju_does() {
        for (text, port) in [
            ("80/tcp", Port::tcp(80)),
            ("53/udp", Port::udp(53)),
            ("1000-2000/udp", Port::range(Protocol::Udp, 1000, 2000)),
            ("icmp", Port::Icmp),
        ] {
            assert_eq!(port.to_string(), text);
            assert_eq!(Port::parse(text), Some(port));
        }
        // juju/juju core/network ParsePortRange: no protocol is tcp, any case.
        assert_eq!(Port::parse("80"), Some(Port::tcp(80)));
        assert_eq!(Port::parse("100-200"), Some(Port::range(Protocol::Tcp, 100, 200)));
        assert_eq!(Port::parse("80/TCP"), Some(Port::tcp(80)));
        assert_eq!(Port::parse("ICMP"), Some(Port::Icmp));
        for bad in ["", "x/tcp", "80/sctp", "9-8/tcp", "1-2-3", "65536/tcp", "-1/tcp", "icmp/tcp"] {
            assert_eq!(Port::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn opened_ports_with_endpoints_parse() {
        assert_eq!(
            parse_opened_port("81/tcp (db, web)"),
            Some(OpenedPort {
                port: Port::tcp(81),
                endpoints: PortEndpoints::Only(vec!["db".into(), "web".into()])
            })
        );
        assert_eq!(
            parse_opened_port("icmp (*)"),
            Some(OpenedPort { port: Port::Icmp, endpoints: PortEndpoints::All })
        );
        for bad in ["80/tcp", "80/tcp ()", "80/tcp (a,,b)", "80/tcp (a", "(*)", " (*)"] {
            assert_eq!(parse_opened_port(bad), None, "{bad}");
        }
    }
}
