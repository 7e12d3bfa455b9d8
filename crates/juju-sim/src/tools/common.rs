//! What every tool shares: how a call fails, and the arguments several tools parse alike
//! (relation ids, application and unit names, `--file` maps).

use std::io::Read;

use super::args;
use super::fail::Fail;
use crate::session::Session;

/// Resolves `-r` (`7` or `db:7`) or the hook's relation to a relation id in the working model.
pub(crate) fn relation_id(sess: &Session, flag: Option<&str>) -> Result<u64, Fail> {
    relation_id_named(sess, flag, "-r")
}

/// [`relation_id`] for a flag that `option` names in error messages (`-r`, `--relation`; see
/// `Args::option_name`). As Juju's relationIdValue: only the number after the last `:` counts
/// (the endpoint before it is ignored); a number that does not parse is `invalid relation id`,
/// one the model does not hold `relation not found`; both are flag errors (exit 2).
pub(crate) fn relation_id_named(
    sess: &Session,
    flag: Option<&str>,
    option: &str,
) -> Result<u64, Fail> {
    let Some(given) = flag else {
        return sess.ctx.relation.ok_or_else(|| Fail::Usage("no relation id specified".into()));
    };
    let bad =
        |why: &str| Fail::Usage(format!("invalid value {given:?} for option {option}: {why}"));
    let num = given.rsplit_once(':').map_or(given, |(_, n)| n);
    let id: i64 = num.parse().map_err(|_| bad("invalid relation id"))?;
    u64::try_from(id)
        .ok()
        .filter(|id| sess.view().relations.contains_key(id))
        .ok_or_else(|| bad("relation not found"))
}

/// The relation named by the `-r`/`--relation` flag of `a`, or the hook's relation.
pub(crate) fn relation<'a>(
    sess: &'a Session,
    a: &args::Args,
) -> Result<&'a crate::state::Relation, Fail> {
    let id = relation_id_named(sess, a.get("relation"), &a.option_name("relation"))?;
    sess.view().relations.get(&id).ok_or_else(|| Fail::Run("relation not found".into()))
}

/// Juju's `names.IsValidApplication`: lowercase words of letters and digits joined by `-`, each
/// word after the first holding a letter, starting with a letter.
pub(crate) fn valid_application(name: &str) -> bool {
    let mut words = name.split('-');
    let first_ok = words.next().is_some_and(|w| {
        w.starts_with(|c: char| c.is_ascii_lowercase())
            && w.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    });
    first_ok
        && words.all(|w| {
            w.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
                && w.bytes().any(|b| b.is_ascii_lowercase())
        })
}

/// Juju's `names.IsValidUnit`: `<application>/<number>`, the number without leading zeros.
pub(crate) fn valid_unit(name: &str) -> bool {
    name.rsplit_once('/').is_some_and(|(app, n)| {
        valid_application(app)
            && !n.is_empty()
            && n.bytes().all(|b| b.is_ascii_digit())
            && (n == "0" || !n.starts_with('0'))
    })
}

/// Parses a YAML or JSON map of strings (a `--file` argument), stringifying scalar values.
pub(crate) fn parse_string_map(
    text: &str,
) -> Result<std::collections::BTreeMap<String, String>, String> {
    use serde_json::Value;
    let value: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(_) if text.trim().is_empty() => Value::Null,
        Err(_) => serde_saphyr::from_str(text).map_err(|e| e.to_string())?,
    };
    let map = match value {
        Value::Object(m) => m,
        Value::Null => return Ok(Default::default()),
        _ => return Err("expected a map".into()),
    };
    map.into_iter()
        .map(|(k, v)| {
            let s = match v {
                Value::String(s) => s,
                Value::Null => String::new(),
                Value::Bool(b) => b.to_string(),
                Value::Number(n) => n.to_string(),
                other => return Err(format!("value of {k:?} is not a string: {other}")),
            };
            Ok((k, s))
        })
        .collect()
}

/// Reads a `--file` argument: `-` is stdin, anything else a path (relative to the calling
/// process's working directory).
pub(crate) fn read_file_arg(
    sess: &Session,
    path: &str,
    stdin: &mut dyn Read,
) -> Result<String, Fail> {
    if path == "-" {
        let mut s = String::new();
        stdin.read_to_string(&mut s).map_err(|e| Fail::Run(format!("reading stdin: {e}")))?;
        Ok(s)
    } else {
        std::fs::read_to_string(sess.file_path(path))
            .map_err(|e| Fail::Run(format!("open {path}: {e}")))
    }
}
