//! The holistic reconcile that every hook runs: observe, plan, apply, then status once.
//!
//! It composes the areas of [`crate::areas`] without knowing what any of them does.
//! [`observe`] reads the leader flag, the config and the stored material, lets each area read
//! what it needs from Juju, and lists the Kubernetes objects the areas need on a second thread
//! meanwhile. [`plan()`] is pure: it makes the config hash, then plans every area in turn on the
//! material as the areas before planned it; an area whose planning fails keeps its material as
//! it was and the others go on. [`apply`] performs the writes: the material secret and the
//! relation data first (Juju commits them only if the hook succeeds), then every Kubernetes
//! object on its own, each with its outcome, then the status, once.
//!
//! Failure policy: a problem the operator can fix is a blocked status and exit 0. A failure a retry
//! may clear (a transient Kubernetes error, an area that failed to plan) is reported `waiting`
//! after everything else was delivered; the hook then fails (exit 1, so Juju retries it) unless it
//! made new Juju material, which a failed hook would discard: then it exits 0 and the next hook
//! (`update-status` at the latest) delivers the rest.

pub mod apply;
pub mod observe;

use juju_charm::Context;
use time::OffsetDateTime;

use crate::areas::{self, AreaPlan, Input, Intent, PlanError};
use crate::k8s::{Kube, KubeError};
use crate::material::{Change, Material};
use crate::random::Entropy;
use juju_charm::status::{Status, StatusCollector};

pub use observe::Observed;

/// The status message of a non-leader unit with nothing wrong (must start with `standby`).
pub const STANDBY: &str = "standby: the leader unit manages the material";

/// The blocked message when Kubernetes refuses the charm (verbatim from the README's Deploy).
pub fn trust_message(app: &str) -> String {
    format!("Kubernetes API access denied: run 'juju trust {app} --scope=cluster'")
}

/// What the leader's hook should do.
#[derive(Debug, PartialEq, Eq)]
pub struct Plan {
    /// The material as it should be.
    pub material: Material,
    /// The secret content that holds it.
    pub content: juju_charm::tools::SecretContent,
    /// What to do to the stored secret.
    pub change: Change,
    /// Each area's plan, in order, by area name (an area whose planning failed has none).
    pub areas: Vec<(&'static str, AreaPlan)>,
    /// The status so far: config problems, listing failures, then each area's contribution.
    pub report: StatusCollector,
    /// Something failed that a later attempt may get past.
    pub retry: bool,
}

impl Plan {
    /// Whether this plan creates or changes anything Juju keeps only if the hook succeeds.
    pub fn changes_material(&self) -> bool {
        self.change != Change::Keep || self.areas.iter().any(|(_, p)| !p.relations.is_empty())
    }

