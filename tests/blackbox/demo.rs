//! `ckf-crypto demo`, as a newcomer runs it.

use std::process::Command;

use crate::common::binary;

#[test]
fn demo_runs_the_lifecycle_and_prints_no_secret() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out =
        Command::new(binary()).args(["demo", "--dir"]).arg(dir.path()).output().expect("demo runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}\n{}", String::from_utf8_lossy(&out.stderr));
    for expected in [
        "hooks/install",
        "hooks/leader-elected",
        "hooks/config-changed",
        "hooks/start",
        "hooks/object-storage-relation-joined",
        "hooks/update-status",
        "== action get-credentials",
        "oidc-client-id: authservice-oidc",
        "label=ckf-crypto-material",
        "final status: active",
        "== certificates (action list-certificates)",
        "kserve-webhook-server-service.kubeflow.svc.cluster.local",
        "webhook CA (every caBundle and ca.crt): CN=ckf-crypto ",
        "relation issuer (the certificates relation): CN=ckf-crypto certificates ",
        "PATCH  /api/v1/namespaces/kubeflow/secrets/admission-webhook-webhook-tls -> 201",
        "a further update-status made 0 Kubernetes writes",
        "== caBundle injection",
        "caBundle held: clusterservingruntime.serving.kserve.io, inferencegraph.serving.kserve.io, \
         inferenceservice.serving.kserve.io, katib.kubeflow.org, servingruntime.serving.kserve.io, \
         trainedmodel.serving.kserve.io",
        "kubectl annotate validatingwebhookconfiguration katib.kubeflow.org \
         ckf-crypto.kubeflow.org/inject-ca-from=katib-controller",
        "== Dex static password",
        "  hash: $2b$12$",
        "  username: admin",
        "static-password: [redacted",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    // Both states, then an opt-in: held with the Python charms' CA, and injected.
    let section = text.split("== caBundle injection").nth(1).expect("injection section");
    let (before, after) = section.split_once("kubectl annotate (both").expect("opt-in step");
    let after = after.split("== Dex").next().expect("section end");
    let state_of = |table: &str, kind: &str, name: &str| -> String {
        let line = table
            .lines()
            .find(|l| l.split_whitespace().take(2).eq([kind, name]))
            .unwrap_or_else(|| panic!("no line for {kind} {name} in:\n{table}"));
        line.split_whitespace().skip(2).collect::<Vec<_>>().join(" ")
    };
    for (kind, name, was, now) in [
        ("mutating", "admission-webhook", "ckf-crypto's CA", "ckf-crypto's CA"),
        ("mutating", "pvcviewer-mutating-webhook-configuration", "ckf-crypto's", "ckf-crypto's"),
        ("mutating", "katib.kubeflow.org", "held: its own CA", "ckf-crypto's CA"),
        ("validating", "katib.kubeflow.org", "held: its own CA", "ckf-crypto's CA"),
        ("validating", "trainedmodel.serving.kserve.io", "held: its own CA", "held: its own CA"),
    ] {
        let (b, a) = (state_of(before, kind, name), state_of(after, kind, name));
        assert!(b.starts_with(was), "{kind} {name} before: {b}");
        assert!(a.starts_with(now), "{kind} {name} after: {a}");
        let owner = if now.starts_with("held") { "lightkube" } else { "ckf-crypto" };
        assert!(a.ends_with(&format!("caBundle owned by {owner}")), "{kind} {name}: {a}");
    }
    // Every secret the demo's model holds stays out of what it prints.
    let state: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dir.path().join("agent/state.json")).expect("state.json"),
    )
    .expect("state is JSON");
    let mut values = Vec::new();
    collect_secret_values(&state, &mut values);
    assert!(values.len() >= 3, "found the secret values in the state: {}", values.len());
    for v in values {
        assert!(!text.contains(&v), "the demo printed a secret value");
    }
    assert!(!text.contains("demo-static-password"), "the demo printed the configured password");
}

/// Every 30-char `[A-Z0-9]` string in the simulator's state (the generated secrets).
fn collect_secret_values(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::String(s) if crate::common::is_generated_format(s) => {
            out.push(s.clone())
        }
        serde_json::Value::Array(a) => a.iter().for_each(|x| collect_secret_values(x, out)),
        serde_json::Value::Object(m) => m.values().for_each(|x| collect_secret_values(x, out)),
        _ => {}
    }
}
