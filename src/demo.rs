//! `ckf-crypto demo`: the charm's whole lifecycle in its own Juju simulator.
//!
//! On a machine without Juju this shows what the charm does, with the real binary: the running
//! executable is laid out as the charm's `dispatch`, with the simulator's hook-tool client
//! (`juju_sim::tool_binary()`) under every hook-tool name (`juju_sim::Harness`), then driven
//! through install, leader-elected, config-changed, start, an `object-storage` relation from a
//! v1 requirer, update-status and the `get-credentials` action, exactly as Juju would run them,
//! against a fake Kubernetes API
//! server (`kube-fake`, real HTTPS on loopback) seeded with the webhook configurations of a CKF
//! deployment. Secret values are never printed: the summary shows their length and alphabet
//! instead.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use anyhow::Context;
use juju_sim::{CharmFiles, CharmMeta, Event, Harness, Outcome, State};
use kube_fake::FakeKube;
use serde_json::{Value, json};

use crate::{certs, config_hash, files};

/// The webhook configurations of a CKF deployment, as the four webhook charms create them
/// (without `caBundle`): what the charm finds in a real cluster.
pub fn ckf_webhook_configs() -> Vec<Value> {
    let cfg = |kind: &str, name: &str, webhooks: &[&str]| {
        json!({
            "apiVersion": "admissionregistration.k8s.io/v1",
            "kind": kind,
            "metadata": {"name": name},
            "webhooks": webhooks.iter().map(|w| json!({
                "name": w,
                "admissionReviewVersions": ["v1"],
                "sideEffects": "None",
                "clientConfig": {"service": {"name": "svc", "namespace": "kubeflow", "path": "/x"}},
            })).collect::<Vec<_>>(),
        })
    };
    let (m, v) = ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration");
    vec![
        cfg(m, "admission-webhook", &["admission-webhook.kubeflow.org"]),
        cfg(
            m,
            "katib.kubeflow.org",
            &["defaulter.experiment.katib.kubeflow.org", "mutator.pod.katib.kubeflow.org"],
        ),
        cfg(v, "katib.kubeflow.org", &["validator.experiment.katib.kubeflow.org"]),
        cfg(
            m,
            "inferenceservice.serving.kserve.io",
            &[
                "inferenceservice.kserve-webhook-server.defaulter",
                "inferenceservice.kserve-webhook-server.pod-mutator",
            ],
        ),
        cfg(
            v,
            "inferencegraph.serving.kserve.io",
            &["inferencegraph.kserve-webhook-server.validator"],
        ),
        cfg(
            v,
            "inferenceservice.serving.kserve.io",
            &["inferenceservice.kserve-webhook-server.validator"],
        ),
        cfg(
            v,
            "servingruntime.serving.kserve.io",
            &["servingruntime.kserve-webhook-server.validator"],
        ),
        cfg(v, "trainedmodel.serving.kserve.io", &["trainedmodel.kserve-webhook-server.validator"]),
        cfg(
            v,
            "clusterservingruntime.serving.kserve.io",
            &["clusterservingruntime.kserve-webhook-server.validator"],
        ),
        cfg(m, "pvcviewer-mutating-webhook-configuration", &["mpvcviewer.kb.io"]),
        cfg(v, "pvcviewer-validating-webhook-configuration", &["vpvcviewer.kb.io"]),
    ]
}

/// The field manager of the Python CKF charms' `caBundle` writes (lightkube's default).
pub const PYTHON_CHARMS: &str = "lightkube";

/// Seeds `kube` with the CKF webhook configurations as a live deployment has them while the
/// Python webhook charms still serve them: admission-webhook, katib-controller and
/// kserve-controller with their own CA `foreign_ca_pem` in every `caBundle`, applied by
/// [`PYTHON_CHARMS`]; admission-webhook's annotated for ckf-crypto (the operator opted in), and
/// pvcviewer-operator's without a `caBundle` (its server moved to ckf-crypto's Secret already).
pub fn seed_served_configs(kube: &FakeKube, foreign_ca_pem: &str) -> anyhow::Result<()> {
    use base64::Engine;
    let ca = base64::engine::general_purpose::STANDARD.encode(foreign_ca_pem);
    for mut cfg in ckf_webhook_configs() {
        let name = cfg["metadata"]["name"].as_str().unwrap_or_default().to_owned();
        if name.starts_with("pvcviewer") {
            kube.put(cfg);
            continue;
        }
        for w in cfg["webhooks"].as_array_mut().into_iter().flatten() {
            w["clientConfig"]["caBundle"] = json!(ca);
        }
        if name == "admission-webhook" {
            cfg["metadata"]["annotations"] =
                json!({crate::k8s::INJECT_CA_FROM: "admission-webhook"});
        }
        kube.apply_as(PYTHON_CHARMS, cfg, true)
            .map_err(|status| anyhow::anyhow!("cannot seed {name}: {status}"))?;
    }
    Ok(())
}