    /// Certificates (re)issued by this plan, over every area.
    pub fn issued(&self) -> usize {
        self.areas.iter().map(|(_, p)| p.issued).sum()
    }
}

/// Computes what should be, from what is. Pure: the same observations, intent and seeded
/// random source give the same plan.
pub fn plan(
    obs: &Observed,
    areas: &[Box<dyn areas::Area>],
    intent: &Intent,
    rng: &mut dyn Entropy,
) -> Result<Plan, PlanError> {
    let mut report = config_report(obs);
    let stored = obs.material.as_ref();
    let mut material = stored.map(Material::from_content).unwrap_or_default();
    let config_hash = material.config_hash.hash(&obs.config.raw, rng)?;
    let mut retry = false;
    for (what, e) in obs.kube.failures() {
        retry |= report_list_failure(&mut report, &obs.app, what, e);
    }
    let input = Input {
        config: &obs.config,
        app: &obs.app,
        namespace: obs.namespace(),
        now: obs.now,
        intent,
        kube: &obs.kube,
        config_hash: &config_hash,
        limits: &obs.limits,
    };
    let results = plan_areas(
        areas,
        &input,
        &mut material,
        rng,
        obs.material.is_none() || intent.renew.is_some(),
    );
    let mut planned = Vec::with_capacity(areas.len());
    for (area, result) in areas.iter().zip(results) {
        match result {
            Ok(mut p) => {
                if let Some(part) = p.material.take() {
                    material.set(part);
                }
                report.extend(&p.status);
                planned.push((area.name(), p));
            }
            Err(e) => {
                // Its material stays as it was; the other areas go on.
                retry = true;
                report.add(Status::waiting(format!(
                    "Cannot plan the {}: {e}; retrying on the next hook",
                    area.name()
                )));
            }
        }
    }
    let content = material.to_content();
    let change = Change::between(stored, &content);
    Ok(Plan { material, content, change, areas: planned, report, retry })
}

/// Plans every area, in their order: first those another area plans after (their material
/// goes into `material` at once), then the rest. With `parallel` (a hook that may generate keys
/// or hash: no material yet, or an action's intent) the rest plan at the same time, each on a
/// thread of its own with a source forked from `rng` in area order, so the plans are the same
/// whatever order the threads run in; their CPU-bound work shares the machine's CPUs
/// ([`crate::cpu`]). A no-op hook plans on this thread and starts none.
fn plan_areas(
    areas: &[Box<dyn areas::Area>],
    input: &Input<'_>,
    material: &mut Material,
    rng: &mut dyn Entropy,
    parallel: bool,
) -> Vec<areas::Planned> {
    let first: std::collections::BTreeSet<&str> =
        areas.iter().flat_map(|a| a.after().iter().copied()).collect();
    let mut results: Vec<Option<areas::Planned>> = areas.iter().map(|_| None).collect();
    for (i, area) in areas.iter().enumerate().filter(|(_, a)| first.contains(a.name())) {
        let mut planned = area.plan(input, material, rng);
        if let Ok(p) = &mut planned
            && let Some(part) = p.material.take()
        {
            material.set(part);
        }
        results[i] = Some(planned);
    }
    let rest: Vec<usize> = (0..areas.len()).filter(|i| results[*i].is_none()).collect();
    let material = &*material;
    if parallel && rest.len() > 1 {
        let forks: Vec<_> = rest.iter().map(|_| rng.fork()).collect();
        std::thread::scope(|s| {
            let running: Vec<_> = rest
                .iter()
                .zip(forks)
                .map(|(&i, fork)| {
                    let area = &areas[i];
                    let thread = std::thread::Builder::new().name(area.name().into());
                    // A thread the OS does not give is planned below, on this one.
                    thread
                        .spawn_scoped(s, move || -> areas::Planned {
                            let mut rng = fork?;
                            area.plan(input, material, &mut *rng)
                        })
                        .ok()
                })
                .collect();
            for (&i, thread) in rest.iter().zip(running) {
                // A panic in an area's plan is that area's failure, as an error would be.
                results[i] = thread.map(|t| {
                    t.join().unwrap_or_else(|_| Err(areas::PlanError::Panicked(areas[i].name())))
                });
            }
        });
    }
    for &i in &rest {
        if results[i].is_none() {
            results[i] = Some(areas[i].plan(input, material, rng));
        }
    }
    results.into_iter().map(|r| r.unwrap_or(Err(areas::PlanError::Panicked("an area")))).collect()
}

/// Every config problem, blocked, in the order of `config.yaml` (any unit).
fn config_report(obs: &Observed) -> StatusCollector {
    let mut report = StatusCollector::default();
    for problem in obs.config.problems() {
        report.add(Status::blocked(problem.message.clone()));
    }
    report
}

/// Reports a list that failed; returns whether a retry may clear it.
fn report_list_failure(report: &mut StatusCollector, app: &str, what: &str, e: &KubeError) -> bool {
    match e {
        KubeError::Forbidden(_) => report.add(Status::blocked(trust_message(app))),
        KubeError::Unavailable(why) => {
            report.add(Status::waiting(format!("Kubernetes API unavailable: {why}")))
        }
        e if e.is_transient() => {
            report.add(Status::waiting(format!(
                "Kubernetes API error listing {what}; retrying on the next hook"
            )));
            return true;
        }
        e => report.add(Status::waiting(format!("Cannot list {what}: {}", e.reason()))),
    }
    false
}

/// Observes, plans and applies: the whole reconcile of a hook (and of the actions that change
/// material), adding the status to `ctx`'s collector. Returns the leader's plan; a non-leader
/// validates config and reports `standby`.
pub fn run(
    ctx: &mut Context<'_>,
    kube: &mut dyn Kube,
    now: OffsetDateTime,
    intent: &Intent,
    rng: &mut dyn Entropy,
) -> anyhow::Result<Option<Plan>> {
    let mut areas = areas::all();
    let obs = observe::observe(ctx.tools(), ctx.env(), kube, now, &mut areas)?;
    if !obs.leader {
        let mut report = config_report(&obs);
        report.add(Status::active(STANDBY));
        set_status(ctx, &report);
        return Ok(None);
    }
    let mut plan = plan(&obs, &areas, intent, rng)?;
    match apply::apply(ctx.tools(), kube, &obs, &mut plan) {
        Ok(()) => {
            set_status(ctx, &plan.report);
            Ok(Some(plan))
        }
        // Everything was tried: the status says what is left, and the hook fails for Juju to
        // retry it.
        Err(e @ apply::ApplyError::Retry(_)) => {
            set_status(ctx, &plan.report);
            Err(e.into())
        }
        Err(e) => Err(e.into()),
    }
}

/// Hands `report` to the framework, which sets the worst status once: `active` with the notes
/// when nothing is wrong (a reconcile that got this far always sets the status).
fn set_status(ctx: &mut Context<'_>, report: &StatusCollector) {
    ctx.add_status(Status::active(""));
    ctx.status().extend(report);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::areas::generated::Generated;
    use crate::areas::object_storage::Relation;
    use crate::k8s::{View, WebhookConfig, WebhookKind, Write};
    use crate::random::tests::Seeded;
    use juju_charm::RelationId;
    use juju_charm::databag::Databag;
    use juju_charm::status::StatusName;
    use serde_json::{Value, json};

    fn now() -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(1_800_000_000).expect("time")
    }

