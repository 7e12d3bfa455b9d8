//! Generated secrets and the `object-storage` relation.
//!
//! The object-storage secret key (unless `secret-key` is set) and the OIDC client secret are 30
//! characters `[A-Z0-9]` from the random source (the format of the Python minio and
//! oidc-gatekeeper charms, without their Mersenne Twister), made once by the leader and kept in
//! the material secret ([`Stored`], content keys `secret-key` and `oidc-client-secret`). A value
//! is made only when it is missing, or when `rotate-secret` asks for it; every later hook, unit
//! and leader reuses it. A generated key that is no longer needed (the option was set) is kept,
//! so clearing the option brings the same key back.
//!
//! This area delivers them as the Secrets `mlpipeline-minio-artifact` and
//! `oidc-authservice-client`, and serves the object-storage requirers ([`super::object_storage`]
//! is the wire format). A bad option holds only what uses it: a short `secret-key` holds the
//! relations and the MinIO Secret as they are, while the OIDC Secret is still delivered.

use juju_charm::tools::{ActionValue, SecretContent};
use juju_charm::{HookToolError, Scope, SecretString};

use super::object_storage::{self, Credentials, Relation, Standing};
use super::{Area, AreaPlan, Input, KubeReads, Observe, PlanError, Planned, unless_gone};
use crate::config::Config;
use crate::material::{Keys, Material, Part, put_key, take_key};
use crate::random::{self, Entropy};
use juju_charm::status::Status;

const SECRET_KEY: &str = "secret-key";
const OIDC_CLIENT_SECRET: &str = "oidc-client-secret";

/// The Secret MinIO's clients read.
pub const MINIO_SECRET: &str = "mlpipeline-minio-artifact";
/// The Secret the OIDC authservice reads.
pub const OIDC_SECRET: &str = "oidc-authservice-client";

/// This area's material.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stored {
    /// The generated object-storage secret key.
    pub secret_key: Option<SecretString>,
    /// The generated OIDC client secret.
    pub oidc_client_secret: Option<SecretString>,
}

impl Keys for Stored {
    fn take(content: &mut SecretContent) -> Self {
        Self {
            secret_key: take_key(content, SECRET_KEY),
            oidc_client_secret: take_key(content, OIDC_CLIENT_SECRET),
        }
    }

    fn put(&self, content: &mut SecretContent) {
        put_key(content, SECRET_KEY, self.secret_key.as_ref());
        put_key(content, OIDC_CLIENT_SECRET, self.oidc_client_secret.as_ref());
    }
}

/// The object-storage secret key in effect: config when set and valid, else the generated one.
pub fn object_storage_key<'a>(config: &'a Config, m: &'a Stored) -> Option<&'a SecretString> {
    match &config.secret_key {
        Ok(Some(key)) => Some(key),
        Ok(None) => m.secret_key.as_ref(),
        Err(_) => None,
    }
}

/// This area's values for `get-credentials`, or why they cannot be given.
pub fn credentials(
    config: &Config,
    m: &Stored,
) -> Result<Vec<(&'static str, ActionValue)>, String> {
    let problem = |p: &crate::config::ConfigProblem| p.message.clone();
    let access_key = config.access_key.as_ref().map_err(problem)?;
    config.secret_key.as_ref().map_err(problem)?;
    let client_id = config.oidc_client_id.as_ref().map_err(problem)?;
    let (Some(secret_key), Some(client_secret)) =
        (object_storage_key(config, m), m.oidc_client_secret.as_ref())
    else {
        return Err(super::NOT_GENERATED.into());
    };
    Ok(vec![
        ("access-key", ActionValue::from(access_key.as_str())),
        ("secret-key", ActionValue::Secret(secret_key.clone())),
        ("oidc-client-id", ActionValue::from(client_id.as_str())),
        ("oidc-client-secret", ActionValue::Secret(client_secret.clone())),
    ])
}

/// The generated secrets and object-storage area.
#[derive(Debug, Default)]
pub struct Generated {
    relations: Vec<Relation>,
}

impl Generated {
    /// An area that observed these relations (tests).
    pub fn with(relations: Vec<Relation>) -> Self {
        Self { relations }
    }
}

