//! Typed hook-tool calls, one per tool, named after it.
//!
//! Each method builds the exact argv of `juju-runtime.md` §2 (the same argv ops uses), runs it
//! through the [`CommandRunner`], checks the exit code and parses the output. Secret content never
//! goes on argv: `secret-add`/`secret-set` get `key#file=/abs/path` parameters pointing at 0600
//! files in a private 0700 directory that is removed before the call returns; relation data goes
//! to `relation-set --file -` as JSON on stdin. The one exception is `action-set`, which Juju only
//! accepts as `key=value` arguments (`contract.md` §10).

mod secret_files;

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;
use std::path::PathBuf;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};
use zeroize::Zeroizing;

use crate::context::RelationId;
use crate::error::HookToolError;
use crate::runner::CommandRunner;
use crate::secret::SecretString;
use secret_files::SecretFiles;

/// The longest `juju-log` message sent in one call, in bytes. Linux limits one argv string to
/// `MAX_ARG_STRLEN` (128 KiB including the NUL); ops splits at 131071 characters, which is the
/// same for ASCII, and we split on a UTF-8 boundary so a multi-byte message also fits.
pub const MAX_LOG_MESSAGE: usize = 131_071;

/// Result keys Juju reserves for the action's own output (`cannot set reserved action key`).
const RESERVED_ACTION_KEYS: &[&str] = &["stdout", "stdout-encoding", "stderr", "stderr-encoding"];

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

    /// `config-get --format=json`: every option that has a value or a default.
    pub fn config_get(&self) -> Result<Map<String, Value>> {
        let tool = "config-get";
        parse_json(tool, &self.run(tool, &["--format=json"], None)?, "a JSON object")
    }

    /// `is-leader --format=json`.
    pub fn is_leader(&self) -> Result<bool> {
        let tool = "is-leader";
        parse_json(tool, &self.run(tool, &["--format=json"], None)?, "true or false")
    }

    /// `relation-ids <endpoint> --format=json`.
    pub fn relation_ids(&self, endpoint: &str) -> Result<Vec<RelationId>> {
        let tool = "relation-ids";
        let what = "a JSON array of relation ids (endpoint:N)";
        let out = self.run(tool, &[endpoint, "--format=json"], None)?;
        let ids: Option<Vec<String>> = parse_json(tool, &out, what)?;
        ids.unwrap_or_default()
            .iter()
            .map(|id| id.parse().map_err(|_| parse_error(tool, what)))
            .collect()
    }

    /// `relation-list --format=json -r <id>`: remote units, sorted as Juju sorts them.
    pub fn relation_list(&self, id: &RelationId) -> Result<Vec<String>> {
        let tool = "relation-list";
        let id = id.to_string();
        let out = self.run(tool, &["--format=json", "-r", &id], None)?;
        let units: Option<Vec<String>> = parse_json(tool, &out, "a JSON array of unit names")?;
        Ok(units.unwrap_or_default())
    }

    /// `relation-list --format=json -r <id> --app`: the remote application, if known.
    pub fn relation_list_app(&self, id: &RelationId) -> Result<Option<String>> {
        let tool = "relation-list";
        let id = id.to_string();
        let out = self.run(tool, &["--format=json", "-r", &id, "--app"], None)?;
        let app: Option<String> = parse_json(tool, &out, "a JSON string")?;
        Ok(app.filter(|a| !a.is_empty()))
    }

    /// `relation-get --format=json -r <id> [--app] - <member>`: a whole databag.
    pub fn relation_get(
        &self,
        id: &RelationId,
        member: &str,
        app: bool,
    ) -> Result<BTreeMap<String, String>> {
        let tool = "relation-get";
        let id = id.to_string();
        let mut args = vec!["--format=json", "-r", &id];
        if app {
            args.push("--app");
        }
        args.extend(["-", member]);
        let out = self.run(tool, &args, None)?;
        let bag: Option<BTreeMap<String, String>> =
            parse_json(tool, &out, "a JSON object of strings")?;
        Ok(bag.unwrap_or_default())
    }

    /// `relation-set -r <id> [--app] --file -` with `data` as JSON on stdin. An empty value
    /// deletes its key. Does nothing when `data` is empty.
    pub fn relation_set(
        &self,
        id: &RelationId,
        app: bool,
        data: &BTreeMap<String, String>,
    ) -> Result<()> {
        let tool = "relation-set";
        if data.is_empty() {
            return Ok(());
        }
        let id = id.to_string();
        let mut args = vec!["-r", id.as_str()];
        if app {
            args.push("--app");
        }
        args.extend(["--file", "-"]);
        // Relation data goes on stdin, never argv (`contract.md` §10).
        let stdin =
            Zeroizing::new(serde_json::to_vec(data).map_err(|_| HookToolError::Invalid {
                tool: tool.to_owned(),
                why: "relation data cannot be encoded as JSON".to_owned(),
            })?);
        self.run(tool, &args, Some(&stdin))?;
        Ok(())
    }

    /// `secret-add [opts] key#file=/abs/path ...`: returns the new secret's URI.
    pub fn secret_add(&self, content: &SecretContent, opts: &SecretAddOptions) -> Result<String> {
        let tool = "secret-add";
        let files = SecretFiles::write(tool, content)?;
        let mut args = Vec::new();
        push_flag(&mut args, "--label", opts.label.as_deref());
        push_flag(&mut args, "--description", opts.description.as_deref());
        push_flag(&mut args, "--expire", opts.expire.as_deref());
        push_flag(&mut args, "--rotate", opts.rotate.as_deref());
        let owner = match opts.owner {
            SecretOwner::Application => "application",
            SecretOwner::Unit => "unit",
        };
        push_flag(&mut args, "--owner", Some(owner));
        args.extend(files.args().iter().map(String::as_str));
        let out = self.run(tool, &args, None);
        // The files are removed here, before the result is looked at.
        drop(files);
        let uri = String::from_utf8(out?).map_err(|_| parse_error(tool, "a secret URI"))?;
        let uri = uri.trim();
        if uri.is_empty() {
            return Err(parse_error(tool, "a secret URI"));
        }
        Ok(uri.to_owned())
    }

    /// `secret-get --format=json <id> | --label <label> [--peek|--refresh]`.
    pub fn secret_get(&self, secret: SecretRef<'_>, read: SecretRead) -> Result<SecretContent> {
        let tool = "secret-get";
        let mut args = vec!["--format=json"];
        push_secret_ref(&mut args, secret);
        match read {
            SecretRead::Tracked => {}
            SecretRead::Peek => args.push("--peek"),
            SecretRead::Refresh => args.push("--refresh"),
        }
        // The output is secret content: keep it in a buffer zeroized on drop, parse each value
        // straight into a `SecretString`, and never quote the output or serde's message (which
        // can quote a value) in an error.
        let out = Zeroizing::new(self.run(tool, &args, None)?);
        let content: BTreeMap<String, SecretValue> = serde_json::from_slice(&out)
            .map_err(|_| parse_error(tool, "a JSON object of strings"))?;
        Ok(content.into_iter().map(|(k, SecretValue(v))| (k, v)).collect())
    }

    /// `secret-set <id> [opts] [key#file=/abs/path ...]`; `None` content changes metadata only.
    pub fn secret_set(
        &self,
        id: &str,
        content: Option<&SecretContent>,
        opts: &SecretSetOptions,
    ) -> Result<()> {
        let tool = "secret-set";
        let files = content.map(|c| SecretFiles::write(tool, c)).transpose()?;
        let mut args = vec![id];
        push_flag(&mut args, "--label", opts.label.as_deref());
        push_flag(&mut args, "--description", opts.description.as_deref());
        push_flag(&mut args, "--expire", opts.expire.as_deref());
        push_flag(&mut args, "--rotate", opts.rotate.as_deref());
        // No `--owner`: Juju knows who owns an existing secret.
        if let Some(files) = &files {
            args.extend(files.args().iter().map(String::as_str));
        }
        let out = self.run(tool, &args, None);
        drop(files);
        out.map(drop)
    }

    /// `secret-info-get --format=json <id> | --label <label>`.
    pub fn secret_info_get(&self, secret: SecretRef<'_>) -> Result<SecretInfo> {
        let tool = "secret-info-get";
        let what = "a JSON object with one secret";
        let mut args = vec!["--format=json"];
        push_secret_ref(&mut args, secret);
        let out = self.run(tool, &args, None)?;
        let infos: BTreeMap<String, RawSecretInfo> = parse_json(tool, &out, what)?;
        let mut infos = infos.into_iter();
        let (Some((id, raw)), None) = (infos.next(), infos.next()) else {
            return Err(parse_error(tool, what));
        };
        let non_empty = |s: Option<String>| s.filter(|s| !s.is_empty());
        Ok(SecretInfo {
            id,
            revision: raw.revision,
            label: non_empty(raw.label),
            owner: raw.owner,
            description: non_empty(raw.description),
            rotation: non_empty(raw.rotation),
            expiry: non_empty(raw.expiry),
            rotates: non_empty(raw.rotates),
        })
    }

    /// `secret-ids --format=json`: bare ids of owned secrets (`null` is read as empty).
    pub fn secret_ids(&self) -> Result<Vec<String>> {
        let tool = "secret-ids";
        let out = self.run(tool, &["--format=json"], None)?;
        let ids: Option<Vec<String>> = parse_json(tool, &out, "a JSON array of secret ids")?;
        Ok(ids.unwrap_or_default())
    }

    /// `secret-remove <id> [--revision N]`.
    pub fn secret_remove(&self, id: &str, revision: Option<u64>) -> Result<()> {
        let revision = revision.map(|r| r.to_string());
        let mut args = vec![id];
        push_flag(&mut args, "--revision", revision.as_deref());
        self.run("secret-remove", &args, None).map(drop)
    }

    /// `status-set --application=<True|False> <status> -- <message>`.
    pub fn status_set(&self, status: StatusName, message: &str, application: bool) -> Result<()> {
        let application = if application { "--application=True" } else { "--application=False" };
        // `--` always, so a message starting with `-` is not read as a flag.
        let args = [application, status.as_str(), "--", message];
        self.run("status-set", &args, None).map(drop)
    }

    /// `juju-log --log-level <LEVEL> -- <message>`, one call per piece of at most
    /// [`MAX_LOG_MESSAGE`] bytes (ops splits at 131071 characters; bytes, cut on a character
    /// boundary, keep a multi-byte message under the kernel's argv limit too).
    pub fn juju_log(&self, level: LogLevel, message: &str) -> Result<()> {
        for chunk in split_message(message, MAX_LOG_MESSAGE) {
            self.run("juju-log", &["--log-level", level.as_str(), "--", chunk], None)?;
        }
        Ok(())
    }

    /// `resource-get <name>`: the local path of a resource (no trailing newline in the output).
    pub fn resource_get(&self, name: &str) -> Result<PathBuf> {
        let tool = "resource-get";
        let mut out = self.run(tool, &[name], None)?;
        while out.last() == Some(&b'\n') {
            out.pop();
        }
        if out.is_empty() {
            return Err(parse_error(tool, "a path"));
        }
        Ok(PathBuf::from(OsString::from_vec(out)))
    }

    /// `action-get --format=json`: all parameters.
    pub fn action_get(&self) -> Result<Map<String, Value>> {
        let tool = "action-get";
        let out = self.run(tool, &["--format=json"], None)?;
        let params: Option<Map<String, Value>> = parse_json(tool, &out, "a JSON object")?;
        Ok(params.unwrap_or_default())
    }

    /// `action-set key=value ...`. Keys are checked against Juju's rule before running.
    pub fn action_set(&self, results: &BTreeMap<String, ActionValue>) -> Result<()> {
        let tool = "action-set";
        if let Some(why) = results.keys().find_map(|k| action_key_problem(k)) {
            return Err(HookToolError::Invalid { tool: tool.to_owned(), why });
        }
        if results.is_empty() {
            return Ok(());
        }
        // Zeroized on drop: these strings may hold the secret values below.
        let args: Zeroizing<Vec<String>> = Zeroizing::new(
            results
                .iter()
                .map(|(key, value)| {
                    let value = match value {
                        ActionValue::Public(v) => v.as_str(),
                        // Exposed on argv: `action-set` takes values only as key=value arguments
                        // (no file or stdin form), and revealing this value to the operator is
                        // the action's purpose: the one exception of `contract.md` §10.
                        ActionValue::Secret(v) => v.expose(),
                    };
                    format!("{key}={value}")
                })
                .collect(),
        );
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        self.run(tool, &args, None).map(drop)
    }

    /// `action-fail -- <message>`.
    pub fn action_fail(&self, message: &str) -> Result<()> {
        self.run("action-fail", &["--", message], None).map(drop)
    }

    /// `action-log -- <message>`.
    pub fn action_log(&self, message: &str) -> Result<()> {
        self.run("action-log", &["--", message], None).map(drop)
    }
}

