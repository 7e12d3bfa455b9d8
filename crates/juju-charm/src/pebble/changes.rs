//! System info, the plan and layers, changes, and services (canonical/pebble `client/client.go`,
//! `plan.go`, `changes.go`, `services.go`).

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Deserializer, Serialize};

use super::layer::{Layer, Startup};
use super::{Client, MARGIN, PebbleError, decode, encoded_body, json_body, valid_id, wire};

/// What `GET /v1/system-info` says.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub struct SystemInfo {
    /// Pebble's version (`v1.19.0`).
    #[serde(default)]
    pub version: String,
    /// A string unique to this boot of Pebble: it changes when the container restarts.
    #[serde(default)]
    pub boot_id: String,
}

/// A change: one operation of Pebble's (starting services, running a command), made of tasks.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub struct Change {
    /// The change ID.
    #[serde(default)]
    pub id: String,
    /// Its kind (`start`, `stop`, `restart`, `replan`, `exec`, ...).
    #[serde(default)]
    pub kind: String,
    /// What it does, in words.
    #[serde(default)]
    pub summary: String,
    /// `Do`, `Doing`, `Done`, `Error`, `Hold`, `Abort`, ...
    #[serde(default)]
    pub status: String,
    /// Its tasks.
    #[serde(default, deserialize_with = "null_as_default")]
    pub tasks: Vec<Task>,
    /// Whether it has finished.
    #[serde(default)]
    pub ready: bool,
    /// Its error, when it failed.
    #[serde(default)]
    pub err: Option<String>,
    /// When it was made (RFC 3339).
    #[serde(default)]
    pub spawn_time: Option<String>,
    /// When it finished (RFC 3339).
    #[serde(default)]
    pub ready_time: Option<String>,
    /// Data Pebble attached to it (`data` in the API).
    #[serde(default, deserialize_with = "null_as_default")]
    pub data: BTreeMap<String, serde_json::Value>,
}

impl Change {
    /// The change's error, when it has a non-empty one.
    pub fn error(&self) -> Option<&str> {
        self.err.as_deref().filter(|e| !e.is_empty())
    }

    /// Fails with [`PebbleError::ChangeFailed`] if the change has an error.
    fn ok(self) -> Result<Self, PebbleError> {
        match self.error() {
            Some(message) => Err(PebbleError::ChangeFailed {
                change_id: self.id.clone(),
                kind: self.kind.clone(),
                message: message.to_owned(),
            }),
            None => Ok(self),
        }
    }
}

/// One task of a [`Change`].
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub struct Task {
    /// The task ID.
    #[serde(default)]
    pub id: String,
    /// Its kind.
    #[serde(default)]
    pub kind: String,
    /// What it does.
    #[serde(default)]
    pub summary: String,
    /// Its status.
    #[serde(default)]
    pub status: String,
    /// Its log lines.
    #[serde(default, deserialize_with = "null_as_default")]
    pub log: Vec<String>,
    /// Its progress.
    #[serde(default)]
    pub progress: TaskProgress,
    /// When it was made.
    #[serde(default)]
    pub spawn_time: Option<String>,
    /// When it finished.
    #[serde(default)]
    pub ready_time: Option<String>,
    /// Data Pebble attached (an exec task's `exit-code`).
    #[serde(default, deserialize_with = "null_as_default")]
    pub data: BTreeMap<String, serde_json::Value>,
}

/// A task's progress.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct TaskProgress {
    /// What is being counted.
    #[serde(default)]
    pub label: String,
    /// Done so far.
    #[serde(default)]
    pub done: u64,
    /// In all.
    #[serde(default)]
    pub total: u64,
}

/// Which changes [`Client::changes`] lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChangeSelect {
    /// Those not finished.
    InProgress,
    /// Those finished.
    Ready,
    /// All.
    All,
}

impl ChangeSelect {
    /// The `select` value (`in-progress`, `ready`, `all`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InProgress => "in-progress",
            Self::Ready => "ready",
            Self::All => "all",
        }
    }
}

