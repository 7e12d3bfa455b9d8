//! Performing a plan: Juju writes first, then every Kubernetes object on its own, then status.
//!
//! Each Kubernetes write has its own outcome (kube-rs' controller runs one reconcile per object
//! for the same reason): a refusal a retry will not change (400, 404, 409, 422, or 403 on one
//! object while others are allowed) blocks the unit with a message naming the object and the
//! API server's reason, and the other objects are still written; a transient failure is
//! reported `waiting` and decides the exit code only once everything else was tried. A write
//! may wait for others (a Secret for its webhook configurations' `caBundle`s): when one of them
//! failed, it is kept for the next hook. A Secret the charm labelled as its own but of another
//! type is deleted and written again; one of another owner is left alone, and the message says
//! what is in the way.
//!
//! Then the Kubernetes Events of what was done (`crate::k8s::events`): each an area planned,
//! once the write it tells of succeeded, and a `WriteFailed` Warning for each refusal. Events
//! are best effort: one the API server does not take is logged at debug level and changes
//! neither the status nor the exit code.

use std::collections::BTreeSet;

use juju_charm::secrets::SpreadWriteError;
use juju_charm::{HookToolError, HookTools, Scope};

use super::{Observed, Plan, trust_message};
use crate::k8s::events::{self, EventNote, Repeat};
use crate::k8s::{INJECT_CA_FROM, Kube, KubeError, MANAGED_BY, ObjectRef, SecretObject, Write};
use crate::material::Change;
use crate::store;
use juju_charm::status::{Status, StatusCollector};

/// Why a hook must fail after its status is set.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// A hook tool failed.
    #[error(transparent)]
    Tool(#[from] HookToolError),
    /// Something a retry may clear failed, and nothing new needs committing: fail so that
    /// Juju retries soon.
    #[error("incomplete: {0}; Juju will retry the hook")]
    Retry(String),
}

/// Performs the writes of `plan`; what failed goes into `plan.report`, whose status the caller
/// sets once.
pub fn apply(
    tools: &HookTools<'_>,
    kube: &mut dyn Kube,
    obs: &Observed,
    plan: &mut Plan,
) -> Result<(), ApplyError> {
    write_material(tools, obs, plan)?;
    for (_, area) in &plan.areas {
        for (id, bag) in &area.relations {
            tools.relation_set(id, Scope::App, bag)?;
        }
    }
    for note in plan.areas.iter().flat_map(|(_, p)| &p.log) {
        if note.warning {
            log::warn!("{}", note.message);
        } else {
            log::info!("{}", note.message);
        }
    }
    let mut transient = Vec::new();
    if let Some(ns) = obs.namespace() {
        let writes: Vec<&Write> = plan.areas.iter().flat_map(|(_, p)| &p.kube).collect();
        let failures = write_all(kube, ns, &writes);
        report_failures(&mut plan.report, &obs.app, &failures, writes.len(), &mut transient);
        let notes = event_notes(plan, &writes, &failures);
        record_events(kube, ns, &obs.unit, obs.now, &notes);
    }
    let retry = plan.retry || !transient.is_empty();
    match (retry, plan.changes_material()) {
        (true, false) => Err(ApplyError::Retry(if transient.is_empty() {
            "an area could not be planned or listed".into()
        } else {
            format!("Kubernetes API errors on {}", transient.join(", "))
        })),
        (true, true) => {
            log::warn!("delivery incomplete; the next hook delivers the rest");
            Ok(())
        }
        (false, _) => Ok(()),
    }
}

fn write_material(tools: &HookTools<'_>, obs: &Observed, plan: &Plan) -> Result<(), ApplyError> {
    if plan.change == Change::Keep {
        return Ok(());
    }
    let written = store::write_material(tools, obs.stored.as_ref(), &plan.content, &obs.limits)
        .map_err(|e| match e {
            SpreadWriteError::Tool(e) => ApplyError::Tool(e),
            SpreadWriteError::TooLarge(e) => ApplyError::Retry(e.to_string()),
            other => ApplyError::Retry(other.to_string()),
        })?;
    for line in written {
        log::info!("{line}");
    }
    Ok(())
}

