//! The Pebble API the simulator serves, as a charm reaches it: raw HTTP over each container's
//! Unix socket (`$CHARM_CONTAINERS_DIR/<container>/pebble.socket`), answered with Pebble's
//! envelope and messages (canonical/pebble `internals/daemon/api_*.go`).

use std::cell::RefCell;
use std::io::ErrorKind;
use std::os::unix::net::UnixStream;

use juju_charm::environment::PebbleHook;
use juju_sim::{
    CharmMeta, CheckInfo, ContainerBuilder, Context, Event, Exec, Notice, ServiceStatus, State,
};
use serde_json::{Value, json};

use super::client::Pebble;

const METADATA: &str = "\
name: web
containers:
  app:
    resource: app-image
  sidecar:
    resource: app-image
resources:
  app-image:
    type: oci-image
";

const LAYER: &str = "
summary: base
services:
  web:
    override: replace
    command: /bin/web --port 8080
    startup: enabled
    requires: [db]
    after: [db]
  db:
    override: replace
    command: /bin/db
  tool:
    override: replace
    command: /bin/tool
checks:
  up:
    override: replace
    level: ready
    http:
      url: http://localhost:8080/
";

fn state(container: ContainerBuilder) -> State {
    State::for_charm(CharmMeta::from_yaml(METADATA, "", "").unwrap()).with_container(container)
}

fn ready() -> ContainerBuilder {
    ContainerBuilder::new("app").can_connect(true)
}

/// Runs `f` as the charm of an update-status hook (exit code `code`), with the Pebble of
/// container `app`, and returns what `f` returned and the run's output.
fn with_pebble<T>(
    st: &State,
    code: i32,
    event: Event,
    f: impl Fn(&Pebble, &[(String, String)]) -> T,
) -> (T, juju_sim::Output) {
    let got = RefCell::new(None);
    let ctx = Context::from_fn(|env, _tools| {
        let pebble = Pebble::from_env(&env, "app");
        *got.borrow_mut() = Some(f(&pebble, &env));
        code
    });
    let out = ctx.run(event, st).unwrap();
    drop(ctx);
    (got.into_inner().unwrap(), out)
}

fn hook<T>(st: &State, f: impl Fn(&Pebble, &[(String, String)]) -> T) -> (T, juju_sim::Output) {
    with_pebble(st, 0, Event::UpdateStatus, f)
}

