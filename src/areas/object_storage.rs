//! The `object-storage` provider endpoint (serialized-data-interface v1).
//!
//! The wire format is the one the Python minio charm sends through the SDI library: in the
//! application databag, `_supported_versions` is the YAML list `- v1` and `data` is a YAML map
//! `{access-key, namespace, port, secret-key, secure, service}` (keys sorted as PyYAML sorts
//! them; `port` an integer, `secure` false). Requirers validate `data` against the v1 JSON schema
//! after `yaml.safe_load`, so every string is written in a form YAML 1.1 cannot read as anything
//! else (serde-saphyr quotes ambiguous scalars such as an all-digit key). Only requirers whose own
//! `_supported_versions` list `v1` get data; one with no compatible version gets nothing and is
//! named in the status; one that has not written its versions yet just waits. [`plan`] is pure.

use serde::Serialize;

use juju_charm::{RelationId, SecretString};

use juju_charm::databag::{Databag, Raw};

/// The endpoint name.
pub const ENDPOINT: &str = "object-storage";

/// The only schema version this provider speaks.
pub const VERSION: &str = "v1";

/// One `object-storage` relation as observed.
#[derive(Debug, Clone)]
pub struct Relation {
    /// Its id.
    pub id: RelationId,
    /// The requirer application, if it is known yet.
    pub remote_app: Option<String>,
    /// The requirer's `_supported_versions`, raw.
    pub remote_versions: Option<String>,
    /// Our own application databag as it is now.
    pub local: Databag,
}

/// What object-storage requirers are sent.
pub struct Credentials<'a> {
    /// `access-key`
    pub access_key: &'a str,
    /// `secret-key`
    pub secret_key: &'a SecretString,
    /// `service`
    pub service: &'a str,
    /// `port`
    pub port: u16,
    /// `namespace`
    pub namespace: &'a str,
}

/// Where one relation stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    /// The requirer gets the v1 data.
    Served,
    /// The requirer has not said which versions it speaks: wait, without a message.
    Waiting,
    /// The requirer speaks no version we do: it gets nothing and is named in the status.
    Incompatible(String),
    /// The credentials cannot be computed (bad config): the relation is left as it is.
    Held,
}

/// What to do on one relation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// Keys to write (an empty value deletes a key), or `None` when the databag is right.
    pub write: Option<Databag>,
    /// Where the relation stands afterwards.
    pub standing: Standing,
}

/// The v1 `data` map, in PyYAML's sorted key order.
#[derive(Serialize)]
struct DataV1<'a> {
    #[serde(rename = "access-key")]
    access_key: &'a str,
    namespace: &'a str,
    port: u16,
    #[serde(rename = "secret-key")]
    secret_key: &'a str,
    secure: bool,
    service: &'a str,
}

/// The application databag as this provider writes it (SDI keeps YAML documents, not JSON, so
/// both fields are raw); `None` deletes the key.
#[derive(Serialize)]
struct SdiAppData {
    #[serde(rename = "_supported_versions")]
    supported_versions: Option<Raw>,
    data: Option<Raw>,
}