    /// The CKF webhook configurations, as listed before any `caBundle` is set.
    fn ckf_configs() -> crate::k8s::WebhookConfigs {
        crate::demo::ckf_webhook_configs()
            .into_iter()
            .map(|cfg| {
                let kind = match cfg["kind"].as_str() {
                    Some("MutatingWebhookConfiguration") => WebhookKind::Mutating,
                    _ => WebhookKind::Validating,
                };
                let name = cfg["metadata"]["name"].as_str().expect("name").to_owned();
                let webhooks = cfg["webhooks"]
                    .as_array()
                    .expect("webhooks")
                    .iter()
                    .map(|w| (w["name"].as_str().expect("name").to_owned(), None))
                    .collect();
                let config = WebhookConfig {
                    kind,
                    name: name.clone(),
                    webhooks,
                    inject_ca_from: None,
                    ca_bundle_managers: Vec::new(),
                };
                ((kind, name), config)
            })
            .collect()
    }

    fn observed(config: Value) -> Observed {
        let Value::Object(mut raw) = config else { panic!("object") };
        raw.entry("key-algorithm").or_insert(json!("ecdsa-p256"));
        raw.entry("bcrypt-cost").or_insert(json!(10));
        Observed {
            leader: true,
            app: "ckf-crypto".into(),
            unit: "ckf-crypto/0".into(),
            model: "kubeflow".into(),
            config: crate::config::Config::parse(raw),
            now: now(),
            material: None,
            stored: None,
            limits: juju_charm::rules::SecretLimits::BEFORE_3_6_9,
            kube: View {
                secrets: Some(Ok(Default::default())),
                webhook_configs: Some(Ok(ckf_configs())),
            },
        }
    }

    fn areas_with_requirer() -> Vec<Box<dyn areas::Area>> {
        let mut all = areas::all();
        all[1] = Box::new(Generated::with(vec![Relation {
            id: RelationId { endpoint: "object-storage".into(), number: 1 },
            remote_app: Some("kfp-api".into()),
            remote_versions: Some("- v1\n".into()),
            local: Databag::default(),
        }]));
        all
    }

    fn plan_of(obs: &Observed, seed: u64) -> Plan {
        plan(obs, &areas_with_requirer(), &Intent::default(), &mut Seeded::new(seed)).expect("plan")
    }

    #[test]
    fn a_plan_is_a_function_of_its_inputs_and_its_seed() {
        let obs = observed(json!({}));
        let first = plan_of(&obs, 1);
        assert_eq!(first, plan_of(&obs, 1));
        assert_ne!(first.material, plan_of(&obs, 2).material);
        let mut rsa = observed(json!({"key-algorithm": "rsa-2048"}));
        rsa.material = None;
        assert_eq!(plan_of(&rsa, 3), plan_of(&rsa, 3));
    }

    #[test]
    fn a_fresh_leader_plans_everything() {
        let p = plan_of(&observed(json!({})), 1);
        assert_eq!(p.change, Change::Create);
        assert!(!p.retry);
        let writes: Vec<String> =
            p.areas.iter().flat_map(|(_, a)| &a.kube).map(|w| w.object().to_string()).collect();
        assert_eq!(writes.len(), 2 + 1 + 11 + 4 + 1, "{writes:?}");
        assert_eq!(p.areas.iter().map(|(_, a)| a.relations.len()).sum::<usize>(), 1);
        assert_eq!(p.report.resolve(), Status::new(StatusName::Active, "object-storage: 1 served"));
    }

