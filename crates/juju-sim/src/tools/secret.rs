//! secret-add, secret-get and secret-set, plus the rules they share: lookup by id or label,
//! visibility and ownership (juju/juju `jujuc/secret-*.go`). Content parsing, key syntax and the
//! size limits of each Juju version are in `secret_content`.
//!
//! Both tools check their flags and content in Juju's `Init` order (exit 2): secret-add's
//! `missing secret value or filename`, then `--expire`, `--rotate`, `--owner`, then the content;
//! secret-set's `missing secret URI` and URI, then the same. `Run` errors (exit 1) follow.
//!
//! Creates and updates are buffered (the URI is printed at once, the secret exists only after
//! exit 0); owners see their pending content in the same hook. Reads pin a tracked revision per
//! consumer unit; `--refresh` moves it, `--peek` does not.

use std::io::Read;

use serde_json::json;

use super::args::{Args, FORMAT, Flag, switch, val};
use super::expiry::expire_error;
use super::fail::{Fail, Served};
use super::secret_content::parse_content;
use crate::format::{Format, base64_encode, render};
use crate::session::Session;
use crate::state::{Owner, Revision, Secret, canonical_uri, parse_secret_id};

const META_FLAGS: [Flag; 6] = [
    val("label", None),
    val("description", None),
    val("expire", None),
    val("rotate", None),
    val("owner", None),
    val("file", None),
];

const ROTATE_POLICIES: [&str; 7] =
    ["never", "hourly", "daily", "weekly", "monthly", "quarterly", "yearly"];

pub(crate) fn secret_add(sess: &mut Session, args: &[String], stdin: &mut dyn Read) -> Served {
    let a = Args::parse(args, &META_FLAGS)?;
    if a.pos.is_empty() && a.get("file").is_none() {
        return Err(Fail::Usage("missing secret value or filename".into()));
    }
    let meta = parse_meta(&a)?;
    let content = parse_content(sess, a.get("file"), &a.pos, stdin)?;
    if content.is_empty() {
        return Err(Fail::Run("empty secret value not valid".into()));
    }
    let owner = match meta.owner {
        Some("unit") => Owner::Unit(sess.unit()),
        _ => Owner::App,
    };
    if owner == Owner::App && !sess.is_leader() {
        return Err(Fail::Run("this unit is not the leader".into()));
    }
    if let Some(label) = &meta.label {
        check_label_free(sess, &owner, label, None)?;
    }
    sess.immediate(|s| s.counters.secret += 1);
    let work = sess.buffered();
    let id = crate::state::make_xid(&work.model.uuid, work.counters.secret);
    work.secrets.push(Secret {
        label: meta.label,
        description: meta.description,
        expire: meta.expire,
        rotate: meta.rotate,
        ..Secret::first(id.clone(), owner, content)
    });
    Ok(format!("secret:{id}\n").into_bytes())
}

