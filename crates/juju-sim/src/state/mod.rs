//! The whole simulated model, as one serialisable value: what Juju's controller and unit agents
//! know about one application.
//!
//! The same `State` backs both forms of the simulator: the in-process runner mutates it directly,
//! and the process-level harness stores it (inside the session file) for the hook-tool binary.
//! Builder and accessor methods here are for tests; the rules that hook tools enforce live in
//! `tools`.

mod build;
mod container;
mod relation;
mod secret;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use juju_charm::rules::JujuVersion;
use juju_charm::{RelationId, Status, StatusName};
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub(crate) use self::build::normalize_port;
pub use self::build::{DEFAULT_REMOTE_APP, RelationBuilder, SecretBuilder, UnitBuilder};
pub use self::container::{
    Change, CheckInfo, Container, ContainerBuilder, Exec, ExecCall, FileEntry, Notice,
    ServiceStatus, Task,
};
pub(crate) use self::container::{clean, parent_of, parse_rfc3339, rfc3339};
pub use self::relation::{Bag, Relation};
pub(crate) use self::relation::{default_unit_bag, local_address, remote_address};
pub use self::secret::{Owner, Revision, Secret};
pub(crate) use self::secret::{canonical_uri, check_given, fnv1a, make_xid, parse_secret_id};
use crate::SimError;
use crate::meta::{CharmMeta, Role, check_option};

/// A status as the runtime types it: one of the four a charm sets; `None` for any other word
/// (`unknown`).
pub(crate) fn typed_status(name: &str, message: &str) -> Option<Status> {
    let name = match name {
        "active" => StatusName::Active,
        "waiting" => StatusName::Waiting,
        "maintenance" => StatusName::Maintenance,
        "blocked" => StatusName::Blocked,
        _ => return None,
    };
    Some(Status::new(name, message))
}

/// The Juju version a [`State`] runs unless a test says otherwise
/// ([`State::with_juju_version`]): the 3.6 release whose rules the simulator was first written
/// against. Juju 4.0's rules are one `with_juju_version("4.0.0")` away.
pub const DEFAULT_JUJU_VERSION: &str = "3.6.8";

/// Model identity.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Model {
    /// Model name (the Kubernetes namespace).
    pub name: String,
    /// Model UUID.
    pub uuid: String,
    /// Juju version reported in `JUJU_VERSION`; the version-dependent rules (secret content
    /// limits, the relation of a `-relation-broken` hook in `relation-ids`) follow it.
    pub juju_version: String,
    /// Whether `relation-ids` lists the relation whose `-relation-broken` hook is running:
    /// `None` (the default) as `juju_version` says ([`Model::lists_broken_relation`]),
    /// `Some(_)` to force it either way ([`State::with_broken_relation_listed`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub broken_relation_listed: Option<bool>,
}

impl Model {
    /// Whether `relation-ids` lists the relation whose `-relation-broken` hook is running
    /// (`peer`: whether it is a peer relation). `relation-list` on it is `[]` either way (its
    /// units have all departed) and `relation-get` reads its data either way.
    ///
    /// Unless [`Model::broken_relation_listed`] forces it, this follows `juju_version`:
    /// - before 3.4.4, and 3.5.0–3.5.1: listed. Every relation of the unit's hook context was
    ///   listed; the broken one leaves the context only after its hook.
    /// - 3.4.4–3.4.x and 3.5.2–3.5.4: not listed. juju/juju PR #17464 "Ensure relation-ids
    ///   excludes ids for broken relations" (commit e394e03868, merged 2024-06-06 into the 3.4
    ///   branch at 3.4.4, LP #2024583, in the 3.4.4 and 3.5.2 releases):
    ///   `worker/uniter/runner/context/contextfactory.go` `getContextRelations` marks a relation
    ///   broken when it is dying or suspended and has no members, and `context.go`
    ///   `HookContext.RelationIds` skips it.
    /// - 3.5.5 on (3.6, 4.x): not listed, except a peer relation, which is. PR #18253 "fix:
    ///   always include peer relations in relation-ids" (commit a543ce2657, merged 2024-10-16
    ///   into the 3.5 branch at 3.5.5, LP #2076599): `broken := !isPeer && …`.
    ///
    /// ops hides the relation itself in its `Model.relations` (since ops 2.10, canonical/operator
    /// PR #1091), so only charms that read `relation-ids` directly see the difference.
    pub fn lists_broken_relation(&self, peer: bool) -> bool {
        if let Some(listed) = self.broken_relation_listed {
            return listed;
        }
        self.version().lists_broken_relation(peer)
    }

    /// `juju_version`, parsed. A string that is not a Juju version (a test's `"4"`) counts as
    /// its leading numbers: `4` is 4.0.0, and nothing is 0.0.0.
    pub(crate) fn version(&self) -> JujuVersion {
        self.juju_version.parse().unwrap_or_else(|_| {
            let mut n = self.juju_version.split(['.', '-']).map(|p| p.parse().unwrap_or(0));
            JujuVersion::new(n.next().unwrap_or(0), n.next().unwrap_or(0), n.next().unwrap_or(0))
        })
    }
}

/// Whether Juju `v` predates PR #17464 (broken relations left out of `relation-ids`, whose
/// usage error also changed from `no relation name specified` to `no endpoint name specified`):
/// before 3.4.4, and 3.5.0–3.5.1.
pub(crate) fn before_broken_relation_ids(v: &JujuVersion) -> bool {
    let at = |minor, patch| JujuVersion::new(3, minor, patch);
    *v < at(4, 4) || (at(5, 0)..at(5, 2)).contains(v)
}

