//! relation-ids, relation-list, relation-get, relation-set, relation-model-get (juju/juju
//! `jujuc/relation-*.go`).
//!
//! Reads of this unit's own bags see the hook's pending writes; a non-leader may not read its own
//! application bag on a non-peer relation; application writes need leadership. Listings sort as
//! strings, as Juju does (`db:10` before `db:2`).
//!
//! During `<endpoint>-relation-broken`, whether `relation-ids` lists the broken relation depends
//! on the Juju version (listed before 3.4.4; a peer relation listed again from 3.5.5), or on
//! `Model::broken_relation_listed`; see `Model::lists_broken_relation`. `relation-list` on it
//! is `[]` (all its units have departed) and `relation-get` still reads its bags, in every
//! version.

use std::collections::BTreeMap;
use std::io::Read;

use serde_json::{Value, json};

use super::args::{Args, FORMAT, switch, val};
use super::common::{
    parse_string_map, read_file_arg, relation, relation_id_named, valid_application, valid_unit,
};
use super::fail::{Fail, Served};
use crate::format::{Format, render};
use crate::session::Session;
use crate::state::{Relation, before_broken_relation_ids};

const RELATION: super::args::Flag = val("relation", Some('r'));

pub(crate) fn relation_ids(sess: &mut Session, args: &[String]) -> Served {
    let a = Args::parse(args, &[FORMAT])?;
    let fmt = a.format(Format::Smart)?;
    a.at_most(1)?;
    let model = &sess.view().model;
    let endpoint = match a.arg(0) {
        Some(e) => e.to_owned(),
        None => current(sess).map(|r| r.endpoint.clone()).ok_or_else(|| {
            let what =
                if before_broken_relation_ids(&model.version()) { "relation" } else { "endpoint" };
            Fail::Usage(format!("no {what} name specified"))
        })?,
    };
    let hidden = sess
        .ctx
        .broken
        .and_then(|id| sess.view().relations.get(&id))
        .filter(|r| !model.lists_broken_relation(r.is_peer()))
        .map(|r| r.id);
    let mut ids: Vec<String> = sess
        .view()
        .relations
        .values()
        .filter(|r| r.endpoint == endpoint && hidden != Some(r.id))
        .map(Relation::key)
        .collect();
    ids.sort();
    Ok(render(fmt, &json!(ids)))
}

pub(crate) fn relation_list(sess: &mut Session, args: &[String]) -> Served {
    let a = Args::parse(args, &[FORMAT, RELATION, switch("app", None)])?;
    let fmt = a.format(Format::Smart)?;
    a.at_most(0)?;
    let rel = relation(sess, &a)?;
    if a.on("app") {
        return Ok(render(fmt, &json!(rel.remote_app)));
    }
    // Juju runs -relation-broken once every unit has departed: the relation has no members.
    let mut units: Vec<String> = if sess.ctx.broken == Some(rel.id) {
        Vec::new()
    } else if rel.is_peer() {
        let me = sess.unit();
        let view = sess.view();
        view.units.keys().filter(|u| **u != me).map(|u| view.unit_name(*u)).collect()
    } else {
        rel.remote_units.clone()
    };
    units.sort();
    Ok(render(fmt, &json!(units)))
}

pub(crate) fn relation_get(sess: &mut Session, args: &[String]) -> Served {
    let a = Args::parse(args, &[FORMAT, RELATION, switch("app", None)])?;
    let fmt = a.format(Format::Smart)?;
    a.at_most(2)?;
    let rel = relation(sess, &a)?;
    let key = a.arg(0).filter(|k| *k != "-");
    let mut app = a.on("app");
    let target = match a.arg(1) {
        Some(t) if app => t.split('/').next().unwrap_or(t).to_owned(),
        Some(t) if !valid_unit(t) => {
            return Err(Fail::Usage(if valid_application(t) {
                format!("expected unit name, got application name {t:?}")
            } else {
                format!("invalid unit name {t:?}")
            }));
        }
        Some(t) => t.to_owned(),
        None => {
            let hook_rel = current(sess);
            match hook_rel {
                Some(r) if app => r.remote_app.clone(),
                Some(_) if !sess.ctx.remote_unit.is_empty() => sess.ctx.remote_unit.clone(),
                Some(r) => {
                    app = true;
                    r.remote_app.clone()
                }
                None => return Err(Fail::Usage("no unit or application specified".into())),
            }
        }
    };
    let bag = if app { app_bag(sess, rel, &target)? } else { unit_bag(sess, rel, &target)? };
    let value = match key {
        Some(k) => bag.get(k).map_or(Value::Null, |v| json!(v)),
        None => json!(bag),
    };
    Ok(render(fmt, &value))
}

fn app_bag<'a>(
    sess: &Session,
    rel: &'a Relation,
    app: &str,
) -> Result<&'a BTreeMap<String, String>, Fail> {
    let denied = || Fail::Run("permission denied (unauthorized access)".into());
    if app == sess.view().app {
        if rel.is_peer() || sess.is_leader() { Ok(&rel.local_app_data) } else { Err(denied()) }
    } else if app == rel.remote_app {
        Ok(&rel.remote_app_data)
    } else {
        Err(denied())
    }
}

