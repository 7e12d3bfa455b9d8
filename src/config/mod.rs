//! Charm configuration: `config-get` output parsed into validated values.
//!
//! Parse, don't validate: [`Config::parse`] turns the raw JSON map into typed values once. Each
//! option is parsed on its own, so a bad value blocks only the areas that use it (a blocked problem
//! in one area never stops the others); its [`ConfigProblem`] carries the status message, verbatim
//! from the README's Configuration section where it lists one, otherwise `Invalid '<option>'
//! config: <why>`. A problem never includes the value itself, which may be secret.

pub mod ip_ranges;
pub mod tokens;
pub mod webhooks;

use serde_json::{Map, Value};

use juju_charm::SecretString;
use juju_charm::config::ConfigValues;
use juju_charm::rules::SecretUri;

use crate::certs::KeyAlgorithm;
pub use tokens::TokenSpec;
pub use webhooks::WebhookSpec;

/// One option with a bad value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigProblem {
    /// The option.
    pub option: &'static str,
    /// The blocked status message.
    pub message: String,
}

impl ConfigProblem {
    fn invalid(option: &'static str, why: impl std::fmt::Display) -> Self {
        Self { option, message: format!("Invalid '{option}' config: {why}") }
    }
}

/// An option's parsed value, or why it is unusable.
pub type Opt<T> = Result<T, ConfigProblem>;