/// One unit of the simulated application.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Unit {
    /// Workload status as last set (status, message).
    pub status: (String, String),
    /// Set when the last hook failed: `hook failed: "<hook>"`; cleared by the next success.
    pub hook_error: Option<String>,
    /// Unit state (`state-set`).
    pub kv: BTreeMap<String, String>,
    /// Opened ports, as opened-ports prints them (`80/tcp`, `icmp`).
    pub ports: BTreeSet<String>,
    /// The unit's workload containers by name, as their Pebble holds them
    /// ([`State::insert_container`]).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub containers: BTreeMap<String, Container>,
}

/// One juju-log line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogLine {
    /// Unit name.
    pub unit: String,
    /// Level, upper case (`INFO`).
    pub level: String,
    /// Message, with the relation prefix if Juju adds one.
    pub message: String,
}

/// One status-set call.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusEntry {
    /// `app/0` for a unit status, the application name for `--application`.
    pub target: String,
    /// Status name.
    pub status: String,
    /// Message.
    pub message: String,
}

/// Counters from which ids are allocated.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Counters {
    /// Next relation id.
    pub relation: u64,
    /// Secrets created so far.
    pub secret: u64,
    /// Actions run so far.
    pub action: u64,
    /// Hook contexts started so far.
    pub context: u64,
}

/// The whole model seen by one application.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct State {
    /// The charm's metadata, config schema and actions.
    pub meta: CharmMeta,
    /// Model identity.
    pub model: Model,
    /// Application name.
    pub app: String,
    /// Units by number.
    pub units: BTreeMap<u32, Unit>,
    /// The leader unit, if any.
    pub leader: Option<u32>,
    /// Config values set by the user (unset options fall back to their default).
    pub config: BTreeMap<String, Value>,
    /// Relations by number ([`Relation::id`]; [`Relation::relation_id`] is the whole id).
    pub relations: BTreeMap<u64, Relation>,
    /// Secrets owned by or granted to the application.
    pub secrets: Vec<Secret>,
    /// Attached resources: name → local path.
    pub resources: BTreeMap<String, PathBuf>,
    /// Application status (status, message).
    pub app_status: (String, String),
    /// Every status-set, oldest first.
    pub status_history: Vec<StatusEntry>,
    /// Every juju-log line, oldest first.
    pub juju_log: Vec<LogLine>,
    /// Workload version (`application-version-set`).
    pub workload_version: String,
    /// Leader settings (deprecated `leader-set`).
    pub leader_settings: BTreeMap<String, String>,
    /// Whether the application is trusted (`juju trust`), for credential-get.
    pub trusted: bool,
    /// Cloud spec returned by credential-get when trusted (a default if `None`).
    pub cloud_spec: Option<Value>,
    /// Variables the agent passes through to hooks (e.g. `KUBERNETES_SERVICE_HOST`).
    pub agent_env: BTreeMap<String, String>,
    /// Id counters (relation ids, secrets, actions and hook contexts allocated so far).
    pub(crate) counters: Counters,
}

impl State {
    /// A model named `model` with application `app` of one unit (0), which is the leader.
    pub fn new(meta: CharmMeta, app: &str, model: &str) -> Self {
        let h = fnv1a(model.as_bytes());
        let h2 = fnv1a(&h.to_le_bytes());
        let uuid = format!(
            "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
            h >> 32,
            (h >> 16) & 0xffff,
            h & 0xfff,
            (h2 >> 48) & 0xfff,
            h2 & 0xffff_ffff_ffff
        );
        let mut state = State {
            meta,
            model: Model {
                name: model.into(),
                uuid,
                juju_version: DEFAULT_JUJU_VERSION.into(),
                broken_relation_listed: None,
            },
            app: app.into(),
            units: BTreeMap::new(),
            leader: Some(0),
            config: BTreeMap::new(),
            relations: BTreeMap::new(),
            secrets: Vec::new(),
            resources: BTreeMap::new(),
            app_status: ("unknown".into(), String::new()),
            status_history: Vec::new(),
            juju_log: Vec::new(),
            workload_version: String::new(),
            leader_settings: BTreeMap::new(),
            trusted: false,
            cloud_spec: None,
            agent_env: BTreeMap::new(),
            counters: Counters::default(),
        };
        state.add_unit(0);
        state
    }

    /// A model named `test-model` with the charm's application, named as the metadata names
    /// the charm, of one unit (0), which is the leader: [`Self::new`] with the defaults.
    ///
    /// ```
    /// use juju_sim::{CharmMeta, State};
    ///
    /// let state = State::for_charm(CharmMeta::from_yaml("name: web\n", "", "")?);
    /// assert_eq!((state.app.as_str(), state.model.name.as_str()), ("web", "test-model"));
    /// assert_eq!(state.unit_name(0), "web/0");
    /// assert!(state.is_leader(0));
    /// # Ok::<(), juju_sim::SimError>(())
    /// ```
    pub fn for_charm(meta: CharmMeta) -> Self {
        let app = meta.name.clone();
        Self::new(meta, &app, "test-model")
    }

    /// Checks that Juju could have produced this state: the leader is a unit; every config key
    /// is declared and of its type; every relation is on a declared endpoint of the right kind
    /// (a peer relation on a `peers` endpoint, relating the application to itself) and its
    /// remote units belong to its remote application; every secret has revisions, an owner in
    /// the model (a unit of the application, or an application related to it), and grants on
    /// relations that exist; every attached resource is declared. Every run checks it first
    /// ([`SimError::Inconsistent`]).
    pub fn check_consistency(&self) -> Result<(), SimError> {
        crate::consistency::check(self)
    }