/// Parses JSON output. The error says what was expected, never what was printed (it may be
/// secret) nor serde's message (which can quote the offending value).
fn parse_json<T: DeserializeOwned>(tool: &str, stdout: &[u8], expected: &str) -> Result<T> {
    serde_json::from_slice(stdout).map_err(|_| parse_error(tool, expected))
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

fn push_secret_ref<'a>(args: &mut Vec<&'a str>, secret: SecretRef<'a>) {
    match secret {
        SecretRef::Id(id) => args.push(id),
        SecretRef::Label(label) => args.extend(["--label", label]),
    }
}

/// `message` in pieces of at most `max` bytes, cut on character boundaries; an empty message
/// is one empty piece (so `juju-log` still gets called).
fn split_message(message: &str, max: usize) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut rest = message;
    loop {
        if rest.len() <= max {
            if !rest.is_empty() || pieces.is_empty() {
                pieces.push(rest);
            }
            return pieces;
        }
        let mut end = max;
        while !rest.is_char_boundary(end) {
            end -= 1;
        }
        // A character is at most 4 bytes, so `end` is 0 only if `max` < 4; take one character
        // then, so the loop always advances.
        if end == 0 {
            end = rest.chars().next().map_or(rest.len(), char::len_utf8);
        }
        let (head, tail) = rest.split_at(end);
        pieces.push(head);
        rest = tail;
    }
}

