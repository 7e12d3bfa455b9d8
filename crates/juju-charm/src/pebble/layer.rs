//! Layers: the services, checks and log targets a charm gives Pebble, with the field names of
//! canonical/pebble's `internals/plan` package (`plan.go`: `Layer`, `Service`, `Check`,
//! `LogTarget`).
//!
//! Every field is optional and left out of the YAML when unset, as the Go structs' `omitempty`
//! leaves it out; durations are Go duration strings (`"1s"`, `"500ms"`).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::wire::go_duration;

/// A layer of configuration, added with [`Client::add_layer`](super::Client::add_layer).
///
/// ```
/// use juju_charm::pebble::{Layer, Override, Service, Startup};
///
/// let layer = Layer::new("my workload").service(
///     "server",
///     Service::new("/usr/bin/server --port 8080")
///         .startup(Startup::Enabled)
///         .environment("LOG_LEVEL", "info"),
/// );
/// assert_eq!(
///     layer.to_yaml(),
///     "services:\n    \
///          server:\n        \
///              command: \"/usr/bin/server --port 8080\"\n        \
///              environment:\n            \
///                  LOG_LEVEL: \"info\"\n        \
///              override: \"replace\"\n        \
///              startup: \"enabled\"\n\
///      summary: \"my workload\"\n"
/// );
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Layer {
    /// A short description of the layer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// A longer description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Services by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub services: BTreeMap<String, Service>,
    /// Health checks by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub checks: BTreeMap<String, Check>,
    /// Log targets by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub log_targets: BTreeMap<String, LogTarget>,
}

impl Layer {
    /// An empty layer with a summary.
    pub fn new(summary: impl Into<String>) -> Self {
        Self { summary: Some(summary.into()), ..Self::default() }
    }

    /// Adds service `name`.
    #[must_use]
    pub fn service(mut self, name: impl Into<String>, service: Service) -> Self {
        self.services.insert(name.into(), service);
        self
    }

    /// Adds check `name`.
    #[must_use]
    pub fn check(mut self, name: impl Into<String>, check: Check) -> Self {
        self.checks.insert(name.into(), check);
        self
    }

    /// The layer as the YAML document `POST /v1/layers` takes: block mappings with keys in
    /// sorted order, every string double-quoted (JSON escapes, which YAML's double-quoted
    /// style reads the same), so no value can be read as another type.
    pub fn to_yaml(&self) -> String {
        let value = serde_json::to_value(self).unwrap_or_default();
        let mut out = String::new();
        if let serde_json::Value::Object(map) = &value {
            yaml_mapping(&mut out, map, 0);
        }
        if out.is_empty() {
            out.push_str("{}\n");
        }
        out
    }
}

/// Whether a layer's entry merges into the same-named entry of earlier layers, or replaces it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Override {
    /// `merge`: fields set here override, the others stay.
    Merge,
    /// `replace`: this definition replaces the earlier one whole.
    Replace,
}

/// Whether Pebble starts a service (or check) on `replan` and at boot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Startup {
    /// `enabled`.
    Enabled,
    /// `disabled`.
    Disabled,
}

/// What Pebble does when a service exits or a check fails (`on-success`, `on-failure`,
/// `on-check-failure`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ServiceAction {
    /// `restart` (with backoff).
    Restart,
    /// `shutdown`: stop Pebble (the container exits).
    Shutdown,
    /// `ignore`: leave the service stopped.
    Ignore,
    /// `failure-shutdown`: stop Pebble with a failure exit code.
    FailureShutdown,
    /// `success-shutdown`: stop Pebble with exit code 0.
    SuccessShutdown,
}

