//! Pebble's layers and the plan they combine into, ported from canonical/pebble
//! `internals/plan/plan.go`: `ParseLayer` (the YAML, with Go's known-fields decoding, then
//! `Layer.Validate`), `CombineLayers` (each service, check and log target merged or replaced
//! field by field as its `override` says, lists appended, maps merged key by key), and
//! `Plan.Validate` (what the combined plan must define, and no before/after loop), with
//! Pebble's `FormatError` messages. Maps are visited in name order where Go's order is random,
//! so the first error reported is always the same one.
//!
//! Not modelled: extension sections (Pebble's `RegisterSectionExtension`, e.g. `workloads`):
//! an unknown top-level key is refused as Pebble without extensions refuses it. Go's YAML
//! errors carry a line number (`line 3: field future not found in type plan.Service`); these
//! do not.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::duration::GoDuration;
use super::shlex;

/// Pebble's `FormatError`: a layer or plan Pebble refuses, with its message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanError {
    /// Pebble's message.
    pub message: String,
}

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for PlanError {}

fn err<T>(message: impl Into<String>) -> Result<T, PlanError> {
    Err(PlanError { message: message.into() })
}

/// Backoff defaults (plan.go `defaultBackoffDelay`, `defaultBackoffFactor`,
/// `defaultBackoffLimit`) and check defaults (`defaultCheckPeriod`, `defaultCheckTimeout`,
/// `defaultCheckThreshold`).
pub const DEFAULT_BACKOFF_DELAY: GoDuration = GoDuration::from_millis(500);
/// `defaultBackoffFactor`.
pub const DEFAULT_BACKOFF_FACTOR: f64 = 2.0;
/// `defaultBackoffLimit`.
pub const DEFAULT_BACKOFF_LIMIT: GoDuration = GoDuration::from_secs(30);
/// `defaultCheckPeriod`.
pub const DEFAULT_CHECK_PERIOD: GoDuration = GoDuration::from_secs(10);
/// `defaultCheckTimeout`.
pub const DEFAULT_CHECK_TIMEOUT: GoDuration = GoDuration::from_secs(3);
/// `defaultCheckThreshold`.
pub const DEFAULT_CHECK_THRESHOLD: i64 = 3;

/// One layer: a label, its order among the layers, and what it says of services, checks and
/// log targets. Fields a layer leaves out are empty (`""`, `[]`, `None`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Layer {
    /// The label (`pebble add <label>`, ops' `add_layer(label, …)`), not part of the YAML.
    pub label: String,
    /// Its order (Pebble numbers layers added over the API 1000, 2000, …).
    pub order: i64,
    /// `summary`.
    pub summary: String,
    /// `description`.
    pub description: String,
    /// `services`, by name.
    pub services: BTreeMap<String, Service>,
    /// `checks`, by name.
    pub checks: BTreeMap<String, Check>,
    /// `log-targets`, by name.
    pub log_targets: BTreeMap<String, LogTarget>,
}

/// A service of a layer or plan (plan.go `Service`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Service {
    /// `summary`.
    pub summary: String,
    /// `description`.
    pub description: String,
    /// `startup`: `enabled`, `disabled`, or `""` (unset, so disabled).
    pub startup: String,
    /// `override`: `merge` or `replace` (required in every layer).
    pub r#override: String,
    /// `command`.
    pub command: String,
    /// `after` (appended across layers).
    pub after: Vec<String>,
    /// `before` (appended across layers).
    pub before: Vec<String>,
    /// `requires` (appended across layers).
    pub requires: Vec<String>,
    /// `workload`.
    pub workload: String,
    /// `environment` (merged key by key).
    pub environment: BTreeMap<String, String>,
    /// `user-id`.
    pub user_id: Option<i64>,
    /// `user`.
    pub user: String,
    /// `group-id`.
    pub group_id: Option<i64>,
    /// `group`.
    pub group: String,
    /// `working-dir`.
    pub working_dir: String,
    /// `on-success`.
    pub on_success: String,
    /// `on-failure`.
    pub on_failure: String,
    /// `on-check-failure` (merged key by key).
    pub on_check_failure: BTreeMap<String, String>,
    /// `backoff-delay` (500ms when unset).
    pub backoff_delay: Option<GoDuration>,
    /// `backoff-factor` (2.0 when unset).
    pub backoff_factor: Option<f64>,
    /// `backoff-limit` (30s when unset).
    pub backoff_limit: Option<GoDuration>,
    /// `kill-delay`.
    pub kill_delay: Option<GoDuration>,
}

/// A health check (plan.go `Check`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Check {
    /// `override`: `merge` or `replace`.
    pub r#override: String,
    /// `level`: `alive`, `ready` or `""`.
    pub level: String,
    /// `startup`: `enabled`, `disabled` or `""` (enabled).
    pub startup: String,
    /// `period` (10s when unset).
    pub period: Option<GoDuration>,
    /// `timeout` (3s when unset, and never more than the period).
    pub timeout: Option<GoDuration>,
    /// `threshold` (0 in a layer when unset; 3 in a combined plan).
    pub threshold: i64,
    /// `http`.
    pub http: Option<HttpCheck>,
    /// `tcp`.
    pub tcp: Option<TcpCheck>,
    /// `exec`.
    pub exec: Option<ExecCheck>,
}

