//! Pebble's own client tests, ported: canonical/pebble `client/*_test.go`.
//!
//! Each test names its Go source file and test function. The Go suite replaces the HTTP
//! client's `doer` with one that records the request and answers `cs.rsp` (or the next of
//! `cs.rsps`); [`Fake`] does the same as a [`Transport`], and its websockets stand in for the
//! exec suite's `testWebsocket` (reads scripted, writes recorded, a close once the script
//! runs out). Assertions about Go-only API (`io.Writer` targets, `os.FileMode`, maintenance
//! state, retries, TLS, YAML marshalling of notices) are not ported; the crate's README lists
//! them.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use serde_json::{Value, json};

use super::*;

/// A transport that records requests and answers from a script, as the Go suite's `doer`.
#[derive(Default)]
struct Fake {
    requests: Mutex<Vec<Request>>,
    /// `cs.rsps`: answered in turn; then `rsp`.
    rsps: Mutex<VecDeque<Response>>,
    rsp: Mutex<Option<Response>>,
    /// `cs.err`: every send fails with this message.
    err: Mutex<Option<String>>,
    websockets: Mutex<Vec<(String, Option<Duration>)>>,
    control: Arc<FakeWs>,
    stdio: Arc<FakeWs>,
    stderr: Arc<FakeWs>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Fake {
    fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// `cs.rsp = body`, with no headers (as `cs.header` is nil).
    fn rsp(&self, body: &str) {
        *lock(&self.rsp) = Some(Response::new(200, vec![], body));
    }

    fn rsp_with(&self, response: Response) {
        *lock(&self.rsp) = Some(response);
    }

    fn push_rsp(&self, body: &str) {
        lock(&self.rsps).push_back(Response::new(200, vec![], body));
    }

    /// `cs.req`: the last request.
    fn req(&self) -> Request {
        lock(&self.requests).last().cloned().expect("a request was sent")
    }

    fn reqs(&self) -> Vec<Request> {
        lock(&self.requests).clone()
    }

    fn client(self: &Arc<Self>) -> Client {
        Client::with_transport(self.clone())
    }
}

impl Transport for Fake {
    fn send(&self, request: &Request) -> Result<Response, PebbleError> {
        lock(&self.requests).push(request.clone());
        if let Some(err) = lock(&self.err).clone() {
            return Err(PebbleError::Connection {
                request: request.line(),
                source: std::io::Error::other(err),
            });
        }
        if let Some(next) = lock(&self.rsps).pop_front() {
            return Ok(next);
        }
        Ok(lock(&self.rsp).clone().unwrap_or_else(|| Response::new(200, vec![], "")))
    }

    fn websocket(
        &self,
        path: &str,
        timeout: Option<Duration>,
    ) -> Result<Box<dyn WebSocket>, PebbleError> {
        lock(&self.websockets).push((path.to_owned(), timeout));
        // exec_test.go, `websocketRegexp`: ^/v1/tasks/T\d+/websocket/(\w+)$
        let id = path
            .strip_prefix("/v1/tasks/T")
            .and_then(|rest| rest.split_once("/websocket/"))
            .filter(|(task, _)| !task.is_empty() && task.bytes().all(|b| b.is_ascii_digit()))
            .map(|(_, id)| id)
            .ok_or_else(|| PebbleError::invalid(format!("invalid websocket URL {path:?}")))?;
        let ws = match id {
            "control" => &self.control,
            "stdio" => &self.stdio,
            "stderr" => &self.stderr,
            other => return Err(PebbleError::invalid(format!("invalid websocket ID {other:?}"))),
        };
        Ok(Box::new(FakeWsHandle(ws.clone())))
    }
}

/// exec_test.go, `testWebsocket`.
#[derive(Default)]
struct FakeWs {
    reads: Mutex<VecDeque<Message>>,
    writes: Mutex<Vec<Message>>,
}

impl FakeWs {
    fn read(&self, message: Message) {
        lock(&self.reads).push_back(message);
    }

    /// The writes, without the close the client sends when it is done.
    fn data_writes(&self) -> Vec<Message> {
        lock(&self.writes).iter().filter(|m| **m != Message::Close).cloned().collect()
    }
}

struct FakeWsHandle(Arc<FakeWs>);

impl WebSocket for FakeWsHandle {
    fn send(&self, message: &Message) -> Result<(), PebbleError> {
        lock(&self.0.writes).push(message.clone());
        Ok(())
    }