pub(crate) fn secret_get(sess: &mut Session, args: &[String]) -> Served {
    let a = Args::parse(
        args,
        &[FORMAT, val("label", None), switch("peek", None), switch("refresh", None)],
    )?;
    let fmt = a.format(Format::Yaml)?;
    a.at_most(2)?;
    let (peek, refresh) = (a.on("peek"), a.on("refresh"));
    if peek && refresh {
        return Err(Fail::Usage("specify one of --peek or --refresh but not both".into()));
    }
    let label = a.get("label");
    let idx = match (a.arg(0), label) {
        (None, None) => return Err(Fail::Usage("require either a secret URI or label".into())),
        (Some(id), _) => {
            let xid = parse_secret_id(id)
                .ok_or_else(|| Fail::Usage(format!("secret URI {id:?} not valid")))?;
            // The controller looks the URI up among all the model's secrets: one that does not
            // exist is `secret "<uri>" not found` (the URI as Juju prints it back), one this unit
            // may not read is `permission denied`.
            let shown = canonical_uri(id).unwrap_or_else(|| id.to_owned());
            let idx = sess
                .view()
                .secrets
                .iter()
                .position(|s| s.id == xid)
                .ok_or_else(|| not_found(&shown))?;
            readable(sess, idx)?
        }
        (None, Some(l)) => {
            // A consumer label still names a user secret after its grant is revoked.
            let idx = sess
                .view()
                .secrets
                .iter()
                .position(|s| {
                    s.label.as_deref() == Some(l) && (s.owner == Owner::Model || visible(sess, s))
                })
                .ok_or_else(|| not_found(l))?;
            readable(sess, idx)?
        }
    };
    let me = sess.unit_name();
    let secret = &sess.view().secrets[idx];
    let latest = secret.latest().map_or(0, |r| r.revision);
    let tracked = secret.tracked.get(&me).copied().filter(|r| secret.revision(*r).is_some());
    let revision = if peek || refresh { latest } else { tracked.unwrap_or(latest) };
    let content = secret.revision(revision).map(|r| r.content.clone()).unwrap_or_default();
    let xid = secret.id.clone();
    let consumer = matches!(secret.owner, Owner::Remote { .. } | Owner::Model);
    let relabel = consumer && a.arg(0).is_some();
    // A consumer's first read records the revision it tracks even with --peek: the controller
    // creates the consumer record at the latest revision.
    let pin = !peek || (consumer && tracked.is_none());
    if pin && tracked != Some(revision) {
        let me = me.clone();
        sess.immediate(|s| {
            if let Some(sec) = s.secrets.iter_mut().find(|x| x.id == xid) {
                sec.tracked.insert(me.clone(), revision);
            }
        });
    }
    if let (true, Some(l)) = (relabel, label)
        && let Some(sec) = sess.buffered().secrets.iter_mut().find(|x| x.id == xid)
    {
        sec.label = Some(l.to_owned());
    }
    let value = match a.arg(1) {
        None => json!(content),
        Some(k) => {
            let (key, b64) = match k.strip_suffix("#base64") {
                Some(key) => (key, true),
                None => (k, false),
            };
            let v = content
                .get(key)
                .ok_or_else(|| Fail::Run(format!("secret key {key:?} not found")))?;
            if b64 { json!(base64_encode(v.as_bytes())) } else { json!(v) }
        }
    };
    Ok(render(fmt, &value))
}

pub(crate) fn secret_set(sess: &mut Session, args: &[String], stdin: &mut dyn Read) -> Served {
    let a = Args::parse(args, &META_FLAGS)?;
    let Some(id) = a.arg(0) else {
        return Err(Fail::Usage("missing secret URI".into()));
    };
    let xid =
        parse_secret_id(id).ok_or_else(|| Fail::Usage(format!("secret URI {id:?} not valid")))?;
    let meta = parse_meta(&a)?;
    let content = parse_content(sess, a.get("file"), &a.pos[1..], stdin)?;
    if is_user_secret(sess, &xid) {
        // The unit agent buffers an update of a secret it does not own without asking; the
        // controller refuses it when the hook's changes are committed, and the hook fails.
        let any_meta = meta.label.is_some()
            || meta.description.is_some()
            || meta.expire.is_some()
            || meta.rotate.is_some();
        if !content.is_empty() || any_meta {
            sess.refuse_at_commit("updating secrets: permission denied");
        }
        return Ok(Vec::new());
    }
    let idx = owned_index(sess, &xid).ok_or_else(|| not_found(id))?;
    let owner = sess.view().secrets[idx].owner.clone();
    if let Some(label) = &meta.label {
        check_label_free(sess, &owner, label, Some(&xid))?;
    }
    let base_latest =
        sess.base.secrets.iter().find(|s| s.id == xid).and_then(|s| s.latest().map(|r| r.revision));
    let secret = &mut sess.buffered().secrets[idx];
    if !content.is_empty() && secret.latest().map(|r| &r.content) != Some(&content) {
        match (base_latest, secret.revisions.last_mut()) {
            // Created or already updated in this hook: Juju coalesces into one pending revision.
            (b, Some(last)) if b.is_none_or(|b| last.revision > b) => last.content = content,
            (_, last) => {
                let revision = last.map_or(1, |r| r.revision + 1);
                secret.revisions.push(Revision { revision, content });
            }
        }
    }
    if meta.label.is_some() {
        secret.label = meta.label;
    }
    if meta.description.is_some() {
        secret.description = meta.description;
    }
    if meta.expire.is_some() {
        secret.expire = meta.expire;
    }
    if meta.rotate.is_some() {
        secret.rotate = meta.rotate;
    }
    Ok(Vec::new())
}