    /// Makes the application have units 0..n (n ≥ 1); the leader is kept if it still exists.
    pub fn with_units(mut self, n: u32) -> Self {
        let n = n.max(1);
        self.units.retain(|k, _| *k < n);
        for i in 0..n {
            self.add_unit(i);
        }
        if self.leader.is_some_and(|l| l >= n) {
            self.leader = None;
        }
        self
    }

    /// Adds unit `n` as `unit` describes it (see [`UnitBuilder`]), or sets up again the unit
    /// the state has as `n`: its status, stored state and open ports are replaced and its
    /// relation bags kept. A new unit gets Juju's address bag in every relation.
    ///
    /// # Errors
    ///
    /// [`SimError::Inconsistent`] for a port `open-port` would refuse.
    pub fn insert_unit(&mut self, n: u32, unit: UnitBuilder) -> Result<(), SimError> {
        let mut ports = BTreeSet::new();
        for port in &unit.ports {
            let normal = normalize_port(port).ok_or_else(|| {
                SimError::Inconsistent(format!(
                    "unit {n}: {port:?} is not a port open-port takes (80, 80/tcp, \
                     8000-8080/udp, icmp)"
                ))
            })?;
            ports.insert(normal);
        }
        self.add_unit(n);
        let record = self.units.get_mut(&n).expect("added above");
        record.status = match unit.status {
            Some(s) => (s.name.as_str().to_owned(), s.message),
            None => ("unknown".into(), String::new()),
        };
        record.kv = unit.stored;
        record.ports = ports;
        Ok(())
    }

    /// [`Self::insert_unit`] (builder form).
    ///
    /// # Panics
    ///
    /// If the state refuses the unit (a fixture error; the message says what to change).
    pub fn with_unit(mut self, n: u32, unit: UnitBuilder) -> Self {
        if let Err(e) = self.insert_unit(n, unit) {
            panic!("with_unit: {e}");
        }
        self
    }

    /// Adds the workload container `container` describes to its unit (see
    /// [`ContainerBuilder`]), or sets it up again if the unit has it.
    ///
    /// # Errors
    ///
    /// [`SimError::Inconsistent`], saying what to change, for a container Juju could not have
    /// made: a name the metadata does not declare under `containers`, a unit the state does not
    /// have, a layer Pebble refuses (with Pebble's message), layers that make no valid plan, or
    /// a file path that is not absolute.
    pub fn insert_container(&mut self, container: ContainerBuilder) -> Result<(), SimError> {
        let name = container.name.clone();
        if !self.meta.containers.contains_key(&name) {
            let declared: Vec<&String> = self.meta.containers.keys().collect();
            return Err(SimError::Inconsistent(format!(
                "container {name:?} is not declared in metadata.yaml (it declares {declared:?})"
            )));
        }
        let unit = container.unit;
        if !self.units.contains_key(&unit) {
            return Err(SimError::Inconsistent(format!(
                "container {name:?} of unit {unit}, which {:?} does not have (it has {:?})",
                self.app,
                self.units.keys().collect::<Vec<_>>()
            )));
        }
        let record = container.build()?;
        self.units.get_mut(&unit).expect("checked above").containers.insert(name, record);
        Ok(())
    }

    /// [`Self::insert_container`] (builder form).
    ///
    /// # Panics
    ///
    /// If the state refuses the container (a fixture error; the message says what to change).
    pub fn with_container(mut self, container: ContainerBuilder) -> Self {
        if let Err(e) = self.insert_container(container) {
            panic!("with_container: {e}");
        }
        self
    }

    /// Unit `unit`'s container `name`, if the state holds it.
    pub fn container(&self, unit: u32, name: &str) -> Option<&Container> {
        self.units.get(&unit)?.containers.get(name)
    }

    /// Unit `unit`'s container `name`, to change between runs.
    pub fn container_mut(&mut self, unit: u32, name: &str) -> Option<&mut Container> {
        self.units.get_mut(&unit)?.containers.get_mut(name)
    }

    /// Sets a config value, as [`Self::set_config`] does (builder form).
    ///
    /// # Panics
    ///
    /// If Juju would refuse it: an undeclared option or a value of the wrong type.
    pub fn with_config(mut self, key: &str, value: impl Into<Value>) -> Self {
        if let Err(e) = self.set_config(key, value.into()) {
            panic!("with_config: {e}");
        }
        self
    }

    /// Trusts the application, as `juju trust <app>` (or `deploy --trust`) does, so
    /// `credential-get` answers (builder form).
    pub fn with_trust(mut self) -> Self {
        self.trusted = true;
        self
    }

    /// Sets the Juju version (`JUJU_VERSION`, and every version-dependent rule) (builder form).
    pub fn with_juju_version(mut self, version: &str) -> Self {
        self.set_juju_version(version);
        self
    }

    /// Sets the Juju version the model runs, e.g. `"3.6.9"` or `"4.0.0"`. The unit bags the
    /// agent writes follow it: `private-address` is there before 4.0 and not from 4.0.
    pub fn set_juju_version(&mut self, version: &str) {
        self.model.juju_version = version.to_owned();
        let juju4 = self.model.version().major() >= 4;
        for r in self.relations.values_mut() {
            let bags = r.local_unit_data.values_mut().chain(r.remote_unit_data.values_mut());
            for bag in bags {
                match (juju4, bag.get("ingress-address").cloned()) {
                    (true, _) => {
                        bag.remove("private-address");
                    }
                    (false, Some(address)) => {
                        bag.entry("private-address".into()).or_insert(address);
                    }
                    (false, None) => {}
                }
            }
        }
    }

