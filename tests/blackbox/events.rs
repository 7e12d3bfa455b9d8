//! Kubernetes Events (`events.k8s.io/v1`) of what the charm does, through the compiled charm and
//! the fake API server, which validates each Event as the API server does
//! (`ValidateEventCreate`/`ValidateEventUpdate` of events.k8s.io/v1): the reasons after a deploy
//! and a CA rotation, none on no-op hooks, one Warning whose `series.count` grows while a Secret
//! is in the way, nothing changed when Events are forbidden, and no secret value in any Event.

use juju_sim::Event;
use kube_fake::Fault;
use serde_json::{Value, json};

use super::isolation::{TLS_SECRETS, foreign_secret, model};
use crate::common::Sim;

/// Every Event in `kubeflow` and `default`.
fn all_events(sim: &Sim) -> Vec<Value> {
    let mut out = sim.cluster.kube.events("kubeflow");
    out.extend(sim.cluster.kube.events("default"));
    out
}

/// `(reason, regarding kind, regarding name)` of each Event.
fn reasons(events: &[Value]) -> Vec<(String, String, String)> {
    let mut out: Vec<_> = events
        .iter()
        .map(|e| {
            let s = |v: &Value| v.as_str().unwrap_or_default().to_owned();
            (s(&e["reason"]), s(&e["regarding"]["kind"]), s(&e["regarding"]["name"]))
        })
        .collect();
    out.sort();
    out
}

fn count(events: &[Value], reason: &str) -> usize {
    events.iter().filter(|e| e["reason"] == json!(reason)).count()
}

/// Every value of every Secret the charm wrote, and the lines of every key it holds: none may
/// be in an Event.
fn secret_values(sim: &Sim) -> Vec<String> {
    let mut values = Vec::new();
    for s in sim.cluster.kube.list("Secret", Some("kubeflow")) {
        for name in
            s["data"].as_object().map(|d| d.keys().cloned().collect::<Vec<_>>()).unwrap_or_default()
        {
            let secret = s["metadata"]["name"].as_str().unwrap_or_default().to_owned();
            let data = sim.cluster.secret_data(&secret).expect("listed");
            let text = String::from_utf8_lossy(&data[&name]).into_owned();
            if name.ends_with(".crt") {
                continue; // certificates are public, and an Event may name their serial
            }
            values.extend(
                text.lines()
                    .filter(|l| l.len() >= 16 && !l.starts_with("-----"))
                    .map(str::to_owned),
            );
            if text.len() >= 8 && !text.contains('\n') {
                values.push(text);
            }
        }
    }
    values
}

#[test]
fn events_name_what_a_deploy_and_a_rotation_did_and_no_op_hooks_record_none() {
    let mut m = model();
    m.sim.deploy(1);
    let events = all_events(&m.sim);
    for e in &events {
        assert_eq!(e["reportingController"], json!("ckf-crypto.kubeflow.org/charm"));
        assert_eq!(e["reportingInstance"], json!("ckf-crypto/0"));
    }
    let seen = reasons(&events);
    for secret in TLS_SECRETS {
        let issued = ("Issued".to_owned(), "Secret".to_owned(), secret.to_owned());
        assert!(seen.contains(&issued), "{secret}: {seen:?}");
    }
    let tokens =
        ("TokenRequested".to_owned(), "Secret".to_owned(), "kfp-persistence-sa-token".to_owned());
    assert!(seen.contains(&tokens), "{seen:?}");
    let injected = events.iter().filter(|e| e["reason"] == json!("Injected")).collect::<Vec<_>>();
    assert!(!injected.is_empty(), "{seen:?}");
    for e in &injected {
        // A configuration is cluster-scoped: its Events are in `default`.
        assert_eq!(e["metadata"]["namespace"], json!("default"));
        assert!(
            e["regarding"]["kind"].as_str().unwrap_or_default().ends_with("WebhookConfiguration")
        );
    }
    let issued = events.iter().find(|e| e["reason"] == json!("Issued")).expect("Issued");
    let note = issued["note"].as_str().expect("note");
    assert!(note.contains("serial ") && note.contains("not after "), "{note}");
    assert_eq!(count(&events, "CARotated"), 0, "the first CA is no rotation: {seen:?}");

    // Three no-op hooks: no Event, no request to the Events API.
    m.sim.cluster.kube.clear_requests();
    for _ in 0..3 {
        m.sim.ok(0, Event::UpdateStatus);
    }
    assert_eq!(all_events(&m.sim).len(), events.len());
    let touched: Vec<String> = m
        .sim
        .cluster
        .kube
        .requests()
        .iter()
        .map(|r| r.path.clone())
        .filter(|p| p.contains("/events"))
        .collect();
    assert_eq!(touched, Vec::<String>::new());

    // A CA rotation: CARotated and Issued on every webhook TLS Secret, Injected again.
    let params = serde_json::Map::from_iter([("rotate-ca".to_owned(), json!(true))]);
    m.sim.ok(0, Event::Action { name: "renew-certificates".into(), params });
    let after = all_events(&m.sim);
    assert_eq!(count(&after, "CARotated"), 4);
    assert_eq!(count(&after, "Issued"), count(&events, "Issued") + 4);
    assert!(count(&after, "Injected") > count(&events, "Injected"));

    // No secret value in any Event.
    let printed = serde_json::to_string(&after).expect("json");
    for v in secret_values(&m.sim) {
        assert!(!printed.contains(&v), "a secret value ({} bytes) is in an Event", v.len());
    }
}