impl Area for Generated {
    fn name(&self) -> &'static str {
        "generated secrets"
    }

    fn kube_reads(&self) -> KubeReads {
        KubeReads { secrets: true, ..KubeReads::default() }
    }

    fn observe(&mut self, juju: &Observe<'_>) -> Result<(), HookToolError> {
        let tools = juju.tools;
        for id in super::live_relation_ids(tools, juju.event, object_storage::ENDPOINT)? {
            let Some(remote_app) = unless_gone(tools.relation_list_app(&id))? else { continue };
            let remote_versions = match &remote_app {
                Some(remote) => match unless_gone(tools.relation_get(&id, Scope::App, remote))? {
                    Some(mut bag) => bag.remove("_supported_versions"),
                    None => continue,
                },
                None => None,
            };
            let Some(local) = unless_gone(tools.relation_get(&id, Scope::App, juju.app))? else {
                continue;
            };
            self.relations.push(Relation { id, remote_app, remote_versions, local });
        }
        Ok(())
    }

    fn plan(&self, input: &Input<'_>, material: &Material, rng: &mut dyn Entropy) -> Planned {
        let config = input.config;
        let mut m = material.generated.clone();
        let need_key = matches!(config.secret_key, Ok(None));
        let fresh =
            |rng: &mut dyn Entropy| random::string(rng, random::UPPER_ALNUM, random::SECRET_LEN);
        if m.oidc_client_secret.is_none() || input.intent.rotates(OIDC_CLIENT_SECRET) {
            m.oidc_client_secret = Some(fresh(rng)?);
        }
        if (need_key && m.secret_key.is_none()) || input.intent.rotates(SECRET_KEY) {
            m.secret_key = Some(fresh(rng)?);
        }
        let mut plan = AreaPlan::default();
        let secret_key = object_storage_key(config, &m);
        self.plan_relations(input, secret_key, &mut plan)?;
        if let (Ok(access_key), Some(secret_key)) = (&config.access_key, secret_key) {
            // The values leave their redacting types here: they are the Secret's content.
            let data = vec![
                ("accesskey", access_key.as_bytes()),
                ("secretkey", secret_key.expose().as_bytes()),
            ];
            plan.kube
                .extend(input.secret_write(input.secret(MINIO_SECRET, "Opaque", data), vec![]));
        }
        if let (Ok(client_id), Some(client_secret)) =
            (&config.oidc_client_id, &m.oidc_client_secret)
        {
            let data = vec![
                ("CLIENT_ID", client_id.as_bytes()),
                ("CLIENT_SECRET", client_secret.expose().as_bytes()),
            ];
            plan.kube.extend(input.secret_write(input.secret(OIDC_SECRET, "Opaque", data), vec![]));
        }
        plan.material = Some(Part::Generated(m));
        Ok(plan)
    }
}

impl Generated {
    /// The object-storage relations: data for those that speak v1, nothing for the others.
    fn plan_relations(
        &self,
        input: &Input<'_>,
        secret_key: Option<&SecretString>,
        plan: &mut AreaPlan,
    ) -> Result<(), PlanError> {
        let config = input.config;
        let creds = match (
            &config.access_key,
            secret_key,
            &config.object_storage_service,
            &config.object_storage_port,
            input.namespace,
        ) {
            (Ok(access_key), Some(secret_key), Ok(service), Ok(port), Some(namespace)) => {
                Some(Credentials { access_key, secret_key, service, port: *port, namespace })
            }
            // A bad option: every relation stays as it is.
            _ => None,
        };
        let mut incompatible = Vec::new();
        let mut served = 0usize;
        for rel in &self.relations {
            let p = object_storage::plan(rel, creds.as_ref()).map_err(|e| {
                PlanError::Serialise { what: "object-storage data", why: e.to_string() }
            })?;
            match p.standing {
                Standing::Served => served += 1,
                Standing::Incompatible(app) => incompatible.push(app),
                Standing::Waiting | Standing::Held => {}
            }
            if let Some(bag) = p.write {
                plan.info(format!("updated the object-storage data on relation {}", rel.id));
                plan.relations.push((rel.id.clone(), bag));
            }
        }
        if !incompatible.is_empty() {
            incompatible.sort();
            incompatible.dedup();
            plan.status.add(Status::blocked(format!(
                "No compatible object-storage versions found for apps: {}",
                incompatible.join(", ")
            )));
        }
        if served > 0 {
            plan.status.note(format!("object-storage: {served} served"));
        }
        Ok(())
    }
}