    /// Forces whether `relation-ids` lists the relation whose `-relation-broken` hook is running
    /// (`true`: as Juju before 3.4.4 did), whatever the Juju version (builder form); see
    /// [`Model::lists_broken_relation`].
    pub fn with_broken_relation_listed(mut self, listed: bool) -> Self {
        self.model.broken_relation_listed = Some(listed);
        self
    }

    /// Sets the leader (builder form).
    pub fn with_leader(mut self, unit: Option<u32>) -> Self {
        self.set_leader(unit);
        self
    }

    /// Sets the leader unit, or none.
    pub fn set_leader(&mut self, unit: Option<u32>) {
        self.leader = unit;
    }

    /// Whether `unit` is the leader.
    pub fn is_leader(&self, unit: u32) -> bool {
        self.leader == Some(unit)
    }

    /// `app/n`.
    pub fn unit_name(&self, unit: u32) -> String {
        format!("{}/{}", self.app, unit)
    }

    /// Sets (or with `Value::Null` unsets) a config value, checked against config.yaml as Juju
    /// checks `juju config`. A `secret` option takes the secret's URI as a string (e.g. the one
    /// [`Self::add_user_secret`] returned), which config-get prints back unchanged.
    pub fn set_config(&mut self, key: &str, value: Value) -> Result<(), SimError> {
        let opt = self
            .meta
            .options
            .get(key)
            .ok_or_else(|| SimError::Config(format!("unknown option {key:?}")))?;
        if value.is_null() {
            self.config.remove(key);
            return Ok(());
        }
        check_option(opt.kind, &value)
            .map_err(|e| SimError::Config(format!("option {key:?} {e}")))?;
        self.config.insert(key.into(), value);
        Ok(())
    }

    /// The effective value of every option: user value, else default, else null.
    pub fn effective_config(&self) -> BTreeMap<String, Value> {
        self.meta
            .options
            .iter()
            .map(|(k, o)| {
                let v = self.config.get(k).or(o.default.as_ref()).cloned().unwrap_or(Value::Null);
                (k.clone(), v)
            })
            .collect()
    }

    /// Adds a relation on `endpoint` to `remote_app` with `remote_units` units and returns its id.
    /// For a peer endpoint the remote application is this one and `remote_units` is ignored.
    ///
    /// The other side's data is set with [`Self::set_remote_app_data`] and
    /// [`Self::set_remote_unit_data`]; what the charm wrote is read back with
    /// [`Self::local_app_data`] and [`Self::local_unit_data`]:
    ///
    /// ```
    /// use std::collections::BTreeMap;
    ///
    /// use juju_charm::databag::Databag;
    /// use juju_charm::{Charm, Context, Error, Scope};
    /// use juju_sim::{CharmMeta, Event, State, run_in_process};
    /// use serde::{Deserialize, Serialize};
    ///
    /// /// What the other side writes, and what this side answers.
    /// #[derive(Deserialize)]
    /// struct Requested {
    ///     name: String,
    /// }
    ///
    /// #[derive(Serialize)]
    /// struct Provided {
    ///     greeting: String,
    /// }
    ///
    /// struct Greeter;
    ///
    /// impl Charm for Greeter {
    ///     fn reconcile(&mut self, ctx: &mut Context<'_>) -> Result<(), Error> {
    ///         for id in ctx.tools().relation_ids("greeting")? {
    ///             let remote = ctx.tools().relation_list_app(&id)?.unwrap_or_default();
    ///             let requested: Requested =
    ///                 ctx.tools().relation_get(&id, Scope::App, &remote)?.load()?;
    ///             let provided = Provided { greeting: format!("hello, {}", requested.name) };
    ///             ctx.tools().relation_set(&id, Scope::App, &Databag::dump(&provided)?)?;
    ///         }
    ///         Ok(())
    ///     }
    /// }
    ///
    /// let metadata = "name: greeter\nprovides:\n  greeting: {interface: greeting}\n";
    /// let mut state = State::new(CharmMeta::from_yaml(metadata, "", "")?, "greeter", "test");
    /// let id = state.add_relation("greeting", "client", 2);
    /// // Relation data is one JSON value per key, as ops writes it: a string is quoted.
    /// state.set_remote_app_data(&id, BTreeMap::from([("name".into(), r#""alice""#.into())]));
    ///
    /// let event = Event::RelationChanged { id: id.clone(), unit: None };
    /// let out = run_in_process(&mut state, 0, &event, |env, runner| {
    ///     juju_charm::run(env, runner, |_env| Ok(Greeter))
    /// })?;
    /// assert!(out.committed);
    /// let ours = state.local_app_data(&id).expect("the relation exists");
    /// assert_eq!(ours["greeting"], r#""hello, alice""#);
    /// # Ok::<(), juju_sim::SimError>(())
    /// ```
    ///
    /// # Panics
    /// If `endpoint` is not declared in metadata.yaml (a fixture error; see [`Self::try_add_relation`]).
    pub fn add_relation(
        &mut self,
        endpoint: &str,
        remote_app: &str,
        remote_units: u32,
    ) -> RelationId {
        match self.try_add_relation(endpoint, remote_app, remote_units) {
            Ok(id) => id,
            Err(e) => panic!("add_relation: {e}"),
        }
    }