fn unit_bag<'a>(
    sess: &Session,
    rel: &'a Relation,
    unit: &str,
) -> Result<&'a BTreeMap<String, String>, Fail> {
    let own_app = &sess.view().app;
    let local =
        unit.split_once('/').filter(|(a, _)| a == own_app).and_then(|(_, n)| n.parse::<u32>().ok());
    let not_found = || {
        Fail::Run(format!(
            "cannot read settings for unit {unit:?} in relation {:?}: unit {unit:?}: settings not found",
            rel.key()
        ))
    };
    match local {
        Some(n) if n == sess.unit() || rel.is_peer() => {
            rel.local_unit_data.get(&n).ok_or_else(not_found)
        }
        Some(_) => Err(Fail::Run("permission denied (unauthorized access)".into())),
        None => rel.remote_unit_data.get(unit).ok_or_else(not_found),
    }
}

pub(crate) fn relation_set(sess: &mut Session, args: &[String], stdin: &mut dyn Read) -> Served {
    let a = Args::parse(args, &[FORMAT, RELATION, switch("app", None), val("file", None)])?;
    let id = relation_id_named(sess, a.get("relation"), &a.option_name("relation"))?;
    let mut overrides = BTreeMap::new();
    for kv in &a.pos {
        let (k, v) = kv
            .split_once('=')
            .filter(|(k, _)| !k.is_empty())
            .ok_or_else(|| Fail::Usage(format!("expected \"key=value\", got {kv:?}")))?;
        if overrides.insert(k.to_owned(), v.to_owned()).is_some() {
            return Err(Fail::Usage(format!("duplicate key specified: {k:?}")));
        }
    }
    // Run: the deprecated --format is accepted with a warning (no newline), then the file is
    // read; its errors are runtime errors (exit 1).
    if a.get("format").is_some() {
        sess.warning = b"--format flag deprecated for command \"relation-set\"".to_vec();
    }
    let mut settings = match a.get("file") {
        Some(path) => read_settings(&read_file_arg(sess, path, stdin)?).map_err(Fail::Run)?,
        None => BTreeMap::new(),
    };
    settings.extend(overrides);
    let app = a.on("app");
    if app && !sess.is_leader() {
        return Err(Fail::Run("cannot write relation settings".into()));
    }
    let unit = sess.unit();
    let Some(rel) = sess.buffered().relations.get_mut(&id) else {
        return Err(Fail::Run("relation not found".into()));
    };
    let bag =
        if app { &mut rel.local_app_data } else { rel.local_unit_data.entry(unit).or_default() };
    for (k, v) in settings {
        if v.is_empty() {
            bag.remove(&k);
        } else {
            bag.insert(k, v);
        }
    }
    Ok(Vec::new())
}

/// A `--file` of settings, read as Juju reads it (goyaml into `map[string]string`): a document
/// that is not a map fails with goyaml's `cannot unmarshal` message.
fn read_settings(text: &str) -> Result<BTreeMap<String, String>, String> {
    // goyaml decodes the first document and ignores what follows it (`{a: b}\n{c: d}`).
    let first_document = |e: &str| {
        let line: usize = e.split("line ").nth(1)?.split(' ').next()?.parse().ok()?;
        let head: Vec<&str> = text.lines().take(line.saturating_sub(1)).collect();
        parse_string_map(&head.join("\n")).ok().filter(|_| e.contains("<document start>"))
    };
    parse_string_map(text).or_else(|e| first_document(&e).ok_or(e)).map_err(|e| {
        let value: Option<Value> = serde_saphyr::from_str(text).ok();
        let line = 1 + text
            .lines()
            .take_while(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
            .count();
        let (tag, shown) = match &value {
            Some(Value::String(s)) => ("!!str", Some(s.clone())),
            Some(Value::Bool(b)) => ("!!bool", Some(b.to_string())),
            Some(Value::Number(n)) if n.is_f64() => ("!!float", Some(text.trim().to_owned())),
            Some(Value::Number(_)) => ("!!int", Some(text.trim().to_owned())),
            Some(Value::Array(_)) => ("!!seq", None),
            _ => return format!("cannot parse settings file: {e}"),
        };
        let shown = match shown {
            Some(v) if v.chars().count() > 10 => {
                format!(" `{}...`", v.chars().take(7).collect::<String>())
            }
            Some(v) => format!(" `{v}`"),
            None => String::new(),
        };
        format!(
            "yaml: unmarshal errors:\n  line {line}: cannot unmarshal {tag}{shown} into map[string]string"
        )
    })
}

pub(crate) fn relation_model_get(sess: &mut Session, args: &[String]) -> Served {
    let a = Args::parse(args, &[FORMAT, RELATION])?;
    let fmt = a.format(Format::Smart)?;
    a.at_most(0)?;
    let rel = relation(sess, &a)?;
    Ok(render(fmt, &json!({ "uuid": rel.remote_model_uuid })))
}

/// The relation of the running relation hook.
fn current(sess: &Session) -> Option<&Relation> {
    sess.ctx.relation.and_then(|id| sess.view().relations.get(&id))
}
