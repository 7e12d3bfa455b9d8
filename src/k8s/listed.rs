//! What the charm reads of the objects it lists, and nothing more.
//!
//! Every hook lists the charm's Secrets and every webhook configuration of the cluster. The API
//! server sends each object whole, `metadata.managedFields` included (one entry per field
//! manager, with its field set as free-form JSON), and the configurations' rules and service
//! references. Parsed into k8s-openapi's types, all of that is built and dropped again, which is
//! most of the parsing a no-op hook does. These types name only what the charm compares; serde
//! skips the rest without building it.

use std::collections::BTreeMap;

use k8s_openapi::ByteString;
use serde::Deserialize;
use zeroize::Zeroizing;

use super::{SecretObject, WebhookConfig, WebhookKind};

/// A list response: its items.
#[derive(Deserialize)]
pub(super) struct List<T> {
    #[serde(default = "Vec::new")]
    items: Vec<T>,
}

impl<T> List<T> {
    /// The items.
    pub(super) fn items(self) -> Vec<T> {
        self.items
    }
}

/// `metadata`, as far as the charm reads it.
#[derive(Deserialize, Default)]
struct Meta {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    labels: Option<BTreeMap<String, String>>,
    #[serde(default)]
    annotations: Option<BTreeMap<String, String>>,
}

/// A listed (or read) Secret.
#[derive(Deserialize)]
pub(super) struct Secret {
    #[serde(default)]
    metadata: Meta,
    #[serde(rename = "type", default)]
    type_: Option<String>,
    #[serde(default)]
    data: Option<BTreeMap<String, ByteString>>,
}

impl From<Secret> for SecretObject {
    fn from(s: Secret) -> Self {
        SecretObject {
            name: s.metadata.name.unwrap_or_default(),
            type_: s.type_.unwrap_or_else(|| "Opaque".into()),
            // Moved, not copied, into buffers that are wiped on drop.
            data: s
                .data
                .unwrap_or_default()
                .into_iter()
                .map(|(k, v)| (k, Zeroizing::new(v.0)))
                .collect(),
            labels: s.metadata.labels.unwrap_or_default(),
            annotations: s.metadata.annotations.unwrap_or_default(),
        }
    }
}

/// A listed Mutating/ValidatingWebhookConfiguration.
#[derive(Deserialize)]
pub(super) struct Config {
    #[serde(default)]
    metadata: Meta,
    #[serde(default)]
    webhooks: Option<Vec<Webhook>>,
}

#[derive(Deserialize)]
struct Webhook {
    #[serde(default)]
    name: String,
    #[serde(rename = "clientConfig", default)]
    client_config: Option<ClientConfig>,
}

#[derive(Deserialize)]
struct ClientConfig {
    #[serde(rename = "caBundle", default)]
    ca_bundle: Option<ByteString>,
}

impl Config {
    /// The configuration as the charm compares it.
    pub(super) fn into_config(self, kind: WebhookKind) -> WebhookConfig {
        WebhookConfig {
            kind,
            name: self.metadata.name.unwrap_or_default(),
            webhooks: self
                .webhooks
                .unwrap_or_default()
                .into_iter()
                .map(|w| (w.name, w.client_config.and_then(|c| c.ca_bundle).map(|b| b.0)))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_what_the_charm_compares_and_skips_the_rest() {
        let list: List<Secret> = serde_json::from_value(json!({
            "kind": "SecretList", "metadata": {"resourceVersion": "7"},
            "items": [{
                "metadata": {"name": "s", "labels": {"a": "1"}, "annotations": null,
                             "managedFields": [{"manager": "m", "fieldsV1": {"f:data": {}}}]},
                "type": "kubernetes.io/tls", "data": {"tls.crt": "Q0VSVA=="},
            }, {"metadata": {"name": "bare"}}],
        }))
        .expect("parses");
        let secrets: Vec<SecretObject> = list.items().into_iter().map(SecretObject::from).collect();
        assert_eq!(secrets[0].name, "s");
        assert_eq!(secrets[0].type_, "kubernetes.io/tls");
        assert_eq!(&secrets[0].data["tls.crt"][..], b"CERT");
        assert_eq!(secrets[0].labels["a"], "1");
        assert!(secrets[0].annotations.is_empty());
        assert_eq!((secrets[1].type_.as_str(), secrets[1].data.len()), ("Opaque", 0));

        let list: List<Config> = serde_json::from_value(json!({"items": [{
            "metadata": {"name": "c"},
            "webhooks": [
                {"name": "a.b.c", "clientConfig": {"caBundle": "Q0E=", "service": {"name": "x"}},
                 "rules": [{"operations": ["CREATE"]}], "sideEffects": "None"},
                {"name": "d.e.f", "clientConfig": {"url": "https://x"}},
            ],
        }]}))
        .expect("parses");
        let config = list.items().pop().expect("one").into_config(WebhookKind::Mutating);
        assert_eq!(config.name, "c");
        assert_eq!(
            config.webhooks,
            [("a.b.c".to_owned(), Some(b"CA".to_vec())), ("d.e.f".to_owned(), None)]
        );
    }
}
