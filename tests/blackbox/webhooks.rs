//! Webhook certificates delivered through Kubernetes, checked with openssl (x509, verify, a real
//! TLS handshake) and with the API requests the fake server recorded. The compiled charm runs
//! under the process-level simulator; the clock is moved with `CKF_CRYPTO_NOW`, and openssl
//! verifies at the same moment with `-attime`.

use std::collections::BTreeMap;
use std::process::Command;
use std::time::Duration;

use juju_sim::Event;
use kube_fake::Fault;
use serde_json::json;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::certs_openssl::tls_handshake_at;
use crate::common::{Sim, state};

const WEBHOOK_SECRETS: [(&str, &[&str]); 4] = [
    ("admission-webhook-webhook-tls", &["admission-webhook"]),
    ("katib-controller-webhook-tls", &["katib-controller"]),
    ("kserve-controller-webhook-tls", &["kserve-controller", "kserve-webhook-server-service"]),
    ("pvcviewer-operator-webhook-tls", &["pvcviewer-operator"]),
];

const CONFIGS: [(&str, &str); 11] = [
    ("MutatingWebhookConfiguration", "admission-webhook"),
    ("MutatingWebhookConfiguration", "katib.kubeflow.org"),
    ("ValidatingWebhookConfiguration", "katib.kubeflow.org"),
    ("MutatingWebhookConfiguration", "inferenceservice.serving.kserve.io"),
    ("ValidatingWebhookConfiguration", "inferencegraph.serving.kserve.io"),
    ("ValidatingWebhookConfiguration", "inferenceservice.serving.kserve.io"),
    ("ValidatingWebhookConfiguration", "servingruntime.serving.kserve.io"),
    ("ValidatingWebhookConfiguration", "trainedmodel.serving.kserve.io"),
    ("ValidatingWebhookConfiguration", "clusterservingruntime.serving.kserve.io"),
    ("MutatingWebhookConfiguration", "pvcviewer-mutating-webhook-configuration"),
    ("ValidatingWebhookConfiguration", "pvcviewer-validating-webhook-configuration"),
];

const T0: &str = "2026-01-01T00:00:00Z";

fn at(days: i64) -> OffsetDateTime {
    OffsetDateTime::parse(T0, &Rfc3339).expect("T0") + time::Duration::days(days)
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).expect("format")
}

/// One webhook's delivered material.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Tls {
    crt: String,
    key: String,
    ca: String,
}

fn tls(sim: &Sim, secret: &str) -> Tls {
    tls_in(sim, "kubeflow", secret)
}

fn tls_in(sim: &Sim, namespace: &str, secret: &str) -> Tls {
    use base64::Engine;
    let obj = sim.cluster.kube.get("Secret", Some(namespace), secret);
    let obj = obj.unwrap_or_else(|| panic!("Secret {namespace}/{secret} delivered"));
    let text = |k: &str| {
        let b64 = obj["data"][k].as_str().unwrap_or_else(|| panic!("{secret} has {k}"));
        String::from_utf8(base64::engine::general_purpose::STANDARD.decode(b64).expect("base64"))
            .expect("UTF-8")
    };
    Tls { crt: text("tls.crt"), key: text("tls.key"), ca: text("ca.crt") }
}

fn serials(sim: &Sim) -> BTreeMap<String, String> {
    WEBHOOK_SECRETS
        .iter()
        .map(|(s, _)| {
            (
                (*s).to_owned(),
                ckf_crypto::certs::inspect(&tls(sim, s).crt).expect("cert").serial_hex,
            )
        })
        .collect()
}

