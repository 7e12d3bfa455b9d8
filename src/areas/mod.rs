//! The areas of the charm, each planned and delivered on its own.
//!
//! An area owns one piece of the charm's job end to end, as an ops charm library owns one
//! relation protocol: what it reads from Juju besides config and material ([`Area::observe`]),
//! its share of the material (a typed [`crate::material::Keys`]), and its plan: the relation
//! data, the Kubernetes objects and the status it contributes ([`Area::plan`], pure). The
//! reconcile composes them without knowing any of their internals, in the order of [`all`], so
//! that a failure in one (a config problem, a refused object, a broken relation, an error while
//! planning) leaves every other one served in the same hook.
//!
//! The order is a data flow: an area sees the material as the areas before it planned it. The
//! resources area comes first (its verified extra CAs join the webhook bundles). The
//! `certificates` relation has an issuer of its own, so it depends on no other area; `send-ca-cert`
//! publishes the roots of that issuer, which the `certificates` area records in its material.

pub mod ca_transfer;
pub mod dex;
pub mod generated;
pub mod object_storage;
pub mod resources;
pub mod sa_tokens;
pub mod tls_provider;
pub mod webhooks;

use std::fmt;

use juju_charm::{Event, HookToolError, HookTools, RelationId};
use time::OffsetDateTime;

use crate::config::Config;
use crate::k8s::events::PlannedEvent;
use crate::k8s::{SecretObject, View, Write};
use crate::material::{Material, Part};
use crate::random::{Entropy, EntropyError};
use juju_charm::databag::Databag;
use juju_charm::status::StatusCollector;

/// What an action asks of the reconcile; the areas it concerns read it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Intent {
    /// `rotate-secret name=<name>`: regenerate that value.
    pub rotate: Option<String>,
    /// `renew-certificates`: re-issue every certificate, and the CAs with `rotate_ca`.
    pub renew: Option<Renew>,
}

/// `renew-certificates`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Renew {
    /// Rotate the CA too.
    pub rotate_ca: bool,
}

impl Intent {
    /// Whether the action asks to rotate the generated value `name`.
    pub fn rotates(&self, name: &str) -> bool {
        self.rotate.as_deref() == Some(name)
    }
}

/// The Kubernetes lists an area needs at the start of a hook.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct KubeReads {
    /// The Secrets labelled as the charm's.
    pub secrets: bool,
    /// The Mutating/ValidatingWebhookConfigurations.
    pub webhook_configs: bool,
}

impl KubeReads {
    /// Both sets of needs.
    pub fn union(self, other: Self) -> Self {
        Self {
            secrets: self.secrets || other.secrets,
            webhook_configs: self.webhook_configs || other.webhook_configs,
        }
    }
}

/// What an area may read from Juju while observing (leader only).
pub struct Observe<'a> {
    /// The hook tools.
    pub tools: &'a HookTools<'a>,
    /// This hook's event.
    pub event: &'a Event,
    /// The parsed config.
    pub config: &'a Config,
    /// This application's name.
    pub app: &'a str,
}

/// What every area plans with, besides the material and its own observations.
#[derive(Debug)]
pub struct Input<'a> {
    /// The parsed config.
    pub config: &'a Config,
    /// This application's name.
    pub app: &'a str,
    /// The namespace of the Kubernetes objects: the `namespace` option, else the model's name;
    /// `None` while that option is not valid.
    pub namespace: Option<&'a str>,
    /// The time of this hook.
    pub now: OffsetDateTime,
    /// What an action asks for.
    pub intent: &'a Intent,
    /// The Kubernetes objects listed at the start of the hook.
    pub kube: &'a View,
    /// The salted config hash, for the annotation of every Secret.
    pub config_hash: &'a str,
    /// Juju's secret content limits: what the material can hold.
    pub limits: &'a juju_charm::rules::SecretLimits,
}

impl Input<'_> {
    /// A Secret with the charm's labels and config-hash annotation.
    pub fn secret(&self, name: &str, type_: &str, data: Vec<(&str, &[u8])>) -> SecretObject {
        SecretObject::new(name, type_, data, self.app, self.config_hash)
    }

    /// The plain apply of `secret`, or nothing when the listed one already holds it. A listed
    /// Secret of another type is the charm's own (it was listed by the managed-by label), so
    /// it is replaced. `None` when the Secrets could not be listed.
    pub fn secret_write(
        &self,
        secret: SecretObject,
        after: Vec<crate::k8s::ObjectRef>,
    ) -> Option<Write> {
        let listed = self.kube.secrets()?;
        let current = listed.get(&secret.name);
        if current.is_some_and(|c| secret.satisfied_by(c)) {
            return None;
        }
        let replace = current.is_some_and(|c| c.type_ != secret.type_);
        Some(Write::Secret { secret, replace, after })
    }
}

/// A log line an area asks for once its plan is applied (never a secret value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// `true` for a warning, `false` for information.
    pub warning: bool,
    /// The line.
    pub message: String,
}

