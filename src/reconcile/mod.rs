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
//! Failure policy (`contract.md` §8, §12): a problem the operator can fix is a blocked status
//! and exit 0. A failure a retry may clear (a transient Kubernetes error, an area that failed to
//! plan) is reported `waiting` after everything else was delivered; the hook then fails (exit
//! 1, so Juju retries it) unless it made new Juju material, which a failed hook would discard:
//! then it exits 0 and the next hook (`update-status` at the latest) delivers the rest.

pub mod apply;
pub mod observe;

use juju::{HookTools, JujuContext};
use time::OffsetDateTime;

use crate::areas::{self, AreaPlan, Input, Intent, PlanError};
use crate::k8s::{Kube, KubeError};
use crate::material::{Change, Material};
use crate::random::Entropy;
use crate::status::{Level, StatusReport};

pub use observe::Observed;

/// The status message of a non-leader unit with nothing wrong (must start with `standby`).
pub const STANDBY: &str = "standby: the leader unit manages the material";

/// The blocked message when Kubernetes refuses the charm (`contract.md` §8).
pub fn trust_message(app: &str) -> String {
    format!("Kubernetes API access denied: run 'juju trust {app} --scope=cluster'")
}

/// What the leader's hook should do.
#[derive(Debug, PartialEq, Eq)]
pub struct Plan {
    /// The material as it should be.
    pub material: Material,
    /// What to do to the stored secret.
    pub change: Change,
    /// Each area's plan, in order, by area name (an area whose planning failed has none).
    pub areas: Vec<(&'static str, AreaPlan)>,
    /// The status so far: config problems, listing failures, then each area's contribution.
    pub report: StatusReport,
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
    };
    let mut planned = Vec::with_capacity(areas.len());
    for area in areas {
        let before = material.clone();
        match area.plan(&input, &mut material, rng) {
            Ok(p) => {
                report.extend(&p.status);
                planned.push((area.name(), p));
            }
            Err(e) => {
                // Its material stays as it was; the other areas go on.
                material = before;
                retry = true;
                report.add(
                    Level::Waiting,
                    format!("Cannot plan the {}: {e}; retrying on the next hook", area.name()),
                );
            }
        }
    }
    let change = Change::between(stored, &material.to_content());
    Ok(Plan { material, change, areas: planned, report, retry })
}

/// Every config problem, blocked, in the order of `config.yaml` (any unit).
fn config_report(obs: &Observed) -> StatusReport {
    let mut report = StatusReport::default();
    for problem in obs.config.problems() {
        report.add(Level::Blocked, problem.message.clone());
    }
    report
}

/// Reports a list that failed; returns whether a retry may clear it.
fn report_list_failure(report: &mut StatusReport, app: &str, what: &str, e: &KubeError) -> bool {
    match e {
        KubeError::Forbidden(_) => report.add(Level::Blocked, trust_message(app)),
        KubeError::Unavailable(why) => {
            report.add(Level::Waiting, format!("Kubernetes API unavailable: {why}"))
        }
        e if e.is_transient() => {
            report.add(
                Level::Waiting,
                format!("Kubernetes API error listing {what}; retrying on the next hook"),
            );
            return true;
        }
        e => report.add(Level::Waiting, format!("Cannot list {what}: {}", e.reason())),
    }
    false
}

/// Observes, plans and applies: the whole reconcile of a hook (and of the actions that change
/// material). Returns the leader's plan; a non-leader validates config and reports `standby`.
pub fn run(
    tools: &HookTools<'_>,
    ctx: &JujuContext,
    kube: &mut dyn Kube,
    now: OffsetDateTime,
    intent: &Intent,
    rng: &mut dyn Entropy,
) -> anyhow::Result<Option<Plan>> {
    let mut areas = areas::all();
    let obs = observe::observe(tools, ctx, kube, now, &mut areas)?;
    if !obs.leader {
        let mut report = config_report(&obs);
        report.add(Level::Active, STANDBY);
        apply::set_status(tools, &report)?;
        return Ok(None);
    }
    let mut plan = plan(&obs, &areas, intent, rng)?;
    apply::apply(tools, kube, &obs, &mut plan)?;
    Ok(Some(plan))
}
