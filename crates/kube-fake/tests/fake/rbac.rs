//! RBAC refusals by verb, resource and name (`Fault::Forbid`), including the `create` check of a
//! server-side apply that would create the object.

use k8s_openapi::api::authentication::v1::{TokenRequest, TokenRequestSpec};
use k8s_openapi::api::core::v1::{Secret, ServiceAccount};
use kube::api::{Api, DeleteParams, Patch, PatchParams, PostParams};
use kube_fake::Fault;
use serde_json::json;

use super::{NS, api_status, client, secret, start};

const USER: &str = "system:serviceaccount:kubeflow:ckf-crypto";

fn forbid(verb: Option<&str>, resource: Option<&str>, name: Option<&str>) -> Fault {
    Fault::Forbid {
        verb: verb.map(str::to_owned),
        resource: resource.map(str::to_owned),
        name: name.map(str::to_owned),
    }
}

/// A server-side apply is authorized for `patch`, and, when the object does not exist, for
/// `create` too, after the object is validated (k8s.io/apiserver `endpoints/handlers/patch.go`:
/// `createValidation: withAuthorization(…, createAuthorizerAttributes)` with verb `create`, run
/// by the store after `BeforeCreate`). That refusal is `errors.NewForbidden` with the
/// authorizer's reason, which RBAC leaves empty (plugin/pkg/auth/authorizer/rbac/rbac.go), not the
/// filter's `User … cannot …` text. An apply to an existing object needs no `create`.
#[tokio::test]
async fn apply_needs_create_only_to_create() {
    let kube = start();
    kube.set_faults(vec![forbid(Some("create"), Some("secrets"), None)]);
    let api: Api<Secret> = Api::namespaced(client(&kube).await, NS);
    let pp = PatchParams::apply("ckf-crypto").force();

    let refused =
        api_status(api.patch("new", &pp, &Patch::Apply(secret("new", &[], &[("k", "v")]))).await);
    assert_eq!((refused.code, refused.reason.as_str()), (403, "Forbidden"));
    assert_eq!(refused.message, "secrets \"new\" is forbidden: ");
    let details = refused.details.expect("details");
    assert_eq!((details.name.as_str(), details.kind.as_str()), ("new", "secrets"));
    assert_eq!(kube.get("Secret", Some(NS), "new"), None);

    let mut tls = secret("new", &[], &[("tls.crt", "c")]);
    tls.type_ = Some("kubernetes.io/tls".into());
    let invalid = api_status(api.patch("new", &pp, &Patch::Apply(&tls)).await);
    assert_eq!(invalid.code, 422, "validation comes before the create check");

    let created = api_status(api.create(&PostParams::default(), &secret("new", &[], &[])).await);
    assert_eq!(
        created.message,
        format!(
            "secrets is forbidden: User \"{USER}\" cannot create resource \"secrets\" in API group \"\" \
             in the namespace \"kubeflow\""
        )
    );

    kube.put(json!({"kind": "Secret", "metadata": {"name": "old", "namespace": NS}}));
    api.patch("old", &pp, &Patch::Apply(secret("old", &[], &[("k", "v")])))
        .await
        .expect("patch is allowed");
    let statuses: Vec<u16> = kube.writes().iter().map(|w| w.status).collect();
    assert_eq!(statuses, [403, 422, 403, 200]);
}

/// The filter's refusal (k8s.io/apiserver `endpoints/handlers/responsewriters/errors.go`,
/// `forbiddenMessage`) for the verb of each request: `delete` for DELETE, `create` on
/// `serviceaccounts/token` for a TokenRequest; other verbs, resources and names pass.
#[tokio::test]
async fn forbid_refuses_one_verb_resource_and_name() {
    let kube = start();
    kube.put(json!({"kind": "Secret", "metadata": {"name": "s", "namespace": NS}}));
    kube.put(json!({"kind": "Secret", "metadata": {"name": "t", "namespace": NS}}));
    kube.set_faults(vec![
        forbid(Some("delete"), Some("secrets"), Some("s")),
        forbid(Some("create"), Some("serviceaccounts/token"), None),
    ]);
    let client = client(&kube).await;
    let secrets: Api<Secret> = Api::namespaced(client.clone(), NS);
    let delete = api_status(secrets.delete("s", &DeleteParams::default()).await);
    assert_eq!(
        delete.message,
        format!(
            "secrets \"s\" is forbidden: User \"{USER}\" cannot delete resource \"secrets\" in API \
             group \"\" in the namespace \"kubeflow\""
        )
    );
    assert!(secrets.get("s").await.is_ok());
    secrets.delete("t", &DeleteParams::default()).await.expect("another name");

    let sas: Api<ServiceAccount> = Api::namespaced(client, NS);
    let request = TokenRequest {
        spec: TokenRequestSpec { audiences: vec!["x".into()], ..TokenRequestSpec::default() },
        ..TokenRequest::default()
    };
    let token = api_status(sas.create_token_request("sa", &PostParams::default(), &request).await);
    assert_eq!(
        token.message,
        format!(
            "serviceaccounts \"sa\" is forbidden: User \"{USER}\" cannot create resource \
             \"serviceaccounts/token\" in API group \"\" in the namespace \"kubeflow\""
        )
    );
    assert!(kube.tokens().is_empty());
    kube.clear_faults();
    sas.create_token_request("sa", &PostParams::default(), &request).await.expect("allowed again");
}
