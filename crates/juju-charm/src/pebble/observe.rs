//! Health checks and notices (canonical/pebble `client/checks.go`, `client/notices.go`).

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Deserializer, Serialize};

use super::layer::{CheckLevel, Startup};
use super::wire::go_duration;
use super::{Client, MARGIN, PebbleError, encoded_body, json_body, valid_id, wire};

/// Whether a check passes, as `GET /v1/checks` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CheckStatus {
    /// `up`: passing (fewer failures in a row than its threshold).
    Up,
    /// `down`: failed `threshold` times in a row.
    Down,
    /// `inactive`: not running.
    Inactive,
    /// A status this client does not know.
    #[serde(other)]
    Unknown,
}

/// One check, as `GET /v1/checks` reports it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub struct CheckInfo {
    /// Its name.
    pub name: String,
    /// Its level, when it has one.
    #[serde(default, deserialize_with = "level")]
    pub level: Option<CheckLevel>,
    /// Whether it starts on replan (absent from older Pebbles).
    #[serde(default, deserialize_with = "startup")]
    pub startup: Option<Startup>,
    /// Whether it passes.
    pub status: CheckStatus,
    /// Successes since it last recovered (absent from older Pebbles).
    #[serde(default)]
    pub successes: Option<u64>,
    /// Failures in a row.
    #[serde(default)]
    pub failures: u64,
    /// Failures in a row before it is down.
    #[serde(default)]
    pub threshold: u64,
    /// The change running it (`perform-check` or `recover-check`).
    #[serde(default)]
    pub change_id: Option<String>,
    /// The change before.
    #[serde(default)]
    pub prev_change_id: Option<String>,
}

fn level<'de, D: Deserializer<'de>>(d: D) -> Result<Option<CheckLevel>, D::Error> {
    Ok(match Option::<String>::deserialize(d)?.as_deref() {
        Some("alive") => Some(CheckLevel::Alive),
        Some("ready") => Some(CheckLevel::Ready),
        _ => None,
    })
}

fn startup<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Startup>, D::Error> {
    Ok(match Option::<String>::deserialize(d)?.as_deref() {
        Some("enabled") => Some(Startup::Enabled),
        Some("disabled") => Some(Startup::Disabled),
        _ => None,
    })
}

/// What [`Client::refresh_check`] returns: the check after running it once, and the error of
/// that run.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct RefreshCheckResult {
    /// The check.
    pub info: CheckInfo,
    /// Why the run failed; `None` when it passed.
    #[serde(default, deserialize_with = "empty_as_none")]
    pub error: Option<String>,
}

fn empty_as_none<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(Option::<String>::deserialize(d)?.filter(|s| !s.is_empty()))
}

/// A notice: something that happened in Pebble (a change updated, a warning, a custom event).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub struct Notice {
    /// Its ID.
    pub id: String,
    /// The user it is for; `None`: public.
    #[serde(default)]
    pub user_id: Option<u32>,
    /// `change-update`, `custom`, `warning`, ...
    #[serde(rename = "type")]
    pub type_: String,
    /// Its key (`example.com/path` for custom notices).
    pub key: String,
    /// When it first happened (RFC 3339).
    #[serde(default)]
    pub first_occurred: String,
    /// When it last happened.
    #[serde(default)]
    pub last_occurred: String,
    /// When it was last repeated (made observable again).
    #[serde(default)]
    pub last_repeated: String,
    /// How many times it happened.
    #[serde(default)]
    pub occurrences: u64,
    /// The data of its last occurrence.
    #[serde(default)]
    pub last_data: BTreeMap<String, String>,
    /// How long an occurrence is not repeated after the last.
    #[serde(default, with = "go_duration")]
    pub repeat_after: Option<Duration>,
    /// How long after its last occurrence it is dropped.
    #[serde(default, with = "go_duration")]
    pub expire_after: Option<Duration>,
}

/// Which notices [`Client::notices`] lists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NoticesOptions {
    all_users: bool,
    user_id: Option<u32>,
    types: Vec<String>,
    keys: Vec<String>,
    after: Option<String>,
}

impl NoticesOptions {
    /// Every notice the caller may see.
    pub fn new() -> Self {
        Self::default()
    }

    /// Notices of all users (`users=all`; Pebble allows it to admins only).
    #[must_use]
    pub fn all_users(mut self) -> Self {
        self.all_users = true;
        self
    }

    /// Only public notices and those of user `uid`.
    #[must_use]
    pub fn user_id(mut self, uid: u32) -> Self {
        self.user_id = Some(uid);
        self
    }

    /// Only notices of type `type_` (`custom`, `change-update`, `warning`); repeatable.
    #[must_use]
    pub fn type_(mut self, type_: impl Into<String>) -> Self {
        self.types.push(type_.into());
        self
    }

    /// Only notices of key `key`; repeatable.
    #[must_use]
    pub fn key(mut self, key: impl Into<String>) -> Self {
        self.keys.push(key.into());
        self
    }

    /// Only notices last repeated after `time` (RFC 3339, as Go's `time.RFC3339Nano` prints
    /// it).
    #[must_use]
    pub fn after(mut self, time: impl Into<String>) -> Self {
        self.after = Some(time.into());
        self
    }
}

/// A custom notice for [`Client::notify`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotifyOptions {
    key: String,
    data: BTreeMap<String, String>,
    repeat_after: Option<Duration>,
}

