//! caBundle injection only where it is safe (the README's "caBundle injection"), through the
//! compiled charm, the process-level simulator and the fake API server with real field
//! ownership.
//!
//! The cluster starts as a CKF deployment whose Python webhook charms still serve their
//! webhooks: each made its own CA and applied it into its configurations' `caBundle` as field
//! manager `lightkube` (`ckf_crypto::demo::seed_served_configs`, the demo's seeding). The CA and
//! the webhook server's certificate are made here with the openssl CLI, and "the webhook server
//! keeps answering the API server" is checked where it counts: a real TLS handshake between
//! `openssl s_server` presenting the server's certificate and `openssl s_client` trusting
//! exactly the configuration's current `caBundle`, as the API server does.

use std::path::Path;
use std::process::Command;

use juju_sim::Event;
use serde_json::{Value, json};

use super::certs_openssl::tls_handshake_ok;
use crate::common::{Sim, state};

const M: &str = "MutatingWebhookConfiguration";
const V: &str = "ValidatingWebhookConfiguration";
const KATIB: &str = "katib.kubeflow.org";
const KATIB_HOST: &str = "katib-controller.kubeflow.svc";
const PYTHON_CHARMS: &str = ckf_crypto::demo::PYTHON_CHARMS;
const ANNOTATION: &str = "ckf-crypto.kubeflow.org/inject-ca-from";

/// A Python webhook charm's own PKI, as its `gen_certs` makes it with the openssl CLI: a CA,
/// and a server certificate for `host` signed by it.
struct ForeignPki {
    ca: String,
    leaf: String,
    key: String,
    _dir: tempfile::TempDir,
}

