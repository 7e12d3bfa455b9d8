//! The server's life: kubeconfig, trust, use from synchronous code, shutdown on drop.

use k8s_openapi::api::core::v1::Secret;
use kube::api::Api;
use kube::config::Kubeconfig;

use super::{NS, client};

#[test]
fn usable_from_synchronous_code_and_shut_down_by_drop() {
    let kube = super::start();
    let url = kube.url();
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let api: Api<Secret> = rt.block_on(async { Api::namespaced(client(&kube).await, NS) });
    assert_eq!(rt.block_on(api.get_opt("x")).expect("served"), None);

    drop(kube);
    let err = rt.block_on(api.get_opt("x")).expect_err("nobody is listening");
    assert!(!matches!(err, kube::Error::Api(_)), "{err:?}");
}

#[test]
fn the_kubeconfig_names_server_ca_token_and_namespace() {
    let kube = super::start();
    let dir = std::env::temp_dir().join(format!("kube-fake-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("kubeconfig");
    kube.write_kubeconfig(&path, "my-ns").expect("written");
    let parsed = Kubeconfig::read_from(&path).expect("parses");
    std::fs::remove_dir_all(&dir).expect("cleaned up");

    assert_eq!(parsed.current_context.as_deref(), Some("kube-fake"));
    let context = parsed.contexts[0].context.as_ref().expect("context");
    assert_eq!(context.namespace.as_deref(), Some("my-ns"));
    let cluster = parsed.clusters[0].cluster.as_ref().expect("cluster");
    assert_eq!(cluster.server.as_deref(), Some(kube.url().as_str()));
    assert!(kube.ca_pem().starts_with("-----BEGIN CERTIFICATE-----"));
    assert!(cluster.certificate_authority_data.is_some());
    let user = parsed.auth_infos[0].auth_info.as_ref().expect("user");
    assert!(user.token.is_some());
}

#[tokio::test]
async fn a_client_does_not_trust_another_fakes_certificate() {
    let (a, b) = (super::start(), super::start());
    let client = super::client_with(&a, |c| c.cluster_url = b.url().parse().expect("url")).await;
    let api: Api<Secret> = Api::namespaced(client, NS);
    let err = api.get_opt("x").await.expect_err("a different CA");
    assert!(!matches!(err, kube::Error::Api(_)), "{err:?}");
    assert!(b.requests().is_empty());
}