/// `http` of a check.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct HttpCheck {
    /// `url`.
    pub url: String,
    /// `headers`.
    pub headers: BTreeMap<String, String>,
}

/// `tcp` of a check.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TcpCheck {
    /// `port`.
    pub port: i64,
    /// `host`.
    pub host: String,
}

/// `exec` of a check.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExecCheck {
    /// `command`.
    pub command: String,
    /// `service-context`.
    pub service_context: String,
    /// `environment`.
    pub environment: BTreeMap<String, String>,
    /// `user-id`.
    pub user_id: Option<i64>,
    /// `user`.
    pub user: String,
    /// `group-id`.
    pub group_id: Option<i64>,
    /// `group`.
    pub group: String,
    /// `working-dir`.
    pub working_dir: String,
}

/// A log target (plan.go `LogTarget`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LogTarget {
    /// `type`: `loki`, `opentelemetry` or `syslog`.
    pub r#type: String,
    /// `location`.
    pub location: String,
    /// `services` (appended across layers).
    pub services: Vec<String>,
    /// `override`.
    pub r#override: String,
    /// `labels` (merged key by key).
    pub labels: BTreeMap<String, String>,
}

/// The plan: every layer combined ([`combine_layers`]) and validated ([`Plan::validate`]).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Plan {
    /// Services by name.
    pub services: BTreeMap<String, Service>,
    /// Checks by name.
    pub checks: BTreeMap<String, Check>,
    /// Log targets by name.
    pub log_targets: BTreeMap<String, LogTarget>,
}

impl Service {
    /// plan.go `Service.Merge`: every field `other` sets replaces this one's; `after`,
    /// `before` and `requires` are appended; `environment` and `on-check-failure` merged.
    pub fn merge(&mut self, other: &Service) {
        set_str(&mut self.summary, &other.summary);
        set_str(&mut self.description, &other.description);
        set_str(&mut self.startup, &other.startup);
        set_str(&mut self.command, &other.command);
        set_opt(&mut self.kill_delay, other.kill_delay);
        set_opt(&mut self.user_id, other.user_id);
        set_str(&mut self.user, &other.user);
        set_opt(&mut self.group_id, other.group_id);
        set_str(&mut self.group, &other.group);
        set_str(&mut self.working_dir, &other.working_dir);
        self.after.extend(other.after.iter().cloned());
        self.before.extend(other.before.iter().cloned());
        self.requires.extend(other.requires.iter().cloned());
        set_str(&mut self.workload, &other.workload);
        self.environment.extend(other.environment.clone());
        set_str(&mut self.on_success, &other.on_success);
        set_str(&mut self.on_failure, &other.on_failure);
        self.on_check_failure.extend(other.on_check_failure.clone());
        set_opt(&mut self.backoff_delay, other.backoff_delay);
        set_opt(&mut self.backoff_factor, other.backoff_factor);
        set_opt(&mut self.backoff_limit, other.backoff_limit);
    }

    /// plan.go `Service.ParseCommand`: the command's words, and the default arguments of its
    /// `[ … ]` group. `name` is the service's, for the error.
    pub fn parse_command(&self, name: &str) -> Result<(Vec<String>, Vec<String>), String> {
        let wrap = |e: String| format!("cannot parse service \"{name}\" command: {e}");
        let args = shlex::split(&self.command).map_err(wrap)?;
        let (mut base, mut extra) = (Vec::new(), Vec::new());
        let (mut in_brackets, mut got_brackets) = (false, false);
        for (i, arg) in args.into_iter().enumerate() {
            if in_brackets {
                if arg == "[" {
                    return Err(wrap("cannot nest [ ... ] groups".into()));
                }
                if arg == "]" {
                    in_brackets = false;
                    continue;
                }
                extra.push(arg);
                continue;
            }
            if got_brackets {
                return Err(wrap("cannot have any arguments after [ ... ] group".into()));
            }
            if arg == "[" {
                if i == 0 {
                    return Err(wrap("cannot start command with [ ... ] group".into()));
                }
                in_brackets = true;
                got_brackets = true;
                continue;
            }
            if arg == "]" {
                return Err(wrap("cannot have ] outside of [ ... ] group".into()));
            }
            base.push(arg);
        }
        Ok((base, extra))
    }

    /// The effective backoff delay: as set, or 500ms.
    pub fn effective_backoff_delay(&self) -> GoDuration {
        self.backoff_delay.unwrap_or(DEFAULT_BACKOFF_DELAY)
    }
}

/// plan.go `CommandString`: `base`, then `[ extra ]` if there are default arguments.
pub fn command_string(base: &[String], extra: &[String]) -> String {
    let mut out = shlex::join(base);
    if !extra.is_empty() {
        out = format!("{out} [ {} ]", shlex::join(extra));
    }
    out
}