/// Why `key` cannot be an `action-set` key, if it cannot: each dot-separated segment must match
/// `^[a-z0-9](([a-z0-9-.]+)?[a-z0-9])?$` and the first must not be a reserved key.
fn action_key_problem(key: &str) -> Option<String> {
    let segment_ok = |seg: &str| {
        let b = seg.as_bytes();
        let alnum = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit();
        match (b.first(), b.last()) {
            (Some(first), Some(last)) => {
                alnum(first) && alnum(last) && b.iter().all(|c| alnum(c) || *c == b'-')
            }
            _ => false,
        }
    };
    if !key.split('.').all(segment_ok) {
        return Some(format!(
            "action result key {key:?} must start and end with a lowercase letter or digit and \
             contain only lowercase letters, digits, hyphens and (between parts) dots"
        ));
    }
    let top = key.split('.').next().unwrap_or(key);
    RESERVED_ACTION_KEYS
        .contains(&top)
        .then(|| format!("action result key {key:?} is reserved by Juju"))
}

/// One `secret-get` value, wrapped as soon as it is parsed.
struct SecretValue(SecretString);

impl<'de> Deserialize<'de> for SecretValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        String::deserialize(deserializer).map(|v| Self(SecretString::new(v)))
    }
}

/// One entry of `secret-info-get --format=json` (unknown fields such as `access` are ignored).
#[derive(Deserialize)]
struct RawSecretInfo {
    revision: u64,
    #[serde(default)]
    label: Option<String>,
    owner: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    rotation: Option<String>,
    #[serde(default)]
    expiry: Option<String>,
    #[serde(default)]
    rotates: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_log_messages_on_char_boundaries() {
        assert_eq!(split_message("", 5), vec![""]);
        assert_eq!(split_message("abcde", 5), vec!["abcde"]);
        assert_eq!(split_message("abcdefg", 5), vec!["abcde", "fg"]);
        // "é" is two bytes: never cut inside it.
        assert_eq!(split_message("aaaaéb", 5), vec!["aaaa", "éb"]);
        assert_eq!(split_message("ééé", 1), vec!["é", "é", "é"]);
        let long = "x".repeat(MAX_LOG_MESSAGE * 2 + 1);
        let pieces = split_message(&long, MAX_LOG_MESSAGE);
        assert_eq!(pieces.iter().map(|p| p.len()).collect::<Vec<_>>(), [131_071, 131_071, 1]);
    }

    #[test]
    fn action_keys() {
        for good in ["a", "0", "ca-cert", "a.b", "client-secret.x-1", "a1", "1a", "a-b-c"] {
            assert_eq!(action_key_problem(good), None, "{good}");
        }
        for bad in ["", "A", "-a", "a-", "a..b", ".a", "a.", "a_b", "a b", "a.-b", "ä"] {
            assert!(action_key_problem(bad).is_some(), "{bad}");
        }
        for reserved in ["stdout", "stderr", "stdout-encoding", "stderr-encoding", "stdout.x"] {
            let why = action_key_problem(reserved).expect("refused");
            assert!(why.contains("reserved"), "{reserved}");
        }
        assert_eq!(action_key_problem("stdouts"), None);
        assert_eq!(action_key_problem("x.stdout"), None);
    }
}