    fn recv(&self) -> Result<Message, PebbleError> {
        Ok(lock(&self.0.reads).pop_front().unwrap_or(Message::Close))
    }
}

fn body_json(req: &Request) -> Value {
    serde_json::from_slice(&req.body).expect("the body is JSON")
}

fn query(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

fn api_message(e: &PebbleError) -> &str {
    match e {
        PebbleError::Api { message, .. } => message,
        other => panic!("expected an API error, got {other:?}"),
    }
}

fn protocol_why(e: &PebbleError) -> &str {
    match e {
        PebbleError::Protocol { why, .. } => why,
        other => panic!("expected a protocol error, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// client/client_test.go

/// client_test.go, `TestClientSysInfo`.
#[test]
fn pebble_conformance_client_sys_info() {
    let fake = Fake::new();
    fake.rsp(r#"{"type": "sync", "result": {"version": "1"}}"#);
    let info = fake.client().system_info().expect("system info");
    assert_eq!(info, SystemInfo { version: "1".into(), boot_id: String::new() });
}

/// client_test.go, `TestClientReportsOpError`.
#[test]
fn pebble_conformance_client_reports_op_error() {
    let fake = Fake::new();
    fake.rsp(r#"{"type": "error", "status": "potatoes"}"#);
    let err = fake.client().system_info().expect_err("an error envelope");
    assert_eq!(api_message(&err), r#"server error: "potatoes""#);
}

/// client_test.go, `TestClientReportsOpErrorStr`.
#[test]
fn pebble_conformance_client_reports_op_error_str() {
    let fake = Fake::new();
    fake.rsp(r#"{"result": {}, "status": "Bad Request", "status-code": 400, "type": "error"}"#);
    let err = fake.client().system_info().expect_err("an error envelope");
    assert_eq!(api_message(&err), r#"server error: "Bad Request""#);
    assert!(matches!(err, PebbleError::Api { status_code: 400, .. }));
}

/// client_test.go, `TestClientReportsBadType`.
#[test]
fn pebble_conformance_client_reports_bad_type() {
    let fake = Fake::new();
    fake.rsp(r#"{"type": "what"}"#);
    let err = fake.client().system_info().expect_err("not sync");
    assert_eq!(protocol_why(&err), r#"expected a sync response, got "what""#);
}

/// client_test.go, `TestClientReportsOuterJSONError`. Unlike Go's, the error does not quote
/// the body (it could be anything the socket returned).
#[test]
fn pebble_conformance_client_reports_outer_json_error() {
    let fake = Fake::new();
    fake.rsp("this isn't really json is it");
    let err = fake.client().system_info().expect_err("not JSON");
    assert!(protocol_why(&err).contains("not a JSON response"), "{err}");
    assert!(!err.to_string().contains("really"), "{err}");
}

/// client_test.go, `TestClientReportsInnerJSONError`.
#[test]
fn pebble_conformance_client_reports_inner_json_error() {
    let fake = Fake::new();
    fake.rsp(r#"{"type": "sync", "result": "this isn't really json is it"}"#);
    let err = fake.client().system_info().expect_err("wrong result");
    assert!(protocol_why(&err).starts_with("cannot unmarshal"), "{err}");
    assert!(!err.to_string().contains("really"), "{err}");
}

/// client_test.go, `TestClientJSONError`.
#[test]
fn pebble_conformance_client_json_error() {
    let fake = Fake::new();
    fake.rsp("some non-json error message");
    let err = fake.client().system_info().expect_err("not JSON");
    assert!(protocol_why(&err).contains("27 bytes"), "{err}");
    assert!(!err.to_string().contains("non-json"), "{err}");
}

/// client_test.go, `TestClientAsync` (through the client's async call, as Go's
/// `FakeAsyncRequest`).
#[test]
fn pebble_conformance_client_async() {
    let fake = Fake::new();
    fake.rsp(r#"{"type":"async", "status-code": 202, "change": "42"}"#);
    let client = fake.client();
    let (change, _) = client.start(&client.request("GET", "/v1/async-test")).expect("accepted");
    assert_eq!(change, "42");
    // Go's checks around it: not 202, or no change, is an error.
    fake.rsp(r#"{"type":"async", "status-code": 200, "change": "42"}"#);
    let err = client.start(&client.request("GET", "/v1/async-test")).expect_err("not 202");
    assert_eq!(protocol_why(&err), "operation not accepted");
    fake.rsp(r#"{"type":"async", "status-code": 202}"#);
    let err = client.start(&client.request("GET", "/v1/async-test")).expect_err("no change");
    assert_eq!(protocol_why(&err), "async response without change reference");
}

/// client_test.go, `TestLatestWarningTime` (the request and the result; the warning time is
/// not kept).
#[test]
fn pebble_conformance_client_latest_warning_time() {
    let fake = Fake::new();
    fake.rsp(
        r#"{"result": {"version": "1.15.0", "boot-id": "BOOTID"}, "status": "OK",
            "status-code": 200, "type": "sync", "latest-warning": "2018-09-19T12:44:19.680362867Z"}"#,
    );
    let info = fake.client().system_info().expect("system info");
    assert_eq!(info, SystemInfo { version: "1.15.0".into(), boot_id: "BOOTID".into() });
    let req = fake.req();
    assert_eq!((req.method, req.path.as_str()), ("GET", "/v1/system-info"));
}

/// client_test.go, `TestContentType` and `TestClientDefaultsToNoAuthorization`.
#[test]
fn pebble_conformance_client_content_type_and_no_authorization() {
    let fake = Fake::new();
    fake.rsp(r#"{"type": "sync", "result": {}}"#);
    fake.client().system_info().expect("system info");
    let req = fake.req();
    assert_eq!(req.header_value("Content-Type"), Some("application/json"));
    assert_eq!(req.header_value("Authorization"), None);
}

/// client_test.go, `TestUserAgent`: the socket transport names itself.
#[test]
fn pebble_conformance_client_user_agent() {
    let head = http::request_head(&Request::new("GET", "/"));
    assert!(
        head.contains(&format!("\r\nUser-Agent: juju-charm/{}\r\n", env!("CARGO_PKG_VERSION")))
    );
}

/// client_test.go, `TestParseError` (what a refused websocket upgrade reads as).
#[test]
fn pebble_conformance_client_parse_error() {
    let err = refusal("GET /", &Response::new(404, vec![], ""));
    assert_eq!(api_message(&err), "server error: HTTP 404");
    let json = || vec![("Content-Type".to_owned(), "application/json".to_owned())];
    let body = r#"{"status-code": 400, "type": "error", "result": {"message": "invalid"}}"#;
    let err = refusal("GET /", &Response::new(400, json(), body));
    assert_eq!(api_message(&err), "invalid");
    let err = refusal("GET /", &Response::new(400, json(), "{}"));
    assert_eq!(api_message(&err), "server error: HTTP 400");
}

/// client_test.go, `TestNonExistentSocketErrors`: the distinct "cannot connect yet" error.
#[test]
fn pebble_conformance_client_non_existent_socket_errors() {
    let client = Client::new("/tmp/not-the-droids-you-are-looking-for");
    let err = client.system_info().expect_err("no socket");
    assert!(err.is_cannot_connect());
    match err {
        PebbleError::CannotConnect { socket, source } => {
            assert_eq!(socket, std::path::Path::new("/tmp/not-the-droids-you-are-looking-for"));
            assert_eq!(source.kind(), std::io::ErrorKind::NotFound);
        }
        other => panic!("expected CannotConnect, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// client/plan_test.go

/// plan_test.go, `TestAddLayer` (the two `combine` cases; `inner` is always false here).
#[test]
fn pebble_conformance_plan_add_layer() {
    let layer_yaml = "services:\n    foo:\n        override: replace\n        command: cmd\n";
    for combine in [false, true] {
        let fake = Fake::new();
        fake.rsp(r#"{"type": "sync", "status-code": 200, "result": true}"#);
        fake.client().add_layer_yaml("foo", layer_yaml, combine).expect("added");
        let req = fake.req();
        assert_eq!((req.method, req.path.as_str()), ("POST", "/v1/layers"));
        assert!(req.query.is_empty());
        assert_eq!(
            body_json(&req),
            json!({"action": "add", "combine": combine, "label": "foo", "format": "yaml",
                   "layer": layer_yaml, "inner": false})
        );
        // Byte for byte as Go's json.Encoder writes the struct.
        let want = format!(
            "{{\"action\":\"add\",\"combine\":{combine},\"inner\":false,\"label\":\"foo\",\
             \"format\":\"yaml\",\"layer\":{}}}\n",
            serde_json::to_string(layer_yaml).expect("a string")
        );
        assert_eq!(String::from_utf8_lossy(&req.body), want);
    }
}

/// plan_test.go, `TestAddLayer`, with a typed [`Layer`]: the same request.
#[test]
fn pebble_conformance_plan_add_layer_typed() {
    let fake = Fake::new();
    fake.rsp(r#"{"type": "sync", "status-code": 200, "result": true}"#);
    let layer = Layer::default().service("foo", Service::new("cmd"));
    fake.client().add_layer("foo", &layer, false).expect("added");
    assert_eq!(
        body_json(&fake.req())["layer"],
        "services:\n    foo:\n        command: \"cmd\"\n        override: \"replace\"\n"
    );
}

/// plan_test.go, `TestPlanBytes`.
#[test]
fn pebble_conformance_plan_bytes() {
    let fake = Fake::new();
    fake.rsp(
        r#"{"type": "sync", "status-code": 200,
            "result": "services:\n    foo:\n        override: replace\n        command: cmd\n"}"#,
    );
    let plan = fake.client().plan_yaml().expect("plan");
    let req = fake.req();
    assert_eq!((req.method, req.path.as_str()), ("GET", "/v1/plan"));
    assert_eq!(req.query, query(&[("format", "yaml")]));
    assert_eq!(plan, "services:\n    foo:\n        override: replace\n        command: cmd\n");
}

// ---------------------------------------------------------------------------------------------
// client/services_test.go

const ACCEPTED_42: &str =
    r#"{"result": {}, "status": "OK", "status-code": 202, "type": "async", "change": "42"}"#;
const DONE_42: &str =
    r#"{"type": "sync", "result": {"id": "42", "kind": "start", "status": "Done", "ready": true}}"#;

/// The service action request (the first of the two; the second waits for change 42).
fn service_action_request(fake: &Fake) -> Request {
    let reqs = fake.reqs();
    assert_eq!(reqs.len(), 2, "{reqs:?}");
    assert_eq!(reqs[1].url(), "/v1/changes/42/wait?timeout=30s");
    reqs[0].clone()
}

/// services_test.go, `TestStartStop`.
#[test]
fn pebble_conformance_services_start_stop() {
    for action in ["start", "stop"] {
        let fake = Fake::new();
        fake.push_rsp(ACCEPTED_42);
        fake.rsp(DONE_42);
        let client = fake.client();
        let change = match action {
            "start" => client.start_services(&["one", "two"]),
            _ => client.stop_services(&["one", "two"]),
        }
        .expect("done");
        assert_eq!(change.id, "42");
        let req = service_action_request(&fake);
        assert_eq!((req.method, req.path.as_str()), ("POST", "/v1/services"));
        assert_eq!(body_json(&req), json!({"action": action, "services": ["one", "two"]}));
    }
}

/// services_test.go, `TestAutostart`.
#[test]
fn pebble_conformance_services_autostart() {
    let fake = Fake::new();
    fake.push_rsp(ACCEPTED_42);
    fake.rsp(DONE_42);
    assert_eq!(fake.client().autostart_services().expect("done").id, "42");
    let req = service_action_request(&fake);
    assert_eq!((req.method, req.path.as_str()), ("POST", "/v1/services"));
    let body = body_json(&req);
    assert_eq!(body.as_object().map(serde_json::Map::len), Some(2));
    assert_eq!(body["action"], "autostart");
}

/// services_test.go, `TestServicesGet`.
#[test]
fn pebble_conformance_services_get() {
    let fake = Fake::new();
    fake.rsp(
        r#"{"result": [
            {"name": "svc1", "startup": "enabled", "current": "inactive"},
            {"name": "svc2", "startup": "disabled", "current": "active", "current-since": "2022-04-28T17:05:23Z"}
        ], "status": "OK", "status-code": 200, "type": "sync"}"#,
    );
    let services = fake.client().services(&["svc1", "svc2"]).expect("services");
    assert_eq!(
        services,
        [
            ServiceInfo {
                name: "svc1".into(),
                startup: Startup::Enabled,
                current: ServiceStatus::Inactive,
                current_since: None,
            },
            ServiceInfo {
                name: "svc2".into(),
                startup: Startup::Disabled,
                current: ServiceStatus::Active,
                current_since: Some("2022-04-28T17:05:23Z".into()),
            },
        ]
    );
    let req = fake.req();
    assert_eq!((req.method, req.path.as_str()), ("GET", "/v1/services"));
    assert_eq!(req.query, query(&[("names", "svc1,svc2")]));
}

/// services_test.go, `TestRestart`.
#[test]
fn pebble_conformance_services_restart() {
    let fake = Fake::new();
    fake.push_rsp(ACCEPTED_42);
    fake.rsp(DONE_42);
    fake.client().restart_services(&["one", "two"]).expect("done");
    let req = service_action_request(&fake);
    assert_eq!(body_json(&req), json!({"action": "restart", "services": ["one", "two"]}));
}

/// services_test.go, `TestReplan`.
#[test]
fn pebble_conformance_services_replan() {
    let fake = Fake::new();
    fake.push_rsp(ACCEPTED_42);
    fake.rsp(DONE_42);
    fake.client().replan_services().expect("done");
    let req = service_action_request(&fake);
    assert_eq!((req.method, req.path.as_str()), ("POST", "/v1/services"));
    assert_eq!(String::from_utf8_lossy(&req.body), r#"{"action":"replan","services":null}"#);
}

/// services.go, `doMultiServiceAction` with a failed change (no Go test: the Go client returns
/// the change ID; this one waits and reports the change's error).
#[test]
fn pebble_conformance_services_failed_change() {
    let fake = Fake::new();
    fake.push_rsp(ACCEPTED_42);
    fake.rsp(
        r#"{"type": "sync", "result": {"id": "42", "kind": "start", "status": "Error", "ready": true,
            "err": "cannot perform the following tasks:\n- Start service \"foo\" (exited quickly)"}}"#,
    );
    let err = fake.client().start_services(&["foo"]).expect_err("failed");
    match err {
        PebbleError::ChangeFailed { change_id, kind, message } => {
            assert_eq!((change_id.as_str(), kind.as_str()), ("42", "start"));
            assert!(message.contains("exited quickly"));
        }
        other => panic!("expected ChangeFailed, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// client/changes_test.go

const CHANGE_UNO: &str = r#"{"type": "sync", "result": {
  "id":   "uno",
  "kind": "foo",
  "summary": "...",
  "status": "Do",
  "ready": false,
  "spawn-time": "2016-04-21T01:02:03Z",
  "ready-time": "2016-04-21T01:02:04Z",
  "tasks": [{"kind": "bar", "summary": "...", "status": "Do", "progress": {"done": 0, "total": 1}, "spawn-time": "2016-04-21T01:02:03Z", "ready-time": "2016-04-21T01:02:04Z"}]
}}"#;

fn change_uno() -> Change {
    Change {
        id: "uno".into(),
        kind: "foo".into(),
        summary: "...".into(),
        status: "Do".into(),
        tasks: vec![Task {
            kind: "bar".into(),
            summary: "...".into(),
            status: "Do".into(),
            progress: TaskProgress { label: String::new(), done: 0, total: 1 },
            spawn_time: Some("2016-04-21T01:02:03Z".into()),
            ready_time: Some("2016-04-21T01:02:04Z".into()),
            ..Task::default()
        }],
        spawn_time: Some("2016-04-21T01:02:03Z".into()),
        ready_time: Some("2016-04-21T01:02:04Z".into()),
        ..Change::default()
    }
}

/// changes_test.go, `TestClientChange`.
#[test]
fn pebble_conformance_changes_change() {
    let fake = Fake::new();
    fake.rsp(CHANGE_UNO);
    assert_eq!(fake.client().change("uno").expect("change"), change_uno());
    assert_eq!(fake.req().url(), "/v1/changes/uno");
}

/// changes_test.go, `TestClientWaitChange`.
#[test]
fn pebble_conformance_changes_wait_change() {
    let fake = Fake::new();
    fake.rsp(CHANGE_UNO);
    assert_eq!(fake.client().wait_change("foo", None).expect("change"), change_uno());
    assert_eq!(fake.req().url(), "/v1/changes/foo/wait");
    assert_eq!(fake.req().timeout, None, "no timeout: wait as long as it takes");
}

/// changes_test.go, `TestClientWaitChangeTimeout`.
#[test]
fn pebble_conformance_changes_wait_change_timeout() {
    let fake = Fake::new();
    *lock(&fake.err) = Some("timed out waiting for change".into());
    let err = fake.client().wait_change("bar", Some(Duration::from_secs(30))).expect_err("fails");
    assert_eq!(fake.req().url(), "/v1/changes/bar/wait?timeout=30s");
    assert!(err.to_string().contains("timed out waiting for change"), "{err}");
    // The client waits a little longer than Pebble, so that Pebble's answer comes first.
    assert_eq!(fake.req().timeout, Some(Duration::from_secs(35)));
    // Pebble's own answer when the timeout passes: 504, a timeout.
    let fake = Fake::new();
    fake.rsp(
        r#"{"type": "error", "status-code": 504, "status": "Gateway Timeout",
            "result": {"message": "timed out waiting for change after 30s"}}"#,
    );
    let err = fake.client().wait_change("bar", Some(Duration::from_secs(30))).expect_err("504");
    assert!(err.is_timeout(), "{err}");
}

/// changes_test.go, `TestClientChangeData`.
#[test]
fn pebble_conformance_changes_change_data() {
    let fake = Fake::new();
    fake.rsp(
        r#"{"type": "sync", "result": {"id": "uno", "kind": "foo", "summary": "...",
            "status": "Do", "ready": false, "data": {"n": 42}}}"#,
    );
    let change = fake.client().change("uno").expect("change");
    assert_eq!(change.data.get("n"), Some(&json!(42)));
    assert_eq!(change.data.get("missing"), None);
}

/// changes_test.go, `TestClientChangeRestartingState` (a maintenance field does not get in
/// the way; the client does not keep it).
#[test]
fn pebble_conformance_changes_change_restarting_state() {
    let fake = Fake::new();
    fake.rsp(
        r#"{"type": "sync", "result": {"id": "uno", "kind": "foo", "summary": "...",
            "status": "Do", "ready": false},
            "maintenance": {"kind": "system-restart", "message": "system is restarting"}}"#,
    );
    assert_eq!(fake.client().change("uno").expect("change").id, "uno");
}

/// changes_test.go, `TestClientChangeError`.
#[test]
fn pebble_conformance_changes_change_error() {
    let fake = Fake::new();
    fake.rsp(
        r#"{"type": "sync", "result": {"id": "uno", "kind": "foo", "summary": "...",
            "status": "Error", "ready": true,
            "tasks": [{"kind": "bar", "summary": "...", "status": "Error", "progress": {"done": 1, "total": 1}, "log": ["ERROR: something broke"]}],
            "err": "error message"}}"#,
    );
    let change = fake.client().change("uno").expect("change");
    let want = Change {
        id: "uno".into(),
        kind: "foo".into(),
        summary: "...".into(),
        status: "Error".into(),
        tasks: vec![Task {
            kind: "bar".into(),
            summary: "...".into(),
            status: "Error".into(),
            progress: TaskProgress { label: String::new(), done: 1, total: 1 },
            log: vec!["ERROR: something broke".into()],
            ..Task::default()
        }],
        err: Some("error message".into()),
        ready: true,
        ..Change::default()
    };
    assert_eq!(change, want);
    assert_eq!(change.error(), Some("error message"));
}

/// changes_test.go, `TestClientChangesString`.
#[test]
fn pebble_conformance_changes_selector_string() {
    assert_eq!(ChangeSelect::All.as_str(), "all");
    assert_eq!(ChangeSelect::Ready.as_str(), "ready");
    assert_eq!(ChangeSelect::InProgress.as_str(), "in-progress");
}

/// changes_test.go, `TestClientChanges`.
#[test]
fn pebble_conformance_changes_changes() {
    let fake = Fake::new();
    fake.rsp(
        r#"{"type": "sync", "result": [{"id": "uno", "kind": "foo", "summary": "...",
            "status": "Do", "ready": false,
            "tasks": [{"kind": "bar", "summary": "...", "status": "Do", "progress": {"done": 0, "total": 1}}]}]}"#,
    );
    let client = fake.client();
    let cases: [(Option<ChangeSelect>, Option<&str>, &str); 5] = [
        (Some(ChangeSelect::All), None, "select=all"),
        (Some(ChangeSelect::Ready), None, "select=ready"),
        (Some(ChangeSelect::InProgress), None, "select=in-progress"),
        (None, Some("foo"), "for=foo"),
        (None, None, ""),
    ];
    for (select, service, raw_query) in cases {
        let changes = client.changes(select, service).expect("changes");
        assert_eq!(changes.len(), 1);
        assert_eq!((changes[0].id.as_str(), changes[0].tasks[0].kind.as_str()), ("uno", "bar"));
        assert_eq!(wire::encode_query(&fake.req().query), raw_query);
    }
}

/// changes_test.go, `TestClientChangesData`.
#[test]
fn pebble_conformance_changes_changes_data() {
    let fake = Fake::new();
    fake.rsp(
        r#"{"type": "sync", "result": [{"id": "uno", "kind": "foo", "summary": "...",
            "status": "Do", "ready": false, "data": {"n": 42}}]}"#,
    );
    let changes = fake.client().changes(Some(ChangeSelect::All), None).expect("changes");
    assert_eq!(changes[0].data.get("n"), Some(&json!(42)));
    assert_eq!(changes[0].data.get("missing"), None);
}

/// changes_test.go, `TestClientAbort`.
#[test]
fn pebble_conformance_changes_abort() {
    let fake = Fake::new();
    fake.rsp(
        r#"{"type": "sync", "result": {"id": "uno", "kind": "foo", "summary": "...",
            "status": "Hold", "ready": true,
            "spawn-time": "2016-04-21T01:02:03Z", "ready-time": "2016-04-21T01:02:04Z"}}"#,
    );
    let change = fake.client().abort_change("uno").expect("aborted");
    assert_eq!((change.status.as_str(), change.ready), ("Hold", true));
    let req = fake.req();
    assert_eq!((req.method, req.path.as_str()), ("POST", "/v1/changes/uno"));
    assert_eq!(&req.body[..], b"{\"action\":\"abort\"}\n");
}

/// changes_test.go, `TestChangeInvalidID`, `TestAbortInvalidID`, `TestWaitChangeInvalidID`.
#[test]
fn pebble_conformance_changes_invalid_ids() {
    let fake = Fake::new();
    let client = fake.client();
    let errs = [
        client.change("select * from users;").expect_err("invalid"),
        client.abort_change("<foo>").expect_err("invalid"),
        client.wait_change("$bar", None).expect_err("invalid"),
    ];
    for err in errs {
        assert!(
            matches!(&err, PebbleError::Invalid { why } if why.starts_with("invalid change ID"))
        );
    }
    assert!(fake.reqs().is_empty(), "nothing was sent");
}

// ---------------------------------------------------------------------------------------------
// client/files_test.go

/// files_test.go, `TestListFiles`.
#[test]
fn pebble_conformance_files_list_files() {
    let fake = Fake::new();
    fake.rsp(
        r#"{"type": "sync", "status-code": 200, "status": "OK", "result": [{
            "path": "/bin", "name": "bin", "type": "symlink", "permissions": "777",
            "last-modified": "2022-04-21T03:02:51Z",
            "user-id": 1000, "user": "toor", "group-id": 1000, "group": "toor"
        }, {
            "path": "/swap.img", "name": "swap.img", "type": "file", "size": 1337,
            "permissions": "655", "last-modified": "2022-04-21T03:02:51Z"
        }]}"#,
    );
    let files = fake.client().list_files("/", &ListFilesOptions::new()).expect("listed");
    assert_eq!(
        files,
        [
            FileInfo {
                path: "/bin".into(),
                name: "bin".into(),
                file_type: FileType::Symlink,
                size: 0,
                permissions: 0o777,
                last_modified: "2022-04-21T03:02:51Z".into(),
                user_id: Some(1000),
                user: Some("toor".into()),
                group_id: Some(1000),
                group: Some("toor".into()),
            },
            FileInfo {
                path: "/swap.img".into(),
                name: "swap.img".into(),
                file_type: FileType::File,
                size: 1337,
                permissions: 0o655,
                last_modified: "2022-04-21T03:02:51Z".into(),
                user_id: None,
                user: None,
                group_id: None,
                group: None,
            },
        ]
    );
    assert!(!files[0].is_dir() && !files[1].is_dir());
    assert_eq!(fake.req().url(), "/v1/files?action=list&path=%2F");
}

