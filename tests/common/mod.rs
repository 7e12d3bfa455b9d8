//! Shared fixtures: a simulated model running the real binary.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use juju_sim::{CharmFiles, CharmMeta, Event, Harness, Outcome, State};
use kube_fake::FakeKube;
use serde_json::Value;

/// The `ckf-crypto` command line (demo, pack, checksum).
pub fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_ckf-crypto"))
}

/// The binary Juju runs, packed as `dispatch`.
pub fn dispatch() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_ckf-crypto-dispatch"))
}

/// The charm's metadata, as the simulator reads it.
pub fn meta() -> CharmMeta {
    CharmMeta::from_yaml(
        ckf_crypto::files::METADATA,
        ckf_crypto::files::CONFIG,
        ckf_crypto::files::ACTIONS,
    )
    .expect("charm metadata parses")
}

/// A fresh model `kubeflow` with `units` units of `ckf-crypto`, unit 0 the leader.
pub fn state(units: u32) -> State {
    State::new(meta(), "ckf-crypto", "kubeflow").with_units(units).with_leader(Some(0))
}

/// The webhook configurations of a CKF deployment (without `caBundle`), as the demo seeds them.
pub fn ckf_webhook_configs() -> Vec<Value> {
    ckf_crypto::demo::ckf_webhook_configs()
}

/// A fake API server seeded with the CKF webhook configurations, and a kubeconfig for it.
pub struct Cluster {
    pub kube: FakeKube,
    pub kubeconfig: PathBuf,
    _dir: tempfile::TempDir,
}

impl Cluster {
    pub fn new() -> Self {
        let kube = FakeKube::start().expect("fake API server");
        for cfg in ckf_webhook_configs() {
            kube.put(cfg);
        }
        let dir = tempfile::tempdir().expect("tempdir");
        let kubeconfig = dir.path().join("kubeconfig");
        kube.write_kubeconfig(&kubeconfig, "kubeflow").expect("kubeconfig");
        Self { kube, kubeconfig, _dir: dir }
    }

    /// Points the hooks of `state` at this cluster (as KUBECONFIG).
    pub fn attach(&self, state: &mut State) {
        state.agent_env.insert("KUBECONFIG".into(), self.kubeconfig.display().to_string());
    }

    /// A Secret's decoded `data`.
    pub fn secret_data(&self, name: &str) -> Option<BTreeMap<String, Vec<u8>>> {
        use base64::Engine;
        let obj = self.kube.get("Secret", Some("kubeflow"), name)?;
        let data = obj.get("data")?.as_object()?;
        Some(
            data.iter()
                .map(|(k, v)| {
                    let b = base64::engine::general_purpose::STANDARD
                        .decode(v.as_str().expect("string"))
                        .expect("b64");
                    (k.clone(), b)
                })
                .collect(),
        )
    }

    /// The `caBundle`s of every webhook of a configuration.
    pub fn ca_bundles(&self, kind: &str, name: &str) -> Vec<Option<String>> {
        use base64::Engine;
        let obj = self.kube.get(kind, None, name).expect("configuration exists");
        obj["webhooks"]
            .as_array()
            .expect("webhooks")
            .iter()
            .map(|w| {
                w["clientConfig"]["caBundle"].as_str().map(|b| {
                    String::from_utf8(
                        base64::engine::general_purpose::STANDARD.decode(b).expect("b64"),
                    )
                    .expect("utf-8")
                })
            })
            .collect()
    }
}

/// A process-level simulator in a temporary directory, running the real binary against a
/// fake Kubernetes API server.
pub struct Sim {
    pub harness: Harness,
    pub cluster: Cluster,
    /// Every run's outcome, for the leak check when the Sim is dropped.
    outcomes: Vec<Outcome>,
    _dir: tempfile::TempDir,
}

impl Sim {
    pub fn new(mut state: State) -> Self {
        let cluster = Cluster::new();
        cluster.attach(&mut state);
        let dir = tempfile::tempdir().expect("tempdir");
        let files = CharmFiles {
            metadata: ckf_crypto::files::METADATA.into(),
            config: ckf_crypto::files::CONFIG.into(),
            actions: ckf_crypto::files::ACTIONS.into(),
        };
        let harness = Harness::new(dir.path(), &dispatch(), juju_sim::tool_binary(), files, state)
            .expect("harness");
        Self { harness, cluster, outcomes: Vec::new(), _dir: dir }
    }

