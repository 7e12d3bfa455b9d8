//! The consistency check: a [`State`] Juju could not produce fails before any hook runs, with
//! what is wrong, as ops.testing's consistency checker does. The hook tools would otherwise
//! answer it in ways no real model can (a relation on an endpoint the charm does not have, a
//! leader that is not a unit), and a test would pass against a model that cannot exist.
//!
//! Every check reads the state and its [`CharmMeta`](crate::CharmMeta) only; the fixtures that
//! build a state (`add_relation`, `set_config`, ...) already refuse most of these, so this
//! catches what a test wrote into the public fields by hand.

use juju_charm::rules::{JujuVersion, SecretUri};

use crate::SimError;
use crate::meta::{Role, check_option};
use crate::state::{Owner, State};

/// Why `state` is one Juju could not produce, if it is.
pub(crate) fn check(state: &State) -> Result<(), SimError> {
    let bad = |why: String| Err(SimError::Inconsistent(why));
    if state.model.juju_version.parse::<JujuVersion>().is_err() {
        return bad(format!(
            "Juju version {:?} is not a version (major.minor.patch, as JUJU_VERSION)",
            state.model.juju_version
        ));
    }
    if state.units.is_empty() {
        return bad("the application has no unit".into());
    }
    if let Some(leader) = state.leader.filter(|l| !state.units.contains_key(l)) {
        return bad(format!("the leader is unit {leader}, which the application does not have"));
    }
    for (key, value) in &state.config {
        let Some(option) = state.meta.options.get(key) else {
            return bad(format!("config option {key:?} is not declared in config.yaml"));
        };
        if let Err(why) = check_option(option.kind, value) {
            return bad(format!("config option {key:?}: {why}"));
        }
    }
    if let Some(name) = state.resources.keys().find(|n| !state.meta.resources.contains_key(*n)) {
        return bad(format!("resource {name:?} is not declared in metadata.yaml"));
    }
    check_relations(state)?;
    check_secrets(state)?;
    check_containers(state)
}

/// Every container is one the metadata declares, and its layers make a plan Pebble accepts.
fn check_containers(state: &State) -> Result<(), SimError> {
    for (unit, u) in &state.units {
        for (name, container) in &u.containers {
            if !state.meta.containers.contains_key(name) {
                let declared: Vec<&String> = state.meta.containers.keys().collect();
                return Err(SimError::Inconsistent(format!(
                    "unit {unit} has container {name:?}, which metadata.yaml does not declare \
                     (it declares {declared:?})"
                )));
            }
            if let Err(e) = container.plan() {
                return Err(SimError::Inconsistent(format!(
                    "container {name:?} of unit {unit}: its layers make no plan Pebble accepts: {e}"
                )));
            }
        }
    }
    Ok(())
}

fn check_relations(state: &State) -> Result<(), SimError> {
    let bad = |why: String| Err(SimError::Inconsistent(why));
    for (id, r) in &state.relations {
        if *id != r.id {
            return bad(format!("relation {id} holds the id {}", r.id));
        }
        let Some(endpoint) = state.meta.endpoints.get(&r.endpoint) else {
            return bad(format!(
                "relation {id} is on endpoint {:?}, which metadata.yaml does not declare",
                r.endpoint
            ));
        };
        if endpoint.role != r.role {
            let (declared, used) = (role_word(endpoint.role), role_word(r.role));
            return bad(format!(
                "relation {id}: endpoint {:?} is declared under {declared}, not {used}",
                r.endpoint
            ));
        }
        if r.role == Role::Peer && r.remote_app != state.app {
            return bad(format!(
                "peer relation {id} relates to {:?}: a peer relation joins the units of {:?}",
                r.remote_app, state.app
            ));
        }
        if r.role != Role::Peer && r.remote_app == state.app {
            return bad(format!(
                "relation {id} on {:?} relates the application to itself, which only a peer \
                 endpoint does",
                r.endpoint
            ));
        }
        if let Some(unit) = r.local_unit_data.keys().find(|u| !state.units.contains_key(u)) {
            return bad(format!("relation {id} has a databag for unit {unit}, not in the model"));
        }
        let prefix = format!("{}/", r.remote_app);
        let stranger = r.remote_units.iter().chain(r.remote_unit_data.keys()).find(|u| {
            u.strip_prefix(&prefix)
                .is_none_or(|n| n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()))
        });
        if let Some(unit) = stranger {
            return bad(format!(
                "relation {id}: remote unit {unit:?} is not a unit of {:?}",
                r.remote_app
            ));
        }
    }
    Ok(())
}

fn check_secrets(state: &State) -> Result<(), SimError> {
    let bad = |why: String| Err(SimError::Inconsistent(why));
    for s in &state.secrets {
        let uri = format!("secret:{}", s.id);
        if uri.parse::<SecretUri>().is_err() {
            return bad(format!("secret id {:?} is not a Juju secret id", s.id));
        }
        if s.revisions.is_empty() {
            return bad(format!("secret {uri} has no revision"));
        }
        if s.revisions.windows(2).any(|w| w[0].revision >= w[1].revision) {
            return bad(format!("secret {uri}: revisions are not in increasing order"));
        }
        match &s.owner {
            Owner::Unit(n) if !state.units.contains_key(n) => {
                return bad(format!("secret {uri} is owned by unit {n}, not in the model"));
            }
            // Another application grants its secret over a relation with this one: a secret
            // no relation could have brought is one the charm could not see.
            Owner::Remote { app } if !state.relations.values().any(|r| &r.remote_app == app) => {
                return bad(format!(
                    "secret {uri} is owned by {app:?}, which has no relation with {:?} to \
                     grant it over",
                    state.app
                ));
            }
            _ => {}
        }
        if let Some(id) = s.grants.keys().find(|id| !state.relations.contains_key(id)) {
            return bad(format!("secret {uri} is granted on relation {id}, not in the model"));
        }
    }
    Ok(())
}

fn role_word(role: Role) -> &'static str {
    match role {
        Role::Peer => "peers",
        Role::Provides => "provides",
        Role::Requires => "requires",
    }
}
