//! Actions (the README's Actions section).
//!
//! The read-only actions, `get-ca-certificate`, `list-certificates`, `get-credentials` and
//! `verify-resources`, answer from the stored material, the config and (on the leader) the relation
//! data: they create no material, make no Kubernetes request, no relation write and no secret
//! revision, so they work while the API server is failing. Before the leader's first hook made the
//! material, `get-credentials` fails with `the credentials are not generated yet`. `rotate-secret`
//! and `renew-certificates` change material: they run the same reconcile as a hook, with an intent,
//! so the change reaches the relations and Kubernetes in the same hook. `get-credentials`,
//! `rotate-secret` and `renew-certificates` are leader-only: elsewhere they fail with `this action
//! must run on the leader unit` and change nothing. Results are never logged; `get-credentials`
//! passes its secret values to `action-set`, the one place a secret goes on argv, because
//! `action-set` takes no file or stdin (juju/juju `worker/uniter/runner/jujuc/action-set.go`
//! registers no flags).

use std::collections::BTreeMap;

use juju_charm::tools::ActionValue;

use crate::areas::{self, Intent, Renew, dex, generated, resources, tls_provider, webhooks};
use crate::certs;
use crate::charm::Hook;
use crate::config::Config;
use crate::material::Material;
use crate::store;

/// The `action-fail` message of a leader-only action run on another unit.
pub const LEADER_ONLY: &str = "this action must run on the leader unit";

/// Runs the action `name`.
pub fn run(hook: &mut Hook<'_, '_>, name: &str) -> anyhow::Result<()> {
    match name {
        "get-credentials" => get_credentials(hook),
        "rotate-secret" => rotate_secret(hook),
        "get-ca-certificate" => get_ca_certificate(hook),
        "list-certificates" => list_certificates(hook),
        "renew-certificates" => renew_certificates(hook),
        "verify-resources" => verify_resources(hook),
        other => Ok(hook.tools().action_fail(&format!("unknown action '{other}'"))?),
    }
}

