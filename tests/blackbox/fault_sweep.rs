//! Fault sweep (in process, against the fake API server): for every k, the k-th hook-tool call
//! of an install fails with a Juju-style error, or the k-th Kubernetes request fails (500, past
//! the adapter's retries); the hook fails as it will, is retried as Juju would, and must end
//! with the same material as a fault-free install: one Juju secret with one revision, every key
//! present, and the relation data and Kubernetes Secrets consistent with it.

use std::collections::BTreeMap;

use juju_sim::{Context, Event, Fault, State};
use kube_fake::Fault as KubeFault;
use serde_json::json;

use crate::common::Cluster;

fn fresh() -> (State, Cluster, juju_sim::RelationId) {
    let mut s = crate::common::state(1);
    s.set_config("key-algorithm", json!("ecdsa-p256")).expect("config");
    s.set_config("bcrypt-cost", json!(10)).expect("config");
    let id = s.add_relation("object-storage", "kfp-api", 1);
    s.set_remote_app_data(&id, BTreeMap::from([("_supported_versions".into(), "- v1\n".into())]));
    let cluster = Cluster::new();
    cluster.attach(&mut s);
    (s, cluster, id)
}

/// Runs install with `faults` and moves `s` on to the state it leaves.
fn install(s: &mut State, faults: &[Fault]) -> juju_sim::Outcome {
    let ctx = Context::new(ckf_crypto::charm::CkfCrypto::from_env).with_faults(faults.to_vec());
    let out = ctx.run(Event::Install, s).expect("run");
    crate::common::assert_no_leak(&out.state, std::slice::from_ref(&out.outcome), &[]);
    *s = out.state;
    out.outcome
}

/// Retries as Juju would (without faults) until the hook succeeds.
fn retry(s: &mut State) {
    for _ in 0..3 {
        if install(s, &[]).exit_code == Some(0) {
            return;
        }
    }
    panic!("the retries did not converge");
}

/// The converged end state, as comparable facts (the values themselves are random per run).
fn converged(s: &State, cluster: &Cluster, id: &juju_sim::RelationId) -> Result<(), String> {
    if s.secrets().len() != 1 {
        return Err(format!("{} Juju secrets", s.secrets().len()));
    }
    let secret = &s.secrets()[0];
    if secret.revisions.len() != 1 {
        return Err(format!("{} revisions", secret.revisions.len()));
    }
    let m = &secret.revisions[0].content;
    for key in [
        "secret-key",
        "oidc-client-secret",
        "config-hash-salt",
        "ca-crt",
        "ca-key",
        "crt-kserve-controller",
        "dex-hash",
    ] {
        if !m.contains_key(key) {
            return Err(format!("material lacks {key}"));
        }
    }
    let data = s.local_app_data(id).and_then(|b| b.get("data")).ok_or("no relation data")?;
    if !data.contains(&m["secret-key"]) {
        return Err("relation data not from the material".into());
    }
    let tls = cluster.secret_data("kserve-controller-webhook-tls").ok_or("no TLS Secret")?;
    if String::from_utf8_lossy(&tls["tls.crt"]) != m["crt-kserve-controller"] {
        return Err("TLS Secret not from the material".into());
    }
    let minio = cluster.secret_data("mlpipeline-minio-artifact").ok_or("no minio Secret")?;
    if String::from_utf8_lossy(&minio["secretkey"]) != m["secret-key"] {
        return Err("minio Secret not from the material".into());
    }
    if s.unit_status(0).0 != "active" {
        return Err(format!("status {:?}", s.unit_status(0)));
    }
    Ok(())
}

#[test]
fn every_hook_tool_and_kubernetes_fault_point_converges() {
    // The fault-free run, for the number of fault points.
    let (mut s, cluster, id) = fresh();
    let out = install(&mut s, &[]);
    assert_eq!(out.exit_code, Some(0));
    converged(&s, &cluster, &id).expect("the fault-free run converges");
    let tool_calls = out.calls.len() as u64;
    let kube_requests = cluster.kube.requests().len() as u64;
    assert!(tool_calls > 5 && kube_requests > 5);

    let mut tried = 0;
    let mut failures = Vec::new();
    for k in 1..=tool_calls {
        let (mut s, cluster, id) = fresh();
        install(&mut s, &[Fault::nth_call(k, "injected failure")]);
        retry(&mut s);
        tried += 1;
        if let Err(e) = converged(&s, &cluster, &id) {
            failures.push(format!("hook-tool call {k}: {e}"));
        }
    }
    for k in 1..=kube_requests {
        let (mut s, cluster, id) = fresh();
        // Three in a row, so the adapter's own retries do not hide it.
        cluster.kube.set_faults(
            (k..k + 3)
                .map(|nth| KubeFault::StatusOnce { nth, method: None, status: 500 })
                .collect(),
        );
        install(&mut s, &[]);
        cluster.kube.clear_faults();
        // The failed attempt may already have been committed (exit 0, waiting): one more hook
        // delivers, as update-status would.
        retry(&mut s);
        install(&mut s, &[]);
        tried += 1;
        if let Err(e) = converged(&s, &cluster, &id) {
            failures.push(format!("Kubernetes request {k}: {e}"));
        }
    }
    eprintln!(
        "fault sweep: {tried} fault points ({tool_calls} hook-tool calls, {kube_requests} Kubernetes requests), {} converged",
        tried - failures.len()
    );
    assert!(failures.is_empty(), "{failures:#?}");
}
