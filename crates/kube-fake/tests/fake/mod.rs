//! Shared helpers, and one module per area of the fake.

mod events;
mod faults;
mod juju_webhook;
mod ownership;
mod rbac;
mod recording;
mod secrets;
mod server;
mod timing;
mod tokens;
mod webhooks;

use std::collections::BTreeMap;

use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::Secret;
use kube::api::ObjectMeta;
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};
use kube_fake::FakeKube;

/// The namespace the kubeconfig's context selects.
pub const NS: &str = "kubeflow";

/// A fresh fake.
pub fn start() -> FakeKube {
    FakeKube::start().expect("the fake starts")
}

/// A client configured exactly as the charm's is: from the fake's kubeconfig.
pub async fn client(kube: &FakeKube) -> Client {
    client_with(kube, |_| {}).await
}

/// A client from the fake's kubeconfig, with `tweak` applied to its configuration.
pub async fn client_with(kube: &FakeKube, tweak: impl FnOnce(&mut Config)) -> Client {
    let kubeconfig = Kubeconfig::from_yaml(&kube.kubeconfig(NS)).expect("the kubeconfig parses");
    let mut config = Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default())
        .await
        .expect("the kubeconfig makes a config");
    tweak(&mut config);
    Client::try_from(config).expect("the client builds")
}

/// A Secret with these labels and (plain-text) data.
pub fn secret(name: &str, labels: &[(&str, &str)], data: &[(&str, &str)]) -> Secret {
    let map = |kv: &[(&str, &str)]| -> BTreeMap<String, String> {
        kv.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    };
    Secret {
        metadata: ObjectMeta {
            name: Some(name.to_owned()),
            labels: (!labels.is_empty()).then(|| map(labels)),
            ..ObjectMeta::default()
        },
        data: Some(
            data.iter()
                .map(|(k, v)| ((*k).to_owned(), ByteString(v.as_bytes().to_vec())))
                .collect(),
        ),
        ..Secret::default()
    }
}

/// The `kube::Error::Api` status of a failed call, or a panic naming what came instead.
pub fn api_status<T: std::fmt::Debug>(r: Result<T, kube::Error>) -> kube::core::Status {
    match r {
        Err(kube::Error::Api(status)) => *status,
        other => panic!("expected an API error, got {other:?}"),
    }
}

/// `metadata.resourceVersion` as a number.
pub fn rv(meta: &ObjectMeta) -> u64 {
    meta.resource_version.as_deref().expect("a resourceVersion").parse().expect("a number")
}