#[test]
fn pebble_api_answers_with_pebbles_envelope() {
    let (got, _) = hook(&state(ready()), |p, _| {
        let info = p.raw("GET", "/v1/system-info", &[], b"");
        let missing = p.raw("GET", "/v1/nothing", &[], b"");
        let wrong = p.raw("PUT", "/v1/services", &[], b"");
        (info, missing, wrong)
    });
    let (info, missing, wrong) = got;
    assert_eq!(info.status, 200);
    assert_eq!(info.header("Content-Type"), Some("application/json"));
    let text = info.text();
    assert!(
        text.starts_with(r#"{"type":"sync","status-code":200,"status":"OK","result":{"#),
        "{text}"
    );
    assert_eq!(info.json()["result"]["version"], "v1.32.1");
    assert_eq!(missing.status, 404);
    assert_eq!(
        missing.text(),
        r#"{"type":"error","status-code":404,"status":"Not Found","result":{"message":"invalid API endpoint requested"}}"#
    );
    assert_eq!(wrong.status, 405);
    assert_eq!(wrong.json()["result"]["message"], "method \"PUT\" not allowed");
}

#[test]
fn pebble_api_refuses_connections_until_the_container_can_connect() {
    let st = state(ContainerBuilder::new("app"));
    let ctx = Context::from_fn(|env, _| {
        let app = Pebble::from_env(&env, "app");
        let sidecar = Pebble::from_env(&env, "sidecar");
        let refused = UnixStream::connect(&app.socket).unwrap_err().kind();
        let absent = UnixStream::connect(&sidecar.socket).unwrap_err().kind();
        assert_eq!((refused, absent), (ErrorKind::ConnectionRefused, ErrorKind::NotFound));
        0
    });
    assert!(ctx.run(Event::UpdateStatus, &st).unwrap().succeeded());
    // pebble-ready: Pebble is up, and stays reachable.
    let (hook_env, out) =
        with_pebble(&st, 0, Event::PebbleReady { container: "app".into() }, |p, env| {
            assert_eq!(p.get("/v1/system-info")["status-code"], 200);
            env.to_vec()
        });
    let var = |k: &str| hook_env.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    assert_eq!(var("JUJU_HOOK_NAME"), Some("app-pebble-ready"));
    assert_eq!(var("JUJU_WORKLOAD_NAME"), Some("app"));
    assert!(out.state.container(0, "app").unwrap().can_connect);
}

#[test]
fn pebble_api_layers_combine_into_the_plan() {
    let (got, out) = hook(&state(ready()), |p, _| {
        let add = |label: &str, layer: &str, combine: bool| {
            p.post(
                "/v1/layers",
                &json!({"action": "add", "label": label, "format": "yaml", "layer": layer, "combine": combine}),
            )
        };
        let first = add("base", LAYER, false);
        let again = add("base", LAYER, false);
        let merged = add(
            "base",
            "services:\n  web:\n    override: merge\n    environment: {LOG: debug}\n",
            true,
        );
        let bad = add("extra", "services:\n  web:\n    command: x\n", false);
        let invalid = add("pebble-x", "{}", false);
        let plan = p.get("/v1/plan?format=yaml");
        let format = p.get("/v1/plan");
        (first, again, merged, bad, invalid, plan, format)
    });
    let (first, again, merged, bad, invalid, plan, format) = got;
    assert_eq!(first, json!({"type": "sync", "status-code": 200, "status": "OK", "result": true}));
    assert_eq!(again["result"]["message"], "layer \"base\" already exists");
    assert_eq!(merged["result"], true);
    assert_eq!(
        bad["result"]["message"],
        "layer \"extra\" must define \"override\" for service \"web\""
    );
    assert_eq!(
        invalid["result"]["message"],
        "cannot parse layer YAML: cannot use reserved label prefix \"pebble-\""
    );
    let yaml = plan["result"].as_str().unwrap();
    assert!(
        yaml.starts_with(
            "services:\n    db:\n        override: replace\n        command: /bin/db\n"
        ),
        "{yaml}"
    );
    assert!(yaml.contains("        environment:\n            LOG: debug\n"), "{yaml}");
    assert!(yaml.contains("checks:\n    up:\n        override: replace\n        level: ready\n        threshold: 3\n"), "{yaml}");
    assert_eq!(format["result"]["message"], "invalid format \"\"");
    let app = out.state.container(0, "app").unwrap();
    assert_eq!(app.layers.len(), 1);
    assert_eq!(app.layers[0].order, 1000);
    assert_eq!(app.plan().unwrap().services["web"].environment["LOG"], "debug");
}

fn services(p: &Pebble) -> Vec<(String, String, String)> {
    let got = p.get("/v1/services");
    got["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let f = |k: &str| s[k].as_str().unwrap().to_owned();
            (f("name"), f("startup"), f("current"))
        })
        .collect()
}

