//! Builders for the parts of a [`State`](crate::State) a test sets up: relations, secrets and
//! units, each with Juju's defaults for what the test does not say.
//!
//! A builder only records what the test asked for. The state turns it into its records when it
//! is inserted (`State::insert_relation`, `insert_secret`, `insert_unit`, or the chaining
//! `with_relation`, `with_secret`, `with_unit`), because the defaults depend on the state: the
//! relation's number and the addresses Juju writes into unit bags, the interface and role from the
//! metadata, the secret's id in the model, the Juju version whose rules apply. Mistakes Juju could
//! never make (data for a unit that is not there, a grant on a relation that does not exist) are
//! refused there, with what to change.
//!
//! The defaults are Scenario's (ops.testing) where Juju leaves a choice: a relation's remote
//! application is `remote` with one unit, `remote/0`; a secret is owned by the application under
//! test; a unit's status is `unknown` with nothing stored and no port open.

use std::collections::{BTreeMap, BTreeSet};

use juju_charm::{RelationId, Status};

use super::relation::Bag;
use super::secret::Owner;

/// The remote application a [`RelationBuilder`] relates to unless told otherwise (Scenario's
/// default, too).
pub const DEFAULT_REMOTE_APP: &str = "remote";

/// A relation to add to a [`State`](crate::State), with Juju's defaults for what is not set.
///
/// By default the relation is with application [`DEFAULT_REMOTE_APP`] (`remote`) and its one
/// unit `remote/0`; every bag Juju pre-populates holds its addresses (`ingress-address`,
/// `egress-subnets`, and `private-address` before Juju 4.0) and the application bags are empty.
/// The data a test gives is merged over those defaults. On a `peers` endpoint the relation is
/// with the application itself: its members are the application's units, whose bags are set
/// with [`Self::local_unit_data`].
///
/// ```
/// use juju_sim::{CharmMeta, RelationBuilder, State};
///
/// let meta = CharmMeta::from_yaml("name: db\nprovides:\n  db: {interface: pgsql}\n", "", "")?;
/// let mut state = State::for_charm(meta);
/// let id = state.insert_relation(
///     RelationBuilder::new("db")
///         .remote_app("webapp")
///         .remote_units(2)
///         .remote_app_data([("database", "orders")])
///         .remote_unit_data(1, [("role", "replica")]),
/// )?;
/// let relation = state.relation(&id).expect("inserted");
/// assert_eq!(relation.remote_units, ["webapp/0", "webapp/1"]);
/// assert_eq!(relation.remote_app_data["database"], "orders");
/// assert_eq!(relation.remote_unit_data["webapp/1"]["role"], "replica");
/// assert!(relation.remote_unit_data["webapp/1"].contains_key("ingress-address"));
/// # Ok::<(), juju_sim::SimError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use = "a builder does nothing until the state inserts it"]
pub struct RelationBuilder {
    pub(crate) endpoint: String,
    pub(crate) number: Option<u64>,
    pub(crate) remote_app: Option<String>,
    pub(crate) remote_units: Option<u32>,
    pub(crate) remote_app_data: Bag,
    pub(crate) remote_unit_data: BTreeMap<u32, Bag>,
    pub(crate) local_app_data: Bag,
    pub(crate) local_unit_data: BTreeMap<u32, Bag>,
}

impl RelationBuilder {
    /// A relation on the charm's endpoint `endpoint`, with every default.
    pub fn new(endpoint: impl Into<String>) -> Self {
        Self {
            endpoint: endpoint.into(),
            number: None,
            remote_app: None,
            remote_units: None,
            remote_app_data: Bag::new(),
            remote_unit_data: BTreeMap::new(),
            local_app_data: Bag::new(),
            local_unit_data: BTreeMap::new(),
        }
    }

    /// Gives the relation this number (`JUJU_RELATION_ID` is `<endpoint>:<number>`), so a test
    /// can write its id before inserting it. By default it takes the next free number.
    pub fn id(mut self, number: u64) -> Self {
        self.number = Some(number);
        self
    }

    /// The remote application's name (default [`DEFAULT_REMOTE_APP`]).
    pub fn remote_app(mut self, name: impl Into<String>) -> Self {
        self.remote_app = Some(name.into());
        self
    }

    /// Makes the remote units `<remote app>/0` … `/<n - 1>` (default: one unit). `0` relates
    /// the application alone, as after every remote unit departed; units given data with
    /// [`Self::remote_unit_data`] are in the relation either way.
    pub fn remote_units(mut self, n: u32) -> Self {
        self.remote_units = Some(n);
        self
    }

    /// Sets keys of the remote application's bag.
    pub fn remote_app_data<K: Into<String>, V: Into<String>>(
        mut self,
        data: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        extend(&mut self.remote_app_data, data);
        self
    }

