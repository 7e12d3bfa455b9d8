//! An operator-provided issuing CA for the `certificates` relation (the README's "Chaining the
//! relation's certificates to your own PKI"), end to end: a root and an intermediate made by the
//! openssl CLI, the intermediate put in a Juju user secret (`juju add-secret`) and granted (`juju
//! grant-secret`) through the simulator, the certificates checked by the real Python
//! tls-certificates v4 requirer library and by `openssl verify` up to the root, with the
//! intermediate as `-untrusted`.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use juju_sim::Event;
use serde_json::{Value, json};

use super::send_ca_cert::{bundle, openssl_verifies, python_reads};
use super::tls_requirer::{requirer_accept, requirer_request};
use crate::common::{Sim, state};

/// A root CA and intermediates under it, made by the openssl CLI in a private directory.
struct Pki {
    dir: tempfile::TempDir,
}

impl Pki {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let pki = Self { dir };
        pki.openssl(
            &["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]
                .into_iter()
                .chain(["-nodes", "-subj", "/CN=Example Corp Root", "-days", "3650"])
                // A root as a WebPKI verifier (Python cryptography's) accepts one: with key usage.
                .chain(["-addext", "keyUsage=critical,keyCertSign,cRLSign"])
                .chain(["-keyout", "root.key", "-out", "root.pem"])
                .collect::<Vec<_>>(),
        );
        std::fs::write(
            pki.dir.path().join("ca.ext"),
            "basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n",
        )
        .expect("ext");
        std::fs::write(pki.dir.path().join("leaf.ext"), "basicConstraints=CA:FALSE\n")
            .expect("ext");
        pki
    }

    fn openssl(&self, args: &[&str]) {
        let out = Command::new("openssl")
            .current_dir(self.dir.path())
            .args(args)
            .output()
            .expect("openssl");
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }

    fn read(&self, file: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(file)).expect("read")
    }

    /// A certificate `name` signed by the root with the extensions in `ext_file`; returns
    /// (certificate, key) PEMs.
    fn issue(&self, name: &str, cn: &str, ext_file: &str) -> (String, String) {
        self.issue_for(name, cn, ext_file, 365)
    }

    /// [`Self::issue`], valid for `days` days.
    fn issue_for(&self, name: &str, cn: &str, ext_file: &str, days: u32) -> (String, String) {
        let days = days.to_string();
        let (key, csr, crt) = (format!("{name}.key"), format!("{name}.csr"), format!("{name}.pem"));
        self.openssl(
            &["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]
                .into_iter()
                .chain(["-nodes", "-subj", &format!("/CN={cn}"), "-keyout", &key, "-out", &csr])
                .collect::<Vec<_>>(),
        );
        self.openssl(
            &["x509", "-req", "-in", &csr, "-CA", "root.pem", "-CAkey", "root.key"]
                .into_iter()
                .chain(["-CAcreateserial", "-days", &days, "-extfile", ext_file, "-out", &crt])
                .collect::<Vec<_>>(),
        );
        (self.read(&crt), self.read(&key))
    }

    /// `openssl x509 -noout -enddate` of `pem`: `notAfter=<date>`.
    fn end_date(&self, pem: &str) -> String {
        let d = self.dir.path();
        std::fs::write(d.join("dated.pem"), pem).expect("write");
        let out = Command::new("openssl")
            .current_dir(d)
            .args(["x509", "-noout", "-enddate", "-in", "dated.pem"])
            .output()
            .expect("openssl x509");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    /// `openssl verify -CAfile root.pem -untrusted <intermediate> <leaf>`.
    fn verify(&self, intermediate: &str, leaf: &str) -> (bool, String) {
        let d = self.dir.path();
        std::fs::write(d.join("untrusted.pem"), intermediate).expect("write");
        std::fs::write(d.join("leaf-to-verify.pem"), leaf).expect("write");
        let out = Command::new("openssl")
            .current_dir(d)
            .args(["verify", "-CAfile", "root.pem", "-untrusted", "untrusted.pem"])
            .arg(Path::new("leaf-to-verify.pem"))
            .output()
            .expect("openssl verify");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr),
        )
    }
}

fn content(certificate: &str, key: &str) -> BTreeMap<String, String> {
    BTreeMap::from([
        ("certificate".to_owned(), certificate.to_owned()),
        ("private-key".to_owned(), key.to_owned()),
    ])
}

/// The provider databag's certificates.
fn served(sim: &Sim, id: &juju_sim::RelationId) -> Vec<Value> {
    let bag = sim.state().local_app_data(id).cloned().unwrap_or_default();
    bag.get("certificates")
        .filter(|v| !v.is_empty())
        .map(|v| serde_json::from_str(v).expect("json"))
        .unwrap_or_default()
}

