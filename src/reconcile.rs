//! The holistic reconcile that every hook runs: observe, plan, apply, then status once.
//!
//! [`observe`] reads every input through hook tools (leader flag, config, the stored generated
//! secrets, the `object-storage` relations). [`plan`] is pure: from what was observed it
//! computes what the stored material and the relation data should be, and the status, so most
//! behaviour is tested with `assert_eq!` on a [`Plan`]. [`apply`] performs only the writes the
//! plan asks for (each compared with what is there), so a hook where nothing changed writes
//! nothing but the status. Only the leader creates or changes material; non-leaders validate
//! config and report `standby`.

use juju::tools::SecretContent;
use juju::{ErrorKind, HookToolError, HookTools, JujuContext, RelationId, SecretString};

use crate::config::Config;
use crate::databag::Databag;
use crate::generated::{self, Change, Desired, Key};
use crate::object_storage::{self, Credentials, Standing};
use crate::random::{Entropy, EntropyError};
use crate::status::{Level, StatusReport};
use crate::store;

/// Everything the charm reads at the start of a hook.
#[derive(Debug)]
pub struct Observed {
    /// `is-leader`
    pub leader: bool,
    /// This application's name.
    pub app_name: String,
    /// The model's name (the default namespace).
    pub model_name: String,
    /// The parsed config.
    pub config: Config,
    /// Content of the generated-secrets Juju secret (leader only; `None` if absent).
    pub generated: Option<SecretContent>,
    /// The `object-storage` relations (leader only).
    pub relations: Vec<object_storage::Relation>,
}

/// What the hook should do.
#[derive(Debug)]
pub struct Plan {
    /// The generated secrets (leader only).
    pub generated: Option<Desired>,
    /// Relation data to write.
    pub relation_writes: Vec<(RelationId, Databag)>,
    /// The status to set.
    pub report: StatusReport,
}

