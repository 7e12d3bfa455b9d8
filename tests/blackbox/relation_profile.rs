//! What the `certificates` relation issues and refuses, through the compiled charm: requests made
//! by the openssl CLI with every extension a requester might try, the answers read back from the
//! provider databag, and the issued profile read by `openssl x509`.

use std::collections::BTreeMap;
use std::process::{Command, Stdio};

use juju_sim::Event;
use serde_json::{Value, json};

use crate::common::{Sim, state};

const EC: &[&str] = &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"];
const RSA_2048: &[&str] = &["-newkey", "rsa:2048"];
const RSA_1024: &[&str] = &["-newkey", "rsa:1024"];

/// A CSR made by `openssl req` with key arguments `key`, subject `CN=<cn>` and each `-addext`.
fn csr(key: &[&str], cn: &str, exts: &[&str]) -> String {
    let dir = tempfile::tempdir().expect("tmp");
    let mut cmd = Command::new("openssl");
    cmd.args(["req", "-new"]).args(key).args(["-nodes", "-sha256", "-subj", &format!("/CN={cn}")]);
    for e in exts {
        cmd.args(["-addext", e]);
    }
    let out = cmd
        .arg("-keyout")
        .arg(dir.path().join("key.pem"))
        .stdin(Stdio::null())
        .output()
        .expect("openssl req");
    assert!(out.status.success(), "{exts:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("PEM").trim().to_owned()
}

fn x509_text(cert: &str) -> String {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("c.pem");
    std::fs::write(&path, cert).expect("write");
    let out = Command::new("openssl")
        .args(["x509", "-noout", "-text", "-in"])
        .arg(&path)
        .output()
        .expect("openssl x509");
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The `-text` lines after the one that names `extension`, up to the next extension.
fn extension(text: &str, name: &str) -> Option<String> {
    let mut lines = text.lines().skip_while(|l| !l.trim().starts_with(name));
    lines.next()?;
    Some(lines.next().unwrap_or_default().trim().to_owned())
}

#[test]
fn the_charm_sets_the_profile_and_refuses_what_it_must() {
    let mut sim = Sim::new(state(1));
    sim.config("key-algorithm", json!("ecdsa-p256"));
    sim.config("allowed-ip-ranges", json!("10.0.0.0/8, fd00::/8"));
    sim.deploy(1);

    let many: Vec<String> = (0..101).map(|i| format!("DNS:h{i}.kubeflow.svc")).collect();
    let many = format!("subjectAltName={}", many.join(","));
    let refused: Vec<(&str, String, bool, &str, u64)> = vec![
        ("ca: true", csr(EC, "a.svc", &["subjectAltName=DNS:a.svc"]), true, "(ca: true)", 999),
        (
            "CA:TRUE",
            csr(EC, "b.svc", &["subjectAltName=DNS:b.svc", "basicConstraints=critical,CA:TRUE"]),
            false,
            "basic constraints CA:TRUE",
            999,
        ),
        (
            "keyCertSign",
            csr(EC, "c.svc", &["subjectAltName=DNS:c.svc", "keyUsage=keyCertSign"]),
            false,
            "keyCertSign or cRLSign",
            999,
        ),
        (
            "cRLSign",
            csr(EC, "d.svc", &["subjectAltName=DNS:d.svc", "keyUsage=digitalSignature,cRLSign"]),
            false,
            "keyCertSign or cRLSign",
            999,
        ),
        (
            "URI SAN",
            csr(EC, "e.svc", &["subjectAltName=DNS:e.svc,URI:spiffe://kubeflow/e"]),
            false,
            "a URI SAN; only DNS and IP SANs are issued",
            999,
        ),
        (
            "email SAN",
            csr(EC, "f.svc", &["subjectAltName=DNS:f.svc,email:root@example.com"]),
            false,
            "an email SAN",
            999,
        ),
        (
            "other name",
            csr(EC, "g.svc", &["subjectAltName=DNS:g.svc,otherName:1.3.6.1.4.1.311.20.2.3;UTF8:u"]),
            false,
            "an other-name SAN",
            999,
        ),
        ("101 SANs", csr(EC, "h.svc", &[&many]), false, "101 SANs; at most 100", 999),
        (
            "RSA-1024",
            csr(RSA_1024, "i.svc", &["subjectAltName=DNS:i.svc"]),
            false,
            "RSA key has 1024 bits; at least 2048",
            999,
        ),
        (
            "inner wildcard",
            csr(EC, "j.svc", &["subjectAltName=DNS:a.*.kubeflow.svc"]),
            false,
            "DNS name 'a.*.kubeflow.svc' is not a valid host name",
            999,
        ),
        (
            "underscore",
            csr(EC, "k.svc", &["subjectAltName=DNS:bad_name.svc"]),
            false,
            "DNS name 'bad_name.svc' is not a valid host name",
            999,
        ),
        (
            "IP outside",
            csr(EC, "l.svc", &["subjectAltName=DNS:l.svc,IP:192.168.1.1"]),
            false,
            "IP address '192.168.1.1' is outside allowed-ip-ranges",
            101,
        ),
        (
            "unsupported extension",
            csr(EC, "m.svc", &["subjectAltName=DNS:m.svc", "nsComment=hello"]),
            false,
            "unsupported extension",
            999,
        ),
    ];
    let profiled = csr(
        EC,
        "gw.kubeflow.svc",
        &[
            "subjectAltName=DNS:gw.kubeflow.svc,DNS:*.gw.kubeflow.svc,IP:10.1.2.3,IP:fd00::7",
            "keyUsage=critical,digitalSignature,keyEncipherment,dataEncipherment",
            "extendedKeyUsage=serverAuth,codeSigning,emailProtection",
            "basicConstraints=critical,CA:FALSE",
        ],
    );
    let rsa = csr(RSA_2048, "rsa.kubeflow.svc", &["subjectAltName=DNS:rsa.kubeflow.svc"]);
    let no_san = csr(EC, "cn-only.kubeflow.svc", &[]);

    let mut list: Vec<Value> = refused
        .iter()
        .map(|(_, c, ca, _, _)| json!({"certificate_signing_request": c, "ca": ca}))
        .collect();
    for c in [&profiled, &rsa, &no_san] {
        list.push(json!({"certificate_signing_request": c, "ca": false}));
    }
    let id = sim.harness.state_mut().add_relation("certificates", "istio-pilot", 1);
    let bag = BTreeMap::from([(
        "certificate_signing_requests".to_owned(),
        serde_json::to_string(&list).expect("json"),
    )]);
    sim.harness.state_mut().set_remote_unit_data(&id, "istio-pilot/0", bag);
    let out =
        sim.ok(0, Event::RelationChanged { id: id.clone(), unit: Some("istio-pilot/0".into()) });
    assert_eq!(out.unit_status.0, "active", "{}", out.unit_status.1);

    let provider = sim.state().local_app_data(&id).cloned().expect("provider bag");
    let certs: Vec<Value> = serde_json::from_str(&provider["certificates"]).expect("certificates");
    let errors: Vec<Value> = serde_json::from_str(&provider["request_errors"]).expect("errors");
    assert_eq!(errors.len(), refused.len(), "{errors:#?}");
    for (what, c, _, needle, code) in &refused {
        let e = errors
            .iter()
            .find(|e| e["csr"] == json!(c))
            .unwrap_or_else(|| panic!("{what}: no request_errors entry"));
        let message = e["error"]["message"].as_str().expect("message");
        assert!(message.contains(needle), "{what}: {message}");
        assert_eq!(e["error"]["code"], json!(code), "{what}");
        let name = if *code == 101 { "IP_NOT_ALLOWED" } else { "OTHER" };
        assert_eq!(e["error"]["name"], json!(name), "{what}");
    }
    assert_eq!(certs.len(), 3);
    let issued = |c: &str| {
        let entry = certs.iter().find(|e| e["certificate_signing_request"] == json!(c));
        x509_text(entry.expect("served")["certificate"].as_str().expect("cert"))
    };

    // The profile, whatever was asked: CA:FALSE, digitalSignature only for an EC key,
    // serverAuth and clientAuth only, key identifiers, and only DNS and IP SANs.
    let text = issued(&profiled);
    assert_eq!(extension(&text, "X509v3 Basic Constraints").as_deref(), Some("CA:FALSE"));
    assert_eq!(extension(&text, "X509v3 Key Usage").as_deref(), Some("Digital Signature"));
    assert_eq!(
        extension(&text, "X509v3 Extended Key Usage").as_deref(),
        Some("TLS Web Server Authentication, TLS Web Client Authentication")
    );
    assert_eq!(
        extension(&text, "X509v3 Subject Alternative Name").as_deref(),
        Some(
            "DNS:gw.kubeflow.svc, DNS:*.gw.kubeflow.svc, IP Address:10.1.2.3, IP Address:FD00:0:0:0:0:0:0:7"
        )
    );
    assert!(extension(&text, "X509v3 Subject Key Identifier").is_some_and(|v| !v.is_empty()));
    assert!(extension(&text, "X509v3 Authority Key Identifier").is_some_and(|v| !v.is_empty()));
    assert!(text.contains("Subject: CN = gw.kubeflow.svc"), "{text}");
    assert!(!text.contains("Code Signing") && !text.contains("Certificate Sign"));
    // keyEncipherment for an RSA key.
    let text = issued(&rsa);
    assert_eq!(
        extension(&text, "X509v3 Key Usage").as_deref(),
        Some("Digital Signature, Key Encipherment")
    );
    // A request without SANs gets its subject and no SAN extension.
    let text = issued(&no_san);
    assert!(text.contains("Subject: CN = cn-only.kubeflow.svc"));
    assert!(extension(&text, "X509v3 Subject Alternative Name").is_none());

    // A no-op hook signs nothing again.
    let out = sim.ok(0, Event::UpdateStatus);
    assert!(!out.called("relation-set"));
}
