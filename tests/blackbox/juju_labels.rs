//! Ownership that survives Juju's labels: under kube-fake's Juju-webhook mode, in both of its
//! variants (Juju 3.6.11 rewriting `app.kubernetes.io/managed-by` to `juju` on every object a
//! charm writes; later releases keeping an existing value), the charm's Secrets stay its own,
//! no-op hooks make no write, a CA rotation still reaches every Secret, Juju's labels are kept,
//! and Secrets an earlier revision created (labelled `managed-by: <app>` only) stay owned after
//! an upgrade.

use juju_sim::Event;
use kube_fake::{JujuWebhook, JujuWebhookVariant};
use serde_json::{Value, json};

use crate::common::{Sim, state};

const VARIANTS: [JujuWebhookVariant; 2] =
    [JujuWebhookVariant::Rewrite, JujuWebhookVariant::KeepExisting];

fn webhook(variant: JujuWebhookVariant) -> JujuWebhook {
    JujuWebhook::new("ckf-crypto", variant)
        .with_model("kubeflow", "7a3a3b3e-5c2e-4b6a-9a3e-0d1e2f3a4b5c")
}

/// Every Secret in `kubeflow`, by name.
fn secrets(sim: &Sim) -> Vec<Value> {
    sim.cluster.kube.list("Secret", Some("kubeflow"))
}

/// The writes the hooks made to Secrets and webhook configurations (Events aside).
fn object_writes(sim: &Sim) -> Vec<String> {
    sim.cluster
        .kube
        .writes()
        .into_iter()
        .filter(|r| !r.path.ends_with("/events") && !r.path.contains("/events/"))
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

fn ca_crt(sim: &Sim, name: &str) -> Vec<u8> {
    sim.cluster.secret_data(name).expect("the TLS Secret")["ca.crt"].clone()
}

#[test]
fn juju_labels_no_op_hooks_write_nothing_and_a_rotation_reaches_every_secret() {
    for variant in VARIANTS {
        let mut sim = Sim::new(state(1));
        sim.cluster.kube.set_juju_webhook(Some(webhook(variant)));
        sim.deploy(1);
        let listed = secrets(&sim);
        assert!(listed.len() >= 7, "{variant:?}: {}", listed.len());
        for s in &listed {
            let labels = &s["metadata"]["labels"];
            assert_eq!(labels["app.juju.is/created-by"], json!("ckf-crypto"), "{variant:?}");
            assert_eq!(labels["model.juju.is/name"], json!("kubeflow"), "{variant:?}");
            assert_eq!(labels["app.kubernetes.io/part-of"], json!("kubeflow"), "{variant:?}");
            let managed_by = match variant {
                JujuWebhookVariant::Rewrite => "juju",
                _ => "ckf-crypto",
            };
            assert_eq!(labels["app.kubernetes.io/managed-by"], json!(managed_by), "{variant:?}");
        }
        sim.cluster.kube.clear_requests();
        for _ in 0..3 {
            let out = sim.ok(0, Event::UpdateStatus);
            assert_eq!(out.unit_status.0, "active", "{variant:?}: {}", out.unit_status.1);
        }
        assert_eq!(object_writes(&sim), Vec::<String>::new(), "{variant:?}");

        let before = ca_crt(&sim, "kserve-controller-webhook-tls");
        let params = serde_json::Map::from_iter([("rotate-ca".to_owned(), json!(true))]);
        sim.ok(0, Event::Action { name: "renew-certificates".into(), params });
        let tls: Vec<String> = secrets(&sim)
            .iter()
            .filter(|s| s["type"] == json!("kubernetes.io/tls"))
            .map(|s| s["metadata"]["name"].as_str().expect("name").to_owned())
            .collect();
        assert_eq!(tls.len(), 4, "{variant:?}");
        for name in &tls {
            assert_ne!(ca_crt(&sim, name), before, "{variant:?}: {name} got the new CA");
        }
        // Juju's labels are still there after the charm's writes.
        for s in secrets(&sim) {
            let labels = &s["metadata"]["labels"];
            assert_eq!(labels["app.juju.is/created-by"], json!("ckf-crypto"), "{variant:?}");
        }
        sim.cluster.kube.clear_requests();
        sim.ok(0, Event::UpdateStatus);
        assert_eq!(object_writes(&sim), Vec::<String>::new(), "{variant:?}: converged");
    }
}

#[test]
fn juju_labels_secrets_of_an_earlier_revision_stay_owned_after_an_upgrade() {
    for variant in VARIANTS {
        // An earlier revision, before Juju's webhook labelled anything: `managed-by` only.
        let mut sim = Sim::new(state(1));
        sim.deploy(1);
        let before: Vec<Value> = secrets(&sim);
        assert!(before.iter().all(|s| s["metadata"]["labels"]["app.juju.is/created-by"].is_null()));
        sim.cluster.kube.set_juju_webhook(Some(webhook(variant)));
        sim.cluster.kube.clear_requests();
        let out = sim.ok(0, Event::UpgradeCharm);
        assert_eq!(out.unit_status.0, "active", "{variant:?}: {}", out.unit_status.1);
        for _ in 0..3 {
            sim.ok(0, Event::UpdateStatus);
        }
        assert_eq!(object_writes(&sim), Vec::<String>::new(), "{variant:?}: nothing rewritten");
        assert_eq!(secrets(&sim), before, "{variant:?}");
        // Still the charm's: a rotation reaches them.
        let params = serde_json::Map::from_iter([("rotate-ca".to_owned(), json!(true))]);
        let old = ca_crt(&sim, "kserve-controller-webhook-tls");
        sim.ok(0, Event::Action { name: "renew-certificates".into(), params });
        assert_ne!(ca_crt(&sim, "kserve-controller-webhook-tls"), old, "{variant:?}");
        let out = sim.ok(0, Event::UpdateStatus);
        assert_eq!(out.unit_status.0, "active", "{variant:?}: {}", out.unit_status.1);
    }
}
