//! The API server's validation of `events.k8s.io/v1` Events.
//!
//! kube-apiserver serves `events.k8s.io/v1` from the storage of core `v1` Events
//! (kubernetes/kubernetes `pkg/registry/core/event/strategy.go`: `Validate` calls
//! `ValidateEventCreate`, `ValidateUpdate` calls `ValidateEventUpdate`, both with the request's
//! group version), after converting the body to the internal `core.Event`
//! (`pkg/apis/events/v1/conversion.go`, `Convert_v1_Event_To_core_Event`: `regarding` becomes
//! `involvedObject`, `note` becomes `message`, `deprecatedSource`, `deprecatedFirstTimestamp`,
//! `deprecatedLastTimestamp` and `deprecatedCount` become `source`, `firstTimestamp`,
//! `lastTimestamp` and `count`). So the refusals name the *core* fields, and the 422 is about an
//! `Event` of the core group (`Event "x" is invalid: involvedObject.namespace: …`), as real
//! clients of `events.k8s.io` report.
//!
//! The rules are a port of `pkg/apis/core/validation/events.go` (`ValidateEventCreate`,
//! `ValidateEventUpdate`, `validateV1EventSeries`, `legacyValidateEvent`) for request version
//! `events.k8s.io/v1`, with the name and namespace checks of k8s.io/apimachinery
//! `pkg/api/validation/objectmeta.go` (`ValidateObjectMetaAccessor`: `NameIsDNSSubdomain`,
//! `ValidateNamespaceName`) and the value checks of `pkg/util/validation/validation.go`
//! (`IsQualifiedName`, `IsDNS1123Subdomain`, `IsDNS1123Label`). Values are printed as
//! `field.Error.ErrorBody` of apimachinery v0.33 prints them: strings quoted, numbers bare, times
//! by Go's `time.Time.String`, structs by `%#v`, a nil pointer as `"null"`.
//!
//! Not ported: the label, annotation, ownerReference, finalizer and managedFields checks of
//! `ValidateObjectMeta`/`ValidateObjectMetaUpdate` (the fake checks none of these for any kind);
//! name and namespace cannot change on update because they come from the URL.

use serde_json::Value;

use crate::store::str_at;

/// `ReportingInstanceLengthLimit`, `ActionLengthLimit`, `ReasonLengthLimit` in events.go.
const SHORT_LIMIT: usize = 128;
/// `NoteLengthLimit` in events.go.
const NOTE_LIMIT: usize = 1024;

/// `(field, body)` pairs, as [`crate::status::Reply::invalid_all`] takes them.
pub(crate) type FieldErrors = Vec<(String, String)>;

/// A time as Go holds it after decoding RFC 3339: compared by instant, printed by `String()`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct GoTime {
    /// `YYYY-MM-DD HH:MM:SS`.
    date_time: String,
    /// Nanoseconds.
    nanos: u32,
    /// `+0000 UTC` for `Z`, else the offset as written (`+0200 +0200`).
    zone: String,
}

impl GoTime {
    /// Parses `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`, as `time.Parse(time.RFC3339, …)` accepts it.
    fn parse(s: &str) -> Option<GoTime> {
        let b = s.as_bytes();
        let digits = |r: std::ops::Range<usize>| {
            b.get(r.clone()).is_some_and(|d| d.iter().all(u8::is_ascii_digit))
        };
        let seps = [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':')];
        if b.len() < 20
            || !seps.iter().all(|(i, c)| b[*i] == *c || (*i == 10 && b[*i] == b't'))
            || ![0..4, 5..7, 8..10, 11..13, 14..16, 17..19].into_iter().all(digits)
        {
            return None;
        }
        let mut rest = &s[19..];
        let mut nanos = 0u32;
        if let Some(frac) = rest.strip_prefix('.') {
            let n = frac.bytes().take_while(u8::is_ascii_digit).count();
            if n == 0 || n > 9 {
                return None;
            }
            let padded = format!("{:0<9}", &frac[..n]);
            nanos = padded.parse().ok()?;
            rest = &frac[n..];
        }
        let zone = match rest {
            "Z" | "z" => "+0000 UTC".to_owned(),
            z if z.len() == 6
                && (z.starts_with('+') || z.starts_with('-'))
                && z.as_bytes()[3] == b':' =>
            {
                let hhmm = format!("{}{}", &z[..3], &z[4..]);
                format!("{hhmm} {hhmm}")
            }
            _ => return None,
        };
        Some(GoTime { date_time: format!("{} {}", &s[..10], &s[11..19]), nanos, zone })
    }

    /// Go's `time.Time.String()`: `2006-01-02 15:04:05.999999999 -0700 MST`.
    fn go_string(t: Option<&GoTime>) -> String {
        let Some(t) = t else {
            return "0001-01-01 00:00:00 +0000 UTC".to_owned();
        };
        let frac = if t.nanos == 0 {
            String::new()
        } else {
            format!(".{:09}", t.nanos).trim_end_matches('0').to_owned()
        };
        format!("{}{frac} {}", t.date_time, t.zone)
    }
}

