//! The request log: what the charm's "no-op hook writes nothing" tests read.

use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, DeleteParams, Patch, PatchParams, PostParams};
use serde_json::json;

use super::{NS, api_status, client, secret};

#[tokio::test]
async fn requests_and_writes_record_method_path_query_and_body() {
    let kube = super::start();
    let api: Api<Secret> = Api::namespaced(client(&kube).await, NS);
    let path = "/api/v1/namespaces/kubeflow/secrets";

    assert_eq!(api.get_opt("a").await.expect("get"), None);
    api.create(&PostParams::default(), &secret("a", &[], &[("k", "v")])).await.expect("create");
    let pp = PatchParams::apply("ckf-crypto").force();
    api.patch("a", &pp, &Patch::Apply(&secret("a", &[], &[("k", "w")]))).await.expect("apply");
    api.delete("a", &DeleteParams::default()).await.expect("delete");

    let all = kube.requests();
    let summary: Vec<(&str, &str, u16)> =
        all.iter().map(|r| (r.method.as_str(), r.path.as_str(), r.status)).collect();
    let object = format!("{path}/a");
    assert_eq!(
        summary,
        [
            ("GET", object.as_str(), 404),
            ("POST", path, 201),
            ("PATCH", &object, 200),
            ("DELETE", &object, 200)
        ]
    );
    assert_eq!(all[0].body, None);
    assert_eq!(all[1].body.as_ref().map(|b| &b["data"]), Some(&json!({"k": "dg=="})));
    let apply = &all[2];
    assert_eq!(apply.content_type.as_deref(), Some("application/apply-patch+yaml"));
    assert_eq!(apply.query_param("fieldManager").as_deref(), Some("ckf-crypto"));
    assert_eq!(apply.query_param("force").as_deref(), Some("true"));
    assert_eq!(apply.body.as_ref().map(|b| &b["kind"]), Some(&json!("Secret")));

    let writes: Vec<String> = kube.writes().into_iter().map(|w| w.method).collect();
    assert_eq!(writes, ["POST", "PATCH", "DELETE"]);
    kube.clear_requests();
    assert!(kube.requests().is_empty());
}

#[tokio::test]
async fn discovery_answers_and_unknown_paths_and_watches_are_refused() {
    let kube = super::start();
    let client = client(&kube).await;
    let info = client.apiserver_version().await.expect("version");
    assert_eq!((info.major.as_str(), info.minor.as_str()), ("1", "33"));
    let groups = client.list_api_groups().await.expect("groups");
    assert!(groups.groups.iter().any(|g| g.name == "admissionregistration.k8s.io"));
    let core = client.list_core_api_resources("v1").await.expect("core resources");
    assert!(core.resources.iter().any(|r| r.name == "serviceaccounts/token"));

    let pods =
        http::Request::get("/api/v1/namespaces/kubeflow/pods").body(Vec::new()).expect("request");
    let status = api_status(client.request_text(pods).await);
    assert_eq!((status.code, status.reason.as_str()), (404, "NotFound"));
    let watch = http::Request::get("/api/v1/namespaces/kubeflow/secrets?watch=true")
        .body(Vec::new())
        .expect("request");
    let status = api_status(client.request_text(watch).await);
    assert_eq!((status.code, status.message.as_str()), (405, "kube-fake does not support watch"));
}