impl ForeignPki {
    fn new(host: &str) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let d = dir.path();
        openssl(
            d,
            &["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]
                .into_iter()
                .chain(["-nodes", "-subj", "/CN=katib-ca", "-days", "30"])
                .chain(["-keyout", "ca.key", "-out", "ca.pem"])
                .collect::<Vec<_>>(),
        );
        openssl(
            d,
            &["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]
                .into_iter()
                .chain(["-nodes", "-subj", &format!("/CN={host}")])
                .chain(["-keyout", "leaf.key", "-out", "leaf.csr"])
                .collect::<Vec<_>>(),
        );
        std::fs::write(d.join("ext.cnf"), format!("subjectAltName=DNS:{host}\n")).expect("ext");
        openssl(
            d,
            &["x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key"]
                .into_iter()
                .chain([
                    "-CAcreateserial",
                    "-days",
                    "30",
                    "-extfile",
                    "ext.cnf",
                    "-out",
                    "leaf.pem",
                ])
                .collect::<Vec<_>>(),
        );
        let read = |f: &str| std::fs::read_to_string(d.join(f)).expect("pem");
        Self { ca: read("ca.pem"), leaf: read("leaf.pem"), key: read("leaf.key"), _dir: dir }
    }

    /// Whether a client trusting `bundle` accepts this server.
    fn trusted_by(&self, bundle: &str) -> bool {
        tls_handshake_ok(&self.leaf, &self.key, bundle, KATIB_HOST)
    }
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl").current_dir(dir).args(args).output().expect("openssl");
    assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// A one-unit model whose cluster has the CKF configurations as the Python charms left them.
fn served(foreign: &ForeignPki) -> Sim {
    let mut sim = Sim::new(state(1));
    sim.config("key-algorithm", json!("ecdsa-p256"));
    ckf_crypto::demo::seed_served_configs(&sim.cluster.kube, &foreign.ca).expect("seeded");
    sim
}

/// The one `caBundle` of every webhook of a configuration (they are all equal here).
fn ca_bundle(sim: &Sim, kind: &str, name: &str) -> String {
    let bundles = sim.cluster.ca_bundles(kind, name);
    let first = bundles[0].clone().unwrap_or_default();
    assert!(bundles.iter().all(|b| b.as_deref() == Some(first.as_str())), "{kind} {name}");
    first
}

/// The field managers that own a `caBundle` of a configuration, from its `managedFields`.
fn owners(sim: &Sim, kind: &str, name: &str) -> Vec<String> {
    let obj = sim.cluster.kube.get(kind, None, name).expect("configuration");
    let mut out: Vec<String> = obj["metadata"]["managedFields"]
        .as_array()
        .expect("managedFields")
        .iter()
        .filter(|m| m["fieldsV1"].to_string().contains("f:caBundle"))
        .map(|m| m["manager"].as_str().expect("manager").to_owned())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The `force` of every write to a configuration since the requests were last cleared.
fn writes_to(sim: &Sim, kind: &str, name: &str) -> Vec<bool> {
    let path = format!("/apis/admissionregistration.k8s.io/v1/{}s/{name}", kind.to_lowercase());
    sim.cluster
        .kube
        .writes()
        .iter()
        .filter(|r| r.path == path)
        .map(|r| r.query.split('&').any(|p| p == "force=true"))
        .collect()
}

/// The webhook server certificate, key and `ca.crt` the charm delivered for `entry`.
fn ours(sim: &Sim, entry: &str) -> (String, String, String) {
    let data = sim.cluster.secret_data(&format!("{entry}-webhook-tls")).expect("tls Secret");
    let text = |k: &str| String::from_utf8(data[k].clone()).expect("utf-8");
    (text("tls.crt"), text("tls.key"), text("ca.crt"))
}

/// Whether a client trusting `bundle` accepts the charm's current server certificate for
/// `entry`, served under its first Service's name.
fn ours_trusted_by(sim: &Sim, entry: &str, host: &str, bundle: &str) -> bool {
    let (crt, key, _) = ours(sim, entry);
    tls_handshake_ok(&crt, &key, bundle, host)
}

fn held_message(sim: &Sim) -> String {
    let (status, message) = sim.state().unit_status(0);
    assert_eq!(status, "active", "{message}");
    message.split("; ").find(|p| p.starts_with("caBundle held: ")).unwrap_or_default().to_owned()
}

fn annotate(sim: &Sim, kind: &str, name: &str, entry: &str) {
    let patch = json!({"metadata": {"annotations": {ANNOTATION: entry}}});
    sim.cluster
        .kube
        .merge_patch_as("kubectl-annotate", kind, None, name, patch)
        .expect("annotated");
}

/// The Python charm applies its configuration again, with its own CA, as it does on its hooks.
fn python_charm_reapplies(sim: &Sim, kind: &str, name: &str, ca: &str) {
    use base64::Engine;
    let mut cfg = sim.cluster.kube.get(kind, None, name).expect("configuration");
    let ca = base64::engine::general_purpose::STANDARD.encode(ca);
    let webhooks: Vec<Value> = cfg["webhooks"]
        .as_array()
        .expect("webhooks")
        .iter()
        .map(|w| {
            let mut w = w.clone();
            w["clientConfig"]["caBundle"] = json!(ca);
            w
        })
        .collect();
    cfg = json!({
        "apiVersion": "admissionregistration.k8s.io/v1", "kind": kind,
        "metadata": {"name": name}, "webhooks": webhooks,
    });
    sim.cluster.kube.apply_as(PYTHON_CHARMS, cfg, true).expect("the Python charm's apply");
}

fn action(sim: &mut Sim, name: &str, params: &[(&str, Value)]) -> Value {
    let params = params.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect();
    let out = sim.ok(0, Event::Action { name: name.into(), params });
    let action = out.action.expect("action");
    assert_eq!(action.failed, None, "{name}");
    json!(action.results)
}

#[test]
fn a_foreign_ca_is_held_until_the_operator_opts_in_and_never_fought_over() {
    let katib = ForeignPki::new(KATIB_HOST);
    let mut sim = served(&katib);
    assert!(katib.trusted_by(&ca_bundle(&sim, V, KATIB)), "the server works before the charm");

    // Deployed: admission-webhook's configuration is annotated, pvcviewer's have no caBundle;
    // katib's and kserve's hold their charms' CA and are held, written nothing.
    sim.deploy(1);
    let held = "caBundle held: clusterservingruntime.serving.kserve.io, \
                inferencegraph.serving.kserve.io, inferenceservice.serving.kserve.io, \
                katib.kubeflow.org, servingruntime.serving.kserve.io, \
                trainedmodel.serving.kserve.io";
    assert_eq!(held_message(&sim), held);
    for (kind, name) in [(M, KATIB), (V, KATIB), (V, "trainedmodel.serving.kserve.io")] {
        assert_eq!(writes_to(&sim, kind, name), [false; 0], "{kind} {name} was written");
        assert_eq!(ca_bundle(&sim, kind, name), katib.ca);
        assert_eq!(owners(&sim, kind, name), [PYTHON_CHARMS]);
    }
    assert!(katib.trusted_by(&ca_bundle(&sim, V, KATIB)), "held: the server is still trusted");
    // One `Held` Warning per held configuration, in `default` (they are cluster-scoped).
    let held_events = |sim: &Sim| -> Vec<Value> {
        let events = sim.cluster.kube.events("default");
        events.into_iter().filter(|e| e["reason"] == json!("Held")).collect()
    };
    let first = held_events(&sim);
    let mut named: Vec<&str> =
        first.iter().map(|e| e["regarding"]["name"].as_str().unwrap_or_default()).collect();
    named.sort_unstable();
    named.dedup();
    assert_eq!(format!("caBundle held: {}", named.join(", ")), held);
    assert!(first.iter().all(|e| e["type"] == json!("Warning")));
    let event_writes =
        |sim: &Sim| sim.cluster.kube.writes().iter().filter(|w| w.path.contains("/events")).count();
    let before = event_writes(&sim);
    let logs: Vec<String> =
        sim.run(0, &Event::UpdateStatus).logs.into_iter().map(|l| l.message).collect();
    // Newly held only: the next hook records nothing and writes no Event.
    assert_eq!(held_events(&sim), first);
    assert_eq!(event_writes(&sim), before);
    let note = logs.iter().find(|l| l.starts_with("caBundle held")).expect("the held log line");
    assert!(
        note.contains(&format!(
            "{V} '{KATIB}' (entry 'katib-controller', caBundle managed by '{PYTHON_CHARMS}'): \
             opt in with `kubectl annotate validatingwebhookconfiguration {KATIB} \
             {ANNOTATION}=katib-controller` or with take-over: true"
        )),
        "{note}"
    );

    // (a) annotated from the start: taken over (forced), and the charm's server is trusted.
    let (_, _, bundle) = ours(&sim, "admission-webhook");
    assert_eq!(ca_bundle(&sim, M, "admission-webhook"), bundle);
    assert_eq!(writes_to(&sim, M, "admission-webhook"), [true]);
    assert_eq!(owners(&sim, M, "admission-webhook"), ["ckf-crypto"]);
    assert!(ours_trusted_by(&sim, "admission-webhook", "admission-webhook.kubeflow.svc", &bundle));
    // (c) an empty caBundle: written without taking anything over.
    let pvc = "pvcviewer-mutating-webhook-configuration";
    assert_eq!(ca_bundle(&sim, M, pvc), bundle);
    assert_eq!(writes_to(&sim, M, pvc), [false]);
    assert_eq!(owners(&sim, M, pvc), ["ckf-crypto"]);

    // (a) annotated later: injected on the next hook, forced; its validating twin stays held.
    sim.cluster.kube.clear_requests();
    annotate(&sim, M, KATIB, "katib-controller");
    sim.ok(0, Event::UpdateStatus);
    assert_eq!(writes_to(&sim, M, KATIB), [true]);
    assert_eq!(owners(&sim, M, KATIB), ["ckf-crypto"]);
    assert_eq!(ca_bundle(&sim, M, KATIB), bundle);
    assert!(ours_trusted_by(&sim, "katib-controller", KATIB_HOST, &ca_bundle(&sim, M, KATIB)));
    assert_eq!(writes_to(&sim, V, KATIB), [false; 0]);
    assert!(katib.trusted_by(&ca_bundle(&sim, V, KATIB)));
    assert!(held_message(&sim).contains("katib.kubeflow.org"));

    // (b) take-over on the kserve-controller entry: all six of its configurations, forced.
    let webhooks = ckf_crypto::config::webhooks::DEFAULT.replace(
        "services: [kserve-controller, kserve-webhook-server-service]",
        "services: [kserve-controller, kserve-webhook-server-service]\n  take-over: true",
    );
    sim.config("webhooks", json!(webhooks));
    sim.cluster.kube.clear_requests();
    sim.ok(0, Event::ConfigChanged);
    for name in ["inferenceservice.serving.kserve.io", "trainedmodel.serving.kserve.io"] {
        let kind = if name.starts_with("trained") { V } else { M };
        assert_eq!(writes_to(&sim, kind, name), [true], "{name}");
        assert_eq!(owners(&sim, kind, name), ["ckf-crypto"], "{name}");
    }
    assert_eq!(held_message(&sim), "caBundle held: katib.kubeflow.org");

    // A foreign manager puts its CA back into a configuration injected under (c): held again,
    // and not written on three further hooks.
    python_charm_reapplies(&sim, M, pvc, &katib.ca);
    sim.cluster.kube.clear_requests();
    for _ in 0..4 {
        sim.ok(0, Event::UpdateStatus);
    }
    assert_eq!(writes_to(&sim, M, pvc), [false; 0]);
    // No write but the one Event that records it as newly held.
    let writes: Vec<String> = sim.cluster.kube.writes().iter().map(|w| w.path.clone()).collect();
    assert_eq!(writes, ["/apis/events.k8s.io/v1/namespaces/default/events"], "no object write");
    assert_eq!(held_message(&sim), format!("caBundle held: katib.kubeflow.org, {pvc}"));
    assert_eq!(ca_bundle(&sim, M, pvc), katib.ca);

    // Into one the operator opted into, the charm puts its CA back: that is what opting in is.
    python_charm_reapplies(&sim, M, KATIB, &katib.ca);
    sim.ok(0, Event::UpdateStatus);
    assert_eq!(writes_to(&sim, M, KATIB), [true]);
    assert_eq!(ca_bundle(&sim, M, KATIB), bundle);

    // Renewal and CA rotation reach every injected configuration, forced where opted in, and
    // leave the held ones alone.
    let old = ours(&sim, "katib-controller");
    sim.cluster.kube.clear_requests();
    let renewed = action(&mut sim, "renew-certificates", &[("rotate-ca", json!(true))]);
    assert_eq!(renewed["renewed"], json!("4"));
    let (_, _, rotated) = ours(&sim, "admission-webhook");
    assert_ne!(rotated, bundle);
    assert_eq!(ckf_crypto::certs::split_pem_bundle(&rotated).len(), 2, "new and previous CA");
    for (kind, name, forced) in [
        (M, "admission-webhook", true),
        (M, KATIB, true),
        (M, "inferenceservice.serving.kserve.io", true),
        (V, "pvcviewer-validating-webhook-configuration", false),
    ] {
        assert_eq!(writes_to(&sim, kind, name), [forced], "{kind} {name}");
        assert_eq!(ca_bundle(&sim, kind, name), rotated, "{kind} {name}");
    }
    for (kind, name) in [(V, KATIB), (M, pvc)] {
        assert_eq!(writes_to(&sim, kind, name), [false; 0], "{kind} {name}");
        assert!(katib.trusted_by(&ca_bundle(&sim, kind, name)), "{kind} {name}");
    }
    let new_bundle = ca_bundle(&sim, M, KATIB);
    assert!(tls_handshake_ok(&old.0, &old.1, &new_bundle, KATIB_HOST), "the old leaf, overlap");
    assert!(ours_trusted_by(&sim, "katib-controller", KATIB_HOST, &new_bundle), "the new leaf");

    // A leaf renewal changes no caBundle and the new leaf is trusted.
    sim.cluster.kube.clear_requests();
    action(&mut sim, "renew-certificates", &[]);
    assert!(sim.cluster.kube.writes().iter().all(|r| !r.path.contains("webhookconfigurations")));
    assert!(ours_trusted_by(&sim, "katib-controller", KATIB_HOST, &ca_bundle(&sim, M, KATIB)));
    assert_eq!(held_message(&sim), format!("caBundle held: katib.kubeflow.org, {pvc}"));
}

/// The README's way to move a webhook without a moment in which the API server refuses it: the
/// CA its server uses now goes into `extra-ca-certificates` before the opt-in, so the bundle
/// trusts both servers while the workload switches to the charm's Secret; the pin is dropped
/// when it has.
#[test]
fn moving_a_webhook_keeps_the_old_server_trusted_until_it_switched() {
    let katib = ForeignPki::new(KATIB_HOST);
    let mut sim = served(&katib);
    let dir = tempfile::tempdir().expect("tempdir");
    let old_ca = dir.path().join("katib-ca.pem");
    // As `kubectl get ... -o jsonpath='{.webhooks[0].clientConfig.caBundle}' | base64 -d`.
    std::fs::write(&old_ca, ca_bundle(&sim, V, KATIB)).expect("write");
    sim.harness.state_mut().add_resource("extra-ca-certificates", &old_ca);
    let out = Command::new("sha256sum").arg(&old_ca).output().expect("sha256sum");
    let digest = String::from_utf8_lossy(&out.stdout).split_whitespace().next().map(str::to_owned);
    let digest = digest.expect("a digest");
    sim.config("resource-checksums", json!(format!("extra-ca-certificates: sha256:{digest}")));
    sim.deploy(1);
    assert!(katib.trusted_by(&ca_bundle(&sim, V, KATIB)), "held");

    for kind in [M, V] {
        annotate(&sim, kind, KATIB, "katib-controller");
    }
    sim.ok(0, Event::UpdateStatus);
    for kind in [M, V] {
        let bundle = ca_bundle(&sim, kind, KATIB);
        assert_eq!(owners(&sim, kind, KATIB), ["ckf-crypto"]);
        assert!(katib.trusted_by(&bundle), "{kind}: the old server, still running");
        assert!(ours_trusted_by(&sim, "katib-controller", KATIB_HOST, &bundle), "{kind}: ours");
    }
    assert!(!held_message(&sim).contains(KATIB));

    // The server now uses the charm's Secret: the old CA leaves the bundle.
    sim.config("resource-checksums", json!(""));
    sim.ok(0, Event::ConfigChanged);
    for kind in [M, V] {
        let bundle = ca_bundle(&sim, kind, KATIB);
        assert!(!katib.trusted_by(&bundle), "{kind}: the old CA is gone");
        assert!(ours_trusted_by(&sim, "katib-controller", KATIB_HOST, &bundle), "{kind}: ours");
    }
}

/// Under (c) the charm does not take the field over: when another manager shares a `caBundle`
/// that holds the charm's CA, a CA rotation is refused with a conflict that names the manager,
/// the webhook's Secret keeps the certificate its configuration trusts, and an opt-in settles it.
#[test]
fn a_shared_ca_bundle_is_not_taken_over_without_an_opt_in() {
    let katib = ForeignPki::new(KATIB_HOST);
    let mut sim = served(&katib);
    sim.deploy(1);
    let pvc = "pvcviewer-validating-webhook-configuration";
    let before = ours(&sim, "pvcviewer-operator");
    // Someone applies the configuration with the charm's CA copied into it, sharing the field.
    let mut cfg = sim.cluster.kube.get(V, None, pvc).expect("configuration");
    cfg["metadata"] = json!({"name": pvc});
    sim.cluster.kube.apply_as("kubectl", cfg, false).expect("a shared apply");
    assert_eq!(owners(&sim, V, pvc), ["ckf-crypto", "kubectl"]);

    sim.cluster.kube.clear_requests();
    action(&mut sim, "renew-certificates", &[("rotate-ca", json!(true))]);
    let out = sim.ok(0, Event::UpdateStatus);
    assert_eq!(writes_to(&sim, V, pvc), [false, false], "tried without force, on each run");
    let (status, message) = out.unit_status;
    assert_eq!(status, "blocked");
    assert!(
        message.starts_with(&format!(
            "Cannot write {V} '{pvc}': Apply failed with 1 conflict: conflict with \"kubectl\""
        )) && message.ends_with(&format!(
            "(annotate it {ANNOTATION}=<entry>, or set take-over: true on its webhooks entry, \
             to let ckf-crypto take the field over)"
        )),
        "{message}"
    );
    // Nothing is broken: the Secret keeps the certificate the configuration still trusts.
    assert_eq!(ours(&sim, "pvcviewer-operator"), before);
    let trusted = ca_bundle(&sim, V, pvc);
    assert!(ours_trusted_by(
        &sim,
        "pvcviewer-operator",
        "pvcviewer-operator.kubeflow.svc",
        &trusted
    ));
    // The other configurations and Secrets rotated.
    assert_ne!(ours(&sim, "admission-webhook").2, before.2);

    annotate(&sim, V, pvc, "pvcviewer-operator");
    sim.cluster.kube.clear_requests();
    let out = sim.ok(0, Event::UpdateStatus);
    assert_eq!(writes_to(&sim, V, pvc), [true]);
    assert_eq!(owners(&sim, V, pvc), ["ckf-crypto"]);
    assert_eq!(out.unit_status.0, "active", "{}", out.unit_status.1);
    let after = ours(&sim, "pvcviewer-operator");
    assert_ne!(after.0, before.0, "the Secret follows its configuration");
    let bundle = ca_bundle(&sim, V, pvc);
    assert!(ours_trusted_by(
        &sim,
        "pvcviewer-operator",
        "pvcviewer-operator.kubeflow.svc",
        &bundle
    ));
}
