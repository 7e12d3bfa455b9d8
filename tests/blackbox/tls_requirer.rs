//! The real Python tls-certificates v4 requirer (PyPI `charmlibs-interfaces-tls-certificates`,
//! run under `ops.testing` by `tests/python/tls_requirer.py`), to check what ckf-crypto writes on
//! the `certificates` relation the way istio-pilot would read it.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde::Deserialize;
use serde_json::{Value, json};

use crate::common::python;

/// What the requirer wrote when its relation was created.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct RequirerRequest {
    /// Opaque: the requirer's key secret and databags, for [`requirer_accept`].
    pub(crate) state: Value,
    /// The requirer unit's databag, as the library wrote it (`certificate_signing_requests` in
    /// unit mode; Juju's address keys left out).
    pub(crate) unit_databag: BTreeMap<String, String>,
    /// The requirer application's databag (`certificate_signing_requests` in app mode).
    pub(crate) app_databag: BTreeMap<String, String>,
}

/// What the requirer made of a provider application databag.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Accepted {
    /// The library emitted `CertificateAvailableEvent`.
    pub(crate) certificate_available: bool,
    /// The certificates (PEM) the library keeps in its certificate secrets.
    pub(crate) certificates: Vec<String>,
    /// ERROR/CRITICAL log lines of the hook, and the exception if the hook failed.
    pub(crate) errors: Vec<String>,
    /// WARNING log lines of the hook.
    #[serde(default)]
    pub(crate) warnings: Vec<String>,
    /// Each `CertificateDeniedEvent`: `{"csr": PEM, "error": {code, name, message, ...}}`.
    #[serde(default)]
    pub(crate) denied: Vec<Value>,
    /// The script's own check, which the library does not make: every available certificate is
    /// issued by its `ca`, `chain` is `[certificate, ca]`, and Python `cryptography`'s server
    /// verifier accepts it for `istio-ingressgateway.kubeflow.svc` with the requirer's key.
    #[serde(default)]
    pub(crate) chain_verified: bool,
    /// Why `chain_verified` is false.
    #[serde(default)]
    pub(crate) verify_errors: Vec<String>,
    /// The requirer after the hook, for a further [`requirer_accept`].
    #[serde(default)]
    pub(crate) state: Value,
}

fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/python/tls_requirer.py")
}

fn run(args: &[&str], input: &Value) -> Value {
    let mut child = Command::new(python())
        .arg(script())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python runs (run .ci/run, or pip install -r tests/requirements.txt)");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(serde_json::to_string(input).expect("json").as_bytes())
        .expect("write to python");
    let out = child.wait_with_output().expect("python");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "tls_requirer.py {args:?} failed: {}\n{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(&stdout).expect("tls_requirer.py prints JSON")
}

/// The requirer (`unit` or `app` mode) sees its relation to ckf-crypto created and writes its
/// CSR for `istio-ingressgateway.kubeflow.svc`.
pub(crate) fn requirer_request(mode: &str) -> RequirerRequest {
    serde_json::from_value(run(&["request", "--mode", mode], &json!({}))).expect("request output")
}

/// The same requirer sees `relation-changed` with `provider_app_databag` as ckf-crypto's
/// application databag.
pub(crate) fn requirer_accept(
    state: &Value,
    provider_app_databag: &BTreeMap<String, String>,
) -> Accepted {
    let input = json!({"state": state, "provider_app_databag": provider_app_databag});
    serde_json::from_value(run(&["accept"], &input)).expect("accept output")
}

/// The provider application databag the Python library's own provider writes for the
/// requirer's CSRs (signed with a fresh CA), or with `error` reported for each of them.
pub(crate) fn library_provider_databag(
    state: &Value,
    error: Option<Value>,
) -> BTreeMap<String, String> {
    let out = run(&["provide"], &json!({"state": state, "error": error}));
    serde_json::from_value(out["provider_app_databag"].clone()).expect("provider databag")
}

#[test]
fn python_requirer_harness_selftest() {
    for mode in ["unit", "app"] {
        let out = run(&["selftest", "--mode", mode], &json!({}));
        assert_eq!(out["ok"], json!(true), "{mode}: {out:#}");
    }
}

#[test]
fn python_requirer_harness_round_trip() {
    let req = requirer_request("unit");
    assert_eq!(req.unit_databag.keys().collect::<Vec<_>>(), ["certificate_signing_requests"]);
    assert!(req.app_databag.is_empty());
    let csrs: Value =
        serde_json::from_str(&req.unit_databag["certificate_signing_requests"]).expect("json");
    assert_eq!(csrs[0]["ca"], json!(false));

    let signed = library_provider_databag(&req.state, None);
    let ok = requirer_accept(&req.state, &signed);
    assert!(ok.certificate_available && ok.chain_verified, "{ok:#?}");
    assert_eq!(ok.certificates.len(), 1);
    assert!(ok.errors.is_empty() && ok.verify_errors.is_empty(), "{ok:#?}");
    assert!(ok.warnings.is_empty(), "{:?}", ok.warnings);
    // A second hook with the same data still finds the certificate.
    let again = requirer_accept(&ok.state, &signed);
    assert!(again.certificate_available);
    assert_eq!(again.certificates, ok.certificates);

    let error = json!({"code": 102, "name": "DOMAIN_NOT_ALLOWED", "message": "no"});
    let refused = requirer_accept(&req.state, &library_provider_databag(&req.state, Some(error)));
    assert!(!refused.certificate_available, "{refused:#?}");
    assert_eq!(refused.denied.len(), 1);
    assert_eq!(refused.denied[0]["error"]["code"], json!(102));

    let nothing = requirer_accept(&req.state, &BTreeMap::new());
    assert!(!nothing.certificate_available && nothing.errors.is_empty(), "{nothing:#?}");
}
