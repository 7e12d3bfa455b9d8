//! Actions (`contract.md` §5).
//!
//! `get-credentials`, `rotate-secret` and `renew-certificates` are leader-only: on another unit
//! they fail with the contract's message and change nothing. `get-ca-certificate` and
//! `list-certificates` work on any unit: the leader answers from the reconcile it runs first,
//! other units from the application's Juju secret, which every unit of the application can read.
//! An action that changes material runs the same observe/plan/apply as a hook, so the change
//! reaches the relations and Kubernetes in the same transaction. Results are never logged;
//! `get-credentials` passes its secret values to `action-set`, the one place a secret goes on
//! argv, because `action-set` takes no file or stdin (`contract.md` §10).

use std::collections::BTreeMap;

use juju::tools::ActionValue;

use crate::certs;
use crate::charm::Hook;
use crate::generated::Key;
use crate::reconcile::{self, Intent, Observed, Plan};
use crate::webhooks::{self, Force};

/// The `action-fail` message of a leader-only action run on another unit.
pub const LEADER_ONLY: &str = "this action must run on the leader unit";

/// Runs the action `name`.
pub fn run(hook: &mut Hook<'_>, name: &str) -> anyhow::Result<()> {
    match name {
        "get-credentials" => get_credentials(hook),
        "rotate-secret" => rotate_secret(hook),
        "get-ca-certificate" => get_ca_certificate(hook),
        "list-certificates" => list_certificates(hook),
        "renew-certificates" => renew_certificates(hook),
        "verify-resources" => verify_resources(hook),
        other => Ok(hook.tools.action_fail(&format!("unknown action '{other}'"))?),
    }
}

