//! The owner-side secret tools: secret-info-get, secret-ids, secret-remove, secret-grant and
//! secret-revoke (juju/juju `jujuc/secret-*.go`). Only secrets this unit owns are visible to them —
//! its own, or its application's while it is the leader — including creates still pending in this
//! hook.

use serde_json::{Value, json};

use super::args::{Args, FORMAT, val};
use super::common::{relation_id_named, valid_application, valid_unit};
use super::fail::{Fail, Served};
use super::secret::{is_user_secret, not_found, owned, owned_index};
use crate::format::{Format, go_json, render};
use crate::session::Session;
use crate::state::{Owner, parse_secret_id};

pub(crate) fn secret_info_get(sess: &mut Session, args: &[String]) -> Served {
    let a = Args::parse(args, &[FORMAT, val("label", None)])?;
    let fmt = a.format(Format::Yaml)?;
    a.at_most(1)?;
    let (idx, shown) = match (a.arg(0), a.get("label")) {
        (Some(_), Some(_)) => {
            return Err(Fail::Usage("specify either a secret URI or label but not both".into()));
        }
        (None, None) => return Err(Fail::Usage("require either a secret URI or label".into())),
        // Not found names the bare xid when asked by URI (jujuc secret-info-get.go).
        (Some(id), None) => {
            let xid = parse_secret_id(id)
                .ok_or_else(|| Fail::Usage(format!("secret URI {id:?} not valid")))?;
            (owned_index(sess, &xid), xid)
        }
        (None, Some(l)) => {
            let idx = sess
                .view()
                .secrets
                .iter()
                .position(|s| s.label.as_deref() == Some(l) && owned(sess, s));
            (idx, l.to_owned())
        }
    };
    let s = &sess.view().secrets[idx.ok_or_else(|| not_found(&shown))?];
    // Juju prints its secretInfo struct: fields in declaration order, not sorted.
    let mut info: Vec<(&str, Value)> = Vec::new();
    info.push(("revision", json!(s.latest().map_or(0, |r| r.revision))));
    if let Some(l) = &s.label {
        info.push(("label", json!(l)));
    }
    let owner = if matches!(s.owner, Owner::App) { "application" } else { "unit" };
    info.push(("owner", json!(owner)));
    if let Some(d) = &s.description {
        info.push(("description", json!(d)));
    }
    if let Some(e) = &s.expire {
        info.push(("expiry", json!(e)));
    }
    if let Some(r) = s.rotate.as_deref().filter(|r| *r != "never") {
        info.push(("rotation", json!(r)));
    }
    let mut access = Vec::new();
    for (rel, names) in &s.grants {
        let scope = sess
            .view()
            .relations
            .get(rel)
            .map_or_else(|| format!("relation-{rel}"), |r| format!("relation-{}", r.key()));
        for n in names {
            let target = match n.split_once('/') {
                Some((app, u)) => format!("unit-{app}-{u}"),
                None => format!("application-{n}"),
            };
            access.push([
                ("target", json!(target)),
                ("scope", json!(scope)),
                ("role", json!("view")),
            ]);
        }
    }
    if fmt == Format::Json {
        let obj = |fields: &[(&str, Value)]| {
            let parts: Vec<String> = fields
                .iter()
                .map(|(k, v)| format!("{}:{}", go_json(&json!(k)), go_json(v)))
                .collect();
            format!("{{{}}}", parts.join(","))
        };
        let mut body = obj(&info);
        if !access.is_empty() {
            let list: Vec<String> = access.iter().map(|a| obj(a)).collect();
            body.insert_str(body.len() - 1, &format!(",\"access\":[{}]", list.join(",")));
        }
        return Ok(format!("{{{}:{body}}}\n", go_json(&json!(s.id))).into_bytes());
    }
    // One `key: value` line (or block) per field, indented under the id.
    let field = |k: &str, v: &Value, indent: &str, first: &str| {
        let text = String::from_utf8(render(Format::Yaml, &json!({ k: v }))).unwrap_or_default();
        let mut out = String::new();
        for (i, line) in text.lines().enumerate() {
            out.push_str(if i == 0 { first } else { indent });
            out.push_str(line);
            out.push('\n');
        }
        out
    };
    let mut out = format!("{}:\n", s.id);
    for (k, v) in &info {
        out.push_str(&field(k, v, "  ", "  "));
    }
    if !access.is_empty() {
        out.push_str("  access:\n");
        for a in &access {
            for (i, (k, v)) in a.iter().enumerate() {
                out.push_str(&field(k, v, "    ", if i == 0 { "  - " } else { "    " }));
            }
        }
    }
    Ok(out.into_bytes())
}