/// The requirer in the demo, as KFP's object-storage requirer names itself.
const REQUIRER: &str = "kfp-api";

/// Runs the demo in `dir` (a temporary directory when `None`), writing the summary to `out`.
pub fn run(dir: Option<&Path>, out: &mut dyn Write) -> anyhow::Result<()> {
    let tmp;
    let root = match dir {
        Some(d) => d.to_path_buf(),
        None => {
            tmp = tempfile::Builder::new().prefix("ckf-crypto-demo-").tempdir()?;
            tmp.path().to_path_buf()
        }
    };
    let exe = std::env::current_exe().context("cannot locate the running executable")?;
    let meta = CharmMeta::from_yaml(files::METADATA, files::CONFIG, files::ACTIONS)?;
    let mut state = State::new(meta, "ckf-crypto", "kubeflow");
    let kube = FakeKube::start().context("cannot start the fake Kubernetes API server")?;
    // The CA a Python webhook charm made for itself (the demo's stand-in, made here).
    let foreign = certs::generate_ca(
        "admission-webhook-ca",
        365,
        certs::KeyAlgorithm::EcdsaP256,
        time::OffsetDateTime::now_utc(),
        &mut crate::random::OsEntropy,
    )?;
    seed_served_configs(&kube, &foreign.cert_pem)?;
    std::fs::create_dir_all(&root)?;
    let kubeconfig = root.join("kubeconfig");
    kube.write_kubeconfig(&kubeconfig, "kubeflow")?;
    state.agent_env.insert("KUBECONFIG".into(), kubeconfig.display().to_string());
    // As `juju config ckf-crypto static-password=...` would; the value is never printed.
    state.set_config("static-password", Value::String("demo-static-password".into()))?;
    let charm_files = CharmFiles {
        metadata: files::METADATA.to_owned(),
        config: files::CONFIG.to_owned(),
        actions: files::ACTIONS.to_owned(),
    };
    let mut sim = Harness::new(&root, &exe, juju_sim::tool_binary(), charm_files, state)?;
    writeln!(out, "ckf-crypto demo: unit ckf-crypto/0 (leader) in model 'kubeflow'")?;
    writeln!(out, "simulator directory: {}", root.display())?;
    writeln!(
        out,
        "fake Kubernetes API server: {} (the 11 webhook configurations of a CKF deployment: \
         admission-webhook's, katib-controller's and kserve-controller's hold their Python \
         charms' own CA, applied by '{PYTHON_CHARMS}'; admission-webhook's is annotated \
         {}=admission-webhook; pvcviewer-operator's have no caBundle)\n",
        kube.url(),
        crate::k8s::INJECT_CA_FROM,
    )?;

    writeln!(out, "== hooks")?;
    for event in [Event::Install, Event::LeaderElected, Event::ConfigChanged, Event::Start] {
        step(&mut sim, &event, out)?;
    }
    let rel = sim.state_mut().add_relation("object-storage", REQUIRER, 1);
    sim.state_mut().set_remote_app_data(
        &rel,
        BTreeMap::from([("_supported_versions".into(), "- v1\n".into())]),
    );
    let unit = format!("{REQUIRER}/0");
    for event in [
        Event::RelationCreated { id: rel.clone() },
        Event::RelationJoined { id: rel.clone(), unit: unit.clone() },
        Event::RelationChanged { id: rel.clone(), unit: Some(unit) },
        Event::UpdateStatus,
    ] {
        step(&mut sim, &event, out)?;
    }

    writeln!(out, "\n== {rel} data sent to {REQUIRER}")?;
    for (k, v) in sim.state().local_app_data(&rel).cloned().unwrap_or_default() {
        writeln!(out, "{k}:")?;
        for line in v.lines() {
            writeln!(out, "    {}", redact_line(line))?;
        }
    }

    writeln!(out, "\n== Juju secrets held by the application")?;
    for secret in sim.state().secrets() {
        let Some(latest) = secret.revisions.last() else { continue };
        writeln!(
            out,
            "secret:{} label={} revision={}",
            secret.id,
            secret.label.as_deref().unwrap_or("-"),
            latest.revision
        )?;
        for (k, v) in &latest.content {
            writeln!(out, "    {k}: {}", describe(v))?;
        }
    }
    if let Some(salt) = sim
        .state()
        .secret_by_label(crate::store::LABEL)
        .and_then(|s| s.revisions.last())
        .and_then(|r| r.content.get("config-hash-salt"))
    {
        let config: serde_json::Map<String, serde_json::Value> =
            sim.state().effective_config().into_iter().collect();
        let hash = config_hash::config_hash(&config, &juju_charm::SecretString::new(salt.as_str()));
        writeln!(out, "config hash (annotation ckf-crypto.kubeflow.org/config-hash): {hash}")?;
    }

    writeln!(out, "\n== certificates (action list-certificates)")?;
    let listed = sim
        .run(0, &Event::Action { name: "list-certificates".into(), params: Default::default() })?;
    let list =
        listed.action.as_ref().and_then(|a| a.results.get("certificates")).and_then(Value::as_str);
    let list: Vec<Value> = serde_json::from_str(list.unwrap_or("[]"))?;
    for c in &list {
        writeln!(
            out,
            "{}  serial {}  not after {}",
            c["name"].as_str().unwrap_or("?"),
            c["serial"].as_str().unwrap_or("?"),
            c["not-after"].as_str().unwrap_or("?")
        )?;
        let names: Vec<&str> = c["dns-names"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        writeln!(out, "    {}", names.join(", "))?;
    }
    // The two trust domains (webhook CA and relation issuer), as get-ca-certificate returns them.
    let cas = sim
        .run(0, &Event::Action { name: "get-ca-certificate".into(), params: Default::default() })?;
    let results = cas.action.map(|a| a.results).unwrap_or_default();
    for (key, what) in [
        ("ca-certificate", "webhook CA (every caBundle and ca.crt)"),
        ("relation-ca-certificate", "relation issuer (the certificates relation)"),
    ] {
        let pem = results.get(key).and_then(Value::as_str).unwrap_or_default();
        if let Ok(info) = certs::inspect(pem) {
            writeln!(
                out,
                "{what}: CN={}  serial {}  not after {}",
                info.subject_cn.clone().unwrap_or_default(),
                info.serial_hex,
                info.not_after_rfc3339()
            )?;
        }
    }

    writeln!(out, "\n== Kubernetes objects written (fake API server)")?;
    for w in kube.writes() {
        writeln!(out, "{:<6} {} -> {}", w.method, w.path, w.status)?;
    }
    for s in kube.list("Secret", Some("kubeflow")) {
        let keys: Vec<&String> =
            s["data"].as_object().map(|d| d.keys().collect()).unwrap_or_default();
        writeln!(
            out,
            "Secret {} ({}) keys {:?}",
            s["metadata"]["name"].as_str().unwrap_or("?"),
            s["type"].as_str().unwrap_or("?"),
            keys
        )?;
    }
    kube.clear_requests();
    sim.run(0, &Event::UpdateStatus)?;
    writeln!(out, "a further update-status made {} Kubernetes writes", kube.writes().len())?;

    writeln!(out, "\n== caBundle injection")?;
    let ours = ca_bundle(&kube, "Secret", "admission-webhook-webhook-tls");
    print_injection(&kube, &ours, out)?;
    writeln!(
        out,
        "held configurations keep the Python charms' CA: ckf-crypto never overwrites a CA it did \
         not put there.\nTo move a webhook to ckf-crypto (README, \"Moving a CKF webhook to \
         ckf-crypto\"), point its server at the Secret <entry>-webhook-tls, then either\n  \
         kubectl annotate validatingwebhookconfiguration katib.kubeflow.org {}=katib-controller\n  \
         or set `take-over: true` on its entry: juju config ckf-crypto webhooks=@webhooks.yaml",
        crate::k8s::INJECT_CA_FROM,
    )?;
    for kind in ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"] {
        let patch =
            json!({"metadata": {"annotations": {crate::k8s::INJECT_CA_FROM: "katib-controller"}}});
        kube.merge_patch_as("kubectl-annotate", kind, None, "katib.kubeflow.org", patch)
            .map_err(|status| anyhow::anyhow!("cannot annotate katib.kubeflow.org: {status}"))?;
    }
    writeln!(out, "\nkubectl annotate (both katib.kubeflow.org configurations), then:")?;
    step(&mut sim, &Event::UpdateStatus, out)?;
    print_injection(&kube, &ours, out)?;

    writeln!(
        out,
        "\n== Dex static password (Secret dex-static-passwords, key static-passwords.yaml)"
    )?;
    if let Some(dex) = kube.get("Secret", Some("kubeflow"), crate::areas::dex::SECRET) {
        let yaml =
            dex["data"][crate::areas::dex::SECRET_KEY].as_str().map(decode).unwrap_or_default();
        write!(out, "{yaml}")?;
    }
    writeln!(
        out,
        "(bcrypt of the configured static-password with the salt kept in the Juju secret)"
    )?;

    writeln!(out, "\n== action get-credentials")?;
    let outcome =
        sim.run(0, &Event::Action { name: "get-credentials".into(), params: Default::default() })?;
    if let Some(action) = &outcome.action {
        for (k, v) in &action.results {
            let shown = match v.as_str() {
                Some(s) if k.contains("secret") || k.contains("password") => describe(s),
                Some(s) => s.to_owned(),
                None => v.to_string(),
            };
            writeln!(out, "{k}: {shown}")?;
        }
        if let Some(why) = &action.failed {
            writeln!(out, "failed: {why}")?;
        }
    }
    let (status, message) = sim.state().unit_status(0);
    writeln!(out, "\nfinal status: {status} {message:?}")?;
    Ok(())
}