fn results(pairs: Vec<(&str, ActionValue)>) -> BTreeMap<String, ActionValue> {
    pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

fn get_credentials(hook: &mut Hook<'_>) -> anyhow::Result<()> {
    if !hook.tools.is_leader()? {
        return Ok(hook.tools.action_fail(LEADER_ONLY)?);
    }
    let (obs, plan) = hook.reconcile(Intent::default())?;
    match credentials(&obs, &plan) {
        Ok(r) => hook.tools.action_set(&r)?,
        Err(message) => hook.tools.action_fail(&message)?,
    }
    Ok(())
}

/// The results of `get-credentials`, or the config problem that prevents them.
fn credentials(obs: &Observed, plan: &Plan) -> Result<BTreeMap<String, ActionValue>, String> {
    let config = &obs.config;
    let generated = plan.generated.as_ref().ok_or("no generated secrets on this unit")?;
    let problem = |p: &crate::config::ConfigProblem| p.message.clone();
    let access_key = config.access_key.as_ref().map_err(problem)?;
    let secret_key = match (&config.secret_key, reconcile::object_storage_key(config, generated)) {
        (Err(p), _) => return Err(problem(p)),
        (Ok(_), None) => return Err("the object-storage secret key is not available".into()),
        (Ok(_), Some(k)) => k,
    };
    let client_id = config.oidc_client_id.as_ref().map_err(problem)?;
    let client_secret =
        generated.value(Key::OidcClientSecret).ok_or("the OIDC client secret is not available")?;
    let username = config.static_username.as_ref().map_err(problem)?;
    config.static_password.as_ref().map_err(problem)?;
    config.bcrypt_cost.as_ref().map_err(problem)?;
    let dex = plan.dex.as_ref().ok_or("the Dex static password is not available")?;
    Ok(results(vec![
        ("static-username", ActionValue::from(username.as_str())),
        ("static-password", ActionValue::Secret(dex.password.clone())),
        ("access-key", ActionValue::from(access_key.as_str())),
        ("secret-key", ActionValue::Secret(secret_key.clone())),
        ("oidc-client-id", ActionValue::from(client_id.as_str())),
        ("oidc-client-secret", ActionValue::Secret(client_secret.clone())),
    ]))
}

fn rotate_secret(hook: &mut Hook<'_>) -> anyhow::Result<()> {
    let params = hook.tools.action_get()?;
    let name = params.get("name").and_then(|v| v.as_str()).unwrap_or_default().to_owned();
    if !hook.tools.is_leader()? {
        return Ok(hook.tools.action_fail(LEADER_ONLY)?);
    }
    let config = crate::config::Config::parse(hook.tools.config_get()?);
    // A value set in config (valid or not) belongs to the operator.
    let (intent, in_config) = match name.as_str() {
        "secret-key" => (
            Intent { rotate: Some(Key::SecretKey), ..Intent::default() },
            !matches!(config.secret_key, Ok(None)),
        ),
        "oidc-client-secret" => {
            (Intent { rotate: Some(Key::OidcClientSecret), ..Intent::default() }, false)
        }
        "static-password" => (
            Intent { rotate_dex_password: true, ..Intent::default() },
            !matches!(config.static_password, Ok(None)),
        ),
        other => {
            let msg = format!(
                "cannot rotate '{other}': name must be one of secret-key, oidc-client-secret, static-password"
            );
            return Ok(hook.tools.action_fail(&msg)?);
        }
    };
    if in_config {
        return Ok(hook
            .tools
            .action_fail(&format!("'{name}' is set in config; change it with juju config"))?);
    }
    hook.reconcile(intent)?;
    log::info!("rotated '{name}'");
    hook.tools.action_set(&results(vec![("rotated", ActionValue::from(name.as_str()))]))?;
    Ok(())
}

fn renew_certificates(hook: &mut Hook<'_>) -> anyhow::Result<()> {
    let params = hook.tools.action_get()?;
    let rotate_ca = params.get("rotate-ca").and_then(serde_json::Value::as_bool).unwrap_or(false);
    if !hook.tools.is_leader()? {
        return Ok(hook.tools.action_fail(LEADER_ONLY)?);
    }
    let (obs, plan) = hook.reconcile(Intent {
        force: Force { renew_leaves: true, rotate_ca },
        ..Intent::default()
    })?;
    match &plan.certificates {
        Some(certs) => {
            let count = certs.renewed() + plan.tls.iter().map(|p| p.signed).sum::<usize>();
            log::info!("renewed {count} certificates (rotate-ca={rotate_ca})");
            let renewed = count.to_string();
            hook.tools.action_set(&results(vec![("renewed", ActionValue::from(renewed))]))?;
        }
        None => hook.tools.action_fail(&cert_config_problem(&obs))?,
    }
    Ok(())
}

fn cert_config_problem(obs: &Observed) -> String {
    let c = &obs.config;
    [
        c.webhooks.as_ref().err(),
        c.ca_common_name.as_ref().err(),
        c.ca_validity_days.as_ref().err(),
        c.certificate_validity_days.as_ref().err(),
        c.key_algorithm.as_ref().err(),
        c.namespace.as_ref().err(),
    ]
    .into_iter()
    .flatten()
    .map(|p| p.message.clone())
    .next()
    .unwrap_or_else(|| "no certificates are configured".into())
}

/// The CA bundle, and each webhook's name with its certificate (PEM).
/// (name, source, certificate PEM) of every issued certificate.
type CurrentCertificates = (String, Vec<(String, String, String)>);

/// The CA and leaves as they are now: from the reconcile on the leader, from the stored Juju
/// secret elsewhere.
fn current_certificates(hook: &mut Hook<'_>) -> anyhow::Result<Option<CurrentCertificates>> {
    if hook.tools.is_leader()? {
        let (_, plan) = hook.reconcile(Intent::default())?;
        let relation_certs: Vec<(String, String, String)> = plan
            .tls
            .iter()
            .flat_map(|p| {
                p.served.iter().map(|c| {
                    let info = certs::inspect(&c.certificate).ok();
                    let name = info
                        .and_then(|i| i.subject_cn.or_else(|| i.dns_names.first().cloned()))
                        .unwrap_or_default();
                    (name, format!("relation:{}", p.id.number), c.certificate.clone())
                })
            })
            .collect();
        return Ok(plan.certificates.map(|c| {
            let mut all: Vec<(String, String, String)> = c
                .leaves
                .iter()
                .map(|l| (l.spec.name.clone(), "webhook".to_owned(), l.issued.cert_pem.clone()))
                .collect();
            all.extend(relation_certs);
            (c.bundle, all)
        }));
    }
    let Some(stored) = crate::store::read(&hook.tools, crate::store::LABEL)? else {
        return Ok(None);
    };
    let Some((ca, previous)) = webhooks::stored_ca(&stored) else { return Ok(None) };
    let mut bundle = webhooks::bundle(&ca, previous.as_deref(), hook.now);
    if let Some(extra) = stored.get(crate::resources::EXTRA_CA_KEY) {
        bundle.push_str(extra.expose());
    }
    let config = crate::config::Config::parse(hook.tools.config_get()?);
    let leaves = config
        .webhooks
        .unwrap_or_default()
        .iter()
        .filter_map(|spec| {
            webhooks::stored_leaf(&stored, &spec.name)
                .map(|l| (spec.name.clone(), "webhook".to_owned(), l.cert_pem))
        })
        .collect();
    Ok(Some((bundle, leaves)))
}

fn get_ca_certificate(hook: &mut Hook<'_>) -> anyhow::Result<()> {
    match current_certificates(hook)? {
        Some((bundle, _)) => {
            hook.tools.action_set(&results(vec![("ca-certificate", ActionValue::from(bundle))]))?;
        }
        None => hook.tools.action_fail("no CA has been issued yet")?,
    }
    Ok(())
}

fn list_certificates(hook: &mut Hook<'_>) -> anyhow::Result<()> {
    let Some((_, leaves)) = current_certificates(hook)? else {
        return Ok(hook.tools.action_fail("no certificates have been issued yet")?);
    };
    let mut list = Vec::new();
    for (name, source, pem) in leaves {
        let info = certs::inspect(&pem)?;
        list.push(serde_json::json!({
            "name": name,
            "source": source,
            "dns-names": info.dns_names,
            "serial": info.serial_hex,
            "not-after": info.not_after_rfc3339(),
        }));
    }
    let json = serde_json::to_string(&list)?;
    hook.tools.action_set(&results(vec![("certificates", ActionValue::from(json))]))?;
    Ok(())
}

/// `verify-resources`: fetch and verify every pinned resource now (on the leader, the outcome is
/// also recorded, like on the hooks that verify); fails when any is not ok.
fn verify_resources(hook: &mut Hook<'_>) -> anyhow::Result<()> {
    let verification = if hook.tools.is_leader()? {
        let (obs, _) = hook.reconcile(Intent { verify_resources: true, ..Intent::default() })?;
        obs.verification
    } else {
        let config = crate::config::Config::parse(hook.tools.config_get()?);
        config.resource_checksums.ok().map(|pinned| crate::resources::verify(&hook.tools, &pinned))
    };
    let Some(v) = verification else {
        return Ok(hook.tools.action_fail("the resource-checksums config is not valid")?);
    };
    let list: Vec<serde_json::Value> = v
        .resources
        .iter()
        .map(|r| {
            serde_json::json!({
                "name": r.name, "algorithm": r.algorithm, "expected": r.expected,
                "actual": r.actual, "ok": r.ok,
            })
        })
        .collect();
    let json = serde_json::to_string(&list)?;
    hook.tools.action_set(&results(vec![("resources", ActionValue::from(json))]))?;
    let failed: Vec<&str> = v.resources.iter().filter(|r| !r.ok).map(|r| r.name.as_str()).collect();
    if !failed.is_empty() {
        hook.tools.action_fail(&format!("resource verification failed: {}", failed.join(", ")))?;
    }
    Ok(())
}