/// The Events of this hook: those the areas planned whose write succeeded (or that wait for
/// none), then a `WriteFailed` Warning for each write refused for a reason a retry will not
/// change (none when every write was forbidden: the application is not trusted, and its Events
/// would be forbidden too).
fn event_notes(plan: &Plan, writes: &[&Write], failures: &[Failure]) -> Vec<EventNote> {
    let failed: BTreeSet<&ObjectRef> = failures.iter().map(|f| &f.object).collect();
    let done: BTreeSet<ObjectRef> =
        writes.iter().map(|w| w.object()).filter(|o| !failed.contains(o)).collect();
    let mut notes: Vec<EventNote> = plan
        .areas
        .iter()
        .flat_map(|(_, p)| &p.events)
        .filter(|e| e.after.as_ref().is_none_or(|o| done.contains(o)))
        .map(|e| e.note.clone())
        .collect();
    let forbidden =
        failures.iter().filter(|f| matches!(f.what, Failed::Kube(KubeError::Forbidden(_)))).count();
    if forbidden > 0 && forbidden == writes.len() {
        return notes;
    }
    for f in failures {
        if let Failed::Kube(e) = &f.what
            && !e.is_transient()
        {
            notes.push(EventNote::warning(
                "WriteFailed",
                "Write",
                f.object.clone(),
                format!("Cannot write {}: {}", f.object, e.reason()),
            ));
        }
    }
    notes
}

/// Records `notes`, best effort: an Event the API server does not take is logged at debug
/// level and nothing else changes.
fn record_events(
    kube: &mut dyn Kube,
    ns: &str,
    unit: &str,
    now: time::OffsetDateTime,
    notes: &[EventNote],
) {
    for note in notes {
        if let Err(e) = record_event(kube, ns, unit, now, note) {
            log::debug!("Event {} on {} not recorded: {e}", note.reason, note.regarding);
        }
    }
}

/// Creates `note`'s Event; a repeated Warning instead counts one more in its Event's series
/// (or, [`Repeat::Once`], nothing).
fn record_event(
    kube: &mut dyn Kube,
    ns: &str,
    unit: &str,
    now: time::OffsetDateTime,
    note: &EventNote,
) -> Result<(), KubeError> {
    let event_ns = events::namespace(&note.regarding, ns);
    if note.repeats() {
        let name = events::name(note, now);
        if let Some(count) = kube.event_series(event_ns, &name)? {
            if note.repeat == Repeat::Once {
                return Ok(());
            }
            return kube.patch_event(event_ns, &name, &events::series_patch(count, now));
        }
    }
    kube.create_event(event_ns, &events::body(note, ns, unit, now))
}

/// A write that did not happen, and why.
#[derive(Debug)]
struct Failure {
    object: ObjectRef,
    what: Failed,
}

#[derive(Debug)]
enum Failed {
    /// The API server answered this.
    Kube(KubeError),
    /// The ServiceAccount of a token does not exist (yet).
    NoServiceAccount(String),
    /// It waits for an object whose write failed.
    Waiting(ObjectRef),
}

/// Applies every write in order; returns the ones that did not happen.
fn write_all(kube: &mut dyn Kube, ns: &str, writes: &[&Write]) -> Vec<Failure> {
    let mut failures = Vec::new();
    let mut failed: BTreeSet<ObjectRef> = BTreeSet::new();
    let (mut bundles, mut secrets) = (Vec::new(), Vec::new());
    for write in writes {
        let object = write.object();
        let waits_for = match write {
            Write::Secret { after, .. } => after.iter().find(|r| failed.contains(r)).cloned(),
            _ => None,
        };
        let done = match waits_for {
            Some(dep) => Err(Failed::Waiting(dep)),
            None => write_one(kube, ns, write),
        };
        match done {
            Ok(()) if matches!(write, Write::CaBundle { force: true, .. }) => {
                bundles.push(format!("{} (taking the field over)", object.name));
            }
            Ok(()) if matches!(write, Write::CaBundle { .. }) => bundles.push(object.name),
            Ok(()) => secrets.push(object.name),
            Err(what) => {
                failed.insert(object.clone());
                failures.push(Failure { object, what });
            }
        }
    }
    // One log line per kind of write, not per object: each juju-log is a process.
    if !bundles.is_empty() {
        log::info!("set caBundle on {}", bundles.join(", "));
    }
    if !secrets.is_empty() {
        log::info!("applied Secrets {} in {ns}", secrets.join(", "));
    }
    failures
}