    /// Sets the clock of the following hooks (RFC 3339), or back to the real one.
    pub fn set_now(&mut self, now: Option<&str>) {
        let env = &mut self.harness.state_mut().agent_env;
        match now {
            Some(t) => env.insert(ckf_crypto::charm::NOW_VAR.into(), t.into()),
            None => env.remove(ckf_crypto::charm::NOW_VAR),
        };
    }

    /// Runs `event` on `unit` and asserts the hook succeeded.
    /// Runs `event` on `unit` (it may fail), recording the outcome for the leak check.
    pub fn run(&mut self, unit: u32, event: &Event) -> Outcome {
        let out = self.harness.run(unit, event).expect("run");
        self.outcomes.push(out.clone());
        out
    }

    pub fn ok(&mut self, unit: u32, event: Event) -> Outcome {
        let out = self.run(unit, &event);
        assert_eq!(out.exit_code, Some(0), "{event:?} failed: {}\n{:?}", out.stderr, out.logs);
        out
    }

    /// install, leader-elected (on the leader), config-changed, start on every unit.
    pub fn deploy(&mut self, units: u32) {
        for u in 0..units {
            self.ok(u, Event::Install);
            if self.harness.state().leader == Some(u) {
                self.ok(u, Event::LeaderElected);
            }
            self.ok(u, Event::ConfigChanged);
            self.ok(u, Event::Start);
        }
    }

    /// Relates a v1 object-storage requirer `app` and runs its relation hooks on `unit`.
    pub fn relate(&mut self, unit: u32, app: &str) -> juju_sim::RelationId {
        let id = self.harness.state_mut().add_relation("object-storage", app, 1);
        self.harness.state_mut().set_remote_app_data(
            &id,
            BTreeMap::from([("_supported_versions".into(), "- v1\n".into())]),
        );
        let remote = format!("{app}/0");
        self.ok(unit, Event::RelationCreated { id: id.clone() });
        self.ok(unit, Event::RelationJoined { id: id.clone(), unit: remote.clone() });
        self.ok(unit, Event::RelationChanged { id: id.clone(), unit: Some(remote) });
        id
    }

    pub fn config(&mut self, key: &str, value: serde_json::Value) {
        self.harness.state_mut().set_config(key, value).expect("config");
    }

    pub fn state(&self) -> &State {
        self.harness.state()
    }

    /// The generated values in the latest revision of the material Juju secret.
    pub fn generated(&self) -> BTreeMap<String, String> {
        let s =
            self.state().secret_by_label(ckf_crypto::store::LABEL).expect("material secret exists");
        let mut content = s.revisions.last().expect("a revision").content.clone();
        content.retain(|k, _| GENERATED_KEYS.contains(&k.as_str()));
        content
    }

    /// The `data` map sent on relation `id`, parsed.
    pub fn sent(&self, id: &juju_sim::RelationId) -> BTreeMap<String, serde_json::Value> {
        let bag = self.state().local_app_data(id).expect("relation");
        serde_saphyr::from_str(bag.get("data").expect("data sent")).expect("data is YAML")
    }

    pub fn charm_dir(&self) -> PathBuf {
        self.harness.charm_dir()
    }
}

/// An RSA-2048 key for [`csr_with`].
pub const RSA: &[&str] = &["-newkey", "rsa:2048"];

/// A CSR made by the openssl CLI: `key` are the `openssl req` arguments that make its key,
/// `digest` the signature's hash (`-sha256`, ...).
pub fn csr_with(dns: &str, key: &[&str], digest: &str) -> String {
    let dir = tempfile::tempdir().expect("tmp");
    let out = Command::new("openssl")
        .args(["req", "-new"])
        .args(key)
        .args(["-nodes", digest, "-subj", &format!("/CN={dns}")])
        .args(["-addext", &format!("subjectAltName=DNS:{dns}"), "-keyout"])
        .arg(dir.path().join("key.pem"))
        .stdin(Stdio::null())
        .output()
        .expect("openssl req");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("PEM").trim().to_owned()
}

