//! Pebble's REST API over one container, ported from canonical/pebble `internals/daemon`
//! (`api.go`, `response.go`, `api_plan.go`, `api_services.go`, `api_changes.go`,
//! `api_files.go`, `api_exec.go`, `api_tasks.go`, `api_checks.go`, `api_notices.go`): the same
//! routes, request checks, response envelope (`type`, `status-code`, `status`, `change`,
//! `result`) and error messages. What Pebble does to processes and the disk is done here to the
//! [`Container`] record: services change status at once (a start task is `Done` when the
//! change is returned), files live in its in-memory filesystem, and a command runs the
//! [`Exec`](crate::Exec) handler the test declared.

use std::collections::BTreeMap;
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

use serde::Serialize;
use serde_json::{Map, Value, json};

use super::http::{MultipartWriter, Request, Response, media_type, parse_multipart, status_text};
use crate::pebble::{GoDuration, Layer, Plan, combine_layers};
use crate::state::{
    Change, Container, ExecCall, FileEntry, Notice, ServiceStatus, Task, clean, parent_of,
    parse_rfc3339, rfc3339,
};

/// JSON whose objects keep their fields in the order given: Go marshals a struct's fields in
/// declaration order (and a map's keys sorted, as `serde_json::Value` does).
#[derive(Clone, Debug)]
enum J {
    /// Any value (a Go map or scalar).
    V(Value),
    /// A Go struct: fields in order.
    O(Vec<(&'static str, J)>),
    /// A list.
    A(Vec<J>),
}

impl Serialize for J {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        match self {
            J::V(v) => v.serialize(s),
            J::O(fields) => {
                let mut m = s.serialize_map(Some(fields.len()))?;
                for (k, v) in fields {
                    m.serialize_entry(k, v)?;
                }
                m.end()
            }
            J::A(items) => {
                let mut q = s.serialize_seq(Some(items.len()))?;
                for v in items {
                    q.serialize_element(v)?;
                }
                q.end()
            }
        }
    }
}

impl J {
    fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "null".into())
    }
}

/// A scalar or map as [`J`].
fn v(value: impl Into<Value>) -> J {
    J::V(value.into())
}

/// The Pebble version `GET /v1/system-info` reports: the release whose sources this follows.
pub(crate) const PEBBLE_VERSION: &str = "v1.32.1";

/// How long an exec waits for its I/O websockets (cmdstate `connectTimeout`).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// One container's Pebble, shared by every connection to it.
#[derive(Debug)]
pub(crate) struct Shared {
    /// The container's name.
    pub name: String,
    /// The container.
    pub container: Mutex<Container>,
    /// Notified when a change becomes ready or a notice is added.
    pub changed: Condvar,
    /// The execs whose websockets have not all connected yet, by task id.
    pub execs: Mutex<BTreeMap<String, ExecSession>>,
}

/// A command waiting for, or running over, its websockets.
#[derive(Debug)]
pub(crate) struct ExecSession {
    /// The change.
    pub change: String,
    /// Which of [`Container::executed`] it is.
    pub call: usize,
    /// Its handler's output and exit code.
    pub stdout: Vec<u8>,
    /// Its handler's stderr.
    pub stderr: Vec<u8>,
    /// Its exit code.
    pub exit_code: i32,
    /// Whether stderr has its own websocket (`split-stderr`).
    pub split_stderr: bool,
    /// The websockets connected so far.
    pub connected: Vec<String>,
    /// The connected websockets' streams (to write output to and close).
    pub streams: BTreeMap<String, std::os::unix::net::UnixStream>,
    /// Whether the output has been sent.
    pub done: bool,
}

impl Shared {
    /// The container, locked (a panic elsewhere does not stop the others).
    pub(crate) fn lock(&self) -> MutexGuard<'_, Container> {
        self.container.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The exec sessions, locked.
    pub(crate) fn sessions(&self) -> MutexGuard<'_, BTreeMap<String, ExecSession>> {
        self.execs.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// What a request is answered with.
pub(crate) enum Reply {
    /// An HTTP response.
    Http(Response),
    /// A websocket upgrade for an exec task's `control`, `stdio` or `stderr`.
    Websocket {
        /// The task.
        task: String,
        /// Which websocket.
        id: String,
    },
}

/// Pebble's `resp` envelope, field for field in Go's order.
fn envelope(kind: &str, status: u16, change: Option<&str>, result: Option<String>) -> Response {
    let mut body = format!(
        "{{\"type\":\"{kind}\",\"status-code\":{status},\"status\":\"{}\"",
        status_text(status)
    );
    if let Some(change) = change {
        body.push_str(&format!(",\"change\":{}", json!(change)));
    }
    if let Some(result) = result {
        body.push_str(&format!(",\"result\":{result}"));
    }
    body.push('}');
    Response::json(status, body)
}

/// `SyncResponse`.
fn sync(result: impl Serialize) -> Reply {
    let result = serde_json::to_string(&result).unwrap_or_else(|_| "null".into());
    Reply::Http(envelope("sync", 200, None, Some(result)))
}

/// `AsyncResponse`.
fn accepted(change: &str, result: Option<Value>) -> Reply {
    let result = result.map(|r| r.to_string());
    Reply::Http(envelope("async", 202, Some(change), result))
}

/// `ErrorResponse` with an error kind.
fn error_kind(status: u16, message: &str, kind: &str) -> Reply {
    Reply::Http(envelope("error", status, None, Some(error_result(message, kind).to_json())))
}

fn bad_request(message: impl AsRef<str>) -> Reply {
    error_kind(400, message.as_ref(), "")
}

fn not_found(message: impl AsRef<str>) -> Reply {
    error_kind(404, message.as_ref(), "")
}

fn server_error(message: impl AsRef<str>) -> Reply {
    error_kind(500, message.as_ref(), "")
}

/// Answers one request.
pub(crate) fn handle(shared: &Shared, req: &Request) -> Reply {
    let path = req.path.trim_end_matches('/');
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    let method = req.method.as_str();
    let allowed = |methods: &[&str]| methods.contains(&method);
    let not_allowed = || error_kind(405, &format!("method \"{method}\" not allowed"), "");
    macro_rules! route {
        ($methods:expr, $body:expr) => {
            if allowed($methods) { $body } else { not_allowed() }
        };
    }
    match segments.as_slice() {
        ["v1", "system-info"] => route!(&["GET"], system_info(shared)),
        ["v1", "health"] => route!(&["GET"], sync(json!({"healthy": true}))),
        ["v1", "plan"] => route!(&["GET"], get_plan(shared, req)),
        ["v1", "layers"] => route!(&["POST"], post_layers(shared, req)),
        ["v1", "services"] => match method {
            "GET" => get_services(shared, req),
            "POST" => post_services(shared, req),
            _ => not_allowed(),
        },
        ["v1", "services", _] => route!(&["GET", "POST"], bad_request("not implemented")),
        ["v1", "changes"] => route!(&["GET"], get_changes(shared, req)),
        ["v1", "changes", id] => route!(&["GET"], get_change(shared, id)),
        ["v1", "changes", id, "wait"] => route!(&["GET"], wait_change(shared, id, req)),
        ["v1", "files"] => match method {
            "GET" => get_files(shared, req),
            "POST" => post_files(shared, req),
            _ => not_allowed(),
        },
        ["v1", "exec"] => route!(&["POST"], post_exec(shared, req)),
        ["v1", "tasks", task, "websocket", id] => {
            route!(&["GET"], task_websocket(shared, task, id))
        }
        ["v1", "checks"] => route!(&["GET"], get_checks(shared, req)),
        ["v1", "notices"] => match method {
            "GET" => get_notices(shared, req),
            "POST" => post_notice(shared, req),
            _ => not_allowed(),
        },
        ["v1", "notices", id] => route!(&["GET"], get_notice(shared, id)),
        _ => not_found("invalid API endpoint requested"),
    }
}

fn system_info(shared: &Shared) -> Reply {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    shared.name.hash(&mut h);
    let n = h.finish();
    let boot_id = format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        n >> 32,
        (n >> 16) & 0xffff,
        n & 0xfff,
        (n >> 20) & 0xfff,
        n & 0xffff_ffff_ffff
    );
    sync(json!({"boot-id": boot_id, "version": PEBBLE_VERSION}))
}