/// files_test.go, `TestListDirectoryItself`.
#[test]
fn pebble_conformance_files_list_directory_itself() {
    let fake = Fake::new();
    fake.rsp(
        r#"{"type": "sync", "status-code": 200, "status": "OK", "result": [{
            "path": "/bin", "name": "bin", "type": "symlink", "permissions": "777",
            "last-modified": "2022-04-21T03:02:51Z",
            "user-id": 1000, "user": "user", "group-id": 1000, "group": "user"}]}"#,
    );
    let files =
        fake.client().list_files("/bin", &ListFilesOptions::new().itself(true)).expect("listed");
    assert_eq!(files.len(), 1);
    assert_eq!((files[0].name.as_str(), files[0].user.as_deref()), ("bin", Some("user")));
    assert_eq!(
        fake.req().query,
        query(&[("action", "list"), ("itself", "true"), ("path", "/bin")])
    );
}

/// files_test.go, `TestListFilesWithPattern`.
#[test]
fn pebble_conformance_files_list_files_with_pattern() {
    let fake = Fake::new();
    fake.rsp(
        r#"{"type": "sync", "status-code": 200, "status": "OK", "result": [{
            "path": "/bin", "name": "bin", "type": "symlink", "permissions": "777",
            "last-modified": "2022-04-21T03:02:51Z"}]}"#,
    );
    let options = ListFilesOptions::new().pattern("[a-z][a-z][a-z]");
    assert_eq!(fake.client().list_files("/", &options).expect("listed").len(), 1);
    assert_eq!(
        fake.req().query,
        query(&[("action", "list"), ("path", "/"), ("pattern", "[a-z][a-z][a-z]")])
    );
}