/// Whether a service is running, as `GET /v1/services` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ServiceStatus {
    /// `active`: running.
    Active,
    /// `backoff`: exited, waiting to be restarted.
    Backoff,
    /// `error`: failed, not restarting.
    Error,
    /// `inactive`: not running.
    Inactive,
    /// A status this client does not know.
    #[serde(other)]
    Unknown,
}

/// One service, as `GET /v1/services` reports it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub struct ServiceInfo {
    /// Its name.
    pub name: String,
    /// Whether it starts on replan.
    #[serde(deserialize_with = "startup")]
    pub startup: Startup,
    /// Whether it runs.
    pub current: ServiceStatus,
    /// Since when (RFC 3339), when Pebble says.
    #[serde(default)]
    pub current_since: Option<String>,
}

impl ServiceInfo {
    /// Whether it is running ([`ServiceStatus::Active`]).
    pub fn is_running(&self) -> bool {
        self.current == ServiceStatus::Active
    }
}

/// `enabled`, or anything else (`disabled`, an unset startup) as disabled.
fn startup<'de, D: Deserializer<'de>>(d: D) -> Result<Startup, D::Error> {
    let s = Option::<String>::deserialize(d)?;
    Ok(if s.as_deref() == Some("enabled") { Startup::Enabled } else { Startup::Disabled })
}

/// A `null` (a nil Go slice or map) as the empty value.
fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

impl Client {
    /// `GET /v1/system-info`: Pebble's version and boot ID. Cheap: use it to check that Pebble
    /// is up ([`PebbleError::is_cannot_connect`]).
    pub fn system_info(&self) -> Result<SystemInfo, PebbleError> {
        self.sync(&self.request("GET", "/v1/system-info"), "system information")
    }

    /// `GET /v1/plan?format=yaml`: the combined plan of every layer, as Pebble prints it.
    pub fn plan_yaml(&self) -> Result<String, PebbleError> {
        self.sync(
            &self.request("GET", "/v1/plan").query("format", "yaml"),
            "the plan as a YAML string",
        )
    }

    /// `POST /v1/layers`: adds `layer` with label `label`, or with `combine` merges it into
    /// the layer of that label (`override` of each entry says how). Nothing starts until
    /// [`Client::replan_services`].
    pub fn add_layer(&self, label: &str, layer: &Layer, combine: bool) -> Result<(), PebbleError> {
        self.add_layer_yaml(label, &layer.to_yaml(), combine)
    }

