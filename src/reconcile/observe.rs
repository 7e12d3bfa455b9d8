//! Reading every input of a hook, once.
//!
//! The leader flag and the config come first (a non-leader needs nothing else). The leader then
//! reads the material secret and lets each area read what it needs from Juju (relations,
//! resources), while a second thread lists the Kubernetes objects the areas asked for: a hook
//! spends most of its time waiting for one or the other. Each list has its own result, so a
//! refused list holds only the areas that need it.

use std::collections::BTreeMap;

use juju_charm::rules::SecretLimits;
use juju_charm::tools::SecretContent;
use juju_charm::{Environment, HookToolError, HookTools};
use time::OffsetDateTime;

use crate::areas::{Area, KubeReads, Observe};
use crate::config::Config;
use crate::k8s::{self, Kube, KubeError, View, WebhookKind};
use crate::store;

/// Everything the reconcile reads at the start of a hook (besides what the areas keep).
/// `Debug` shows no secret value.
#[derive(Debug)]
pub struct Observed {
    /// `is-leader`
    pub leader: bool,
    /// This application's name.
    pub app: String,
    /// This unit's name (`reportingInstance` of its Events).
    pub unit: String,
    /// The model's name (the default namespace).
    pub model: String,
    /// The parsed config.
    pub config: Config,
    /// The time of this hook.
    pub now: OffsetDateTime,
    /// The material's content keys, merged from its Juju secrets (leader only; `None` if
    /// absent).
    pub material: Option<SecretContent>,
    /// The material's Juju secrets as stored (leader only).
    pub stored: Option<store::Stored>,
    /// Juju's secret content limits, after `JUJU_VERSION`.
    pub limits: SecretLimits,
    /// The Kubernetes objects listed (leader with a valid namespace only).
    pub kube: View,
}

impl Observed {
    /// The namespace: the `namespace` option when set, else the model's name; `None` while the
    /// option is not valid.
    pub fn namespace(&self) -> Option<&str> {
        match &self.config.namespace {
            Ok(Some(ns)) => Some(ns),
            Ok(None) => Some(&self.model),
            Err(_) => None,
        }
    }
}

/// Reads every input; the areas keep what they observe.
pub fn observe(
    tools: &HookTools<'_>,
    ctx: &Environment,
    kube: &mut dyn Kube,
    now: OffsetDateTime,
    areas: &mut [Box<dyn Area>],
) -> Result<Observed, HookToolError> {
    let leader = tools.is_leader()?;
    let config = Config::parse(tools.config_get()?);
    let mut obs = Observed {
        leader,
        app: ctx.app_name.clone(),
        unit: ctx.unit_name.clone(),
        model: ctx.model_name.clone(),
        config,
        now,
        material: None,
        stored: None,
        limits: store::limits(ctx.juju_version.as_ref()),
        kube: View::default(),
    };
    if !leader {
        return Ok(obs);
    }
    let reads = areas.iter().fold(KubeReads::default(), |r, a| r.union(a.kube_reads()));
    let namespace = obs.namespace().map(str::to_owned);
    let app = obs.app.as_str();
    let juju = Observe { tools, event: &ctx.event, config: &obs.config, app };
    let (material, observed, view) = std::thread::scope(|s| {
        let lister = s.spawn(|| list(kube, namespace.as_deref(), app, reads));
        let material = store::read_material(tools);
        let observed = areas.iter_mut().try_for_each(|a| a.observe(&juju));
        let view = lister.join().unwrap_or_else(|_| {
            let e = KubeError::Other("the Kubernetes reader panicked".into());
            View { secrets: Some(Err(e.clone())), webhook_configs: Some(Err(e)) }
        });
        (material, observed, view)
    });
    obs.stored = material?;
    obs.material = obs.stored.as_ref().map(|s| s.content().clone());
    observed?;
    obs.kube = view;
    Ok(obs)
}

/// The lists `reads` asks for; none without a namespace (the config problem is reported).
fn list(kube: &mut dyn Kube, namespace: Option<&str>, app: &str, reads: KubeReads) -> View {
    let Some(namespace) = namespace else { return View::default() };
    let secrets = reads.secrets.then(|| {
        let listed = kube.list_secrets(namespace, &k8s::selector(app))?;
        let own = listed.into_iter().filter(|s| k8s::owned_by(&s.labels, app));
        Ok(own.map(|s| (s.name.clone(), s)).collect())
    });
    let webhook_configs = reads.webhook_configs.then(|| {
        let mut out = BTreeMap::new();
        for kind in [WebhookKind::Mutating, WebhookKind::Validating] {
            for cfg in kube.list_webhook_configs(kind)? {
                out.insert((kind, cfg.name.clone()), cfg);
            }
        }
        Ok(out)
    });
    View { secrets, webhook_configs }
}