/// Planning failed for a reason no retry of the inputs would fix by itself.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// The OS CSPRNG failed.
    #[error(transparent)]
    Entropy(#[from] EntropyError),
    /// Relation data could not be serialised.
    #[error("cannot serialise object-storage data: {0}")]
    Yaml(#[from] serde_saphyr::ser::Error),
}

/// The status message of a non-leader unit with nothing wrong (must start with `standby`).
pub const STANDBY: &str = "standby: the leader unit manages the material";

/// Reads every input.
pub fn observe(tools: &HookTools<'_>, ctx: &JujuContext) -> Result<Observed, HookToolError> {
    let leader = tools.is_leader()?;
    let config = Config::parse(tools.config_get()?);
    let (generated, relations) = if leader {
        (store::read(tools, generated::LABEL)?, observe_relations(tools, &ctx.app_name)?)
    } else {
        (None, Vec::new())
    };
    Ok(Observed {
        leader,
        app_name: ctx.app_name.clone(),
        model_name: ctx.model_name.clone(),
        config,
        generated,
        relations,
    })
}

fn observe_relations(
    tools: &HookTools<'_>,
    app: &str,
) -> Result<Vec<object_storage::Relation>, HookToolError> {
    let mut out = Vec::new();
    for id in tools.relation_ids(object_storage::ENDPOINT)? {
        // A relation that vanished between relation-ids and here is simply skipped.
        let gone = |e: &HookToolError| e.kind() == ErrorKind::NotFound;
        let remote_app = match tools.relation_list_app(&id) {
            Err(e) if gone(&e) => continue,
            other => other?,
        };
        let remote_versions = match &remote_app {
            Some(remote) => match tools.relation_get(&id, remote, true) {
                Err(e) if gone(&e) => continue,
                other => other?.remove("_supported_versions"),
            },
            None => None,
        };
        let local = match tools.relation_get(&id, app, true) {
            Err(e) if gone(&e) => continue,
            other => Databag(other?),
        };
        out.push(object_storage::Relation { id, remote_app, remote_versions, local });
    }
    Ok(out)
}

/// Computes what should be, from what is. `rotate` regenerates one generated value.
pub fn plan(obs: &Observed, rotate: Option<Key>, rng: &mut dyn Entropy) -> Result<Plan, PlanError> {
    let mut report = StatusReport::default();
    for problem in obs.config.problems() {
        report.add(Level::Blocked, problem.message.clone());
    }
    if !obs.leader {
        report.add(Level::Active, STANDBY);
        return Ok(Plan { generated: None, relation_writes: Vec::new(), report });
    }
    let need_key = matches!(obs.config.secret_key, Ok(None));
    let generated = generated::desired(obs.generated.as_ref(), need_key, rotate, rng)?;

    let secret_key = object_storage_key(&obs.config, &generated);
    let namespace = namespace(obs);
    let creds = match (
        &obs.config.access_key,
        secret_key,
        &obs.config.object_storage_service,
        &obs.config.object_storage_port,
    ) {
        (Ok(access_key), Some(secret_key), Ok(service), Ok(port)) => namespace.map(|namespace| {
            Credentials { access_key, secret_key, service, port: *port, namespace }
        }),
        _ => None,
    };
    let mut relation_writes = Vec::new();
    let mut incompatible = Vec::new();
    let mut served = 0usize;
    for rel in &obs.relations {
        let p = object_storage::plan(rel, creds.as_ref())?;
        match p.standing {
            Standing::Served => served += 1,
            Standing::Incompatible(app) => incompatible.push(app),
            Standing::Waiting | Standing::Held => {}
        }
        if let Some(bag) = p.write {
            relation_writes.push((rel.id.clone(), bag));
        }
    }
    if !incompatible.is_empty() {
        incompatible.sort();
        incompatible.dedup();
        report.add(
            Level::Blocked,
            format!(
                "No compatible object-storage versions found for apps: {}",
                incompatible.join(", ")
            ),
        );
    }
    if served > 0 {
        report.note(format!("object-storage: {served} served"));
    }
    Ok(Plan { generated: Some(generated), relation_writes, report })
}

/// The object-storage secret key: config when set and valid, else the generated one.
pub fn object_storage_key<'a>(
    config: &'a Config,
    generated: &'a Desired,
) -> Option<&'a SecretString> {
    match &config.secret_key {
        Ok(Some(key)) => Some(key),
        Ok(None) => generated.value(Key::SecretKey),
        Err(_) => None,
    }
}

/// The namespace: the `namespace` option when set, else the model's name.
pub fn namespace(obs: &Observed) -> Option<&str> {
    match &obs.config.namespace {
        Ok(Some(ns)) => Some(ns),
        Ok(None) => Some(&obs.model_name),
        Err(_) => None,
    }
}

/// Performs the writes of `plan`, then sets the unit status once.
pub fn apply(tools: &HookTools<'_>, plan: &Plan) -> Result<(), HookToolError> {
    if let Some(generated) = &plan.generated {
        match generated.change {
            Change::Keep => {}
            Change::Create => {
                store::create(tools, generated::LABEL, generated::DESCRIPTION, &generated.content)?;
                log::info!("created the generated secrets (Juju secret '{}')", generated::LABEL);
            }
            Change::Update => {
                store::update(tools, generated::LABEL, &generated.content)?;
                log::info!("updated the generated secrets (Juju secret '{}')", generated::LABEL);
            }
        }
    }
    for (id, bag) in &plan.relation_writes {
        tools.relation_set(id, true, &bag.0)?;
        log::info!("updated the application data on relation {id}");
    }
    set_status(tools, &plan.report)
}

/// Sets the unit status from `report`, logging every problem when there are several.
pub fn set_status(tools: &HookTools<'_>, report: &StatusReport) -> Result<(), HookToolError> {
    let (level, message) = report.resolve();
    let problems: Vec<_> = report.problems().iter().filter(|p| p.level > Level::Active).collect();
    if problems.len() > 1 {
        for p in problems {
            log::warn!("{:?}: {}", p.level, p.message);
        }
    }
    tools.status_set(level.status_name(), &message, false)
}