impl Check {
    /// plan.go `Check.Merge`.
    pub fn merge(&mut self, other: &Check) {
        set_str(&mut self.level, &other.level);
        set_str(&mut self.startup, &other.startup);
        set_opt(&mut self.period, other.period);
        set_opt(&mut self.timeout, other.timeout);
        if other.threshold != 0 {
            self.threshold = other.threshold;
        }
        if let Some(o) = &other.http {
            let c = self.http.get_or_insert_with(HttpCheck::default);
            set_str(&mut c.url, &o.url);
            c.headers.extend(o.headers.clone());
        }
        if let Some(o) = &other.tcp {
            let c = self.tcp.get_or_insert_with(TcpCheck::default);
            if o.port != 0 {
                c.port = o.port;
            }
            set_str(&mut c.host, &o.host);
        }
        if let Some(o) = &other.exec {
            let c = self.exec.get_or_insert_with(ExecCheck::default);
            set_str(&mut c.command, &o.command);
            set_str(&mut c.service_context, &o.service_context);
            c.environment.extend(o.environment.clone());
            set_opt(&mut c.user_id, o.user_id);
            set_str(&mut c.user, &o.user);
            set_opt(&mut c.group_id, o.group_id);
            set_str(&mut c.group, &o.group);
            set_str(&mut c.working_dir, &o.working_dir);
        }
    }

    /// The effective period: as set, or 10s.
    pub fn effective_period(&self) -> GoDuration {
        self.period.unwrap_or(DEFAULT_CHECK_PERIOD)
    }

    /// The effective timeout: as set, or 3s, and never more than the period.
    pub fn effective_timeout(&self) -> GoDuration {
        self.timeout.unwrap_or(DEFAULT_CHECK_TIMEOUT).min(self.effective_period())
    }
}

impl LogTarget {
    /// plan.go `LogTarget.Merge`.
    pub fn merge(&mut self, other: &LogTarget) {
        set_str(&mut self.r#type, &other.r#type);
        set_str(&mut self.location, &other.location);
        self.services.extend(other.services.iter().cloned());
        self.labels.extend(other.labels.clone());
    }
}

fn set_str(to: &mut String, from: &str) {
    if !from.is_empty() {
        from.clone_into(to);
    }
}

fn set_opt<T: Copy>(to: &mut Option<T>, from: Option<T>) {
    if from.is_some() {
        *to = from;
    }
}

impl Layer {
    /// plan.go `ParseLayer`: the layer `yaml` says, labelled `label`, validated
    /// ([`Layer::validate`]). Unknown keys are refused, as Go's decoder with known fields
    /// refuses them.
    ///
    /// ```
    /// use juju_sim::pebble::Layer;
    ///
    /// let layer = Layer::parse(0, "base", "services:\n  web:\n    override: replace\n    command: run\n")?;
    /// assert_eq!(layer.services["web"].command, "run");
    /// let e = Layer::parse(0, "base", "services:\n  pebble: {command: x}\n").unwrap_err();
    /// assert_eq!(e.to_string(), "cannot use reserved service name \"pebble\"");
    /// # Ok::<(), juju_sim::pebble::PlanError>(())
    /// ```
    pub fn parse(order: i64, label: &str, yaml: &str) -> Result<Layer, PlanError> {
        let top: Value = if yaml.trim().is_empty() {
            Value::Null
        } else {
            serde_saphyr::from_str(yaml).map_err(|e| PlanError {
                message: format!("cannot parse layer \"{label}\": {e}"),
            })?
        };
        let top = match top {
            Value::Null => Map::new(),
            Value::Object(m) => m,
            other => {
                return err(format!(
                    "cannot parse layer \"{label}\": yaml: unmarshal errors:\n  cannot unmarshal \
                     {} into map[string]yaml.Node",
                    yaml_tag(&other)
                ));
            }
        };
        let mut layer = Layer { label: label.to_owned(), order, ..Layer::default() };
        for (field, value) in &top {
            let section = |e: String| PlanError {
                message: format!("cannot parse layer \"{label}\" section \"{field}\": {e}"),
            };
            match field.as_str() {
                "summary" => layer.summary = scalar_string(value).map_err(section)?,
                "description" => layer.description = scalar_string(value).map_err(section)?,
                "services" => {
                    layer.services = decode_map(value, decode_service).map_err(section)?
                }
                "checks" => layer.checks = decode_map(value, decode_check).map_err(section)?,
                "log-targets" => {
                    layer.log_targets = decode_map(value, decode_log_target).map_err(section)?;
                }
                _ => {
                    return err(format!(
                        "cannot parse layer \"{label}\": unknown section \"{field}\""
                    ));
                }
            }
        }
        // A null service, check or log target is kept as a marker for the validation below.
        layer.validate_raw(&top)?;
        Ok(layer)
    }

    /// plan.go `Layer.Validate`: the rules a single layer must follow (no reserved label or
    /// service name, valid commands and actions, a backoff factor of at least 1, valid check
    /// levels and startups, known log target types, no reserved log label).
    pub fn validate(&self) -> Result<(), PlanError> {
        self.validate_raw(&Map::new())
    }