    /// [`Self::add_relation`], returning an error for an undeclared endpoint.
    pub fn try_add_relation(
        &mut self,
        endpoint: &str,
        remote_app: &str,
        remote_units: u32,
    ) -> Result<RelationId, SimError> {
        let mut rel = RelationBuilder::new(endpoint);
        let peer = self.meta.endpoints.get(endpoint).is_some_and(|e| e.role == Role::Peer);
        if !peer {
            rel = rel.remote_app(remote_app).remote_units(remote_units);
        }
        self.insert_relation(rel)
    }

    /// Adds the relation `relation` describes, with Juju's defaults for what it does not say
    /// (see [`RelationBuilder`]), and returns its id.
    ///
    /// # Errors
    ///
    /// [`SimError::Inconsistent`], saying what to change, for a relation Juju could not have
    /// made: an endpoint the metadata does not declare, a number another relation has, remote
    /// data on a peer relation (its members are the application's own units), or data for a
    /// unit the application does not have.
    pub fn insert_relation(&mut self, relation: RelationBuilder) -> Result<RelationId, SimError> {
        let bad = |why: String| Err(SimError::Inconsistent(why));
        let endpoint = relation.endpoint.clone();
        let Some(ep) = self.meta.endpoints.get(&endpoint).cloned() else {
            let declared: Vec<&String> = self.meta.endpoints.keys().collect();
            return bad(format!(
                "endpoint {endpoint:?} not in metadata.yaml (it declares {declared:?})"
            ));
        };
        let peer = ep.role == Role::Peer;
        if peer
            && (relation.remote_app.is_some()
                || relation.remote_units.is_some()
                || !relation.remote_app_data.is_empty()
                || !relation.remote_unit_data.is_empty())
        {
            return bad(format!(
                "{endpoint:?} is a peer endpoint: the relation is with {:?} itself, whose units \
                 are its members; set their bags with local_unit_data",
                self.app
            ));
        }
        if let Some(unit) = relation.local_unit_data.keys().find(|u| !self.units.contains_key(u)) {
            return bad(format!(
                "local_unit_data for unit {unit}, which {:?} does not have (it has {:?}); add it \
                 with with_units or with_unit first",
                self.app,
                self.units.keys().collect::<Vec<_>>()
            ));
        }
        let id = match relation.number {
            Some(n) => {
                if let Some(taken) = self.relations.get(&n) {
                    return bad(format!(
                        "relation number {n} is taken by {}; give {endpoint:?} another id, or \
                         none to take the next free one",
                        taken.key()
                    ));
                }
                n
            }
            None => (self.counters.relation..)
                .find(|n| !self.relations.contains_key(n))
                .expect("a free relation number"),
        };
        self.counters.relation = self.counters.relation.max(id + 1);
        let remote_app = if peer {
            self.app.clone()
        } else {
            relation.remote_app.unwrap_or_else(|| DEFAULT_REMOTE_APP.into())
        };
        let juju4 = self.model.version().major() >= 4;
        let mut rel = Relation {
            id,
            endpoint,
            interface: ep.interface,
            role: ep.role,
            remote_app,
            remote_model_uuid: self.model.uuid.clone(),
            remote_units: Vec::new(),
            local_app_data: relation.local_app_data,
            local_unit_data: BTreeMap::new(),
            remote_app_data: relation.remote_app_data,
            remote_unit_data: BTreeMap::new(),
        };
        let mut given = relation.local_unit_data;
        for u in self.units.keys() {
            let mut bag = default_unit_bag(&local_address(*u), juju4);
            bag.extend(given.remove(u).unwrap_or_default());
            rel.local_unit_data.insert(*u, bag);
        }
        if !peer {
            let mut given = relation.remote_unit_data;
            let count = relation.remote_units.unwrap_or(1);
            let units: BTreeSet<u32> = (0..count).chain(given.keys().copied()).collect();
            for i in units {
                let name = format!("{}/{i}", rel.remote_app);
                let mut bag = default_unit_bag(&remote_address(id, i), juju4);
                bag.extend(given.remove(&i).unwrap_or_default());
                rel.remote_unit_data.insert(name.clone(), bag);
                rel.remote_units.push(name);
            }
        }
        let relation_id = rel.relation_id();
        self.relations.insert(id, rel);
        Ok(relation_id)
    }

    /// [`Self::insert_relation`] (builder form).
    ///
    /// # Panics
    ///
    /// If the state refuses the relation (a fixture error; the message says what to change).
    pub fn with_relation(mut self, relation: RelationBuilder) -> Self {
        if let Err(e) = self.insert_relation(relation) {
            panic!("with_relation: {e}");
        }
        self
    }

    /// Removes a relation and its data.
    ///
    /// # Panics
    ///
    /// If the state has no relation `id` (no relation of its number, or one on another
    /// endpoint), as every fixture that takes a relation id does.
    pub fn remove_relation(&mut self, id: &RelationId) {
        self.relation_mut(id, "remove_relation");
        self.relations.remove(&id.number);
    }

    /// Replaces the remote application's bag.
    ///
    /// # Panics
    ///
    /// If the state has no relation `id`.
    pub fn set_remote_app_data(&mut self, id: &RelationId, data: BTreeMap<String, String>) {
        self.relation_mut(id, "set_remote_app_data").remote_app_data = data;
    }

    /// The relation `id` names: the one of its number, if that relation is on its endpoint.
    pub fn relation(&self, id: &RelationId) -> Option<&Relation> {
        self.relations.get(&id.number).filter(|r| r.is(id))
    }

