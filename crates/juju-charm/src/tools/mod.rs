//! Typed hook-tool calls, one per tool, named after it.
//!
//! Each method of [`HookTools`] builds the argv ops uses for the tool (adding `--` before a
//! caller's key where ops leaves it out: `state-get`, `state-delete`), runs it through the
//! [`CommandRunner`], checks the exit code and parses the output. One file per family of tools:
//! relations, secrets, status and logging, actions, unit state, ports, networking, storage, and
//! the rest.
//!
//! Nothing secret goes on argv: `secret-add` and `secret-set` get `key#file=/abs/path`
//! parameters naming 0600 files in a private 0700 directory that is removed before the call
//! returns; relation data and unit state go to `relation-set --file -` and `state-set --file -`
//! as JSON on stdin. The one exception is `action-set`, which Juju takes only as `key=value`
//! arguments: a value an action exists to reveal ([`ActionValue::Secret`]) goes there.
//!
//! A call that Juju would refuse for a reason known in advance fails before the tool runs, with
//! a [`HookToolError`] that says what to do: a secret key or action result key Juju does not
//! accept ([`crate::rules`]), empty secret content, a write to the application's databag or
//! status from a unit that is not the leader, a unit-state key or value over Juju's quota, a port
//! range that ends before it starts.
//!
//! # Tools left out
//!
//! Every hook tool of Juju 3.6 (50 tools) and 4.0 (38) has a method here but these twelve, all
//! removed in 4.0, which a charm written today should not call. (The registries are juju/juju's
//! `worker/uniter/runner/jujuc/server.go` in 3.6 and `internal/worker/uniter/runner/jujuc/server.go`
//! in 4.0; 4.0 added no tool.)
//!
//! | tool | why |
//! | --- | --- |
//! | `leader-get`, `leader-set` | removed in Juju 4.0; leader data lives in a peer relation's application databag |
//! | `add-metric` | only in `collect-metrics`, which stopped firing in Juju 3.6.11 (the tool became a no-op); removed in 4.0 with metrics |
//! | `payload-register`, `payload-unregister`, `payload-status-set` | machine charms' payloads, unused; removed in 4.0 (juju/juju pull request 18596) |
//! | `pod-spec-get`, `pod-spec-set`, `k8s-spec-get`, `k8s-spec-set`, `k8s-raw-get`, `k8s-raw-set` | podspec charms, which Juju 4.0 no longer runs (the `pod-spec-*` names were deprecated in 2.8) |
//!
//! Each of them can still be run through [`CommandRunner::run`] directly.

mod action;
mod misc;
mod network;
mod ports;
mod relation;
mod secret;
mod secret_files;
mod state;
mod status;
mod storage;

use std::cell::Cell;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};

use crate::error::HookToolError;
use crate::runner::CommandRunner;

pub use action::ActionValue;
pub use misc::{CloudCredential, CloudSpec, Goal, GoalState, LogLevel, UnitAddress};
pub use network::{Address, BindAddress, Network};
pub use ports::{OpenedPort, Port, PortEndpoints, Protocol};
pub use secret::{
    RevokeFrom, SecretAddOptions, SecretContent, SecretInfo, SecretOwner, SecretRead, SecretRef,
    SecretRotate, SecretSetOptions,
};
pub use state::{MAX_STATE_KEY, MAX_STATE_VALUE};
pub use storage::{StorageInfo, StorageKind};

/// The longest `juju-log` message sent in one call, in bytes. Linux limits one argv string to
/// `MAX_ARG_STRLEN` (128 KiB including the NUL); ops splits at 131071 characters, which is the
/// same for ASCII, and this client splits on a UTF-8 boundary so a multi-byte message fits too.
pub const MAX_LOG_MESSAGE: usize = 131_071;

/// Result of a hook-tool call.
pub type Result<T> = std::result::Result<T, HookToolError>;

