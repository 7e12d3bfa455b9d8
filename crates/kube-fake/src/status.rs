//! Responses, and Kubernetes `Status` objects for every way a request can fail.
//!
//! kube-rs turns any 4xx/5xx body that parses as a `Status` into `kube::Error::Api`, and callers
//! branch on `code` and `reason` (`is_not_found()`, `is_forbidden()`…), so the fake's errors use
//! the API server's exact reasons and the shape of its messages (`secrets "x" not found`).

use serde_json::{Value, json};

use crate::resource::Resource;

/// A response before it becomes HTTP: status code, JSON body and `Warning` headers.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) body: Value,
    pub(crate) warnings: Vec<String>,
}

impl Reply {
    /// 200 with `body`.
    pub(crate) fn ok(body: Value) -> Reply {
        Reply::with_status(200, body)
    }

    /// 201 with `body`.
    pub(crate) fn created(body: Value) -> Reply {
        Reply::with_status(201, body)
    }

    fn with_status(status: u16, body: Value) -> Reply {
        Reply { status, body, warnings: Vec::new() }
    }

    /// A `Status` with `status: Failure`; an empty `reason` (`StatusReasonUnknown`) is left out,
    /// as Go's `omitempty` leaves it out.
    pub(crate) fn failure(code: u16, reason: &str, message: &str, details: Option<Value>) -> Reply {
        let mut body = json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": message,
            "code": code,
        });
        if let Value::Object(m) = &mut body {
            if !reason.is_empty() {
                m.insert("reason".to_owned(), reason.into());
            }
            if let Some(details) = details {
                m.insert("details".to_owned(), details);
            }
        }
        Reply::with_status(code, body)
    }

    /// 500 for an error that is not a `Status` (k8s.io/apiserver `ErrorToAPIStatus`: reason
    /// unknown, the error's text as the message).
    pub(crate) fn internal(message: &str) -> Reply {
        Reply::failure(500, "", message, None)
    }

    /// 403 from authorizing the create of a create-on-update (server-side apply to a missing
    /// object): k8s.io/apiserver `endpoints/handlers` `withAuthorization` answers
    /// `errors.NewForbidden(gr, name, fmt.Errorf("%v", authorizerReason))`, and the RBAC
    /// authorizer (plugin/pkg/auth/authorizer/rbac/rbac.go) gives an empty reason when no rule
    /// allows the request, so the message ends at `is forbidden: `.
    pub(crate) fn forbidden_create(res: &Resource, name: &str) -> Reply {
        let msg = format!("{} \"{name}\" is forbidden: ", qualified(res));
        Reply::failure(403, "Forbidden", &msg, Some(details(res, name)))
    }

    /// A `Status` with `status: Success`, as DELETE of a Secret returns.
    pub(crate) fn success(res: &Resource, name: &str, uid: Option<&str>) -> Reply {
        let mut details = details(res, name);
        if let (Some(uid), Value::Object(m)) = (uid, &mut details) {
            m.insert("uid".to_owned(), uid.into());
        }
        Reply::ok(json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Success",
            "details": details,
        }))
    }

    /// 404 `secrets "x" not found`.
    pub(crate) fn not_found(res: &Resource, name: &str) -> Reply {
        let msg = format!("{} \"{name}\" not found", qualified(res));
        Reply::failure(404, "NotFound", &msg, Some(details(res, name)))
    }

    /// 404 for a path the fake does not serve.
    pub(crate) fn no_route() -> Reply {
        Reply::failure(
            404,
            "NotFound",
            "the server could not find the requested resource",
            Some(json!({"causes": [{
                "reason": "UnexpectedServerResponse",
                "message": "404 page not found",
            }]})),
        )
    }

    /// 409 `secrets "x" already exists`.
    pub(crate) fn already_exists(res: &Resource, name: &str) -> Reply {
        let msg = format!("{} \"{name}\" already exists", qualified(res));
        Reply::failure(409, "AlreadyExists", &msg, Some(details(res, name)))
    }

    /// 409 for a `resourceVersion` precondition that no longer holds.
    pub(crate) fn conflict(res: &Resource, name: &str) -> Reply {
        let msg = format!(
            "Operation cannot be fulfilled on {} \"{name}\": the object has been modified; \
             please apply your changes to the latest version and try again",
            qualified(res)
        );
        Reply::failure(409, "Conflict", &msg, Some(details(res, name)))
    }

    /// 422 `Secret "x" is invalid: <field>: <why>`, `why` being a field error's body
    /// (`Required value`, `Invalid value: "x": <detail>`…).
    pub(crate) fn invalid(res: &Resource, name: &str, field: &str, why: &str) -> Reply {
        Reply::invalid_all(res.group, res.kind, name, &[(field.to_owned(), why.to_owned())])
    }

    /// 422 for a list of field errors (`(field, body)`), as k8s.io/apimachinery
    /// `api/errors.NewInvalid` words it: `<Kind>[.<group>] "<name>" is invalid: <error>`, or
    /// `[<error>, <error>]` for several (`util/errors` aggregate), one cause each, whose reason is
    /// the error type (`util/validation/field/errors.go`: `FieldValueRequired`…).
    pub(crate) fn invalid_all(
        group: &str,
        kind: &str,
        name: &str,
        errors: &[(String, String)],
    ) -> Reply {
        let qualified_kind =
            if group.is_empty() { kind.to_owned() } else { format!("{kind}.{group}") };
        let mut lines: Vec<String> = Vec::new();
        for (field, why) in errors {
            let line = format!("{field}: {why}");
            if !lines.contains(&line) {
                lines.push(line);
            }
        }
        let all = match lines.as_slice() {
            [one] => one.clone(),
            _ => format!("[{}]", lines.join(", ")),
        };
        let msg = format!("{qualified_kind} \"{name}\" is invalid: {all}");
        let causes: Vec<Value> = errors
            .iter()
            .map(|(field, why)| json!({"reason": cause_type(why), "message": why, "field": field}))
            .collect();
        let mut d = json!({"kind": kind, "causes": causes});
        if let Value::Object(m) = &mut d {
            if !name.is_empty() {
                m.insert("name".to_owned(), name.into());
            }
            if !group.is_empty() {
                m.insert("group".to_owned(), group.into());
            }
        }
        Reply::failure(422, "Invalid", &msg, Some(d))
    }

    /// 400 with `message`.
    pub(crate) fn bad_request(message: &str) -> Reply {
        Reply::failure(400, "BadRequest", message, None)
    }

    /// 415 for a body or patch type the fake does not take.
    pub(crate) fn unsupported_media_type(content_type: &str) -> Reply {
        let msg = format!(
            "the body of the request was in an unknown format ({content_type}) - accepted media \
             types include: application/json, application/merge-patch+json, \
             application/strategic-merge-patch+json, application/apply-patch+yaml"
        );
        Reply::failure(415, "UnsupportedMediaType", &msg, None)
    }

    /// 405 for a method the path does not take.
    pub(crate) fn method_not_allowed() -> Reply {
        Reply::failure(
            405,
            "MethodNotAllowed",
            "the server does not allow this method on the requested resource",
            None,
        )
    }

    /// An injected failure with HTTP `code`, worded as the API server words that code.
    pub(crate) fn injected(code: u16) -> Reply {
        let (reason, message) = match code {
            400 => ("BadRequest", "injected fault: bad request"),
            401 => ("Unauthorized", "Unauthorized"),
            403 => ("Forbidden", "injected fault: forbidden"),
            404 => ("NotFound", "the server could not find the requested resource"),
            409 => ("Conflict", "injected fault: conflict"),
            410 => ("Expired", "injected fault: resource version too old"),
            422 => ("Invalid", "injected fault: invalid"),
            429 => ("TooManyRequests", "Too many requests, please try again later."),
            500 => ("InternalError", "Internal error occurred: injected fault"),
            503 => ("ServiceUnavailable", "the server is currently unable to handle the request"),
            504 => ("Timeout", "the server was unable to return a response in the time allotted"),
            _ => ("", "injected fault"),
        };
        Reply::failure(code, reason, message, None)
    }
}

