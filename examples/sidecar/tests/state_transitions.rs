//! State-transition tests: one event on a declared model with the `workload` container, the
//! charm run in process by juju-sim's `Context` against the simulator's Pebble, and the model
//! and the container it leaves.

mod common;

// The charm itself is in the binary's `main.rs`; it is compiled into this test as a module (its
// `main` unused) so that the tests run exactly the code Juju runs.
#[path = "../src/main.rs"]
#[allow(dead_code)]
mod charm;

use std::collections::BTreeMap;

use juju_charm::Status;
use juju_sim::{ActionOutput, CheckInfo, Container, ContainerBuilder, Context, Event, Exec};
use juju_sim::{Output, State};
use juju_sim::{ServiceStatus, pebble::Plan};
use serde_json::{Map, Value, json};
use sidecar_charm::{CHECK, COMMAND, LAYER_LABEL, SERVICE, TOKEN_PATH};

use common::{state, state_with};

/// The charm, in process, on unit 0.
fn ctx() -> Context<'static> {
    Context::new(charm::Sidecar::setup)
}

/// Runs `event`, checks the hook succeeded, and moves `state` on to the state it left.
fn run(state: &mut State, event: Event) -> Output {
    let out = ctx().run(event.clone(), state).expect("simulated run");
    assert!(out.succeeded(), "{event:?}: {:?}", out.outcome.logs);
    *state = out.state.clone();
    out
}

/// Runs action `name`, and moves `state` on to the state it left.
fn action(state: &mut State, name: &str, params: Value) -> ActionOutput {
    let out = ctx().run_action(name, params, state).expect("simulated action");
    *state = out.output.state.clone();
    out
}

fn pebble_ready() -> Event {
    Event::PebbleReady { container: "workload".into() }
}

fn workload_of(state: &State) -> &Container {
    state.container(0, "workload").expect("the workload container")
}

fn plan(state: &State) -> Plan {
    workload_of(state).plan().expect("a plan Pebble accepts")
}

/// The environment of the service in the plan.
fn environment(state: &State) -> BTreeMap<String, String> {
    plan(state).services[SERVICE].environment.clone()
}

