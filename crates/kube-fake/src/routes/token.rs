//! The TokenRequest subresource: `POST /api/v1/namespaces/{ns}/serviceaccounts/{sa}/token`.
//!
//! The charm renews a token when less than a third of its *granted* lifetime is left (the README's
//! "How it works"), and the API server may grant less than was asked
//! (`--service-account-max-token-expiration`), so the cap is configurable and the response is
//! shaped as the API server shapes it: the granted lifetime in `spec.expirationSeconds`, a
//! `Warning` header when shortened, and 422 below the ten-minute minimum.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use crate::clock;
use crate::record::IssuedToken;
use crate::resource::{AUTHENTICATION_GROUP, Resource};
use crate::state::State;
use crate::status::Reply;
use crate::store::str_at;

/// The lifetime granted when a request does not ask for one.
const DEFAULT_SECONDS: u64 = 3600;
/// The API server's minimum: ten minutes.
const MIN_SECONDS: u64 = 600;
/// The audience a token gets when the request names none (the default service-account issuer).
const DEFAULT_AUDIENCE: &str = "https://kubernetes.default.svc.cluster.local";

/// Issues a token for ServiceAccount `namespace`/`name`.
pub(super) fn create(
    state: &mut State,
    namespace: &str,
    name: &str,
    body: Option<&Value>,
) -> Reply {
    let sa_uid = match state.store.get("ServiceAccount", Some(namespace), name) {
        Some(sa) => str_at(sa, &["metadata", "uid"]).map_or_else(clock::uid, str::to_owned),
        None if state.auto_service_accounts => clock::uid(),
        None => match Resource::by_kind("ServiceAccount") {
            Some(res) => return Reply::not_found(&res, name),
            None => return Reply::no_route(),
        },
    };
    let body = body.unwrap_or(&Value::Null);
    let spec = body.get("spec").unwrap_or(&Value::Null);
    let audiences: Vec<String> = spec
        .get("audiences")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).map(str::to_owned).collect())
        .filter(|a: &Vec<String>| !a.is_empty())
        .unwrap_or_else(|| vec![DEFAULT_AUDIENCE.to_owned()]);
    let requested = spec.get("expirationSeconds").and_then(Value::as_u64);
    let wanted = requested.unwrap_or(DEFAULT_SECONDS);
    if !(MIN_SECONDS..=1 << 32).contains(&wanted) {
        let why = if wanted < MIN_SECONDS {
            "may not specify a duration less than 10 minutes"
        } else {
            "may not specify a duration larger than 2^32 seconds"
        };
        let msg = format!(
            "TokenRequest.{AUTHENTICATION_GROUP} \"{name}\" is invalid: spec.expirationSeconds: \
             Invalid value: {wanted}: {why}"
        );
        return Reply::failure(
            422,
            "Invalid",
            &msg,
            Some(json!({"name": name, "group": AUTHENTICATION_GROUP, "kind": "TokenRequest"})),
        );
    }
    let granted = state.max_token_seconds.map_or(wanted, |max| wanted.min(max));
    let now = state.token_clock.unwrap_or_else(clock::now_unix);
    let expiration = clock::rfc3339(now + granted);
    let token = jwt(namespace, name, &sa_uid, &audiences, now, granted);
    state.tokens.push(IssuedToken {
        service_account: name.to_owned(),
        namespace: namespace.to_owned(),
        audiences: audiences.clone(),
        requested_seconds: requested,
        granted_seconds: granted,
        token: token.clone(),
        expiration_timestamp: expiration.clone(),
        issued_at: now,
    });
    let mut reply = Reply::created(json!({
        "kind": "TokenRequest",
        "apiVersion": format!("{AUTHENTICATION_GROUP}/v1"),
        "metadata": {"name": name, "namespace": namespace, "creationTimestamp": null},
        "spec": {
            "audiences": audiences,
            "expirationSeconds": granted,
            "boundObjectRef": spec.get("boundObjectRef").cloned().unwrap_or(Value::Null),
        },
        "status": {"token": token, "expirationTimestamp": expiration},
    }));
    if granted < wanted {
        reply.warnings.push(format!(
            "requested expiration of {wanted} seconds shortened to {granted} seconds"
        ));
    }
    reply
}

/// A JWT-shaped token with the claims a projected ServiceAccount token has; the signature is
/// random bytes (nothing verifies it).
fn jwt(
    namespace: &str,
    name: &str,
    sa_uid: &str,
    audiences: &[String],
    now: u64,
    secs: u64,
) -> String {
    let header = json!({"alg": "RS256", "kid": "kube-fake"});
    let claims = json!({
        "aud": audiences,
        "exp": now + secs,
        "iat": now,
        "nbf": now,
        "iss": DEFAULT_AUDIENCE,
        "jti": clock::uid(),
        "sub": format!("system:serviceaccount:{namespace}:{name}"),
        "kubernetes.io": {"namespace": namespace, "serviceaccount": {"name": name, "uid": sa_uid}},
    });
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string()),
        URL_SAFE_NO_PAD.encode(clock::random_bytes(256)),
    )
}