    fn validate_raw(&self, raw: &Map<String, Value>) -> Result<(), PlanError> {
        if self.label.starts_with("pebble-") {
            return err("cannot use reserved label prefix \"pebble-\"");
        }
        let nulls = |section: &str| -> BTreeSet<String> {
            raw.get(section)
                .and_then(Value::as_object)
                .map(|m| m.iter().filter(|(_, v)| v.is_null()).map(|(k, _)| k.clone()).collect())
                .unwrap_or_default()
        };
        let null_services = nulls("services");
        for (name, service) in &self.services {
            if name.is_empty() {
                return err("cannot use empty string as service name");
            }
            if name == "pebble" {
                return err(format!("cannot use reserved service name \"{name}\""));
            }
            if name.starts_with('-') {
                return err(format!(
                    "cannot use service name \"{name}\": starting with \"-\" not allowed"
                ));
            }
            if null_services.contains(name) {
                return err(format!("service object cannot be null for service \"{name}\""));
            }
            if let Err(e) = service.parse_command(name) {
                return err(format!("plan service \"{name}\" command invalid: {e}"));
            }
            if !valid_action(&service.on_success, "failure-shutdown") {
                return err(format!(
                    "plan service \"{name}\" on-success action \"{}\" invalid",
                    service.on_success
                ));
            }
            if !valid_action(&service.on_failure, "success-shutdown") {
                return err(format!(
                    "plan service \"{name}\" on-failure action \"{}\" invalid",
                    service.on_failure
                ));
            }
            for action in service.on_check_failure.values() {
                if !valid_action(action, "success-shutdown") {
                    return err(format!(
                        "plan service \"{name}\" on-check-failure action \"{action}\" invalid"
                    ));
                }
            }
            if let Some(f) = service.backoff_factor.filter(|f| *f < 1.0) {
                return err(format!(
                    "plan service \"{name}\" backoff-factor must be 1.0 or greater, not {f}"
                ));
            }
        }
        let null_checks = nulls("checks");
        for (name, check) in &self.checks {
            if name.is_empty() {
                return err("cannot use empty string as check name");
            }
            if null_checks.contains(name) {
                return err(format!("check object cannot be null for check \"{name}\""));
            }
            if !["", "alive", "ready"].contains(&check.level.as_str()) {
                return err(format!("plan check \"{name}\" level must be \"alive\" or \"ready\""));
            }
            if !["", "enabled", "disabled"].contains(&check.startup.as_str()) {
                return err(format!(
                    "plan check \"{name}\" startup must be \"enabled\" or \"disabled\""
                ));
            }
            if check.period.is_some_and(GoDuration::is_zero) {
                return err(format!("plan check \"{name}\" period must not be zero"));
            }
            if check.timeout.is_some_and(GoDuration::is_zero) {
                return err(format!("plan check \"{name}\" timeout must not be zero"));
            }
            if let Some(exec) = &check.exec {
                if let Err(e) = shlex::split(&exec.command) {
                    return err(format!("plan check \"{name}\" command invalid: {e}"));
                }
                let no_user = exec.user_id.is_none() && exec.user.is_empty();
                if no_user && (exec.group_id.is_some() || !exec.group.is_empty()) {
                    return err(format!(
                        "plan check \"{name}\" has invalid user/group: must specify user, not \
                         just group"
                    ));
                }
            }
        }
        let null_targets = nulls("log-targets");
        for (name, target) in &self.log_targets {
            if null_targets.contains(name) {
                return err(format!("log target object cannot be null for log target \"{name}\""));
            }
            if let Some(label) = target.labels.keys().find(|l| l.starts_with("pebble_")) {
                return err(format!(
                    "log target \"{name}\": label \"{label}\" uses reserved prefix \"pebble_\""
                ));
            }
            if !["", "loki", "opentelemetry", "syslog"].contains(&target.r#type.as_str()) {
                return err(format!(
                    "log target \"{name}\" has unsupported type \"{}\", must be \"loki\", \
                     \"opentelemetry\" or \"syslog\"",
                    target.r#type
                ));
            }
        }
        Ok(())
    }
}

fn valid_action(action: &str, also: &str) -> bool {
    ["", "restart", "shutdown", "ignore", also].contains(&action)
}

/// plan.go `CombineLayers`: the layers combined in order, later ones overriding earlier ones.
/// Each service, check and log target must say `override`: `replace` takes the new
/// definition whole, `merge` merges it field by field into the one so far. The summary and
/// description are the last layer's. Defaults are then filled in as Pebble fills them: a
/// check's threshold is 3 when unset, and a timeout set above the period is capped at it (the
/// backoff and check-period defaults stay unset, so the plan does not print them, as
/// Pebble's does not).
///
/// ```
/// use juju_sim::pebble::{Layer, combine_layers};
///
/// let base = Layer::parse(1, "base", "services:\n  web:\n    override: replace\n    command: run\n    environment: {A: '1'}\n")?;
/// let more = Layer::parse(2, "more", "services:\n  web:\n    override: merge\n    environment: {B: '2'}\n")?;
/// let combined = combine_layers(&[base, more])?;
/// let web = &combined.services["web"];
/// assert_eq!((web.command.as_str(), web.environment.len()), ("run", 2));
/// # Ok::<(), juju_sim::pebble::PlanError>(())
/// ```
pub fn combine_layers(layers: &[Layer]) -> Result<Layer, PlanError> {
    let mut combined = Layer::default();
    let Some(last) = layers.last() else { return Ok(combined) };
    combined.summary.clone_from(&last.summary);
    combined.description.clone_from(&last.description);
    for layer in layers {
        for (name, service) in &layer.services {
            match service.r#override.as_str() {
                "merge" => match combined.services.get_mut(name) {
                    Some(old) => old.merge(service),
                    None => {
                        combined.services.insert(name.clone(), service.clone());
                    }
                },
                "replace" => {
                    combined.services.insert(name.clone(), service.clone());
                }
                "" => {
                    return err(format!(
                        "layer \"{}\" must define \"override\" for service \"{name}\"",
                        layer.label
                    ));
                }
                _ => {
                    return err(format!(
                        "layer \"{}\" has invalid \"override\" value for service \"{name}\"",
                        layer.label
                    ));
                }
            }
        }
        for (name, check) in &layer.checks {
            match check.r#override.as_str() {
                "merge" => match combined.checks.get_mut(name) {
                    Some(old) => old.merge(check),
                    None => {
                        combined.checks.insert(name.clone(), check.clone());
                    }
                },
                "replace" => {
                    combined.checks.insert(name.clone(), check.clone());
                }
                "" => {
                    return err(format!(
                        "layer \"{}\" must define \"override\" for check \"{name}\"",
                        layer.label
                    ));
                }
                _ => {
                    return err(format!(
                        "layer \"{}\" has invalid \"override\" value for check \"{name}\"",
                        layer.label
                    ));
                }
            }
        }
        for (name, target) in &layer.log_targets {
            match target.r#override.as_str() {
                "merge" => match combined.log_targets.get_mut(name) {
                    Some(old) => old.merge(target),
                    None => {
                        combined.log_targets.insert(name.clone(), target.clone());
                    }
                },
                "replace" => {
                    combined.log_targets.insert(name.clone(), target.clone());
                }
                "" => {
                    return err(format!(
                        "layer \"{}\" must define \"override\" for log target \"{name}\"",
                        layer.label
                    ));
                }
                _ => {
                    return err(format!(
                        "layer \"{}\" has invalid \"override\" value for log target \"{name}\"",
                        layer.label
                    ));
                }
            }
        }
    }
    for check in combined.checks.values_mut() {
        if let Some(timeout) = check.timeout
            && timeout > check.effective_period()
        {
            check.timeout = Some(check.effective_period());
        }
        if check.threshold == 0 {
            check.threshold = DEFAULT_CHECK_THRESHOLD;
        }
    }
    Ok(combined)
}