/// One service of a layer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Service {
    /// A short description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// A longer description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `startup`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub startup: Option<Startup>,
    /// `override` (required by Pebble in every layer's service).
    #[serde(default, rename = "override", skip_serializing_if = "Option::is_none")]
    pub override_: Option<Override>,
    /// The command line (`/usr/bin/server --flag`; `[ default args ]` in brackets).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    /// Services started before this one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub after: Vec<String>,
    /// Services started after this one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub before: Vec<String>,
    /// Services started with this one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requires: Vec<String>,
    /// Environment variables.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub environment: BTreeMap<String, String>,
    /// `user-id` to run as.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<u32>,
    /// `user` to run as.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// `group-id` to run as.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_id: Option<u32>,
    /// `group` to run as.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// `working-dir`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub working_dir: Option<String>,
    /// `on-success`: what to do when the service exits 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_success: Option<ServiceAction>,
    /// `on-failure`: what to do when it exits non-zero.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_failure: Option<ServiceAction>,
    /// `on-check-failure`: what to do when a named check fails.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub on_check_failure: BTreeMap<String, ServiceAction>,
    /// `backoff-delay`: the first restart delay.
    #[serde(default, with = "go_duration", skip_serializing_if = "Option::is_none")]
    pub backoff_delay: Option<Duration>,
    /// `backoff-factor`: the delay's multiplier after each restart.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backoff_factor: Option<f64>,
    /// `backoff-limit`: the longest delay.
    #[serde(default, with = "go_duration", skip_serializing_if = "Option::is_none")]
    pub backoff_limit: Option<Duration>,
    /// `kill-delay`: how long after SIGTERM before SIGKILL.
    #[serde(default, with = "go_duration", skip_serializing_if = "Option::is_none")]
    pub kill_delay: Option<Duration>,
}

impl Service {
    /// A service running `command`, with `override: replace` (what a charm's own layer wants:
    /// its definition whole).
    pub fn new(command: impl Into<String>) -> Self {
        Self {
            command: Some(command.into()),
            override_: Some(Override::Replace),
            ..Self::default()
        }
    }

    /// Sets `startup`.
    #[must_use]
    pub fn startup(mut self, startup: Startup) -> Self {
        self.startup = Some(startup);
        self
    }

    /// Sets `override`.
    #[must_use]
    pub fn override_(mut self, value: Override) -> Self {
        self.override_ = Some(value);
        self
    }

    /// Sets `summary`.
    #[must_use]
    pub fn summary(mut self, summary: impl Into<String>) -> Self {
        self.summary = Some(summary.into());
        self
    }

    /// Adds environment variable `name=value`.
    #[must_use]
    pub fn environment(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.environment.insert(name.into(), value.into());
        self
    }

    /// Sets `user` and `group`.
    #[must_use]
    pub fn user_group(mut self, user: impl Into<String>, group: impl Into<String>) -> Self {
        self.user = Some(user.into());
        self.group = Some(group.into());
        self
    }

    /// Sets `working-dir`.
    #[must_use]
    pub fn working_dir(mut self, dir: impl Into<String>) -> Self {
        self.working_dir = Some(dir.into());
        self
    }

    /// Adds `requires` and `after` for `other`: this service starts after `other`, which is
    /// started with it.
    #[must_use]
    pub fn after(mut self, other: impl Into<String>) -> Self {
        let other = other.into();
        self.requires.push(other.clone());
        self.after.push(other);
        self
    }

    /// Sets `on-check-failure` for check `check`.
    #[must_use]
    pub fn on_check_failure(mut self, check: impl Into<String>, action: ServiceAction) -> Self {
        self.on_check_failure.insert(check.into(), action);
        self
    }
}

/// A check's level: what its failure means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CheckLevel {
    /// `alive`: the workload is alive (Kubernetes' liveness probe).
    Alive,
    /// `ready`: the workload is ready for traffic (the readiness probe).
    Ready,
}

impl CheckLevel {
    /// The name Pebble uses (`alive`, `ready`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Alive => "alive",
            Self::Ready => "ready",
        }
    }
}

/// One health check of a layer: exactly one of `http`, `tcp` or `exec` is set.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Check {
    /// `override` (required by Pebble).
    #[serde(default, rename = "override", skip_serializing_if = "Option::is_none")]
    pub override_: Option<Override>,
    /// `level`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<CheckLevel>,
    /// `startup`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub startup: Option<Startup>,
    /// `period`: how often it runs (Pebble's default: 10s).
    #[serde(default, with = "go_duration", skip_serializing_if = "Option::is_none")]
    pub period: Option<Duration>,
    /// `timeout`: how long one run may take (default 3s).
    #[serde(default, with = "go_duration", skip_serializing_if = "Option::is_none")]
    pub timeout: Option<Duration>,
    /// `threshold`: failures in a row before the check is down (default 3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<u32>,
    /// An HTTP GET that must answer 2xx.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http: Option<HttpCheck>,
    /// A TCP port that must accept a connection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tcp: Option<TcpCheck>,
    /// A command that must exit 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exec: Option<ExecCheck>,
}

impl Check {
    fn with(kind: impl FnOnce(&mut Self)) -> Self {
        let mut check = Self { override_: Some(Override::Replace), ..Self::default() };
        kind(&mut check);
        check
    }