impl NotifyOptions {
    /// A `custom` notice of key `key` (`example.com/path`, as Pebble requires).
    pub fn new(key: impl Into<String>) -> Self {
        Self { key: key.into(), data: BTreeMap::new(), repeat_after: None }
    }

    /// Adds `name=value` to this occurrence's data.
    #[must_use]
    pub fn data(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.data.insert(name.into(), value.into());
        self
    }

    /// Does not make the notice observable again if it occurred within `after`.
    #[must_use]
    pub fn repeat_after(mut self, after: Duration) -> Self {
        self.repeat_after = Some(after);
        self
    }
}

impl Client {
    /// `GET /v1/checks`: the checks of level `level` (all levels when `None`) named in `names`
    /// (all when empty).
    pub fn checks(
        &self,
        level: Option<CheckLevel>,
        names: &[&str],
    ) -> Result<Vec<CheckInfo>, PebbleError> {
        let mut request = self.request("GET", "/v1/checks");
        if let Some(level) = level {
            request = request.query("level", level.as_str());
        }
        for name in names {
            request = request.query("names", *name);
        }
        let checks: Option<Vec<CheckInfo>> = self.sync(&request, "a list of checks")?;
        Ok(checks.unwrap_or_default())
    }

    /// `POST /v1/checks` `start`: starts checks `names`; returns those that were not running.
    pub fn start_checks(&self, names: &[&str]) -> Result<Vec<String>, PebbleError> {
        self.check_action("start", names)
    }

    /// `POST /v1/checks` `stop`: stops checks `names`; returns those that were running.
    pub fn stop_checks(&self, names: &[&str]) -> Result<Vec<String>, PebbleError> {
        self.check_action("stop", names)
    }

    fn check_action(&self, action: &str, names: &[&str]) -> Result<Vec<String>, PebbleError> {
        #[derive(Serialize)]
        struct Payload<'a> {
            action: &'a str,
            checks: Option<&'a [&'a str]>,
        }
        #[derive(Deserialize)]
        struct Changed {
            #[serde(default)]
            changed: Option<Vec<String>>,
        }
        let checks = (!names.is_empty()).then_some(names);
        let request =
            self.request("POST", "/v1/checks").body(json_body(&Payload { action, checks }));
        let changed: Changed = self.sync(&request, "an object with the changed checks")?;
        Ok(changed.changed.unwrap_or_default())
    }

    /// `POST /v1/checks/refresh`: runs check `name` now.
    pub fn refresh_check(&self, name: &str) -> Result<RefreshCheckResult, PebbleError> {
        let body = json_body(&serde_json::json!({"name": name}));
        self.sync(&self.request("POST", "/v1/checks/refresh").body(body), "a check and an error")
    }

    /// `POST /v1/notices` `add`: records an occurrence of a custom notice; returns its ID.
    pub fn notify(&self, notice: &NotifyOptions) -> Result<String, PebbleError> {
        #[derive(Serialize)]
        #[serde(rename_all = "kebab-case")]
        struct Payload<'a> {
            action: &'a str,
            #[serde(rename = "type")]
            type_: &'a str,
            key: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            repeat_after: Option<String>,
            #[serde(skip_serializing_if = "BTreeMap::is_empty")]
            data: &'a BTreeMap<String, String>,
        }
        #[derive(Deserialize)]
        struct Added {
            id: String,
        }
        let payload = Payload {
            action: "add",
            type_: "custom",
            key: &notice.key,
            repeat_after: notice.repeat_after.filter(|d| !d.is_zero()).map(wire::format_duration),
            data: &notice.data,
        };
        let request = self.request("POST", "/v1/notices").body(encoded_body(&payload));
        let added: Added = self.sync(&request, "an object with the notice ID")?;
        Ok(added.id)
    }

    /// `GET /v1/notices/{id}`.
    pub fn notice(&self, id: &str) -> Result<Notice, PebbleError> {
        if !valid_id(id) {
            return Err(PebbleError::invalid(format!("invalid notice ID {id:?}")));
        }
        self.sync(&self.request("GET", format!("/v1/notices/{id}")), "a notice")
    }

    /// `GET /v1/notices`: the notices `options` selects.
    pub fn notices(&self, options: &NoticesOptions) -> Result<Vec<Notice>, PebbleError> {
        let request = notices_request(self.request("GET", "/v1/notices"), options);
        let notices: Option<Vec<Notice>> = self.sync(&request, "a list of notices")?;
        Ok(notices.unwrap_or_default())
    }

    /// `GET /v1/notices?timeout=...`: waits up to `timeout` for at least one notice that
    /// `options` selects (an empty list when none came).
    pub fn wait_notices(
        &self,
        timeout: Duration,
        options: &NoticesOptions,
    ) -> Result<Vec<Notice>, PebbleError> {
        let mut request = notices_request(self.request("GET", "/v1/notices"), options)
            .query("timeout", wire::format_duration(timeout));
        request.timeout = Some(timeout + MARGIN);
        let notices: Option<Vec<Notice>> = self.sync(&request, "a list of notices")?;
        Ok(notices.unwrap_or_default())
    }
}

fn notices_request(mut request: super::Request, options: &NoticesOptions) -> super::Request {
    if options.all_users {
        request = request.query("users", "all");
    }
    if let Some(uid) = options.user_id {
        request = request.query("user-id", uid.to_string());
    }
    for type_ in &options.types {
        request = request.query("types", type_.as_str());
    }
    for key in &options.keys {
        request = request.query("keys", key.as_str());
    }
    if let Some(after) = &options.after {
        request = request.query("after", after.as_str());
    }
    request
}
