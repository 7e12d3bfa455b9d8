//! Fixtures shared by the in-process and process-level tests: a typical charm (peers, a
//! provides and a requires endpoint, a file resource, typed config, actions) and a small wrapper
//! that lets a closure charm call tools and read their output as text.

use std::collections::BTreeMap;
use std::rc::Rc;

use juju_charm::CommandRunner;
use juju_sim::{CharmMeta, Event, Outcome, State, run_in_process};

pub const METADATA: &str = "\
name: ckf-crypto
provides:
  certificates:
    interface: tls-certificates
requires:
  object-storage:
    interface: object-storage
peers:
  peers:
    interface: ckf-crypto-peers
resources:
  bundle:
    type: file
    filename: bundle.zip
";

pub const CONFIG: &str = "\
options:
  log-level:
    type: string
    default: info
  bcrypt-cost:
    type: int
    default: 12
  ratio:
    type: float
    default: 60.0
  enabled:
    type: boolean
    default: true
  admin-password:
    type: secret
  certificates-ca:
    type: secret
  note:
    type: string
";

pub const ACTIONS: &str = "\
get-credentials:
  params:
    name:
      type: string
  required: [name]
rotate-secret:
  params:
    kind:
      type: string
      enum: [salt, key]
      default: salt
    force:
      type: boolean
      default: false
list-certificates: {}
";

pub fn meta() -> CharmMeta {
    CharmMeta::from_yaml(METADATA, CONFIG, ACTIONS).unwrap()
}

/// One unit (0), the leader.
pub fn state() -> State {
    State::new(meta(), "ckf-crypto", "kubeflow")
}

pub fn bag(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// A tool's result as text.
#[derive(Debug, Clone, PartialEq)]
pub struct Out {
    pub code: i32,
    pub out: String,
    pub err: String,
}

/// The closure charm's view: its environment and its hook tools.
pub struct Hook {
    pub env: Vec<(String, String)>,
    pub runner: Rc<dyn CommandRunner>,
}

impl Hook {
    pub fn var(&self, k: &str) -> Option<&str> {
        self.env.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str())
    }

    pub fn run(&self, tool: &str, args: &[&str]) -> Out {
        self.run_stdin(tool, args, None)
    }

    pub fn run_stdin(&self, tool: &str, args: &[&str], stdin: Option<&str>) -> Out {
        let o = self.runner.run(tool, args, stdin.map(str::as_bytes)).unwrap();
        Out {
            code: o.code.unwrap(),
            out: String::from_utf8(o.stdout).unwrap(),
            err: String::from_utf8(o.stderr).unwrap(),
        }
    }

    /// Runs a tool that must succeed and returns its stdout.
    pub fn ok(&self, tool: &str, args: &[&str]) -> String {
        let o = self.run(tool, args);
        assert_eq!(o.code, 0, "{tool} {args:?}: {o:?}");
        o.out
    }

    pub fn json(&self, tool: &str, args: &[&str]) -> serde_json::Value {
        serde_json::from_str(&self.ok(tool, args)).unwrap()
    }
}

/// Runs `event` on `unit` with a closure charm; the closure returns dispatch's exit code.
pub fn run(
    state: &mut State,
    unit: u32,
    event: &Event,
    charm: impl FnOnce(&Hook) -> i32,
) -> Outcome {
    run_in_process(state, unit, event, |env, runner| charm(&Hook { env, runner })).unwrap()
}

/// The relation id `endpoint:n`, for relations a test names without adding them.
pub fn rid(endpoint: &str, n: u64) -> juju_sim::RelationId {
    juju_sim::RelationId { endpoint: endpoint.into(), number: n }
}
