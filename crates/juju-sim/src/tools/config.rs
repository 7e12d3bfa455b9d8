//! config-get, is-leader and the deprecated leader-get/leader-set: the unit's view of its
//! configuration and leadership (juju/juju `jujuc/config-get.go`, `is-leader.go`, `leader-*.go`).
//!
//! config-get omits options that are null (unset, no default) unless `--all` is given, and prints
//! integral float values as JSON integers, as Go's `json.Marshal` does for a float64 of 60.

use serde_json::{Map, Value, json};

use super::args::{Args, FORMAT, switch};
use super::fail::{Fail, Served};
use crate::format::{Format, render};
use crate::meta::OptionType;
use crate::session::Session;

pub(crate) fn config_get(sess: &mut Session, args: &[String]) -> Served {
    let a = Args::parse(args, &[FORMAT, switch("all", Some('a'))])?;
    let fmt = a.format(Format::Smart)?;
    a.at_most(1)?;
    let all = a.on("all");
    if let (true, Some(k)) = (all, a.arg(0)) {
        return Err(Fail::Usage(format!("cannot use argument --all together with key {k:?}")));
    }
    let state = sess.view();
    let mut values = Map::new();
    for (k, v) in state.effective_config() {
        let float = state.meta.options.get(&k).is_some_and(|o| o.kind == OptionType::Float);
        values.insert(k, if float { go_float(v) } else { v });
    }
    let out = match a.arg(0) {
        Some(k) => values.remove(k).unwrap_or(Value::Null),
        None if all => Value::Object(values),
        None => Value::Object(values.into_iter().filter(|(_, v)| !v.is_null()).collect()),
    };
    Ok(render(fmt, &out))
}

/// An integral float as Go prints a float64: without a fractional part.
fn go_float(v: Value) -> Value {
    match v.as_f64() {
        Some(f) if v.is_f64() && f.fract() == 0.0 && f.abs() < 1e15 => json!(f as i64),
        _ => v,
    }
}

pub(crate) fn is_leader(sess: &mut Session, args: &[String]) -> Served {
    let a = Args::parse(args, &[FORMAT])?;
    let fmt = a.format(Format::Smart)?;
    a.at_most(0)?;
    Ok(render(fmt, &json!(sess.is_leader())))
}

pub(crate) fn leader_get(sess: &mut Session, args: &[String]) -> Served {
    let a = Args::parse(args, &[FORMAT])?;
    let fmt = a.format(Format::Smart)?;
    a.at_most(1)?;
    let settings = &sess.view().leader_settings;
    let out = match a.arg(0).filter(|k| *k != "-") {
        Some(k) if k.contains('=') => return Err(Fail::Usage(format!("invalid key {k:?}"))),
        Some(k) => settings.get(k).map_or(Value::Null, |v| json!(v)),
        None => json!(settings),
    };
    Ok(render(fmt, &out))
}

pub(crate) fn leader_set(sess: &mut Session, args: &[String]) -> Served {
    let a = Args::parse(args, &[])?;
    let mut pairs = Vec::new();
    for kv in &a.pos {
        let (k, v) = kv
            .split_once('=')
            .ok_or_else(|| Fail::Usage(format!("expected \"key=value\", got {kv:?}")))?;
        pairs.push((k.to_owned(), v.to_owned()));
    }
    if !sess.is_leader() {
        return Err(Fail::Run(
            "cannot write leadership settings: cannot write settings: not the leader".into(),
        ));
    }
    sess.immediate(|s| {
        for (k, v) in &pairs {
            if v.is_empty() {
                s.leader_settings.remove(k);
            } else {
                s.leader_settings.insert(k.clone(), v.clone());
            }
        }
    });
    Ok(Vec::new())
}