fn openssl(args: &[&str], input_files: &[(&str, &str)]) -> (bool, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut full: Vec<String> = Vec::new();
    for a in args {
        let mut a = (*a).to_owned();
        for (name, content) in input_files {
            if a == *name {
                let path = dir.path().join(name);
                std::fs::write(&path, content).expect("write");
                a = path.display().to_string();
            }
        }
        full.push(a);
    }
    let out = Command::new("openssl").args(&full).output().expect("openssl runs");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

fn deployed_at(now: Option<&str>) -> Sim {
    let mut sim = Sim::new(state(1));
    sim.set_now(now);
    sim.deploy(1);
    sim
}

#[test]
fn default_webhooks_get_secrets_and_ca_bundles_that_openssl_accepts() {
    let sim = deployed_at(None);
    let first = tls(&sim, WEBHOOK_SECRETS[0].0);
    for (kind, name) in CONFIGS {
        let bundles = sim.cluster.ca_bundles(kind, name);
        assert!(!bundles.is_empty());
        for b in bundles {
            assert_eq!(
                b.as_deref(),
                Some(first.ca.as_str()),
                "{kind} {name} caBundle is the CA bundle"
            );
        }
    }
    for (secret, services) in WEBHOOK_SECRETS {
        let t = tls(&sim, secret);
        let obj = sim.cluster.kube.get("Secret", Some("kubeflow"), secret).expect("secret");
        assert_eq!(obj["type"], json!("kubernetes.io/tls"));
        assert_eq!(obj["metadata"]["labels"]["app.kubernetes.io/managed-by"], json!("ckf-crypto"));
        assert_eq!(obj["metadata"]["labels"]["app.kubernetes.io/part-of"], json!("kubeflow"));
        let hash = obj["metadata"]["annotations"]["ckf-crypto.kubeflow.org/config-hash"]
            .as_str()
            .expect("hash");
        assert_eq!(hash.len(), 64);
        assert_eq!(t.ca, first.ca, "one CA for every webhook");

        let (ok, text) =
            openssl(&["x509", "-in", "leaf.pem", "-noout", "-text"], &[("leaf.pem", &t.crt)]);
        assert!(ok, "{text}");
        for s in services {
            for name in [
                s.to_string(),
                format!("{s}.kubeflow"),
                format!("{s}.kubeflow.svc"),
                format!("{s}.kubeflow.svc.cluster"),
                format!("{s}.kubeflow.svc.cluster.local"),
            ] {
                assert!(text.contains(&format!("DNS:{name}")), "{secret}: SAN {name} in\n{text}");
            }
        }
        assert!(text.contains("IP Address:127.0.0.1"), "{text}");
        assert!(text.contains("CA:FALSE"), "{text}");
        assert!(
            text.contains("TLS Web Server Authentication, TLS Web Client Authentication"),
            "{text}"
        );
        assert!(text.contains("Digital Signature, Key Encipherment"), "{text}");
        assert!(text.contains("sha256WithRSAEncryption"), "the default key type is RSA: {text}");
        assert!(text.contains(&format!("Subject: CN = {}.kubeflow.svc", services[0])), "{text}");
        let info = ckf_crypto::certs::inspect(&t.crt).expect("inspect");
        assert_eq!((info.not_after - info.not_before).whole_days(), 365);

        let (ok, text) = openssl(
            &["verify", "-CAfile", "ca.pem", "leaf.pem"],
            &[("ca.pem", &t.ca), ("leaf.pem", &t.crt)],
        );
        assert!(ok && text.contains("OK"), "{text}");
        for s in services {
            let host = format!("{s}.kubeflow.svc");
            assert!(
                tls_handshake_at(&t.crt, &t.key, &first.ca, &host, None),
                "handshake as {host}"
            );
        }
        assert!(
            !tls_handshake_at(&t.crt, &t.key, &first.ca, "other.kubeflow.svc", None),
            "wrong host refused"
        );
    }
    let (ok, text) =
        openssl(&["x509", "-in", "ca.pem", "-noout", "-text"], &[("ca.pem", &first.ca)]);
    assert!(
        ok && text.contains("CA:TRUE") && text.contains("Certificate Sign, CRL Sign"),
        "{text}"
    );
    assert!(text.contains("Subject: CN = ckf-crypto"), "{text}");
}

#[test]
fn no_op_hooks_make_no_kubernetes_writes_and_change_no_serial() {
    let mut sim = deployed_at(None);
    let before = serials(&sim);
    let revisions: Vec<u64> =
        sim.state().secrets().iter().map(|s| s.revisions.last().expect("rev").revision).collect();
    sim.cluster.kube.clear_requests();
    for event in [
        Event::UpdateStatus,
        Event::ConfigChanged,
        Event::UpdateStatus,
        Event::Start,
        Event::UpgradeCharm,
    ] {
        let out = sim.ok(0, event.clone());
        assert_eq!(out.unit_status, ("active".to_owned(), String::new()), "{event:?}");
    }
    assert_eq!(sim.cluster.kube.writes(), vec![], "no POST, PUT, PATCH or DELETE");
    assert!(!sim.cluster.kube.requests().is_empty(), "the hooks did look");
    assert_eq!(serials(&sim), before);
    let after: Vec<u64> =
        sim.state().secrets().iter().map(|s| s.revisions.last().expect("rev").revision).collect();
    assert_eq!(after, revisions, "no new Juju secret revision");
}

#[test]
fn leaf_renewal_then_ca_rotation_with_an_overlapping_bundle() {
    let mut sim = deployed_at(Some(T0));
    let s0 = serials(&sim);
    let ca1 = tls(&sim, WEBHOOK_SECRETS[0].0).ca;
    assert_eq!(ckf_crypto::certs::split_pem_bundle(&ca1).len(), 1);

    // 240 days in: more than a third of the leaves' life left; nothing happens.
    sim.set_now(Some(&rfc3339(at(240))));
    sim.ok(0, Event::UpdateStatus);
    assert_eq!(serials(&sim), s0);

    // 250 days in: less than a third left; every leaf is renewed by the same CA.
    sim.set_now(Some(&rfc3339(at(250))));
    sim.ok(0, Event::UpdateStatus);
    let s1 = serials(&sim);
    for (k, v) in &s1 {
        assert_ne!(v, &s0[k], "{k} renewed");
    }
    let renewed = tls(&sim, "katib-controller-webhook-tls");
    assert_eq!(renewed.ca, ca1, "the CA is kept");
    let t = at(251).unix_timestamp();
    assert!(tls_handshake_at(
        &renewed.crt,
        &renewed.key,
        &ca1,
        "katib-controller.kubeflow.svc",
        Some(t)
    ));

    // Just before the CA is due: the leaves are renewed again, still by the first CA.
    sim.set_now(Some(&rfc3339(at(2430))));
    sim.ok(0, Event::UpdateStatus);
    let old = tls(&sim, "katib-controller-webhook-tls");
    assert_eq!(old.ca, ca1);

    // Past two thirds of the CA's life: the CA rotates, the bundle carries both CAs, caBundles
    // are written before the Secrets, and clients with either bundle keep verifying.
    sim.set_now(Some(&rfc3339(at(2440))));
    sim.cluster.kube.clear_requests();
    sim.ok(0, Event::UpdateStatus);
    let new = tls(&sim, "katib-controller-webhook-tls");
    let cas = ckf_crypto::certs::split_pem_bundle(&new.ca);
    assert_eq!(cas.len(), 2, "new and old CA");
    assert_ne!(cas[0].trim(), ca1.trim());
    assert_eq!(cas[1].trim(), ca1.trim());
    for (kind, name) in CONFIGS {
        for b in sim.cluster.ca_bundles(kind, name) {
            assert_eq!(b.as_deref(), Some(new.ca.as_str()));
        }
    }
    let writes = sim.cluster.kube.writes();
    let first_secret =
        writes.iter().position(|w| w.path.contains("/secrets/")).expect("secrets written");
    let last_bundle =
        writes.iter().rposition(|w| w.path.contains("webhookconfigurations")).expect("bundles");
    assert!(last_bundle < first_secret, "caBundle before the Secrets");

    let t = at(2441).unix_timestamp();
    let host = "katib-controller.kubeflow.svc";
    assert!(tls_handshake_at(&old.crt, &old.key, &ca1, host, Some(t)), "old bundle, old leaf");
    assert!(tls_handshake_at(&old.crt, &old.key, &new.ca, host, Some(t)), "new bundle, old leaf");
    assert!(tls_handshake_at(&new.crt, &new.key, &new.ca, host, Some(t)), "new bundle, new leaf");
    assert!(
        !tls_handshake_at(&new.crt, &new.key, &ca1, host, Some(t)),
        "old bundle cannot verify the new leaf"
    );

    // Once the old CA has expired it leaves the bundle.
    sim.set_now(Some(&rfc3339(at(3651))));
    sim.ok(0, Event::UpdateStatus);
    assert_eq!(
        ckf_crypto::certs::split_pem_bundle(&tls(&sim, "katib-controller-webhook-tls").ca).len(),
        1
    );
}

#[test]
fn a_leader_change_reissues_nothing() {
    let mut sim = Sim::new(state(2));
    sim.deploy(2);
    let before = serials(&sim);
    let revisions = |sim: &Sim| {
        sim.state().secret_by_label(ckf_crypto::store::LABEL).expect("certs").revisions.clone()
    };
    let before_revisions = revisions(&sim);
    sim.cluster.kube.clear_requests();
    sim.harness.state_mut().set_leader(Some(1));
    sim.ok(1, Event::LeaderElected);
    sim.ok(0, Event::LeaderSettingsChanged);
    let out = sim.ok(1, Event::UpdateStatus);
    assert_eq!(out.unit_status, ("active".to_owned(), String::new()));
    assert_eq!(serials(&sim), before);
    // Compared without printing: the content holds private keys.
    assert!(revisions(&sim) == before_revisions, "the certificates secret is unchanged");
    assert_eq!(sim.cluster.kube.writes(), vec![]);
}

#[test]
fn without_trust_the_unit_is_blocked_and_the_secrets_slice_keeps_working() {
    let mut sim = Sim::new(state(1));
    sim.cluster.kube.set_faults(vec![Fault::ForbiddenAll]);
    sim.deploy(1);
    let rel = sim.relate(0, "kfp-api");
    let (status, message) = sim.state().unit_status(0);
    assert_eq!(status, "blocked");
    assert_eq!(
        message,
        "Kubernetes API access denied: run 'juju trust ckf-crypto --scope=cluster'"
    );
    assert!(crate::common::is_generated_format(
        sim.sent(&rel)["secret-key"].as_str().expect("sent")
    ));
    assert!(sim.cluster.secret_data("mlpipeline-minio-artifact").is_none());

    // `juju trust` fires config-changed: everything is delivered.
    sim.cluster.kube.clear_faults();
    let out = sim.ok(0, Event::ConfigChanged);
    assert_eq!(out.unit_status.0, "active");
    let minio = sim.cluster.secret_data("mlpipeline-minio-artifact").expect("delivered");
    assert_eq!(String::from_utf8_lossy(&minio["secretkey"]), sim.generated()["secret-key"]);
    assert_eq!(String::from_utf8_lossy(&minio["accesskey"]), "minio");
    let oidc = sim.cluster.secret_data("oidc-authservice-client").expect("delivered");
    assert_eq!(
        String::from_utf8_lossy(&oidc["CLIENT_SECRET"]),
        sim.generated()["oidc-client-secret"]
    );
    assert_eq!(String::from_utf8_lossy(&oidc["CLIENT_ID"]), "authservice-oidc");
}

#[test]
fn a_5xx_on_one_write_is_retried_and_converges() {
    let mut sim = Sim::new(state(1));
    sim.cluster.kube.set_faults(vec![Fault::StatusOnce {
        nth: 2,
        method: Some("PATCH".into()),
        status: 500,
    }]);
    let out = sim.ok(0, Event::Install);
    assert_eq!(out.unit_status, ("active".to_owned(), String::new()));
    let failed = sim.cluster.kube.requests().into_iter().filter(|r| r.status == 500).count();
    assert_eq!(failed, 1, "the fault fired once");
    for (secret, _) in WEBHOOK_SECRETS {
        assert!(sim.cluster.secret_data(secret).is_some(), "{secret} delivered after the retry");
    }
}

#[test]
fn persistent_5xx_fails_the_hook_only_when_nothing_new_needs_committing() {
    let mut sim = Sim::new(state(1));
    let three = |status| {
        (1..=3)
            .map(|nth| Fault::StatusOnce { nth, method: Some("PATCH".into()), status })
            .collect::<Vec<_>>()
    };
    // New material: the hook exits 0 so Juju keeps it, delivers everything else, names what
    // waits, and the next hook delivers it.
    sim.cluster.kube.set_faults(three(500));
    let out = sim.ok(0, Event::Install);
    assert_eq!(
        out.unit_status,
        (
            "waiting".to_owned(),
            "Kubernetes API error writing Secret 'mlpipeline-minio-artifact'; retrying on the next \
             hook"
                .to_owned()
        )
    );
    assert!(sim.cluster.secret_data("mlpipeline-minio-artifact").is_none());
    for (secret, _) in WEBHOOK_SECRETS {
        assert!(sim.cluster.secret_data(secret).is_some(), "{secret} delivered in the same hook");
    }
    assert_eq!(sim.state().secrets().len(), 1, "the material was committed");
    let ca = sim.state().secret_by_label(ckf_crypto::store::LABEL).expect("certs").clone();
    sim.cluster.kube.clear_faults();
    sim.ok(0, Event::UpdateStatus);
    assert_eq!(tls(&sim, WEBHOOK_SECRETS[0].0).ca.trim(), ca.revisions[0].content["ca-crt"].trim());

    // Nothing new: the hook fails (Juju retries it soon) and the retry converges.
    sim.cluster.kube.delete("Secret", Some("kubeflow"), "oidc-authservice-client");
    sim.cluster.kube.set_faults(three(500));
    let out = sim.run(0, &Event::UpdateStatus);
    assert_eq!(out.exit_code, Some(1));
    sim.cluster.kube.clear_faults();
    sim.ok(0, Event::UpdateStatus);
    assert!(sim.cluster.secret_data("oidc-authservice-client").is_some());
}

#[test]
fn a_timeout_is_retried() {
    let mut sim = Sim::new(state(1));
    sim.harness
        .state_mut()
        .agent_env
        .insert(ckf_crypto::charm::KUBE_TIMEOUT_VAR.into(), "400".into());
    sim.cluster.kube.set_faults(vec![Fault::DelayOnce {
        nth: 1,
        method: Some("GET".into()),
        delay: Duration::from_millis(1500),
    }]);
    let out = sim.ok(0, Event::Install);
    assert_eq!(out.unit_status.0, "active");
    assert!(sim.cluster.secret_data("oidc-authservice-client").is_some());
}

#[test]
fn certificate_actions() {
    let mut sim = Sim::new(state(2));
    sim.deploy(2);
    let ca = tls(&sim, WEBHOOK_SECRETS[0].0).ca;
    for unit in [0, 1] {
        let out = sim.ok(
            unit,
            Event::Action { name: "get-ca-certificate".into(), params: Default::default() },
        );
        let results = out.action.expect("action").results;
        assert_eq!(results["ca-certificate"], json!(ca), "unit {unit}");

        let out = sim.ok(
            unit,
            Event::Action { name: "list-certificates".into(), params: Default::default() },
        );
        let list: Vec<serde_json::Value> = serde_json::from_str(
            out.action.expect("action").results["certificates"].as_str().expect("json"),
        )
        .expect("a JSON list");
        assert_eq!(list.len(), 4);
        let serials = serials(&sim);
        for entry in &list {
            assert_eq!(entry["source"], json!("webhook"));
            let name = entry["name"].as_str().expect("name");
            assert_eq!(entry["serial"], json!(serials[&format!("{name}-webhook-tls")]));
            assert!(entry["dns-names"].as_array().expect("names").len() >= 5);
            let not_after = entry["not-after"].as_str().expect("not-after");
            assert!(
                OffsetDateTime::parse(not_after, &Rfc3339).is_ok() && not_after.ends_with('Z'),
                "{not_after}"
            );
        }
    }

    let out =
        sim.ok(1, Event::Action { name: "renew-certificates".into(), params: Default::default() });
    assert_eq!(
        out.action.expect("action").failed.as_deref(),
        Some("this action must run on the leader unit")
    );

    let before = serials(&sim);
    let out =
        sim.ok(0, Event::Action { name: "renew-certificates".into(), params: Default::default() });
    assert_eq!(out.action.expect("action").results["renewed"], json!("4"));
    let after = serials(&sim);
    assert!(before.iter().all(|(k, v)| after[k] != *v));
    assert_eq!(tls(&sim, WEBHOOK_SECRETS[0].0).ca, ca, "the CA is kept");

    let params = serde_json::Map::from_iter([("rotate-ca".to_owned(), json!(true))]);
    let out = sim.ok(0, Event::Action { name: "renew-certificates".into(), params });
    assert_eq!(out.action.expect("action").results["renewed"], json!("4"));
    let bundle = tls(&sim, WEBHOOK_SECRETS[0].0).ca;
    assert_eq!(
        ckf_crypto::certs::split_pem_bundle(&bundle).len(),
        2,
        "new CA plus the previous one"
    );
}

#[test]
fn a_missing_webhook_configuration_is_pending_then_served() {
    let mut sim = Sim::new(state(1));
    sim.cluster.kube.delete("MutatingWebhookConfiguration", None, "admission-webhook");
    sim.cluster.kube.delete("ValidatingWebhookConfiguration", None, "katib.kubeflow.org");
    let out = sim.ok(0, Event::Install);
    assert_eq!(
        out.unit_status,
        ("active".to_owned(), "caBundle pending: admission-webhook, katib.kubeflow.org".to_owned())
    );
    for cfg in crate::common::ckf_webhook_configs() {
        sim.cluster.kube.put(cfg);
    }
    let out = sim.ok(0, Event::UpdateStatus);
    assert_eq!(out.unit_status, ("active".to_owned(), String::new()));
    let bundle = tls(&sim, WEBHOOK_SECRETS[0].0).ca;
    assert_eq!(
        sim.cluster.ca_bundles("MutatingWebhookConfiguration", "admission-webhook"),
        vec![Some(bundle)]
    );
}

#[test]
fn ecdsa_and_namespace_options() {
    let mut sim = Sim::new(state(1));
    sim.config("key-algorithm", json!("ecdsa-p256"));
    sim.config("namespace", json!("team-a"));
    sim.config(
        "webhooks",
        json!("- {name: demo, services: [demo-svc], mutating: [admission-webhook]}"),
    );
    sim.deploy(1);
    assert!(sim.cluster.kube.get("Secret", Some("kubeflow"), "demo-webhook-tls").is_none());
    let t = tls_in(&sim, "team-a", "demo-webhook-tls");
    let (ok, text) =
        openssl(&["x509", "-in", "leaf.pem", "-noout", "-text"], &[("leaf.pem", &t.crt)]);
    assert!(
        ok && text.contains("ecdsa-with-SHA256") && text.contains("DNS:demo-svc.team-a.svc"),
        "{text}"
    );
    assert!(tls_handshake_at(&t.crt, &t.key, &t.ca, "demo-svc.team-a.svc", None));
    assert!(sim.cluster.kube.get("Secret", Some("team-a"), "oidc-authservice-client").is_some());

    // Changing the key type re-issues the CA (with overlap) and the leaf.
    sim.config("key-algorithm", json!("rsa-2048"));
    sim.ok(0, Event::ConfigChanged);
    let t2 = tls_in(&sim, "team-a", "demo-webhook-tls");
    assert_ne!(t2.crt, t.crt);
    assert_eq!(ckf_crypto::certs::split_pem_bundle(&t2.ca).len(), 2);
    assert!(tls_handshake_at(&t2.crt, &t2.key, &t2.ca, "demo-svc.team-a.svc", None));
}