    /// [`Client::add_layer`] with the layer as YAML text.
    pub fn add_layer_yaml(
        &self,
        label: &str,
        yaml: &str,
        combine: bool,
    ) -> Result<(), PebbleError> {
        if label.is_empty() {
            return Err(PebbleError::invalid("a layer label must not be empty"));
        }
        #[derive(Serialize)]
        struct Payload<'a> {
            action: &'a str,
            combine: bool,
            inner: bool,
            label: &'a str,
            format: &'a str,
            layer: &'a str,
        }
        let payload =
            Payload { action: "add", combine, inner: false, label, format: "yaml", layer: yaml };
        let request = self.request("POST", "/v1/layers").body(encoded_body(&payload));
        self.sync::<serde_json::Value>(&request, "true").map(drop)
    }

    /// `GET /v1/changes/{id}`.
    pub fn change(&self, id: &str) -> Result<Change, PebbleError> {
        check_change_id(id)?;
        self.sync(&self.request("GET", format!("/v1/changes/{id}")), "a change")
    }

    /// `GET /v1/changes`: the changes `select` names (Pebble's default: those in progress), of
    /// service `service` only when given.
    pub fn changes(
        &self,
        select: Option<ChangeSelect>,
        service: Option<&str>,
    ) -> Result<Vec<Change>, PebbleError> {
        let mut request = self.request("GET", "/v1/changes");
        if let Some(select) = select {
            request = request.query("select", select.as_str());
        }
        if let Some(service) = service {
            request = request.query("for", service);
        }
        let changes: Option<Vec<Change>> = self.sync(&request, "a list of changes")?;
        Ok(changes.unwrap_or_default())
    }

    /// `POST /v1/changes/{id}` `{"action":"abort"}`: aborts a change in progress.
    pub fn abort_change(&self, id: &str) -> Result<Change, PebbleError> {
        check_change_id(id)?;
        let body = encoded_body(&serde_json::json!({"action": "abort"}));
        self.sync(&self.request("POST", format!("/v1/changes/{id}")).body(body), "a change")
    }

    /// `GET /v1/changes/{id}/wait[?timeout=...]`: waits until change `id` is ready, at most
    /// `timeout` (`None`: as long as it takes), and returns it, failed or not. When the timeout
    /// passes Pebble answers 504 ([`PebbleError::is_timeout`]).
    pub fn wait_change(&self, id: &str, timeout: Option<Duration>) -> Result<Change, PebbleError> {
        check_change_id(id)?;
        let mut request = self.request("GET", format!("/v1/changes/{id}/wait"));
        request.timeout = None;
        if let Some(timeout) = timeout.filter(|t| !t.is_zero()) {
            request = request.query("timeout", wire::format_duration(timeout));
            request.timeout = Some(timeout + MARGIN);
        }
        self.sync(&request, "a change")
    }

    /// `GET /v1/services?names=...`: the services `names` (all of them when empty).
    pub fn services(&self, names: &[&str]) -> Result<Vec<ServiceInfo>, PebbleError> {
        let request = self.request("GET", "/v1/services").query("names", names.join(","));
        let services: Option<Vec<ServiceInfo>> = self.sync(&request, "a list of services")?;
        Ok(services.unwrap_or_default())
    }

    /// Starts services `names` (and those they require) and waits for the change.
    pub fn start_services(&self, names: &[&str]) -> Result<Change, PebbleError> {
        self.service_action("start", names)
    }

    /// Stops services `names` and waits for the change.
    pub fn stop_services(&self, names: &[&str]) -> Result<Change, PebbleError> {
        self.service_action("stop", names)
    }

    /// Restarts services `names` (starting those stopped) and waits for the change.
    pub fn restart_services(&self, names: &[&str]) -> Result<Change, PebbleError> {
        self.service_action("restart", names)
    }

    /// Starts the services of `startup: enabled` and restarts those whose definition changed
    /// since they started, and waits for the change: what a charm calls after
    /// [`Client::add_layer`].
    pub fn replan_services(&self) -> Result<Change, PebbleError> {
        self.service_action("replan", &[])
    }

    /// Starts the services of `startup: enabled` and waits for the change.
    pub fn autostart_services(&self) -> Result<Change, PebbleError> {
        self.service_action("autostart", &[])
    }

    /// `POST /v1/services` `{"action": ..., "services": [...]}`, then waits for the change
    /// for the change timeout.
    fn service_action(&self, action: &str, names: &[&str]) -> Result<Change, PebbleError> {
        #[derive(Serialize)]
        struct Payload<'a> {
            action: &'a str,
            // `null` for none, as Go marshals a nil slice.
            services: Option<&'a [&'a str]>,
        }
        let services = (!names.is_empty()).then_some(names);
        let request =
            self.request("POST", "/v1/services").body(json_body(&Payload { action, services }));
        let (change_id, _) = self.start(&request)?;
        self.wait_change(&change_id, Some(self.change_timeout))?.ok()
    }

    /// Waits for change `id` and returns its task's `exit-code` (exec).
    pub(crate) fn wait_exec(
        &self,
        id: &str,
        timeout: Option<Duration>,
    ) -> Result<i32, PebbleError> {
        let change = self.wait_change(id, timeout)?.ok()?;
        let line = format!("GET /v1/changes/{id}/wait");
        let task = change.tasks.first().ok_or_else(|| {
            PebbleError::protocol(&line, "expected exec change to contain at least one task")
        })?;
        let code = task.data.get("exit-code").cloned().ok_or_else(|| {
            PebbleError::protocol(&line, "cannot get exit code: no exit-code in the task")
        })?;
        decode(&line, code, "an integer exit code")
            .map_err(|_| PebbleError::protocol(&line, "cannot get exit code: not an integer"))
    }
}

fn check_change_id(id: &str) -> Result<(), PebbleError> {
    if valid_id(id) {
        Ok(())
    } else {
        Err(PebbleError::invalid(format!("invalid change ID {id:?}")))
    }
}
