//! Three units, leadership moving twice during a lifecycle with relations joining and config
//! changing: at every step the units agree on the material, and only the leader writes.

use std::collections::BTreeMap;

use juju_sim::{Event, Outcome};
use serde_json::json;

use crate::common::{Sim, state};

const WRITING_TOOLS: [&str; 5] =
    ["secret-add", "secret-set", "secret-remove", "relation-set", "action-set"];

/// Runs `event` on `unit` and checks the leader-only rule for that run.
fn step(sim: &mut Sim, unit: u32, event: Event) -> Outcome {
    sim.cluster.kube.clear_requests();
    let leader = sim.state().leader == Some(unit);
    let out = sim.ok(unit, event.clone());
    if !leader {
        let wrote: Vec<&str> = out
            .calls
            .iter()
            .map(|c| c.tool.as_str())
            .filter(|t| WRITING_TOOLS.contains(t))
            .collect();
        assert!(wrote.is_empty(), "non-leader {unit} ran {wrote:?} in {event:?}");
        assert_eq!(
            sim.cluster.kube.writes(),
            vec![],
            "non-leader {unit} wrote to Kubernetes in {event:?}"
        );
        assert!(out.unit_status.1.starts_with("standby"), "{:?}", out.unit_status);
    }
    out
}

/// What every unit says the CA bundle is (any unit may run get-ca-certificate).
fn bundles(sim: &mut Sim) -> Vec<String> {
    (0..3)
        .map(|u| {
            let out = sim.ok(
                u,
                Event::Action { name: "get-ca-certificate".into(), params: Default::default() },
            );
            out.action.expect("action").results["ca-certificate"].as_str().expect("pem").to_owned()
        })
        .collect()
}

fn material(sim: &Sim) -> BTreeMap<String, String> {
    let s = sim.state().secret_by_label(ckf_crypto::store::LABEL).expect("material");
    s.revisions.last().expect("revision").content.clone()
}

fn assert_agree(sim: &mut Sim, expected_material: &BTreeMap<String, String>) {
    let b = bundles(sim);
    assert!(b.iter().all(|x| *x == b[0]), "units disagree on the CA bundle");
    assert!(*expected_material == material(sim), "the material changed");
    let delivered = sim.cluster.secret_data("katib-controller-webhook-tls").expect("tls");
    assert_eq!(String::from_utf8(delivered["ca.crt"].clone()).expect("utf8"), b[0]);
    assert_eq!(sim.state().secrets().len(), 1);
}

#[test]
fn three_units_with_leadership_moving_twice() {
    let mut sim = Sim::new(state(3));
    sim.config("key-algorithm", json!("ecdsa-p256"));
    sim.config("bcrypt-cost", json!(10));
    for u in 0..3 {
        step(&mut sim, u, Event::Install);
    }
    step(&mut sim, 0, Event::LeaderElected);
    for u in 0..3 {
        step(&mut sim, u, Event::ConfigChanged);
        step(&mut sim, u, Event::Start);
    }
    let first = material(&sim);
    assert_agree(&mut sim, &first);

    // A requirer joins; every unit sees the relation hooks.
    let id = sim.harness.state_mut().add_relation("object-storage", "kfp-api", 1);
    sim.harness.state_mut().set_remote_app_data(
        &id,
        BTreeMap::from([("_supported_versions".into(), "- v1\n".into())]),
    );
    for u in 0..3 {
        step(&mut sim, u, Event::RelationCreated { id: id.clone() });
        step(&mut sim, u, Event::RelationJoined { id: id.clone(), unit: "kfp-api/0".into() });
    }
    let sent = sim.sent(&id);
    assert_agree(&mut sim, &first);

    // Leadership moves to unit 1; a config change follows.
    sim.harness.state_mut().set_leader(Some(1));
    step(&mut sim, 1, Event::LeaderElected);
    for u in [0, 2] {
        step(&mut sim, u, Event::LeaderSettingsChanged);
    }
    assert_agree(&mut sim, &first);
    assert_eq!(sim.sent(&id), sent, "the new leader serves the same data");
    sim.config("access-key", json!("kubeflow-minio"));
    for u in 0..3 {
        step(&mut sim, u, Event::ConfigChanged);
    }
    assert_eq!(sim.sent(&id)["access-key"], json!("kubeflow-minio"));
    assert_eq!(sim.sent(&id)["secret-key"], sent["secret-key"]);
    assert_agree(&mut sim, &first);

    // A second requirer joins while unit 1 leads; then leadership moves to unit 2.
    let id2 = sim.harness.state_mut().add_relation("object-storage", "kserve", 1);
    sim.harness.state_mut().set_remote_app_data(
        &id2,
        BTreeMap::from([("_supported_versions".into(), "- v1\n".into())]),
    );
    for u in 0..3 {
        step(
            &mut sim,
            u,
            Event::RelationChanged { id: id2.clone(), unit: Some("kserve/0".into()) },
        );
    }
    sim.harness.state_mut().set_leader(Some(2));
    step(&mut sim, 2, Event::LeaderElected);
    for u in [0, 1] {
        step(&mut sim, u, Event::LeaderSettingsChanged);
    }
    for u in 0..3 {
        step(&mut sim, u, Event::UpdateStatus);
    }
    assert_agree(&mut sim, &first);
    assert_eq!(sim.sent(&id2)["secret-key"], sent["secret-key"]);

    // The third leader rotates a secret: every unit then agrees on the new material.
    let params = serde_json::Map::from_iter([("name".to_owned(), json!("oidc-client-secret"))]);
    let out = step(&mut sim, 2, Event::Action { name: "rotate-secret".into(), params });
    assert_eq!(out.action.expect("action").failed, None);
    let rotated = material(&sim);
    assert_ne!(rotated["oidc-client-secret"], first["oidc-client-secret"]);
    for u in 0..3 {
        step(&mut sim, u, Event::UpdateStatus);
    }
    assert_agree(&mut sim, &rotated);
}