pub(crate) fn secret_ids(sess: &mut Session, args: &[String]) -> Served {
    let a = Args::parse(args, &[FORMAT])?;
    let fmt = a.format(Format::Smart)?;
    a.at_most(0)?;
    let ids: Vec<&str> =
        sess.view().secrets.iter().filter(|s| owned(sess, s)).map(|s| s.id.as_str()).collect();
    // Juju returns a nil slice when there are none, which json prints as `null`.
    Ok(render(fmt, &if ids.is_empty() { Value::Null } else { json!(ids) }))
}

pub(crate) fn secret_remove(sess: &mut Session, args: &[String]) -> Served {
    let a = Args::parse(args, &[val("revision", None)])?;
    a.at_most(1)?;
    let revision = match a.get("revision") {
        None => None,
        Some(r) => Some(
            r.parse::<u64>()
                .map_err(|_| Fail::Usage(format!("invalid value {r:?} for option --revision")))?,
        ),
    };
    if refused_at_commit(sess, &a, "removing secrets: permission denied")? {
        return Ok(Vec::new());
    }
    let (idx, id) = owned_arg(sess, &a)?;
    let secrets = &mut sess.buffered().secrets;
    match revision {
        None => {
            secrets.remove(idx);
        }
        Some(r) => {
            let s = &mut secrets[idx];
            if s.revision(r).is_none() {
                return Err(Fail::Run(format!("secret revision {r} for {id:?} not found")));
            }
            s.revisions.retain(|x| x.revision != r);
            if s.revisions.is_empty() {
                secrets.remove(idx);
            }
        }
    }
    Ok(Vec::new())
}

pub(crate) fn secret_grant(sess: &mut Session, args: &[String]) -> Served {
    let a = Args::parse(args, &[val("relation", Some('r')), val("unit", None)])?;
    // Juju's order: the relation flag's value (parsed with the flags), then Init: the URI, the
    // relation, the unit; then Run, which finds the secret among the unit's own.
    let option = a.option_name("relation");
    if let Some(r) = a.get("relation") {
        relation_id_named(sess, Some(r), &option)?;
    }
    let xid = uri_arg(&a)?;
    let rel_id = relation_id_named(sess, a.get("relation"), &option)?;
    let remote_app =
        sess.view().relations.get(&rel_id).map(|r| r.remote_app.clone()).unwrap_or_default();
    let target = match a.get("unit") {
        Some(u) if !valid_unit(u) => return Err(Fail::Usage(format!("unit {u:?} not valid"))),
        Some(u) if u.split('/').next() != Some(remote_app.as_str()) => {
            return Err(Fail::Usage(format!(
                "cannot specify unit {u:?} in relation to application {remote_app:?}"
            )));
        }
        Some(u) => u.to_owned(),
        None => remote_app.clone(),
    };
    a.at_most(1)?;
    // HookContext.GrantSecret looks the secret up among those the unit owns and names the bare
    // xid when it is not there.
    let idx = owned_index(sess, &xid).ok_or_else(|| not_found(&xid))?;
    let grants = sess.view().secrets[idx].grants.get(&rel_id).cloned().unwrap_or_default();
    if grants.contains(&target) || (target != remote_app && grants.contains(&remote_app)) {
        return Ok(Vec::new());
    }
    if target == remote_app && grants.iter().any(|g| g.starts_with(&format!("{remote_app}/"))) {
        return Err(Fail::Run(
            "any unit level grants need to be revoked before granting access to the corresponding application".into(),
        ));
    }
    sess.buffered().secrets[idx].grants.entry(rel_id).or_default().push(target);
    Ok(Vec::new())
}

