//! Events the simulator can fire, and how each becomes a hook context: the hook name, the
//! dispatch path, the relation/secret/action it concerns, and the model facts that are already
//! true when the hook starts (a joining unit is in the relation, a departing one is not).

use juju_charm::RelationId;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::SimError;
use crate::state::{State, default_unit_bag, parse_secret_id, remote_address};

/// One event, as Juju would fire it at a unit.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Event {
    /// `install`.
    Install,
    /// `start`.
    Start,
    /// `config-changed`.
    ConfigChanged,
    /// `upgrade-charm`.
    UpgradeCharm,
    /// `update-status`.
    UpdateStatus,
    /// `leader-elected`.
    LeaderElected,
    /// `leader-settings-changed`.
    LeaderSettingsChanged,
    /// `stop`.
    Stop,
    /// `remove`.
    Remove,
    /// `<endpoint>-relation-created`.
    RelationCreated {
        /// Relation id, as [`State::add_relation`] returned it.
        id: RelationId,
    },
    /// `<endpoint>-relation-joined`; the unit joins the relation if it was not in it.
    RelationJoined {
        /// Relation id, as [`State::add_relation`] returned it.
        id: RelationId,
        /// Joining remote unit.
        unit: String,
    },
    /// `<endpoint>-relation-changed`.
    RelationChanged {
        /// Relation id, as [`State::add_relation`] returned it.
        id: RelationId,
        /// Changed remote unit; `None` for a change of the remote application bag.
        unit: Option<String>,
    },
    /// `<endpoint>-relation-departed`; the unit leaves the relation before the hook runs.
    RelationDeparted {
        /// Relation id, as [`State::add_relation`] returned it.
        id: RelationId,
        /// Departing unit.
        unit: String,
    },
    /// `<endpoint>-relation-broken`; the relation is removed after a successful run.
    RelationBroken {
        /// Relation id, as [`State::add_relation`] returned it.
        id: RelationId,
    },
    /// `secret-changed` (consumers).
    SecretChanged {
        /// Secret id or URI.
        id: String,
    },
    /// `secret-rotate` (owners).
    SecretRotate {
        /// Secret id or URI.
        id: String,
    },
    /// `secret-expired` (owners).
    SecretExpired {
        /// Secret id or URI.
        id: String,
        /// Expired revision.
        revision: u64,
    },
    /// `secret-remove` (owners).
    SecretRemove {
        /// Secret id or URI.
        id: String,
        /// Revision no longer tracked by anyone.
        revision: u64,
    },
    /// An action from actions.yaml.
    Action {
        /// Action name.
        name: String,
        /// Parameters given by the user; defaults are filled in.
        params: Map<String, Value>,
    },
    /// `<container>-pebble-ready`: the container's Pebble is up. The charm can reach it from
    /// then on (the container's `can_connect` becomes true before the hook runs).
    PebbleReady {
        /// The container, as the metadata names it.
        container: String,
    },
    /// `<container>-pebble-custom-notice`: Pebble recorded (or repeated) a custom notice. The
    /// notice must be one of the container's ([`Notice`](crate::Notice)).
    PebbleCustomNotice {
        /// The container.
        container: String,
        /// `JUJU_NOTICE_ID`.
        notice_id: String,
        /// `JUJU_NOTICE_TYPE` (`custom`).
        notice_type: String,
        /// `JUJU_NOTICE_KEY`.
        notice_key: String,
    },
    /// `<container>-pebble-check-failed`: a check reached its failure threshold.
    PebbleCheckFailed {
        /// The container.
        container: String,
        /// `JUJU_PEBBLE_CHECK_NAME`.
        check: String,
    },
    /// `<container>-pebble-check-recovered`: a failed check succeeded again.
    PebbleCheckRecovered {
        /// The container.
        container: String,
        /// `JUJU_PEBBLE_CHECK_NAME`.
        check: String,
    },
    /// Any other hook, as `hooks/<hook>`.
    Custom {
        /// Hook name.
        hook: String,
    },
}

/// The action being run, with what the charm reported so far.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct ActionContext {
    /// Action name.
    pub name: String,
    /// Action id (`JUJU_ACTION_UUID`).
    pub id: u64,
    /// Parameters with defaults filled in.
    pub params: Map<String, Value>,
    /// Results from action-set (nested per dotted key).
    pub results: Map<String, Value>,
    /// action-fail message.
    pub failed: Option<String>,
    /// action-log messages.
    pub logs: Vec<String>,
}