/// files_test.go, `TestListFilesFails`.
#[test]
fn pebble_conformance_files_list_files_fails() {
    let fake = Fake::new();
    fake.rsp(r#"{"type": "error", "result": {"message": "could not foo"}}"#);
    let err =
        fake.client().list_files("/", &ListFilesOptions::new().itself(true)).expect_err("fails");
    assert_eq!(api_message(&err), "could not foo");
}

/// files_test.go, `TestListFilesFailsWithInvalidDate`.
#[test]
fn pebble_conformance_files_list_files_fails_with_invalid_date() {
    let fake = Fake::new();
    fake.rsp(
        r#"{"type": "sync", "status-code": 200, "status": "OK", "result": [{
            "path": "/irreg", "name": "irreg", "type": "sfdeljknesv", "permissions": "777",
            "last-modified": "2022-08-32T12:42:49Z"}]}"#,
    );
    let err = fake.client().list_files("/irreg", &ListFilesOptions::new()).expect_err("bad date");
    assert_eq!(
        protocol_why(&err),
        r#"remote file "irreg" has invalid last modified time: "2022-08-32T12:42:49Z""#
    );
}

/// files_test.go, `TestListFilesFailsWithInvalidPermissions`.
#[test]
fn pebble_conformance_files_list_files_fails_with_invalid_permissions() {
    let fake = Fake::new();
    fake.rsp(
        r#"{"type": "sync", "status-code": 200, "status": "OK", "result": [{
            "path": "/irreg", "name": "irreg", "type": "sfdeljknesv", "permissions": "not a number",
            "last-modified": "2022-08-32T12:42:49Z"}]}"#,
    );
    let err = fake.client().list_files("/irreg", &ListFilesOptions::new()).expect_err("bad mode");
    assert_eq!(
        protocol_why(&err),
        r#"remote file "irreg" has invalid permission bits: "not a number""#
    );
}

/// files_test.go, `TestCalculateFileMode`.
#[test]
fn pebble_conformance_files_calculate_file_mode() {
    let table = [
        ("file", "655", FileType::File, 0o655),
        ("directory", "600", FileType::Directory, 0o600),
        ("symlink", "777", FileType::Symlink, 0o777),
        ("socket", "750", FileType::Socket, 0o750),
        ("named-pipe", "500", FileType::NamedPipe, 0o500),
        ("device", "550", FileType::Device, 0o550),
        ("unknown", "766", FileType::Unknown, 0o766),
        ("sfdeljknesv", "776", FileType::Unknown, 0o776),
    ];
    for (name, permissions, file_type, mode) in table {
        assert_eq!(FileType::from_api(name), file_type);
        assert_eq!(files::parse_permissions(permissions), Some(mode));
    }
}

/// files_test.go, `TestCalculateFileModeFails`.
#[test]
fn pebble_conformance_files_calculate_file_mode_fails() {
    for bad in ["-1", "x", "778"] {
        assert_eq!(files::parse_permissions(bad), None, "{bad}");
    }
}

/// The make-dirs request of files_test.go's `makeDirPayload`, every field present.
fn make_dir_body(path: &str, make_parents: bool, permissions: &str) -> Value {
    json!({"action": "make-dirs", "dirs": [{
        "path": path, "make-parents": make_parents, "permissions": permissions,
        "user-id": null, "user": "", "group-id": null, "group": ""
    }]})
}

/// files_test.go, `TestMakeDir`.
#[test]
fn pebble_conformance_files_make_dir() {
    let fake = Fake::new();
    fake.rsp(r#"{"type": "sync", "result": [{"path": "/foo/bar"}]}"#);
    fake.client().make_dir("/foo/bar", &MakeDirOptions::new().make_parents(true)).expect("made");
    let req = fake.req();
    assert_eq!((req.method, req.path.as_str()), ("POST", "/v1/files"));
    assert_eq!(body_json(&req), make_dir_body("/foo/bar", true, ""));
    assert_eq!(
        String::from_utf8_lossy(&req.body),
        "{\"action\":\"make-dirs\",\"dirs\":[{\"path\":\"/foo/bar\",\"make-parents\":true,\
         \"permissions\":\"\",\"user-id\":null,\"user\":\"\",\"group-id\":null,\"group\":\"\"}]}\n"
    );
}

/// files_test.go, `TestMakeDirWithPermissions`.
#[test]
fn pebble_conformance_files_make_dir_with_permissions() {
    let fake = Fake::new();
    fake.rsp(r#"{"type": "sync", "result": [{"path": "/foo/bar"}]}"#);
    let options = MakeDirOptions::new().make_parents(true).permissions(0o644);
    fake.client().make_dir("/foo/bar", &options).expect("made");
    assert_eq!(body_json(&fake.req()), make_dir_body("/foo/bar", true, "644"));
}

/// files_test.go, `TestMakeDirWithSpecialPermissions`.
#[test]
fn pebble_conformance_files_make_dir_with_special_permissions() {
    let fake = Fake::new();
    fake.rsp(r#"{"type": "sync", "result": [{"path": "/foo/bar"}]}"#);
    let options = MakeDirOptions::new().make_parents(true).permissions(0o1077);
    fake.client().make_dir("/foo/bar", &options).expect("made");
    assert_eq!(body_json(&fake.req()), make_dir_body("/foo/bar", true, "1077"));
}

/// files_test.go, `TestMakeDirFails`.
#[test]
fn pebble_conformance_files_make_dir_fails() {
    let fake = Fake::new();
    fake.rsp(r#"{"type": "error", "result": {"message": "could not foo"}}"#);
    let err = fake.client().make_dir("/foobar", &MakeDirOptions::new()).expect_err("fails");
    assert_eq!(api_message(&err), "could not foo");
    assert_eq!(body_json(&fake.req()), make_dir_body("/foobar", false, ""));
}

const PERMISSION_DENIED_ON_PATH: &str = r#"{"type": "sync", "result": [{"path": "/foobar",
    "error": {"message": "could not bar", "kind": "permission-denied", "value": 42}}]}"#;

const TWO_RESULTS: &str = r#"{"type": "sync", "result": [
    {"path": "/foobar", "error": {"message": "could not bar", "kind": "permission-denied", "value": 42}},
    {"path": "/foobar", "error": {"message": "could not baz", "kind": "generic-file-error", "value": 47}}]}"#;

fn assert_permission_denied(err: &PebbleError) {
    assert_eq!(api_message(err), "could not bar");
    assert_eq!(err.api_kind(), Some("permission-denied"));
}

/// files_test.go, `TestMakeDirFailsOnDirectory`.
#[test]
fn pebble_conformance_files_make_dir_fails_on_directory() {
    let fake = Fake::new();
    fake.rsp(PERMISSION_DENIED_ON_PATH);
    let err = fake.client().make_dir("/foobar", &MakeDirOptions::new()).expect_err("fails");
    assert_permission_denied(&err);
    assert_eq!(body_json(&fake.req()), make_dir_body("/foobar", false, ""));
}

