//! Refusals object by object, through the compiled charm and the fake API server: a Secret of
//! another owner in the way, one of ours of the wrong type, fields another field manager added, a
//! 403 on one object, a request that cannot be signed, and the read-only actions while the API
//! server fails. The model and its deliverables are `isolation`'s.

use juju_sim::Event;
use kube_fake::Fault;
use serde_json::{Value, json};

use super::isolation::{
    TLS_SECRETS, all_but, delivered, foreign_secret, install, model, model_of, requests,
};
use crate::common::{RSA, csr_with};

#[test]
fn a_conflicting_secret_blocks_naming_it_and_everything_else_is_delivered_until_it_goes() {
    let mut m = model();
    foreign_secret(&m, "admission-webhook-webhook-tls", "Opaque");
    let out = m.sim.ok(0, Event::Install);
    let (level, msg) = out.unit_status.clone();
    assert_eq!(level, "blocked");
    assert!(
        msg.starts_with("Cannot write Secret 'admission-webhook-webhook-tls': ")
            && msg.contains("field is immutable")
            && msg.contains("a Secret of type 'Opaque' managed by another owner is in the way"),
        "{msg}"
    );
    let mut expected = all_but("webhooks");
    assert_eq!(delivered(&mut m), expected);
    for secret in &TLS_SECRETS[1..] {
        assert!(m.sim.cluster.secret_data(secret).is_some(), "{secret} delivered in the same hook");
    }
    let foreign = m.sim.cluster.secret_data("admission-webhook-webhook-tls").expect("left alone");
    assert_eq!(foreign.keys().collect::<Vec<_>>(), ["note", "tls.crt", "tls.key"]);
    assert!(out.logs.iter().any(|l| l.message.contains("Cannot write Secret 'admission-webhook")));

    // Every later hook says the same and exits 0; nothing else is written again.
    m.sim.cluster.kube.clear_requests();
    let out = m.sim.ok(0, Event::UpdateStatus);
    assert_eq!(out.unit_status, (level, msg));
    let writes: Vec<String> = m.sim.cluster.kube.writes().iter().map(|w| w.path.clone()).collect();
    // The apply that is refused again, and its WriteFailed Warning counted once more.
    let warning = writes.last().cloned().unwrap_or_default();
    assert!(
        warning.starts_with("/apis/events.k8s.io/v1/namespaces/kubeflow/events/"),
        "{writes:?}"
    );
    assert_eq!(
        writes[..writes.len() - 1],
        ["/api/v1/namespaces/kubeflow/secrets/admission-webhook-webhook-tls"]
    );

    // Once the operator deletes it, the next hook delivers.
    m.sim.cluster.kube.delete("Secret", Some("kubeflow"), "admission-webhook-webhook-tls");
    let out = m.sim.ok(0, Event::UpdateStatus);
    assert_eq!(out.unit_status.0, "active");
    expected = all_but("none");
    assert_eq!(delivered(&mut m), expected);
}

#[test]
fn a_secret_of_the_wrong_type_with_the_charms_label_is_replaced() {
    let mut m = model();
    m.sim.cluster.kube.put(json!({
        "apiVersion": "v1", "kind": "Secret", "type": "Opaque",
        "metadata": {"name": "katib-controller-webhook-tls", "namespace": "kubeflow",
                     "labels": {"app.kubernetes.io/managed-by": "ckf-crypto"}},
        "data": {"old": "b2xk"},
    }));
    let out = m.sim.ok(0, Event::Install);
    assert_eq!(out.unit_status.0, "active", "{:?}", out.unit_status);
    let path = "/api/v1/namespaces/kubeflow/secrets/katib-controller-webhook-tls";
    let methods: Vec<String> = m
        .sim
        .cluster
        .kube
        .writes()
        .iter()
        .filter(|w| w.path == path)
        .map(|w| w.method.clone())
        .collect();
    assert_eq!(methods, ["DELETE", "PATCH"]);
    assert_eq!(delivered(&mut m), all_but("none"));
    let data = m.sim.cluster.secret_data("katib-controller-webhook-tls").expect("replaced");
    assert!(!data.contains_key("old") && data.contains_key("tls.key"));
}