/// Everything about the running hook that the tools and the environment need.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct HookContext {
    /// Unit number.
    pub unit: u32,
    /// Hook name (`JUJU_HOOK_NAME`); empty for actions.
    pub hook: String,
    /// `hooks/<hook>` or `actions/<name>`.
    pub dispatch_path: String,
    /// `JUJU_CONTEXT_ID`.
    pub context_id: String,
    /// Relation of a relation hook.
    pub relation: Option<u64>,
    /// `JUJU_REMOTE_UNIT` (empty for created/broken and app-level changes).
    pub remote_unit: String,
    /// `JUJU_DEPARTING_UNIT`.
    pub departing: Option<String>,
    /// The relation whose -broken hook is running (hidden from relation-ids as the Juju version
    /// says; no members in relation-list).
    pub broken: Option<u64>,
    /// Secret of a secret hook (bare xid) and revision for expired/remove.
    pub secret: Option<(String, Option<u64>)>,
    /// Action being run.
    pub action: Option<ActionContext>,
    /// The workload event's container (`JUJU_WORKLOAD_NAME`), notice (`JUJU_NOTICE_ID`,
    /// `JUJU_NOTICE_TYPE`, `JUJU_NOTICE_KEY`) and check (`JUJU_PEBBLE_CHECK_NAME`).
    #[serde(default)]
    pub workload: Option<WorkloadContext>,
}

/// What a Pebble event concerns.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct WorkloadContext {
    /// The container.
    pub name: String,
    /// A custom notice's id, type and key.
    pub notice: Option<(String, String, String)>,
    /// A check's name.
    pub check: Option<String>,
}

impl Event {
    /// The hook name (`JUJU_HOOK_NAME`); for an action, the action name.
    pub fn hook_name(&self, state: &State) -> String {
        let rel = |id: &RelationId, kind: &str| {
            let ep = state.relation(id).map_or("unknown", |r| r.endpoint.as_str());
            format!("{ep}-relation-{kind}")
        };
        match self {
            Event::Install => "install".into(),
            Event::Start => "start".into(),
            Event::ConfigChanged => "config-changed".into(),
            Event::UpgradeCharm => "upgrade-charm".into(),
            Event::UpdateStatus => "update-status".into(),
            Event::LeaderElected => "leader-elected".into(),
            Event::LeaderSettingsChanged => "leader-settings-changed".into(),
            Event::Stop => "stop".into(),
            Event::Remove => "remove".into(),
            Event::RelationCreated { id } => rel(id, "created"),
            Event::RelationJoined { id, .. } => rel(id, "joined"),
            Event::RelationChanged { id, .. } => rel(id, "changed"),
            Event::RelationDeparted { id, .. } => rel(id, "departed"),
            Event::RelationBroken { id } => rel(id, "broken"),
            Event::SecretChanged { .. } => "secret-changed".into(),
            Event::SecretRotate { .. } => "secret-rotate".into(),
            Event::SecretExpired { .. } => "secret-expired".into(),
            Event::SecretRemove { .. } => "secret-remove".into(),
            Event::Action { name, .. } => name.clone(),
            Event::PebbleReady { container } => format!("{container}-pebble-ready"),
            Event::PebbleCustomNotice { container, .. } => {
                format!("{container}-pebble-custom-notice")
            }
            Event::PebbleCheckFailed { container, .. } => {
                format!("{container}-pebble-check-failed")
            }
            Event::PebbleCheckRecovered { container, .. } => {
                format!("{container}-pebble-check-recovered")
            }
            Event::Custom { hook } => hook.clone(),
        }
    }

    /// `JUJU_DISPATCH_PATH`: `hooks/<hook>` or `actions/<action>`.
    pub fn dispatch_path(&self, state: &State) -> String {
        match self {
            Event::Action { name, .. } => format!("actions/{name}"),
            _ => format!("hooks/{}", self.hook_name(state)),
        }
    }
}