    /// Sets keys of remote unit `<remote app>/<unit>`'s bag, over the addresses Juju writes; the
    /// unit is in the relation.
    pub fn remote_unit_data<K: Into<String>, V: Into<String>>(
        mut self,
        unit: u32,
        data: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        extend(self.remote_unit_data.entry(unit).or_default(), data);
        self
    }

    /// Sets keys of this application's bag, as the leader left them in an earlier hook.
    pub fn local_app_data<K: Into<String>, V: Into<String>>(
        mut self,
        data: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        extend(&mut self.local_app_data, data);
        self
    }

    /// Sets keys of this application's unit `unit`'s bag (for a peer relation: that member's),
    /// over the addresses Juju writes. The unit must be one of the state's.
    pub fn local_unit_data<K: Into<String>, V: Into<String>>(
        mut self,
        unit: u32,
        data: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        extend(self.local_unit_data.entry(unit).or_default(), data);
        self
    }

    /// The endpoint the relation is on.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The id the relation will have, if [`Self::id`] fixed its number.
    pub fn relation_id(&self) -> Option<RelationId> {
        self.number.map(|number| RelationId { endpoint: self.endpoint.clone(), number })
    }
}

/// A secret to add to a [`State`](crate::State), with Juju's defaults for what is not set.
///
/// By default the application under test owns it ([`Owner::App`]), with one revision holding
/// the content given, no label, no metadata, no grants and no consumer. Build a secret another
/// application shared with [`Self::owner`] (`Owner::Remote`, which the state accepts only with a
/// relation to that application, as Juju shares secrets over relations), and a user secret with
/// [`Self::user`]. Inserting it returns its URI, `secret:<xid>`, what `JUJU_SECRET_ID` and a
/// config option of type `secret` carry.
///
/// ```
/// use juju_sim::{CharmMeta, Owner, RelationBuilder, SecretBuilder, State};
///
/// let meta = CharmMeta::from_yaml("name: web\nrequires:\n  db: {interface: pgsql}\n", "", "")?;
/// let mut state = State::for_charm(meta)
///     .with_relation(RelationBuilder::new("db").remote_app("postgresql"));
/// // postgresql shared a secret, rotated it since, and unit 0 still reads revision 1.
/// let uri = state.insert_secret(
///     SecretBuilder::new([("password", "one")])
///         .owner(Owner::Remote { app: "postgresql".into() })
///         .revision([("password", "two")])
///         .tracked_by(0, 1),
/// )?;
/// assert_eq!(state.pending_secret_changed(0), [uri.clone()]);
/// let secret = state.secret(&uri).expect("inserted");
/// assert_eq!(secret.latest().map(|r| r.revision), Some(2));
/// # Ok::<(), juju_sim::SimError>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
#[must_use = "a builder does nothing until the state inserts it"]
pub struct SecretBuilder {
    pub(crate) owner: Owner,
    pub(crate) revisions: Vec<Bag>,
    pub(crate) label: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) expire: Option<String>,
    pub(crate) rotate: Option<String>,
    pub(crate) tracked: BTreeMap<u32, u64>,
    pub(crate) grants: Vec<(RelationId, String)>,
    pub(crate) name: Option<String>,
    pub(crate) granted: bool,
}

/// Shows everything but the content, which a test's failure output must not print.
impl std::fmt::Debug for SecretBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let keys: Vec<Vec<&String>> = self.revisions.iter().map(|r| r.keys().collect()).collect();
        f.debug_struct("SecretBuilder")
            .field("owner", &self.owner)
            .field("revision_keys", &keys)
            .field("label", &self.label)
            .field("description", &self.description)
            .field("expire", &self.expire)
            .field("rotate", &self.rotate)
            .field("tracked", &self.tracked)
            .field("grants", &self.grants)
            .field("name", &self.name)
            .field("granted", &self.granted)
            .finish()
    }
}

impl SecretBuilder {
    /// A secret the application owns whose revision 1 holds `content`.
    pub fn new<K: Into<String>, V: Into<String>>(
        content: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        let mut first = Bag::new();
        extend(&mut first, content);
        Self {
            owner: Owner::App,
            revisions: vec![first],
            label: None,
            description: None,
            expire: None,
            rotate: None,
            tracked: BTreeMap::new(),
            grants: Vec::new(),
            name: None,
            granted: false,
        }
    }

    /// A user secret, as `juju add-secret <name> key=value…` makes it: the model owns it, and
    /// the application may read it only once it is [`granted`](Self::granted).
    pub fn user<K: Into<String>, V: Into<String>>(
        name: impl Into<String>,
        content: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        Self { owner: Owner::Model, name: Some(name.into()), ..Self::new(content) }
    }

    /// Who owns it (default [`Owner::App`]).
    pub fn owner(mut self, owner: Owner) -> Self {
        self.owner = owner;
        self
    }