    /// Why the state holds no relation `id` (`None` if it does): no relation of its number, or
    /// one on another endpoint. Names the ids the state holds.
    pub(crate) fn why_no_relation(&self, id: &RelationId) -> Option<String> {
        let known: Vec<String> = self.relations.values().map(Relation::key).collect();
        match self.relations.get(&id.number) {
            Some(r) if r.is(id) => None,
            Some(r) => Some(format!(
                "relation {id} is not in the state: relation {} is on endpoint {:?} (it holds \
                 {known:?})",
                id.number, r.endpoint
            )),
            None => Some(format!("relation {id} is not in the state (it holds {known:?})")),
        }
    }

    /// The relation `id`, for fixture `what`, which panics when there is none (no relation of
    /// its number, or one on another endpoint): a test that names a relation the model does not
    /// hold has a bug to fix, not a run to make.
    fn relation_mut(&mut self, id: &RelationId, what: &str) -> &mut Relation {
        if let Some(why) = self.why_no_relation(id) {
            panic!("{what}: {why}; add_relation returns the id of each relation it adds");
        }
        self.relations.get_mut(&id.number).expect("checked above")
    }

    /// Replaces a remote unit's bag (the unit joins if it was not in the relation). For a peer
    /// relation, `unit` names a unit of this application and its local bag is replaced.
    ///
    /// # Panics
    ///
    /// If the state has no relation `id`.
    pub fn set_remote_unit_data(
        &mut self,
        id: &RelationId,
        unit: &str,
        data: BTreeMap<String, String>,
    ) {
        let r = self.relation_mut(id, "set_remote_unit_data");
        if r.is_peer() {
            if let Some(n) = unit.rsplit_once('/').and_then(|(_, n)| n.parse().ok()) {
                r.local_unit_data.insert(n, data);
            }
            return;
        }
        if !r.remote_units.iter().any(|u| u == unit) {
            r.remote_units.push(unit.into());
        }
        r.remote_unit_data.insert(unit.into(), data);
    }

    /// The local application's bag; `None` if the state has no relation `id` (no relation of
    /// its number, or one on another endpoint).
    pub fn local_app_data(&self, id: &RelationId) -> Option<&BTreeMap<String, String>> {
        self.relation(id).map(|r| &r.local_app_data)
    }

    /// A local unit's bag; `None` if the state has no relation `id` (as for
    /// [`Self::local_app_data`]) or the unit no bag in it.
    pub fn local_unit_data(&self, id: &RelationId, unit: u32) -> Option<&BTreeMap<String, String>> {
        self.relation(id).and_then(|r| r.local_unit_data.get(&unit))
    }

    /// Ids of relations on `endpoint`, by ascending number.
    pub fn relation_ids(&self, endpoint: &str) -> Vec<RelationId> {
        self.relations
            .values()
            .filter(|r| r.endpoint == endpoint)
            .map(Relation::relation_id)
            .collect()
    }

    /// Attaches a resource (resource-get prints `path`).
    pub fn add_resource(&mut self, name: &str, path: &Path) {
        self.resources.insert(name.into(), path.to_path_buf());
    }

    /// The unit's status as `juju status` shows it: `error` after a failed hook.
    pub fn unit_status(&self, unit: u32) -> (String, String) {
        match self.units.get(&unit) {
            Some(Unit { hook_error: Some(e), .. }) => ("error".into(), e.clone()),
            Some(u) => u.status.clone(),
            None => ("unknown".into(), String::new()),
        }
    }

    /// The application status.
    pub fn app_status(&self) -> (String, String) {
        self.app_status.clone()
    }

    /// The workload status `unit` last set, as the runtime types it; `None` while it is
    /// `unknown` (never set) or for a unit the model does not have. A failed hook does not
    /// change it: Juju shows `error` beside it ([`Unit::hook_error`]).
    pub fn unit_status_typed(&self, unit: u32) -> Option<Status> {
        let (name, message) = &self.units.get(&unit)?.status;
        typed_status(name, message)
    }

    /// The application status the leader last set, as the runtime types it; `None` while it
    /// is `unknown`.
    pub fn app_status_typed(&self) -> Option<Status> {
        typed_status(&self.app_status.0, &self.app_status.1)
    }

    /// Every secret owned by or granted to the application.
    pub fn secrets(&self) -> &[Secret] {
        &self.secrets
    }

    /// The secret with this owner-side (or consumer) label.
    pub fn secret_by_label(&self, label: &str) -> Option<&Secret> {
        self.secrets.iter().find(|s| s.label.as_deref() == Some(label))
    }

    /// The secret with this id (`secret:<xid>`, `secret://…/<xid>` or bare xid).
    pub fn secret(&self, id: &str) -> Option<&Secret> {
        let xid = parse_secret_id(id)?;
        self.secrets.iter().find(|s| s.id == xid)
    }

    /// Adds a committed secret (revision 1 = `content`) and returns its bare xid. Use
    /// `Owner::Remote` for a secret another application granted to this one.
    pub fn add_secret(
        &mut self,
        owner: Owner,
        label: Option<&str>,
        content: BTreeMap<String, String>,
    ) -> String {
        let id = self.new_xid();
        self.secrets.push(Secret {
            label: label.map(str::to_owned),
            ..Secret::first(id.clone(), owner, content)
        });
        id
    }