/// Decides what to write on `rel`. `creds` is `None` when the credentials cannot be computed
/// (bad config): the relation is then left exactly as it is.
pub fn plan(
    rel: &Relation,
    creds: Option<&Credentials<'_>>,
) -> Result<Plan, serde_saphyr::ser::Error> {
    let Some(raw) = rel.remote_versions.as_deref().filter(|v| !v.trim().is_empty()) else {
        return Ok(Plan { write: None, standing: Standing::Waiting });
    };
    // A list that does not parse is no list of versions we speak.
    let speaks_v1 = serde_saphyr::from_str::<Vec<String>>(raw)
        .map(|versions| versions.iter().any(|v| v == VERSION))
        .unwrap_or(false);
    let (desired, standing) = if speaks_v1 {
        let Some(c) = creds else { return Ok(Plan { write: None, standing: Standing::Held }) };
        let data = DataV1 {
            access_key: c.access_key,
            namespace: c.namespace,
            port: c.port,
            // The key goes into the relation data: the interface's schema requires it.
            secret_key: c.secret_key.expose(),
            secure: false,
            service: c.service,
        };
        let yaml = Raw(serde_saphyr::to_string(&data)?); // wiped from memory on drop
        let sdi = SdiAppData {
            supported_versions: Some(Raw(format!("- {VERSION}\n"))),
            data: Some(yaml),
        };
        (sdi, Standing::Served)
    } else {
        // Send nothing: remove whatever was sent before.
        let app = rel.remote_app.clone().unwrap_or_else(|| rel.id.to_string());
        (SdiAppData { supported_versions: None, data: None }, Standing::Incompatible(app))
    };
    // Two raw strings always make a databag.
    let desired = Databag::dump(&desired).unwrap_or_default();
    let changed = desired.iter().any(|(k, v)| rel.local.get(k).unwrap_or("") != v);
    Ok(Plan { write: changed.then_some(desired), standing })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn rel(versions: Option<&str>, local: &[(&str, &str)]) -> Relation {
        Relation {
            id: RelationId { endpoint: ENDPOINT.into(), number: 3 },
            remote_app: Some("kfp-api".into()),
            remote_versions: versions.map(str::to_owned),
            local: local.iter().map(|(k, v)| (*k, *v)).collect(),
        }
    }

    fn creds(key: &SecretString) -> Credentials<'_> {
        Credentials {
            access_key: "minio",
            secret_key: key,
            service: "minio",
            port: 9000,
            namespace: "kubeflow",
        }
    }

    #[test]
    fn v1_requirer_gets_the_python_wire_format() {
        let key = SecretString::new("test-key");
        let p = plan(&rel(Some("- v1\n"), &[]), Some(&creds(&key))).expect("plan");
        assert_eq!(p.standing, Standing::Served);
        let bag = p.write.expect("write");
        assert_eq!(bag.get("_supported_versions"), Some("- v1\n"));
        assert_eq!(
            bag.get("data"),
            Some(
                "access-key: minio\nnamespace: kubeflow\nport: 9000\nsecret-key: test-key\nsecure: false\nservice: minio\n"
            )
        );
    }

    #[test]
    fn ambiguous_strings_are_quoted() {
        let key = SecretString::new("123456789012345678901234567890");
        let p = plan(&rel(Some("- v1\n"), &[]), Some(&creds(&key))).expect("plan");
        let data = p.write.expect("write").get("data").expect("data").to_owned();
        let back: BTreeMap<String, serde_json::Value> =
            serde_saphyr::from_str(&data).expect("yaml");
        assert_eq!(back["secret-key"], serde_json::json!("123456789012345678901234567890"));
        assert_eq!(back["port"], serde_json::json!(9000));
        assert_eq!(back["secure"], serde_json::json!(false));
    }

    #[test]
    fn unchanged_databag_is_not_rewritten() {
        let key = SecretString::new("test-key");
        let first = plan(&rel(Some("- v1\n"), &[]), Some(&creds(&key))).expect("plan");
        let bag = first.write.expect("write");
        let local: Vec<(&str, &str)> = bag.iter().collect();
        let again = plan(&rel(Some("- v1\n"), &local), Some(&creds(&key))).expect("plan");
        assert_eq!(again, Plan { write: None, standing: Standing::Served });
    }

    #[test]
    fn unversioned_requirer_waits() {
        let key = SecretString::new("test-key");
        for v in [None, Some(""), Some("  ")] {
            let p = plan(&rel(v, &[]), Some(&creds(&key))).expect("plan");
            assert_eq!(p, Plan { write: None, standing: Standing::Waiting });
        }
    }

    #[test]
    fn incompatible_requirer_gets_nothing() {
        let key = SecretString::new("test-key");
        for v in ["- v2\n", "not: a list", "[v0, v3]"] {
            let p = plan(&rel(Some(v), &[]), Some(&creds(&key))).expect("plan");
            assert_eq!(
                p,
                Plan { write: None, standing: Standing::Incompatible("kfp-api".into()) },
                "{v}"
            );
        }
        // Data sent earlier is withdrawn.
        let p = plan(
            &rel(Some("- v2\n"), &[("data", "x"), ("_supported_versions", "- v1\n")]),
            Some(&creds(&key)),
        )
        .expect("plan");
        let bag = p.write.expect("clear");
        assert_eq!(bag.get("data"), Some(""));
        assert_eq!(bag.get("_supported_versions"), Some(""));
    }

    #[test]
    fn bad_config_holds_the_relation_as_it_is() {
        let p = plan(&rel(Some("- v1\n"), &[("data", "old")]), None).expect("plan");
        assert_eq!(p, Plan { write: None, standing: Standing::Held });
    }
}
