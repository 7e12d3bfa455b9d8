//! Kubernetes Events (`events.k8s.io/v1`) for what the charm does to the cluster, as
//! `kubectl describe` and cert-manager users expect to see it: pure, the body of each Event and
//! the rules for naming and repeating them. `crate::reconcile::apply` records them once the
//! writes they tell of are done.
//!
//! - Each Event is `regarding` the object concerned, with `reportingController`
//!   [`REPORTING_CONTROLLER`] and `reportingInstance` the unit name. A Secret's Events are in its
//!   namespace; a webhook configuration is cluster-scoped, and the API server accepts an Event
//!   about a cluster-scoped object only in `default` or `kube-system`
//!   (kubernetes `pkg/apis/core/validation/events.go`, `legacyValidateEvent`), so its Events are
//!   in `default`, where `kubectl describe` of a cluster-scoped object looks.
//! - A Normal Event is new each time, named as client-go's recorder names one
//!   (`<regarding name>.<hex of the time in nanoseconds>`).
//! - A Warning repeated hook after hook (the same object, reason and message) is one Event:
//!   its name is derived from them ([`name`]), so the next hook finds it and counts the repeat
//!   in its `series` (count, last observed time), as client-go's event recorder does, instead of
//!   creating one Event per hook. [`Repeat::Once`] Warnings (a configuration newly held) are
//!   recorded the first time only.
//! - Messages never hold a secret value: they name objects, serials, dates and API server
//!   reasons (already redacted of the Secret's data).

use serde_json::{Value, json};
use time::OffsetDateTime;

use super::ObjectRef;

/// `reportingController` of every Event the charm records.
pub const REPORTING_CONTROLLER: &str = "ckf-crypto.kubeflow.org/charm";

/// The namespace of Events about cluster-scoped objects.
pub const CLUSTER_EVENTS_NAMESPACE: &str = "default";

/// `type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    /// Something the charm did.
    Normal,
    /// Something that needs the operator's attention.
    Warning,
}

impl EventType {
    fn as_str(self) -> &'static str {
        match self {
            Self::Normal => "Normal",
            Self::Warning => "Warning",
        }
    }
}

/// What a Warning seen again on a later hook does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Repeat {
    /// Counted in the one Event's `series`.
    Series,
    /// Nothing: the Event records the first time only.
    Once,
}

/// One Event to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventNote {
    /// Normal or Warning.
    pub type_: EventType,
    /// `reason`, e.g. `Issued`.
    pub reason: &'static str,
    /// `action`, what the charm did or tried, e.g. `Issue`.
    pub action: &'static str,
    /// The object concerned.
    pub regarding: ObjectRef,
    /// `note`: what happened, never a secret value.
    pub message: String,
    /// For a Warning, what a repeat does.
    pub repeat: Repeat,
}

impl EventNote {
    /// A Normal Event.
    pub fn normal(
        reason: &'static str,
        action: &'static str,
        regarding: ObjectRef,
        message: String,
    ) -> Self {
        Self {
            type_: EventType::Normal,
            reason,
            action,
            regarding,
            message,
            repeat: Repeat::Series,
        }
    }

    /// A Warning, counted in one Event's series when it repeats.
    pub fn warning(
        reason: &'static str,
        action: &'static str,
        regarding: ObjectRef,
        message: String,
    ) -> Self {
        Self {
            type_: EventType::Warning,
            reason,
            action,
            regarding,
            message,
            repeat: Repeat::Series,
        }
    }

    /// Whether a later hook finds this Event again (a Warning) instead of making a new one.
    pub fn repeats(&self) -> bool {
        self.type_ == EventType::Warning
    }
}

/// An Event an area plans, recorded once the write to `after` succeeded in this hook (or
/// whatever the writes did, when `None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedEvent {
    /// The write it tells of.
    pub after: Option<ObjectRef>,
    /// The Event.
    pub note: EventNote,
}

/// The namespace the Event about `regarding` goes into, the charm's objects being in `ns`.
pub fn namespace<'a>(regarding: &ObjectRef, ns: &'a str) -> &'a str {
    if is_cluster_scoped(regarding.kind) { CLUSTER_EVENTS_NAMESPACE } else { ns }
}

fn is_cluster_scoped(kind: &str) -> bool {
    kind.ends_with("WebhookConfiguration")
}

fn api_version(kind: &str) -> &'static str {
    if is_cluster_scoped(kind) { "admissionregistration.k8s.io/v1" } else { "v1" }
}

