//! Relations as the simulator stores them: one record per relation id with every databag, seen
//! from this application's side.
//!
//! Peer relations keep no remote units of their own: their members are the other units of the
//! application, so adding a unit adds a peer without touching the relation.

use std::collections::BTreeMap;

use juju_charm::RelationId;
use serde::{Deserialize, Serialize};

use crate::meta::Role;

/// A relation databag: string keys to string values.
pub type Bag = BTreeMap<String, String>;

/// One relation (regular or peer) of the simulated application.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Relation {
    /// The relation's number (`JUJU_RELATION_ID` is `<endpoint>:<id>`); the key of
    /// [`State::relations`](crate::State::relations). [`Relation::relation_id`] is the whole id.
    pub id: u64,
    /// Local endpoint name.
    pub endpoint: String,
    /// Interface name from metadata.yaml.
    pub interface: String,
    /// Role of the local endpoint.
    pub role: Role,
    /// Remote application (own application for peers).
    pub remote_app: String,
    /// UUID of the remote application's model.
    pub remote_model_uuid: String,
    /// Remote units currently in the relation (unused for peers).
    pub remote_units: Vec<String>,
    /// The local application's bag.
    pub local_app_data: Bag,
    /// Each local unit's bag, by unit number.
    pub local_unit_data: BTreeMap<u32, Bag>,
    /// The remote application's bag (unused for peers).
    pub remote_app_data: Bag,
    /// Each remote unit's bag, by unit name; kept after the unit departs.
    pub remote_unit_data: BTreeMap<String, Bag>,
}

impl Relation {
    /// Whether this is a peer relation.
    pub fn is_peer(&self) -> bool {
        self.role == Role::Peer
    }

    /// The relation's id, `<endpoint>:<id>`: what the fixtures of [`State`](crate::State) and
    /// the relation variants of [`Event`](crate::Event) take.
    pub fn relation_id(&self) -> RelationId {
        RelationId { endpoint: self.endpoint.clone(), number: self.id }
    }

    /// `<endpoint>:<id>`, as relation-ids prints it.
    pub fn key(&self) -> String {
        self.relation_id().to_string()
    }

    /// Whether `id` names this relation: its number and its endpoint.
    pub(crate) fn is(&self, id: &RelationId) -> bool {
        self.id == id.number && self.endpoint == id.endpoint
    }
}

/// The bag Juju pre-populates for a unit: addresses only.
///
/// Juju 4 (`juju4`) no longer writes `private-address`, which Juju 3 still wrote beside
/// `ingress-address` for charms of the Juju 1 era.
pub(crate) fn default_unit_bag(address: &str, juju4: bool) -> Bag {
    let mut bag = Bag::new();
    bag.insert("egress-subnets".into(), format!("{address}/32"));
    bag.insert("ingress-address".into(), address.into());
    if !juju4 {
        bag.insert("private-address".into(), address.into());
    }
    bag
}

/// The address of local unit `n`.
pub(crate) fn local_address(n: u32) -> String {
    format!("10.1.0.{}", 10 + n % 240)
}

/// The address of remote unit `i` of relation `id`.
pub(crate) fn remote_address(id: u64, i: u32) -> String {
    format!("10.2.{}.{}", id % 250, 10 + i % 240)
}