#[test]
fn one_request_that_cannot_be_signed_is_refused_and_the_others_are_served() {
    let mut m = model();
    // A P-384 key in a request signed with SHA-256: the certificate rcgen would make from it
    // would claim a P-256 key, so it is refused instead of published.
    let odd = csr_with(
        "odd.kubeflow.svc",
        &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384"],
        "-sha256",
    );
    let good = csr_with("good.kubeflow.svc", RSA, "-sha256");
    let ec = csr_with(
        "ec.kubeflow.svc",
        &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
        "-sha256",
    );
    let id = m.certificates.clone();
    m.sim.harness.state_mut().set_remote_unit_data(
        &id,
        "istio-pilot/0",
        requests(&[&good, &odd, &ec]),
    );
    let out = m.sim.ok(0, Event::Install);
    assert_eq!(out.unit_status.0, "active");
    let bag = m.sim.state().local_app_data(&id).cloned().expect("published");
    let certs: Vec<Value> = serde_json::from_str(&bag["certificates"]).expect("json");
    let served: Vec<&Value> = certs.iter().map(|c| &c["certificate_signing_request"]).collect();
    assert_eq!(served.len(), 2);
    assert!(served.contains(&&json!(good)) && served.contains(&&json!(ec)));
    let errors: Vec<Value> = serde_json::from_str(&bag["request_errors"]).expect("json");
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0]["csr"], json!(odd));
    assert_eq!(errors[0]["error"]["code"], json!(999));
    let message = errors[0]["error"]["message"].as_str().expect("message");
    assert!(message.contains("would not hold the requested public key"), "{message}");
    assert_eq!(delivered(&mut m), all_but("none"));
}

#[test]
fn read_only_actions_answer_from_stored_material_while_the_api_server_fails() {
    let mut m = model_of(2);
    let action = |name: &str| Event::Action { name: name.into(), params: Default::default() };
    // Before the leader's first hook made the material.
    let out = m.sim.ok(0, action("get-credentials"));
    assert_eq!(
        out.action.expect("action").failed.as_deref(),
        Some("the credentials are not generated yet")
    );
    m.sim.deploy(2);
    let revisions = m.sim.state().secrets()[0].revisions.len();
    let every_500: Vec<Fault> =
        (1..=100).map(|nth| Fault::StatusOnce { nth, method: None, status: 500 }).collect();
    for faults in [every_500, vec![Fault::ForbiddenAll]] {
        m.sim.cluster.kube.set_faults(faults);
        m.sim.cluster.kube.clear_requests();
        for (unit, name, result) in [
            (0, "get-ca-certificate", "ca-certificate"),
            (0, "list-certificates", "certificates"),
            (0, "get-credentials", "secret-key"),
            (0, "verify-resources", "resources"),
            (1, "get-ca-certificate", "ca-certificate"),
            (1, "list-certificates", "certificates"),
            (1, "verify-resources", "resources"),
        ] {
            let out = m.sim.ok(unit, action(name));
            let done = out.action.clone().expect("an action");
            assert_eq!(done.failed, None, "{name} on unit {unit}");
            assert!(done.results.contains_key(result), "{name}: {:?}", done.results.keys());
            for tool in ["secret-add", "secret-set", "relation-set", "status-set"] {
                assert!(!out.called(tool), "{name} on unit {unit} called {tool}");
            }
        }
        assert_eq!(m.sim.cluster.kube.requests(), vec![], "no Kubernetes request at all");
        assert_eq!(m.sim.state().secrets()[0].revisions.len(), revisions, "no secret revision");
    }
    // What they answer is what is deployed.
    m.sim.cluster.kube.clear_faults();
    let out = m.sim.ok(1, action("get-ca-certificate"));
    let bundle = out.action.expect("action").results["ca-certificate"].clone();
    let delivered = m.sim.cluster.secret_data("admission-webhook-webhook-tls").expect("tls");
    assert_eq!(bundle, json!(String::from_utf8(delivered["ca.crt"].clone()).expect("utf8")));
    let out = m.sim.ok(0, action("list-certificates"));
    let list: Vec<Value> = serde_json::from_str(
        out.action.expect("action").results["certificates"].as_str().expect("json"),
    )
    .expect("list");
    let sources: Vec<&str> = list.iter().filter_map(|c| c["source"].as_str()).collect();
    assert_eq!(sources.len(), 5, "{sources:?}");
    assert!(sources.contains(&format!("relation:{}", m.certificates.number).as_str()));
}