fn env<const N: usize>(pairs: [(&str, &str); N]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

/// A state whose workload is up and configured: after `workload-pebble-ready`.
fn ready() -> State {
    let mut s = state();
    run(&mut s, pebble_ready());
    s
}

#[test]
fn pebble_ready_adds_the_layer_and_starts_the_service() {
    let mut s = state();
    let out = run(&mut s, pebble_ready());
    assert_eq!(out.unit_status(), Some(Status::active("serving on port 8080")));

    let workload = workload_of(&s);
    let layer = workload.layer(LAYER_LABEL).expect("the charm's layer");
    assert_eq!(layer.services[SERVICE].r#override, "replace");
    let plan = plan(&s);
    let web = &plan.services[SERVICE];
    assert_eq!((web.command.as_str(), web.startup.as_str()), (COMMAND, "enabled"));
    assert_eq!(web.environment, env([("MESSAGE", "hello from a Rust charm"), ("PORT", "8080")]));
    assert_eq!(web.on_check_failure[CHECK], "restart");
    let up = &plan.checks[CHECK];
    assert_eq!((up.level.as_str(), up.threshold), ("alive", 3));
    assert_eq!(up.http.as_ref().map(|h| h.url.as_str()), Some("http://localhost:8080/"));
    // Replan started it; no token was configured, so there is no token file.
    assert_eq!(workload.service_status(SERVICE), ServiceStatus::Active);
    assert_eq!(workload.changes.last().map(|c| c.kind.as_str()), Some("replan"));
    assert!(!workload.files.contains_key(TOKEN_PATH));
}

#[test]
fn waits_for_pebble_before_the_container_is_up() {
    for event in [Event::Install, Event::ConfigChanged, Event::Start, Event::UpdateStatus] {
        let mut s = state();
        let out = run(&mut s, event.clone());
        // Exit 0, not an error: the pebble-ready event comes when the container is up.
        assert_eq!(out.unit_status(), Some(Status::waiting("waiting for Pebble")), "{event:?}");
        let workload = workload_of(&s);
        assert!(workload.layers.is_empty() && workload.changes.is_empty());
    }
    // A container whose Pebble went away after it was configured: waiting again.
    let mut s = ready();
    s.container_mut(0, "workload").expect("container").can_connect = false;
    let out = run(&mut s, Event::UpdateStatus);
    assert_eq!(out.unit_status(), Some(Status::waiting("waiting for Pebble")));
    assert_eq!(workload_of(&s).service_status(SERVICE), ServiceStatus::Active, "untouched");
}

#[test]
fn a_config_change_replans_with_the_new_environment() {
    let mut s = ready();
    s.set_config("port", json!(9090)).expect("an int");
    s.set_config("message", json!("bonjour")).expect("a string");
    let out = run(&mut s, Event::ConfigChanged);
    assert_eq!(out.unit_status(), Some(Status::active("serving on port 9090")));
    assert_eq!(environment(&s), env([("MESSAGE", "bonjour"), ("PORT", "9090")]));
    let url = plan(&s).checks[CHECK].http.clone().map(|h| h.url);
    assert_eq!(url.as_deref(), Some("http://localhost:9090/"));
    // One layer, replaced; the replan restarted the service, whose configuration changed.
    let workload = workload_of(&s);
    assert_eq!(workload.layers.len(), 1);
    let replan = workload.changes.last().expect("a change");
    let tasks: Vec<(&str, &str)> =
        replan.tasks.iter().map(|t| (t.kind.as_str(), t.summary.as_str())).collect();
    assert_eq!(
        (replan.kind.as_str(), tasks),
        ("replan", vec![("stop", r#"Stop service "web""#), ("start", r#"Start service "web""#)])
    );
    assert_eq!(workload.service_status(SERVICE), ServiceStatus::Active);

    // A bad port blocks and leaves the workload as it was.
    s.set_config("port", json!(0)).expect("an int, as Juju checks");
    let changes = workload_of(&s).changes.len();
    let out = run(&mut s, Event::ConfigChanged);
    let blocked = Status::blocked("Invalid 'port' config: must be between 1 and 65535");
    assert_eq!(out.unit_status(), Some(blocked));
    assert_eq!(environment(&s)["PORT"], "9090");
    assert_eq!(workload_of(&s).changes.len(), changes);
}

#[test]
fn the_token_secret_becomes_a_private_file_never_in_argv_or_logs() {
    const TOKEN: &str = "tok-5f3c9a1e7d2b4c68";
    let mut s = ready();
    let uri = s.add_user_secret("sidecar-token", BTreeMap::from([("token".into(), TOKEN.into())]));
    s.set_config("api-token", json!(uri)).expect("a secret URI");

    // Not granted yet: blocked with what to run, nothing pushed.
    let out = run(&mut s, Event::ConfigChanged);
    let grant = format!("grant the 'api-token' secret: juju grant-secret {uri} sidecar");
    assert_eq!(out.unit_status(), Some(Status::blocked(grant)));
    assert!(!workload_of(&s).files.contains_key(TOKEN_PATH));

    s.grant_secret(&uri, "sidecar").expect("granted");
    let out = run(&mut s, Event::ConfigChanged);
    assert_eq!(out.unit_status(), Some(Status::active("serving on port 8080")));
    let workload = workload_of(&s);
    assert_eq!(workload.file(TOKEN_PATH), Some(TOKEN.as_bytes()));
    let file = &workload.files[TOKEN_PATH];
    assert_eq!((file.permissions, file.user.as_str()), (0o600, "root"));
    assert_eq!(environment(&s)["TOKEN_FILE"], TOKEN_PATH);
    // The token went over Pebble's socket only: in no hook tool's arguments, no log, no command
    // run in the workload, and nowhere in the plan.
    let outcome = &out.outcome;
    assert!(outcome.calls.iter().all(|c| c.args.iter().all(|a| !a.contains(TOKEN))));
    assert!(outcome.logs.iter().all(|l| !l.message.contains(TOKEN)));
    assert!(workload.executed.iter().all(|e| e.command.iter().all(|a| !a.contains(TOKEN))));
    assert!(!format!("{:?}", plan(&s)).contains(TOKEN));

    // A new revision reaches the file on the next hook; unsetting the option removes it.
    s.update_user_secret(&uri, BTreeMap::from([("token".into(), "tok-rotated-0001".into())]))
        .expect("revision 2");
    run(&mut s, Event::UpdateStatus);
    assert_eq!(workload_of(&s).file(TOKEN_PATH), Some(&b"tok-rotated-0001"[..]));
    s.set_config("api-token", Value::Null).expect("unset");
    run(&mut s, Event::ConfigChanged);
    assert!(!workload_of(&s).files.contains_key(TOKEN_PATH));
    assert!(!environment(&s).contains_key("TOKEN_FILE"));
}

#[test]
fn workload_version_runs_busybox_in_the_workload_and_returns_its_first_line() {
    let mut s = ready();
    let out = action(&mut s, "workload-version", json!({}));
    assert_eq!(out.failure, None);
    let version = json!("BusyBox v1.37.0 (2024-09-26 21:31:42 UTC) multi-call binary.");
    assert_eq!(out.results, Map::from_iter([("version".to_owned(), version)]));
    let executed = &workload_of(&s).executed;
    assert_eq!(executed.len(), 1);
    assert_eq!(executed[0].command, ["/bin/busybox", "--help"]);
    assert_eq!(executed[0].timeout, "30s");

    // A non-zero exit fails the action, saying which command; so does a container not up.
    let failing = Exec::new(["/bin/busybox", "--help"]).exit_code(127).stderr("not found\n");
    let mut s = state_with(ContainerBuilder::new("workload").can_connect(true).exec(failing));
    let out = action(&mut s, "workload-version", json!({}));
    let failure = out.failure.as_deref();
    assert_eq!(failure, Some("'/bin/busybox --help' exited with status 127 in the workload"));
    let mut s = state();
    let out = action(&mut s, "workload-version", json!({}));
    assert_eq!(
        out.failure.as_deref(),
        Some("the workload container is not up yet: run the action again once the unit is active")
    );
}

#[test]
fn a_failing_check_is_reported_by_name_until_it_recovers() {
    let mut s = ready();
    // Pebble has counted the check down (three failures in a row), then fired the event.
    let up = CheckInfo::down(3);
    s.container_mut(0, "workload").expect("container").checks.insert(CHECK.into(), up);
    let failed = Event::PebbleCheckFailed { container: "workload".into(), check: CHECK.into() };
    let out = run(&mut s, failed);
    let failing = Status::maintenance("check 'up' failing; Pebble restarts 'web'");
    assert_eq!(out.unit_status(), Some(failing.clone()));
    // Any other hook while it is down says so too: the status comes from Pebble, not the event.
    assert_eq!(run(&mut s, Event::UpdateStatus).unit_status(), Some(failing));

    let up = CheckInfo { successes: 1, ..CheckInfo::up() };
    s.container_mut(0, "workload").expect("container").checks.insert(CHECK.into(), up);
    let recovered =
        Event::PebbleCheckRecovered { container: "workload".into(), check: CHECK.into() };
    let out = run(&mut s, recovered);
    assert_eq!(out.unit_status(), Some(Status::active("serving on port 8080")));
}
