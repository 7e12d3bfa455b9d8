//! Shared fixtures: a simulated model running the real binary.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use juju_sim::{CharmFiles, CharmMeta, Event, Harness, Outcome, State};

/// The compiled charm binary.
pub fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_ckf-crypto"))
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

/// A process-level simulator in a temporary directory, running the real binary.
pub struct Sim {
    pub harness: Harness,
    _dir: tempfile::TempDir,
}

impl Sim {
    pub fn new(state: State) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let files = CharmFiles {
            metadata: ckf_crypto::files::METADATA.into(),
            config: ckf_crypto::files::CONFIG.into(),
            actions: ckf_crypto::files::ACTIONS.into(),
        };
        let harness =
            Harness::new(dir.path(), &binary(), &binary(), files, state).expect("harness");
        Self { harness, _dir: dir }
    }

    /// Runs `event` on `unit` and asserts the hook succeeded.
    pub fn ok(&mut self, unit: u32, event: Event) -> Outcome {
        let out = self.harness.run(unit, &event).expect("run");
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
    pub fn relate(&mut self, unit: u32, app: &str) -> u64 {
        let id = self.harness.state_mut().add_relation("object-storage", app, 1);
        self.harness.state_mut().set_remote_app_data(
            id,
            BTreeMap::from([("_supported_versions".into(), "- v1\n".into())]),
        );
        let remote = format!("{app}/0");
        self.ok(unit, Event::RelationCreated { id });
        self.ok(unit, Event::RelationJoined { id, unit: remote.clone() });
        self.ok(unit, Event::RelationChanged { id, unit: Some(remote) });
        id
    }

    pub fn config(&mut self, key: &str, value: serde_json::Value) {
        self.harness.state_mut().set_config(key, value).expect("config");
    }

    pub fn state(&self) -> &State {
        self.harness.state()
    }

    /// The latest content of the generated-secrets Juju secret.
    pub fn generated(&self) -> BTreeMap<String, String> {
        let s = self
            .state()
            .secret_by_label(ckf_crypto::generated::LABEL)
            .expect("generated secret exists");
        s.revisions.last().expect("a revision").content.clone()
    }

    /// The `data` map sent on relation `id`, parsed.
    pub fn sent(&self, id: u64) -> BTreeMap<String, serde_json::Value> {
        let bag = self.state().local_app_data(id).expect("relation");
        serde_saphyr::from_str(bag.get("data").expect("data sent")).expect("data is YAML")
    }

    pub fn charm_dir(&self) -> PathBuf {
        self.harness.charm_dir()
    }
}

/// `^[A-Z0-9]{30}$`
pub fn is_generated_format(s: &str) -> bool {
    s.len() == 30 && s.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// The Python interpreter with the cross-checkers (CI sets CKF_PYTHON to its venv).
pub fn python() -> PathBuf {
    if let Some(p) = std::env::var_os("CKF_PYTHON") {
        return PathBuf::from(p);
    }
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python3");
    if venv.exists() { venv } else { PathBuf::from("python3") }
}