impl Plan {
    /// The plan of `layers`, as Pebble's plan manager makes it (`updatePlanLayers`): combined
    /// ([`combine_layers`]) and validated ([`Plan::validate`]).
    pub fn from_layers(layers: &[Layer]) -> Result<Plan, PlanError> {
        let combined = combine_layers(layers)?;
        let plan = Plan {
            services: combined.services,
            checks: combined.checks,
            log_targets: combined.log_targets,
        };
        plan.validate()?;
        Ok(plan)
    }

    /// plan.go `Plan.Validate`: every service has a command; every check exactly one of
    /// `http` (with a url), `tcp` (with a port) or `exec` (with a command, and a service
    /// context that exists); every log target a type, a location and known services; and no
    /// loop in the services' before/after order.
    pub fn validate(&self) -> Result<(), PlanError> {
        for (name, service) in &self.services {
            if service.command.is_empty() {
                return err(format!("plan must define \"command\" for service \"{name}\""));
            }
        }
        for (name, check) in &self.checks {
            let mut kinds = 0;
            if let Some(http) = &check.http {
                if http.url.is_empty() {
                    return err(format!("plan must set \"url\" for http check \"{name}\""));
                }
                kinds += 1;
            }
            if let Some(tcp) = &check.tcp {
                if tcp.port == 0 {
                    return err(format!("plan must set \"port\" for tcp check \"{name}\""));
                }
                kinds += 1;
            }
            if let Some(exec) = &check.exec {
                if exec.command.is_empty() {
                    return err(format!("plan must set \"command\" for exec check \"{name}\""));
                }
                if !exec.service_context.is_empty()
                    && !self.services.contains_key(&exec.service_context)
                {
                    return err(format!(
                        "plan check \"{name}\" service context specifies non-existent service \
                         \"{}\"",
                        exec.service_context
                    ));
                }
                kinds += 1;
            }
            if kinds != 1 {
                return err(format!(
                    "plan must specify one of \"http\", \"tcp\", or \"exec\" for check \"{name}\""
                ));
            }
        }
        for (name, target) in &self.log_targets {
            if target.r#type.is_empty() {
                return err(format!(
                    "plan must define \"type\" (\"loki\", \"opentelemetry\" or \"syslog\") for \
                     log target \"{name}\""
                ));
            }
            for service in &target.services {
                let service = service.strip_prefix('-').unwrap_or(service);
                if service != "all" && !self.services.contains_key(service) {
                    return err(format!(
                        "log target \"{name}\" specifies unknown service \"{service}\""
                    ));
                }
            }
            if target.location.is_empty() {
                return err(format!("plan must define \"location\" for log target \"{name}\""));
            }
        }
        let names: Vec<String> = self.services.keys().cloned().collect();
        super::order::order(&self.services, &names, false)?;
        Ok(())
    }

    /// plan.go `Plan.StartOrder`: the services to start for `names` (theirs and what they
    /// require), in start order, in lanes.
    pub fn start_order(&self, names: &[String]) -> Result<Vec<Vec<String>>, PlanError> {
        let ordered = super::order::order(&self.services, names, false)?;
        super::order::lanes(&ordered, &self.services)
    }

    /// plan.go `Plan.StopOrder`: the services to stop for `names` (theirs and what requires
    /// them), in stop order, in lanes.
    pub fn stop_order(&self, names: &[String]) -> Result<Vec<Vec<String>>, PlanError> {
        let ordered = super::order::order(&self.services, names, true)?;
        super::order::lanes(&ordered, &self.services)
    }

    /// The plan as `GET /v1/plan?format=yaml` prints it (Go's `yaml.Marshal` of Pebble's
    /// `Plan`): `services`, `checks`, `log-targets`, each field in Pebble's struct order,
    /// unset ones left out, four-space indentation; `{}` for an empty plan.
    ///
    /// ```
    /// use juju_sim::pebble::{Layer, Plan};
    ///
    /// let layer = Layer::parse(1, "base", "services:\n  web: {override: replace, command: run, startup: enabled}\n")?;
    /// let plan = Plan::from_layers(&[layer])?;
    /// assert_eq!(plan.to_yaml(), "services:\n    web:\n        startup: enabled\n        override: replace\n        command: run\n");
    /// assert_eq!(Plan::default().to_yaml(), "{}\n");
    /// # Ok::<(), juju_sim::pebble::PlanError>(())
    /// ```
    pub fn to_yaml(&self) -> String {
        let mut out = Emitter::default();
        if !self.services.is_empty() {
            out.key(0, "services");
            for (name, s) in &self.services {
                out.key(1, name);
                out.str(2, "summary", &s.summary);
                out.str(2, "description", &s.description);
                out.str(2, "startup", &s.startup);
                out.str(2, "override", &s.r#override);
                out.str(2, "command", &s.command);
                out.list(2, "after", &s.after, false);
                out.list(2, "before", &s.before, false);
                out.list(2, "requires", &s.requires, false);
                out.str(2, "workload", &s.workload);
                out.map(2, "environment", &s.environment);
                out.opt(2, "user-id", s.user_id);
                out.str(2, "user", &s.user);
                out.opt(2, "group-id", s.group_id);
                out.str(2, "group", &s.group);
                out.str(2, "working-dir", &s.working_dir);
                out.str(2, "on-success", &s.on_success);
                out.str(2, "on-failure", &s.on_failure);
                out.map(2, "on-check-failure", &s.on_check_failure);
                out.opt(2, "backoff-delay", s.backoff_delay);
                out.opt(2, "backoff-factor", s.backoff_factor);
                out.opt(2, "backoff-limit", s.backoff_limit);
                out.opt(2, "kill-delay", s.kill_delay);
            }
        }
        if !self.checks.is_empty() {
            out.key(0, "checks");
            for (name, c) in &self.checks {
                out.key(1, name);
                out.str(2, "override", &c.r#override);
                out.str(2, "level", &c.level);
                out.str(2, "startup", &c.startup);
                out.opt(2, "period", c.period);
                out.opt(2, "timeout", c.timeout);
                out.opt(2, "threshold", Some(c.threshold).filter(|t| *t != 0));
                if let Some(h) = &c.http {
                    out.key(2, "http");
                    out.str(3, "url", &h.url);
                    out.map(3, "headers", &h.headers);
                }
                if let Some(t) = &c.tcp {
                    out.key(2, "tcp");
                    out.opt(3, "port", Some(t.port).filter(|p| *p != 0));
                    out.str(3, "host", &t.host);
                }
                if let Some(e) = &c.exec {
                    out.key(2, "exec");
                    out.str(3, "command", &e.command);
                    out.str(3, "service-context", &e.service_context);
                    out.map(3, "environment", &e.environment);
                    out.opt(3, "user-id", e.user_id);
                    out.str(3, "user", &e.user);
                    out.opt(3, "group-id", e.group_id);
                    out.str(3, "group", &e.group);
                    out.str(3, "working-dir", &e.working_dir);
                }
            }
        }
        if !self.log_targets.is_empty() {
            out.key(0, "log-targets");
            for (name, t) in &self.log_targets {
                out.key(1, name);
                // `type`, `location` and `services` have no omitempty in Pebble's struct.
                out.line(2, "type", &scalar(&t.r#type));
                out.line(2, "location", &scalar(&t.location));
                out.list(2, "services", &t.services, true);
                out.str(2, "override", &t.r#override);
                out.map(2, "labels", &t.labels);
            }
        }
        if out.text.is_empty() { "{}\n".to_owned() } else { out.text }
    }
}

/// Writes YAML as Go's yaml.v3 does with its default four-space indentation.
#[derive(Default)]
struct Emitter {
    text: String,
}

impl Emitter {
    fn indent(&mut self, depth: usize) {
        self.text.push_str(&"    ".repeat(depth));
    }

    fn key(&mut self, depth: usize, key: &str) {
        self.indent(depth);
        self.text.push_str(&scalar(key));
        self.text.push_str(":\n");
    }

    fn line(&mut self, depth: usize, key: &str, value: &str) {
        self.indent(depth);
        self.text.push_str(&format!("{}: {value}\n", scalar(key)));
    }

    fn str(&mut self, depth: usize, key: &str, value: &str) {
        if !value.is_empty() {
            self.line(depth, key, &scalar(value));
        }
    }

    fn opt<T: fmt::Display>(&mut self, depth: usize, key: &str, value: Option<T>) {
        if let Some(v) = value {
            self.line(depth, key, &v.to_string());
        }
    }

    fn list(&mut self, depth: usize, key: &str, items: &[String], always: bool) {
        if items.is_empty() {
            if always {
                self.line(depth, key, "[]");
            }
            return;
        }
        self.key(depth, key);
        for item in items {
            self.indent(depth + 1);
            self.text.push_str(&format!("- {}\n", scalar(item)));
        }
    }

    fn map(&mut self, depth: usize, key: &str, map: &BTreeMap<String, String>) {
        if map.is_empty() {
            return;
        }
        self.key(depth, key);
        for (k, v) in map {
            self.line(depth + 1, k, &scalar(v));
        }
    }
}

/// A string as a YAML scalar: plain when YAML reads it back as that string, double-quoted
/// otherwise.
fn scalar(s: &str) -> String {
    let reserved = [
        "", "~", "null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE", "yes",
        "no", "on", "off", "y", "n", "Yes", "No", "On", "Off",
    ];
    let numeric = s.parse::<f64>().is_ok() || s.starts_with("0x") || s.starts_with("0o");
    let special_start = s.starts_with(|c: char| "-?:,[]{}#&*!|>'\"%@` ".contains(c));
    let plain = !reserved.contains(&s)
        && !numeric
        && !special_start
        && !s.ends_with(' ')
        && !s.contains(": ")
        && !s.contains(" #")
        && !s.ends_with(':')
        && s.chars().all(|c| !c.is_control());
    if plain { s.to_owned() } else { serde_json::to_string(s).unwrap_or_default() }
}

fn yaml_tag(v: &Value) -> &'static str {
    match v {
        Value::Null => "!!null",
        Value::Bool(_) => "!!bool",
        Value::Number(n) if n.is_f64() => "!!float",
        Value::Number(_) => "!!int",
        Value::String(_) => "!!str",
        Value::Array(_) => "!!seq",
        Value::Object(_) => "!!map",
    }
}

/// A scalar decoded into a Go string field: a string as is, a number or boolean as written,
/// null as `""`.
fn scalar_string(v: &Value) -> Result<String, String> {
    match v {
        Value::Null => Ok(String::new()),
        Value::String(s) => Ok(s.clone()),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Number(n) => Ok(n.to_string()),
        other => Err(unmarshal(other, "string")),
    }
}

fn unmarshal(v: &Value, into: &str) -> String {
    let shown = match v {
        Value::String(s) => format!(" `{s}`"),
        Value::Number(n) => format!(" `{n}`"),
        Value::Bool(b) => format!(" `{b}`"),
        _ => String::new(),
    };
    format!("yaml: unmarshal errors:\n  cannot unmarshal {}{shown} into {into}", yaml_tag(v))
}

fn int(v: &Value) -> Result<Option<i64>, String> {
    match v {
        Value::Null => Ok(None),
        Value::Number(n) if n.is_i64() => Ok(n.as_i64()),
        Value::String(s) if s.parse::<i64>().is_ok() => Ok(s.parse().ok()),
        other => Err(unmarshal(other, "int")),
    }
}

fn duration(v: &Value) -> Result<Option<GoDuration>, String> {
    let text = match v {
        Value::Null => return Ok(None),
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => return Err("duration must be a YAML string".into()),
    };
    text.parse().map(Some).map_err(|_| format!("invalid duration \"{text}\""))
}

fn float(v: &Value) -> Result<Option<f64>, String> {
    let text = match v {
        Value::Null => return Ok(None),
        Value::Number(n) => return Ok(n.as_f64()),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        _ => return Err("value must be a YAML number".into()),
    };
    text.parse().map(Some).map_err(|_| format!("invalid floating-point number \"{text}\""))
}

fn strings(v: &Value) -> Result<Vec<String>, String> {
    match v {
        Value::Null => Ok(Vec::new()),
        Value::Array(items) => items.iter().map(scalar_string).collect(),
        other => Err(unmarshal(other, "[]string")),
    }
}

fn string_map(v: &Value) -> Result<BTreeMap<String, String>, String> {
    match v {
        Value::Null => Ok(BTreeMap::new()),
        Value::Object(m) => m.iter().map(|(k, v)| Ok((k.clone(), scalar_string(v)?))).collect(),
        other => Err(unmarshal(other, "map[string]string")),
    }
}

/// A section (`services`, `checks`, `log-targets`): name → object, a null object kept as the
/// default (the layer's validation refuses it by name).
fn decode_map<T: Default>(
    v: &Value,
    decode: fn(&Map<String, Value>) -> Result<T, String>,
) -> Result<BTreeMap<String, T>, String> {
    let Some(m) = v.as_object() else {
        return if v.is_null() { Ok(BTreeMap::new()) } else { Err(unmarshal(v, "map")) };
    };
    let mut out = BTreeMap::new();
    for (name, item) in m {
        let decoded = match item {
            Value::Null => T::default(),
            Value::Object(fields) => decode(fields)?,
            other => return Err(unmarshal(other, "map")),
        };
        out.insert(name.clone(), decoded);
    }
    Ok(out)
}

fn unknown(field: &str, ty: &str) -> String {
    format!("yaml: unmarshal errors:\n  field {field} not found in type plan.{ty}")
}

fn decode_service(m: &Map<String, Value>) -> Result<Service, String> {
    let mut s = Service::default();
    for (k, v) in m {
        match k.as_str() {
            "summary" => s.summary = scalar_string(v)?,
            "description" => s.description = scalar_string(v)?,
            "startup" => s.startup = scalar_string(v)?,
            "override" => s.r#override = scalar_string(v)?,
            "command" => s.command = scalar_string(v)?,
            "after" => s.after = strings(v)?,
            "before" => s.before = strings(v)?,
            "requires" => s.requires = strings(v)?,
            "workload" => s.workload = scalar_string(v)?,
            "environment" => s.environment = string_map(v)?,
            "user-id" => s.user_id = int(v)?,
            "user" => s.user = scalar_string(v)?,
            "group-id" => s.group_id = int(v)?,
            "group" => s.group = scalar_string(v)?,
            "working-dir" => s.working_dir = scalar_string(v)?,
            "on-success" => s.on_success = scalar_string(v)?,
            "on-failure" => s.on_failure = scalar_string(v)?,
            "on-check-failure" => s.on_check_failure = string_map(v)?,
            "backoff-delay" => s.backoff_delay = duration(v)?,
            "backoff-factor" => s.backoff_factor = float(v)?,
            "backoff-limit" => s.backoff_limit = duration(v)?,
            "kill-delay" => s.kill_delay = duration(v)?,
            _ => return Err(unknown(k, "Service")),
        }
    }
    Ok(s)
}

fn decode_check(m: &Map<String, Value>) -> Result<Check, String> {
    let mut c = Check::default();
    for (k, v) in m {
        match k.as_str() {
            "override" => c.r#override = scalar_string(v)?,
            "level" => c.level = scalar_string(v)?,
            "startup" => c.startup = scalar_string(v)?,
            "period" => c.period = duration(v)?,
            "timeout" => c.timeout = duration(v)?,
            "threshold" => c.threshold = int(v)?.unwrap_or(0),
            "http" => c.http = Some(decode_object(v, decode_http)?),
            "tcp" => c.tcp = Some(decode_object(v, decode_tcp)?),
            "exec" => c.exec = Some(decode_object(v, decode_exec)?),
            _ => return Err(unknown(k, "Check")),
        }
    }
    Ok(c)
}

fn decode_object<T: Default>(
    v: &Value,
    decode: fn(&Map<String, Value>) -> Result<T, String>,
) -> Result<T, String> {
    match v {
        Value::Null => Ok(T::default()),
        Value::Object(m) => decode(m),
        other => Err(unmarshal(other, "map")),
    }
}

fn decode_http(m: &Map<String, Value>) -> Result<HttpCheck, String> {
    let mut c = HttpCheck::default();
    for (k, v) in m {
        match k.as_str() {
            "url" => c.url = scalar_string(v)?,
            "headers" => c.headers = string_map(v)?,
            _ => return Err(unknown(k, "HTTPCheck")),
        }
    }
    Ok(c)
}

fn decode_tcp(m: &Map<String, Value>) -> Result<TcpCheck, String> {
    let mut c = TcpCheck::default();
    for (k, v) in m {
        match k.as_str() {
            "port" => c.port = int(v)?.unwrap_or(0),
            "host" => c.host = scalar_string(v)?,
            _ => return Err(unknown(k, "TCPCheck")),
        }
    }
    Ok(c)
}

fn decode_exec(m: &Map<String, Value>) -> Result<ExecCheck, String> {
    let mut c = ExecCheck::default();
    for (k, v) in m {
        match k.as_str() {
            "command" => c.command = scalar_string(v)?,
            "service-context" => c.service_context = scalar_string(v)?,
            "environment" => c.environment = string_map(v)?,
            "user-id" => c.user_id = int(v)?,
            "user" => c.user = scalar_string(v)?,
            "group-id" => c.group_id = int(v)?,
            "group" => c.group = scalar_string(v)?,
            "working-dir" => c.working_dir = scalar_string(v)?,
            _ => return Err(unknown(k, "ExecCheck")),
        }
    }
    Ok(c)
}

fn decode_log_target(m: &Map<String, Value>) -> Result<LogTarget, String> {
    let mut t = LogTarget::default();
    for (k, v) in m {
        match k.as_str() {
            "type" => t.r#type = scalar_string(v)?,
            "location" => t.location = scalar_string(v)?,
            "services" => t.services = strings(v)?,
            "override" => t.r#override = scalar_string(v)?,
            "labels" => t.labels = string_map(v)?,
            _ => return Err(unknown(k, "LogTarget")),
        }
    }
    Ok(t)
}