/// A `core.ObjectReference`, printed with `%#v` as the API server prints an unchanged one.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct ObjectRef {
    kind: String,
    namespace: String,
    name: String,
    uid: String,
    api_version: String,
    resource_version: String,
    field_path: String,
}

impl ObjectRef {
    fn of(v: &Value) -> ObjectRef {
        let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
        ObjectRef {
            kind: s("kind"),
            namespace: s("namespace"),
            name: s("name"),
            uid: s("uid"),
            api_version: s("apiVersion"),
            resource_version: s("resourceVersion"),
            field_path: s("fieldPath"),
        }
    }

    fn go_syntax(&self) -> String {
        format!(
            "core.ObjectReference{{Kind:{}, Namespace:{}, Name:{}, UID:{}, APIVersion:{}, \
             ResourceVersion:{}, FieldPath:{}}}",
            q(&self.kind),
            q(&self.namespace),
            q(&self.name),
            q(&self.uid),
            q(&self.api_version),
            q(&self.resource_version),
            q(&self.field_path),
        )
    }
}

/// `core.EventSeries`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Series {
    count: i64,
    last_observed_time: Option<GoTime>,
}

/// The internal `core.Event` an `events.k8s.io/v1` body converts to, as far as validation looks.
#[derive(Debug, Clone, PartialEq, Eq)]
struct CoreEvent {
    name: String,
    generate_name: String,
    namespace: String,
    involved_object: ObjectRef,
    related: Option<ObjectRef>,
    reason: String,
    message: String,
    source: (String, String),
    first_timestamp: Option<GoTime>,
    last_timestamp: Option<GoTime>,
    count: i64,
    type_: String,
    event_time: Option<GoTime>,
    series: Option<Series>,
    action: String,
    reporting_controller: String,
    reporting_instance: String,
}

impl CoreEvent {
    /// `Convert_v1_Event_To_core_Event`; `Err` with the decoding error for a malformed time.
    fn convert(v: &Value) -> Result<CoreEvent, String> {
        let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
        let time = |t: Option<&Value>| -> Result<Option<GoTime>, String> {
            match t {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(text)) => GoTime::parse(text)
                    .map(Some)
                    .ok_or_else(|| format!("parsing time {}: not RFC 3339", q(text))),
                Some(other) => Err(format!("a time must be a string, not {other}")),
            }
        };
        let int = |t: Option<&Value>| t.and_then(Value::as_i64).unwrap_or(0);
        let source = v.get("deprecatedSource").unwrap_or(&Value::Null);
        let series = match v.get("series") {
            None | Some(Value::Null) => None,
            Some(sv) => Some(Series {
                count: int(sv.get("count")),
                last_observed_time: time(sv.get("lastObservedTime"))?,
            }),
        };
        let meta = |k: &str| str_at(v, &["metadata", k]).unwrap_or_default().to_owned();
        Ok(CoreEvent {
            name: meta("name"),
            generate_name: meta("generateName"),
            namespace: meta("namespace"),
            involved_object: ObjectRef::of(v.get("regarding").unwrap_or(&Value::Null)),
            related: v.get("related").filter(|r| !r.is_null()).map(ObjectRef::of),
            reason: s("reason"),
            message: s("note"),
            source: (
                source.get("component").and_then(Value::as_str).unwrap_or_default().to_owned(),
                source.get("host").and_then(Value::as_str).unwrap_or_default().to_owned(),
            ),
            first_timestamp: time(v.get("deprecatedFirstTimestamp"))?,
            last_timestamp: time(v.get("deprecatedLastTimestamp"))?,
            count: int(v.get("deprecatedCount")),
            type_: s("type"),
            event_time: time(v.get("eventTime"))?,
            series,
            action: s("action"),
            reporting_controller: s("reportingController"),
            reporting_instance: s("reportingInstance"),
        })
    }
}

