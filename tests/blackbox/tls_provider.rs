//! The `certificates` provider through the compiled charm, checked by the real Python requirer
//! library (charmlibs-interfaces-tls-certificates under ops.testing) and by openssl; each test
//! under Juju 3.6's rules and under 4.0's.

use std::collections::BTreeMap;
use std::process::Command;

use base64::Engine;
use juju_sim::Event;
use serde_json::{Value, json};

use super::tls_requirer::{requirer_accept, requirer_request};
use crate::common::{RSA, Sim, csr_with, state, under_both_versions};

under_both_versions!(
    the_python_requirer_library_accepts_the_certificate,
    bad_requests_land_in_request_errors_while_good_ones_are_served,
    withdrawal_renewal_and_ca_rotation,
);

fn sim(juju: &str) -> Sim {
    let mut sim = Sim::new(state(1).with_juju_version(juju));
    sim.config("key-algorithm", json!("ecdsa-p256"));
    sim.deploy(1);
    sim
}

/// A CSR made by the openssl CLI, with a fresh RSA key.
fn openssl_csr(dns: &str) -> String {
    csr_with(dns, RSA, "-sha256")
}

/// The same CSR with one bit of its signature flipped.
fn forged(csr: &str) -> String {
    let body: String = csr.lines().filter(|l| !l.starts_with("-----")).collect();
    let mut der = base64::engine::general_purpose::STANDARD.decode(body).expect("b64");
    let last = der.len() - 1;
    der[last] ^= 0x01;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let lines: Vec<&str> =
        b64.as_bytes().chunks(64).map(|c| std::str::from_utf8(c).expect("ascii")).collect();
    format!(
        "-----BEGIN CERTIFICATE REQUEST-----\n{}\n-----END CERTIFICATE REQUEST-----",
        lines.join("\n")
    )
}

fn requests(csrs: &[(&str, bool)]) -> BTreeMap<String, String> {
    let list: Vec<Value> =
        csrs.iter().map(|(c, ca)| json!({"certificate_signing_request": c, "ca": ca})).collect();
    BTreeMap::from([(
        "certificate_signing_requests".to_owned(),
        serde_json::to_string(&list).expect("json"),
    )])
}

fn provided(sim: &Sim, id: &juju_sim::RelationId) -> (Vec<Value>, Vec<Value>) {
    let bag = sim.state().local_app_data(id).cloned().unwrap_or_default();
    let parse = |k: &str| {
        bag.get(k)
            .filter(|v| !v.is_empty())
            .map(|v| serde_json::from_str(v).expect("json"))
            .unwrap_or_default()
    };
    (parse("certificates"), parse("request_errors"))
}

