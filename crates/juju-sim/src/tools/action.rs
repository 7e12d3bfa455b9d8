//! action-get, action-set, action-fail and action-log (juju/juju `jujuc/action-*.go`). Results and
//! failure are kept in the session's action context and reported in the outcome; log messages are
//! immediate. Outside an action every one of them fails with `not running an action` (checked by
//! the dispatcher).

use juju_charm::rules::{RESERVED_ACTION_KEYS, is_action_key_part};
use serde_json::{Map, Value, json};

use super::args::{Args, FORMAT};
use super::fail::{Fail, Served};
use crate::format::{Format, render};
use crate::session::Session;

pub(crate) fn action_get(sess: &mut Session, args: &[String]) -> Served {
    let a = Args::parse(args, &[FORMAT])?;
    let fmt = a.format(Format::Smart)?;
    a.at_most(1)?;
    let params = sess.ctx.action.as_ref().map(|x| x.params.clone()).unwrap_or_default();
    let mut value = Value::Object(params);
    if let Some(path) = a.arg(0) {
        for seg in path.split('.') {
            value = value.get(seg).cloned().unwrap_or(Value::Null);
        }
    }
    Ok(render(fmt, &value))
}

pub(crate) fn action_set(sess: &mut Session, args: &[String]) -> Served {
    let a = Args::parse(args, &[])?;
    let mut pairs = Vec::new();
    for arg in &a.pos {
        let (k, v) = arg.split_once('=').ok_or_else(|| {
            Fail::Usage(format!("argument {arg:?} must be of the form key...=value"))
        })?;
        let segs: Vec<&str> = k.split('.').collect();
        for seg in &segs {
            if !is_action_key_part(seg) {
                return Err(Fail::Usage(format!(
                    "key {seg:?} must start and end with lowercase alphanumeric, and contain only lowercase alphanumeric, hyphens and periods"
                )));
            }
        }
        if RESERVED_ACTION_KEYS.contains(&segs[0]) {
            return Err(Fail::Usage(format!("cannot set reserved action key {:?}", segs[0])));
        }
        pairs.push((segs.iter().map(|s| s.to_string()).collect::<Vec<_>>(), v.to_owned()));
    }
    if let Some(action) = sess.ctx.action.as_mut() {
        for (path, v) in pairs {
            insert(&mut action.results, &path, v);
        }
    }
    Ok(Vec::new())
}

fn insert(map: &mut Map<String, Value>, path: &[String], v: String) {
    match path {
        [] => {}
        [last] => {
            map.insert(last.clone(), json!(v));
        }
        [first, rest @ ..] => {
            let entry = map.entry(first.clone()).or_insert_with(|| json!({}));
            if !entry.is_object() {
                *entry = json!({});
            }
            if let Value::Object(inner) = entry {
                insert(inner, rest, v);
            }
        }
    }
}

pub(crate) fn action_fail(sess: &mut Session, args: &[String]) -> Served {
    let a = Args::parse(args, &[])?;
    a.at_most(1)?;
    let msg = a.arg(0).unwrap_or("action failed without reason given, check action for errors");
    if let Some(action) = sess.ctx.action.as_mut() {
        action.failed = Some(msg.to_owned());
    }
    Ok(Vec::new())
}

pub(crate) fn action_log(sess: &mut Session, args: &[String]) -> Served {
    let a = Args::parse(args, &[])?;
    if a.pos.is_empty() {
        return Err(Fail::Usage("no message specified".into()));
    }
    if let Some(action) = sess.ctx.action.as_mut() {
        action.logs.push(a.pos.join(" "));
    }
    Ok(Vec::new())
}