    /// Adds the secret `secret` describes, with Juju's defaults for what it does not say (see
    /// [`SecretBuilder`]), and returns its URI, `secret:<xid>`.
    ///
    /// # Errors
    ///
    /// [`SimError::Inconsistent`], saying what to change, for a secret Juju could not hold: a
    /// revision with no content, or content over the size limits of the model's Juju version
    /// (as for secret-add); an owner or tracking unit the application does not have, or a
    /// tracked revision the secret does not have; a grant of a secret the application does not
    /// own, or on a relation the state does not hold, or to someone not in it; a user secret
    /// with no name, a name another user secret has, or `granted` on a secret that is not a
    /// user secret.
    pub fn insert_secret(&mut self, secret: SecretBuilder) -> Result<String, SimError> {
        let bad = |why: String| Err(SimError::Inconsistent(why));
        let limits = juju_charm::rules::SecretLimits::for_version(&self.model.version());
        for (i, content) in secret.revisions.iter().enumerate() {
            if content.is_empty() {
                return bad(format!("secret revision {} has no content", i + 1));
            }
            check_given(limits, content).map_err(|e| {
                SimError::Inconsistent(format!(
                    "secret revision {}: {e} (Juju {} refuses it)",
                    i + 1,
                    self.model.juju_version
                ))
            })?;
        }
        let units: Vec<u32> = self.units.keys().copied().collect();
        if let Owner::Unit(n) = secret.owner
            && !self.units.contains_key(&n)
        {
            return bad(format!(
                "the secret's owner is unit {n}, which the state does not have (it has {units:?})"
            ));
        }
        let last = secret.revisions.len() as u64;
        for (unit, revision) in &secret.tracked {
            if !self.units.contains_key(unit) {
                return bad(format!(
                    "tracked_by unit {unit}, which the state does not have (it has {units:?})"
                ));
            }
            if *revision == 0 || *revision > last {
                return bad(format!(
                    "tracked_by({unit}, {revision}): the secret has revisions 1 to {last}"
                ));
            }
        }
        let owned = matches!(secret.owner, Owner::App | Owner::Unit(_));
        let mut grants: BTreeMap<u64, Vec<String>> = BTreeMap::new();
        for (id, to) in &secret.grants {
            if !owned {
                return bad(format!(
                    "grant on {id}: only the secret's owner grants it, and the \
                                    application does not own this one"
                ));
            }
            if let Some(why) = self.why_no_relation(id) {
                return bad(format!("grant: {why}"));
            }
            let rel = &self.relations[&id.number];
            if *to != rel.remote_app && !rel.remote_units.contains(to) {
                return bad(format!(
                    "grant on {id} to {to:?}, which is not in it (it relates {:?}, units {:?})",
                    rel.remote_app, rel.remote_units
                ));
            }
            let names = grants.entry(id.number).or_default();
            if !names.contains(to) {
                names.push(to.clone());
            }
        }
        let mut app_grants = BTreeSet::new();
        match (&secret.owner, &secret.name) {
            (Owner::Model, None) => {
                return bad("a user secret needs a name; build it with SecretBuilder::user".into());
            }
            (Owner::Model, Some(name)) => {
                let taken = self
                    .secrets
                    .iter()
                    .any(|s| s.owner == Owner::Model && s.name.as_deref() == Some(name));
                if taken {
                    return bad(format!("a user secret named {name:?} already exists"));
                }
                if secret.granted {
                    app_grants.insert(self.app.clone());
                }
            }
            (_, Some(_)) => {
                return bad(
                    "only a user secret has a name; build it with SecretBuilder::user".into()
                );
            }
            (_, None) if secret.granted => {
                return bad("granted() is for user secrets; an application shares its own \
                            secrets with grant()"
                    .into());
            }
            (_, None) => {}
        }
        let id = self.new_xid();
        let revisions = (1..)
            .zip(secret.revisions)
            .map(|(revision, content)| Revision { revision, content })
            .collect();
        let tracked = secret.tracked.iter().map(|(u, r)| (self.unit_name(*u), *r)).collect();
        let uri = format!("secret:{id}");
        self.secrets.push(Secret {
            id,
            owner: secret.owner,
            label: secret.label,
            description: secret.description,
            expire: secret.expire,
            rotate: secret.rotate,
            revisions,
            tracked,
            grants,
            name: secret.name,
            app_grants,
            seen: BTreeMap::new(),
        });
        Ok(uri)
    }

    /// [`Self::insert_secret`] (builder form).
    ///
    /// # Panics
    ///
    /// If the state refuses the secret (a fixture error; the message says what to change).
    pub fn with_secret(mut self, secret: SecretBuilder) -> Self {
        if let Err(e) = self.insert_secret(secret) {
            panic!("with_secret: {e}");
        }
        self
    }

    /// Adds a user secret as `juju add-secret <name> key=value…` does and returns its URI,
    /// `secret:<xid>`, as the command prints it. Revision 1 holds `content`. The model owns it; no
    /// unit can read it until it is granted to the application ([`Self::grant_secret`]).
    ///
    /// # Panics
    /// If Juju would refuse it (see [`Self::try_add_user_secret`]); a fixture error.
    pub fn add_user_secret(&mut self, name: &str, content: BTreeMap<String, String>) -> String {
        match self.try_add_user_secret(name, content) {
            Ok(uri) => uri,
            Err(e) => panic!("add_user_secret: {e}"),
        }
    }

    /// [`Self::add_user_secret`], returning Juju's refusal instead: an empty name, no content
    /// (`empty secret value not valid`), a key that is not valid (`key "X" not valid`), content
    /// over the size limits of the model's Juju version (as for secret-add, e.g.
    /// `secret content for key "k" too large: N bytes` before 3.6.9), or a name another user
    /// secret already has (`secret with label "x" already exists`).
    pub fn try_add_user_secret(
        &mut self,
        name: &str,
        content: BTreeMap<String, String>,
    ) -> Result<String, SimError> {
        if name.is_empty() {
            return Err(SimError::Secret("missing secret name".into()));
        }
        check_user_content(self.model.version(), &content)?;
        if self.secrets.iter().any(|s| s.owner == Owner::Model && s.name.as_deref() == Some(name)) {
            return Err(SimError::Secret(format!("secret with label {name:?} already exists")));
        }
        let id = self.new_xid();
        self.secrets.push(Secret {
            name: Some(name.to_owned()),
            ..Secret::first(id.clone(), Owner::Model, content)
        });
        Ok(format!("secret:{id}"))
    }