/// The `StatusCause` reason of a field error, from the start of its body
/// (k8s.io/apimachinery `util/validation/field/errors.go`, `ErrorType` and `String()`).
fn cause_type(why: &str) -> &'static str {
    const TYPES: [(&str, &str); 7] = [
        ("Invalid value", "FieldValueInvalid"),
        ("Required value", "FieldValueRequired"),
        ("Duplicate value", "FieldValueDuplicate"),
        ("Unsupported value", "FieldValueNotSupported"),
        ("Forbidden", "FieldValueForbidden"),
        ("Too long", "FieldValueTooLong"),
        ("Internal error", "InternalError"),
    ];
    TYPES.iter().find(|(text, _)| why.starts_with(text)).map_or("FieldValueInvalid", |(_, t)| t)
}

/// `secrets` or `mutatingwebhookconfigurations.admissionregistration.k8s.io`, as messages say it.
pub(crate) fn qualified(res: &Resource) -> String {
    if res.group.is_empty() {
        res.plural.to_owned()
    } else {
        format!("{}.{}", res.plural, res.group)
    }
}

fn details(res: &Resource, name: &str) -> Value {
    let mut d = json!({"name": name, "kind": res.plural});
    if let (false, Value::Object(m)) = (res.group.is_empty(), &mut d) {
        m.insert("group".to_owned(), res.group.into());
    }
    d
}