/// Metadata flags shared by secret-add and secret-set.
struct SecretMeta<'a> {
    label: Option<String>,
    description: Option<String>,
    expire: Option<String>,
    rotate: Option<String>,
    /// `--owner` as given (`application` or `unit`); both tools accept the flag.
    owner: Option<&'a str>,
}

/// The flags `secretUpsertCommand.Init` checks, in its order: `--expire`, `--rotate`, `--owner`.
fn parse_meta(a: &Args) -> Result<SecretMeta<'_>, Fail> {
    let expire = a.get("expire").map(str::to_owned);
    if let Some(why) = expire.as_deref().and_then(expire_error) {
        return Err(Fail::Usage(why));
    }
    let rotate = a.get("rotate").map(str::to_owned);
    if let Some(r) = &rotate
        && !ROTATE_POLICIES.contains(&r.as_str())
    {
        return Err(Fail::Usage(format!("rotate policy {r:?} not valid")));
    }
    let owner = a.get("owner");
    if let Some(o) = owner
        && o != "application"
        && o != "unit"
    {
        return Err(Fail::Usage(format!("secret owner {o:?} not valid")));
    }
    Ok(SecretMeta {
        label: a.get("label").map(str::to_owned),
        description: a.get("description").map(str::to_owned),
        expire,
        rotate,
        owner,
    })
}

/// Whether this unit can read the secret: owned by its app, by itself, granted by another
/// application (remote), or a user secret granted to its application.
pub(crate) fn visible(sess: &Session, s: &Secret) -> bool {
    match s.owner {
        Owner::App | Owner::Remote { .. } => true,
        Owner::Unit(n) => n == sess.unit(),
        Owner::Model => s.app_grants.contains(&sess.view().app),
    }
}

/// `idx` if this unit may read that secret, else the controller's `permission denied`.
fn readable(sess: &Session, idx: usize) -> Result<usize, Fail> {
    if visible(sess, &sess.view().secrets[idx]) {
        Ok(idx)
    } else {
        Err(Fail::Run("permission denied".into()))
    }
}

/// Whether `xid` names a user (model-owned) secret.
pub(crate) fn is_user_secret(sess: &Session, xid: &str) -> bool {
    sess.view().secrets.iter().any(|s| s.id == xid && s.owner == Owner::Model)
}

/// Whether this unit may manage the secret: its own, or its app's while leader.
pub(crate) fn owned(sess: &Session, s: &Secret) -> bool {
    match s.owner {
        Owner::App => sess.is_leader(),
        Owner::Unit(n) => n == sess.unit(),
        Owner::Remote { .. } | Owner::Model => false,
    }
}

/// Index of the owned secret with this xid.
pub(crate) fn owned_index(sess: &Session, xid: &str) -> Option<usize> {
    sess.view().secrets.iter().position(|s| s.id == xid && owned(sess, s))
}

pub(crate) fn not_found(what: &str) -> Fail {
    Fail::Run(format!("secret {what:?} not found"))
}

fn check_label_free(
    sess: &Session,
    owner: &Owner,
    label: &str,
    except: Option<&str>,
) -> Result<(), Fail> {
    let taken = sess.view().secrets.iter().any(|s| {
        &s.owner == owner && s.label.as_deref() == Some(label) && Some(s.id.as_str()) != except
    });
    if taken {
        return Err(Fail::Run(format!("secret with label {label:?} already exists")));
    }
    Ok(())
}