    /// Makes a new revision of a user secret, as `juju update-secret <uri> key=value…` does, and
    /// returns its number. Juju 3.6 compares nothing here: identical content is a new revision
    /// too. Consumers keep their tracked revision; see [`Self::pending_secret_changed`].
    pub fn update_user_secret(
        &mut self,
        uri: &str,
        content: BTreeMap<String, String>,
    ) -> Result<u64, SimError> {
        check_user_content(self.model.version(), &content)?;
        let secret = self.user_secret_mut(uri)?;
        let revision = secret.latest().map_or(1, |r| r.revision + 1);
        secret.revisions.push(Revision { revision, content });
        Ok(revision)
    }

    /// Grants `app` `view` of a user secret, as `juju grant-secret <uri> <app>` does. Every unit
    /// of a granted application can read it. Granting twice is a no-op.
    pub fn grant_secret(&mut self, uri: &str, app: &str) -> Result<(), SimError> {
        if app.is_empty() {
            return Err(SimError::Secret("missing application name".into()));
        }
        self.user_secret_mut(uri)?.app_grants.insert(app.to_owned());
        Ok(())
    }

    /// Revokes `app`'s access to a user secret, as `juju revoke-secret <uri> <app>` does. Its
    /// units keep their tracked revisions but `secret-get` fails with `permission denied`.
    pub fn revoke_secret(&mut self, uri: &str, app: &str) -> Result<(), SimError> {
        self.user_secret_mut(uri)?.app_grants.remove(app);
        Ok(())
    }

    /// Removes a user secret and every revision, as `juju remove-secret <uri>` does. Consumers
    /// get no hook; their next `secret-get` fails with `not found`.
    pub fn remove_user_secret(&mut self, uri: &str) -> Result<(), SimError> {
        let xid = self.user_secret_mut(uri)?.id.clone();
        self.secrets.retain(|s| s.id != xid);
        Ok(())
    }

    /// URIs (`secret:<xid>`) of the secrets for which Juju would now run `secret-changed` on
    /// `unit`, oldest secret first: secrets of another owner (user secrets while granted, and
    /// `Owner::Remote` ones) that the unit has read at least once, whose latest revision is 2 or
    /// more and differs from the revision of the last `secret-changed` the unit ran for it.
    /// Running `Event::SecretChanged { id }` successfully on the unit clears the entry. (Juju's
    /// rule, so a first read of a secret already at revision 2 or later is followed by one
    /// `secret-changed` too; see the module docs of `state::secret`.)
    pub fn pending_secret_changed(&self, unit: u32) -> Vec<String> {
        let me = self.unit_name(unit);
        self.secrets
            .iter()
            .filter(|s| match &s.owner {
                Owner::Model => s.app_grants.contains(&self.app),
                Owner::Remote { .. } => true,
                Owner::App | Owner::Unit(_) => false,
            })
            .filter(|s| s.tracked.contains_key(&me))
            .filter(|s| {
                let latest = s.latest().map_or(0, |r| r.revision);
                latest >= 2 && s.seen.get(&me).copied().unwrap_or(0) != latest
            })
            .map(Secret::uri)
            .collect()
    }

    /// Every juju-log line so far.
    pub fn juju_log(&self) -> &[LogLine] {
        &self.juju_log
    }

    /// The user secret with this URI, or Juju's `not found`.
    fn user_secret_mut(&mut self, uri: &str) -> Result<&mut Secret, SimError> {
        let shown = canonical_uri(uri)
            .ok_or_else(|| SimError::Secret(format!("secret URI {uri:?} not valid")))?;
        let xid = parse_secret_id(uri).unwrap_or_default();
        let secret = self
            .secrets
            .iter_mut()
            .find(|s| s.id == xid)
            .ok_or_else(|| SimError::Secret(format!("secret {shown:?} not found")))?;
        if secret.owner != Owner::Model {
            return Err(SimError::Secret(format!("secret {shown:?} is not a user secret")));
        }
        Ok(secret)
    }

    pub(crate) fn new_xid(&mut self) -> String {
        self.counters.secret += 1;
        make_xid(&self.model.uuid, self.counters.secret)
    }

    fn add_unit(&mut self, n: u32) {
        if self.units.contains_key(&n) {
            return;
        }
        self.units.insert(n, Unit { status: ("unknown".into(), String::new()), ..Unit::default() });
        let juju4 = self.model.version().major() >= 4;
        for r in self.relations.values_mut() {
            let bag = || default_unit_bag(&local_address(n), juju4);
            r.local_unit_data.entry(n).or_insert_with(bag);
        }
    }
}

/// The content checks of `juju add-secret` / `juju update-secret` (core/secrets
/// `CreateSecretData`, as for secret-add): every key valid and the size limits of the model's
/// Juju version, each value given as `key=value`; then some content.
fn check_user_content(
    version: JujuVersion,
    content: &BTreeMap<String, String>,
) -> Result<(), SimError> {
    check_given(juju_charm::rules::SecretLimits::for_version(&version), content)
        .map_err(SimError::Secret)?;
    if content.is_empty() {
        return Err(SimError::Secret("empty secret value not valid".into()));
    }
    Ok(())
}