/// Validates the `events.k8s.io/v1` Event `new` (replacing `old`, if any): the field errors, or
/// `Err` with a decoding error (answered with 400 by the caller).
pub(crate) fn validate(new: &Value, old: Option<&Value>) -> Result<FieldErrors, String> {
    let new = CoreEvent::convert(new)?;
    Ok(match old {
        None => validate_create(&new),
        Some(old) => validate_update(&new, &CoreEvent::convert(old)?),
    })
}

/// Go's `%q` for the strings the API server prints.
fn q(s: &str) -> String {
    Value::from(s).to_string()
}

fn required(errs: &mut FieldErrors, field: &str, detail: &str) {
    let body = if detail.is_empty() {
        "Required value".to_owned()
    } else {
        format!("Required value: {detail}")
    };
    errs.push((field.to_owned(), body));
}

/// `field.Invalid(path, value, detail)` with `value` already printed.
fn invalid(errs: &mut FieldErrors, field: &str, value: &str, detail: &str) {
    errs.push((field.to_owned(), format!("Invalid value: {value}: {detail}")));
}

/// `ValidateEventCreate` for request version `events.k8s.io/v1`.
fn validate_create(e: &CoreEvent) -> FieldErrors {
    let mut errs = legacy_validate(e);
    validate_object_meta(&mut errs, e);
    validate_series(&mut errs, e);
    if e.event_time.is_none() {
        required(&mut errs, "eventTime", "");
    }
    if e.type_ != "Normal" && e.type_ != "Warning" {
        invalid(&mut errs, "type", "\"\"", &format!("has invalid value: {}", e.type_));
    }
    if e.first_timestamp.is_some() {
        invalid(&mut errs, "firstTimestamp", "\"\"", "needs to be unset");
    }
    if e.last_timestamp.is_some() {
        invalid(&mut errs, "lastTimestamp", "\"\"", "needs to be unset");
    }
    if e.count != 0 {
        invalid(&mut errs, "count", "\"\"", "needs to be unset");
    }
    if !e.source.0.is_empty() || !e.source.1.is_empty() {
        invalid(&mut errs, "source", "\"\"", "needs to be unset");
    }
    errs
}

/// `ValidateEventUpdate` for request version `events.k8s.io/v1`, in its order (`reason` is
/// checked twice upstream, so an immutable reason gives two causes and one message line).
fn validate_update(new: &CoreEvent, old: &CoreEvent) -> FieldErrors {
    let mut errs = legacy_validate(new);
    if new.series != old.series {
        validate_series(&mut errs, new);
    }
    let mut immutable = |field: &str, changed: bool, printed: String| {
        if changed {
            invalid(&mut errs, field, &printed, "field is immutable");
        }
    };
    let time = |t: &Option<GoTime>| GoTime::go_string(t.as_ref());
    let source = |s: &(String, String)| {
        format!("core.EventSource{{Component:{}, Host:{}}}", q(&s.0), q(&s.1))
    };
    immutable(
        "involvedObject",
        new.involved_object != old.involved_object,
        new.involved_object.go_syntax(),
    );
    immutable("reason", new.reason != old.reason, q(&new.reason));
    immutable("message", new.message != old.message, q(&new.message));
    immutable("source", new.source != old.source, source(&new.source));
    immutable(
        "firstTimestamp",
        new.first_timestamp != old.first_timestamp,
        time(&new.first_timestamp),
    );
    immutable("lastTimestamp", new.last_timestamp != old.last_timestamp, time(&new.last_timestamp));
    immutable("count", new.count != old.count, new.count.to_string());
    immutable("reason", new.reason != old.reason, q(&new.reason));
    immutable("type", new.type_ != old.type_, q(&new.type_));
    immutable("eventTime", new.event_time != old.event_time, time(&new.event_time));
    immutable("action", new.action != old.action, q(&new.action));
    let related = new.related.as_ref().map_or_else(|| q("null"), ObjectRef::go_syntax);
    immutable("related", new.related != old.related, related);
    immutable(
        "reportingController",
        new.reporting_controller != old.reporting_controller,
        q(&new.reporting_controller),
    );
    immutable(
        "reportingInstance",
        new.reporting_instance != old.reporting_instance,
        q(&new.reporting_instance),
    );
    errs
}