/// The real Python requirer library accepts what is published on relation `id`, and the
/// chain verifies.
fn library_accepts(sim: &Sim, state: &Value, id: &juju_sim::RelationId) {
    let bag = sim.state().local_app_data(id).cloned().expect("bag");
    let accepted = requirer_accept(state, &bag);
    assert!(accepted.certificate_available, "{:?}", accepted.errors);
    assert!(accepted.chain_verified, "{:?}", accepted.verify_errors);
}

#[test]
fn an_operator_intermediate_signs_the_relation_through_a_granted_user_secret() {
    let pki = Pki::new();
    let root = pki.read("root.pem");
    let (intermediate, intermediate_key) = pki.issue("int1", "ckf-crypto intermediate", "ca.ext");

    let mut sim = Sim::new(state(2));
    sim.config("key-algorithm", json!("ecdsa-p256"));
    sim.deploy(2);
    let req = requirer_request("unit");
    let id = sim.harness.state_mut().add_relation("certificates", "istio-pilot", 1);
    sim.harness.state_mut().set_remote_unit_data(&id, "istio-pilot/0", req.unit_databag.clone());
    sim.ok(0, Event::RelationChanged { id: id.clone(), unit: Some("istio-pilot/0".into()) });
    // The charm's own relation issuer first: the library accepts it.
    let own = served(&sim, &id);
    assert_eq!(own.len(), 1);
    let own_ca = own[0]["ca"].as_str().expect("ca").to_owned();
    let subject = ckf_crypto::certs::inspect(&own_ca).expect("ca").subject_cn;
    assert_eq!(subject.as_deref(), Some("ckf-crypto certificates"));
    library_accepts(&sim, &req.state, &id);
    // A client of what `certificates` signs relates to `send-ca-cert`: the charm's root.
    let transfer = sim.harness.state_mut().add_relation("send-ca-cert", "gateway-client", 1);
    sim.ok(0, Event::RelationCreated { id: transfer.clone() });
    assert_eq!(bundle(&sim, &transfer), std::slice::from_ref(&own_ca));

    // `juju add-secret` + `juju config`, not granted yet: blocked, nothing unpublished.
    let chain = format!("{intermediate}{root}");
    let uri = sim
        .harness
        .state_mut()
        .add_user_secret("ckf-crypto-issuer", content(&chain, &intermediate_key));
    sim.config("certificates-ca", json!(uri));
    let out = sim.ok(0, Event::ConfigChanged);
    assert_eq!(
        out.unit_status,
        (
            "blocked".to_owned(),
            format!(
                "Invalid 'certificates-ca' config: cannot read secret {uri}; grant it with \
                 'juju grant-secret {uri} ckf-crypto'"
            )
        )
    );
    assert_eq!(served(&sim, &id), own, "nothing unpublished");

    // `juju grant-secret`: the next hook signs with the intermediate.
    sim.harness.state_mut().grant_secret(&uri, "ckf-crypto").expect("grant");
    let out = sim.ok(0, Event::UpdateStatus);
    assert_eq!(out.unit_status.0, "active", "{}", out.unit_status.1);
    let first = served(&sim, &id);
    let cert = first[0]["certificate"].as_str().expect("cert").to_owned();
    let trimmed = |s: &str| s.trim().to_owned();
    assert_eq!(first[0]["chain"], json!([cert, trimmed(&intermediate), trimmed(&root)]));
    assert_eq!(first[0]["ca"], json!(trimmed(&root)));
    let (ok, text) = pki.verify(&intermediate, &cert);
    assert!(ok, "{text}");
    library_accepts(&sim, &req.state, &id);
    // `send-ca-cert`: the operator's root, and the charm's own beside it after the change; a
    // certificate signed by the intermediate verifies up to the root in that bundle.
    let roots = bundle(&sim, &transfer);
    assert_eq!(roots.len(), 2);
    assert!(roots.contains(&trimmed(&root)) && roots.contains(&own_ca), "{roots:?}");
    assert!(openssl_verifies(pki.dir.path(), &roots, &intermediate, &cert));
    assert!(!openssl_verifies(pki.dir.path(), std::slice::from_ref(&own_ca), &intermediate, &cert));
    let read = python_reads(&sim.state().local_app_data(&transfer).cloned().expect("bag"));
    assert!(read.errors.is_empty() && read.schema_errors.is_empty(), "{read:?}");
    assert_eq!(read.all_certificates.len(), 2);
    // get-ca-certificate on any unit: the relation issuer is the intermediate, then the root.
    for unit in [0, 1] {
        let out = sim.ok(
            unit,
            Event::Action { name: "get-ca-certificate".into(), params: Default::default() },
        );
        let results = out.action.expect("action").results;
        let relation = results["relation-ca-certificate"].as_str().expect("relation CA");
        assert_eq!(
            ckf_crypto::certs::split_pem_bundle(relation),
            ckf_crypto::certs::split_pem_bundle(&chain)
        );
        assert!(
            !results["ca-certificate"]
                .as_str()
                .expect("bundle")
                .contains(trimmed(&intermediate).as_str())
        );
    }
    // A no-op hook reads the secret but signs nothing.
    let out = sim.ok(0, Event::UpdateStatus);
    assert!(!out.called("relation-set"));

    // A new revision (a renewed intermediate): secret-changed signs every certificate again.
    let (renewed, renewed_key) = pki.issue("int2", "ckf-crypto intermediate", "ca.ext");
    sim.harness
        .state_mut()
        .update_user_secret(&uri, content(&format!("{renewed}{root}"), &renewed_key))
        .expect("update-secret");
    assert_eq!(sim.state().pending_secret_changed(0), std::slice::from_ref(&uri));
    sim.ok(0, Event::SecretChanged { id: uri.clone() });
    let second = served(&sim, &id);
    let cert = second[0]["certificate"].as_str().expect("cert").to_owned();
    assert_ne!(second, first);
    assert_eq!(second[0]["chain"][1], json!(trimmed(&renewed)));
    let (ok, text) = pki.verify(&renewed, &cert);
    assert!(ok, "{text}");
    // A renewed intermediate under the same root is no change of root.
    assert_eq!(bundle(&sim, &transfer), roots);

    // Invalid content (a certificate that is not a CA; then a key that does not match): blocked
    // with the reason, and what is published stays.
    let (not_a_ca, not_a_ca_key) = pki.issue("leaf", "not a ca", "leaf.ext");
    for (bad, key, why) in [
        (
            not_a_ca.as_str(),
            not_a_ca_key.as_str(),
            "'not a ca' is not a CA (basic constraints CA:TRUE)",
        ),
        (
            renewed.as_str(),
            intermediate_key.as_str(),
            "'private-key' does not belong to 'ckf-crypto intermediate'",
        ),
    ] {
        sim.harness.state_mut().update_user_secret(&uri, content(bad, key)).expect("update-secret");
        let out = sim.ok(0, Event::SecretChanged { id: uri.clone() });
        assert_eq!(
            out.unit_status,
            ("blocked".to_owned(), format!("Invalid 'certificates-ca' config: {why}"))
        );
        assert_eq!(served(&sim, &id), second, "nothing unpublished");
    }

    // Unset: the charm's own relation issuer again, and every certificate is re-issued by it.
    sim.config("certificates-ca", Value::Null);
    let out = sim.ok(0, Event::ConfigChanged);
    assert_eq!(out.unit_status.0, "active", "{}", out.unit_status.1);
    let back = served(&sim, &id);
    assert_eq!(back[0]["ca"], json!(own_ca));
    assert_eq!(back[0]["chain"].as_array().map(Vec::len), Some(2));
    assert_ne!(back[0]["certificate"], second[0]["certificate"]);
    library_accepts(&sim, &req.state, &id);
    // `send-ca-cert`: the charm's root again, the operator's beside it until the next change.
    let mut expected = vec![own_ca.clone(), trimmed(&root)];
    expected.sort();
    assert_eq!(bundle(&sim, &transfer), expected);
}