#[test]
fn fields_another_manager_added_are_no_change_and_survive_our_applies() {
    let mut m = model();
    m.sim.deploy(1);
    let targets =
        ["admission-webhook-webhook-tls", "mlpipeline-minio-artifact", "dex-static-passwords"];
    for name in targets {
        let added = json!({
            "metadata": {"labels": {"team": "ml"}, "annotations": {"example.com/owner": "ops"}},
            "data": {"extra.txt": "Zm9yZWlnbg=="},
        });
        m.sim
            .cluster
            .kube
            .merge_patch_as("operator-tool", "Secret", Some("kubeflow"), name, added)
            .expect("another manager patches");
    }
    m.sim.cluster.kube.clear_requests();
    for _ in 0..3 {
        let out = m.sim.ok(0, Event::UpdateStatus);
        assert_eq!(out.unit_status.0, "active");
    }
    assert_eq!(m.sim.cluster.kube.writes(), vec![], "three no-op hooks write nothing");

    // A config change rewrites every Secret (its config-hash annotation changes); server-side
    // apply keeps what the other manager owns.
    m.sim.config("oidc-client-id", json!("another-client"));
    m.sim.ok(0, Event::ConfigChanged);
    for name in targets {
        let obj = m.sim.cluster.kube.get("Secret", Some("kubeflow"), name).expect("secret");
        assert_eq!(obj["metadata"]["labels"]["team"], json!("ml"), "{name}");
        assert_eq!(obj["metadata"]["annotations"]["example.com/owner"], json!("ops"), "{name}");
        assert_eq!(obj["data"]["extra.txt"], json!("Zm9yZWlnbg=="), "{name}");
        let managers: Vec<&str> = obj["metadata"]["managedFields"]
            .as_array()
            .expect("managedFields")
            .iter()
            .filter_map(|e| e["manager"].as_str())
            .collect();
        assert!(
            managers.contains(&"ckf-crypto") && managers.contains(&"operator-tool"),
            "{managers:?}"
        );
    }
    assert_eq!(delivered(&mut m), all_but("none"));
}

#[test]
fn a_403_on_one_object_blocks_naming_it_and_every_other_object_is_written() {
    let mut m = model();
    m.sim.cluster.kube.set_faults(vec![Fault::Forbid {
        verb: Some("patch".into()),
        resource: Some("secrets".into()),
        name: Some("dex-static-passwords".into()),
    }]);
    let (level, msg) = install(&mut m);
    assert_eq!(level, "blocked");
    assert!(
        msg.starts_with("Cannot write Secret 'dex-static-passwords': secrets \"dex-static-passwords\" is forbidden"),
        "{msg}"
    );
    assert_eq!(delivered(&mut m), all_but("dex"));

    // Without `create`, nothing new can be made, but what exists is still kept up to date.
    let mut m = model();
    m.sim.cluster.kube.set_faults(vec![Fault::Forbid {
        verb: Some("create".into()),
        resource: Some("secrets".into()),
        name: None,
    }]);
    let (level, msg) = install(&mut m);
    assert_eq!(level, "blocked");
    assert!(msg.starts_with("Cannot write Secret 'mlpipeline-minio-artifact': "), "{msg}");
    assert!(m.sim.cluster.kube.list("Secret", Some("kubeflow")).is_empty());
    let configs = crate::common::ckf_webhook_configs();
    let bundles = m.sim.cluster.ca_bundles(
        "MutatingWebhookConfiguration",
        configs[0]["metadata"]["name"].as_str().expect("name"),
    );
    assert!(bundles.iter().all(Option::is_some), "the caBundles are written");
    m.sim.cluster.kube.clear_faults();
    assert_eq!(m.sim.ok(0, Event::UpdateStatus).unit_status.0, "active");
    assert_eq!(delivered(&mut m), all_but("none"));

    // Every write forbidden (the lists allowed): the trust message.
    let mut m = model();
    m.sim.cluster.kube.set_faults(
        ["create", "patch"]
            .map(|verb| Fault::Forbid { verb: Some(verb.into()), resource: None, name: None })
            .to_vec(),
    );
    assert_eq!(
        install(&mut m),
        (
            "blocked".to_owned(),
            "Kubernetes API access denied: run 'juju trust ckf-crypto --scope=cluster'".to_owned()
        )
    );
}