    /// Adds a revision holding `content`, which becomes the latest.
    pub fn revision<K: Into<String>, V: Into<String>>(
        mut self,
        content: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        let mut next = Bag::new();
        extend(&mut next, content);
        self.revisions.push(next);
        self
    }

    /// Its label: the owner's label for a secret the application owns, this application's
    /// consumer label for one it was shared.
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// Its description (`secret-add --description`).
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Its expiry, as `secret-add --expire` was given it (an RFC 3339 time or a duration).
    pub fn expire(mut self, expire: impl Into<String>) -> Self {
        self.expire = Some(expire.into());
        self
    }

    /// Its rotation policy (`never`, `hourly`, `daily`, `weekly`, `monthly`, `quarterly`,
    /// `yearly`).
    pub fn rotate(mut self, policy: impl Into<String>) -> Self {
        self.rotate = Some(policy.into());
        self
    }

    /// Unit `unit` of the application has read it and tracks revision `revision`, as after a
    /// `secret-get` in an earlier hook. While a later revision exists, Juju has a
    /// `secret-changed` due for that unit ([`State::pending_secret_changed`](crate::State::pending_secret_changed)).
    pub fn tracked_by(mut self, unit: u32, revision: u64) -> Self {
        self.tracked.insert(unit, revision);
        self
    }

    /// Grants `view` over relation `id` to `to` (the remote application's name, or one of its
    /// units), as `secret-grant` did in an earlier hook. Only for a secret the application
    /// owns.
    pub fn grant(mut self, id: &RelationId, to: impl Into<String>) -> Self {
        self.grants.push((id.clone(), to.into()));
        self
    }

    /// A user secret ([`Self::user`]) the operator granted to the application
    /// (`juju grant-secret <secret> <app>`).
    pub fn granted(mut self) -> Self {
        self.granted = true;
        self
    }
}

/// A unit of the application to add to a [`State`](crate::State), or to set up again.
///
/// By default its status is `unknown` (as before its first hook), nothing is stored with
/// `state-set` and no port is open.
///
/// ```
/// use juju_charm::Status;
/// use juju_sim::{CharmMeta, State, UnitBuilder};
///
/// let meta = CharmMeta::from_yaml("name: web\n", "", "")?;
/// let state = State::for_charm(meta)
///     .with_unit(1, UnitBuilder::new().status(Status::active("")).stored("seen", "3").port("8080/tcp"));
/// assert_eq!(state.unit_status_typed(1), Some(Status::active("")));
/// assert_eq!(state.units[&1].kv["seen"], "3");
/// assert!(state.units[&1].ports.contains("8080/tcp"));
/// assert!(state.is_leader(0));
/// # Ok::<(), juju_sim::SimError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[must_use = "a builder does nothing until the state inserts it"]
pub struct UnitBuilder {
    pub(crate) status: Option<Status>,
    pub(crate) stored: Bag,
    pub(crate) ports: BTreeSet<String>,
}

impl UnitBuilder {
    /// A unit with every default.
    pub fn new() -> Self {
        Self::default()
    }

    /// Its workload status, as an earlier hook set it.
    pub fn status(mut self, status: Status) -> Self {
        self.status = Some(status);
        self
    }

    /// A key of its unit state, as an earlier hook's `state-set` left it.
    pub fn stored(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.stored.insert(key.into(), value.into());
        self
    }

    /// A port it opened: `80`, `80/tcp`, `8000-8080/udp` or `icmp`, as `open-port` takes it.
    pub fn port(mut self, port: impl Into<String>) -> Self {
        self.ports.insert(port.into());
        self
    }
}

/// `open-port`'s port or range (`80`, `80/tcp`, `8000-8080/udp`, `icmp`) in the form
/// `opened-ports` prints it; `None` if it is not one.
pub(crate) fn normalize_port(spec: &str) -> Option<String> {
    if spec.eq_ignore_ascii_case("icmp") {
        return Some("icmp".into());
    }
    let (range, proto) = match spec.split_once('/') {
        Some((r, p)) => (r, p.to_ascii_lowercase()),
        None => (spec, "tcp".to_owned()),
    };
    if proto != "tcp" && proto != "udp" {
        return None;
    }
    let (from, to) = match range.split_once('-') {
        Some((f, t)) => (f.parse::<u16>().ok()?, t.parse::<u16>().ok()?),
        None => {
            let p = range.parse::<u16>().ok()?;
            (p, p)
        }
    };
    if from == 0 || to < from {
        return None;
    }
    Some(if from == to { format!("{from}/{proto}") } else { format!("{from}-{to}/{proto}") })
}

fn extend<K: Into<String>, V: Into<String>>(bag: &mut Bag, data: impl IntoIterator<Item = (K, V)>) {
    bag.extend(data.into_iter().map(|(k, v)| (k.into(), v.into())));
}