fn write_one(kube: &mut dyn Kube, ns: &str, write: &Write) -> Result<(), Failed> {
    match write {
        Write::CaBundle { kind, name, webhooks, bundle, force } => {
            match kube.apply_ca_bundle(*kind, name, webhooks, bundle, *force) {
                // Not forced: another manager shares the field (with the charm's CA in it).
                Err(KubeError::Refused { code: 409, message }) => {
                    Err(Failed::Kube(KubeError::Refused {
                        code: 409,
                        message: format!(
                            "{message} (annotate it {INJECT_CA_FROM}=<entry>, or set take-over: \
                             true on its webhooks entry, to let ckf-crypto take the field over)"
                        ),
                    }))
                }
                done => done.map_err(Failed::Kube),
            }
        }
        Write::Secret { secret, replace, .. } => {
            if *replace {
                log::info!("replacing Secret '{}' (it had another type)", secret.name);
                kube.delete_secret(ns, &secret.name).map_err(Failed::Kube)?;
            }
            apply_secret(kube, ns, secret)
        }
        Write::Token {
            service_account,
            audience,
            expiration_seconds,
            secret,
            token_key,
            expires_annotation,
        } => {
            let token = match kube.request_token(ns, service_account, audience, *expiration_seconds)
            {
                Ok(token) => token,
                Err(KubeError::NotFound(_)) => {
                    return Err(Failed::NoServiceAccount(service_account.clone()));
                }
                Err(e) => return Err(Failed::Kube(e)),
            };
            log::info!("requested a token for ServiceAccount {ns}/{service_account}");
            let mut secret = secret.clone();
            // The token leaves its redacting type here: it is the Secret's content.
            secret.data.insert(
                token_key.clone(),
                zeroize::Zeroizing::new(token.token.expose().as_bytes().to_vec()),
            );
            secret.annotations.insert(expires_annotation.clone(), token.expires_unix.to_string());
            apply_secret(kube, ns, &secret)
        }
    }
}

/// Applies a Secret; a refusal because another owner's Secret of another type is in the way
/// says so.
fn apply_secret(kube: &mut dyn Kube, ns: &str, secret: &SecretObject) -> Result<(), Failed> {
    let Err(e) = kube.apply_secret(ns, secret) else { return Ok(()) };
    // Whatever the failure, its text is logged or shown: without the Secret's data.
    let reason = redact(e.reason(), secret);
    let e = match e.with_reason(reason) {
        KubeError::Refused { code: 422, message } => match kube.get_secret(ns, &secret.name) {
            Ok(Some(other)) if other.type_ != secret.type_ => {
                let owner = other.labels.get(MANAGED_BY).map_or("another owner", String::as_str);
                KubeError::Refused {
                    code: 422,
                    message: format!(
                        "{message} (a Secret of type '{}' managed by {owner} is in the way: \
                         delete it, or have this one written under another name)",
                        other.type_
                    ),
                }
            }
            _ => KubeError::Refused { code: 422, message },
        },
        other => other,
    };
    Err(Failed::Kube(e))
}

/// The API server's reason without any of the Secret's data, and not too long for a status.
fn redact(reason: &str, secret: &SecretObject) -> String {
    let mut out = reason.to_owned();
    for value in secret.data.values().filter(|v| v.len() >= 4) {
        if let Ok(text) = std::str::from_utf8(value) {
            out = out.replace(text, "[redacted]");
        }
    }
    if out.chars().count() > 300 {
        out = out.chars().take(300).collect::<String>() + "…";
    }
    out
}

/// Turns the failed writes into status problems; collects the transient ones in `transient`.
fn report_failures(
    report: &mut StatusCollector,
    app: &str,
    failures: &[Failure],
    attempted: usize,
    transient: &mut Vec<String>,
) {
    let forbidden =
        failures.iter().filter(|f| matches!(f.what, Failed::Kube(KubeError::Forbidden(_)))).count();
    // Every write forbidden: the application is not trusted at all.
    let untrusted = forbidden > 0 && forbidden == attempted;
    if untrusted {
        report.add(Status::blocked(trust_message(app)));
    }
    for f in failures {
        match &f.what {
            Failed::Kube(KubeError::Forbidden(_)) if untrusted => {
                log::warn!("Kubernetes refused to write {}", f.object);
            }
            Failed::Kube(e) if e.is_transient() => {
                log::warn!("Kubernetes API error writing {}: {e}", f.object);
                transient.push(f.object.to_string());
                report.add(Status::waiting(format!(
                    "Kubernetes API error writing {}; retrying on the next hook",
                    f.object
                )));
            }
            Failed::Kube(e) => {
                let message = format!("Cannot write {}: {}", f.object, e.reason());
                log::warn!("{message}");
                report.add(Status::blocked(message));
            }
            Failed::NoServiceAccount(sa) => report.add(Status::waiting(format!(
                "ServiceAccount '{sa}' not found; retrying on the next hook"
            ))),
            Failed::Waiting(dep) => {
                log::info!("{} is kept as it is until {dep} can be written", f.object);
            }
        }
    }
}