/// The validated configuration. `Debug` shows the raw options' names only, and the secret ones
/// redacted.
#[derive(Clone)]
pub struct Config {
    /// `access-key`
    pub access_key: Opt<String>,
    /// `secret-key`: `None` when empty (the charm generates one).
    pub secret_key: Opt<Option<SecretString>>,
    /// `object-storage-service`
    pub object_storage_service: Opt<String>,
    /// `object-storage-port`
    pub object_storage_port: Opt<u16>,
    /// `oidc-client-id`
    pub oidc_client_id: Opt<String>,
    /// `namespace`: `None` when empty (the model's name is used).
    pub namespace: Opt<Option<String>>,
    /// `webhooks`
    pub webhooks: Opt<Vec<WebhookSpec>>,
    /// `ca-common-name`
    pub ca_common_name: Opt<String>,
    /// `ca-validity-days`
    pub ca_validity_days: Opt<u32>,
    /// `certificate-validity-days`
    pub certificate_validity_days: Opt<u32>,
    /// `key-algorithm`
    pub key_algorithm: Opt<KeyAlgorithm>,
    /// `static-username`
    pub static_username: Opt<String>,
    /// `static-password`: `None` when empty (the charm generates one).
    pub static_password: Opt<Option<SecretString>>,
    /// `bcrypt-cost`
    pub bcrypt_cost: Opt<u32>,
    /// `service-account-tokens`
    pub service_account_tokens: Opt<Vec<TokenSpec>>,
    /// `allowed-dns-suffixes` (empty: any name).
    pub allowed_dns_suffixes: Opt<Vec<String>>,
    /// `allowed-ip-ranges` (empty: any address).
    pub allowed_ip_ranges: Opt<Vec<ip_ranges::IpRange>>,
    /// `certificates-ca`: the URI of the user secret holding the relation's issuing CA, `None`
    /// when unset (the charm's own relation issuer signs).
    pub certificates_ca: Opt<Option<SecretUri>>,
    /// `resource-checksums`: resource name to expected digest.
    pub resource_checksums: Opt<std::collections::BTreeMap<String, crate::checksums::Expected>>,
    /// The raw map, for the salted config hash.
    pub raw: Map<String, Value>,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // `secret_key` and `static_password` are `SecretString`s, which print `[redacted]`;
        // `raw` holds every value as given, so only its keys are shown.
        f.debug_struct("Config")
            .field("access_key", &self.access_key)
            .field("secret_key", &self.secret_key)
            .field("object_storage_service", &self.object_storage_service)
            .field("object_storage_port", &self.object_storage_port)
            .field("oidc_client_id", &self.oidc_client_id)
            .field("namespace", &self.namespace)
            .field("webhooks", &self.webhooks)
            .field("ca_common_name", &self.ca_common_name)
            .field("ca_validity_days", &self.ca_validity_days)
            .field("certificate_validity_days", &self.certificate_validity_days)
            .field("key_algorithm", &self.key_algorithm)
            .field("static_username", &self.static_username)
            .field("static_password", &self.static_password)
            .field("bcrypt_cost", &self.bcrypt_cost)
            .field("service_account_tokens", &self.service_account_tokens)
            .field("allowed_dns_suffixes", &self.allowed_dns_suffixes)
            .field("allowed_ip_ranges", &self.allowed_ip_ranges)
            .field("certificates_ca", &self.certificates_ca)
            .field("resource_checksums", &self.resource_checksums)
            .field("raw", &self.raw.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// The message for a long `static-password`, verbatim from the README's Configuration section.
pub const LONG_STATIC_PASSWORD: &str =
    "The 'static-password' config value must be at most 72 bytes long.";

/// The message for a `bcrypt-cost` Dex would refuse, verbatim from the README.
pub const BAD_BCRYPT_COST: &str = "The 'bcrypt-cost' config value must be between 10 and 16.";

/// The message for a short `secret-key`, verbatim from the README.
pub const SHORT_SECRET_KEY: &str =
    "The 'secret-key' config value must be at least 8 characters long.";

impl Config {
    /// Parses the output of `config-get --format=json`, one option at a time.
    pub fn parse(values: impl Into<ConfigValues>) -> Self {
        let values: ConfigValues = values.into();
        let raw = &values;
        Self {
            access_key: non_empty(raw, "access-key", "minio"),
            secret_key: string(raw, "secret-key", "").and_then(|s| match s.chars().count() {
                0 => Ok(None),
                n if n < 8 => {
                    Err(ConfigProblem { option: "secret-key", message: SHORT_SECRET_KEY.into() })
                }
                _ => Ok(Some(SecretString::new(s))),
            }),
            object_storage_service: dns_label(raw, "object-storage-service", "minio"),
            object_storage_port: int(raw, "object-storage-port", 9000).and_then(|p| {
                u16::try_from(p).ok().filter(|p| *p > 0).ok_or_else(|| {
                    ConfigProblem::invalid("object-storage-port", "must be between 1 and 65535")
                })
            }),
            oidc_client_id: non_empty(raw, "oidc-client-id", "authservice-oidc"),
            namespace: string(raw, "namespace", "").and_then(|s| {
                if s.is_empty() {
                    Ok(None)
                } else {
                    check_dns_label(&s).map_err(|why| ConfigProblem::invalid("namespace", why))?;
                    Ok(Some(s))
                }
            }),
            webhooks: string(raw, "webhooks", webhooks::DEFAULT).and_then(|yaml| {
                webhooks::parse(&yaml).map_err(|why| ConfigProblem::invalid("webhooks", why))
            }),
            ca_common_name: non_empty(raw, "ca-common-name", "ckf-crypto").and_then(|cn| {
                if cn.len() > 64 {
                    Err(ConfigProblem::invalid("ca-common-name", "must be at most 64 characters"))
                } else {
                    Ok(cn)
                }
            }),
            ca_validity_days: days(raw, "ca-validity-days", 3650),
            certificate_validity_days: days(raw, "certificate-validity-days", 365).and_then(|d| {
                match days(raw, "ca-validity-days", 3650) {
                    Ok(ca) if d >= ca => Err(ConfigProblem::invalid(
                        "certificate-validity-days",
                        "must be less than ca-validity-days",
                    )),
                    _ => Ok(d),
                }
            }),
            key_algorithm: string(raw, "key-algorithm", "rsa-2048").and_then(|k| {
                k.parse::<KeyAlgorithm>()
                    .map_err(|why| ConfigProblem::invalid("key-algorithm", why))
            }),
            static_username: non_empty(raw, "static-username", "admin"),
            // bcrypt reads only the first 72 bytes: a longer password would be silently cut.
            static_password: string(raw, "static-password", "").and_then(|s| match s.len() {
                0 => Ok(None),
                n if n > 72 => Err(ConfigProblem {
                    option: "static-password",
                    message: LONG_STATIC_PASSWORD.into(),
                }),
                _ => Ok(Some(SecretString::new(s))),
            }),
            // Dex refuses hashes of other costs at login.
            bcrypt_cost: match raw.get("bcrypt-cost") {
                None | Some(Value::Null) => Ok(12),
                Some(v) => v
                    .as_i64()
                    .filter(|c| (10..=16).contains(c))
                    .and_then(|c| u32::try_from(c).ok())
                    .ok_or_else(|| ConfigProblem {
                        option: "bcrypt-cost",
                        message: BAD_BCRYPT_COST.into(),
                    }),
            },
            service_account_tokens: string(raw, "service-account-tokens", tokens::DEFAULT)
                .and_then(|yaml| {
                    tokens::parse(&yaml)
                        .map_err(|why| ConfigProblem::invalid("service-account-tokens", why))
                }),
            allowed_dns_suffixes: string(raw, "allowed-dns-suffixes", "").and_then(|v| {
                crate::areas::tls_provider::parse_suffixes(&v)
                    .map_err(|why| ConfigProblem::invalid("allowed-dns-suffixes", why))
            }),
            allowed_ip_ranges: string(raw, "allowed-ip-ranges", "").and_then(|v| {
                ip_ranges::parse(&v).map_err(|why| ConfigProblem::invalid("allowed-ip-ranges", why))
            }),
            certificates_ca: string(raw, "certificates-ca", "").and_then(|v| {
                let v = v.trim();
                match v {
                    "" => Ok(None),
                    uri if uri.starts_with("secret:") && uri.parse::<SecretUri>().is_ok() => {
                        Ok(uri.parse().ok())
                    }
                    _ => Err(ConfigProblem::invalid(
                        "certificates-ca",
                        "not a secret URI (secret:<id>, as juju add-secret prints)",
                    )),
                }
            }),
            resource_checksums: string(raw, "resource-checksums", "").and_then(|yaml| {
                crate::checksums::parse_checksums_option(&yaml)
                    .map_err(|why| ConfigProblem::invalid("resource-checksums", why))
            }),
            raw: values.into_map(),
        }
    }

    /// Every problem, in the order of `config.yaml`.
    pub fn problems(&self) -> Vec<&ConfigProblem> {
        [
            self.access_key.as_ref().err(),
            self.secret_key.as_ref().err(),
            self.object_storage_service.as_ref().err(),
            self.object_storage_port.as_ref().err(),
            self.oidc_client_id.as_ref().err(),
            self.namespace.as_ref().err(),
            self.webhooks.as_ref().err(),
            self.ca_common_name.as_ref().err(),
            self.ca_validity_days.as_ref().err(),
            self.certificate_validity_days.as_ref().err(),
            self.key_algorithm.as_ref().err(),
            self.static_username.as_ref().err(),
            self.static_password.as_ref().err(),
            self.bcrypt_cost.as_ref().err(),
            self.service_account_tokens.as_ref().err(),
            self.allowed_dns_suffixes.as_ref().err(),
            self.allowed_ip_ranges.as_ref().err(),
            self.certificates_ca.as_ref().err(),
            self.resource_checksums.as_ref().err(),
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}

/// A string option; absent means its default (Juju omits unset options without default).
fn string(raw: &ConfigValues, option: &'static str, default: &str) -> Opt<String> {
    typed(raw, option).map(|v| v.unwrap_or_else(|| default.to_owned()))
}

/// An option as `T` through the framework's typed config; its error names the option.
fn typed<T: serde::de::DeserializeOwned>(
    raw: &ConfigValues,
    option: &'static str,
) -> Opt<Option<T>> {
    raw.option(option).map_err(|e| ConfigProblem { option, message: e.to_string() })
}

fn non_empty(raw: &ConfigValues, option: &'static str, default: &str) -> Opt<String> {
    string(raw, option, default).and_then(|s| {
        if s.trim().is_empty() {
            Err(ConfigProblem::invalid(option, "must not be empty"))
        } else {
            Ok(s)
        }
    })
}

fn int(raw: &ConfigValues, option: &'static str, default: i64) -> Opt<i64> {
    typed(raw, option).map(|v| v.unwrap_or(default))
}

/// A lifetime in days: 1 to 36500.
fn days(raw: &ConfigValues, option: &'static str, default: i64) -> Opt<u32> {
    int(raw, option, default).and_then(|d| {
        u32::try_from(d)
            .ok()
            .filter(|d| (1..=36500).contains(d))
            .ok_or_else(|| ConfigProblem::invalid(option, "must be between 1 and 36500 days"))
    })
}

fn dns_label(raw: &ConfigValues, option: &'static str, default: &str) -> Opt<String> {
    string(raw, option, default).and_then(|s| {
        check_dns_label(&s).map_err(|why| ConfigProblem::invalid(option, why))?;
        Ok(s)
    })
}

/// Checks a DNS-1123 label: 1 to 63 characters `[a-z0-9-]`, starting and ending alphanumeric.
pub fn check_dns_label(s: &str) -> Result<(), &'static str> {
    let ok_char = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    let b = s.as_bytes();
    match (b.first(), b.last()) {
        (None, _) | (_, None) => Err("must not be empty"),
        _ if b.len() > 63 => Err("must be at most 63 characters (a DNS-1123 label)"),
        (Some(&f), Some(&l)) if !ok_char(f) || !ok_char(l) => {
            Err("must start and end with a lowercase letter or digit (a DNS-1123 label)")
        }
        _ if !b.iter().all(|&c| ok_char(c) || c == b'-') => {
            Err("must contain only lowercase letters, digits and '-' (a DNS-1123 label)")
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(v: Value) -> Config {
        let Value::Object(m) = v else { panic!("object") };
        Config::parse(m)
    }

    #[test]
    fn defaults_are_valid() {
        let c = parse(json!({}));
        assert!(c.problems().is_empty());
        assert_eq!(c.access_key, Ok("minio".into()));
        assert_eq!(c.secret_key, Ok(None));
        assert_eq!(c.object_storage_port, Ok(9000));
        assert_eq!(c.namespace, Ok(None));
    }

    #[test]
    fn short_secret_key_has_the_contract_message() {
        let c = parse(json!({"secret-key": "short"}));
        let p = c.secret_key.clone().expect_err("short");
        assert_eq!(p.message, "The 'secret-key' config value must be at least 8 characters long.");
        assert!(!p.message.contains("short\""));
        assert_eq!(c.problems().len(), 1);
    }

    #[test]
    fn debug_shows_no_secret_value() {
        let c =
            parse(json!({"secret-key": "S3CR3T-KEY-VALUE", "static-password": "PA55W0RD-VALUE"}));
        let debug = format!("{c:?}");
        assert!(!debug.contains("S3CR3T") && !debug.contains("PA55W0RD"), "{debug}");
        assert!(debug.contains("\"secret-key\"") && debug.contains("[redacted]"), "{debug}");
    }

    #[test]
    fn secret_key_of_eight_is_kept_and_redacted() {
        let c = parse(json!({"secret-key": "12345678"}));
        let k = c.secret_key.expect("ok").expect("set");
        assert_eq!(k.expose(), "12345678");
        assert_eq!(format!("{k:?}"), "[redacted]");
    }

    #[test]
    fn bad_values_name_the_option() {
        let c = parse(json!({"object-storage-port": 70000, "namespace": "Kube_flow",
            "access-key": "", "object-storage-service": "-x", "oidc-client-id": 3}));
        let msgs: Vec<_> = c.problems().iter().map(|p| p.message.clone()).collect();
        assert_eq!(msgs.len(), 5, "{msgs:?}");
        assert!(msgs.iter().any(|m| m.starts_with("Invalid 'object-storage-port' config:")));
        assert!(msgs.iter().any(|m| m.starts_with("Invalid 'namespace' config:")));
        assert!(msgs.iter().any(|m| m.starts_with("Invalid 'access-key' config:")));
        assert!(msgs.iter().any(|m| m.starts_with("Invalid 'object-storage-service' config:")));
        assert!(msgs.iter().any(|m| m.starts_with("Invalid 'oidc-client-id' config:")));
    }

    #[test]
    fn certificate_options() {
        let c = parse(json!({}));
        assert_eq!(c.ca_validity_days, Ok(3650));
        assert_eq!(c.certificate_validity_days, Ok(365));
        assert_eq!(c.key_algorithm, Ok(KeyAlgorithm::Rsa2048));
        assert_eq!(c.webhooks.as_ref().map(Vec::len), Ok(4));
        let c = parse(json!({"key-algorithm": "dsa", "ca-validity-days": 0,
            "certificate-validity-days": 4000, "webhooks": "- nope", "ca-common-name": ""}));
        let msgs: Vec<_> = c.problems().iter().map(|p| p.message.clone()).collect();
        // certificate-validity-days is not compared with an invalid ca-validity-days.
        assert_eq!(msgs.len(), 4, "{msgs:?}");
        assert!(msgs[0].starts_with("Invalid 'webhooks' config:"), "{msgs:?}");
        assert!(msgs[1].starts_with("Invalid 'ca-common-name' config:"));
        assert!(msgs[2].starts_with("Invalid 'ca-validity-days' config:"));
        assert!(msgs[3].starts_with("Invalid 'key-algorithm' config:"));
        let c = parse(json!({"certificate-validity-days": 3650}));
        assert!(c.certificate_validity_days.is_err(), "a leaf may not outlive its CA's lifetime");
    }

    #[test]
    fn dex_options_have_the_contract_messages() {
        let c = parse(json!({}));
        assert_eq!(c.static_username, Ok("admin".into()));
        assert_eq!(c.static_password, Ok(None));
        assert_eq!(c.bcrypt_cost, Ok(12));
        let c = parse(json!({"static-password": "x".repeat(73), "bcrypt-cost": 9}));
        let msgs: Vec<_> = c.problems().iter().map(|p| p.message.clone()).collect();
        assert_eq!(
            msgs,
            [
                "The 'static-password' config value must be at most 72 bytes long.",
                "The 'bcrypt-cost' config value must be between 10 and 16."
            ]
        );
        // 72 bytes of multi-byte characters count as bytes.
        assert!(parse(json!({"static-password": "é".repeat(37)})).static_password.is_err());
        assert!(parse(json!({"static-password": "x".repeat(72)})).static_password.is_ok());
        assert!(parse(json!({"bcrypt-cost": 17})).bcrypt_cost.is_err());
        assert_eq!(parse(json!({"bcrypt-cost": 16})).bcrypt_cost, Ok(16));
    }

    #[test]
    fn dns_labels() {
        for ok in ["a", "kubeflow", "a-b-1", &"a".repeat(63)] {
            assert_eq!(check_dns_label(ok), Ok(()), "{ok}");
        }
        for bad in ["", "-a", "a-", "A", "a_b", "a.b", &"a".repeat(64)] {
            assert!(check_dns_label(bad).is_err(), "{bad}");
        }
    }
}
