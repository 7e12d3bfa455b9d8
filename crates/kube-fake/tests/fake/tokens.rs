//! TokenRequest: the granted lifetime is what comes back, capped as the API server caps it.

use std::time::{SystemTime, UNIX_EPOCH};

use k8s_openapi::api::authentication::v1::{TokenRequest, TokenRequestSpec};
use k8s_openapi::api::core::v1::ServiceAccount;
use kube::api::{Api, PostParams};
use serde_json::json;

use super::{NS, api_status, client};

fn request(audience: &str, seconds: Option<i64>) -> TokenRequest {
    TokenRequest {
        spec: TokenRequestSpec {
            audiences: vec![audience.to_owned()],
            expiration_seconds: seconds,
            ..TokenRequestSpec::default()
        },
        ..TokenRequest::default()
    }
}

fn now() -> i64 {
    let secs = SystemTime::now().duration_since(UNIX_EPOCH).expect("after 1970").as_secs();
    i64::try_from(secs).expect("fits")
}

#[tokio::test]
async fn the_expiration_honours_the_cap() {
    let kube = super::start();
    kube.set_max_token_seconds(Some(3600));
    let api: Api<ServiceAccount> = Api::namespaced(client(&kube).await, NS);
    let pp = PostParams::default();
    let before = now();
    let out = api
        .create_token_request(
            "kfp-persistence",
            &pp,
            &request("pipelines.kubeflow.org", Some(604_800)),
        )
        .await
        .expect("token");
    let status = out.status.expect("status");
    let expires = status.expiration_timestamp.0.as_second();
    assert!((before + 3600..=now() + 3600).contains(&expires), "expires at {expires}");
    assert_eq!(out.spec.expiration_seconds, Some(3600));
    assert_eq!(status.token.split('.').count(), 3);

    let issued = kube.tokens();
    assert_eq!(issued.len(), 1);
    let t = &issued[0];
    assert_eq!((t.service_account.as_str(), t.namespace.as_str()), ("kfp-persistence", NS));
    assert_eq!(t.audiences, ["pipelines.kubeflow.org"]);
    assert_eq!((t.requested_seconds, t.granted_seconds), (Some(604_800), 3600));
    assert_eq!(t.token, status.token);
    let write = kube.writes().pop().expect("the token request is a write");
    assert_eq!(write.path, "/api/v1/namespaces/kubeflow/serviceaccounts/kfp-persistence/token");
    assert_eq!(write.status, 201);
}

#[tokio::test]
async fn without_a_cap_the_request_is_granted_and_tokens_differ() {
    let kube = super::start();
    let api: Api<ServiceAccount> = Api::namespaced(client(&kube).await, NS);
    let pp = PostParams::default();
    let a = api.create_token_request("sa", &pp, &request("x", Some(7200))).await.expect("token");
    let b = api.create_token_request("sa", &pp, &request("x", None)).await.expect("token");
    let granted: Vec<u64> = kube.tokens().iter().map(|t| t.granted_seconds).collect();
    assert_eq!(granted, [7200, 3600]);
    assert_ne!(a.status.expect("status").token, b.status.expect("status").token);
}

#[tokio::test]
async fn missing_service_accounts_and_short_lifetimes_are_refused() {
    let kube = super::start();
    kube.set_auto_service_accounts(false);
    let api: Api<ServiceAccount> = Api::namespaced(client(&kube).await, NS);
    let pp = PostParams::default();
    let missing = api_status(api.create_token_request("sa", &pp, &request("x", None)).await);
    assert_eq!((missing.code, missing.message.as_str()), (404, "serviceaccounts \"sa\" not found"));

    kube.put(json!({"kind": "ServiceAccount", "metadata": {"name": "sa", "namespace": NS}}));
    api.create_token_request("sa", &pp, &request("x", None)).await.expect("token");
    let short = api_status(api.create_token_request("sa", &pp, &request("x", Some(60))).await);
    assert_eq!((short.code, short.reason.as_str()), (422, "Invalid"));
    assert!(short.message.contains("may not specify a duration less than 10 minutes"));
    assert_eq!(kube.tokens().len(), 1);
}