fn results(pairs: Vec<(&str, ActionValue)>) -> BTreeMap<String, ActionValue> {
    pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

/// The stored material, read-only (every unit of the application may read it).
fn stored(hook: &Hook<'_, '_>) -> anyhow::Result<Option<Material>> {
    let stored = store::read_material(hook.tools())?;
    Ok(stored.as_ref().map(|s| Material::from_content(s.content())))
}

fn config(hook: &Hook<'_, '_>) -> anyhow::Result<Config> {
    Ok(Config::parse(hook.ctx.config_values()?.clone()))
}

fn get_credentials(hook: &mut Hook<'_, '_>) -> anyhow::Result<()> {
    if !hook.tools().is_leader()? {
        return Ok(hook.tools().action_fail(LEADER_ONLY)?);
    }
    let config = config(hook)?;
    let Some(m) = stored(hook)? else {
        return Ok(hook.tools().action_fail(areas::NOT_GENERATED)?);
    };
    let answer = (|| {
        let username = config.static_username.as_ref().map_err(|p| p.message.clone())?;
        let mut out = vec![
            ("static-username", ActionValue::from(username.as_str())),
            ("static-password", ActionValue::Secret(dex::password(&config, &m.dex)?)),
        ];
        out.extend(generated::credentials(&config, &m.generated)?);
        Ok::<_, String>(out)
    })();
    match answer {
        Ok(r) => hook.tools().action_set(&results(r))?,
        Err(message) => hook.tools().action_fail(&message)?,
    }
    Ok(())
}

fn rotate_secret(hook: &mut Hook<'_, '_>) -> anyhow::Result<()> {
    let params = hook.tools().action_get()?;
    let name = params.get("name").and_then(|v| v.as_str()).unwrap_or_default().to_owned();
    if !hook.tools().is_leader()? {
        return Ok(hook.tools().action_fail(LEADER_ONLY)?);
    }
    let config = config(hook)?;
    // A value set in config (valid or not) belongs to the operator.
    let in_config = match name.as_str() {
        dex::ROTATABLE => Some(!matches!(config.static_password, Ok(None))),
        other => generated::rotation_target(&config, other),
    };
    match in_config {
        None => {
            let msg = format!(
                "cannot rotate '{name}': name must be one of secret-key, oidc-client-secret, static-password"
            );
            return Ok(hook.tools().action_fail(&msg)?);
        }
        Some(true) => {
            let msg = format!("'{name}' is set in config; change it with juju config");
            return Ok(hook.tools().action_fail(&msg)?);
        }
        Some(false) => {}
    }
    // A Dex area held by a bad option would not rotate: say why instead of "rotated".
    if name == dex::ROTATABLE && dex::Params::of(&config).is_none() {
        let problem = [config.static_username.as_ref().err(), config.bcrypt_cost.as_ref().err()]
            .into_iter()
            .flatten()
            .map(|p| p.message.clone())
            .next()
            .unwrap_or_default();
        return Ok(hook.tools().action_fail(&problem)?);
    }
    hook.reconcile(Intent { rotate: Some(name.clone()), ..Intent::default() })?;
    log::info!("rotated '{name}'");
    hook.tools().action_set(&results(vec![("rotated", ActionValue::from(name.as_str()))]))?;
    Ok(())
}

fn renew_certificates(hook: &mut Hook<'_, '_>) -> anyhow::Result<()> {
    let params = hook.tools().action_get()?;
    let rotate_ca = params.get("rotate-ca").and_then(serde_json::Value::as_bool).unwrap_or(false);
    if !hook.tools().is_leader()? {
        return Ok(hook.tools().action_fail(LEADER_ONLY)?);
    }
    if let Some(problem) = cert_config_problem(&config(hook)?) {
        return Ok(hook.tools().action_fail(&problem)?);
    }
    let intent = Intent { renew: Some(Renew { rotate_ca }), ..Intent::default() };
    let renewed = hook.reconcile(intent)?.map_or(0, |plan| plan.issued());
    log::info!("renewed {renewed} certificates (rotate-ca={rotate_ca})");
    let renewed = renewed.to_string();
    hook.tools().action_set(&results(vec![("renewed", ActionValue::from(renewed))]))?;
    Ok(())
}

/// The first problem of an option the certificates depend on.
fn cert_config_problem(c: &Config) -> Option<String> {
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
}

fn get_ca_certificate(hook: &mut Hook<'_, '_>) -> anyhow::Result<()> {
    let m = stored(hook)?;
    let bundle = m
        .as_ref()
        .and_then(|m| webhooks::bundle(&m.webhooks, m.resources.extra_ca.as_deref(), hook.now));
    let Some(bundle) = bundle else {
        return Ok(hook.tools().action_fail("no CA has been issued yet")?);
    };
    let mut out = vec![("ca-certificate", ActionValue::from(bundle))];
    // The relation's issuer: the operator's CA and its chain when `certificates-ca` is set,
    // else the charm's own relation CA.
    let relation = match config(hook)?.certificates_ca {
        Ok(Some(uri)) => {
            let app = hook.env().app_name.clone();
            // The latest revision, without moving what this unit tracks (an action reads only).
            let read = juju_charm::tools::SecretRead::Peek;
            tls_provider::read_operator_secret(hook.tools(), &uri, &app, read)?
                .and_then(|c| tls_provider::operator_issuer(&c, hook.now))
                .map(|(ca, above)| {
                    let mut chain = vec![ca.cert_pem];
                    chain.extend(above);
                    chain.iter().map(|c| format!("{}\n", c.trim_end())).collect::<String>()
                })
                .map_err(|why| format!("Invalid 'certificates-ca' config: {why}"))
        }
        _ => m
            .and_then(|m| m.certificates.ca)
            .map(|ca| format!("{}\n", ca.cert_pem.trim_end()))
            .ok_or_else(|| "no relation CA has been issued yet".to_owned()),
    };
    match relation {
        Ok(chain) => out.push(("relation-ca-certificate", ActionValue::from(chain))),
        // The webhook bundle is still worth having; the reason says what is missing.
        Err(why) => out.push(("relation-ca-error", ActionValue::from(why))),
    }
    hook.tools().action_set(&results(out))?;
    Ok(())
}

fn list_certificates(hook: &mut Hook<'_, '_>) -> anyhow::Result<()> {
    let Some(m) = stored(hook)?.filter(|m| m.webhooks.ca.is_some()) else {
        return Ok(hook.tools().action_fail("no certificates have been issued yet")?);
    };
    // Webhook leaves in config order (the stored ones of valid entries), else by name.
    let order: Vec<String> = match config(hook)?.webhooks {
        Ok(specs) => specs.into_iter().map(|s| s.name).collect(),
        Err(_) => m.webhooks.leaves.keys().cloned().collect(),
    };
    let mut all: Vec<(String, String, String)> = order
        .into_iter()
        .filter_map(|name| {
            let leaf = m.webhooks.leaves.get(&name)?;
            Some((name, "webhook".to_owned(), leaf.cert_pem.clone()))
        })
        .collect();
    // Only the leader can read its application's databag.
    if hook.tools().is_leader()? {
        for (id, pem) in tls_provider::published(hook.tools(), &hook.env().app_name)? {
            let info = certs::inspect(&pem).ok();
            let name = info
                .and_then(|i| i.subject_cn.or_else(|| i.dns_names.first().cloned()))
                .unwrap_or_default();
            all.push((name, format!("relation:{}", id.number), pem));
        }
    }
    let mut list = Vec::new();
    for (name, source, pem) in all {
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
    hook.tools().action_set(&results(vec![("certificates", ActionValue::from(json))]))?;
    Ok(())
}

/// `verify-resources`: fetches and verifies every pinned resource now, on any unit, and records
/// nothing (the hooks that verify record the outcome); fails when any is not ok.
fn verify_resources(hook: &mut Hook<'_, '_>) -> anyhow::Result<()> {
    let Ok(pinned) = config(hook)?.resource_checksums else {
        return Ok(hook.tools().action_fail("the resource-checksums config is not valid")?);
    };
    let v = resources::verify(hook.tools(), &pinned);
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
    hook.tools().action_set(&results(vec![("resources", ActionValue::from(json))]))?;
    let failed: Vec<&str> = v.resources.iter().filter(|r| !r.ok).map(|r| r.name.as_str()).collect();
    if !failed.is_empty() {
        hook.tools()
            .action_fail(&format!("resource verification failed: {}", failed.join(", ")))?;
    }
    Ok(())
}