/// `validateV1EventSeries`.
fn validate_series(errs: &mut FieldErrors, e: &CoreEvent) {
    if let Some(series) = &e.series {
        if series.count < 2 {
            invalid(errs, "series.count", "\"\"", "should be at least 2");
        }
        if series.last_observed_time.is_none() {
            required(errs, "series.lastObservedTime", "");
        }
    }
}

/// `legacyValidateEvent`: the namespace rules, and for an Event with `eventTime` the reporting
/// fields and lengths.
fn legacy_validate(e: &CoreEvent) -> FieldErrors {
    let mut errs = FieldErrors::new();
    let involved_ns = &e.involved_object.namespace;
    let mismatch = |errs: &mut FieldErrors| {
        invalid(errs, "involvedObject.namespace", &q(involved_ns), "does not match event.namespace")
    };
    if e.event_time.is_none() {
        if involved_ns.is_empty() {
            if !e.namespace.is_empty() && e.namespace != "default" {
                mismatch(&mut errs);
            }
        } else if &e.namespace != involved_ns {
            mismatch(&mut errs);
        }
    } else {
        if involved_ns.is_empty() && e.namespace != "default" && e.namespace != "kube-system" {
            mismatch(&mut errs);
        }
        if e.reporting_controller.is_empty() {
            required(&mut errs, "reportingController", "");
        }
        for msg in is_qualified_name(&e.reporting_controller) {
            invalid(&mut errs, "reportingController", &q(&e.reporting_controller), &msg);
        }
        let limits = [
            ("reportingInstance", &e.reporting_instance, SHORT_LIMIT, true),
            ("action", &e.action, SHORT_LIMIT, true),
            ("reason", &e.reason, SHORT_LIMIT, true),
            ("message", &e.message, NOTE_LIMIT, false),
        ];
        for (field, value, limit, needed) in limits {
            if needed && value.is_empty() {
                required(&mut errs, field, "");
            }
            if value.len() > limit {
                invalid(&mut errs, field, "\"\"", &format!("can have at most {limit} characters"));
            }
        }
    }
    for msg in is_dns1123_subdomain(&e.namespace) {
        invalid(&mut errs, "namespace", &q(&e.namespace), &msg);
    }
    errs
}

/// The name and namespace part of `ValidateObjectMetaAccessor` with `NameIsDNSSubdomain` and a
/// required namespace.
fn validate_object_meta(errs: &mut FieldErrors, e: &CoreEvent) {
    if !e.generate_name.is_empty() {
        for msg in is_dns1123_subdomain(&mask_trailing_dash(&e.generate_name)) {
            invalid(errs, "metadata.generateName", &q(&e.generate_name), &msg);
        }
    }
    if e.name.is_empty() {
        required(errs, "metadata.name", "name or generateName is required");
    } else {
        for msg in is_dns1123_subdomain(&e.name) {
            invalid(errs, "metadata.name", &q(&e.name), &msg);
        }
    }
    if e.namespace.is_empty() {
        required(errs, "metadata.namespace", "");
    } else {
        for msg in is_dns1123_label(&e.namespace) {
            invalid(errs, "metadata.namespace", &q(&e.namespace), &msg);
        }
    }
}

