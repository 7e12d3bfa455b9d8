//! Fault injection as the kube client sees it: 403 everywhere, one 503, one stalled response.

use std::time::{Duration, Instant};

use k8s_openapi::api::admissionregistration::v1::MutatingWebhookConfiguration;
use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, Patch, PatchParams};
use kube_fake::Fault;

use super::{NS, api_status, client, client_with, secret};

#[tokio::test]
async fn forbidden_all_gives_rbac_403s_until_cleared() {
    let kube = super::start();
    let client = client(&kube).await;
    let secrets: Api<Secret> = Api::namespaced(client.clone(), NS);
    kube.set_faults(vec![Fault::ForbiddenAll]);

    let get = api_status(secrets.get_opt("x").await);
    assert_eq!((get.code, get.reason.as_str()), (403, "Forbidden"));
    assert_eq!(
        get.message,
        "secrets \"x\" is forbidden: User \"system:serviceaccount:kubeflow:ckf-crypto\" cannot get \
         resource \"secrets\" in API group \"\" in the namespace \"kubeflow\""
    );
    let mwcs: Api<MutatingWebhookConfiguration> = Api::all(client);
    let pp = PatchParams::apply("ckf-crypto").force();
    let patch = Patch::Apply(
        serde_json::json!({"apiVersion": "admissionregistration.k8s.io/v1", "kind": "MutatingWebhookConfiguration"}),
    );
    let apply = api_status(mwcs.patch("m.kubeflow.org", &pp, &patch).await);
    assert_eq!(
        apply.message,
        "mutatingwebhookconfigurations.admissionregistration.k8s.io \"m.kubeflow.org\" is forbidden: \
         User \"system:serviceaccount:kubeflow:ckf-crypto\" cannot patch resource \
         \"mutatingwebhookconfigurations\" in API group \"admissionregistration.k8s.io\" at the cluster scope"
    );
    assert_eq!(kube.get("MutatingWebhookConfiguration", None, "m.kubeflow.org"), None);

    kube.clear_faults();
    assert_eq!(secrets.get_opt("x").await.expect("allowed again"), None);
    let statuses: Vec<u16> = kube.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [403, 403, 404]);
}

fn methods_and_statuses(kube: &kube_fake::FakeKube) -> Vec<(String, u16)> {
    kube.requests().into_iter().map(|r| (r.method, r.status)).collect()
}

fn pairs(v: &[(&str, u16)]) -> Vec<(String, u16)> {
    v.iter().map(|(m, s)| ((*m).to_owned(), *s)).collect()
}

#[tokio::test]
async fn status_once_fails_exactly_one_matching_request() {
    let kube = super::start();
    let client = client_with(&kube, |c| c.default_retry = false).await;
    let api: Api<Secret> = Api::namespaced(client, NS);
    let pp = PatchParams::apply("ckf-crypto").force();
    kube.set_faults(vec![Fault::StatusOnce { nth: 2, method: Some("PATCH".into()), status: 503 }]);

    assert_eq!(api.get_opt("s").await.expect("get"), None);
    let v1 =
        api.patch("s", &pp, &Patch::Apply(&secret("s", &[], &[("k", "1")]))).await.expect("first");
    let failed =
        api_status(api.patch("s", &pp, &Patch::Apply(&secret("s", &[], &[("k", "2")]))).await);
    assert_eq!((failed.code, failed.reason.as_str()), (503, "ServiceUnavailable"));
    let unchanged = api.get("s").await.expect("get");
    assert_eq!(unchanged.metadata.resource_version, v1.metadata.resource_version);
    api.patch("s", &pp, &Patch::Apply(&secret("s", &[], &[("k", "3")]))).await.expect("third");

    let want = [("GET", 404), ("PATCH", 201), ("PATCH", 503), ("GET", 200), ("PATCH", 200)];
    assert_eq!(methods_and_statuses(&kube), pairs(&want));
}

/// kube 5 retries 429, 503 and 504 by default (`Config::default_retry`), so one 503 never reaches
/// the caller; a 500 does.
#[tokio::test]
async fn the_default_client_retries_a_503_but_not_a_500() {
    let kube = super::start();
    let api: Api<Secret> = Api::namespaced(client(&kube).await, NS);
    let pp = PatchParams::apply("ckf-crypto").force();
    let apply = Patch::Apply(secret("s", &[], &[("k", "1")]));
    kube.set_faults(vec![Fault::StatusOnce { nth: 1, method: None, status: 503 }]);
    api.patch("s", &pp, &apply).await.expect("retried past the 503");
    assert_eq!(methods_and_statuses(&kube), pairs(&[("PATCH", 503), ("PATCH", 201)]));

    kube.clear_requests();
    kube.set_faults(vec![Fault::StatusOnce { nth: 1, method: None, status: 500 }]);
    let failed = api_status(api.get("s").await);
    assert_eq!((failed.code, failed.reason.as_str()), (500, "InternalError"));
    assert_eq!(methods_and_statuses(&kube), pairs(&[("GET", 500)]));
}

#[tokio::test]
async fn delay_once_trips_the_client_read_timeout() {
    let kube = super::start();
    let timeout = Duration::from_millis(200);
    let client = client_with(&kube, |c| c.read_timeout = Some(timeout)).await;
    let api: Api<Secret> = Api::namespaced(client, NS);
    let pp = PatchParams::apply("ckf-crypto").force();
    let delay = Duration::from_secs(3);
    kube.set_faults(vec![Fault::DelayOnce { nth: 1, method: Some("PATCH".into()), delay }]);

    let started = Instant::now();
    let err = api
        .patch("s", &pp, &Patch::Apply(&secret("s", &[], &[("k", "v")])))
        .await
        .expect_err("the response is held past the timeout");
    let elapsed = started.elapsed();
    assert!(elapsed >= timeout && elapsed < delay, "gave up after {elapsed:?}");
    assert!(!matches!(err, kube::Error::Api(_)), "{err:?}");
    assert!(caused_by_timeout(&err), "{err:?}");

    // The write itself landed, as it may on a real cluster; the next request is answered.
    let stored = api.get("s").await.expect("answered again");
    assert!(stored.data.is_some());
    assert_eq!(kube.writes().len(), 1);
}

/// Whether an `io::Error` of kind `TimedOut` is somewhere in the error's source chain.
fn caused_by_timeout(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause = Some(err);
    while let Some(e) = cause {
        if e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::TimedOut)
        {
            return true;
        }
        cause = e.source();
    }
    false
}
