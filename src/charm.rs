//! The hook dispatcher: one Juju event in, one exit code out.
//!
//! Every hook runs the holistic reconcile; actions, `secret-remove` and the unknown get their
//! own handlers (ops' holistic-charm guidance). Outcomes follow `style.md` point 5: a problem the
//! operator can fix is a blocked status and exit 0; anything unexpected logs its whole cause
//! chain and exits 1, so Juju retries the hook, and since a failed hook commits none of its
//! relation or secret writes, the retry starts from the same state and converges.
//!
//! Variables of the environment read besides Juju's: `KUBECONFIG` (Juju never sets it; without
//! it the in-cluster service account is used), `CKF_CRYPTO_KUBE_TIMEOUT_MS` (a shorter Kubernetes
//! timeout, for tests) and, only in a build with the `test-clock` feature (the tests'),
//! `CKF_CRYPTO_NOW`, an RFC 3339 time that replaces the clock so tests can move time forward to
//! exercise renewal. A build made for packing has no such feature and always uses the real
//! time, so nothing in a unit's environment can make it issue certificates for another date.

use std::collections::BTreeMap;
use std::rc::Rc;
use std::time::Duration;

use juju::context::SecretHook;
use juju::{CommandRunner, Event, HookTools, JujuContext};
use time::OffsetDateTime;

use crate::areas::Intent;
use crate::k8s::Kube;
use crate::k8s::client::{KubeClient, Settings};
use crate::random::{Entropy, OsEntropy};
use crate::{actions, reconcile, store};

/// The clock override (RFC 3339), for tests.
pub const NOW_VAR: &str = "CKF_CRYPTO_NOW";
/// The Kubernetes timeout override in milliseconds, for tests.
pub const KUBE_TIMEOUT_VAR: &str = "CKF_CRYPTO_KUBE_TIMEOUT_MS";

/// What a hook runs with, besides the hook tools.
pub struct Hook<'a> {
    /// The parsed Juju context.
    pub ctx: JujuContext,
    /// The hook tools.
    pub tools: HookTools<'a>,
    /// Kubernetes.
    pub kube: &'a mut dyn Kube,
    /// The time of this hook.
    pub now: OffsetDateTime,
    /// The randomness source.
    pub rng: &'a mut dyn Entropy,
}

impl Hook<'_> {
    /// Observes, plans and applies with `intent`; the leader's plan.
    pub fn reconcile(&mut self, intent: Intent) -> anyhow::Result<Option<reconcile::Plan>> {
        reconcile::run(&self.tools, &self.ctx, self.kube, self.now, &intent, self.rng)
    }
}

/// Runs the charm for the hook described by `env`, with hook tools run by `runner`.
/// Returns the process exit code.
pub fn run<I>(env: I, runner: Rc<dyn CommandRunner>) -> i32
where
    I: IntoIterator<Item = (String, String)>,
{
    let env: BTreeMap<String, String> = env.into_iter().collect();
    let settings = Settings {
        kubeconfig: env.get("KUBECONFIG").filter(|v| !v.is_empty()).cloned(),
        timeout: env.get(KUBE_TIMEOUT_VAR).and_then(|v| v.parse().ok()).map(Duration::from_millis),
    };
    let mut kube = KubeClient::new(settings);
    run_with(env, runner, &mut kube, &mut OsEntropy)
}

/// [`run`] with explicit Kubernetes and randomness.
pub fn run_with(
    env: BTreeMap<String, String>,
    runner: Rc<dyn CommandRunner>,
    kube: &mut dyn Kube,
    rng: &mut dyn Entropy,
) -> i32 {
    let now = match clock(env.get(NOW_VAR).map(String::as_str)) {
        Ok(now) => now,
        Err(e) => {
            eprintln!("ckf-crypto: {e}");
            return 1;
        }
    };
    let ctx = match JujuContext::from_env(env) {
        Ok(ctx) => ctx,
        Err(e) => {
            // Without a context the hook tools may not work either: stderr is what Juju logs.
            eprintln!("ckf-crypto: cannot read the hook environment: {e}");
            return 1;
        }
    };
    // Idempotent: installs the juju-log backend once per process.
    juju::logger::init(log::LevelFilter::Info);
    juju::logger::scope(runner.clone(), || {
        let path = ctx.dispatch_path.clone();
        let mut hook = Hook { ctx, tools: HookTools::new(&*runner), kube, now, rng };
        match dispatch(&mut hook) {
            Ok(()) => 0,
            Err(e) => {
                log::error!("{path} failed: {e:#}");
                1
            }
        }
    })
}

/// The time of the hook: the real time, or `CKF_CRYPTO_NOW` in a build with `test-clock`.
fn clock(var: Option<&str>) -> anyhow::Result<OffsetDateTime> {
    let var = var.filter(|v| cfg!(feature = "test-clock") && !v.is_empty());
    match var {
        None => Ok(OffsetDateTime::now_utc()),
        Some(v) => OffsetDateTime::parse(v, &time::format_description::well_known::Rfc3339)
            .map_err(|e| anyhow::anyhow!("{NOW_VAR} is not an RFC 3339 time: {e}")),
    }
}

fn dispatch(hook: &mut Hook<'_>) -> anyhow::Result<()> {
    match hook.ctx.event.clone() {
        Event::Action { name, .. } => actions::run(hook, &name),
        Event::Secret { hook: SecretHook::Remove, id, label, revision } => {
            secret_remove(&hook.tools, &id, label.as_deref(), revision)
        }
        Event::Unknown { name } => {
            // Ignored, as ops does, so that a charm rollback does not fail on newer hooks.
            log::info!("ignoring unknown event '{name}'");
            Ok(())
        }
        // Material lives in Juju secrets owned by the application: nothing to tear down.
        Event::Stop | Event::Remove => Ok(()),
        _ => hook.reconcile(Intent::default()).map(drop),
    }
}

/// `secret-remove`: Juju tells the owner that no consumer tracks `revision` any more.
fn secret_remove(
    tools: &HookTools<'_>,
    id: &str,
    label: Option<&str>,
    revision: Option<u64>,
) -> anyhow::Result<()> {
    let ours = label.is_some_and(store::is_material_label);
    // Only the leader may change an application-owned secret.
    if !ours || !tools.is_leader()? {
        log::debug!("secret-remove for a secret this unit does not manage");
        return Ok(());
    }
    if let Some(rev) = revision {
        tools.secret_remove(&store::canonical_uri(store::bare_id(id)), Some(rev))?;
        log::info!("removed revision {rev} of Juju secret '{}'", label.unwrap_or_default());
    }
    Ok(())
}