    /// An HTTP check of `url`, `override: replace`.
    pub fn http(url: impl Into<String>) -> Self {
        Self::with(|c| {
            c.http = Some(HttpCheck { url: url.into(), headers: BTreeMap::new() });
        })
    }

    /// A TCP check of `port` on localhost, `override: replace`.
    pub fn tcp(port: u16) -> Self {
        Self::with(|c| c.tcp = Some(TcpCheck { port, host: None }))
    }

    /// A check running `command`, `override: replace`.
    pub fn exec(command: impl Into<String>) -> Self {
        Self::with(|c| c.exec = Some(ExecCheck { command: command.into(), ..ExecCheck::default() }))
    }

    /// Sets `level`.
    #[must_use]
    pub fn level(mut self, level: CheckLevel) -> Self {
        self.level = Some(level);
        self
    }

    /// Sets `period`.
    #[must_use]
    pub fn period(mut self, period: Duration) -> Self {
        self.period = Some(period);
        self
    }

    /// Sets `timeout`.
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Sets `threshold`.
    #[must_use]
    pub fn threshold(mut self, threshold: u32) -> Self {
        self.threshold = Some(threshold);
        self
    }
}

/// `http` of a check.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct HttpCheck {
    /// The URL to GET.
    pub url: String,
    /// Request headers.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
}

/// `tcp` of a check.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct TcpCheck {
    /// The port.
    pub port: u16,
    /// The host (default `localhost`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
}

/// `exec` of a check.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct ExecCheck {
    /// The command line.
    pub command: String,
    /// Run in the context of this service (its environment, user, group, working dir).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_context: Option<String>,
    /// Environment variables.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub environment: BTreeMap<String, String>,
    /// `user-id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<u32>,
    /// `user`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// `group-id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_id: Option<u32>,
    /// `group`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// `working-dir`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub working_dir: Option<String>,
}

/// One log target of a layer (`log-targets`): where Pebble forwards service logs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct LogTarget {
    /// `type`: `loki` or `opentelemetry`.
    #[serde(rename = "type")]
    pub type_: String,
    /// `location`: the URL.
    pub location: String,
    /// The services whose logs go there (`all`, names, `-name` to remove).
    #[serde(default)]
    pub services: Vec<String>,
    /// `override`.
    #[serde(default, rename = "override", skip_serializing_if = "Option::is_none")]
    pub override_: Option<Override>,
    /// `labels` added to every record.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
}

/// Writes `map` as a YAML block mapping indented by `indent` spaces (4 per level, as Go's
/// yaml.v3 indents), keys sorted.
fn yaml_mapping(out: &mut String, map: &serde_json::Map<String, serde_json::Value>, indent: usize) {
    let mut keys: Vec<&String> = map.keys().collect();
    keys.sort();
    for key in keys {
        let value = &map[key];
        let _ = write!(out, "{:indent$}{}:", "", yaml_key(key));
        match value {
            serde_json::Value::Object(inner) if !inner.is_empty() => {
                out.push('\n');
                yaml_mapping(out, inner, indent + 4);
            }
            serde_json::Value::Array(items) if !items.is_empty() => {
                out.push('\n');
                for item in items {
                    let _ = writeln!(out, "{:width$}- {}", "", yaml_flow(item), width = indent + 4);
                }
            }
            other => {
                let _ = writeln!(out, " {}", yaml_flow(other));
            }
        }
    }
}

/// A key as a plain scalar when it cannot be read as anything but a string, else quoted.
fn yaml_key(key: &str) -> String {
    let plain = key.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && key.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/'))
        && !matches!(
            key.to_ascii_lowercase().as_str(),
            "true" | "false" | "null" | "yes" | "no" | "on" | "off" | "y" | "n"
        );
    if plain { key.to_owned() } else { yaml_string(key) }
}

/// A value in YAML's flow style: JSON for numbers, booleans, null and collections, and
/// strings double-quoted with escapes for every character YAML does not allow raw.
fn yaml_flow(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => yaml_string(s),
        serde_json::Value::Array(items) => {
            format!("[{}]", items.iter().map(yaml_flow).collect::<Vec<_>>().join(", "))
        }
        serde_json::Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let entries: Vec<String> = keys
                .iter()
                .map(|k| format!("{}: {}", yaml_string(k), yaml_flow(&map[*k])))
                .collect();
            format!("{{{}}}", entries.join(", "))
        }
        other => other.to_string(),
    }
}

