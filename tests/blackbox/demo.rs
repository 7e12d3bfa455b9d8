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
        "CA: CN=ckf-crypto",
        "PATCH  /api/v1/namespaces/kubeflow/secrets/admission-webhook-webhook-tls -> 201",
        "caBundle set on 13 of 13 webhooks",
        "a further update-status made 0 Kubernetes writes",
        "== Dex static password",
        "  hash: $2b$12$",
        "  username: admin",
        "static-password: [redacted",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
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