#[test]
fn no_relation_certificate_outlives_a_30_day_operator_intermediate() {
    let pki = Pki::new();
    let root = pki.read("root.pem");
    let (intermediate, key) = pki.issue_for("short", "short-lived intermediate", "ca.ext", 30);
    let mut sim = Sim::new(state(1));
    sim.config("key-algorithm", json!("ecdsa-p256"));
    sim.deploy(1);
    let uri = sim
        .harness
        .state_mut()
        .add_user_secret("short-issuer", content(&format!("{intermediate}{root}"), &key));
    sim.harness.state_mut().grant_secret(&uri, "ckf-crypto").expect("grant");
    sim.config("certificates-ca", json!(uri));
    let req = requirer_request("unit");
    let id = sim.harness.state_mut().add_relation("certificates", "istio-pilot", 1);
    sim.harness.state_mut().set_remote_unit_data(&id, "istio-pilot/0", req.unit_databag.clone());
    let out =
        sim.ok(0, Event::RelationChanged { id: id.clone(), unit: Some("istio-pilot/0".into()) });
    assert_eq!(out.unit_status.0, "active", "{}", out.unit_status.1);
    let served = served(&sim, &id);
    let cert = served[0]["certificate"].as_str().expect("cert");
    // certificate-validity-days is 365; the intermediate ends in 30 days, and so does the
    // certificate, to the second (as openssl reads both).
    assert_eq!(pki.end_date(cert), pki.end_date(&intermediate));
    let (ok, text) = pki.verify(&intermediate, cert);
    assert!(ok, "{text}");
    library_accepts(&sim, &req.state, &id);
    // A no-op hook keeps it: cut short at the chain's end is not a reason to sign again.
    let out = sim.ok(0, Event::UpdateStatus);
    assert!(!out.called("relation-set"));
}