/// What the generated values are named in `rotate-secret`, with whether config owns them.
pub fn rotation_target(config: &Config, name: &str) -> Option<bool> {
    match name {
        SECRET_KEY => Some(!matches!(config.secret_key, Ok(None))),
        OIDC_CLIENT_SECRET => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::areas::tests::{input_for, run_area};
    use crate::random::tests::Seeded;
    use juju_charm::RelationId;
    use juju_charm::databag::Databag;
    use serde_json::json;

    fn v1(n: u64, app: &str) -> Relation {
        Relation {
            id: RelationId { endpoint: "object-storage".into(), number: n },
            remote_app: Some(app.into()),
            remote_versions: Some("- v1\n".into()),
            local: Databag::default(),
        }
    }

    fn is_secret_format(v: &SecretString) -> bool {
        v.len() == 30 && v.expose().bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    }

    #[test]
    fn values_are_made_once_and_kept() {
        let (m, plan) = run_area(&Generated::default(), json!({}), None, &Default::default(), 1);
        assert!(is_secret_format(m.generated.secret_key.as_ref().expect("key")));
        assert!(is_secret_format(m.generated.oidc_client_secret.as_ref().expect("oidc")));
        assert_eq!(plan.kube.len(), 2);
        let (again, _) =
            run_area(&Generated::default(), json!({}), Some(&m), &Default::default(), 2);
        assert_eq!(again.generated, m.generated);
        // Not needing the key any more keeps it, too.
        let (set, _) = run_area(
            &Generated::default(),
            json!({"secret-key": "configured-key"}),
            Some(&m),
            &Default::default(),
            2,
        );
        assert_eq!(set.generated, m.generated);
    }

    #[test]
    fn a_configured_key_is_not_generated() {
        let (m, _) = run_area(
            &Generated::default(),
            json!({"secret-key": "12345678"}),
            None,
            &Default::default(),
            1,
        );
        assert_eq!(m.generated.secret_key, None);
        assert!(m.generated.oidc_client_secret.is_some());
    }

    #[test]
    fn rotation_changes_only_the_named_value() {
        let (m, _) = run_area(&Generated::default(), json!({}), None, &Default::default(), 1);
        let intent = crate::areas::Intent {
            rotate: Some("oidc-client-secret".into()),
            ..Default::default()
        };
        let (r, _) = run_area(&Generated::default(), json!({}), Some(&m), &intent, 2);
        assert_ne!(r.generated.oidc_client_secret, m.generated.oidc_client_secret);
        assert_eq!(r.generated.secret_key, m.generated.secret_key);
    }

    #[test]
    fn a_short_key_holds_the_relations_and_the_minio_secret_only() {
        let mut rel = v1(1, "kfp-api");
        rel.local = Databag::from_iter([("data", "old")]);
        let area = Generated::with(vec![rel, v1(2, "other")]);
        let (_, plan) =
            run_area(&area, json!({"secret-key": "short"}), None, &Default::default(), 1);
        assert!(plan.relations.is_empty(), "relation data must stay as it is");
        let names: Vec<_> = plan.kube.iter().map(|w| w.object().name).collect();
        assert_eq!(names, [OIDC_SECRET], "the OIDC Secret is still delivered");
    }

    #[test]
    fn incompatible_requirers_are_named_sorted_and_the_others_served() {
        let mut a = v1(1, "zeta");
        a.remote_versions = Some("- v2\n".into());
        let mut b = v1(2, "argo-controller");
        b.remote_versions = Some("- v0\n".into());
        let area = Generated::with(vec![a, b, v1(3, "kfp")]);
        let (_, plan) = run_area(&area, json!({}), None, &Default::default(), 1);
        assert_eq!(
            plan.status.resolve(),
            Status::blocked(
                "No compatible object-storage versions found for apps: argo-controller, zeta"
            )
        );
        assert_eq!(plan.relations.len(), 1, "the compatible one is still served");
    }

    #[test]
    fn the_same_seed_makes_the_same_plan() {
        let area = Generated::with(vec![v1(1, "kfp-api")]);
        let fixture = input_for(json!({}));
        let plan = |seed| {
            let m = Material::default();
            area.plan(&fixture.input(), &m, &mut Seeded::new(seed)).expect("plan")
        };
        assert_eq!(plan(5), plan(5));
        assert!(plan(5).material.is_some());
        assert_ne!(plan(5).material, plan(6).material);
    }
}
