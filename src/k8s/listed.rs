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
use serde::de::IgnoredAny;
use zeroize::Zeroizing;

use super::{INJECT_CA_FROM, SecretObject, WebhookConfig, WebhookKind};

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
    metadata: ConfigMeta,
    #[serde(default)]
    webhooks: Option<Vec<Webhook>>,
}

/// A configuration's `metadata`: its name, annotations and who owns which field. (Not
/// `#[serde(flatten)]` of [`Meta`]: that would buffer every field, `managedFields` whole.)
#[derive(Deserialize, Default)]
struct ConfigMeta {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    annotations: Option<BTreeMap<String, String>>,
    #[serde(rename = "managedFields", default)]
    managed_fields: Option<Vec<ManagedFields>>,
}

/// One `metadata.managedFields` entry: a field manager and the set of fields it owns, read
/// only as far as "does it own a webhook's `caBundle`". Its keys are skipped, not copied.
#[derive(Deserialize)]
struct ManagedFields {
    #[serde(default)]
    manager: Option<String>,
    #[serde(rename = "fieldsV1", default)]
    fields: Option<FieldsV1>,
}

#[derive(Deserialize)]
struct FieldsV1 {
    /// `k:{"name":"..."}` → that webhook's fields.
    #[serde(rename = "f:webhooks", default)]
    webhooks: Option<OwnsCaBundle>,
}

/// Whether any webhook of a `f:webhooks` field set has `f:clientConfig.f:caBundle`.
struct OwnsCaBundle(bool);

impl<'de> Deserialize<'de> for OwnsCaBundle {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = OwnsCaBundle;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a managedFields field set")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<OwnsCaBundle, A::Error> {
                let mut owns = false;
                while let Some(IgnoredAny) = map.next_key()? {
                    let item: WebhookFields = map.next_value()?;
                    owns |= item.client_config.is_some_and(|c| c.ca_bundle.is_some());
                }
                Ok(OwnsCaBundle(owns))
            }
        }
        d.deserialize_map(Visit)
    }
}

#[derive(Deserialize)]
struct WebhookFields {
    #[serde(rename = "f:clientConfig", default)]
    client_config: Option<ClientConfigFields>,
}

#[derive(Deserialize)]
struct ClientConfigFields {
    #[serde(rename = "f:caBundle", default)]
    ca_bundle: Option<IgnoredAny>,
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
        let ConfigMeta { name, annotations, managed_fields } = self.metadata;
        let mut ca_bundle_managers: Vec<String> = managed_fields
            .unwrap_or_default()
            .into_iter()
            .filter(|m| m.fields.as_ref().and_then(|f| f.webhooks.as_ref()).is_some_and(|w| w.0))
            .filter_map(|m| m.manager)
            .collect();
        ca_bundle_managers.sort();
        ca_bundle_managers.dedup();
        WebhookConfig {
            kind,
            name: name.unwrap_or_default(),
            inject_ca_from: annotations.and_then(|mut a| a.remove(INJECT_CA_FROM)),
            ca_bundle_managers,
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
        assert_eq!((config.inject_ca_from, config.ca_bundle_managers.len()), (None, 0));
    }

    #[test]
    fn the_annotation_and_the_managers_of_ca_bundle() {
        // As kube-apiserver records them: an Apply by lightkube that set the caBundle of one
        // webhook, an Update by kubectl that only annotated, and an Update that owns a
        // webhook's other fields (twice, as a manager may appear once per operation).
        let webhook =
            |fields: serde_json::Value| json!({"f:webhooks": {"k:{\"name\":\"a.b.c\"}": fields}});
        let entry = |manager: &str, operation: &str, fields: serde_json::Value| {
            json!({"manager": manager, "operation": operation, "apiVersion": "v1",
                   "fieldsType": "FieldsV1", "fieldsV1": fields})
        };
        let list: List<Config> = serde_json::from_value(json!({"items": [{
            "metadata": {
                "name": "c",
                "annotations": {INJECT_CA_FROM: "katib-controller", "other": "x"},
                "managedFields": [
                    entry("lightkube", "Apply", webhook(json!({
                        ".": {}, "f:name": {},
                        "f:clientConfig": {"f:caBundle": {}, "f:service": {"f:name": {}}},
                    }))),
                    entry("kubectl-annotate", "Update",
                          json!({"f:metadata": {"f:annotations": {"f:x": {}}}})),
                    entry("controller", "Update", webhook(json!({"f:rules": {}}))),
                    entry("ckf-crypto", "Apply", webhook(json!({"f:clientConfig": {"f:caBundle": {}}}))),
                    entry("ckf-crypto", "Update", webhook(json!({"f:clientConfig": {"f:caBundle": {}}}))),
                    {"manager": "bare"},
                ],
            },
            "webhooks": [{"name": "a.b.c", "clientConfig": {"caBundle": "Q0E="}}],
        }]}))
        .expect("parses");
        let config = list.items().pop().expect("one").into_config(WebhookKind::Validating);
        assert_eq!(config.inject_ca_from.as_deref(), Some("katib-controller"));
        assert_eq!(config.ca_bundle_managers, ["ckf-crypto", "lightkube"]);
    }
}