/// Observes, plans and applies: the whole reconcile of an ordinary hook.
pub fn run(
    tools: &HookTools<'_>,
    ctx: &JujuContext,
    rng: &mut dyn Entropy,
) -> anyhow::Result<(Observed, Plan)> {
    let obs = observe(tools, ctx)?;
    let plan = plan(&obs, None, rng)?;
    apply(tools, &plan)?;
    Ok((obs, plan))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::OsEntropy;
    use serde_json::{Map, Value, json};

    fn observed(leader: bool, config: Value, relations: Vec<object_storage::Relation>) -> Observed {
        let Value::Object(raw) = config else { panic!("object") };
        Observed {
            leader,
            app_name: "ckf-crypto".into(),
            model_name: "kubeflow".into(),
            config: Config::parse(raw),
            generated: None,
            relations,
        }
    }

    fn v1_relation(n: u64, app: &str) -> object_storage::Relation {
        object_storage::Relation {
            id: RelationId { endpoint: "object-storage".into(), number: n },
            remote_app: Some(app.into()),
            remote_versions: Some("- v1\n".into()),
            local: Databag::default(),
        }
    }

    #[test]
    fn non_leader_plans_no_writes_and_reports_standby() {
        let p = plan(&observed(false, json!({}), vec![]), None, &mut OsEntropy).expect("plan");
        assert!(p.generated.is_none() && p.relation_writes.is_empty());
        let (level, msg) = p.report.resolve();
        assert_eq!(level, Level::Active);
        assert!(msg.starts_with("standby"));
    }

    #[test]
    fn non_leader_still_validates_config() {
        let p =
            plan(&observed(false, json!({"secret-key": "short"}), vec![]), None, &mut OsEntropy)
                .expect("plan");
        assert_eq!(
            p.report.resolve(),
            (
                Level::Blocked,
                "The 'secret-key' config value must be at least 8 characters long.".into()
            )
        );
    }

    #[test]
    fn leader_creates_material_and_serves_v1() {
        let p =
            plan(&observed(true, json!({}), vec![v1_relation(1, "kfp-api")]), None, &mut OsEntropy)
                .expect("plan");
        assert_eq!(p.generated.as_ref().map(|g| &g.change), Some(&Change::Create));
        assert_eq!(p.relation_writes.len(), 1);
        assert_eq!(p.report.resolve(), (Level::Active, "object-storage: 1 served".into()));
    }

    #[test]
    fn short_secret_key_holds_relations_but_not_other_material() {
        let mut rel = v1_relation(1, "kfp-api");
        rel.local = Databag([("data".to_string(), "old".to_string())].into_iter().collect());
        let p =
            plan(&observed(true, json!({"secret-key": "short"}), vec![rel]), None, &mut OsEntropy)
                .expect("plan");
        assert!(p.relation_writes.is_empty(), "relation data must stay as it is");
        let g = p.generated.expect("generated");
        assert!(g.value(Key::OidcClientSecret).is_some(), "the OIDC area keeps working");
        assert_eq!(p.report.resolve().0, Level::Blocked);
    }

    #[test]
    fn incompatible_requirers_are_named_sorted() {
        let mut a = v1_relation(1, "zeta");
        a.remote_versions = Some("- v2\n".into());
        let mut b = v1_relation(2, "argo-controller");
        b.remote_versions = Some("- v0\n".into());
        let p = plan(
            &observed(true, json!({}), vec![a, b, v1_relation(3, "kfp")]),
            None,
            &mut OsEntropy,
        )
        .expect("plan");
        assert_eq!(
            p.report.resolve(),
            (
                Level::Blocked,
                "No compatible object-storage versions found for apps: argo-controller, zeta"
                    .into()
            )
        );
        assert_eq!(p.relation_writes.len(), 1, "the compatible one is still served");
    }

    #[test]
    fn namespace_option_overrides_the_model() {
        let obs = observed(true, json!({"namespace": "other"}), vec![]);
        assert_eq!(namespace(&obs), Some("other"));
        let obs = observed(true, json!({}), vec![]);
        assert_eq!(namespace(&obs), Some("kubeflow"));
        let _ = Map::<String, Value>::new();
    }
}