/// The Event's name: for a Warning, `<regarding name>.<16 hex digits of a hash of its kind,
/// name, reason and message>`, the same on every hook; for a Normal one, client-go's
/// `<regarding name>.<hex of now in nanoseconds>`, then 4 hex digits of that hash. The regarding name is cut so the whole stays
/// a valid object name (at most 253 characters).
pub fn name(note: &EventNote, now: OffsetDateTime) -> String {
    let key = [note.regarding.kind, &note.regarding.name, note.reason, &note.message];
    let hash = fnv1a(key.join("\0").as_bytes());
    let suffix = if note.repeats() {
        format!("{hash:016x}")
    } else {
        // Two Events of one hook about one object (`CARotated`, then `Issued`) differ in the
        // last digits.
        format!("{:x}{:04x}", now.unix_timestamp_nanos().max(0), hash & 0xffff)
    };
    let room = 253 - 1 - suffix.len();
    let base: String = note.regarding.name.chars().take(room).collect();
    format!("{}.{suffix}", base.trim_end_matches(['.', '-']))
}

/// The Event, as `POST /apis/events.k8s.io/v1/namespaces/<ns>/events` takes it: its objects
/// in `ns`, reported by unit `instance` at `now`.
pub fn body(note: &EventNote, ns: &str, instance: &str, now: OffsetDateTime) -> Value {
    let event_ns = namespace(&note.regarding, ns);
    let mut regarding = json!({
        "apiVersion": api_version(note.regarding.kind),
        "kind": note.regarding.kind,
        "name": note.regarding.name,
    });
    if !is_cluster_scoped(note.regarding.kind) {
        regarding["namespace"] = json!(ns);
    }
    json!({
        "apiVersion": "events.k8s.io/v1",
        "kind": "Event",
        "metadata": {"name": name(note, now), "namespace": event_ns},
        "eventTime": micro_time(now),
        "reportingController": REPORTING_CONTROLLER,
        "reportingInstance": truncate(instance, 128),
        "action": note.action,
        "reason": note.reason,
        "regarding": regarding,
        "note": truncate(&note.message, 1024),
        "type": note.type_.as_str(),
    })
}

/// The merge patch that counts one more occurrence of a repeated Event, whose `series` held
/// `count` (`None`: none yet, the Event itself was the first).
pub fn series_patch(count: Option<i64>, now: OffsetDateTime) -> Value {
    let count = count.map_or(2, |c| c.max(1) + 1);
    json!({"series": {"count": count, "lastObservedTime": micro_time(now)}})
}

/// `MicroTime` as the API server writes it: RFC 3339 in UTC with microseconds.
pub fn micro_time(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.microsecond()
    )
}

fn truncate(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_owned();
    }
    let mut end = max.saturating_sub(3);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &s[..end])
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(name: &str) -> ObjectRef {
        ObjectRef { kind: "Secret", name: name.into() }
    }

    #[test]
    fn a_warning_has_one_name_on_every_hook_and_a_normal_event_a_new_one() {
        let t1 = OffsetDateTime::from_unix_timestamp(1_800_000_000).expect("time");
        let t2 = t1 + time::Duration::seconds(300);
        let w = EventNote::warning("WriteFailed", "Write", secret("s"), "in the way".into());
        assert_eq!(name(&w, t1), name(&w, t2));
        let other = EventNote { message: "other".into(), ..w.clone() };
        assert_ne!(name(&w, t1), name(&other, t1));
        let n = EventNote::normal("Issued", "Issue", secret("s"), "serial 1".into());
        assert_ne!(name(&n, t1), name(&n, t2));
        let rotated = EventNote::normal("CARotated", "RotateCA", secret("s"), "ca".into());
        assert_ne!(name(&n, t1), name(&rotated, t1), "one hook, one object, two Events");
        assert!(name(&n, t1).starts_with("s."));
        let long = EventNote::warning("Held", "Inject", secret(&"a".repeat(300)), "m".into());
        assert!(name(&long, t1).len() <= 253);
    }

    #[test]
    fn the_body_has_the_fields_the_api_server_requires() {
        let now = OffsetDateTime::from_unix_timestamp(1_800_000_000).expect("time");
        let n = EventNote::normal("Issued", "Issue", secret("tls"), "serial 1".into());
        let b = body(&n, "kubeflow", "ckf-crypto/0", now);
        assert_eq!(b["metadata"]["namespace"], "kubeflow");
        assert_eq!(
            b["regarding"],
            json!({"apiVersion": "v1", "kind": "Secret", "name": "tls", "namespace": "kubeflow"})
        );
        assert_eq!(b["eventTime"], "2027-01-15T08:00:00.000000Z");
        assert_eq!(b["reportingController"], REPORTING_CONTROLLER);
        assert_eq!(b["type"], "Normal");
        let cfg = ObjectRef { kind: "MutatingWebhookConfiguration", name: "katib".into() };
        let b =
            body(&EventNote::normal("Injected", "Inject", cfg, "m".into()), "kubeflow", "u/0", now);
        assert_eq!(b["metadata"]["namespace"], "default");
        assert!(b["regarding"].get("namespace").is_none());
        assert_eq!(b["regarding"]["apiVersion"], "admissionregistration.k8s.io/v1");
        assert_eq!(series_patch(None, now)["series"]["count"], 2);
        assert_eq!(series_patch(Some(4), now)["series"]["count"], 5);
    }
}