    /// What the cluster holds once `p` was applied.
    fn applied(mut obs: Observed, p: &Plan) -> Observed {
        obs.material = Some(p.content.clone());
        let mut secrets = std::collections::BTreeMap::new();
        let mut configs = ckf_configs();
        for w in p.areas.iter().flat_map(|(_, a)| &a.kube) {
            match w {
                Write::Secret { secret, .. } => {
                    secrets.insert(secret.name.clone(), secret.clone());
                }
                Write::Token { secret, token_key, expires_annotation, .. } => {
                    let mut s = secret.clone();
                    s.data.insert(token_key.clone(), zeroize::Zeroizing::new(b"token".to_vec()));
                    let expires = (now().unix_timestamp() + 3600).to_string();
                    s.annotations.insert(expires_annotation.clone(), expires);
                    secrets.insert(s.name.clone(), s);
                }
                Write::CaBundle { kind, name, bundle, .. } => {
                    if let Some(cfg) = configs.get_mut(&(*kind, name.clone())) {
                        cfg.webhooks.iter_mut().for_each(|(_, ca)| *ca = Some(bundle.clone()));
                    }
                }
            }
        }
        obs.kube = View { secrets: Some(Ok(secrets)), webhook_configs: Some(Ok(configs)) };
        obs
    }

    #[test]
    fn a_second_hook_on_the_result_of_the_first_changes_nothing() {
        let obs = observed(
            json!({"service-account-tokens": "- {service-account: sa, audience: a, expiration-seconds: 3600}"}),
        );
        let first = plan_of(&obs, 1);
        let mut second = applied(
            observed(
                json!({"service-account-tokens": "- {service-account: sa, audience: a, expiration-seconds: 3600}"}),
            ),
            &first,
        );
        // The relation holds what was sent.
        let areas = {
            let mut all = areas::all();
            let sent = first.areas.iter().flat_map(|(_, a)| &a.relations).next().expect("sent");
            all[1] = Box::new(Generated::with(vec![Relation {
                id: sent.0.clone(),
                remote_app: Some("kfp-api".into()),
                remote_versions: Some("- v1\n".into()),
                local: sent.1.clone(),
            }]));
            all
        };
        second.now = now() + time::Duration::minutes(5);
        let p = plan(&second, &areas, &Intent::default(), &mut Seeded::new(9)).expect("plan");
        assert_eq!(p.change, Change::Keep);
        assert!(!p.changes_material());
        let writes: Vec<_> = p.areas.iter().flat_map(|(_, a)| &a.kube).collect();
        assert!(writes.is_empty(), "{writes:?}");
    }

    #[test]
    fn a_forbidden_list_blocks_with_the_trust_message_and_the_rest_is_planned() {
        let mut obs = observed(json!({}));
        obs.kube.secrets = Some(Err(KubeError::Forbidden("secrets is forbidden".into())));
        let p = plan_of(&obs, 1);
        assert_eq!(
            p.report.resolve(),
            Status::new(
                StatusName::Blocked,
                "Kubernetes API access denied: run 'juju trust ckf-crypto --scope=cluster'"
            )
        );
        assert_eq!(p.change, Change::Create);
        assert_eq!(p.areas.iter().map(|(_, a)| a.relations.len()).sum::<usize>(), 1);
        let writes: Vec<String> =
            p.areas.iter().flat_map(|(_, a)| &a.kube).map(|w| w.object().to_string()).collect();
        assert!(writes.iter().all(|w| !w.starts_with("Secret")), "{writes:?}");
    }

    #[test]
    fn the_namespace_option_overrides_the_model() {
        assert_eq!(observed(json!({"namespace": "other"})).namespace(), Some("other"));
        assert_eq!(observed(json!({})).namespace(), Some("kubeflow"));
        assert_eq!(observed(json!({"namespace": "Not_Valid"})).namespace(), None);
    }

    #[test]
    fn observations_and_plans_print_no_secret_value() {
        let configured = ["configured-secret-key", "configured-static-password"];
        let obs = observed(json!({"secret-key": configured[0], "static-password": configured[1]}));
        let first = plan_of(&obs, 1);
        let mut values: Vec<String> = configured.iter().map(|s| (*s).to_owned()).collect();
        for (key, value) in first.material.to_content() {
            let public = [
                "ca-crt",
                "relation-ca-crt",
                "relation-root",
                "relation-root-previous",
                "dex-user-id",
                "dex-hash",
                "dex-fingerprint",
            ];
            if !public.contains(&key.as_str()) && !key.starts_with("crt-") {
                // Every line of a private key but its last, which in PKCS#8 of an EC key holds
                // only public-key bytes (they can appear in the certificate too).
                let lines: Vec<&str> = value.expose().lines().collect();
                let body = lines.len().saturating_sub(2);
                values.extend(
                    lines.iter().take(body).filter(|l| l.len() >= 16).map(|l| (*l).to_owned()),
                );
                values.push(value.expose().to_owned());
            }
        }
        let again = applied(obs, &first);
        let printed = format!("{again:?}\n{first:?}");
        for v in values.iter().filter(|v| v.len() >= 8 && !v.starts_with("-----")) {
            assert!(!printed.contains(v.as_str()), "a secret value ({} bytes) printed", v.len());
        }
    }
}
