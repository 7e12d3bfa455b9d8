//! Upgrades keep everything: the state a build of an earlier revision left (its Juju secrets,
//! relation data and Kubernetes objects), committed under `tests/data/`, is taken over by this
//! build through `upgrade-charm`, which keeps every value and writes nothing that did not need to
//! change.
//!
//! A fixture is made once, by the revision whose format it records, with
//! `CKF_WRITE_UPGRADE_FIXTURE=tests/data/upgrade-<name> cargo test --test tests write_upgrade_fixture -- --ignored`,
//! and never regenerated: a later change of the stored format adds a fixture beside it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use juju_sim::{Event, State};
use serde_json::{Value, json};

use crate::common::{RSA, Sim, csr_with, state};

/// When every fixture was made, and when the upgrade runs: nothing is due in between.
const MADE_AT: &str = "2026-12-01T00:00:00Z";
const MADE_AT_UNIX: u64 = 1_796_083_200;
const UPGRADED_AT: &str = "2026-12-02T00:00:00Z";
const UPGRADED_AT_UNIX: u64 = 1_796_169_600;

/// The kinds of Kubernetes object a fixture records.
const KINDS: [(&str, Option<&str>); 3] = [
    ("Secret", Some("kubeflow")),
    ("MutatingWebhookConfiguration", None),
    ("ValidatingWebhookConfiguration", None),
];

fn data_dir(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(name)
}

/// Makes a fixture with the build under test: a two-unit deployment with an `object-storage`
/// and a `certificates` requirer, after a few hooks. Run by hand (see the module docs).
#[test]
#[ignore = "writes a fixture; run by hand when the stored format changes"]
fn write_upgrade_fixture() {
    let Ok(out) = std::env::var("CKF_WRITE_UPGRADE_FIXTURE") else {
        panic!("set CKF_WRITE_UPGRADE_FIXTURE to the directory to write");
    };
    let mut sim = Sim::new(state(2));
    sim.set_now(Some(MADE_AT));
    sim.cluster.kube.set_token_clock(Some(MADE_AT_UNIX));
    sim.config("static-password", json!("fixture-static-password"));
    sim.deploy(2);
    sim.relate(0, "kfp-api");
    let id = sim.harness.state_mut().add_relation("certificates", "istio-pilot", 1);
    let csr = csr_with("istio-ingressgateway.kubeflow.svc", RSA, "-sha256");
    let list = json!([{"certificate_signing_request": csr, "ca": false}]).to_string();
    let bag = BTreeMap::from([("certificate_signing_requests".to_owned(), list)]);
    sim.harness.state_mut().set_remote_unit_data(&id, "istio-pilot/0", bag);
    sim.ok(0, Event::RelationChanged { id: id.clone(), unit: Some("istio-pilot/0".into()) });
    sim.ok(0, Event::UpdateStatus);
    sim.ok(1, Event::UpdateStatus);

    let mut st = sim.state().clone();
    st.juju_log.clear();
    st.status_history.clear();
    st.agent_env.clear();
    let objects: Vec<Value> =
        KINDS.iter().flat_map(|(kind, ns)| sim.cluster.kube.list(kind, *ns)).collect();
    let dir = Path::new(&out);
    std::fs::create_dir_all(dir).expect("fixture directory");
    let state = serde_json::to_string_pretty(&st).expect("state") + "\n";
    std::fs::write(dir.join("state.json"), state).expect("state.json");
    let kube = serde_json::to_string_pretty(&objects).expect("objects") + "\n";
    std::fs::write(dir.join("kube.json"), kube).expect("kube.json");
}

/// A model restored from fixture `name`, with this build's metadata and a cluster holding the
/// recorded objects.
fn restored(name: &str) -> Sim {
    let dir = data_dir(name);
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).expect("fixture file");
    let mut recorded: State = serde_json::from_str(&read("state.json")).expect("state.json");
    recorded.meta = crate::common::meta();
    let mut sim = Sim::new(recorded);
    sim.set_now(Some(UPGRADED_AT));
    sim.cluster.kube.set_token_clock(Some(UPGRADED_AT_UNIX));
    for kind in ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"] {
        for cfg in sim.cluster.kube.list(kind, None) {
            let name = cfg["metadata"]["name"].as_str().expect("name").to_owned();
            sim.cluster.kube.delete(kind, None, &name);
        }
    }
    let objects: Vec<Value> = serde_json::from_str(&read("kube.json")).expect("kube.json");
    for obj in objects {
        sim.cluster.kube.put(obj);
    }
    sim
}