/// Validates `event` against `state`, applies the model facts that hold when the hook starts, and
/// returns the hook context.
pub(crate) fn prepare(
    state: &mut State,
    unit: u32,
    event: &Event,
) -> Result<HookContext, SimError> {
    state.check_consistency()?;
    if !state.units.contains_key(&unit) {
        return Err(SimError::Event(format!("no unit {unit}")));
    }
    let mut ctx = HookContext {
        unit,
        hook: event.hook_name(state),
        dispatch_path: event.dispatch_path(state),
        ..HookContext::default()
    };
    let check_rel = |state: &State, id: &RelationId| match state.why_no_relation(id) {
        None => Ok(Some(id.number)),
        Some(why) => Err(SimError::Event(why)),
    };
    match event {
        Event::RelationCreated { id } => ctx.relation = check_rel(state, id)?,
        Event::RelationBroken { id } => {
            ctx.relation = check_rel(state, id)?;
            ctx.broken = Some(id.number);
        }
        Event::RelationJoined { id, unit: remote } => {
            ctx.relation = check_rel(state, id)?;
            join(state, id.number, remote);
            ctx.remote_unit = remote.clone();
        }
        Event::RelationChanged { id, unit: remote } => {
            ctx.relation = check_rel(state, id)?;
            ctx.remote_unit = remote.clone().unwrap_or_default();
        }
        Event::RelationDeparted { id, unit: remote } => {
            ctx.relation = check_rel(state, id)?;
            if let Some(r) = state.relations.get_mut(&id.number) {
                r.remote_units.retain(|u| u != remote);
            }
            ctx.remote_unit = remote.clone();
            ctx.departing = Some(remote.clone());
        }
        Event::SecretChanged { id } | Event::SecretRotate { id } => {
            ctx.secret = Some((known_secret(state, id)?, None));
        }
        Event::SecretExpired { id, revision } | Event::SecretRemove { id, revision } => {
            ctx.secret = Some((known_secret(state, id)?, Some(*revision)));
        }
        Event::Action { name, params } => {
            let params = crate::action_params::fill_and_check(
                &state.meta,
                &state.model.version(),
                name,
                params,
            )?;
            state.counters.action += 1;
            ctx.hook = String::new();
            ctx.action = Some(ActionContext {
                name: name.clone(),
                id: state.counters.action,
                params,
                ..ActionContext::default()
            });
        }
        Event::PebbleReady { container }
        | Event::PebbleCustomNotice { container, .. }
        | Event::PebbleCheckFailed { container, .. }
        | Event::PebbleCheckRecovered { container, .. } => {
            ctx.workload = Some(workload(state, unit, event, container)?);
        }
        _ => {}
    }
    state.counters.context += 1;
    let hook_for_id = ctx.action.as_ref().map_or(ctx.hook.as_str(), |a| a.name.as_str());
    ctx.context_id =
        format!("{}-{}-{}", state.unit_name(unit), hook_for_id, state.counters.context);
    Ok(ctx)
}

/// Adds `remote` to relation `id` (with a default bag) if it is not a member yet.
fn join(state: &mut State, id: u64, remote: &str) {
    let juju4 = state.model.version().major() >= 4;
    let Some(r) = state.relations.get_mut(&id) else { return };
    if r.is_peer() || r.remote_units.iter().any(|u| u == remote) {
        return;
    }
    let i = remote.rsplit_once('/').and_then(|(_, n)| n.parse().ok()).unwrap_or(0);
    r.remote_unit_data
        .entry(remote.into())
        .or_insert_with(|| default_unit_bag(&remote_address(id, i), juju4));
    r.remote_units.push(remote.into());
}

/// Checks a Pebble event against the unit's container and makes its context. Juju fires these
/// hooks on what Pebble reported, so Pebble is up: the container can connect from then on.
fn workload(
    state: &mut State,
    unit: u32,
    event: &Event,
    name: &str,
) -> Result<WorkloadContext, SimError> {
    if !state.meta.containers.contains_key(name) {
        let declared: Vec<&String> = state.meta.containers.keys().collect();
        return Err(SimError::Event(format!(
            "container {name:?} is not declared in metadata.yaml (it declares {declared:?})"
        )));
    }
    let Some(container) = state.container_mut(unit, name) else {
        return Err(SimError::Event(format!(
            "unit {unit} has no container {name:?} in the state; add it with \
             ContainerBuilder::new({name:?})"
        )));
    };
    container.can_connect = true;
    let mut ctx = WorkloadContext { name: name.to_owned(), ..WorkloadContext::default() };
    match event {
        Event::PebbleCustomNotice { notice_id, notice_type, notice_key, .. } => {
            let known = container.notices.iter().find(|n| &n.id == notice_id);
            match known {
                None => {
                    let ids: Vec<&String> = container.notices.iter().map(|n| &n.id).collect();
                    return Err(SimError::Event(format!(
                        "container {name:?} has no notice {notice_id:?} (it has {ids:?}); add it \
                         with ContainerBuilder::notice"
                    )));
                }
                Some(n) if &n.r#type != notice_type || &n.key != notice_key => {
                    return Err(SimError::Event(format!(
                        "notice {notice_id:?} of container {name:?} is {:?} {:?}, not \
                         {notice_type:?} {notice_key:?}",
                        n.r#type, n.key
                    )));
                }
                Some(_) => {}
            }
            ctx.notice = Some((notice_id.clone(), notice_type.clone(), notice_key.clone()));
        }
        Event::PebbleCheckFailed { check, .. } | Event::PebbleCheckRecovered { check, .. } => {
            let in_plan = container.plan().is_ok_and(|p| p.checks.contains_key(check));
            if !in_plan && !container.checks.contains_key(check) {
                return Err(SimError::Event(format!(
                    "container {name:?} has no check {check:?}: add it in a layer, or its state \
                     with ContainerBuilder::check"
                )));
            }
            ctx.check = Some(check.clone());
        }
        _ => {}
    }
    Ok(ctx)
}

fn known_secret(state: &State, id: &str) -> Result<String, SimError> {
    let xid =
        parse_secret_id(id).ok_or_else(|| SimError::Event(format!("bad secret id {id:?}")))?;
    if state.secrets.iter().any(|s| s.id == xid) {
        Ok(xid)
    } else {
        Err(SimError::Event(format!("secret {id:?} not in state")))
    }
}