/// apimachinery `maskTrailingDash`, as written (it drops two characters, not one).
fn mask_trailing_dash(name: &str) -> String {
    if name.len() > 1 && name.ends_with('-') {
        format!("{}a", &name[..name.len() - 2])
    } else {
        name.to_owned()
    }
}

const DNS1123_LABEL_FMT: &str = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const QUALIFIED_NAME_FMT: &str = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const QUALIFIED_NAME_ERR: &str = "must consist of alphanumeric characters, '-', '_' or '.', and \
                                  must start and end with an alphanumeric character";

/// `RegexError`: `<msg> (e.g. 'a',  or 'b', regex used for validation is '<fmt>')`, with the
/// double space Go's loop leaves.
fn regex_error(msg: &str, fmt: &str, examples: &[&str]) -> String {
    let examples: Vec<String> = examples.iter().map(|e| format!("'{e}', ")).collect();
    format!("{msg} (e.g. {}regex used for validation is '{fmt}')", examples.join(" or "))
}

/// `^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`.
fn is_label_shaped(s: &str) -> bool {
    let alnum = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    let b = s.as_bytes();
    match (b.first(), b.last()) {
        (Some(&f), Some(&l)) => alnum(f) && alnum(l) && b.iter().all(|&c| alnum(c) || c == b'-'),
        _ => false,
    }
}

fn is_subdomain_shaped(s: &str) -> bool {
    s.split('.').all(is_label_shaped)
}

/// `IsDNS1123Label`.
fn is_dns1123_label(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > 63 {
        errs.push("must be no more than 63 characters".to_owned());
    }
    if !is_label_shaped(value) {
        if is_subdomain_shaped(value) {
            errs.push("must not contain dots".to_owned());
        } else {
            errs.push(regex_error(
                "a lowercase RFC 1123 label must consist of lower case alphanumeric characters \
                 or '-', and must start and end with an alphanumeric character",
                DNS1123_LABEL_FMT,
                &["my-name", "123-abc"],
            ));
        }
    }
    errs
}

/// `IsDNS1123Subdomain`.
fn is_dns1123_subdomain(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > 253 {
        errs.push("must be no more than 253 characters".to_owned());
    }
    if !is_subdomain_shaped(value) {
        errs.push(regex_error(
            "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, \
             '-' or '.', and must start and end with an alphanumeric character",
            &format!("{DNS1123_LABEL_FMT}(\\.{DNS1123_LABEL_FMT})*"),
            &["example.com"],
        ));
    }
    errs
}

/// `IsQualifiedName`: an optional DNS subdomain prefix and `/`, then a name of at most 63
/// characters.
fn is_qualified_name(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    let parts: Vec<&str> = value.split('/').collect();
    let name = match parts.as_slice() {
        [name] => *name,
        [prefix, name] => {
            if prefix.is_empty() {
                errs.push("prefix part must be non-empty".to_owned());
            } else {
                errs.extend(
                    is_dns1123_subdomain(prefix).into_iter().map(|m| format!("prefix part {m}")),
                );
            }
            *name
        }
        _ => {
            errs.push(format!(
                "a qualified name {} with an optional DNS subdomain prefix and '/' (e.g. \
                 'example.com/MyName')",
                regex_error(
                    QUALIFIED_NAME_ERR,
                    QUALIFIED_NAME_FMT,
                    &["MyName", "my.name", "123-abc"]
                )
            ));
            return errs;
        }
    };
    if name.is_empty() {
        errs.push("name part must be non-empty".to_owned());
    } else if name.len() > 63 {
        errs.push("name part must be no more than 63 characters".to_owned());
    }
    let alnum = |c: u8| c.is_ascii_alphanumeric();
    let b = name.as_bytes();
    let shaped = match (b.first(), b.last()) {
        (Some(&f), Some(&l)) => {
            alnum(f) && alnum(l) && b.iter().all(|&c| alnum(c) || matches!(c, b'-' | b'_' | b'.'))
        }
        _ => false,
    };
    if !shaped {
        errs.push(format!(
            "name part {}",
            regex_error(QUALIFIED_NAME_ERR, QUALIFIED_NAME_FMT, &["MyName", "my.name", "123-abc"])
        ));
    }
    errs
}

