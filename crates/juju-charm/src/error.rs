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
    /// Only the leader may do this, and this unit is not the leader (checked before running
    /// the tool, as Juju would refuse it). Leave it to the leader unit.
    #[error("{tool}: only the leader unit may {what}")]
    NotLeader {
        /// Tool name.
        tool: String,
        /// What was refused (`write the application's relation data`).
        what: &'static str,
    },
}

/// The one place that reads Juju's error texts (`ERROR <message>` on stderr, as juju/cmd
/// prints them).
///
/// Order matters: leadership and permission are checked *before* "not found", and a
/// "permission denied" is never read as "not found". Juju's wordings overlap: a relation that has
/// gone from Juju's state answers `permission denied` (so as not to reveal whether it existed;
/// canonical/operator PR #2748), yet a follower reading its own application databag gets the very
/// same text as a genuine refusal; and `secret-get` answers `not found` for a secret this unit has
/// no grant for (canonical/operator PR #1231). Reading a refusal as absence would make a caller
/// silently skip work or overwrite data, so a refusal stays a refusal here and the caller, which
/// knows whether it is the leader and whether the relation is departing, decides what it means.
fn classify(stderr: &str) -> ErrorKind {
    let text = stderr.to_lowercase();
    let has = |needles: &[&str]| needles.iter().any(|n| text.contains(n));
    if has(&["not the leader", "cannot write relation settings"]) {
        ErrorKind::NotLeader
    } else if has(&["permission denied", "access denied", "unauthorized"]) {
        ErrorKind::PermissionDenied
    } else if has(&["not found"]) {
        // Includes `relation not found` (unknown `-r` id) and `secret "x" not found`.
        ErrorKind::NotFound
    } else {
        ErrorKind::Other
    }
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
    ///
    /// [`HookToolError::Failed`] is classified from Juju's text and
    /// [`HookToolError::NotLeader`] is [`ErrorKind::NotLeader`]; a tool that could not start,
    /// printed garbage or was given a bad argument is [`ErrorKind::Other`].
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Failed { stderr, .. } => classify(stderr),
            Self::NotLeader { .. } => ErrorKind::NotLeader,
            Self::Spawn { .. } | Self::Parse { .. } | Self::Invalid { .. } => ErrorKind::Other,
        }
    }

    /// The tool that failed.
    pub fn tool(&self) -> &str {
        match self {
            Self::Spawn { tool, .. }
            | Self::Failed { tool, .. }
            | Self::Parse { tool, .. }
            | Self::Invalid { tool, .. }
            | Self::NotLeader { tool, .. } => tool,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failed(tool: &str, stderr: &str) -> HookToolError {
        HookToolError::Failed { tool: tool.to_owned(), code: Some(1), stderr: stderr.to_owned() }
    }

    #[test]
    fn classifies_juju_error_texts() {
        let table = [
            ("secret-get", "ERROR secret \"x\" not found\n", ErrorKind::NotFound),
            ("status-set", "ERROR this unit is not the leader\n", ErrorKind::NotLeader),
            ("relation-set", "ERROR cannot write relation settings\n", ErrorKind::NotLeader),
            (
                "relation-get",
                "ERROR permission denied (unauthorized access)\n",
                ErrorKind::PermissionDenied,
            ),
            (
                "relation-get",
                "ERROR invalid value \"db:99\" for option -r: relation not found\n",
                ErrorKind::NotFound,
            ),
            ("relation-get", "ERROR Permission Denied\n", ErrorKind::PermissionDenied),
            ("secret-get", "ERROR access denied\n", ErrorKind::PermissionDenied),
            ("secret-get", "ERROR unauthorized\n", ErrorKind::PermissionDenied),
            (
                "status-get",
                "ERROR finding application status: this unit is not the leader\n",
                ErrorKind::NotLeader,
            ),
            ("status-set", "ERROR invalid status \"x\", expected one of [...]\n", ErrorKind::Other),
            ("juju-log", "", ErrorKind::Other),
        ];
        for (tool, stderr, want) in table {
            assert_eq!(failed(tool, stderr).kind(), want, "{stderr:?}");
        }
    }

    #[test]
    fn refusal_is_never_read_as_absence() {
        // PR #2748: a gone relation says "permission denied"; a text that mentions both must
        // still be a refusal, never "not found".
        let e = failed("relation-get", "ERROR relation 3 not found: permission denied");
        assert_eq!(e.kind(), ErrorKind::PermissionDenied);
        let e = failed("secret-set", "ERROR secret not found: this unit is not the leader");
        assert_eq!(e.kind(), ErrorKind::NotLeader);
    }

    #[test]
    fn non_failures_are_other() {
        let spawn = HookToolError::Spawn {
            tool: "is-leader".into(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "not found"),
        };
        let parse = HookToolError::Parse { tool: "is-leader".into(), why: "not found".into() };
        let invalid = HookToolError::Invalid { tool: "x".into(), why: "permission denied".into() };
        for e in [spawn, parse, invalid] {
            assert_eq!(e.kind(), ErrorKind::Other);
        }
    }

    #[test]
    fn display_shows_tool_code_and_stderr() {
        let e = failed("is-leader", "ERROR boom\n");
        assert_eq!(e.to_string(), "is-leader failed (exit 1): ERROR boom");
        assert_eq!(e.tool(), "is-leader");
        let killed = HookToolError::Failed { tool: "t".into(), code: None, stderr: String::new() };
        assert_eq!(killed.to_string(), "t failed (killed): ");
    }
}