/// The decoded `ca.crt` of a Secret, or the first `caBundle` of a configuration.
fn ca_bundle(kube: &FakeKube, kind: &str, name: &str) -> String {
    let Some(obj) = kube.get(kind, (kind == "Secret").then_some("kubeflow"), name) else {
        return String::new();
    };
    let b64 = if kind == "Secret" {
        obj["data"]["ca.crt"].as_str()
    } else {
        obj["webhooks"][0]["clientConfig"]["caBundle"].as_str()
    };
    b64.map(decode).unwrap_or_default()
}

/// One line per webhook configuration: whose CA its `caBundle` holds, and who owns the field.
fn print_injection(kube: &FakeKube, ours: &str, out: &mut dyn Write) -> anyhow::Result<()> {
    for kind in ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"] {
        for cfg in kube.list(kind, None) {
            let name = cfg["metadata"]["name"].as_str().unwrap_or("?");
            let bundle = ca_bundle(kube, kind, name);
            let state = match bundle.as_str() {
                "" => "no caBundle",
                b if b == ours => "ckf-crypto's CA",
                _ => "held: its own CA",
            };
            let owners: Vec<&str> = cfg["metadata"]["managedFields"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|m| m["fieldsV1"].to_string().contains("f:caBundle"))
                .filter_map(|m| m["manager"].as_str())
                .collect();
            let kind_short = if kind.starts_with('M') { "mutating" } else { "validating" };
            writeln!(
                out,
                "{kind_short:<10} {name:<45} {state:<17} caBundle owned by {}",
                if owners.is_empty() { "-".to_owned() } else { owners.join(", ") }
            )?;
        }
    }
    Ok(())
}

fn decode(b64: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(b64)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default()
}

fn step(sim: &mut Harness, event: &Event, out: &mut dyn Write) -> anyhow::Result<Outcome> {
    let path = event.dispatch_path(sim.state());
    let outcome = sim.run(0, event)?;
    let (status, message) = &outcome.unit_status;
    writeln!(
        out,
        "{path:<42} exit {:<2} {:>2} hook-tool calls  status: {status} {message:?}",
        outcome.exit_code.map_or("-".to_owned(), |c| c.to_string()),
        outcome.calls.len(),
    )?;
    if outcome.exit_code != Some(0) {
        anyhow::bail!("{path} failed: {}", outcome.stderr.trim());
    }
    Ok(outcome)
}

/// `[redacted: 30 chars, [A-Z0-9]]`
fn describe(value: &str) -> String {
    let alphabet = if value.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()) {
        ", [A-Z0-9]"
    } else {
        ""
    };
    format!("[redacted: {} chars{alphabet}]", value.chars().count())
}

fn redact_line(line: &str) -> String {
    match line.split_once(": ") {
        Some((k, v)) if k.contains("secret") => format!("{k}: {}", describe(v.trim_matches('"'))),
        _ => line.to_owned(),
    }
}
