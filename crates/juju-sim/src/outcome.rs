//! What one run produced: exit code, whether buffered writes were committed, every hook-tool call,
//! logs, statuses and the action's results. Also fault injection, since faults are defined in
//! terms of the calls a run makes. Both simulator forms finish a run through the session's
//! `finish`, so they commit and report identically.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::state::LogLine;

/// One hook-tool invocation (stdin is never recorded).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Call {
    /// Tool name.
    pub tool: String,
    /// Arguments after the tool name.
    pub args: Vec<String>,
    /// Exit code.
    pub code: i32,
}

/// A fault to inject: the `call`-th hook-tool call of a run (1-based; counting only calls of
/// `tool` if given) fails with exit `code` and `stderr` instead of being served.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fault {
    /// Which call, from 1.
    pub call: u64,
    /// Count only calls of this tool.
    pub tool: Option<String>,
    /// Exit code to return.
    pub code: i32,
    /// Text printed on stderr (conventionally `ERROR …\n`).
    pub stderr: String,
}

impl Fault {
    /// The `k`-th call of the run fails with exit 1 and `ERROR <message>`.
    pub fn nth_call(k: u64, message: &str) -> Self {
        Fault { call: k, tool: None, code: 1, stderr: format!("ERROR {message}\n") }
    }

    /// The `k`-th call of `tool` fails with exit 1 and `ERROR <message>`.
    pub fn nth_call_of(tool: &str, k: u64, message: &str) -> Self {
        Fault { tool: Some(tool.into()), ..Fault::nth_call(k, message) }
    }

    /// Whether this fault fires for a call of `tool` preceded by `previous` calls.
    pub(crate) fn fires(&self, tool: &str, previous: &[Call]) -> bool {
        match &self.tool {
            None => previous.len() as u64 + 1 == self.call,
            Some(t) if t == tool => {
                previous.iter().filter(|c| &c.tool == t).count() as u64 + 1 == self.call
            }
            Some(_) => false,
        }
    }
}

/// What an action reported.
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct ActionOutcome {
    /// Results from action-set, nested per dotted key.
    pub results: Map<String, Value>,
    /// Failure message: action-fail's, or `exit status N` if dispatch failed.
    pub failed: Option<String>,
    /// action-log messages.
    pub logs: Vec<String>,
}

/// Result of running one event.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct Outcome {
    /// dispatch's exit code (`None` if killed by a signal).
    pub exit_code: Option<i32>,
    /// Whether buffered writes were committed (exit 0 and the controller accepted them).
    pub committed: bool,
    /// Why the controller refused this hook's changes although dispatch exited 0 (Juju logs
    /// `cannot apply changes: <this>` and the hook fails), e.g.
    /// `updating secrets: permission denied`.
    pub commit_error: Option<String>,
    /// Every hook-tool call, in order.
    pub calls: Vec<Call>,
    /// juju-log lines of this run.
    pub logs: Vec<LogLine>,
    /// The unit's status after the run (`error` if the hook failed).
    pub unit_status: (String, String),
    /// Every unit status-set of the run.
    pub status_history: Vec<(String, String)>,
    /// Every application status-set of the run.
    pub app_status_history: Vec<(String, String)>,
    /// The action's report, for an action.
    pub action: Option<ActionOutcome>,
    /// dispatch's stdout (process-level only).
    pub stdout: String,
    /// dispatch's stderr (process-level only).
    pub stderr: String,
    /// Wall time from spawning dispatch to its exit (process-level only).
    pub elapsed: Option<std::time::Duration>,
}

impl Outcome {
    /// Whether the run called `tool`.
    pub fn called(&self, tool: &str) -> bool {
        self.calls.iter().any(|c| c.tool == tool)
    }
}