fn openssl_ok(args: &[&str], files: &[(&str, &str)]) -> (bool, String) {
    let dir = tempfile::tempdir().expect("tmp");
    let args: Vec<String> = args
        .iter()
        .map(|a| match files.iter().find(|(n, _)| n == a) {
            Some((n, content)) => {
                let p = dir.path().join(n);
                std::fs::write(&p, content).expect("write");
                p.display().to_string()
            }
            None => (*a).to_owned(),
        })
        .collect();
    let out = Command::new("openssl").args(&args).output().expect("openssl");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

fn the_python_requirer_library_accepts_the_certificate(juju: &str) {
    for mode in ["unit", "app"] {
        let mut sim = sim(juju);
        let req = requirer_request(mode);
        let id = sim.harness.state_mut().add_relation("certificates", "istio-pilot", 1);
        if mode == "unit" {
            sim.harness.state_mut().set_remote_unit_data(
                &id,
                "istio-pilot/0",
                req.unit_databag.clone(),
            );
        } else {
            sim.harness.state_mut().set_remote_app_data(&id, req.app_databag.clone());
        }
        sim.ok(0, Event::RelationChanged { id: id.clone(), unit: Some("istio-pilot/0".into()) });
        let bag = sim.state().local_app_data(&id).cloned().expect("provider data");
        let accepted = requirer_accept(&req.state, &bag);
        assert!(
            accepted.certificate_available,
            "{mode}: {:?} {:?}",
            accepted.errors, accepted.warnings
        );
        assert!(accepted.chain_verified, "{mode}: {:?}", accepted.verify_errors);

        // openssl: the certificate verifies against the CA and holds the CSR's public key.
        let (certs, errors) = provided(&sim, &id);
        assert!(errors.is_empty());
        let c = &certs[0];
        let (ca, cert, csr) = (
            c["ca"].as_str().expect("ca"),
            c["certificate"].as_str().expect("cert"),
            c["certificate_signing_request"].as_str().expect("csr"),
        );
        assert!(!cert.ends_with('\n') && !ca.ends_with('\n'));
        assert_eq!(c["chain"], json!([cert, ca]));
        let (ok, text) = openssl_ok(
            &["verify", "-CAfile", "ca.pem", "leaf.pem"],
            &[("ca.pem", ca), ("leaf.pem", cert)],
        );
        assert!(ok, "{text}");
        let (_, cert_key) =
            openssl_ok(&["x509", "-in", "leaf.pem", "-noout", "-pubkey"], &[("leaf.pem", cert)]);
        let (_, csr_key) =
            openssl_ok(&["req", "-in", "csr.pem", "-noout", "-pubkey"], &[("csr.pem", csr)]);
        assert!(cert_key.contains("BEGIN PUBLIC KEY") && cert_key == csr_key, "public keys differ");
        // Its own trust domain: not the webhook CA, and the API server's caBundle does not trust
        // what the relation issues.
        let webhook_bundle = sim
            .cluster
            .ca_bundles("MutatingWebhookConfiguration", "admission-webhook")
            .remove(0)
            .expect("caBundle");
        assert!(!webhook_bundle.contains(ca), "{mode}: the relation CA is in the caBundle");
        let (ok, text) = openssl_ok(
            &["verify", "-CAfile", "bundle.pem", "leaf.pem"],
            &[("bundle.pem", &webhook_bundle), ("leaf.pem", cert)],
        );
        assert!(!ok && text.contains("unable to get local issuer certificate"), "{text}");
        let subject = ckf_crypto::certs::inspect(ca).expect("ca").subject_cn;
        assert_eq!(subject.as_deref(), Some("ckf-crypto certificates"));

        // A no-op hook signs nothing; list-certificates shows it.
        let out = sim.ok(0, Event::UpdateStatus);
        assert!(!out.calls.iter().any(|c| c.tool == "relation-set"));
        assert_eq!(provided(&sim, &id).0, certs);
        let out = sim
            .ok(0, Event::Action { name: "list-certificates".into(), params: Default::default() });
        let list: Vec<Value> = serde_json::from_str(
            out.action.expect("action").results["certificates"].as_str().expect("list"),
        )
        .expect("json");
        assert!(
            list.iter().any(|e| e["source"] == json!(format!("relation:{}", id.number))),
            "{list:?}"
        );
    }
}

fn bad_requests_land_in_request_errors_while_good_ones_are_served(juju: &str) {
    let mut sim = sim(juju);
    sim.config("allowed-dns-suffixes", json!("kubeflow.svc"));
    sim.ok(0, Event::ConfigChanged);
    let good = openssl_csr("gateway.kubeflow.svc");
    let wants_ca = openssl_csr("ca.kubeflow.svc");
    let outside = openssl_csr("gateway.example.org");
    let bad_signature = forged(&openssl_csr("forged.kubeflow.svc"));
    let id = sim.harness.state_mut().add_relation("certificates", "istio-pilot", 1);
    let bag =
        requests(&[(&good, false), (&wants_ca, true), (&outside, false), (&bad_signature, false)]);
    sim.harness.state_mut().set_remote_unit_data(&id, "istio-pilot/0", bag);
    let out =
        sim.ok(0, Event::RelationChanged { id: id.clone(), unit: Some("istio-pilot/0".into()) });
    let (certs, errors) = provided(&sim, &id);
    assert_eq!(certs.len(), 1);
    assert_eq!(certs[0]["certificate_signing_request"], json!(good));
    assert_eq!(errors.len(), 3, "{errors:?}");
    for csr in [&wants_ca, &outside, &bad_signature] {
        let e =
            errors.iter().find(|e| e["csr"] == json!(csr)).expect("an error for each bad request");
        assert!(
            e["error"]["code"].is_u64()
                && e["error"]["name"].is_string()
                && e["error"]["message"].is_string()
        );
    }
    let outside_error = errors.iter().find(|e| e["csr"] == json!(outside)).expect("outside");
    assert_eq!(outside_error["error"]["code"], json!(102));
    assert_eq!(outside_error["error"]["name"], json!("DOMAIN_NOT_ALLOWED"));
    assert!(
        out.logs.iter().filter(|l| l.message.contains("refused a certificate request")).count()
            == 3
    );
    assert_eq!(out.unit_status.0, "active");
}

fn withdrawal_renewal_and_ca_rotation(juju: &str) {
    let mut sim = sim(juju);
    let a = openssl_csr("a.kubeflow.svc");
    let b = openssl_csr("b.kubeflow.svc");
    let id = sim.harness.state_mut().add_relation("certificates", "istio-pilot", 1);
    sim.harness.state_mut().set_remote_unit_data(
        &id,
        "istio-pilot/0",
        requests(&[(&a, false), (&b, false)]),
    );
    sim.ok(0, Event::RelationChanged { id: id.clone(), unit: Some("istio-pilot/0".into()) });
    let (first, _) = provided(&sim, &id);
    assert_eq!(first.len(), 2);

    // The requirer withdraws b: it disappears; a is not re-signed.
    sim.harness.state_mut().set_remote_unit_data(&id, "istio-pilot/0", requests(&[(&a, false)]));
    sim.ok(0, Event::RelationChanged { id: id.clone(), unit: Some("istio-pilot/0".into()) });
    let (now, _) = provided(&sim, &id);
    assert_eq!(now.len(), 1);
    assert_eq!(
        now[0],
        first.iter().find(|c| c["certificate_signing_request"] == json!(a)).cloned().expect("a")
    );

    // renew-certificates re-signs it (and the webhooks); rotate-ca re-signs with the new CA.
    let out =
        sim.ok(0, Event::Action { name: "renew-certificates".into(), params: Default::default() });
    assert_eq!(
        out.action.expect("action").results["renewed"],
        json!("5"),
        "4 webhook leaves and 1 relation certificate"
    );
    let (renewed, _) = provided(&sim, &id);
    assert_ne!(renewed[0]["certificate"], now[0]["certificate"]);
    let params = serde_json::Map::from_iter([("rotate-ca".to_owned(), json!(true))]);
    sim.ok(0, Event::Action { name: "renew-certificates".into(), params });
    let (rotated, _) = provided(&sim, &id);
    assert_ne!(rotated[0]["ca"], renewed[0]["ca"], "signed by the new CA");
    let (ok, text) = openssl_ok(
        &["verify", "-CAfile", "ca.pem", "leaf.pem"],
        &[
            ("ca.pem", rotated[0]["ca"].as_str().expect("ca")),
            ("leaf.pem", rotated[0]["certificate"].as_str().expect("cert")),
        ],
    );
    assert!(ok, "{text}");

    // Malformed requirer data is reported, not a crash.
    let mut bad = BTreeMap::new();
    bad.insert("certificate_signing_requests".to_owned(), "{not json".to_owned());
    sim.harness.state_mut().set_remote_app_data(&id, bad);
    let out = sim.ok(0, Event::RelationChanged { id: id.clone(), unit: None });
    assert!(out.logs.iter().any(|l| l.message.contains("are not valid JSON")));
    assert_eq!(provided(&sim, &id).0.len(), 1, "the unit's request is still served");

    // relation-broken: the relation goes, nothing fails.
    sim.ok(0, Event::RelationBroken { id: id.clone() });
    assert!(sim.state().relation_ids("certificates").is_empty());
}