#[test]
fn pebble_api_service_lifecycle() {
    let st = state(ready().layer("base", LAYER));
    let (got, out) = hook(&st, |p, _| {
        let before = services(p);
        let start = p.post("/v1/services", &json!({"action": "start", "services": ["web"]}));
        let id = start["change"].as_str().unwrap().to_owned();
        let change = p.get(&format!("/v1/changes/{id}/wait?timeout=5s"));
        let running = services(p);
        let again = p.post("/v1/services", &json!({"action": "start", "services": ["web"]}));
        let again = p.get(&format!("/v1/changes/{}", again["change"].as_str().unwrap()));
        let stop = p.post("/v1/services", &json!({"action": "stop", "services": ["db"]}));
        let stop = p.get(&format!("/v1/changes/{}", stop["change"].as_str().unwrap()));
        let stopped = services(p);
        let unknown = p.post("/v1/services", &json!({"action": "start", "services": ["nope"]}));
        let none = p.post("/v1/services", &json!({"action": "stop", "services": []}));
        let replan = p.post("/v1/services", &json!({"action": "replan"}));
        let replan = p.get(&format!("/v1/changes/{}", replan["change"].as_str().unwrap()));
        let missing = p.get("/v1/changes/99");
        (before, start, change, running, again, stop, stopped, unknown, none, replan, missing)
    });
    let (before, start, change, running, again, stop, stopped, unknown, none, replan, missing) =
        got;
    let row = |n: &str, s: &str, c: &str| (n.to_owned(), s.to_owned(), c.to_owned());
    assert_eq!(
        before,
        [
            row("db", "disabled", "inactive"),
            row("tool", "disabled", "inactive"),
            row("web", "enabled", "inactive")
        ]
    );
    assert_eq!(
        (start["type"].as_str(), start["status-code"].as_i64(), start["status"].as_str()),
        (Some("async"), Some(202), Some("Accepted"))
    );
    assert!(start.get("result").is_none(), "Pebble leaves out a nil result: {start}");
    let change = &change["result"];
    assert_eq!((change["kind"].as_str(), change["status"].as_str()), (Some("start"), Some("Done")));
    assert_eq!(change["ready"], true);
    // `web` requires `db`, after it: both start, db first.
    assert_eq!(change["summary"], "Start service \"web\" and 1 more");
    let tasks: Vec<&str> = change["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["summary"].as_str().unwrap())
        .collect();
    assert_eq!(tasks, ["Start service \"db\"", "Start service \"web\""]);
    assert_eq!(
        running,
        [
            row("db", "disabled", "active"),
            row("tool", "disabled", "inactive"),
            row("web", "enabled", "active")
        ]
    );
    let log = again["result"]["tasks"][1]["log"][0].as_str().unwrap();
    assert!(log.ends_with("INFO Service \"web\" already started."), "{log}");
    // Stopping db stops web, which requires it, first.
    let tasks: Vec<&str> = stop["result"]["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["summary"].as_str().unwrap())
        .collect();
    assert_eq!(tasks, ["Stop service \"web\"", "Stop service \"db\""]);
    assert_eq!(stopped[0].2, "inactive");
    assert_eq!(stopped[2].2, "inactive");
    assert_eq!(
        unknown["result"]["message"],
        "cannot start services: service \"nope\" does not exist"
    );
    assert_eq!(none["result"]["message"], "must specify services for stop action");
    // Replan starts what has `startup: enabled` (and what it requires).
    assert_eq!(replan["result"]["summary"], "Replan service \"db\" and 1 more");
    assert_eq!(missing["result"]["message"], "cannot find change with id \"99\"");
    let app = out.state.container(0, "app").unwrap();
    assert_eq!(app.service_status("web"), ServiceStatus::Active);
    assert_eq!(app.service_status("tool"), ServiceStatus::Inactive);
}

#[test]
fn pebble_api_replan_restarts_a_service_whose_configuration_changed() {
    let st = state(
        ready()
            .layer("base", LAYER)
            .service_status("db", ServiceStatus::Active)
            .service_status("web", ServiceStatus::Active),
    );
    // Nothing changed: the enabled service is already running, its start task says so.
    let (quiet, replan) = hook(&st, |p, _| {
        let quiet = p.post("/v1/services", &json!({"action": "replan"}));
        let quiet = p.get(&format!("/v1/changes/{}", quiet["change"].as_str().unwrap()));
        let layer = "services:\n  db:\n    override: merge\n    environment: {X: '1'}\n";
        p.post(
            "/v1/layers",
            &json!({"action": "add", "label": "more", "format": "yaml", "layer": layer}),
        );
        let replan = p.post("/v1/services", &json!({"action": "replan"}));
        (quiet, p.get(&format!("/v1/changes/{}", replan["change"].as_str().unwrap())))
    })
    .0;
    let kinds = |c: &Value| -> Vec<String> {
        c["result"]["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["summary"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(kinds(&quiet), ["Start service \"db\"", "Start service \"web\""]);
    // db's configuration changed: stopped (web, which requires it, with it) and started again.
    assert_eq!(
        kinds(&replan),
        [
            "Stop service \"web\"",
            "Stop service \"db\"",
            "Start service \"db\"",
            "Start service \"web\""
        ]
    );
}

#[test]
fn pebble_api_file_push_list_pull_round_trip() {
    let st = state(
        ready().file("/etc/web/old.conf", "old").user("ubuntu", 1000, 1000).group("ubuntu", 1000),
    );
    let (got, out) = hook(&st, |p, _| {
        let dirs = p.post(
            "/v1/files",
            &json!({"action": "make-dirs", "dirs": [{"path": "/srv/data", "make-parents": true, "permissions": "750"}, {"path": "/no/parent"}]}),
        );
        let boundary = "0123456789abcdef0123456789abcdef0123";
        let meta = json!({"action": "write", "files": [
            {"path": "/srv/data/app.conf", "permissions": "600", "user": "ubuntu", "group": "ubuntu"},
            {"path": "/missing/dir/x"},
        ]});
        let mut body = Vec::new();
        body.extend(format!("--{boundary}\r\nContent-Type: application/json\r\nContent-Disposition: form-data; name=\"request\"\r\n\r\n{meta}\r\n").bytes());
        for (path, content) in [("/srv/data/app.conf", "port: 8080\n"), ("/missing/dir/x", "x")] {
            body.extend(format!("--{boundary}\r\nContent-Type: application/octet-stream\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{path}\"\r\n\r\n{content}\r\n").bytes());
        }
        body.extend(format!("--{boundary}--\r\n").bytes());
        let ctype = format!("multipart/form-data; boundary={boundary}");
        let push = p.raw("POST", "/v1/files", &[("Content-Type", &ctype)], &body).json();
        let list = p.get("/v1/files?action=list&path=/srv/data");
        let pattern = p.get("/v1/files?action=list&path=/etc/web&pattern=*.txt");
        let missing = p.raw("GET", "/v1/files?action=list&path=/nope", &[], b"");
        let pull = p.raw(
            "GET",
            "/v1/files?action=read&path=/srv/data/app.conf&path=/nope",
            &[("Accept", "multipart/form-data")],
            b"",
        );
        let no_accept = p.get("/v1/files?action=read&path=/srv/data/app.conf");
        let remove = p.post("/v1/files", &json!({"action": "remove", "paths": [{"path": "/etc/web"}, {"path": "/etc/web/old.conf"}]}));
        (dirs, push, list, pattern, missing, pull, no_accept, remove)
    });
    let (dirs, push, list, pattern, missing, pull, no_accept, remove) = got;
    assert_eq!(
        dirs["result"],
        json!([{"path": "/srv/data"}, {"path": "/no/parent", "error": {"message": "mkdir /no/parent.mkdir-new: no such file or directory", "kind": "not-found"}}])
    );
    assert_eq!(push["result"][0], json!({"path": "/srv/data/app.conf"}));
    let err = &push["result"][1]["error"];
    assert_eq!(err["kind"], "not-found");
    let message = err["message"].as_str().unwrap();
    assert!(
        message.starts_with("open /missing/dir/x.")
            && message.ends_with("~: no such file or directory"),
        "{message}"
    );
    let entry = &list["result"][0];
    assert_eq!(
        (
            entry["path"].as_str(),
            entry["name"].as_str(),
            entry["type"].as_str(),
            entry["size"].as_u64()
        ),
        (Some("/srv/data/app.conf"), Some("app.conf"), Some("file"), Some(11))
    );
    assert_eq!(
        (entry["permissions"].as_str(), entry["user"].as_str(), entry["user-id"].as_u64()),
        (Some("600"), Some("ubuntu"), Some(1000))
    );
    assert_eq!(pattern["result"], json!([]));
    assert_eq!(missing.status, 404);
    assert_eq!(
        missing.json()["result"],
        json!({"message": "stat /nope: no such file or directory", "kind": "not-found"})
    );
    assert_eq!(pull.status, 200);
    let ctype = pull.header("Content-Type").unwrap();
    assert!(ctype.starts_with("multipart/form-data; boundary="), "{ctype}");
    let text = pull.text();
    assert!(text.contains("Content-Disposition: form-data; name=\"files\"; filename=\"/srv/data/app.conf\"\r\nContent-Type: application/octet-stream\r\n\r\nport: 8080\n\r\n"), "{text}");
    assert!(text.contains(r#""result":[{"path":"/srv/data/app.conf"},{"path":"/nope","error":{"message":"stat /nope: no such file or directory","kind":"not-found"}}]"#), "{text}");
    assert_eq!(no_accept["result"]["message"], "must accept multipart/form-data");
    assert_eq!(remove["result"][0]["error"]["message"], "remove /etc/web: directory not empty");
    assert_eq!(remove["result"][1], json!({"path": "/etc/web/old.conf"}));
    let app = out.state.container(0, "app").unwrap();
    assert_eq!(app.file("/srv/data/app.conf"), Some(&b"port: 8080\n"[..]));
    assert_eq!(app.files["/srv/data"].permissions, 0o750);
    assert!(app.file("/etc/web/old.conf").is_none());
}

#[test]
fn pebble_api_exec_runs_the_declared_handler_over_websockets() {
    let st = state(
        ready()
            .exec(Exec::new(["ls"]).stdout("a\nb\n"))
            .exec(Exec::new(["ls", "/missing"]).exit_code(2).stderr("ls: no such file\n")),
    );
    let (got, out) = hook(&st, |p, _| {
        let started = p.post(
            "/v1/exec",
            &json!({"command": ["ls", "-l"], "environment": {"A": "1"}, "working-dir": "/"}),
        );
        let task = started["result"]["task-id"].as_str().unwrap().to_owned();
        let change = started["change"].as_str().unwrap().to_owned();
        let mut control = p.websocket(&task, "control");
        let mut stdio = p.websocket(&task, "stdio");
        stdio.send(2, b"input");
        stdio.send(1, br#"{"command":"end"}"#);
        let output = stdio.read_until_end();
        let done = p.get(&format!("/v1/changes/{change}/wait"));
        // The control websocket is closed when the command ends.
        let control_closed = control.recv().is_none();
        stdio.close();
        // split-stderr: stderr on its own websocket.
        let failed =
            p.post("/v1/exec", &json!({"command": ["ls", "/missing"], "split-stderr": true}));
        let task2 = failed["result"]["task-id"].as_str().unwrap().to_owned();
        let mut io2 = p.websocket(&task2, "stdio");
        let mut err2 = p.websocket(&task2, "stderr");
        let out2 = io2.read_until_end();
        let err_out = err2.read_until_end();
        io2.send(1, br#"{"command":"end"}"#);
        let done2 = p.get(&format!("/v1/changes/{}/wait", failed["change"].as_str().unwrap()));
        let missing = p.post("/v1/exec", &json!({"command": ["rm", "-rf", "/"]}));
        let bad_ws = p.raw("GET", &format!("/v1/tasks/{task2}/websocket/other"), &[], b"");
        (started, output, done, control_closed, out2, err_out, done2, missing, bad_ws.json())
    });
    let (started, output, done, control_closed, out2, err_out, done2, missing, bad_ws) = got;
    assert_eq!(started["status-code"], 202);
    assert_eq!(started["result"]["working-dir"], "/");
    let env = &started["result"]["environment"];
    assert_eq!(
        (env["A"].as_str(), env["HOME"].as_str(), env["USER"].as_str(), env["LANG"].as_str()),
        (Some("1"), Some("/root"), Some("root"), Some("C.UTF-8"))
    );
    assert_eq!(output, b"a\nb\n");
    let task = &done["result"]["tasks"][0];
    assert_eq!(
        (done["result"]["summary"].as_str(), task["status"].as_str()),
        (Some("Execute command \"ls\""), Some("Done"))
    );
    assert_eq!(task["data"]["exit-code"], 0);
    assert!(control_closed);
    assert_eq!((out2, err_out), (Vec::new(), b"ls: no such file\n".to_vec()));
    assert_eq!(done2["result"]["tasks"][0]["data"]["exit-code"], 2);
    assert_eq!(missing["result"]["message"], "cannot find executable \"rm\"");
    assert_eq!(bad_ws["status-code"], 404);
    let ran = &out.state.container(0, "app").unwrap().executed;
    assert_eq!(ran.len(), 2);
    assert_eq!(
        (ran[0].command.clone(), ran[0].stdin.clone(), ran[0].exit_code),
        (vec!["ls".to_owned(), "-l".to_owned()], b"input".to_vec(), 0)
    );
    assert_eq!(ran[0].environment["A"], "1");
    assert_eq!(ran[1].exit_code, 2);
}

#[test]
fn pebble_api_notices_and_checks() {
    let st = state(
        ready()
            .layer("base", LAYER)
            .notice(Notice::custom("example.com/seen").id("7"))
            .check("up", CheckInfo::down(3)),
    );
    let (got, out) = hook(&st, |p, _| {
        let added = p.post("/v1/notices", &json!({"action": "add", "type": "custom", "key": "example.com/backup", "data": {"k": "v"}}));
        let again = p.post(
            "/v1/notices",
            &json!({"action": "add", "type": "custom", "key": "example.com/backup"}),
        );
        let bad =
            p.post("/v1/notices", &json!({"action": "add", "type": "custom", "key": "backup"}));
        let warning = p.post(
            "/v1/notices",
            &json!({"action": "add", "type": "warning", "key": "example.com/x"}),
        );
        let all = p.get("/v1/notices");
        let keyed = p.get("/v1/notices?keys=example.com/backup");
        let one = p.get("/v1/notices/7");
        let checks = p.get("/v1/checks");
        let alive = p.get("/v1/checks?level=alive");
        let level = p.get("/v1/checks?level=bogus");
        (added, again, bad, warning, all, keyed, one, checks, alive, level)
    });
    let (added, again, bad, warning, all, keyed, one, checks, alive, level) = got;
    assert_eq!(added["result"], json!({"id": "8"}));
    assert_eq!(again["result"], json!({"id": "8"}), "the same key is the same notice, repeated");
    assert_eq!(
        bad["result"]["message"],
        "invalid key \"backup\" (must be in \"example.com/path\" format)"
    );
    assert_eq!(
        warning["result"]["message"],
        "invalid type \"warning\" (can only add \"custom\" notices)"
    );
    assert_eq!(all["result"].as_array().unwrap().len(), 2);
    let backup = &keyed["result"][0];
    assert_eq!(
        (backup["occurrences"].as_u64(), backup["user-id"].as_u64(), backup["type"].as_str()),
        (Some(2), Some(0), Some("custom"))
    );
    assert_eq!(one["result"]["key"], "example.com/seen");
    assert_eq!(one["result"]["user-id"], Value::Null);
    assert_eq!(
        checks["result"],
        json!([{"name": "up", "level": "ready", "startup": "enabled", "status": "down", "successes": 0, "failures": 3, "threshold": 3}])
    );
    assert_eq!(alive["result"], json!([]));
    assert_eq!(level["result"]["message"], "level must be \"alive\" or \"ready\"");
    let notices = &out.state.container(0, "app").unwrap().notices;
    assert_eq!(notices.iter().map(|n| n.id.as_str()).collect::<Vec<_>>(), ["7", "8"]);
}

#[test]
fn pebble_api_changes_stay_when_the_hook_fails() {
    // Pebble is not part of Juju's hook transaction: a failed hook does not undo a started
    // service or a pushed layer.
    let st = state(ready().layer("base", LAYER));
    let (_, out) = with_pebble(&st, 1, Event::UpdateStatus, |p, _| {
        p.post("/v1/services", &json!({"action": "start", "services": ["db"]}));
    });
    assert!(!out.succeeded());
    assert_eq!(out.state.container(0, "app").unwrap().service_status("db"), ServiceStatus::Active);
}

#[test]
fn pebble_events_set_jujus_variables_and_the_runtime_reads_them() {
    let st = state(ready().layer("base", LAYER).notice(Notice::custom("example.com/a").id("1")));
    let notice = Event::PebbleCustomNotice {
        container: "app".into(),
        notice_id: "1".into(),
        notice_type: "custom".into(),
        notice_key: "example.com/a".into(),
    };
    let (env, _) = with_pebble(&st, 0, notice.clone(), |_, env| env.to_vec());
    let var = |k: &str| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    assert_eq!(var("JUJU_HOOK_NAME"), Some("app-pebble-custom-notice"));
    assert_eq!(
        (var("JUJU_NOTICE_ID"), var("JUJU_NOTICE_TYPE"), var("JUJU_NOTICE_KEY")),
        (Some("1"), Some("custom"), Some("example.com/a"))
    );
    match notice.to_runtime(&st, 0).unwrap() {
        juju_charm::Event::Pebble { hook, workload, notice_id, notice_key, .. } => {
            assert_eq!(hook, PebbleHook::CustomNotice);
            assert_eq!(
                (workload.as_str(), notice_id.as_deref(), notice_key.as_deref()),
                ("app", Some("1"), Some("example.com/a"))
            );
        }
        other => panic!("{other:?}"),
    }
    for (event, hook) in [
        (
            Event::PebbleCheckFailed { container: "app".into(), check: "up".into() },
            PebbleHook::CheckFailed,
        ),
        (
            Event::PebbleCheckRecovered { container: "app".into(), check: "up".into() },
            PebbleHook::CheckRecovered,
        ),
        (Event::PebbleReady { container: "app".into() }, PebbleHook::Ready),
    ] {
        match event.to_runtime(&st, 0).unwrap() {
            juju_charm::Event::Pebble { hook: h, workload, check_name, .. } => {
                assert_eq!((h, workload.as_str()), (hook, "app"));
                let expected = if hook == PebbleHook::Ready { None } else { Some("up") };
                assert_eq!(check_name.as_deref(), expected);
            }
            other => panic!("{other:?}"),
        }
    }
    // Events about what the container does not have are refused before anything runs.
    let ctx = Context::from_fn(|_, _| 0);
    let unknown_check = Event::PebbleCheckFailed { container: "app".into(), check: "nope".into() };
    let e = ctx.run(unknown_check, &st).unwrap_err().to_string();
    assert!(e.contains("container \"app\" has no check \"nope\""), "{e}");
    let absent = Event::PebbleReady { container: "sidecar".into() };
    let e = ctx.run(absent, &st).unwrap_err().to_string();
    assert!(e.contains("unit 0 has no container \"sidecar\""), "{e}");
    let undeclared = Event::PebbleReady { container: "other".into() };
    assert!(ctx.run(undeclared, &st).is_err());
}

#[test]
fn pebble_state_refuses_undeclared_containers_and_bad_layers() {
    let meta = CharmMeta::from_yaml(METADATA, "", "").unwrap();
    let mut st = State::for_charm(meta);
    let e = st.insert_container(ContainerBuilder::new("other")).unwrap_err().to_string();
    assert_eq!(
        e,
        "inconsistent state: container \"other\" is not declared in metadata.yaml (it declares [\"app\", \"sidecar\"])"
    );
    let e = st
        .insert_container(ContainerBuilder::new("app").layer("l", "services:\n  x: {command: y}\n"))
        .unwrap_err();
    assert!(e.to_string().contains("must define \"override\" for service \"x\""), "{e}");
    let e = st.insert_container(ContainerBuilder::new("app").on_unit(3)).unwrap_err();
    assert!(e.to_string().contains("unit 3"), "{e}");
    // A container written into the state by hand is checked before a run.
    st.insert_container(ContainerBuilder::new("app")).unwrap();
    let c = st.units.get_mut(&0).unwrap().containers.remove("app").unwrap();
    st.units.get_mut(&0).unwrap().containers.insert("ghost".into(), c);
    let e = st.check_consistency().unwrap_err().to_string();
    assert!(e.contains("container \"ghost\", which metadata.yaml does not declare"), "{e}");
}
