//! Hook-tool failures, classified once.
//!
//! Every failure keeps the tool name, the exit code and stderr, never the arguments or stdin
//! (which may hold relation data). [`HookToolError::kind`] is the single place that matches
//! Juju's stderr texts; callers match on [`ErrorKind`].

use std::fmt;

/// What kind of failure a hook tool reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The thing asked for does not exist (`not found`, `relation not found`).
    NotFound,
    /// The unit is not the leader (`not the leader`, `cannot write relation settings`).
    NotLeader,
    /// Juju refused access (`permission denied`, `access denied`, `unauthorized`).
    PermissionDenied,
    /// Anything else, including a tool that could not be started or printed garbage.
    Other,
}

/// A hook tool failed, could not be started, or printed output that does not parse.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HookToolError {
    /// The tool could not be started.
    #[error("cannot run {tool}: {source}")]
    Spawn {
        /// Tool name.
        tool: String,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The tool exited non-zero (or was killed: `code` is `None`).
    #[error("{tool} failed ({}): {}", ExitCode(*.code), .stderr.trim())]
    Failed {
        /// Tool name.
        tool: String,
        /// Exit code, `None` when killed by a signal.
        code: Option<i32>,
        /// What it wrote to stderr (Juju writes `ERROR <message>`).
        stderr: String,
    },
    /// The tool succeeded but its output does not parse.
    #[error("{tool} printed output that does not parse: {why}")]
    Parse {
        /// Tool name.
        tool: String,
        /// What is wrong (never the output itself, which may hold secret content).
        why: String,
    },
    /// The caller passed something the tool cannot take (checked before running it).
    #[error("{tool}: invalid argument: {why}")]
    Invalid {
        /// Tool name.
        tool: String,
        /// What is wrong.
        why: String,
    },
}

struct ExitCode(Option<i32>);

impl fmt::Display for ExitCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(c) => write!(f, "exit {c}"),
            None => f.write_str("killed"),
        }
    }
}

impl HookToolError {
    /// Classifies the failure from the tool name and stderr, as ops' `_wrap_hookcmd` does.
    pub fn kind(&self) -> ErrorKind {
        todo!()
    }

    /// The tool that failed.
    pub fn tool(&self) -> &str {
        match self {
            Self::Spawn { tool, .. }
            | Self::Failed { tool, .. }
            | Self::Parse { tool, .. }
            | Self::Invalid { tool, .. } => tool,
        }
    }
}