#[test]
fn events_a_secret_in_the_way_is_one_warning_whose_series_counts_the_hooks() {
    let mut m = model();
    foreign_secret(&m, "admission-webhook-webhook-tls", "Opaque");
    m.sim.ok(0, Event::Install);
    let warnings = |sim: &Sim| -> Vec<Value> {
        all_events(sim).into_iter().filter(|e| e["reason"] == json!("WriteFailed")).collect()
    };
    let first = warnings(&m.sim);
    assert_eq!(first.len(), 1, "{first:?}");
    assert_eq!(first[0]["type"], json!("Warning"));
    assert_eq!(first[0]["regarding"]["name"], json!("admission-webhook-webhook-tls"));
    let note = first[0]["note"].as_str().expect("note");
    assert!(note.starts_with("Cannot write Secret 'admission-webhook-webhook-tls': "), "{note}");
    assert!(first[0]["series"].is_null());
    for hook in 2..=3 {
        m.sim.ok(0, Event::UpdateStatus);
        let now = warnings(&m.sim);
        assert_eq!(now.len(), 1, "still one Event");
        assert_eq!(now[0]["series"]["count"], json!(hook), "{:?}", now[0]);
        assert!(now[0]["series"]["lastObservedTime"].is_string());
    }
}

#[test]
fn events_forbidden_change_nothing_else() {
    let mut allowed = model();
    allowed.sim.ok(0, Event::Install);
    let mut forbidden = model();
    forbidden.sim.cluster.kube.set_faults(vec![Fault::Forbid {
        verb: None,
        resource: Some("events".into()),
        name: None,
    }]);
    let out = forbidden.sim.ok(0, Event::Install);
    let reference = allowed.sim.state().unit_status(0);
    assert_eq!(out.unit_status, reference);
    assert_eq!(out.exit_code, Some(0));
    assert!(all_events(&forbidden.sim).is_empty());
    let names = |sim: &Sim| -> Vec<String> {
        let mut v: Vec<String> = sim
            .cluster
            .kube
            .list("Secret", Some("kubeflow"))
            .iter()
            .map(|s| s["metadata"]["name"].as_str().unwrap_or_default().to_owned())
            .collect();
        v.sort();
        v
    };
    assert_eq!(names(&forbidden.sim), names(&allowed.sim), "every Secret delivered");
    let refused: Vec<u16> = forbidden
        .sim
        .cluster
        .kube
        .requests()
        .iter()
        .filter(|r| r.path.contains("/events"))
        .map(|r| r.status)
        .collect();
    assert!(!refused.is_empty() && refused.iter().all(|s| *s == 403), "{refused:?}");
}
