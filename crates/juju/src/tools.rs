//! Typed hook-tool calls, one per tool, named after it.
//!
//! Each method builds the exact argv of `juju-runtime.md` §2 (the same argv ops uses), runs it
//! through the [`CommandRunner`], checks the exit code and parses the output. Secret content never
//! goes on argv: `secret-add`/`secret-set` get `key#file=/abs/path` parameters pointing at 0600
//! files in a private 0700 directory that is removed before the call returns; relation data goes
//! to `relation-set --file -` as JSON on stdin. The one exception is `action-set`, which Juju only
//! accepts as `key=value` arguments (`contract.md` §10).

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::{Map, Value};

use crate::context::RelationId;
use crate::error::HookToolError;
use crate::runner::CommandRunner;
use crate::secret::SecretString;

/// Result of a hook-tool call.
pub type Result<T> = std::result::Result<T, HookToolError>;

/// The content of a Juju secret: key to value. Keys must match `^[a-z](?:-?[a-z0-9]){2,}$`.
pub type SecretContent = BTreeMap<String, SecretString>;

/// How to name a secret in `secret-get` / `secret-info-get`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretRef<'a> {
    /// By URI (`secret:...`) or bare id.
    Id(&'a str),
    /// By label.
    Label(&'a str),
}

/// Which revision `secret-get` returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SecretRead {
    /// The tracked revision (no flag).
    #[default]
    Tracked,
    /// The latest revision, without moving tracking (`--peek`).
    Peek,
    /// The latest revision, moving tracking to it (`--refresh`).
    Refresh,
}

/// Who owns a new secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SecretOwner {
    /// `--owner application` (leader only).
    #[default]
    Application,
    /// `--owner unit`.
    Unit,
}

/// Options of `secret-add`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SecretAddOptions {
    /// `--label`
    pub label: Option<String>,
    /// `--description`
    pub description: Option<String>,
    /// `--owner`
    pub owner: SecretOwner,
    /// `--expire` (RFC 3339 or Go duration)
    pub expire: Option<String>,
    /// `--rotate` (`never`, `hourly`, ...)
    pub rotate: Option<String>,
}

/// Metadata changes of `secret-set`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SecretSetOptions {
    /// `--label`
    pub label: Option<String>,
    /// `--description`
    pub description: Option<String>,
    /// `--expire`
    pub expire: Option<String>,
    /// `--rotate`
    pub rotate: Option<String>,
}

/// What `secret-info-get` says about one owned secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretInfo {
    /// The bare secret id (the key of Juju's output map).
    pub id: String,
    /// Latest revision.
    pub revision: u64,
    /// Owner label, if any.
    pub label: Option<String>,
    /// `application` or `unit`.
    pub owner: String,
    /// Description, if any.
    pub description: Option<String>,
    /// Rotation policy, if any.
    pub rotation: Option<String>,
    /// Expiry (RFC 3339), if any.
    pub expiry: Option<String>,
    /// Next rotation (RFC 3339), if any.
    pub rotates: Option<String>,
}

/// A workload status name accepted by `status-set`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum StatusName {
    /// `active`
    Active,
    /// `blocked`
    Blocked,
    /// `maintenance`
    Maintenance,
    /// `waiting`
    Waiting,
}

impl StatusName {
    /// The word `status-set` takes.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Blocked => "blocked",
            Self::Maintenance => "maintenance",
            Self::Waiting => "waiting",
        }
    }
}

/// A `juju-log` level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogLevel {
    /// `TRACE`
    Trace,
    /// `DEBUG`
    Debug,
    /// `INFO`
    Info,
    /// `WARNING`
    Warning,
    /// `ERROR`
    Error,
    /// `CRITICAL`
    Critical,
}

impl LogLevel {
    /// The word `juju-log --log-level` takes.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Trace => "TRACE",
            Self::Debug => "DEBUG",
            Self::Info => "INFO",
            Self::Warning => "WARNING",
            Self::Error => "ERROR",
            Self::Critical => "CRITICAL",
        }
    }
}

/// One value of an action result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionValue {
    /// A value that is not secret.
    Public(String),
    /// A secret value the action exists to reveal (it goes on `action-set`'s argv, the one
    /// exception of `contract.md` §10, since `action-set` takes no file or stdin).
    Secret(SecretString),
}

impl From<String> for ActionValue {
    fn from(v: String) -> Self {
        Self::Public(v)
    }
}

impl From<&str> for ActionValue {
    fn from(v: &str) -> Self {
        Self::Public(v.to_owned())
    }
}

impl From<SecretString> for ActionValue {
    fn from(v: SecretString) -> Self {
        Self::Secret(v)
    }
}