/// files_test.go, `TestMakeDirFailsWithMultipleAPIResults`.
#[test]
fn pebble_conformance_files_make_dir_fails_with_multiple_api_results() {
    let fake = Fake::new();
    fake.rsp(TWO_RESULTS);
    let err = fake.client().make_dir("/foobar", &MakeDirOptions::new()).expect_err("fails");
    assert_eq!(protocol_why(&err), "expected exactly one result from API, got 2");
}

fn remove_body(path: &str, recursive: bool) -> Value {
    json!({"action": "remove", "paths": [{"path": path, "recursive": recursive}]})
}

/// files_test.go, `TestRemovePath`.
#[test]
fn pebble_conformance_files_remove_path() {
    let fake = Fake::new();
    fake.rsp(r#"{"type": "sync", "result": [{"path": "/foo/bar"}]}"#);
    fake.client().remove_path("/foo/bar", false).expect("removed");
    let req = fake.req();
    assert_eq!((req.method, req.path.as_str()), ("POST", "/v1/files"));
    assert_eq!(body_json(&req), remove_body("/foo/bar", false));
}

/// files_test.go, `TestRemovePathRecursive`.
#[test]
fn pebble_conformance_files_remove_path_recursive() {
    let fake = Fake::new();
    fake.rsp(r#"{"type": "sync", "result": [{"path": "/foo/bar"}]}"#);
    fake.client().remove_path("/foo/bar", true).expect("removed");
    assert_eq!(body_json(&fake.req()), remove_body("/foo/bar", true));
}

/// files_test.go, `TestRemovePathFails`.
#[test]
fn pebble_conformance_files_remove_path_fails() {
    let fake = Fake::new();
    fake.rsp(r#"{"type": "error", "result": {"message": "could not foo"}}"#);
    let err = fake.client().remove_path("/foobar", false).expect_err("fails");
    assert_eq!(api_message(&err), "could not foo");
    assert_eq!(body_json(&fake.req()), remove_body("/foobar", false));
}

/// files_test.go, `TestRemovePathFailsOnPath`.
#[test]
fn pebble_conformance_files_remove_path_fails_on_path() {
    let fake = Fake::new();
    fake.rsp(PERMISSION_DENIED_ON_PATH);
    let err = fake.client().remove_path("/foo/bar", true).expect_err("fails");
    assert_permission_denied(&err);
    assert_eq!(body_json(&fake.req()), remove_body("/foo/bar", true));
}

/// files_test.go, `TestRemovePathFailsWithMultipleAPIResults`.
#[test]
fn pebble_conformance_files_remove_path_fails_with_multiple_api_results() {
    let fake = Fake::new();
    fake.rsp(TWO_RESULTS);
    let err = fake.client().remove_path("/foobar", false).expect_err("fails");
    assert_eq!(protocol_why(&err), "expected exactly one result from API, got 2");
}

/// files_test.go, `TestPush`: the multipart body, part by part and byte for byte.
#[test]
fn pebble_conformance_files_push() {
    let fake = Fake::new();
    fake.rsp(r#"{"type": "sync", "result": [{"path": "/file.dat"}]}"#);
    fake.client().push("/file.dat", b"Hello, world!", &PushOptions::new()).expect("pushed");
    let req = fake.req();
    assert_eq!((req.method, req.path.as_str()), ("POST", "/v1/files"));
    let content_type = req.header_value("Content-Type").expect("a content type");
    let (media, boundary) = wire::media_type(content_type);
    assert_eq!(media, "multipart/form-data");
    let boundary = boundary.expect("a boundary");
    assert_eq!(boundary.len(), 60, "as long as Go's");
    assert!(boundary.bytes().all(|b| b.is_ascii_hexdigit()));

    let parts = wire::parse_multipart(&req.body, &boundary).expect("multipart");
    assert_eq!(parts.len(), 2);
    assert_eq!(parts[0].name, "request");
    let metadata: Value = serde_json::from_slice(parts[0].body).expect("JSON metadata");
    assert_eq!(
        metadata,
        json!({"action": "write", "files": [{"path": "/file.dat", "make-dirs": false,
               "permissions": "", "user-id": null, "user": "", "group-id": null, "group": ""}]})
    );
    assert_eq!(parts[1].name, "files");
    assert_eq!(parts[1].body, b"Hello, world!");

    let want = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"request\"\r\n\
         Content-Type: application/json\r\n\r\n\
         {{\"action\":\"write\",\"files\":[{{\"path\":\"/file.dat\",\"make-dirs\":false,\
         \"permissions\":\"\",\"user-id\":null,\"user\":\"\",\"group-id\":null,\"group\":\"\"}}]}}\n\
         \r\n--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"/file.dat\"\r\n\
         Content-Type: application/octet-stream\r\n\r\nHello, world!\r\n--{boundary}--\r\n"
    );
    assert_eq!(String::from_utf8_lossy(&req.body), want);
    // The request's Debug shows the body's length, not the content.
    assert!(!format!("{req:?}").contains("Hello"));
}

/// files_test.go, `TestPush`, with every option (`writeFilesItem`'s fields) and a secret.
#[test]
fn pebble_conformance_files_push_options() {
    let fake = Fake::new();
    fake.rsp(r#"{"type": "sync", "result": [{"path": "/etc/x \"y\".conf"}]}"#);
    let options = PushOptions::new()
        .make_dirs(true)
        .permissions(0o600)
        .user_id(10)
        .user("u")
        .group_id(20)
        .group("g");
    let secret = crate::SecretString::new("s3cr3t");
    fake.client().push_secret("/etc/x \"y\".conf", &secret, &options).expect("pushed");
    let req = fake.req();
    let (_, boundary) = wire::media_type(req.header_value("Content-Type").expect("a content type"));
    let parts =
        wire::parse_multipart(&req.body, &boundary.expect("a boundary")).expect("multipart");
    assert_eq!(
        serde_json::from_slice::<Value>(parts[0].body).expect("JSON"),
        json!({"action": "write", "files": [{"path": "/etc/x \"y\".conf", "make-dirs": true,
               "permissions": "600", "user-id": 10, "user": "u", "group-id": 20, "group": "g"}]})
    );
    assert_eq!(parts[1].body, b"s3cr3t");
    let body = String::from_utf8_lossy(&req.body);
    assert!(
        body.contains(r#"filename="/etc/x \"y\".conf""#),
        "quotes escaped as Go's escapeQuotes"
    );
}

/// files_test.go, `TestPushFails`.
#[test]
fn pebble_conformance_files_push_fails() {
    let fake = Fake::new();
    fake.rsp(r#"{"type": "error", "result": {"message": "could not foo"}}"#);
    let err =
        fake.client().push("/file.dat", b"Hello, world!", &PushOptions::new()).expect_err("fails");
    assert_eq!(api_message(&err), "could not foo");
    assert!(!err.to_string().contains("Hello"));
}

/// files_test.go, `TestPushFailsOnFile`.
#[test]
fn pebble_conformance_files_push_fails_on_file() {
    let fake = Fake::new();
    fake.rsp(PERMISSION_DENIED_ON_PATH);
    let err =
        fake.client().push("/file.dat", b"Hello, world!", &PushOptions::new()).expect_err("fails");
    assert_permission_denied(&err);
}

/// files_test.go, `TestPushFailsWithMultipleAPIResults`.
#[test]
fn pebble_conformance_files_push_fails_with_multiple_api_results() {
    let fake = Fake::new();
    fake.rsp(TWO_RESULTS);
    let err =
        fake.client().push("/file.dat", b"Hello, world!", &PushOptions::new()).expect_err("fails");
    assert_eq!(protocol_why(&err), "expected exactly one result from API, got 2");
}

/// A multipart body as Go's `multipart.Writer` writes it: each part's headers in sorted order.
fn go_multipart(boundary: &str, parts: &[(&[(&str, &str)], &str)]) -> String {
    let mut out = String::new();
    for (i, (headers, body)) in parts.iter().enumerate() {
        out.push_str(if i == 0 { "--" } else { "\r\n--" });
        out.push_str(boundary);
        out.push_str("\r\n");
        let mut headers = headers.to_vec();
        headers.sort_unstable();
        for (name, value) in headers {
            out.push_str(&format!("{name}: {value}\r\n"));
        }
        out.push_str("\r\n");
        out.push_str(body);
    }
    out.push_str(&format!("\r\n--{boundary}--\r\n"));
    out
}

const BOUNDARY: &str = "6b4f1d2e3a5c7b9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b";
const FILES_PART: &[(&str, &str)] = &[
    ("Content-Disposition", r#"form-data; name="files"; filename="/foo/bar.dat""#),
    ("Content-Type", "application/octet-stream"),
];
const FILES_PART_NO_NAME: &[(&str, &str)] = &[
    ("Content-Disposition", r#"form-data; name="files""#),
    ("Content-Type", "application/octet-stream"),
];
const RESPONSE_PART: &[(&str, &str)] = &[
    ("Content-Disposition", r#"form-data; name="response""#),
    ("Content-Type", "application/json"),
];

/// Answers a pull with `parts` as Go's multipart writer would.
fn pull_with(parts: &[(&[(&str, &str)], &str)]) -> Result<Vec<u8>, PebbleError> {
    let fake = Fake::new();
    let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
    fake.rsp_with(Response::new(
        200,
        vec![("Content-Type".into(), content_type)],
        go_multipart(BOUNDARY, parts),
    ));
    let result = fake.client().pull("/foo/bar.dat");
    let req = fake.req();
    assert_eq!(req.url(), "/v1/files?action=read&path=%2Ffoo%2Fbar.dat");
    assert_eq!(req.header_value("Accept"), Some("multipart/form-data"));
    result
}

/// files_test.go, `TestPull`.
#[test]
fn pebble_conformance_files_pull() {
    let content = pull_with(&[
        (FILES_PART, "Hello, world!"),
        (
            RESPONSE_PART,
            r#"{"type": "sync", "status-code": 200, "status": "OK", "result": [{"path": "/foo/bar.dat"}]}"#,
        ),
    ])
    .expect("pulled");
    assert_eq!(content, b"Hello, world!");
}

/// files_test.go, `TestPullFailsWithNoContentType`.
#[test]
fn pebble_conformance_files_pull_fails_with_no_content_type() {
    let fake = Fake::new();
    let err = fake.client().pull("/foo/bar.dat").expect_err("no content type");
    assert!(protocol_why(&err).starts_with("cannot parse Content-Type"), "{err}");
}

/// files_test.go, `TestPullFailsWithNonMultipartResponse`.
#[test]
fn pebble_conformance_files_pull_fails_with_non_multipart_response() {
    let fake = Fake::new();
    fake.rsp_with(Response::new(
        200,
        vec![("Content-Type".into(), "text/plain; charset=utf-8".into())],
        "Hello, world!",
    ));
    let err = fake.client().pull("/foo/bar.dat").expect_err("not multipart");
    assert_eq!(protocol_why(&err), r#"expected a multipart response, got "text/plain""#);
}

/// files_test.go, `TestPullFailsWithErrorResponse`.
#[test]
fn pebble_conformance_files_pull_fails_with_error_response() {
    let fake = Fake::new();
    fake.rsp_with(Response::json(
        r#"{"type":"error","status-code":401,"status":"Unauthorized","result":{"message":"access denied","kind":"login-required"}}"#,
    ));
    let err = fake.client().pull("/foo/bar.dat").expect_err("refused");
    assert_eq!(api_message(&err), "access denied");
    assert_eq!(err.api_kind(), Some("login-required"));
}

/// files_test.go, `TestPullFailsWithMultipartErrorResponse`.
#[test]
fn pebble_conformance_files_pull_fails_with_multipart_error_response() {
    let err = pull_with(&[(
        &[("Content-Disposition", r#"form-data; name="response""#)],
        r#"{"type":"sync","status-code":404,"status":"Not Found","result":[{"error":{"message":"file not found","kind":"not-found"}}]}"#,
    )])
    .expect_err("not found");
    assert_eq!(api_message(&err), "file not found");
    assert!(err.is_not_found());
}

/// files_test.go, `TestPullFailsWithInvalidMultipartResponse`.
#[test]
fn pebble_conformance_files_pull_fails_with_invalid_multipart_response() {
    let fake = Fake::new();
    fake.rsp_with(Response::new(
        200,
        vec![("Content-Type".into(), "multipart/form-data".into())],
        "Definitely not a multipart payload",
    ));
    let err = fake.client().pull("/foo/bar.dat").expect_err("not multipart");
    assert!(protocol_why(&err).starts_with("cannot decode multipart payload: "), "{err}");
}

/// files_test.go, `TestPullFailsWithInvalidJSON`.
#[test]
fn pebble_conformance_files_pull_fails_with_invalid_json() {
    let err = pull_with(&[(FILES_PART_NO_NAME, ""), (RESPONSE_PART, "NJSON stands for Not-JSON")])
        .expect_err("not JSON");
    assert!(protocol_why(&err).starts_with("cannot decode "), "{err}");
}

/// files_test.go, `TestPullFailsWithMetadataError`.
#[test]
fn pebble_conformance_files_pull_fails_with_metadata_error() {
    let err = pull_with(&[
        (FILES_PART_NO_NAME, ""),
        (RESPONSE_PART, r#"{"type": "error", "result": {"message": "could not foo"}}"#),
    ])
    .expect_err("error");
    assert_eq!(api_message(&err), "could not foo");
}

/// files_test.go, `TestPullFailsWithNonSyncResponse`.
#[test]
fn pebble_conformance_files_pull_fails_with_non_sync_response() {
    let err = pull_with(&[(FILES_PART_NO_NAME, ""), (RESPONSE_PART, r#"{"type": "sfdeljknesv"}"#)])
        .expect_err("not sync");
    assert_eq!(protocol_why(&err), r#"expected sync response, got "sfdeljknesv""#);
}

/// files_test.go, `TestPullFailsWithInvalidResult`.
#[test]
fn pebble_conformance_files_pull_fails_with_invalid_result() {
    let err = pull_with(&[
        (FILES_PART_NO_NAME, ""),
        (RESPONSE_PART, r#"{"type": "sync", "result": "not what you expected"}"#),
    ])
    .expect_err("bad result");
    assert!(protocol_why(&err).starts_with("cannot unmarshal"), "{err}");
    assert!(!err.to_string().contains("expected\""), "{err}");
}

/// files_test.go, `TestPullFailsWithMultipleResults`.
#[test]
fn pebble_conformance_files_pull_fails_with_multiple_results() {
    let err = pull_with(&[
        (FILES_PART_NO_NAME, ""),
        (RESPONSE_PART, r#"{"type": "sync", "result": [{"path": ""},{"path": ""}]}"#),
    ])
    .expect_err("two results");
    assert_eq!(protocol_why(&err), "expected exactly one result from API, got 2");
}

/// files_test.go, `TestPullFailsWithClientError`.
#[test]
fn pebble_conformance_files_pull_fails_with_client_error() {
    let err = pull_with(&[
        (FILES_PART_NO_NAME, ""),
        (
            RESPONSE_PART,
            r#"{"type": "sync", "result": [{"path": "/foo/bar.dat", "error": {
                "message": "could not do something", "kind": "generic-file-error", "value": 1337}}]}"#,
        ),
    ])
    .expect_err("file error");
    assert_eq!(api_message(&err), "could not do something");
    assert_eq!(err.api_kind(), Some("generic-file-error"));
}

// ---------------------------------------------------------------------------------------------
// client/exec_test.go

/// exec_test.go, `addResponses`: the `/v1/exec` answer, then the wait's.
fn add_exec_responses(fake: &Fake, change_id: &str, exit_code: i32) {
    fake.push_rsp(&format!(
        r#"{{"change": "{change_id}", "result": {{"task-id": "T{change_id}"}},
            "status": "Accepted", "status-code": 202, "type": "async"}}"#
    ));
    fake.push_rsp(&format!(
        r#"{{"result": {{"id": "{change_id}", "kind": "exec", "ready": true,
            "tasks": [{{"data": {{"exit-code": {exit_code}}}, "id": "T{change_id}", "kind": "exec"}}]}},
            "status": "OK", "status-code": 200, "type": "sync"}}"#
    ));
}

/// exec_test.go, `exec` and `wait`: runs `options`, checks the exec request and the final wait,
/// and returns the result with the exec request's body.
fn run_exec(fake: &Arc<Fake>, options: &ExecOptions) -> (Result<ExecOutput, PebbleError>, Value) {
    let result = fake.client().exec(options);
    let reqs = fake.reqs();
    assert_eq!((reqs[0].method, reqs[0].url().as_str()), ("POST", "/v1/exec"));
    let last = fake.req();
    assert_eq!((last.method, last.path.as_str()), ("GET", "/v1/changes/123/wait"));
    (result, body_json(&reqs[0]))
}

/// exec_test.go, `TestExitZero`.
#[test]
fn pebble_conformance_exec_exit_zero() {
    let fake = Fake::new();
    add_exec_responses(&fake, "123", 0);
    let (result, body) = run_exec(&fake, &ExecOptions::new(["true"]).combine_stderr(true));
    assert_eq!(body, json!({"command": ["true"]}));
    assert_eq!(result.expect("ran").exit_code, 0);
    // The websockets it opened, in Go's order; no stderr when combined.
    let paths: Vec<String> = lock(&fake.websockets).iter().map(|(p, _)| p.clone()).collect();
    assert_eq!(paths, ["/v1/tasks/T123/websocket/control", "/v1/tasks/T123/websocket/stdio"]);
}

/// exec_test.go, `TestExitNonZero`.
#[test]
fn pebble_conformance_exec_exit_non_zero() {
    let fake = Fake::new();
    add_exec_responses(&fake, "123", 1);
    let (result, body) = run_exec(&fake, &ExecOptions::new(["false"]).combine_stderr(true));
    assert_eq!(body, json!({"command": ["false"]}));
    let output = result.expect("ran");
    assert_eq!(output.exit_code, 1);
    let err = output.exit_ok().expect_err("exit 1");
    assert!(matches!(&err, PebbleError::ExitCode { command, exit_code: 1 } if command == "false"));
}

/// exec_test.go, `TestTimeout`.
#[test]
fn pebble_conformance_exec_timeout() {
    let fake = Fake::new();
    add_exec_responses(&fake, "123", 0);
    let options =
        ExecOptions::new(["sleep", "3"]).timeout(Duration::from_secs(1)).combine_stderr(true);
    let (result, body) = run_exec(&fake, &options);
    assert_eq!(body, json!({"command": ["sleep", "3"], "timeout": "1s"}));
    result.expect("ran");
    assert_eq!(fake.req().url(), "/v1/changes/123/wait?timeout=2s");
    // The websockets' reads wait the command's timeout plus the margin.
    assert!(lock(&fake.websockets).iter().all(|(_, t)| *t == Some(Duration::from_secs(6))));
}

/// exec_test.go, `TestOtherOptions` (but `terminal`, `width` and `height`: no terminal here).
#[test]
fn pebble_conformance_exec_other_options() {
    let fake = Fake::new();
    add_exec_responses(&fake, "123", 0);
    let options = ExecOptions::new(["echo", "foo"])
        .environment("K1", "V1")
        .environment("K2", "V2")
        .working_dir("WD")
        .user_id(1000)
        .user("bob")
        .group_id(2000)
        .group("staff");
    let (result, body) = run_exec(&fake, &options);
    assert_eq!(
        body,
        json!({"command": ["echo", "foo"], "environment": {"K1": "V1", "K2": "V2"},
               "working-dir": "WD", "user-id": 1000, "user": "bob", "group-id": 2000,
               "group": "staff", "split-stderr": true})
    );
    result.expect("ran");
    // Debug names the executable, never the arguments or values.
    let debug = format!("{options:?}");
    assert!(debug.contains("echo") && !debug.contains("foo") && !debug.contains("V1"), "{debug}");
}

/// exec_test.go, `TestWaitChangeError`.
#[test]
fn pebble_conformance_exec_wait_change_error() {
    let fake = Fake::new();
    add_exec_responses(&fake, "123", 0);
    lock(&fake.rsps)[1] = Response::new(
        200,
        vec![],
        r#"{"result": {"id": "123", "kind": "exec", "ready": true, "err": "change error!"},
            "status": "OK", "status-code": 200, "type": "sync"}"#,
    );
    let (result, body) = run_exec(&fake, &ExecOptions::new(["foo"]).combine_stderr(true));
    assert_eq!(body, json!({"command": ["foo"]}));
    match result.expect_err("change failed") {
        PebbleError::ChangeFailed { message, .. } => assert_eq!(message, "change error!"),
        other => panic!("expected ChangeFailed, got {other:?}"),
    }
}

/// exec_test.go, `TestWaitTasksError`.
#[test]
fn pebble_conformance_exec_wait_tasks_error() {
    let fake = Fake::new();
    add_exec_responses(&fake, "123", 0);
    lock(&fake.rsps)[1] = Response::new(
        200,
        vec![],
        r#"{"result": {"id": "123", "kind": "exec", "ready": true},
            "status": "OK", "status-code": 200, "type": "sync"}"#,
    );
    let (result, _) = run_exec(&fake, &ExecOptions::new(["foo"]).combine_stderr(true));
    let err = result.expect_err("no task");
    assert_eq!(protocol_why(&err), "expected exec change to contain at least one task");
}

/// exec_test.go, `TestWaitExitCodeError`.
#[test]
fn pebble_conformance_exec_wait_exit_code_error() {
    let fake = Fake::new();
    add_exec_responses(&fake, "123", 0);
    lock(&fake.rsps)[1] = Response::new(
        200,
        vec![],
        r#"{"result": {"id": "123", "kind": "exec", "ready": true,
            "tasks": [{"id": "T123", "kind": "exec"}]},
            "status": "OK", "status-code": 200, "type": "sync"}"#,
    );
    let (result, _) = run_exec(&fake, &ExecOptions::new(["foo"]).combine_stderr(true));
    let err = result.expect_err("no exit code");
    assert!(protocol_why(&err).starts_with("cannot get exit code: "), "{err}");
}

/// exec_test.go, `TestSendSignal`: the control message, byte for byte (this client sends it
/// only to kill a command whose wait timed out).
#[test]
fn pebble_conformance_exec_send_signal() {
    assert_eq!(
        exec::signal_message("SIGHUP"),
        r#"{"command":"signal","signal":{"name":"SIGHUP"}}"#
    );
    assert_eq!(
        exec::signal_message("SIGUSR1"),
        r#"{"command":"signal","signal":{"name":"SIGUSR1"}}"#
    );
}

/// exec_test.go, `TestOutputCombined`.
#[test]
fn pebble_conformance_exec_output_combined() {
    let fake = Fake::new();
    fake.stdio.read(Message::Binary(b"OUT\n".to_vec()));
    fake.stdio.read(Message::Binary(b"ERR\n".to_vec()));
    fake.stdio.read(Message::Text(r#"{"command":"end"}"#.into()));
    add_exec_responses(&fake, "123", 0);
    let command = ["/bin/sh", "-c", "echo OUT; echo ERR >err"];
    let (result, body) = run_exec(&fake, &ExecOptions::new(command).combine_stderr(true));
    assert_eq!(body, json!({"command": command}));
    let output = result.expect("ran");
    assert_eq!(
        (output.stdout.as_slice(), output.stderr.as_slice()),
        (&b"OUT\nERR\n"[..], &b""[..])
    );
}

/// exec_test.go, `TestOutputSplit`.
#[test]
fn pebble_conformance_exec_output_split() {
    let fake = Fake::new();
    fake.stdio.read(Message::Binary(b"OUT\n".to_vec()));
    fake.stdio.read(Message::Text(r#"{"command":"end"}"#.into()));
    fake.stderr.read(Message::Binary(b"ERR\n".to_vec()));
    fake.stderr.read(Message::Text(r#"{"command":"end"}"#.into()));
    add_exec_responses(&fake, "123", 0);
    let command = ["/bin/sh", "-c", "echo OUT; echo ERR >err"];
    let (result, body) = run_exec(&fake, &ExecOptions::new(command));
    assert_eq!(body, json!({"command": command, "split-stderr": true}));
    let output = result.expect("ran");
    assert_eq!(
        (output.stdout.as_slice(), output.stderr.as_slice()),
        (&b"OUT\n"[..], &b"ERR\n"[..])
    );
    let paths: Vec<String> = lock(&fake.websockets).iter().map(|(p, _)| p.clone()).collect();
    assert_eq!(
        paths,
        [
            "/v1/tasks/T123/websocket/control",
            "/v1/tasks/T123/websocket/stdio",
            "/v1/tasks/T123/websocket/stderr"
        ]
    );
    assert!(!format!("{output:?}").contains("OUT"));
}

/// exec_test.go, `TestStdinAndStdout`: stdin as one binary message, then the end command.
#[test]
fn pebble_conformance_exec_stdin_and_stdout() {
    let fake = Fake::new();
    fake.stdio.read(Message::Binary(b"FOO\nBAR BAZZ\n".to_vec()));
    fake.stdio.read(Message::Text(r#"{"command":"end"}"#.into()));
    add_exec_responses(&fake, "123", 0);
    let options = ExecOptions::new(["awk", "{ print toupper($0) }"])
        .stdin(b"foo\nBar BAZZ\n".to_vec())
        .combine_stderr(true);
    let (result, body) = run_exec(&fake, &options);
    assert_eq!(body, json!({"command": ["awk", "{ print toupper($0) }"]}));
    assert_eq!(result.expect("ran").stdout, b"FOO\nBAR BAZZ\n");
    assert_eq!(
        fake.stdio.data_writes(),
        [
            Message::Binary(b"foo\nBar BAZZ\n".to_vec()),
            Message::Text(r#"{"command":"end"}"#.into())
        ]
    );
    // Nothing but the final close on the control socket; every socket closed at the end.
    assert_eq!(*lock(&fake.control.writes), [Message::Close]);
    assert_eq!(lock(&fake.stdio.writes).last(), Some(&Message::Close));
}

/// exec_test.go, `TestExitZero` without stdin: only the end command goes to stdio (Go's
/// `WebsocketSendStream` sends no empty message).
#[test]
fn pebble_conformance_exec_no_stdin_sends_only_end() {
    let fake = Fake::new();
    add_exec_responses(&fake, "123", 0);
    run_exec(&fake, &ExecOptions::new(["true"])).0.expect("ran");
    assert_eq!(fake.stdio.data_writes(), [Message::Text(r#"{"command":"end"}"#.into())]);
}

// ---------------------------------------------------------------------------------------------
// client/checks_test.go

/// checks_test.go, `TestChecksGet`.
#[test]
fn pebble_conformance_checks_get() {
    let fake = Fake::new();
    fake.rsp(
        r#"{"result": [
            {"name": "chk1", "status": "up"},
            {"name": "chk3", "status": "down", "failures": 42},
            {"name": "chk5", "status": "inactive"}
        ], "status": "OK", "status-code": 200, "type": "sync"}"#,
    );
    let checks =
        fake.client().checks(Some(CheckLevel::Alive), &["chk1", "chk3", "chk5"]).expect("checks");
    let got: Vec<(&str, CheckStatus, u64)> =
        checks.iter().map(|c| (c.name.as_str(), c.status, c.failures)).collect();
    assert_eq!(
        got,
        [
            ("chk1", CheckStatus::Up, 0),
            ("chk3", CheckStatus::Down, 42),
            ("chk5", CheckStatus::Inactive, 0)
        ]
    );
    assert!(
        checks.iter().all(|c| c.level.is_none() && c.successes.is_none() && c.change_id.is_none())
    );
    let req = fake.req();
    assert_eq!((req.method, req.path.as_str()), ("GET", "/v1/checks"));
    assert_eq!(
        req.query,
        query(&[("level", "alive"), ("names", "chk1"), ("names", "chk3"), ("names", "chk5")])
    );
}

/// checks_test.go, `TestStartChecks`.
#[test]
fn pebble_conformance_checks_start() {
    let fake = Fake::new();
    fake.rsp(r#"{"result": {"changed": ["chk1", "chk2"]}, "status": "OK", "status-code": 200, "type": "sync"}"#);
    assert_eq!(fake.client().start_checks(&["chk1", "chk2"]).expect("started"), ["chk1", "chk2"]);
    let req = fake.req();
    assert_eq!((req.method, req.path.as_str()), ("POST", "/v1/checks"));
    assert_eq!(body_json(&req), json!({"action": "start", "checks": ["chk1", "chk2"]}));
}

/// checks_test.go, `TestStopChecks`.
#[test]
fn pebble_conformance_checks_stop() {
    let fake = Fake::new();
    fake.rsp(
        r#"{"result": {"changed": ["chk1"]}, "status": "OK", "status-code": 200, "type": "sync"}"#,
    );
    assert_eq!(fake.client().stop_checks(&["chk1", "chk2"]).expect("stopped"), ["chk1"]);
    assert_eq!(body_json(&fake.req()), json!({"action": "stop", "checks": ["chk1", "chk2"]}));
}

const REFRESHED: &str = r#"{"info": {"name": "chk1", "startup": "enabled", "status": "up",
    "failures": 0, "threshold": 3, "change-id": "42"}"#;

fn refreshed_info() -> CheckInfo {
    CheckInfo {
        name: "chk1".into(),
        level: None,
        startup: Some(Startup::Enabled),
        status: CheckStatus::Up,
        successes: None,
        failures: 0,
        threshold: 3,
        change_id: Some("42".into()),
        prev_change_id: None,
    }
}

/// checks_test.go, `TestRefreshCheck`.
#[test]
fn pebble_conformance_checks_refresh() {
    let fake = Fake::new();
    fake.rsp(&format!(
        r#"{{"result": {REFRESHED}}}, "status": "OK", "status-code": 200, "type": "sync"}}"#
    ));
    let result = fake.client().refresh_check("chk1").expect("refreshed");
    assert_eq!(result, RefreshCheckResult { info: refreshed_info(), error: None });
    let req = fake.req();
    assert_eq!((req.method, req.path.as_str()), ("POST", "/v1/checks/refresh"));
    assert_eq!(body_json(&req), json!({"name": "chk1"}));
}

/// checks_test.go, `TestRefreshCheckError`.
#[test]
fn pebble_conformance_checks_refresh_error() {
    let fake = Fake::new();
    fake.rsp(&format!(
        r#"{{"result": {REFRESHED}, "error": "some error"}}, "status": "OK", "status-code": 200, "type": "sync"}}"#
    ));
    let result = fake.client().refresh_check("chk1").expect("refreshed");
    assert_eq!(
        result,
        RefreshCheckResult { info: refreshed_info(), error: Some("some error".into()) }
    );
    assert_eq!(fake.req().path, "/v1/checks/refresh");
}

// ---------------------------------------------------------------------------------------------
// client/notices_test.go

fn notice_123() -> Notice {
    Notice {
        id: "123".into(),
        user_id: Some(1000),
        type_: "custom".into(),
        key: "a.b/c".into(),
        first_occurred: "2023-09-05T15:43:00.123Z".into(),
        last_occurred: "2023-09-05T17:43:00.567Z".into(),
        last_repeated: "2023-09-05T16:43:00Z".into(),
        occurrences: 7,
        last_data: [("k".to_owned(), "v".to_owned())].into(),
        repeat_after: Some(Duration::from_secs(3600)),
        expire_after: Some(Duration::from_secs(7 * 24 * 3600)),
    }
}

const NOTICE_123: &str = r#"{"id": "123", "user-id": 1000, "type": "custom", "key": "a.b/c",
    "first-occurred": "2023-09-05T15:43:00.123Z", "last-occurred": "2023-09-05T17:43:00.567Z",
    "last-repeated": "2023-09-05T16:43:00Z", "occurrences": 7, "last-data": {"k": "v"},
    "repeat-after": "1h", "expire-after": "168h"}"#;

const WARNING: &str = r#"{"id": "2", "user-id": null, "type": "warning", "key": "be careful!",
    "first-occurred": "2023-09-06T15:43:00.123Z", "last-occurred": "2023-09-06T17:43:00.567Z",
    "last-repeated": "2023-09-06T16:43:00Z", "occurrences": 1}"#;

fn warning() -> Notice {
    Notice {
        id: "2".into(),
        user_id: None,
        type_: "warning".into(),
        key: "be careful!".into(),
        first_occurred: "2023-09-06T15:43:00.123Z".into(),
        last_occurred: "2023-09-06T17:43:00.567Z".into(),
        last_repeated: "2023-09-06T16:43:00Z".into(),
        occurrences: 1,
        last_data: std::collections::BTreeMap::new(),
        repeat_after: None,
        expire_after: None,
    }
}

/// notices_test.go, `TestNotice`.
#[test]
fn pebble_conformance_notices_notice() {
    let fake = Fake::new();
    fake.rsp(&format!(r#"{{"type": "sync", "result": {NOTICE_123}}}"#));
    assert_eq!(fake.client().notice("123").expect("notice"), notice_123());
    let req = fake.req();
    assert_eq!((req.method, req.path.as_str()), ("GET", "/v1/notices/123"));
}

/// notices_test.go, `TestNoticeInvalidID`.
#[test]
fn pebble_conformance_notices_notice_invalid_id() {
    let fake = Fake::new();
    let err = fake.client().notice("<boo>").expect_err("invalid");
    assert!(matches!(&err, PebbleError::Invalid { why } if why.starts_with("invalid notice ID")));
    assert!(fake.reqs().is_empty());
}

/// notices_test.go, `TestNotices`.
#[test]
fn pebble_conformance_notices_notices() {
    let fake = Fake::new();
    let one = NOTICE_123.replacen(r#""id": "123""#, r#""id": "1""#, 1);
    fake.rsp(&format!(r#"{{"type": "sync", "result": [{one}, {WARNING}]}}"#));
    let notices = fake.client().notices(&NoticesOptions::new()).expect("notices");
    assert_eq!(notices, [Notice { id: "1".into(), ..notice_123() }, warning()]);
    let req = fake.req();
    assert_eq!((req.method, req.path.as_str()), ("GET", "/v1/notices"));
    assert!(req.query.is_empty());
}

/// notices_test.go, `TestNoticesFilters`.
#[test]
fn pebble_conformance_notices_filters() {
    let fake = Fake::new();
    fake.rsp(r#"{"type": "sync", "result": []}"#);
    let options = NoticesOptions::new()
        .all_users()
        .user_id(1000)
        .type_("custom")
        .key("foo.com/bar")
        .key("example.com/x")
        .after("2023-09-05T16:43:32.123456789Z");
    assert!(fake.client().notices(&options).expect("notices").is_empty());
    assert_eq!(
        fake.req().query,
        query(&[
            ("after", "2023-09-05T16:43:32.123456789Z"),
            ("keys", "foo.com/bar"),
            ("keys", "example.com/x"),
            ("types", "custom"),
            ("user-id", "1000"),
            ("users", "all"),
        ])
    );
}

/// notices_test.go, `TestNotify`.
#[test]
fn pebble_conformance_notices_notify() {
    let fake = Fake::new();
    fake.rsp(r#"{"type": "sync", "result": {"id": "7"}}"#);
    let notice =
        NotifyOptions::new("foo.com/bar").repeat_after(Duration::from_secs(3600)).data("k", "9");
    assert_eq!(fake.client().notify(&notice).expect("notified"), "7");
    let req = fake.req();
    assert_eq!((req.method, req.path.as_str()), ("POST", "/v1/notices"));
    assert_eq!(
        body_json(&req),
        json!({"action": "add", "type": "custom", "key": "foo.com/bar", "data": {"k": "9"},
               "repeat-after": "1h0m0s"})
    );
}

/// notices_test.go, `TestNotifyMinimal`.
#[test]
fn pebble_conformance_notices_notify_minimal() {
    let fake = Fake::new();
    fake.rsp(r#"{"type": "sync", "result": {"id": "1"}}"#);
    assert_eq!(fake.client().notify(&NotifyOptions::new("a.b/c")).expect("notified"), "1");
    assert_eq!(
        &fake.req().body[..],
        b"{\"action\":\"add\",\"type\":\"custom\",\"key\":\"a.b/c\"}\n"
    );
}

/// notices_test.go, `TestWaitNotices`.
#[test]
fn pebble_conformance_notices_wait_notices() {
    let fake = Fake::new();
    let warning_1000 =
        WARNING.replacen(r#""id": "2", "user-id": null"#, r#""id": "1", "user-id": 1000"#, 1);
    fake.rsp(&format!(r#"{{"type": "sync", "result": [{warning_1000}]}}"#));
    let notices = fake
        .client()
        .wait_notices(Duration::from_secs(10), &NoticesOptions::new())
        .expect("notices");
    assert_eq!(notices, [Notice { id: "1".into(), user_id: Some(1000), ..warning() }]);
    let req = fake.req();
    assert_eq!((req.method, req.path.as_str()), ("GET", "/v1/notices"));
    assert_eq!(req.query, query(&[("timeout", "10s")]));
    assert_eq!(req.timeout, Some(Duration::from_secs(15)));
}

/// notices_test.go, `TestWaitNoticesTimeout`.
#[test]
fn pebble_conformance_notices_wait_notices_timeout() {
    let fake = Fake::new();
    fake.rsp(r#"{"type": "sync", "result": []}"#);
    let notices = fake
        .client()
        .wait_notices(Duration::from_secs(1), &NoticesOptions::new())
        .expect("notices");
    assert!(notices.is_empty());
}