/// Ports of the `events.k8s.io/v1` tables of kubernetes/kubernetes
/// `pkg/apis/core/validation/events_test.go`: `TestValidateEventCreateForNewV1Events` and
/// `TestValidateEventUpdateForNewV1Events`, each case named by its `msg`, written as the
/// `events.k8s.io/v1` bodies that convert to the Go test's `core.Event`s.
#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const SOME_TIME: &str = "2017-09-19T13:49:16.000000Z";

    /// The "valid new event" of `TestValidateEventCreateForNewV1Events`.
    fn valid() -> Value {
        json!({
            "metadata": {"name": "test", "namespace": "kube-system"},
            "regarding": {"apiVersion": "v1", "kind": "Node"},
            "eventTime": SOME_TIME,
            "reportingController": "k8s.io/my-controller",
            "reportingInstance": "node-xyz",
            "action": "Do",
            "reason": "Because",
            "type": "Normal",
        })
    }

    fn with(mut v: Value, f: impl FnOnce(&mut Value)) -> Value {
        f(&mut v);
        v
    }

    fn unset(v: &mut Value, key: &str) {
        if let Value::Object(m) = v {
            m.remove(key);
        }
    }

    fn fields(errs: &FieldErrors) -> Vec<&str> {
        errs.iter().map(|(f, _)| f.as_str()).collect()
    }

    fn create(v: &Value) -> FieldErrors {
        validate(v, None).expect("decodes")
    }

    #[test]
    fn validate_event_create_for_new_v1_events() {
        assert_eq!(create(&valid()), FieldErrors::new(), "valid new event");
        let long_note = "z".repeat(1025);
        let cases: Vec<(&str, Value)> = vec![
            (
                "missing name in objectMeta",
                with(valid(), |m| {
                    m["metadata"] = json!({"namespace": "kube-system"});
                    unset(m, "action");
                    unset(m, "type");
                }),
            ),
            (
                "missing namespace in objectMeta",
                with(valid(), |m| {
                    m["metadata"] = json!({"name": "test"});
                    unset(m, "action");
                    unset(m, "type");
                }),
            ),
            (
                "missing EventTime",
                json!({
                    "metadata": {"name": "test", "namespace": "default"},
                    "regarding": {"apiVersion": "v1", "kind": "Node"},
                }),
            ),
            (
                "not qualified reportingController",
                with(valid(), |m| {
                    m["reportingController"] = json!("my-contr@ller");
                    unset(m, "type");
                }),
            ),
            (
                "too long reporting instance",
                with(valid(), |m| {
                    m["reportingInstance"] = json!(format!("node-xy{}", "z".repeat(140)));
                    unset(m, "type");
                }),
            ),
            (
                "missing reason",
                with(valid(), |m| {
                    unset(m, "reason");
                    unset(m, "type");
                }),
            ),
            (
                "missing action",
                with(valid(), |m| {
                    unset(m, "action");
                    unset(m, "type");
                }),
            ),
            (
                "too long message",
                with(valid(), |m| {
                    m["metadata"] = json!({"name": "test"});
                    m["note"] = json!(long_note);
                    unset(m, "type");
                }),
            ),
            ("invalid type", with(valid(), |m| m["type"] = json!("invalid-type"))),
            (
                "non-empty firstTimestamp",
                with(valid(), |m| m["deprecatedFirstTimestamp"] = json!("2017-09-19T13:49:16Z")),
            ),
            (
                "non-empty lastTimestamp",
                with(valid(), |m| m["deprecatedLastTimestamp"] = json!("2017-09-19T13:49:16Z")),
            ),
            ("non-empty count", with(valid(), |m| m["deprecatedCount"] = json!(123))),
            (
                "non-empty source",
                with(valid(), |m| m["deprecatedSource"] = json!({"host": "host"})),
            ),
            (
                "non-nil series with cound < 2",
                with(valid(), |m| {
                    m["series"] = json!({"count": 0, "lastObservedTime": SOME_TIME});
                }),
            ),
            (
                "non-nil series with empty lastObservedTime",
                with(valid(), |m| m["series"] = json!({"count": 2})),
            ),
        ];
        for (msg, event) in cases {
            assert!(!create(&event).is_empty(), "{msg}: expected invalid");
        }
    }

    #[test]
    fn create_errors_are_worded_and_ordered_as_upstream() {
        let bare = json!({
            "metadata": {"name": "n", "namespace": "kubeflow"},
            "regarding": {"kind": "Secret", "namespace": "kubeflow", "name": "s"},
            "eventTime": SOME_TIME,
            "deprecatedCount": 3,
        });
        let errs = create(&bare);
        assert_eq!(
            fields(&errs),
            [
                "reportingController",
                "reportingController",
                "reportingController",
                "reportingInstance",
                "action",
                "reason",
                "type",
                "count"
            ]
        );
        assert_eq!(errs[0].1, "Required value");
        assert_eq!(errs[1].1, "Invalid value: \"\": name part must be non-empty");
        assert!(errs[2].1.starts_with("Invalid value: \"\": name part must consist of"));
        assert_eq!(errs[6].1, "Invalid value: \"\": has invalid value: ");
        assert_eq!(errs[7].1, "Invalid value: \"\": needs to be unset");

        let errs = create(&with(valid(), |m| m["reportingController"] = json!("my-contr@ller")));
        assert_eq!(
            errs,
            [(
                "reportingController".to_owned(),
                "Invalid value: \"my-contr@ller\": name part must consist of alphanumeric \
                 characters, '-', '_' or '.', and must start and end with an alphanumeric \
                 character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for \
                 validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
                    .to_owned()
            )]
        );
        let foreign = with(valid(), |m| {
            m["metadata"] = json!({"name": "Bad_Name", "namespace": "aoeu-_-aoeu"});
        });
        let errs = create(&foreign);
        assert_eq!(
            fields(&errs),
            ["involvedObject.namespace", "namespace", "metadata.name", "metadata.namespace"]
        );
        assert_eq!(errs[0].1, "Invalid value: \"\": does not match event.namespace");
    }

    #[test]
    fn regex_errors_list_examples_as_go_does() {
        assert_eq!(
            regex_error("m", "f", &["a", "b"]),
            "m (e.g. 'a',  or 'b', regex used for validation is 'f')"
        );
        assert_eq!(is_dns1123_label("a.b"), ["must not contain dots"]);
        assert_eq!(mask_trailing_dash("abc-"), "aba");
        assert!(is_qualified_name("k8s.io/my-controller").is_empty());
        assert_eq!(is_qualified_name("/x"), ["prefix part must be non-empty"]);
    }

    /// The old and new Events of `TestValidateEventUpdateForNewV1Events`: `valid()` with
    /// resourceVersion 1 and reason `Yeees`.
    fn old() -> Value {
        with(valid(), |m| {
            m["metadata"] =
                json!({"name": "test", "namespace": "kube-system", "resourceVersion": "1"});
            m["reason"] = json!("Yeees");
        })
    }

    fn update(new: &Value, old: &Value) -> FieldErrors {
        validate(new, Some(old)).expect("decodes")
    }

    #[test]
    fn validate_event_update_for_new_v1_events() {
        let series = |count: i64| json!({"count": count, "lastObservedTime": SOME_TIME});
        let v2 = |count: i64| {
            with(old(), |m| {
                m["regarding"] = json!({"apiVersion": "v2", "kind": "Node"});
                m["series"] = series(count);
            })
        };
        assert_eq!(update(&v2(2), &v2(1)), FieldErrors::new(), "valid new updated event");
        let cases: Vec<(&str, Value, Value, &str)> = vec![
            (
                "forbidden updates to involvedObject",
                with(old(), |m| m["regarding"] = json!({"apiVersion": "v2", "kind": "Node"})),
                old(),
                "involvedObject",
            ),
            (
                "forbidden updates to reason",
                with(old(), |m| m["reason"] = json!("Yeees-new")),
                old(),
                "reason",
            ),
            (
                "forbidden updates to message",
                with(old(), |m| m["note"] = json!("new-message")),
                with(old(), |m| m["note"] = json!("message")),
                "message",
            ),
            (
                "forbidden updates to source",
                old(),
                with(old(), |m| m["deprecatedSource"] = json!({"host": "host"})),
                "source",
            ),
            (
                "forbidden updates to firstTimestamp",
                old(),
                with(old(), |m| m["deprecatedFirstTimestamp"] = json!("2017-09-19T13:49:16Z")),
                "firstTimestamp",
            ),
            (
                "forbidden updates to lastTimestamp",
                old(),
                with(old(), |m| m["deprecatedLastTimestamp"] = json!("2017-09-19T13:49:16Z")),
                "lastTimestamp",
            ),
            (
                "forbidden updates to count",
                old(),
                with(old(), |m| m["deprecatedCount"] = json!(2)),
                "count",
            ),
            (
                "forbidden updates to type",
                with(old(), |m| m["type"] = json!("Warning")),
                old(),
                "type",
            ),
            (
                "forbidden updates to eventTime",
                with(old(), |m| m["eventTime"] = json!("2017-09-19T13:49:59.000000Z")),
                old(),
                "eventTime",
            ),
            (
                "forbidden updates to action",
                with(old(), |m| m["action"] = json!("Undo")),
                old(),
                "action",
            ),
            (
                "forbidden updates to related",
                with(old(), |m| m["related"] = json!({"apiVersion": "v1"})),
                old(),
                "related",
            ),
            (
                "forbidden updates to reportingController",
                with(old(), |m| m["reportingController"] = json!("k8s.io/my-controller/new")),
                old(),
                "reportingController",
            ),
            (
                "forbidden updates to reportingInstance",
                with(old(), |m| m["reportingInstance"] = json!("node-xyz-new")),
                old(),
                "reportingInstance",
            ),
        ];
        for (msg, new, old, field) in cases {
            let errs = update(&new, &old);
            assert!(fields(&errs).contains(&field), "{msg}: {errs:?}");
        }
    }

    #[test]
    fn immutable_values_print_as_go_prints_them() {
        let body = |new: Value, old: Value, field: &str| -> Vec<String> {
            update(&new, &old).into_iter().filter(|(f, _)| f == field).map(|(_, b)| b).collect()
        };
        assert_eq!(
            body(with(old(), |m| m["reason"] = json!("New")), old(), "reason"),
            ["Invalid value: \"New\": field is immutable"; 2]
        );
        assert_eq!(
            body(with(old(), |m| m["regarding"]["name"] = json!("n")), old(), "involvedObject"),
            ["Invalid value: core.ObjectReference{Kind:\"Node\", Namespace:\"\", Name:\"n\", \
                 UID:\"\", APIVersion:\"v1\", ResourceVersion:\"\", FieldPath:\"\"}: field is \
                 immutable"]
        );
        let stamped =
            with(old(), |m| m["deprecatedFirstTimestamp"] = json!("2017-09-19T13:49:16Z"));
        assert_eq!(
            body(old(), stamped, "firstTimestamp"),
            ["Invalid value: 0001-01-01 00:00:00 +0000 UTC: field is immutable"]
        );
        let later = with(old(), |m| m["eventTime"] = json!("2017-09-19T13:49:16.123400Z"));
        assert_eq!(
            body(later, old(), "eventTime"),
            ["Invalid value: 2017-09-19 13:49:16.1234 +0000 UTC: field is immutable"]
        );
        let related = with(old(), |m| m["related"] = json!({"kind": "Pod"}));
        assert_eq!(
            body(old(), related, "related"),
            ["Invalid value: \"null\": field is immutable"]
        );
        assert_eq!(
            body(with(old(), |m| m["deprecatedCount"] = json!(2)), old(), "count"),
            ["Invalid value: 2: field is immutable"]
        );
        let series = with(old(), |m| m["series"] = json!({"count": 1}));
        assert_eq!(fields(&update(&series, &old())), ["series.count", "series.lastObservedTime"]);
        assert!(validate(&with(old(), |m| m["eventTime"] = json!("yesterday")), None).is_err());
    }
}