/// Whose status, or whose databag of a relation: the unit's own, or its application's.
///
/// Writing the application's (`status-set --application`, `relation-set --app`) is the
/// leader's alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// The unit's.
    Unit,
    /// The application's.
    App,
}

/// The typed hook-tool client.
///
/// It remembers the answer of `is-leader` for the rest of the dispatch (Juju holds the
/// leadership lease for the whole hook), which is also what lets it refuse a non-leader's write
/// of application data before running the tool.
///
/// ```
/// use juju_charm::{HookTools, ToolOutput};
///
/// // Any CommandRunner: here a closure standing in for the real `is-leader`.
/// let runner = |tool: &str, args: &[&str], _stdin: Option<&[u8]>| {
///     assert_eq!((tool, args), ("is-leader", &["--format=json"][..]));
///     Ok(ToolOutput::ok("true"))
/// };
/// let tools = HookTools::new(&runner);
/// assert!(tools.is_leader()?);
/// # Ok::<(), juju_charm::HookToolError>(())
/// ```
#[derive(Clone)]
pub struct HookTools<'r> {
    runner: &'r dyn CommandRunner,
    leader: Cell<Option<bool>>,
}

impl<'r> HookTools<'r> {
    /// A client running tools through `runner`.
    pub fn new(runner: &'r dyn CommandRunner) -> Self {
        Self { runner, leader: Cell::new(None) }
    }

    /// The runner, for the tools this client leaves out.
    pub fn runner(&self) -> &'r dyn CommandRunner {
        self.runner
    }

    /// `is-leader --format=json`, run once: later calls answer from memory.
    pub fn is_leader(&self) -> Result<bool> {
        if let Some(leader) = self.leader.get() {
            return Ok(leader);
        }
        let tool = "is-leader";
        let leader = parse_json(tool, &self.run(tool, &["--format=json"], None)?, "true or false")?;
        self.leader.set(Some(leader));
        Ok(leader)
    }

    /// Fails with [`HookToolError::NotLeader`] unless this unit is the leader.
    fn require_leader(&self, tool: &str, what: &'static str) -> Result<()> {
        if self.is_leader()? {
            Ok(())
        } else {
            Err(HookToolError::NotLeader { tool: tool.to_owned(), what })
        }
    }

    /// Runs `tool` and returns its stdout if it exited 0.
    fn run(&self, tool: &str, args: &[&str], stdin: Option<&[u8]>) -> Result<Vec<u8>> {
        let out = self
            .runner
            .run(tool, args, stdin)
            .map_err(|source| HookToolError::Spawn { tool: tool.to_owned(), source })?;
        if out.success() {
            Ok(out.stdout)
        } else {
            Err(HookToolError::Failed {
                tool: tool.to_owned(),
                code: out.code,
                stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            })
        }
    }
}

impl std::fmt::Debug for HookTools<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HookTools").field("leader", &self.leader.get()).finish_non_exhaustive()
    }
}

/// Parses JSON output. The error says what was expected, never what was printed (it may be
/// secret) nor serde's message (which can quote the offending value).
fn parse_json<T: DeserializeOwned>(tool: &str, stdout: &[u8], expected: &str) -> Result<T> {
    serde_json::from_slice(stdout).map_err(|_| parse_error(tool, expected))
}

/// For `#[serde(deserialize_with = "null_as_default")]`: Juju prints a nil Go slice or map as
/// `null`, which reads as the empty value.
fn null_as_default<'de, D, T>(deserializer: D) -> std::result::Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

fn parse_error(tool: &str, expected: &str) -> HookToolError {
    HookToolError::Parse { tool: tool.to_owned(), why: format!("expected {expected}") }
}

/// Appends `flag value` when there is a value.
fn push_flag<'a>(args: &mut Vec<&'a str>, flag: &'a str, value: Option<&'a str>) {
    if let Some(value) = value {
        args.extend([flag, value]);
    }
}
