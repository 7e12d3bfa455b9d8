//! Actions (`contract.md` §5): `get-credentials` and `rotate-secret`.
//!
//! Both are leader-only: on another unit they fail with the contract's message and change
//! nothing. Each runs the same observe/plan/apply as a hook (so the material exists, and a
//! rotated value reaches the relation data in the same transaction), then reports. Results are
//! never logged; `get-credentials` passes its secret values to `action-set`, the one place a
//! secret goes on argv, because `action-set` takes no file or stdin (`contract.md` §10).

use std::collections::BTreeMap;

use juju::tools::ActionValue;
use juju::{HookTools, JujuContext};

use crate::generated::Key;
use crate::random::Entropy;
use crate::reconcile::{self, Observed, Plan};

/// The `action-fail` message of a leader-only action run on another unit.
pub const LEADER_ONLY: &str = "this action must run on the leader unit";

/// Runs the action `name`.
pub fn run(
    tools: &HookTools<'_>,
    ctx: &JujuContext,
    name: &str,
    rng: &mut dyn Entropy,
) -> anyhow::Result<()> {
    match name {
        "get-credentials" => get_credentials(tools, ctx, rng),
        "rotate-secret" => rotate_secret(tools, ctx, rng),
        other => Ok(tools.action_fail(&format!("unknown action '{other}'"))?),
    }
}

fn get_credentials(
    tools: &HookTools<'_>,
    ctx: &JujuContext,
    rng: &mut dyn Entropy,
) -> anyhow::Result<()> {
    let obs = reconcile::observe(tools, ctx)?;
    if !obs.leader {
        return Ok(tools.action_fail(LEADER_ONLY)?);
    }
    let plan = reconcile::plan(&obs, None, rng)?;
    reconcile::apply(tools, &plan)?;
    match credentials(&obs, &plan) {
        Ok(results) => tools.action_set(&results)?,
        Err(message) => tools.action_fail(&message)?,
    }
    Ok(())
}

/// The results of `get-credentials`, or the config problem that prevents them.
fn credentials(obs: &Observed, plan: &Plan) -> Result<BTreeMap<String, ActionValue>, String> {
    let config = &obs.config;
    let generated = plan.generated.as_ref().ok_or("no generated secrets on this unit")?;
    let problem = |p: &crate::config::ConfigProblem| p.message.clone();
    let access_key = config.access_key.as_ref().map_err(problem)?;
    let secret_key = reconcile::object_storage_key(config, generated);
    let secret_key = match (&config.secret_key, secret_key) {
        (Err(p), _) => return Err(problem(p)),
        (Ok(_), None) => return Err("the object-storage secret key is not available".into()),
        (Ok(_), Some(k)) => k,
    };
    let client_id = config.oidc_client_id.as_ref().map_err(problem)?;
    let client_secret =
        generated.value(Key::OidcClientSecret).ok_or("the OIDC client secret is not available")?;
    Ok(BTreeMap::from([
        ("access-key".to_owned(), ActionValue::from(access_key.as_str())),
        ("secret-key".to_owned(), ActionValue::Secret(secret_key.clone())),
        ("oidc-client-id".to_owned(), ActionValue::from(client_id.as_str())),
        ("oidc-client-secret".to_owned(), ActionValue::Secret(client_secret.clone())),
    ]))
}

fn rotate_secret(
    tools: &HookTools<'_>,
    ctx: &JujuContext,
    rng: &mut dyn Entropy,
) -> anyhow::Result<()> {
    let params = tools.action_get()?;
    let name = params.get("name").and_then(|v| v.as_str()).unwrap_or_default().to_owned();
    let obs = reconcile::observe(tools, ctx)?;
    if !obs.leader {
        return Ok(tools.action_fail(LEADER_ONLY)?);
    }
    let key = match name.as_str() {
        "secret-key" => Key::SecretKey,
        "oidc-client-secret" => Key::OidcClientSecret,
        other => {
            return Ok(tools.action_fail(&format!(
                "cannot rotate '{other}': name must be one of secret-key, oidc-client-secret"
            ))?);
        }
    };
    // A value set in config (valid or not) belongs to the operator.
    let from_config = key == Key::SecretKey && !matches!(obs.config.secret_key, Ok(None));
    if from_config {
        return Ok(
            tools.action_fail(&format!("'{name}' is set in config; change it with juju config"))?
        );
    }
    let plan = reconcile::plan(&obs, Some(key), rng)?;
    reconcile::apply(tools, &plan)?;
    log::info!("rotated '{name}'");
    tools
        .action_set(&BTreeMap::from([("rotated".to_owned(), ActionValue::from(name.as_str()))]))?;
    Ok(())
}