/// The typed hook-tool client.
#[derive(Clone, Copy)]
pub struct HookTools<'r> {
    runner: &'r dyn CommandRunner,
}

impl<'r> HookTools<'r> {
    /// A client running tools through `runner`.
    pub fn new(runner: &'r dyn CommandRunner) -> Self {
        Self { runner }
    }

    /// The runner (for the log backend).
    pub fn runner(&self) -> &'r dyn CommandRunner {
        self.runner
    }

    /// `config-get --format=json`: every option that has a value or a default.
    pub fn config_get(&self) -> Result<Map<String, Value>> {
        todo!()
    }

    /// `is-leader --format=json`.
    pub fn is_leader(&self) -> Result<bool> {
        todo!()
    }

    /// `relation-ids <endpoint> --format=json`.
    pub fn relation_ids(&self, endpoint: &str) -> Result<Vec<RelationId>> {
        let _ = endpoint;
        todo!()
    }

    /// `relation-list --format=json -r <id>`: remote units, sorted as Juju sorts them.
    pub fn relation_list(&self, id: &RelationId) -> Result<Vec<String>> {
        let _ = id;
        todo!()
    }

    /// `relation-list --format=json -r <id> --app`: the remote application, if known.
    pub fn relation_list_app(&self, id: &RelationId) -> Result<Option<String>> {
        let _ = id;
        todo!()
    }

    /// `relation-get --format=json -r <id> [--app] - <member>`: a whole databag.
    pub fn relation_get(
        &self,
        id: &RelationId,
        member: &str,
        app: bool,
    ) -> Result<BTreeMap<String, String>> {
        let _ = (id, member, app);
        todo!()
    }

    /// `relation-set -r <id> [--app] --file -` with `data` as JSON on stdin. An empty value
    /// deletes its key. Does nothing when `data` is empty.
    pub fn relation_set(
        &self,
        id: &RelationId,
        app: bool,
        data: &BTreeMap<String, String>,
    ) -> Result<()> {
        let _ = (id, app, data);
        todo!()
    }

    /// `secret-add [opts] key#file=/abs/path ...`: returns the new secret's URI.
    pub fn secret_add(&self, content: &SecretContent, opts: &SecretAddOptions) -> Result<String> {
        let _ = (content, opts);
        todo!()
    }

    /// `secret-get --format=json <id> | --label <label> [--peek|--refresh]`.
    pub fn secret_get(&self, secret: SecretRef<'_>, read: SecretRead) -> Result<SecretContent> {
        let _ = (secret, read);
        todo!()
    }

    /// `secret-set <id> [opts] [key#file=/abs/path ...]`; `None` content changes metadata only.
    pub fn secret_set(
        &self,
        id: &str,
        content: Option<&SecretContent>,
        opts: &SecretSetOptions,
    ) -> Result<()> {
        let _ = (id, content, opts);
        todo!()
    }

    /// `secret-info-get --format=json <id> | --label <label>`.
    pub fn secret_info_get(&self, secret: SecretRef<'_>) -> Result<SecretInfo> {
        let _ = secret;
        todo!()
    }

    /// `secret-ids --format=json`: bare ids of owned secrets (`null` is read as empty).
    pub fn secret_ids(&self) -> Result<Vec<String>> {
        todo!()
    }

    /// `secret-remove <id> [--revision N]`.
    pub fn secret_remove(&self, id: &str, revision: Option<u64>) -> Result<()> {
        let _ = (id, revision);
        todo!()
    }

    /// `status-set --application=<True|False> <status> -- <message>`.
    pub fn status_set(&self, status: StatusName, message: &str, application: bool) -> Result<()> {
        let _ = (status, message, application);
        todo!()
    }

    /// `juju-log --log-level <LEVEL> -- <message>` (split at 131071 chars as ops does).
    pub fn juju_log(&self, level: LogLevel, message: &str) -> Result<()> {
        let _ = (level, message);
        todo!()
    }

    /// `resource-get <name>`: the local path of a resource (no trailing newline in the output).
    pub fn resource_get(&self, name: &str) -> Result<PathBuf> {
        let _ = name;
        todo!()
    }

    /// `action-get --format=json`: all parameters.
    pub fn action_get(&self) -> Result<Map<String, Value>> {
        todo!()
    }

    /// `action-set key=value ...`. Keys are checked against Juju's rule before running.
    pub fn action_set(&self, results: &BTreeMap<String, ActionValue>) -> Result<()> {
        let _ = results;
        todo!()
    }

    /// `action-fail -- <message>`.
    pub fn action_fail(&self, message: &str) -> Result<()> {
        let _ = message;
        todo!()
    }

    /// `action-log -- <message>`.
    pub fn action_log(&self, message: &str) -> Result<()> {
        let _ = message;
        todo!()
    }
}