/// The material secret's content keys of the generated values.
pub const GENERATED_KEYS: [&str; 3] = ["secret-key", "oidc-client-secret", "config-hash-salt"];

/// `^[A-Z0-9]{30}$`
pub fn is_generated_format(s: &str) -> bool {
    s.len() == 30 && s.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// The Python interpreter with the cross-checkers: `CKF_PYTHON`, else the `.venv` that
/// `tests/setup` makes, else `python3`.
pub fn python() -> PathBuf {
    if let Some(p) = std::env::var_os("CKF_PYTHON") {
        return PathBuf::from(p);
    }
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python3");
    if venv.exists() { venv } else { PathBuf::from("python3") }
}

/// Content keys of the material secret whose values are public (certificates, ids, hashes).
fn public_key(key: &str) -> bool {
    matches!(
        key,
        "ca-crt"
            | "previous-ca-crt"
            | "dex-user-id"
            | "dex-hash"
            | "dex-fingerprint"
            | "extra-ca-bundle"
            | "resource-problems"
            | "relation-ca-crt"
            | "format-version"
            | "material-shards"
    ) || key.starts_with("crt-")
}

/// The leak check, run on every scenario of the suite: when a `Sim` is dropped, no secret value it
/// ever held (generated or configured secrets, private keys, salts, HMAC keys, service-account
/// tokens) may appear in any hook-tool argv, `juju-log` line, status message or dispatch output of
/// its runs. The one exception is `action-set`, whose arguments are the results `get-credentials`
/// exists to reveal.
impl Drop for Sim {
    fn drop(&mut self) {
        if std::thread::panicking() {
            return;
        }
        let tokens: Vec<String> = self.cluster.kube.tokens().into_iter().map(|t| t.token).collect();
        assert_no_leak(self.harness.state(), &self.outcomes, &tokens);
    }
}

/// The leak check over `outcomes` of runs on `state` (see `Sim`'s
/// `Drop`); `extra` holds further secret values (service-account tokens).
pub fn assert_no_leak(state: &State, outcomes: &[Outcome], extra: &[String]) {
    let mut secrets: Vec<String> = Vec::new();
    for secret in state.secrets() {
        for rev in &secret.revisions {
            for (_, v) in rev.content.iter().filter(|(k, _)| !public_key(k)) {
                secrets.push(v.clone());
                // Every line of a PEM key, so that a partial leak is caught too.
                secrets.extend(
                    v.lines()
                        .filter(|l| l.len() >= 16 && !l.starts_with("-----"))
                        .map(str::to_owned),
                );
            }
        }
    }
    for key in ["secret-key", "static-password"] {
        if let Some(Value::String(v)) = state.config.get(key) {
            secrets.push(v.clone());
        }
    }
    secrets.extend(extra.iter().cloned());
    secrets.retain(|s| s.len() >= 8);
    let mut places: Vec<(String, String)> = Vec::new();
    for out in outcomes {
        for call in out.calls.iter().filter(|c| c.tool != "action-set") {
            places.extend(call.args.iter().map(|a| (format!("argv of {}", call.tool), a.clone())));
        }
        places.push(("dispatch stdout".into(), out.stdout.clone()));
        places.push(("dispatch stderr".into(), out.stderr.clone()));
        places.extend(
            out.status_history.iter().map(|(_, m)| ("a status message".to_owned(), m.clone())),
        );
    }
    places.extend(state.juju_log().iter().map(|l| ("juju-log".to_owned(), l.message.clone())));
    for (what, text) in &places {
        for s in &secrets {
            // Never print the value itself.
            assert!(
                !text.contains(s.as_str()),
                "a secret value ({} bytes) appeared in {what}",
                s.len()
            );
        }
    }
}

/// Each named test function (taking the Juju version), as a test under 3.6.8's rules
/// (`juju36::<name>`) and one under 4.0.0's (`juju4::<name>`).
macro_rules! under_both_versions {
    ($($name:ident),* $(,)?) => {
        mod juju36 {
            $(#[test]
            fn $name() {
                super::$name("3.6.8");
            })*
        }
        mod juju4 {
            $(#[test]
            fn $name() {
                super::$name("4.0.0");
            })*
        }
    };
}
pub(crate) use under_both_versions;
