//! Per-unit controller-side data: unit state (state-get/-set/-delete, with Juju's key and value
//! quotas) and ports (open-port/close-port/opened-ports). Writes are buffered; opened-ports shows
//! only what is committed, not this hook's pending changes (juju/juju `jujuc/opened-ports.go`).

use std::collections::BTreeMap;
use std::io::Read;

use serde_json::{Value, json};

use super::args::{Args, FORMAT, switch, val};
use super::common::{parse_string_map, read_file_arg};
use super::fail::{Fail, Served};
use crate::format::{Format, render};
use crate::session::Session;
use crate::state::normalize_port;

const MAX_KEY: usize = 256;
const MAX_VALUE: usize = 65536;

pub(crate) fn state_get(sess: &mut Session, args: &[String]) -> Served {
    let a = Args::parse(args, &[FORMAT, switch("strict", None)])?;
    let fmt = a.format(Format::Smart)?;
    a.at_most(1)?;
    let kv = sess.view().units.get(&sess.unit()).map(|u| u.kv.clone()).unwrap_or_default();
    let out = match a.arg(0).filter(|k| *k != "-") {
        Some(k) => match kv.get(k) {
            Some(v) => json!(v),
            None if a.on("strict") => return Err(Fail::Run(format!("{k:?} not found"))),
            None => json!(""),
        },
        // Juju returns a nil map when the unit has no state: json prints `null`.
        None if kv.is_empty() => Value::Null,
        None => json!(kv),
    };
    Ok(render(fmt, &out))
}

pub(crate) fn state_set(sess: &mut Session, args: &[String], stdin: &mut dyn Read) -> Served {
    let a = Args::parse(args, &[val("file", None)])?;
    let mut settings = match a.get("file") {
        Some(path) => {
            let text = read_file_arg(sess, path, stdin)?;
            parse_string_map(&text).map_err(|e| Fail::Run(not_a_map(&text).unwrap_or(e)))?
        }
        None => BTreeMap::new(),
    };
    for kv in &a.pos {
        let (k, v) = kv
            .split_once('=')
            .filter(|(k, _)| !k.is_empty())
            .ok_or_else(|| Fail::Usage(format!("expected \"key=value\", got {kv:?}")))?;
        settings.insert(k.to_owned(), v.to_owned());
    }
    for (k, v) in &settings {
        if k.len() > MAX_KEY {
            return Err(Fail::Run(format!("max allowed key length ({MAX_KEY}) exceeded")));
        }
        if v.len() > MAX_VALUE {
            return Err(Fail::Run(format!("max allowed value length ({MAX_VALUE}) exceeded")));
        }
    }
    let unit = sess.unit();
    if let Some(u) = sess.buffered().units.get_mut(&unit) {
        u.kv.extend(settings);
    }
    Ok(Vec::new())
}

/// Go's yaml.v2 error for a document that is a scalar or a list where state-set wants a map
/// (`yaml: unmarshal errors:\n  line 1: cannot unmarshal !!str `one = two` into
/// map[string]string`); `None` for anything else.
fn not_a_map(text: &str) -> Option<String> {
    let value: Value = serde_saphyr::from_str(text).ok()?;
    let tag = match &value {
        Value::String(_) => "!!str",
        Value::Bool(_) => "!!bool",
        Value::Number(n) if n.is_f64() => "!!float",
        Value::Number(_) => "!!int",
        Value::Array(_) => "!!seq",
        _ => return None,
    };
    let line = 1 + text.lines().take_while(|l| l.trim().is_empty()).count();
    let raw = text.trim();
    let shown = match value {
        Value::Array(_) => String::new(),
        _ if raw.len() > 10 => format!(" `{}...`", raw.get(..7).unwrap_or(raw)),
        _ => format!(" `{raw}`"),
    };
    Some(format!(
        "yaml: unmarshal errors:\n  line {line}: cannot unmarshal {tag}{shown} into map[string]string"
    ))
}

pub(crate) fn state_delete(sess: &mut Session, args: &[String]) -> Served {
    let a = Args::parse(args, &[])?;
    a.at_most(1)?;
    let Some(key) = a.arg(0).map(str::to_owned) else { return Ok(Vec::new()) };
    let unit = sess.unit();
    if let Some(u) = sess.buffered().units.get_mut(&unit) {
        u.kv.remove(&key);
    }
    Ok(Vec::new())
}

pub(crate) fn port(sess: &mut Session, args: &[String], open: bool) -> Served {
    let a = Args::parse(args, &[val("endpoints", None), FORMAT])?;
    a.at_most(1)?;
    let spec = a.arg(0).ok_or_else(|| Fail::Usage("no port or range specified".into()))?;
    let port = normalize_port(spec)
        .ok_or_else(|| Fail::Usage(format!("invalid port or range {spec:?}")))?;
    let unit = sess.unit();
    if let Some(u) = sess.buffered().units.get_mut(&unit) {
        if open {
            u.ports.insert(port);
        } else {
            u.ports.remove(&port);
        }
    }
    Ok(Vec::new())
}

pub(crate) fn opened_ports(sess: &mut Session, args: &[String]) -> Served {
    let a = Args::parse(args, &[FORMAT, switch("endpoints", None)])?;
    let fmt = a.format(Format::Smart)?;
    a.at_most(0)?;
    let mut ports: Vec<String> = sess
        .base
        .units
        .get(&sess.unit())
        .map(|u| u.ports.iter().cloned().collect())
        .unwrap_or_default();
    ports.sort_by_key(|p| sort_key(p));
    if a.on("endpoints") {
        for p in &mut ports {
            p.push_str(" (*)");
        }
    }
    Ok(render(fmt, &json!(ports)))
}

/// `80`, `80/TCP`, `8000-8999/udp`, `icmp` → `80/tcp`, `8000-8999/udp`, `icmp`.
fn sort_key(p: &str) -> (String, u16, u16) {
    let (range, proto) = p.split_once('/').unwrap_or(("", p));
    let (f, t) = range.split_once('-').unwrap_or((range, range));
    (proto.to_owned(), f.parse().unwrap_or(0), t.parse().unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_are_normalized() {
        assert_eq!(normalize_port("80").as_deref(), Some("80/tcp"));
        assert_eq!(normalize_port("53/UDP").as_deref(), Some("53/udp"));
        assert_eq!(normalize_port("8000-8999/udp").as_deref(), Some("8000-8999/udp"));
        assert_eq!(normalize_port("ICMP").as_deref(), Some("icmp"));
        assert_eq!(normalize_port("0"), None);
        assert_eq!(normalize_port("80/sctp"), None);
        assert_eq!(normalize_port("9-8"), None);
    }
}