/// Every value the model and the cluster hold that the charm wrote: secret contents, local
/// relation data, and the data and `caBundle`s of the Kubernetes objects.
fn values(sim: &Sim) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for s in sim.state().secrets() {
        if let Some(latest) = s.revisions.last() {
            for (k, v) in &latest.content {
                out.insert(
                    format!("secret {} {k}", s.label.as_deref().unwrap_or(&s.id)),
                    v.clone(),
                );
            }
        }
    }
    for (id, rel) in &sim.state().relations {
        for (k, v) in &rel.local_app_data {
            out.insert(format!("relation {id} {k}"), v.clone());
        }
    }
    for (kind, ns) in KINDS {
        for obj in sim.cluster.kube.list(kind, ns) {
            let name = obj["metadata"]["name"].as_str().unwrap_or_default().to_owned();
            for (k, v) in obj["data"].as_object().into_iter().flatten() {
                out.insert(format!("{kind} {name} data {k}"), v.to_string());
            }
            for (k, v) in obj["metadata"]["annotations"].as_object().into_iter().flatten() {
                out.insert(format!("{kind} {name} annotation {k}"), v.to_string());
            }
            for w in obj["webhooks"].as_array().into_iter().flatten() {
                let ca = &w["clientConfig"]["caBundle"];
                out.insert(format!("{kind} {name} {} caBundle", w["name"]), ca.to_string());
            }
        }
    }
    out
}

#[test]
fn upgrade_charm_keeps_every_value_of_the_first_format_and_writes_nothing() {
    let mut sim = restored("upgrade-format-1");
    // A content key a later revision might add survives this one.
    let material = sim
        .harness
        .state_mut()
        .secrets
        .iter_mut()
        .find(|s| s.label.as_deref() == Some(ckf_crypto::store::LABEL))
        .expect("the material secret");
    let latest = material.revisions.last_mut().expect("a revision");
    latest.content.insert("from-the-future".into(), "kept".into());
    let before = values(&sim);
    for unit in [0, 1] {
        let out = sim.ok(unit, Event::UpgradeCharm);
        assert_eq!(out.unit_status.0, "active", "unit {unit}: {}", out.unit_status.1);
        for tool in ["secret-add", "secret-set", "relation-set"] {
            assert!(!out.called(tool), "unit {unit} called {tool}");
        }
        let out = sim.ok(unit, Event::ConfigChanged);
        assert!(!out.called("secret-set") && !out.called("relation-set"), "unit {unit}");
    }
    assert_eq!(sim.cluster.kube.writes().len(), 0, "{:?}", sim.cluster.kube.writes());
    assert_eq!(values(&sim), before);
    // And the material still serves: the actions answer from it.
    let out =
        sim.ok(0, Event::Action { name: "get-credentials".into(), params: Default::default() });
    let results = out.action.expect("action").results;
    assert_eq!(results["static-password"], json!("fixture-static-password"));
}

#[test]
fn the_first_formats_objects_stay_owned_under_jujus_admission_webhook() {
    use kube_fake::{JujuWebhook, JujuWebhookVariant};
    for variant in [JujuWebhookVariant::Rewrite, JujuWebhookVariant::KeepExisting] {
        let mut sim = restored("upgrade-format-1");
        sim.cluster.kube.set_juju_webhook(Some(JujuWebhook::new("ckf-crypto", variant)));
        let before = values(&sim);
        for unit in [0, 1] {
            let out = sim.ok(unit, Event::UpgradeCharm);
            assert_eq!(out.unit_status.0, "active", "{variant:?}: {}", out.unit_status.1);
        }
        for _ in 0..3 {
            sim.ok(0, Event::UpdateStatus);
        }
        let writes: Vec<String> =
            sim.cluster.kube.writes().iter().map(|w| format!("{} {}", w.method, w.path)).collect();
        assert_eq!(writes, Vec::<String>::new(), "{variant:?}");
        assert_eq!(values(&sim), before, "{variant:?}");
        // Still the charm's: a CA rotation reaches every webhook Secret.
        let tls = |sim: &Sim| -> Vec<Vec<u8>> {
            super::isolation::TLS_SECRETS
                .iter()
                .map(|s| sim.cluster.secret_data(s).expect("tls")["ca.crt"].clone())
                .collect()
        };
        let old = tls(&sim);
        let params = serde_json::Map::from_iter([("rotate-ca".to_owned(), json!(true))]);
        let out = sim.ok(0, Event::Action { name: "renew-certificates".into(), params });
        assert!(out.action.is_some_and(|a| a.failed.is_none()), "{variant:?}");
        let new = tls(&sim);
        assert!(old.iter().zip(&new).all(|(a, b)| a != b), "{variant:?}: every Secret rotated");
    }
}