pub(crate) fn secret_revoke(sess: &mut Session, args: &[String]) -> Served {
    let flags =
        [val("relation", Some('r')), val("app", None), val("application", None), val("unit", None)];
    let a = Args::parse(args, &flags)?;
    // Juju's order: the relation flag's value (parsed with the flags; the hook's relation is the
    // default), then Init: the URI, --app, --unit, the relation; then Run.
    let option = a.option_name("relation");
    let rel = match a.get("relation") {
        Some(r) => Some(relation_id_named(sess, Some(r), &option)?),
        None => sess.ctx.relation,
    };
    let xid = uri_arg(&a)?;
    let mut app = a.get("app").or(a.get("application")).map(str::to_owned);
    let unit = a.get("unit").map(str::to_owned);
    if let Some(x) = app.as_ref().filter(|x| !valid_application(x)) {
        return Err(Fail::Usage(format!("application {x:?} not valid")));
    }
    if let Some(u) = unit.as_ref().filter(|u| !valid_unit(u)) {
        return Err(Fail::Usage(format!("unit {u:?} not valid")));
    }
    if app.is_some() && unit.is_some() {
        return Err(Fail::Usage("specify only one of application or unit".into()));
    }
    if let Some(r) = rel {
        if app.is_some() {
            return Err(Fail::Usage("do not specify both relation and app".into()));
        }
        app = sess.view().relations.get(&r).map(|x| x.remote_app.clone());
    }
    if app.is_none() && unit.is_none() {
        return Err(Fail::Usage("missing relation or application or unit".into()));
    }
    a.at_most(1)?;
    if is_user_secret(sess, &xid) {
        // The unit agent buffers a revoke of a secret it does not own without asking
        // (HookContext.RevokeSecret); the controller refuses it when the hook's changes are
        // committed (secretsmanager canManage), and the hook fails.
        sess.refuse_at_commit("revoking secrets access: permission denied");
        return Ok(Vec::new());
    }
    let id = a.arg(0).unwrap_or_default();
    let idx = owned_index(sess, &xid).ok_or_else(|| not_found(id))?;
    let secret = &mut sess.buffered().secrets[idx];
    for names in secret.grants.values_mut() {
        names.retain(|n| match (&app, &unit) {
            (Some(a), _) => n != a && !n.starts_with(&format!("{a}/")),
            (None, Some(u)) => n != u,
            (None, None) => true,
        });
    }
    secret.grants.retain(|_, names| !names.is_empty());
    Ok(Vec::new())
}

/// The secret named by the first positional argument, as a bare xid: `missing secret URI` or
/// `secret URI "<arg>" not valid` (exit 2) otherwise.
fn uri_arg(a: &Args) -> Result<String, Fail> {
    let id = a.arg(0).ok_or_else(|| Fail::Usage("missing secret URI".into()))?;
    parse_secret_id(id).ok_or_else(|| Fail::Usage(format!("secret URI {id:?} not valid")))
}

/// For a user secret named by the first positional argument: records `error` as the controller's
/// refusal at commit and returns true. The unit agent buffers a remove or revoke of a secret it
/// does not own without asking (HookContext.RemoveSecret/RevokeSecret); the controller refuses
/// it when the hook's changes are committed (secretsmanager canManage), and the hook fails.
fn refused_at_commit(sess: &mut Session, a: &Args, error: &str) -> Result<bool, Fail> {
    let id = a.arg(0).ok_or_else(|| Fail::Usage("missing secret URI".into()))?;
    let xid =
        parse_secret_id(id).ok_or_else(|| Fail::Usage(format!("secret URI {id:?} not valid")))?;
    if !is_user_secret(sess, &xid) {
        return Ok(false);
    }
    sess.refuse_at_commit(error);
    Ok(true)
}

/// The owned secret named by the first positional argument, and that argument.
fn owned_arg(sess: &Session, a: &Args) -> Result<(usize, String), Fail> {
    let id = a.arg(0).ok_or_else(|| Fail::Usage("missing secret URI".into()))?;
    let xid =
        parse_secret_id(id).ok_or_else(|| Fail::Usage(format!("secret URI {id:?} not valid")))?;
    let idx = owned_index(sess, &xid).ok_or_else(|| not_found(id))?;
    Ok((idx, id.to_owned()))
}