/// What one area wants done in this hook. Plain data: two plans of the same inputs and the same
/// seeded random source are equal.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct AreaPlan {
    /// This area's part of the material as it should be; `None` keeps it as it is.
    pub material: Option<Part>,
    /// Application databags to update (an empty value deletes a key).
    pub relations: Vec<(RelationId, Databag)>,
    /// Kubernetes writes, in order.
    pub kube: Vec<Write>,
    /// This area's contribution to the status.
    pub status: StatusCollector,
    /// Lines to log.
    pub log: Vec<Note>,
    /// Certificates (re)issued by this plan.
    pub issued: usize,
    /// Kubernetes Events of what it does, recorded once the writes they tell of are done.
    pub events: Vec<PlannedEvent>,
}

impl AreaPlan {
    /// Logs `message` as information once the plan is applied.
    pub fn info(&mut self, message: impl Into<String>) {
        self.log.push(Note { warning: false, message: message.into() });
    }

    /// Logs `message` as a warning once the plan is applied.
    pub fn warn(&mut self, message: impl Into<String>) {
        self.log.push(Note { warning: true, message: message.into() });
    }
}

/// Planning failed for a reason no change of input explains (the random source, a library).
/// Never carries a secret value.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// The OS CSPRNG failed.
    #[error(transparent)]
    Entropy(#[from] EntropyError),
    /// A certificate could not be made.
    #[error(transparent)]
    Cert(#[from] crate::certs::CertError),
    /// The Dex material could not be made.
    #[error(transparent)]
    Dex(#[from] dex::DexError),
    /// Its planning thread panicked.
    #[error("the planning of {0} panicked")]
    Panicked(&'static str),
    /// Data could not be serialised.
    #[error("cannot serialise {what}: {why}")]
    Serialise {
        /// What.
        what: &'static str,
        /// Why.
        why: String,
    },
}

/// What [`Area::plan`] returns.
pub type Planned = Result<AreaPlan, PlanError>;

/// One area of the charm.
pub trait Area: Send + Sync {
    /// Its name, for logs and status messages.
    fn name(&self) -> &'static str;

    /// The areas whose planned material its plan reads (by [`Area::name`]); they are planned
    /// before it. Every other area plans at the same time as the others.
    fn after(&self) -> &'static [&'static str] {
        &[]
    }

    /// The Kubernetes lists it needs.
    fn kube_reads(&self) -> KubeReads {
        KubeReads::default()
    }

    /// Reads what it needs from Juju beyond config and material (relations, resources).
    fn observe(&mut self, _juju: &Observe<'_>) -> Result<(), HookToolError> {
        Ok(())
    }

    /// Pure: what its part of the material, its relation data, its Kubernetes objects and its
    /// status should be, given `material` as the areas it plans [`Area::after`] planned it.
    fn plan(&self, input: &Input<'_>, material: &Material, rng: &mut dyn Entropy) -> Planned;
}

impl fmt::Debug for dyn Area {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Every area, in planning order (see the module documentation).
pub fn all() -> Vec<Box<dyn Area>> {
    vec![
        Box::new(resources::Resources::default()),
        Box::new(generated::Generated::default()),
        Box::new(dex::Dex),
        Box::new(webhooks::Webhooks),
        Box::new(tls_provider::TlsProvider::default()),
        Box::new(ca_transfer::CaTransfer::default()),
        Box::new(sa_tokens::SaTokens),
    ]
}

/// A relation that vanished since `relation-ids` answers "not found": `None`, and the caller
/// skips it.
pub(crate) fn unless_gone<T>(result: Result<T, HookToolError>) -> Result<Option<T>, HookToolError> {
    match result {
        Err(e) if e.kind() == juju_charm::ErrorKind::NotFound => Ok(None),
        other => other.map(Some),
    }
}

/// The relations of `endpoint` this hook serves: `relation-ids`, less the one whose
/// `-relation-broken` hook this is, which Juju before 3.4 still listed (juju/juju PR #17464).
pub fn live_relation_ids(
    tools: &HookTools<'_>,
    event: &Event,
    endpoint: &str,
) -> Result<Vec<RelationId>, HookToolError> {
    let broken = match event {
        Event::Relation { hook: juju_charm::environment::RelationHook::Broken, id, .. } => Some(id),
        _ => None,
    };
    let mut ids = tools.relation_ids(endpoint)?;
    ids.retain(|id| Some(id) != broken);
    Ok(ids)
}

/// The `action-fail` message of `get-credentials` before the leader generated the material.
pub const NOT_GENERATED: &str = "the credentials are not generated yet";

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::random::tests::Seeded;
    use serde_json::Value;

    /// Everything an [`Input`] borrows, for planning tests: small and fast keys, the model
    /// `kubeflow`, and a cluster where nothing exists yet.
    pub(crate) struct Fixture {
        pub(crate) config: Config,
        pub(crate) view: View,
        pub(crate) intent: Intent,
        pub(crate) now: OffsetDateTime,
        pub(crate) config_hash: String,
    }

    impl Fixture {
        pub(crate) fn input(&self) -> Input<'_> {
            let namespace = match &self.config.namespace {
                Ok(Some(ns)) => Some(ns.as_str()),
                Ok(None) => Some("kubeflow"),
                Err(_) => None,
            };
            Input {
                config: &self.config,
                app: "ckf-crypto",
                namespace,
                now: self.now,
                intent: &self.intent,
                kube: &self.view,
                config_hash: &self.config_hash,
                limits: &juju_charm::rules::SecretLimits::BEFORE_3_6_9,
            }
        }
    }

    /// A fixture for `config` (a JSON object of options).
    pub(crate) fn input_for(config: Value) -> Fixture {
        let Value::Object(mut raw) = config else { panic!("config is an object") };
        raw.entry("key-algorithm").or_insert(Value::from("ecdsa-p256"));
        raw.entry("bcrypt-cost").or_insert(Value::from(10));
        Fixture {
            config: Config::parse(raw),
            view: View {
                secrets: Some(Ok(Default::default())),
                webhook_configs: Some(Ok(Default::default())),
            },
            intent: Intent::default(),
            now: OffsetDateTime::from_unix_timestamp(1_800_000_000).expect("time"),
            config_hash: "hash".into(),
        }
    }

    /// Plans `area` on `stored` material (or none) with a source seeded by `seed`.
    pub(crate) fn run_area(
        area: &dyn Area,
        config: Value,
        stored: Option<&Material>,
        intent: &Intent,
        seed: u64,
    ) -> (Material, AreaPlan) {
        let mut fixture = input_for(config);
        fixture.intent = intent.clone();
        let mut m = stored.cloned().unwrap_or_default();
        let mut plan = area.plan(&fixture.input(), &m, &mut Seeded::new(seed)).expect("plan");
        if let Some(part) = plan.material.take() {
            m.set(part);
        }
        (m, plan)
    }

    /// Every area, with a requirer on each relation.
    fn areas_with_requirers() -> Vec<Box<dyn Area>> {
        let key = rcgen::KeyPair::generate().expect("key");
        let csr = rcgen::CertificateParams::new(vec!["gw.kubeflow.svc".to_owned()])
            .expect("params")
            .serialize_request(&key)
            .expect("csr")
            .pem()
            .expect("pem");
        let requests = serde_json::json!([{"certificate_signing_request": csr, "ca": false}]);
        let tls = tls_provider::Relation {
            id: RelationId { endpoint: "certificates".into(), number: 2 },
            remote_app: Some("istio-pilot".into()),
            request_bags: vec![("istio-pilot/0".into(), requests.to_string())],
            local: Databag::default(),
        };
        let storage = object_storage::Relation {
            id: RelationId { endpoint: "object-storage".into(), number: 1 },
            remote_app: Some("kfp-api".into()),
            remote_versions: Some("- v1\n".into()),
            local: Databag::default(),
        };
        let mut all = all();
        all[1] = Box::new(generated::Generated::with(vec![storage]));
        all[4] = Box::new(tls_provider::TlsProvider::with(vec![tls]));
        let transfer = RelationId { endpoint: ca_transfer::ENDPOINT.into(), number: 4 };
        all[5] = Box::new(ca_transfer::CaTransfer::with(vec![(transfer, Databag::default())]));
        all
    }

    /// Plans every area in order on one material, each with a source of its own (so that an
    /// area drawing less randomness does not change what the next one draws).
    fn plan_each(config: Value, areas: &[Box<dyn Area>]) -> (Material, Vec<AreaPlan>) {
        let fixture = input_for(config);
        let mut m = Material::default();
        let plans = areas
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let seed = u64::try_from(i).expect("small");
                let mut p = a.plan(&fixture.input(), &m, &mut Seeded::new(seed)).expect("plan");
                if let Some(part) = p.material.take() {
                    m.set(part);
                }
                p
            })
            .collect();
        (m, plans)
    }

    #[test]
    fn one_areas_bad_option_leaves_every_other_areas_plan_unchanged() {
        let areas = areas_with_requirers();
        let (base_m, base) = plan_each(serde_json::json!({}), &areas);
        assert!(base.iter().skip(1).all(|p| !p.kube.is_empty() || !p.relations.is_empty()));
        for (failing, option, value) in [
            (1, "access-key", serde_json::json!("")),
            (2, "bcrypt-cost", serde_json::json!(9)),
            (3, "webhooks", serde_json::json!("- {name: x}")),
            (4, "allowed-dns-suffixes", serde_json::json!("bad_suffix")),
            (6, "service-account-tokens", serde_json::json!("- nope")),
        ] {
            let (m, plans) = plan_each(serde_json::json!({ option: value }), &areas);
            for (i, (b, p)) in base.iter().zip(&plans).enumerate() {
                if i == failing {
                    assert_ne!(b, p, "{option} changes the plan of area {i}");
                } else {
                    assert_eq!(b, p, "{option} must not change the plan of area {i}");
                }
            }
            if failing != 1 {
                assert_eq!(m.generated, base_m.generated, "{option}");
            }
            if failing != 2 {
                assert_eq!(m.dex, base_m.dex, "{option}");
            }
            assert_eq!(m.webhooks.ca, base_m.webhooks.ca, "{option}: the CA is kept");
        }
    }
}