fn get_plan(shared: &Shared, req: &Request) -> Reply {
    let format = req.get("format");
    if format != "yaml" {
        return bad_request(format!("invalid format \"{format}\""));
    }
    let container = shared.lock();
    match container.plan() {
        Ok(plan) => sync(plan.to_yaml()),
        Err(e) => server_error(format!("cannot serialize plan: {e}")),
    }
}

fn decode(req: &Request) -> Result<Map<String, Value>, String> {
    match serde_json::from_slice::<Value>(&req.body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(other) => {
            Err(format!("json: cannot unmarshal {} into Go value of type struct", kind_of(&other)))
        }
        Err(e) if req.body.is_empty() => Err(if e.is_eof() { "EOF".into() } else { e.to_string() }),
        Err(e) => Err(e.to_string()),
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn text<'a>(m: &'a Map<String, Value>, key: &str) -> &'a str {
    m.get(key).and_then(Value::as_str).unwrap_or("")
}

fn texts(m: &Map<String, Value>, key: &str) -> Vec<String> {
    m.get(key)
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

fn flag(m: &Map<String, Value>, key: &str) -> bool {
    m.get(key).and_then(Value::as_bool).unwrap_or(false)
}

/// `v1PostLayers`, with planstate's `AppendLayer` / `CombineLayer`.
fn post_layers(shared: &Shared, req: &Request) -> Reply {
    let payload = match decode(req) {
        Ok(p) => p,
        Err(e) => return bad_request(format!("cannot decode request body: {e}")),
    };
    let action = text(&payload, "action");
    if action != "add" {
        return bad_request(format!("invalid action \"{action}\""));
    }
    let label = text(&payload, "label");
    if label.is_empty() {
        return bad_request("label must be set");
    }
    let format = text(&payload, "format");
    if format != "yaml" {
        return bad_request(format!("invalid format \"{format}\""));
    }
    let layer = match Layer::parse(0, label, text(&payload, "layer")) {
        Ok(l) => l,
        Err(e) => return bad_request(format!("cannot parse layer YAML: {e}")),
    };
    let (combine, inner) = (flag(&payload, "combine"), flag(&payload, "inner"));
    let mut container = shared.lock();
    let index = container.layers.iter().position(|l| l.label == label);
    let mut layers = container.layers.clone();
    match (index, combine) {
        (Some(_), false) => return bad_request(format!("layer \"{label}\" already exists")),
        (Some(i), true) => {
            let found = layers[i].clone();
            let mut combined = match combine_layers(&[found.clone(), layer]) {
                Ok(c) => c,
                Err(e) => return bad_request(e.to_string()),
            };
            combined.order = found.order;
            combined.label = found.label;
            layers[i] = combined;
        }
        (None, _) => match append_layer(&layers, layer, inner) {
            Ok(next) => layers = next,
            Err(e) => return server_error(e),
        },
    }
    if let Err(e) = Plan::from_layers(&layers) {
        return bad_request(e.to_string());
    }
    container.layers = layers;
    sync(true)
}

/// planstate `appendLayer`: the new layer's order, after the last layer (or inside the
/// sub-directory its label names, with `inner`).
fn append_layer(layers: &[Layer], mut layer: Layer, inner: bool) -> Result<Vec<Layer>, String> {
    let (mut index, mut order) = (0, 1000);
    if let Some(last) = layers.last() {
        let (sub, has_sub) = match layer.label.split_once('/') {
            Some((s, _)) => (s.to_owned(), true),
            None => (layer.label.clone(), false),
        };
        for (i, l) in layers.iter().enumerate().rev() {
            let theirs = l.label.split_once('/').map_or(l.label.as_str(), |(s, _)| s);
            if theirs == sub {
                order = l.order + 1;
                index = i + 1;
                break;
            }
        }
        if index == 0 {
            index = layers.len();
            order = (last.order / 1000 + 1) * 1000 + i64::from(has_sub);
        }
    }
    if index != layers.len() && !inner {
        return Err("cannot insert sub-directory layer without 'inner' attribute set".into());
    }
    layer.order = order;
    let mut next = layers.to_vec();
    next.insert(index, layer);
    Ok(next)
}

/// `MultiCommaSeparatedList`: every value of `key`, split at commas, blanks dropped.
fn comma_list(req: &Request, key: &str) -> Vec<String> {
    req.all(key)
        .iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

fn get_services(shared: &Shared, req: &Request) -> Reply {
    let names = comma_list(req, "names");
    let container = shared.lock();
    let plan = container.plan().unwrap_or_default();
    let infos: Vec<J> = plan
        .services
        .iter()
        .filter(|(name, _)| names.is_empty() || names.contains(name))
        .map(|(name, config)| {
            let startup = if config.startup == "enabled" { "enabled" } else { "disabled" };
            J::O(vec![
                ("name", v(name.as_str())),
                ("startup", v(startup)),
                ("current", v(container.service_status(name).as_str())),
            ])
        })
        .collect();
    sync(infos)
}

/// `strings.Title` of an action word.
fn title(word: &str) -> String {
    let mut c = word.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}

fn now_log(message: &str) -> String {
    format!("{} INFO {message}", rfc3339(SystemTime::now()))
}

/// `v1PostServices`, its tasks run at once (servstate `doStart` / `doStop`).
fn post_services(shared: &Shared, req: &Request) -> Reply {
    let payload = match decode(req) {
        Ok(p) => p,
        Err(e) => return bad_request(format!("cannot decode data from request body: {e}")),
    };
    let action = text(&payload, "action").to_owned();
    let mut services = texts(&payload, "services");
    let mut container = shared.lock();
    let plan = container.plan().unwrap_or_default();
    match action.as_str() {
        "replan" | "autostart" if !services.is_empty() => {
            return bad_request(format!("{action} accepts no service names"));
        }
        "replan" => {}
        "autostart" => {
            let enabled: Vec<String> = plan
                .services
                .iter()
                .filter(|(_, s)| s.startup == "enabled")
                .map(|(n, _)| n.clone())
                .collect();
            match plan.start_order(&enabled) {
                Ok(lanes) => services = lanes.concat(),
                Err(e) => return server_error(e.to_string()),
            }
            if services.is_empty() {
                return error_kind(400, "no default services", "no-default-services");
            }
        }
        _ if services.is_empty() => {
            return bad_request(format!("must specify services for {action} action"));
        }
        _ => {}
    }
    let failed =
        |e: crate::pebble::PlanError| bad_request(format!("cannot {action} services: {e}"));
    // (kind, service) in the order they run.
    let mut tasks: Vec<(&str, String)> = Vec::new();
    let mut lanes: Vec<Vec<String>> = Vec::new();
    let mut named: Vec<String> = Vec::new();
    match action.as_str() {
        "start" | "autostart" => {
            lanes = match plan.start_order(&services) {
                Ok(l) => l,
                Err(e) => return failed(e),
            };
            tasks.extend(lanes.concat().into_iter().map(|s| ("start", s)));
        }
        "stop" => {
            lanes = match plan.stop_order(&services) {
                Ok(l) => l,
                Err(e) => return failed(e),
            };
            tasks.extend(lanes.concat().into_iter().map(|s| ("stop", s)));
        }
        "restart" => {
            let stop = match plan.stop_order(&services) {
                Ok(l) => l,
                Err(e) => return failed(e),
            };
            let stop: Vec<String> =
                stop.concat().into_iter().filter(|s| services.contains(s)).collect();
            lanes = match plan.start_order(&services) {
                Ok(l) => l,
                Err(e) => return failed(e),
            };
            tasks.extend(stop.into_iter().map(|s| ("stop", s)));
            tasks.extend(lanes.concat().into_iter().map(|s| ("start", s)));
        }
        "replan" => {
            // ServiceManager.Replan: a service started before whose configuration changed is
            // restarted; every service with `startup: enabled` is started.
            let mut restart = Vec::new();
            for (name, config) in &container.started {
                if plan.services.get(name) != Some(config) {
                    restart.push(name.clone());
                }
            }
            let start: Vec<String> = plan
                .services
                .iter()
                .filter(|(n, s)| restart.contains(n) || s.startup == "enabled")
                .map(|(n, _)| n.clone())
                .collect();
            let stop_lanes = match plan.stop_order(&restart) {
                Ok(l) => l,
                Err(e) => return failed(e),
            };
            let start_lanes = match plan.start_order(&start) {
                Ok(l) => l,
                Err(e) => return failed(e),
            };
            tasks.extend(stop_lanes.concat().into_iter().map(|s| ("stop", s)));
            tasks.extend(start_lanes.concat().into_iter().map(|s| ("start", s)));
            let mut replanned: Vec<String> = tasks.iter().map(|(_, s)| s.clone()).collect();
            replanned.sort();
            replanned.dedup();
            named = replanned.clone();
            services = replanned;
        }
        _ => return bad_request(format!("invalid action \"{action}\"")),
    }
    named.extend(lanes.concat());
    let summary = match named.len() {
        _ if tasks.is_empty() => format!("{} - no services", title(&action)),
        1 => format!("{} service \"{}\"", title(&action), services[0]),
        n => format!("{} service \"{}\" and {} more", title(&action), services[0], n - 1),
    };
    let now = SystemTime::now();
    let mut change_tasks = Vec::new();
    for (kind, service) in tasks {
        let mut log = Vec::new();
        match kind {
            "start" => {
                if container.service_status(&service) == ServiceStatus::Active {
                    log.push(now_log(&format!("Service \"{service}\" already started.")));
                } else {
                    container.service_statuses.insert(service.clone(), ServiceStatus::Active);
                }
                if let Some(config) = plan.services.get(&service) {
                    container.started.insert(service.clone(), config.clone());
                }
            }
            _ => match container.service_statuses.get(&service).copied() {
                None if !container.started.contains_key(&service) => {
                    log.push(now_log(&format!("Service \"{service}\" has never been started.")));
                }
                Some(ServiceStatus::Inactive) | None => {
                    log.push(now_log(&format!("Service \"{service}\" already stopped.")));
                }
                Some(ServiceStatus::Error) => {
                    container.service_statuses.insert(service.clone(), ServiceStatus::Inactive);
                    log.push(now_log(&format!("Service \"{service}\" had already exited.")));
                }
                Some(_) => {
                    container.service_statuses.insert(service.clone(), ServiceStatus::Inactive);
                }
            },
        }
        let summary = format!("{} service \"{service}\"", title(kind));
        let id = container.next_task_id();
        change_tasks.push(Task {
            id,
            kind: kind.into(),
            summary,
            status: "Done".into(),
            log,
            data: BTreeMap::new(),
        });
    }
    let id = container.next_change_id();
    container.changes.push(Change {
        id: id.clone(),
        kind: action.clone(),
        summary,
        tasks: change_tasks,
        spawn_time: now,
        ready_time: Some(SystemTime::now()),
        err: None,
        service_names: services,
    });
    shared.changed.notify_all();
    accepted(&id, None)
}

/// `change2changeInfo`.
fn change_info(change: &Change) -> J {
    let status = if change.err.is_some() {
        "Error"
    } else if change.ready_time.is_some() {
        "Done"
    } else {
        "Doing"
    };
    let tasks: Vec<J> = change
        .tasks
        .iter()
        .map(|t| {
            let done = u64::from(t.status != "Do");
            let mut f = vec![
                ("id", v(t.id.as_str())),
                ("kind", v(t.kind.as_str())),
                ("summary", v(t.summary.as_str())),
                ("status", v(t.status.as_str())),
            ];
            if !t.log.is_empty() {
                f.push(("log", v(json!(t.log))));
            }
            let progress = J::O(vec![("label", v("")), ("done", v(done)), ("total", v(1))]);
            f.push(("progress", progress));
            f.push(("spawn-time", v(rfc3339(change.spawn_time))));
            if let Some(ready) = change.ready_time {
                f.push(("ready-time", v(rfc3339(ready))));
            }
            if !t.data.is_empty() {
                f.push(("data", v(json!(t.data))));
            }
            J::O(f)
        })
        .collect();
    let mut f = vec![
        ("id", v(change.id.as_str())),
        ("kind", v(change.kind.as_str())),
        ("summary", v(change.summary.as_str())),
        ("status", v(status)),
        ("tasks", J::A(tasks)),
        ("ready", v(change.ready_time.is_some())),
    ];
    if let Some(err) = &change.err {
        f.push(("err", v(err.as_str())));
    }
    f.push(("spawn-time", v(rfc3339(change.spawn_time))));
    if let Some(ready) = change.ready_time {
        f.push(("ready-time", v(rfc3339(ready))));
    }
    J::O(f)
}

fn get_changes(shared: &Shared, req: &Request) -> Reply {
    let select = match req.get("select") {
        "" => "in-progress",
        s => s,
    };
    if !["all", "in-progress", "ready"].contains(&select) {
        return bad_request("select should be one of: all,in-progress,ready");
    }
    let wanted = req.get("for");
    let mut container = shared.lock();
    expire_execs(&mut container);
    let infos: Vec<J> = container
        .changes
        .iter()
        .filter(|c| match select {
            "in-progress" => c.ready_time.is_none(),
            "ready" => c.ready_time.is_some(),
            _ => true,
        })
        .filter(|c| wanted.is_empty() || c.service_names.iter().any(|n| n == wanted))
        .map(change_info)
        .collect();
    sync(infos)
}

fn get_change(shared: &Shared, id: &str) -> Reply {
    let mut container = shared.lock();
    expire_execs(&mut container);
    match container.changes.iter().find(|c| c.id == id) {
        Some(c) => sync(change_info(c)),
        None => not_found(format!("cannot find change with id \"{id}\"")),
    }
}

/// An exec whose I/O websockets did not connect within 5 seconds fails, as cmdstate's
/// `waitIOConnected` makes it fail.
fn expire_execs(container: &mut Container) {
    let now = SystemTime::now();
    for change in &mut container.changes {
        let late = now.duration_since(change.spawn_time).unwrap_or_default() > CONNECT_TIMEOUT;
        if change.kind == "exec" && change.ready_time.is_none() && late {
            let task = change.tasks.first().map_or(String::new(), |t| t.id.clone());
            let why = format!(
                "exec {task}: timeout waiting for websocket connections: context deadline exceeded"
            );
            for t in &mut change.tasks {
                t.status = "Error".into();
                t.log.push(format!("{} ERROR {why}", rfc3339(now)));
            }
            change.err =
                Some(format!("cannot perform the following tasks:\n- {} ({why})", change.summary));
            change.ready_time = Some(now);
        }
    }
}

fn wait_change(shared: &Shared, id: &str, req: &Request) -> Reply {
    let timeout = match optional_duration(req.get("timeout")) {
        Ok(t) => t,
        Err(e) => return bad_request(format!("invalid timeout: {e}")),
    };
    let started = Instant::now();
    let mut container = shared.lock();
    loop {
        expire_execs(&mut container);
        let Some(change) = container.changes.iter().find(|c| c.id == id) else {
            return not_found(format!("cannot find change with id \"{id}\""));
        };
        if change.ready_time.is_some() {
            return sync(change_info(change));
        }
        if let Some(t) = timeout
            && started.elapsed() >= Duration::from_nanos(t.as_nanos().max(0) as u64)
        {
            return error_kind(504, &format!("timed out waiting for change after {t}"), "");
        }
        container = shared
            .changed
            .wait_timeout(container, Duration::from_millis(50))
            .map(|(g, _)| g)
            .unwrap_or_else(|e| e.into_inner().0);
    }
}

/// `parseOptionalDuration`: empty is none.
fn optional_duration(s: &str) -> Result<Option<GoDuration>, String> {
    if s.is_empty() {
        return Ok(None);
    }
    s.parse::<GoDuration>().map(|d| Some(d).filter(|d| !d.is_zero()))
}

fn get_checks(shared: &Shared, req: &Request) -> Reply {
    let level = req.get("level");
    if !["", "alive", "ready"].contains(&level) {
        return bad_request("level must be \"alive\" or \"ready\"");
    }
    let names = comma_list(req, "names");
    let container = shared.lock();
    let plan = container.plan().unwrap_or_default();
    let mut all: BTreeMap<String, (String, J)> = BTreeMap::new();
    for (name, check) in &plan.checks {
        let startup = if check.startup.is_empty() { "enabled" } else { check.startup.as_str() };
        let state = container.checks.get(name);
        let status = state
            .map_or(if startup == "disabled" { "inactive" } else { "up" }, |s| s.status.as_str());
        let check_level = state
            .map(|s| s.level.as_str())
            .filter(|l| !l.is_empty())
            .unwrap_or(check.level.as_str());
        all.insert(
            name.clone(),
            (
                check_level.to_owned(),
                check_json(
                    name,
                    check_level,
                    state.map_or(startup, |s| s.startup.as_str()),
                    status,
                    state.map_or(0, |s| s.successes),
                    state.map_or(0, |s| s.failures),
                    state.map_or(check.threshold.max(0) as u64, |s| s.threshold),
                ),
            ),
        );
    }
    for (name, s) in &container.checks {
        all.entry(name.clone()).or_insert_with(|| {
            let info = check_json(
                name,
                &s.level,
                &s.startup,
                &s.status,
                s.successes,
                s.failures,
                s.threshold,
            );
            (s.level.clone(), info)
        });
    }
    let infos: Vec<J> = all
        .into_iter()
        .filter(|(name, (check_level, _))| {
            let level_ok = level.is_empty() || check_level == level;
            level_ok && (names.is_empty() || names.contains(name))
        })
        .map(|(_, (_, info))| info)
        .collect();
    sync(infos)
}

/// `checkInfo`, in Go's field order.
fn check_json(
    name: &str,
    level: &str,
    startup: &str,
    status: &str,
    successes: u64,
    failures: u64,
    threshold: u64,
) -> J {
    let mut f = vec![("name", v(name))];
    if !level.is_empty() {
        f.push(("level", v(level)));
    }
    f.push(("startup", v(startup)));
    f.push(("status", v(status)));
    f.push(("successes", v(successes)));
    if failures != 0 {
        f.push(("failures", v(failures)));
    }
    f.push(("threshold", v(threshold)));
    J::O(f)
}

/// `jsonNotice`, in Go's field order.
fn notice_json(n: &Notice) -> J {
    let mut f = vec![
        ("id", v(n.id.as_str())),
        ("user-id", v(json!(n.user_id))),
        ("type", v(n.r#type.as_str())),
        ("key", v(n.key.as_str())),
        ("first-occurred", v(rfc3339(n.first_occurred))),
        ("last-occurred", v(rfc3339(n.last_occurred))),
        ("last-repeated", v(rfc3339(n.last_repeated))),
        ("occurrences", v(n.occurrences)),
    ];
    if !n.last_data.is_empty() {
        f.push(("last-data", v(json!(n.last_data))));
    }
    if let Some(d) = n.repeat_after.filter(|d| !d.is_zero()) {
        f.push(("repeat-after", v(d.to_string())));
    }
    if let Some(d) = n.expire_after.filter(|d| !d.is_zero()) {
        f.push(("expire-after", v(d.to_string())));
    }
    J::O(f)
}

/// The charm's user: Juju's charm container runs as root, which Pebble sees as UID 0 with admin
/// access.
const CHARM_UID: u32 = 0;

fn get_notices(shared: &Shared, req: &Request) -> Reply {
    let mut user: Option<Option<u32>> = Some(Some(CHARM_UID));
    if req.has("user-id") {
        let ids = comma_list(req, "user-id");
        if ids.len() != 1 {
            return bad_request("invalid \"user-id\" filter: must only include one \"user-id\"");
        }
        match ids[0].parse::<i64>() {
            Ok(n) if (0..=i64::from(u32::MAX)).contains(&n) => user = Some(Some(n as u32)),
            Ok(n) => {
                return bad_request(format!(
                    "invalid \"user-id\" filter: user ID is not a valid uint32: {n}"
                ));
            }
            Err(_) => {
                return bad_request(format!(
                    "invalid \"user-id\" filter: strconv.ParseInt: parsing \"{}\": invalid syntax",
                    ids[0]
                ));
            }
        }
    }
    if req.has("users") {
        if req.has("user-id") {
            return bad_request("cannot use both \"users\" and \"user-id\" parameters");
        }
        if req.get("users") != "all" {
            return bad_request("invalid \"users\" filter: must be \"all\"");
        }
        user = None;
    }
    let requested = comma_list(req, "types");
    let types: Vec<String> = requested
        .iter()
        .filter(|t| ["change-update", "custom", "warning"].contains(&t.as_str()))
        .cloned()
        .collect();
    if types.is_empty() && !requested.is_empty() {
        return sync(Vec::<J>::new());
    }
    let keys = comma_list(req, "keys");
    let after = match req.get("after") {
        "" => None,
        s => match parse_rfc3339(s) {
            Some(t) => Some(t),
            None => {
                return bad_request(format!(
                    "invalid \"after\" timestamp: parsing time \"{s}\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \"{s}\" as \"2006\""
                ));
            }
        },
    };
    let timeout = match optional_duration(req.get("timeout")) {
        Ok(t) => t,
        Err(e) => return bad_request(format!("invalid timeout: {e}")),
    };
    let matches = |n: &Notice| {
        let user_ok = match user {
            None => true,
            Some(uid) => n.user_id.is_none() || n.user_id == uid,
        };
        user_ok
            && (types.is_empty() || types.contains(&n.r#type))
            && (keys.is_empty() || keys.contains(&n.key))
            && after.is_none_or(|a| n.last_repeated > a)
    };
    let started = Instant::now();
    let mut container = shared.lock();
    loop {
        let mut found: Vec<&Notice> = container.notices.iter().filter(|n| matches(n)).collect();
        let wait = timeout.map(|t| Duration::from_nanos(t.as_nanos().max(0) as u64));
        if !found.is_empty() || wait.is_none_or(|w| started.elapsed() >= w) {
            found.sort_by_key(|n| n.last_repeated);
            return sync(found.into_iter().map(notice_json).collect::<Vec<J>>());
        }
        container = shared
            .changed
            .wait_timeout(container, Duration::from_millis(50))
            .map(|(g, _)| g)
            .unwrap_or_else(|e| e.into_inner().0);
    }
}

/// Pebble's custom notice key (`customKeyRegexp`): `domain.tld/path`, lower case.
fn valid_custom_key(key: &str) -> bool {
    let word = |w: &str| {
        !w.is_empty()
            && w.split('-').all(|p| {
                !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            })
    };
    let Some((domain, path)) = key.split_once('/') else { return false };
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2 && labels.iter().all(|l| word(l)) && path.split('/').all(word)
}

fn post_notice(shared: &Shared, req: &Request) -> Reply {
    let payload = match decode(req) {
        Ok(p) => p,
        Err(e) => return bad_request(format!("cannot decode request body: {e}")),
    };
    let action = text(&payload, "action");
    if action != "add" {
        return bad_request(format!("invalid action \"{action}\""));
    }
    let kind = text(&payload, "type");
    if kind != "custom" {
        return bad_request(format!("invalid type \"{kind}\" (can only add \"custom\" notices)"));
    }
    let key = text(&payload, "key");
    if !valid_custom_key(key) {
        return bad_request(format!(
            "invalid key \"{key}\" (must be in \"example.com/path\" format)"
        ));
    }
    if key.len() > 256 {
        return bad_request("key must be 256 bytes or less");
    }
    let repeat_after = match optional_duration(text(&payload, "repeat-after")) {
        Ok(d) => d,
        Err(e) => return bad_request(format!("invalid repeat-after: {e}")),
    };
    let data = payload.get("data").cloned().unwrap_or(Value::Null);
    if data.to_string().len() > 4096 {
        return bad_request("total size of data must be 4096 bytes or less");
    }
    let data: BTreeMap<String, String> = match data {
        Value::Null => BTreeMap::new(),
        other => match serde_json::from_value(other) {
            Ok(d) => d,
            Err(e) => return bad_request(format!("cannot decode notice data: {e}")),
        },
    };
    let now = SystemTime::now();
    let mut container = shared.lock();
    let existing = container
        .notices
        .iter()
        .position(|n| n.user_id == Some(CHARM_UID) && n.r#type == "custom" && n.key == key);
    let id = match existing {
        Some(i) => {
            let n = &mut container.notices[i];
            n.occurrences += 1;
            let due = repeat_after.is_none_or(|r| {
                now.duration_since(n.last_repeated).unwrap_or_default()
                    > Duration::from_nanos(r.as_nanos().max(0) as u64)
            });
            if due {
                n.last_repeated = now;
            }
            n.last_occurred = now;
            n.last_data = data;
            n.repeat_after = repeat_after;
            n.id.clone()
        }
        None => {
            let id = container.next_notice_id();
            let mut notice = Notice::custom(key).id(id.clone());
            notice.user_id = Some(CHARM_UID);
            (notice.first_occurred, notice.last_occurred, notice.last_repeated) = (now, now, now);
            notice.last_data = data;
            notice.repeat_after = repeat_after;
            container.notices.push(notice);
            id
        }
    };
    shared.changed.notify_all();
    sync(json!({"id": id}))
}

fn get_notice(shared: &Shared, id: &str) -> Reply {
    let container = shared.lock();
    match container.notices.iter().find(|n| n.id == id) {
        Some(n) => sync(notice_json(n)),
        None => not_found(format!("cannot find notice with ID \"{id}\"")),
    }
}

/// Go's `*PathError` text for a missing path.
fn enoent(op: &str, path: &str) -> FileError {
    FileError::new("not-found", format!("{op} {path}: no such file or directory"))
}

/// A file operation's error: its kind (`not-found`, `permission-denied`,
/// `generic-file-error`) and message.
#[derive(Debug)]
struct FileError {
    kind: &'static str,
    message: String,
}

impl FileError {
    fn new(kind: &'static str, message: String) -> Self {
        FileError { kind, message }
    }

    fn generic(message: String) -> Self {
        Self::new("generic-file-error", message)
    }

    fn status(&self) -> u16 {
        match self.kind {
            "not-found" => 404,
            "permission-denied" => 403,
            _ => 400,
        }
    }
}

/// `fileResult`: the path, and its error if any.
fn file_result(path: &str, error: Option<FileError>) -> J {
    let mut fields = vec![("path", v(path))];
    if let Some(e) = error {
        fields.push(("error", error_result(&e.message, e.kind)));
    }
    J::O(fields)
}

/// `errorResult`: `message`, then `kind` if any.
fn error_result(message: &str, kind: &str) -> J {
    let mut fields = vec![("message", v(message))];
    if !kind.is_empty() {
        fields.push(("kind", v(kind)));
    }
    J::O(fields)
}

fn get_files(shared: &Shared, req: &Request) -> Reply {
    match req.get("action") {
        "read" => {
            let paths: Vec<String> = req.all("path").into_iter().map(str::to_owned).collect();
            if paths.is_empty() {
                return bad_request("must specify one or more paths");
            }
            if req.header("accept") != Some("multipart/form-data") {
                return bad_request("must accept multipart/form-data");
            }
            read_files(shared, &paths)
        }
        "list" => {
            let path = req.get("path");
            if path.is_empty() {
                return bad_request("must specify path");
            }
            let itself = req.get("itself");
            if !["true", "false", ""].contains(&itself) {
                return bad_request("itself parameter must be \"true\" or \"false\"");
            }
            if !path.starts_with('/') {
                return bad_request(format!("path must be absolute, got \"{path}\""));
            }
            let container = shared.lock();
            match list_files(&container, path, req.get("pattern"), itself == "true") {
                Ok(list) => sync(list),
                Err(e) => error_kind(e.status(), &e.message, e.kind),
            }
        }
        action => bad_request(format!("invalid action \"{action}\"")),
    }
}

fn read_files(shared: &Shared, paths: &[String]) -> Reply {
    let container = shared.lock();
    let mut w = MultipartWriter::new(container.last_ids.0);
    let mut results = Vec::new();
    for path in paths {
        let error = if path.starts_with('/') {
            let key = clean(path).unwrap_or_default();
            match container.files.get(&key) {
                None => Some(enoent("stat", path)),
                Some(FileEntry { content: None, .. }) => {
                    Some(FileError::generic(format!("can only read a regular file: \"{path}\"")))
                }
                Some(FileEntry { content: Some(bytes), .. }) => {
                    let disposition = format!("form-data; name=\"files\"; filename=\"{path}\"");
                    w.part(
                        &[
                            ("Content-Disposition", &disposition),
                            ("Content-Type", "application/octet-stream"),
                        ],
                        bytes,
                    );
                    None
                }
            }
        } else {
            Some(FileError::generic(format!("paths must be absolute, got \"{path}\"")))
        };
        results.push(file_result(path, error));
    }
    let metadata = format!(
        "{{\"type\":\"sync\",\"status-code\":200,\"status\":\"OK\",\"result\":{}}}\n",
        J::A(results).to_json()
    );
    w.part(
        &[
            ("Content-Type", "application/json"),
            ("Content-Disposition", "form-data; name=\"response\""),
        ],
        metadata.as_bytes(),
    );
    let content_type = format!("multipart/form-data; boundary={}", w.boundary);
    Reply::Http(Response {
        status: 200,
        headers: vec![("Content-Type".into(), content_type)],
        body: w.finish(),
    })
}

fn list_files(
    container: &Container,
    path: &str,
    pattern: &str,
    itself: bool,
) -> Result<Vec<J>, FileError> {
    let key = clean(path).unwrap_or_default();
    let entry = container.files.get(&key).ok_or_else(|| enoent("stat", path))?;
    let entries: Vec<(String, &FileEntry)> = if !entry.is_dir() || itself {
        vec![(key.clone(), entry)]
    } else {
        let prefix = if key == "/" { "/".to_owned() } else { format!("{key}/") };
        container
            .files
            .iter()
            .filter(|(p, _)| {
                p.strip_prefix(&prefix).is_some_and(|rest| !rest.is_empty() && !rest.contains('/'))
            })
            .map(|(p, e)| (p.clone(), e))
            .collect()
    };
    let mut out = Vec::new();
    for (full, e) in entries {
        let name = full.rsplit('/').next().filter(|n| !n.is_empty()).unwrap_or("/").to_owned();
        if !pattern.is_empty() && !glob(pattern, &name).map_err(FileError::generic)? {
            continue;
        }
        let mut f = vec![
            ("path", v(full.as_str())),
            ("name", v(name.as_str())),
            ("type", v(if e.is_dir() { "directory" } else { "file" })),
        ];
        if let Some(bytes) = &e.content {
            f.push(("size", v(bytes.len())));
        }
        f.push(("permissions", v(format!("{:03o}", e.permissions))));
        let modified = rfc3339(e.modified);
        // RFC 3339 without fractions (Go's time.RFC3339).
        let modified = match modified.split_once('.') {
            Some((whole, _)) => format!("{whole}Z"),
            None => modified,
        };
        f.push(("last-modified", v(modified)));
        f.push(("user-id", v(e.user_id)));
        f.push(("user", v(e.user.as_str())));
        f.push(("group-id", v(e.group_id)));
        f.push(("group", v(e.group.as_str())));
        out.push(J::O(f));
    }
    Ok(out)
}

/// Go's `path.Match` (`*`, `?`, `[…]` classes with ranges and `^`, `\` escapes).
fn glob(pattern: &str, name: &str) -> Result<bool, String> {
    fn matches(p: &[char], n: &[char]) -> Result<bool, String> {
        let Some((&first, rest)) = p.split_first() else { return Ok(n.is_empty()) };
        match first {
            '*' => {
                for i in 0..=n.len() {
                    if n[..i].contains(&'/') {
                        break;
                    }
                    if matches(rest, &n[i..])? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            '?' => match n.split_first() {
                Some((c, tail)) if *c != '/' => matches(rest, tail),
                _ => Ok(false),
            },
            '[' => {
                let close = rest.iter().position(|c| *c == ']').ok_or("syntax error in pattern")?;
                let class = &rest[..close];
                let (negate, class) = match class.split_first() {
                    Some(('^', c)) => (true, c),
                    _ => (false, class),
                };
                let Some((c, tail)) = n.split_first() else { return Ok(false) };
                let mut hit = false;
                let mut i = 0;
                while i < class.len() {
                    if i + 2 < class.len() && class[i + 1] == '-' {
                        hit |= (class[i]..=class[i + 2]).contains(c);
                        i += 3;
                    } else {
                        hit |= class[i] == *c;
                        i += 1;
                    }
                }
                if hit != negate { matches(&rest[close + 1..], tail) } else { Ok(false) }
            }
            '\\' => match (rest.split_first(), n.split_first()) {
                (Some((e, prest)), Some((c, tail))) if e == c => matches(prest, tail),
                (None, _) => Err("syntax error in pattern".into()),
                _ => Ok(false),
            },
            c => match n.split_first() {
                Some((x, tail)) if *x == c => matches(rest, tail),
                _ => Ok(false),
            },
        }
    }
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    matches(&p, &n)
}

/// Owner and group as `osutil.NormalizeUidGid` resolves them against the container's users
/// and groups: `None` when none is given (root's).
fn normalize_owner(
    container: &Container,
    uid: Option<i64>,
    gid: Option<i64>,
    user: &str,
    group: &str,
) -> Result<Option<(i64, i64)>, String> {
    if uid.is_none() && user.is_empty() && gid.is_none() && group.is_empty() {
        return Ok(None);
    }
    let mut uid = uid;
    let mut gid = gid;
    if !user.is_empty() {
        let (n, _) = container.users.get(user).ok_or(format!("user: unknown user {user}"))?;
        if let Some(u) = uid.filter(|u| *u != i64::from(*n)) {
            return Err(format!("user \"{user}\" UID ({n}) does not match user-id ({u})"));
        }
        uid = Some(i64::from(*n));
    }
    if !group.is_empty() {
        let n = container.groups.get(group).ok_or(format!("user: unknown group {group}"))?;
        if let Some(g) = gid.filter(|g| *g != i64::from(*n)) {
            return Err(format!("group \"{group}\" GID ({n}) does not match group-id ({g})"));
        }
        gid = Some(i64::from(*n));
    }
    if gid.is_none() {
        let Some(u) = uid else { return Err("must specify user, not just group".into()) };
        let primary = container
            .users
            .values()
            .find(|(id, _)| i64::from(*id) == u)
            .map(|(_, g)| i64::from(*g))
            .ok_or(format!("user: unknown userid {u}"))?;
        gid = Some(primary);
    }
    match (uid, gid) {
        (Some(u), Some(g)) => Ok(Some((u, g))),
        _ => Err("must specify user, not just group".into()),
    }
}

fn owner_names(container: &Container, owner: Option<(i64, i64)>) -> (String, u32, String, u32) {
    let (uid, gid) = owner.map_or((0, 0), |(u, g)| (u as u32, g as u32));
    let user = container
        .users
        .iter()
        .find(|(_, (id, _))| *id == uid)
        .map_or(String::new(), |(n, _)| n.clone());
    let group = container
        .groups
        .iter()
        .find(|(_, id)| **id == gid)
        .map_or(String::new(), |(n, _)| n.clone());
    (user, uid, group, gid)
}

fn item_owner(m: &Map<String, Value>) -> (Option<i64>, Option<i64>, String, String) {
    (
        m.get("user-id").and_then(Value::as_i64),
        m.get("group-id").and_then(Value::as_i64),
        text(m, "user").to_owned(),
        text(m, "group").to_owned(),
    )
}

/// `parsePermissions`.
fn permissions(text: &str, default: u32) -> Result<u32, FileError> {
    if text.is_empty() {
        return Ok(default);
    }
    match u32::from_str_radix(text, 8) {
        Ok(p) if text.len() == 3 => Ok(p),
        _ => Err(FileError::generic(format!(
            "permissions must be a 3-digit octal string, got \"{text}\""
        ))),
    }
}

/// `osutil.Mkdir`: one directory, or it and its parents; Go's `PathError`s (a missing parent
/// is reported on Pebble's temporary name, `<path>.mkdir-new`).
fn mkdir(
    container: &mut Container,
    path: &str,
    perm: u32,
    parents: bool,
    exist_ok: bool,
    owner: (String, u32, String, u32),
) -> Result<(), FileError> {
    if let Some(e) = container.files.get(path) {
        if !e.is_dir() {
            return Err(FileError::generic(format!("mkdir {path}: not a directory")));
        }
        if exist_ok {
            return Ok(());
        }
        return Err(FileError::generic(format!("mkdir {path}: file exists")));
    }
    if let Some(parent) = parent_of(path) {
        match container.files.get(&parent) {
            Some(e) if !e.is_dir() => {
                return Err(FileError::generic(format!("mkdir {parent}: not a directory")));
            }
            Some(_) => {}
            None if parents => mkdir(container, &parent, perm, true, true, owner.clone())?,
            None => return Err(enoent("mkdir", &format!("{path}.mkdir-new"))),
        }
    }
    let (user, user_id, group, group_id) = owner;
    container.files.insert(
        path.to_owned(),
        FileEntry {
            content: None,
            permissions: perm,
            user,
            user_id,
            group,
            group_id,
            modified: SystemTime::now(),
        },
    );
    Ok(())
}

fn post_files(shared: &Shared, req: &Request) -> Reply {
    let content_type = req.header("content-type").unwrap_or("");
    let (media, params) = media_type(content_type);
    match media.as_str() {
        "multipart/form-data" => {
            let boundary =
                params.iter().find(|(k, _)| k == "boundary").map_or("", |(_, v)| v.as_str());
            if boundary.len() < 32 {
                return bad_request(format!("invalid boundary \"{boundary}\""));
            }
            write_files(shared, &req.body, boundary)
        }
        "application/json" => {
            let payload = match decode(req) {
                Ok(p) => p,
                Err(e) => return bad_request(format!("cannot decode request body: {e}")),
            };
            let items = |key: &str| -> Vec<Map<String, Value>> {
                payload
                    .get(key)
                    .and_then(Value::as_array)
                    .map(|a| a.iter().filter_map(|v| v.as_object().cloned()).collect())
                    .unwrap_or_default()
            };
            match text(&payload, "action") {
                "make-dirs" => {
                    let mut container = shared.lock();
                    let results: Vec<J> = items("dirs")
                        .iter()
                        .map(|d| {
                            let path = text(d, "path");
                            file_result(path, make_dir(&mut container, d).err())
                        })
                        .collect();
                    sync(results)
                }
                "remove" => {
                    let mut container = shared.lock();
                    let results: Vec<J> = items("paths")
                        .iter()
                        .map(|p| {
                            let path = text(p, "path");
                            file_result(
                                path,
                                remove(&mut container, path, flag(p, "recursive")).err(),
                            )
                        })
                        .collect();
                    sync(results)
                }
                "write" => bad_request("must use multipart with \"write\" action"),
                action => bad_request(format!("invalid action \"{action}\"")),
            }
        }
        _ => bad_request(format!("invalid media type \"{media}\"")),
    }
}

fn make_dir(container: &mut Container, d: &Map<String, Value>) -> Result<(), FileError> {
    let path = text(d, "path");
    if !path.starts_with('/') {
        return Err(FileError::generic(format!("paths must be absolute, got \"{path}\"")));
    }
    let perm = permissions(text(d, "permissions"), 0o755)?;
    let (uid, gid, user, group) = item_owner(d);
    let owner = normalize_owner(container, uid, gid, &user, &group)
        .map_err(|e| FileError::generic(format!("cannot look up user and group: {e}")))?;
    let owner = owner_names(container, owner);
    let path = clean(path).unwrap_or_default();
    let parents = flag(d, "make-parents");
    mkdir(container, &path, perm, parents, parents, owner)
}

fn remove(container: &mut Container, path: &str, recursive: bool) -> Result<(), FileError> {
    if !path.starts_with('/') {
        return Err(FileError::generic(format!("paths must be absolute, got \"{path}\"")));
    }
    let key = clean(path).unwrap_or_default();
    let prefix = if key == "/" { "/".to_owned() } else { format!("{key}/") };
    let has_children = container.files.keys().any(|p| p.starts_with(&prefix) && *p != key);
    if recursive {
        // os.RemoveAll: a missing path is not an error.
        container.files.retain(|p, _| *p != key && !p.starts_with(&prefix));
        if key == "/" {
            container.files.insert("/".into(), FileEntry::directory());
        }
        return Ok(());
    }
    if !container.files.contains_key(&key) {
        return Err(enoent("remove", path));
    }
    if has_children {
        return Err(FileError::generic(format!("remove {path}: directory not empty")));
    }
    container.files.remove(&key);
    Ok(())
}

fn write_files(shared: &Shared, body: &[u8], boundary: &str) -> Reply {
    let parts = match parse_multipart(body, boundary) {
        Ok(p) => p,
        Err(e) => return bad_request(format!("cannot read request metadata: {e}")),
    };
    let Some((first, files)) = parts.split_first() else {
        return bad_request("cannot read request metadata: EOF");
    };
    if first.name != "request" {
        return bad_request(format!(
            "metadata field name must be \"request\", got \"{}\"",
            first.name
        ));
    }
    let payload: Map<String, Value> = match serde_json::from_slice(&first.body) {
        Ok(p) => p,
        Err(e) => return bad_request(format!("cannot decode request metadata: {e}")),
    };
    let action = text(&payload, "action");
    if action != "write" {
        return bad_request(format!("multipart action must be \"write\", got \"{action}\""));
    }
    let items: Vec<Map<String, Value>> = payload
        .get("files")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|v| v.as_object().cloned()).collect())
        .unwrap_or_default();
    if items.is_empty() {
        return bad_request("must specify one or more files");
    }
    let infos: BTreeMap<&str, &Map<String, Value>> =
        items.iter().map(|i| (text(i, "path"), i)).collect();
    for part in files {
        if part.name != "files" {
            return bad_request(format!("field name must be \"files\", got \"{}\"", part.name));
        }
        if !infos.contains_key(part.filename.as_str()) {
            return bad_request(format!("no metadata for path \"{}\"", part.filename));
        }
    }
    let mut container = shared.lock();
    let mut errors: BTreeMap<String, Option<FileError>> = BTreeMap::new();
    for part in files {
        let info = infos[part.filename.as_str()];
        errors.insert(part.filename.clone(), write_file(&mut container, info, &part.body).err());
    }
    let results: Vec<J> = items
        .iter()
        .map(|i| {
            let path = text(i, "path");
            let error = match errors.remove(path) {
                Some(e) => e,
                None => Some(FileError::generic(format!("no file content for path \"{path}\""))),
            };
            file_result(path, error)
        })
        .collect();
    sync(results)
}

/// `writeFile`: into an existing directory (made first with `make-dirs`), atomically.
fn write_file(
    container: &mut Container,
    item: &Map<String, Value>,
    content: &[u8],
) -> Result<(), FileError> {
    let path = text(item, "path");
    if !path.starts_with('/') {
        return Err(FileError::generic(format!("paths must be absolute, got \"{path}\"")));
    }
    let (uid, gid, user, group) = item_owner(item);
    let owner = normalize_owner(container, uid, gid, &user, &group)
        .map_err(|e| FileError::generic(format!("cannot look up user and group: {e}")))?;
    let names = owner_names(container, owner);
    let key = clean(path).unwrap_or_default();
    let parent = parent_of(&key).unwrap_or_else(|| "/".into());
    if flag(item, "make-dirs") {
        mkdir(container, &parent, 0o755, true, true, names.clone()).map_err(|e| {
            FileError::new(e.kind, format!("cannot create directory: {}", e.message))
        })?;
    }
    let perm = permissions(text(item, "permissions"), 0o644)?;
    match container.files.get(&parent) {
        Some(e) if e.is_dir() => {}
        // os.CreateTemp in the parent: Go's name for the temporary file ends in a random
        // number and `~`.
        Some(_) => {
            return Err(FileError::generic(format!(
                "open {key}.{}~: not a directory",
                temp_suffix()
            )));
        }
        None => return Err(enoent("open", &format!("{key}.{}~", temp_suffix()))),
    }
    if container.files.get(&key).is_some_and(FileEntry::is_dir) {
        return Err(FileError::generic(format!(
            "rename {key}.{}~ {key}: file exists",
            temp_suffix()
        )));
    }
    let (user, user_id, group, group_id) =
        if owner.is_some() { names } else { ("root".into(), 0, "root".into(), 0) };
    container.files.insert(
        key,
        FileEntry {
            content: Some(content.to_vec()),
            permissions: perm,
            user,
            user_id,
            group,
            group_id,
            modified: SystemTime::now(),
        },
    );
    Ok(())
}

/// The random part of Go's `os.CreateTemp` names.
fn temp_suffix() -> u32 {
    use std::hash::BuildHasher;
    (std::collections::hash_map::RandomState::new().hash_one(SystemTime::now()) % 4_000_000_000)
        as u32
}

/// `v1PostExec` with cmdstate's `Exec`: the command must match a declared handler (Pebble
/// checks the executable exists first); the change waits for the websockets.
fn post_exec(shared: &Shared, req: &Request) -> Reply {
    let payload = match decode(req) {
        Ok(p) => p,
        Err(e) => return bad_request(format!("cannot decode request body: {e}")),
    };
    let command = texts(&payload, "command");
    if command.is_empty() {
        return bad_request("must specify command");
    }
    let timeout = text(&payload, "timeout").to_owned();
    if let Err(e) = optional_duration(&timeout) {
        return bad_request(format!("invalid timeout: {e}"));
    }
    let mut container = shared.lock();
    let handler = container
        .execs
        .iter()
        .filter(|e| command.starts_with(&e.command_prefix))
        .max_by_key(|e| e.command_prefix.len())
        .cloned();
    let Some(handler) = handler else {
        return bad_request(format!("cannot find executable \"{}\"", command[0]));
    };
    let plan = container.plan().unwrap_or_default();
    let (uid, gid, user, group) = item_owner(&payload);
    let mut environment: BTreeMap<String, String> = payload
        .get("environment")
        .and_then(Value::as_object)
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_owned())).collect())
        .unwrap_or_default();
    let mut working_dir = text(&payload, "working-dir").to_owned();
    let (mut uid, mut gid, mut user, mut group) = (uid, gid, user, group);
    let context = text(&payload, "service-context");
    if !context.is_empty() {
        // plan.MergeServiceContext: the service's options under the request's.
        let Some(service) = plan.services.get(context) else {
            return bad_request(format!("context service \"{context}\" not found"));
        };
        let mut merged = service.environment.clone();
        merged.extend(environment);
        environment = merged;
        uid = uid.or(service.user_id);
        gid = gid.or(service.group_id);
        if user.is_empty() {
            user.clone_from(&service.user);
        }
        if group.is_empty() {
            group.clone_from(&service.group);
        }
        if working_dir.is_empty() {
            working_dir.clone_from(&service.working_dir);
        }
    }
    let owner = match normalize_owner(&container, uid, gid, &user, &group) {
        Ok(o) => o,
        Err(e) => return bad_request(e),
    };
    let (user_name, ..) = owner_names(&container, owner);
    let home = match owner {
        None => "/root".to_owned(),
        Some((0, _)) => "/root".to_owned(),
        Some(_) if !user_name.is_empty() => format!("/home/{user_name}"),
        Some(_) => String::new(),
    };
    let mut env = BTreeMap::new();
    env.extend(environment);
    env.entry("PATH".into())
        .or_insert_with(|| "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".into());
    if env.get("HOME").is_none_or(String::is_empty) && !home.is_empty() {
        env.insert("HOME".into(), home.clone());
    }
    if env.get("USER").is_none_or(String::is_empty) {
        let name = if owner.is_none() { "root".to_owned() } else { user_name.clone() };
        if !name.is_empty() {
            env.insert("USER".into(), name);
        }
    }
    env.entry("LANG".into()).or_insert_with(|| "C.UTF-8".into());
    // cmdstate getWorkingDir: the request's, or the home directory, which must exist.
    let (dir, what) = if working_dir.is_empty() {
        (env.get("HOME").cloned().unwrap_or_default(), "home directory")
    } else {
        (working_dir.clone(), "working directory")
    };
    let dir = if dir.is_empty() { "/".to_owned() } else { dir };
    match container.files.get(&clean(&dir).unwrap_or_default()) {
        None => return server_error(format!("cannot call exec: {what} \"{dir}\" does not exist")),
        Some(e) if !e.is_dir() => {
            return server_error(format!("cannot call exec: {what} \"{dir}\" not a directory"));
        }
        Some(_) => {}
    }
    let summary = format!("Execute command \"{}\"", command[0]);
    let task_id = container.next_task_id();
    let change_id = container.next_change_id();
    container.changes.push(Change {
        id: change_id.clone(),
        kind: "exec".into(),
        summary: summary.clone(),
        tasks: vec![Task {
            id: task_id.clone(),
            kind: "exec".into(),
            summary,
            status: "Doing".into(),
            log: Vec::new(),
            data: BTreeMap::new(),
        }],
        spawn_time: SystemTime::now(),
        ready_time: None,
        err: None,
        service_names: Vec::new(),
    });
    container.executed.push(ExecCall {
        command,
        environment: env.clone(),
        working_dir: dir.clone(),
        user_id: uid,
        user,
        group_id: gid,
        group,
        timeout,
        stdin: Vec::new(),
        exit_code: handler.exit_code,
    });
    let call = container.executed.len() - 1;
    drop(container);
    shared.sessions().insert(
        task_id.clone(),
        ExecSession {
            change: change_id.clone(),
            call,
            stdout: handler.stdout,
            stderr: handler.stderr,
            exit_code: handler.exit_code,
            split_stderr: flag(&payload, "split-stderr"),
            connected: Vec::new(),
            streams: BTreeMap::new(),
            done: false,
        },
    );
    let result = json!({"environment": env, "task-id": task_id, "working-dir": dir});
    accepted(&change_id, Some(result))
}

/// `v1GetTaskWebsocket` and cmdstate's `connect`: which websocket may be upgraded.
fn task_websocket(shared: &Shared, task: &str, id: &str) -> Reply {
    let container = shared.lock();
    let kind = container
        .changes
        .iter()
        .flat_map(|c| &c.tasks)
        .find(|t| t.id == task)
        .map(|t| t.kind.clone());
    drop(container);
    let Some(kind) = kind else { return not_found(format!("cannot find task \"{task}\"")) };
    if kind != "exec" {
        return bad_request(format!("\"{kind}\" tasks do not have websockets"));
    }
    let sessions = shared.sessions();
    let Some(session) = sessions.get(task) else {
        return not_found(format!("cannot find {id} websocket for task \"{task}\""));
    };
    let known = id == "control" || id == "stdio" || (id == "stderr" && session.split_stderr);
    if !known {
        return not_found(format!("cannot find {id} websocket for task \"{task}\""));
    }
    if session.connected.iter().any(|c| c == id) {
        return server_error(format!("{id} websocket already connected"));
    }
    Reply::Websocket { task: task.to_owned(), id: id.to_owned() }
}

/// Marks an exec's change done with its exit code (cmdstate `setExitCode`) and records its
/// stdin.
pub(crate) fn finish_exec(shared: &Shared, change: &str, exit_code: i32) {
    let mut container = shared.lock();
    if let Some(c) = container.changes.iter_mut().find(|c| c.id == change) {
        for t in &mut c.tasks {
            t.status = "Done".into();
            t.data.insert("exit-code".into(), i64::from(exit_code));
        }
        c.ready_time = Some(SystemTime::now());
    }
    shared.changed.notify_all();
}

/// Appends what the charm sent to an exec's stdin.
pub(crate) fn record_stdin(shared: &Shared, call: usize, data: &[u8]) {
    let mut container = shared.lock();
    if let Some(c) = container.executed.get_mut(call) {
        c.stdin.extend_from_slice(data);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_matches_as_go_path_match() {
        assert!(glob("*.conf", "a.conf").unwrap());
        assert!(!glob("*.conf", "a.txt").unwrap());
        assert!(glob("f?o", "foo").unwrap());
        assert!(glob("[a-c]x", "bx").unwrap());
        assert!(glob("[^a-c]x", "dx").unwrap());
        assert!(glob("[", "a").is_err());
    }

    #[test]
    fn custom_notice_keys() {
        assert!(valid_custom_key("example.com/path"));
        assert!(valid_custom_key("canonical.com/postgresql/backup-done"));
        assert!(!valid_custom_key("example/path"));
        assert!(!valid_custom_key("Example.com/path"));
        assert!(!valid_custom_key("example.com"));
    }
}
