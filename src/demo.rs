//! `ckf-crypto demo`: the charm's whole lifecycle in its own Juju simulator.
//!
//! On a machine without Juju this shows what the charm does, with the real binary: the running
//! executable is laid out as the charm's `dispatch` and, under every hook-tool name, as the
//! simulator's tools (`juju_sim::Harness`), then driven through install, leader-elected,
//! config-changed, start, an `object-storage` relation from a v1 requirer, update-status and the
//! `get-credentials` action, exactly as Juju would run them. Secret values are never printed:
//! the summary shows their length and alphabet instead.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use anyhow::Context;
use juju_sim::{CharmFiles, CharmMeta, Event, Harness, Outcome, State};

use crate::{config_hash, files, generated};

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
    let state = State::new(meta, "ckf-crypto", "kubeflow");
    let charm_files = CharmFiles {
        metadata: files::METADATA.to_owned(),
        config: files::CONFIG.to_owned(),
        actions: files::ACTIONS.to_owned(),
    };
    let mut sim = Harness::new(&root, &exe, &exe, charm_files, state)?;
    writeln!(out, "ckf-crypto demo: unit ckf-crypto/0 (leader) in model 'kubeflow'")?;
    writeln!(out, "simulator directory: {}\n", root.display())?;

    writeln!(out, "== hooks")?;
    for event in [Event::Install, Event::LeaderElected, Event::ConfigChanged, Event::Start] {
        step(&mut sim, &event, out)?;
    }
    let rel = sim.state_mut().add_relation("object-storage", REQUIRER, 1);
    sim.state_mut().set_remote_app_data(
        rel,
        BTreeMap::from([("_supported_versions".into(), "- v1\n".into())]),
    );
    let unit = format!("{REQUIRER}/0");
    for event in [
        Event::RelationCreated { id: rel },
        Event::RelationJoined { id: rel, unit: unit.clone() },
        Event::RelationChanged { id: rel, unit: Some(unit) },
        Event::UpdateStatus,
    ] {
        step(&mut sim, &event, out)?;
    }

    writeln!(out, "\n== object-storage:{rel} data sent to {REQUIRER}")?;
    for (k, v) in sim.state().local_app_data(rel).cloned().unwrap_or_default() {
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
        .secret_by_label(generated::LABEL)
        .and_then(|s| s.revisions.last())
        .and_then(|r| r.content.get("config-hash-salt"))
    {
        let config: serde_json::Map<String, serde_json::Value> =
            sim.state().effective_config().into_iter().collect();
        let hash = config_hash::config_hash(&config, &juju::SecretString::new(salt.as_str()));
        writeln!(out, "config hash (annotation ckf-crypto.kubeflow.org/config-hash): {hash}")?;
    }

    writeln!(out, "\n== action get-credentials")?;
    let outcome =
        sim.run(0, &Event::Action { name: "get-credentials".into(), params: Default::default() })?;
    if let Some(action) = &outcome.action {
        for (k, v) in &action.results {
            let shown = match v.as_str() {
                Some(s) if k.contains("secret") => describe(s),
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