/// A YAML double-quoted scalar (YAML 1.2 section 7.3.1). Non-printable characters (C0, DEL,
/// C1, BOM) are escaped, which yaml.v3 requires.
fn yaml_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20
                || (0x7F..=0x9F).contains(&(c as u32))
                || matches!(c, '\u{FEFF}' | '\u{FFFE}' | '\u{FFFF}') =>
            {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_has_pebbles_name() {
        let service = Service {
            summary: Some("s".into()),
            description: Some("d".into()),
            startup: Some(Startup::Disabled),
            override_: Some(Override::Merge),
            command: Some("cmd".into()),
            after: vec!["a".into()],
            before: vec!["b".into()],
            requires: vec!["r".into()],
            environment: [("K".into(), "V".into())].into(),
            user_id: Some(1000),
            user: Some("u".into()),
            group_id: Some(2000),
            group: Some("g".into()),
            working_dir: Some("/w".into()),
            on_success: Some(ServiceAction::Ignore),
            on_failure: Some(ServiceAction::FailureShutdown),
            on_check_failure: [("chk".into(), ServiceAction::Restart)].into(),
            backoff_delay: Some(Duration::from_millis(500)),
            backoff_factor: Some(1.5),
            backoff_limit: Some(Duration::from_secs(30)),
            kill_delay: Some(Duration::from_secs(90)),
        };
        let json = serde_json::to_value(&service).expect("serialises");
        let keys: Vec<&str> = json.as_object().expect("a map").keys().map(String::as_str).collect();
        let mut want = vec![
            "summary",
            "description",
            "startup",
            "override",
            "command",
            "after",
            "before",
            "requires",
            "environment",
            "user-id",
            "user",
            "group-id",
            "group",
            "working-dir",
            "on-success",
            "on-failure",
            "on-check-failure",
            "backoff-delay",
            "backoff-factor",
            "backoff-limit",
            "kill-delay",
        ];
        let mut got = keys.clone();
        got.sort_unstable();
        want.sort_unstable();
        assert_eq!(got, want);
        assert_eq!(json["backoff-delay"], "500ms");
        assert_eq!(json["kill-delay"], "1m30s");
        assert_eq!(json["on-failure"], "failure-shutdown");
        let back: Service = serde_json::from_value(json).expect("deserialises");
        assert_eq!(back, service);

        let check = Check::http("http://localhost:8080/health")
            .level(CheckLevel::Ready)
            .period(Duration::from_secs(10))
            .timeout(Duration::from_secs(3))
            .threshold(3);
        let json = serde_json::to_value(&check).expect("serialises");
        assert_eq!(
            json,
            serde_json::json!({
                "override": "replace", "level": "ready", "period": "10s", "timeout": "3s",
                "threshold": 3, "http": {"url": "http://localhost:8080/health"}
            })
        );
    }

    #[test]
    fn yaml_quotes_every_string_and_odd_keys() {
        let layer = Layer::new("odd \"values\"\n\u{7f}")
            .service(
                "true",
                Service::new("sh -c 'echo: #x'")
                    .after("db")
                    .environment("1KEY", "yes")
                    .on_check_failure("up", ServiceAction::Restart),
            )
            .check("tcp", Check::tcp(5432).threshold(1))
            .check("e", Check::exec("true"));
        let mut service = Service::new("x");
        service.backoff_factor = Some(2.0);
        let layer = layer.service("plain-name.v2", service);
        assert_eq!(
            layer.to_yaml(),
            "checks:\n    \
                 e:\n        \
                     exec:\n            \
                         command: \"true\"\n        \
                     override: \"replace\"\n    \
                 tcp:\n        \
                     override: \"replace\"\n        \
                     tcp:\n            \
                         port: 5432\n        \
                     threshold: 1\n\
             services:\n    \
                 plain-name.v2:\n        \
                     backoff-factor: 2.0\n        \
                     command: \"x\"\n        \
                     override: \"replace\"\n    \
                 \"true\":\n        \
                     after:\n            \
                         - \"db\"\n        \
                     command: \"sh -c 'echo: #x'\"\n        \
                     environment:\n            \
                         \"1KEY\": \"yes\"\n        \
                     on-check-failure:\n            \
                         up: \"restart\"\n        \
                     override: \"replace\"\n        \
                     requires:\n            \
                         - \"db\"\n\
             summary: \"odd \\\"values\\\"\\n\\u007F\"\n"
        );
        assert_eq!(Layer::default().to_yaml(), "{}\n");
    }
}
