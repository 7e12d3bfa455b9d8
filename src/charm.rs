//! ckf-crypto as a [`juju_charm::Charm`]: the framework dispatches, this module says what each
//! kind of event does.
//!
//! Every hook runs the holistic reconcile; actions have their handlers ([`crate::actions`]);
//! `secret-remove` removes the revision of a material secret no one tracks; `stop`, `remove`
//! and unknown hooks do nothing (the framework's defaults). The framework maps outcomes to exit
//! codes: a problem the operator can fix is a blocked status and exit 0; anything unexpected
//! logs its whole cause chain and exits 1, so Juju retries the hook, and since a failed hook
//! commits none of its relation or secret writes, the retry starts from the same state and
//! converges.
//!
//! Variables of the environment read besides Juju's (through the framework's
//! [`Environment::var`]): `KUBECONFIG` (Juju never sets it; without it the in-cluster service
//! account is used), `CKF_CRYPTO_KUBE_TIMEOUT_MS` (a shorter Kubernetes timeout, for tests) and,
//! only in a build with the `test-clock` feature (the tests'), `CKF_CRYPTO_NOW`, an RFC 3339 time
//! that replaces the clock so tests can move time forward to exercise renewal. A build made for
//! packing has no such feature and always uses the real time, so nothing in a unit's
//! environment can make it issue certificates for another date.

use std::rc::Rc;
use std::time::Duration;

use juju_charm::{Charm, CommandRunner, Context, Environment, Error, HookTools, SecretRemove};
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

/// The charm, with what it uses besides the hook tools.
pub struct CkfCrypto {
    kube: Box<dyn Kube>,
    now: OffsetDateTime,
    rng: Box<dyn Entropy>,
}

impl CkfCrypto {
    /// The charm as Juju runs it: Kubernetes through the in-cluster service account (or
    /// `KUBECONFIG`), the OS CSPRNG, and the real time (or `CKF_CRYPTO_NOW` in a test build).
    pub fn from_env(env: &Environment) -> Result<Self, Error> {
        let settings = Settings {
            kubeconfig: env.var("KUBECONFIG").map(str::to_owned),
            timeout: env
                .var(KUBE_TIMEOUT_VAR)
                .and_then(|v| v.parse().ok())
                .map(Duration::from_millis),
        };
        let now = clock(env.var(NOW_VAR)).map_err(Error::new)?;
        Ok(Self::with(Box::new(KubeClient::new(settings)), now, Box::new(OsEntropy)))
    }

    /// The charm with the given Kubernetes, time and randomness (tests and benchmarks).
    pub fn with(kube: Box<dyn Kube>, now: OffsetDateTime, rng: Box<dyn Entropy>) -> Self {
        Self { kube, now, rng }
    }

    fn hook<'h, 't>(&'h mut self, ctx: &'h mut Context<'t>) -> Hook<'h, 't> {
        Hook { ctx, kube: &mut *self.kube, now: self.now, rng: &mut *self.rng }
    }
}

impl Charm for CkfCrypto {
    fn reconcile(&mut self, ctx: &mut Context<'_>) -> Result<(), Error> {
        self.hook(ctx).reconcile(Intent::default()).map(drop).map_err(Error::new)
    }

    fn action(&mut self, ctx: &mut Context<'_>, name: &str) -> Result<(), Error> {
        actions::run(&mut self.hook(ctx), name).map_err(Error::new)
    }

    /// Only the material's revisions, only on the leader (the only unit that may change an
    /// application-owned secret); anything else is left to its owner.
    fn secret_remove(
        &mut self,
        ctx: &mut Context<'_>,
        removed: &SecretRemove,
    ) -> Result<(), Error> {
        let ours = removed.label.as_deref().is_some_and(store::is_material_label);
        if !ours || !ctx.is_leader()? {
            log::debug!("secret-remove for a secret this unit does not manage");
            return Ok(());
        }
        ctx.tools().secret_remove(&removed.uri, Some(removed.revision))?;
        log::info!(
            "removed revision {} of Juju secret '{}'",
            removed.revision,
            removed.label.as_deref().unwrap_or_default()
        );
        Ok(())
    }
}

/// What a hook or action of ckf-crypto runs with.
pub struct Hook<'h, 't> {
    /// The framework's context: environment, hook tools, status being collected.
    pub ctx: &'h mut Context<'t>,
    /// Kubernetes.
    pub kube: &'h mut dyn Kube,
    /// The time of this hook.
    pub now: OffsetDateTime,
    /// The randomness source.
    pub rng: &'h mut dyn Entropy,
}

impl<'t> Hook<'_, 't> {
    /// The hook tools.
    pub fn tools(&self) -> &HookTools<'t> {
        self.ctx.tools()
    }

    /// The hook's environment.
    pub fn env(&self) -> &Environment {
        self.ctx.env()
    }

    /// Observes, plans and applies with `intent`; the leader's plan.
    pub fn reconcile(&mut self, intent: Intent) -> anyhow::Result<Option<reconcile::Plan>> {
        reconcile::run(self.ctx, self.kube, self.now, &intent, self.rng)
    }
}

/// Runs the charm for the hook described by `env`, with hook tools run by `runner`; returns the
/// process exit code. The framework's [`juju_charm::run`] with [`CkfCrypto::from_env`].
pub fn run<I>(env: I, runner: Rc<dyn CommandRunner>) -> i32
where
    I: IntoIterator<Item = (String, String)>,
{
    juju_charm::run(env, runner, CkfCrypto::from_env)
}

/// The time of the hook: the real time, or `CKF_CRYPTO_NOW` in a build with `test-clock`.
fn clock(var: Option<&str>) -> Result<OffsetDateTime, String> {
    match var.filter(|_| cfg!(feature = "test-clock")) {
        None => Ok(OffsetDateTime::now_utc()),
        Some(v) => OffsetDateTime::parse(v, &time::format_description::well_known::Rfc3339)
            .map_err(|e| format!("{NOW_VAR} is not an RFC 3339 time: {e}")),
    }
}
