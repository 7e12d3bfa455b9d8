//! Errors of the simulator itself (bad fixtures, unknown events, I/O), as opposed to the errors a
//! hook tool reports to the charm, which are data (`ERROR …` on stderr and an exit code) and live
//! in `tools`.
//!
//! A test that builds a state Juju could never produce (a config value of the wrong type, an event
//! for a relation that does not exist) gets a `SimError` instead of a silently wrong run, as
//! Scenario's consistency checker does.

use std::path::PathBuf;

/// Why the simulator refused a fixture or could not run an event.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SimError {
    /// A config key not declared in config.yaml, or a value of the wrong type.
    #[error("invalid config: {0}")]
    Config(String),
    /// A state Juju could not produce (a relation on an undeclared endpoint, a leader that is
    /// not a unit, a config value of the wrong type, a secret the application could not see):
    /// found by the consistency check before any hook runs.
    #[error("inconsistent state: {0}")]
    Inconsistent(String),
    /// An event that cannot happen in this state (unknown relation, secret, action, unit).
    #[error("inconsistent event: {0}")]
    Event(String),
    /// Action parameters that do not match actions.yaml.
    #[error("invalid action parameters: {0}")]
    ActionParams(String),
    /// A user-secret operation (`juju add-secret`, `update-secret`, `grant-secret`, …) that Juju
    /// would refuse: unknown secret, not a user secret, invalid content.
    #[error("secret: {0}")]
    Secret(String),
    /// metadata.yaml, config.yaml or actions.yaml could not be parsed.
    #[error("invalid charm metadata: {0}")]
    Meta(String),
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file involved.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The model could not be serialised into `agent/state.json`.
    #[error("state.json: {0}")]
    Session(#[from] serde_json::Error),
    /// The charm process could not be started.
    #[error("cannot run dispatch: {0}")]
    Spawn(#[source] std::io::Error),
    /// The agent socket that serves the hook tools could not be opened.
    #[error("cannot serve the hook tools: {0}")]
    Socket(#[source] std::io::Error),
}

impl SimError {
    /// Wraps an I/O error with the path it concerns.
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io { path: path.into(), source }
    }
}
