//! Crash points: the compiled dispatch is killed with SIGKILL at moments spread over an install
//! (the hook that creates all the material), then the hook is retried as Juju would. Juju keeps
//! none of a killed hook's relation or secret writes, while its Kubernetes writes stay; every
//! run must still converge on one Juju secret with one revision, consistent with what was
//! delivered. This is where "create a secret, then record it" ordering bugs would show.

use std::collections::BTreeMap;
use std::time::Duration;

use juju_sim::Event;
use serde_json::json;

use crate::common::{Sim, state};

fn fresh() -> (Sim, juju_sim::RelationId) {
    let mut sim = Sim::new(state(1));
    sim.config("key-algorithm", json!("ecdsa-p256"));
    sim.config("bcrypt-cost", json!(10));
    let id = sim.harness.state_mut().add_relation("object-storage", "kfp-api", 1);
    sim.harness.state_mut().set_remote_app_data(
        &id,
        BTreeMap::from([("_supported_versions".into(), "- v1\n".into())]),
    );
    (sim, id)
}

fn converged(sim: &Sim, id: &juju_sim::RelationId) -> Result<(), String> {
    let s = sim.state();
    if s.secrets().len() != 1 || s.secrets()[0].revisions.len() != 1 {
        return Err(format!("{} secrets", s.secrets().len()));
    }
    let m = &s.secrets()[0].revisions[0].content;
    let data = s.local_app_data(id).and_then(|b| b.get("data")).ok_or("no relation data")?;
    if !data.contains(&m["secret-key"]) {
        return Err("relation data not from the material".into());
    }
    for (secret, key, material_key) in [
        ("kserve-controller-webhook-tls", "tls.crt", "crt-kserve-controller"),
        ("oidc-authservice-client", "CLIENT_SECRET", "oidc-client-secret"),
    ] {
        let d = sim.cluster.secret_data(secret).ok_or(format!("no {secret}"))?;
        if String::from_utf8_lossy(&d[key]) != m[material_key] {
            return Err(format!("{secret} not from the material"));
        }
    }
    if s.unit_status(0).0 != "active" {
        return Err(format!("status {:?}", s.unit_status(0)));
    }
    Ok(())
}

#[test]
fn a_killed_install_converges_on_retry() {
    let (mut sim, id) = fresh();
    let out = sim.ok(0, Event::Install);
    converged(&sim, &id).expect("fault-free");
    let duration = out.elapsed.expect("elapsed");
    let points = 16u32;
    let mut killed = 0;
    let mut failures = Vec::new();
    for i in 0..points {
        let after = duration * i / points + Duration::from_millis(1);
        let (mut sim, id) = fresh();
        sim.harness.kill_after = Some(after);
        let out = sim.run(0, &Event::Install);
        sim.harness.kill_after = None;
        if out.exit_code.is_none() {
            killed += 1;
            assert!(!out.committed, "a killed hook commits nothing");
        }
        for _ in 0..3 {
            if sim.run(0, &Event::Install).exit_code == Some(0) {
                break;
            }
        }
        // One more hook (update-status) delivers whatever a committed hook left waiting.
        sim.ok(0, Event::UpdateStatus);
        if let Err(e) = converged(&sim, &id) {
            failures.push(format!("killed after {after:?}: {e}"));
        }
    }
    eprintln!(
        "crash points: {points} kill moments over {duration:?}, {killed} killed mid-hook, {} converged",
        points as usize - failures.len()
    );
    assert!(killed >= points / 2, "most points must kill the hook mid-way ({killed})");
    assert!(failures.is_empty(), "{failures:#?}");
}
