//! The compiled `sidecar` binary run as Juju runs it: spawned as `dispatch` in a unit agent's
//! directory, with the simulator's hook tools on `PATH` and its Pebble on the container's socket
//! (`juju_sim::Context::process`). The binary finds the socket from the hook's environment, as
//! it finds Juju's `/charm/containers/workload/pebble.socket` in a real pod.

mod common;

use std::collections::BTreeMap;

use juju_charm::Status;
use juju_sim::{Context, Event, ServiceStatus};
use serde_json::json;
use sidecar_charm::{SERVICE, TOKEN_PATH};

#[test]
fn pebble_ready_runs_the_compiled_charm_through_the_pebble_socket_to_active() {
    const TOKEN: &str = "tok-process-level-77";
    let ctx = Context::process(env!("CARGO_BIN_EXE_sidecar"), common::files());
    let mut state = common::state();
    let uri =
        state.add_user_secret("sidecar-token", BTreeMap::from([("token".into(), TOKEN.into())]));
    state.grant_secret(&uri, "sidecar").expect("granted");
    state.set_config("api-token", json!(uri)).expect("a secret URI");

    // Before the container is up: the socket refuses, the charm waits, exit 0.
    let out = ctx.run(Event::Install, &state).expect("run");
    assert_eq!(out.outcome.exit_code, Some(0), "{}", out.outcome.stderr);
    assert_eq!(out.unit_status(), Some(Status::waiting("waiting for Pebble")));

    let out =
        ctx.run(Event::PebbleReady { container: "workload".into() }, &out.state).expect("run");
    let run = &out.outcome;
    assert_eq!(run.exit_code, Some(0), "{}\n{:?}", run.stderr, run.logs);
    assert_eq!(out.unit_status(), Some(Status::active("serving on port 8080")));
    let workload = out.state.container(0, "workload").expect("the container");
    assert_eq!(workload.service_status(SERVICE), ServiceStatus::Active);
    assert_eq!(workload.plan().expect("plan").services[SERVICE].environment["PORT"], "8080");
    assert_eq!(workload.file(TOKEN_PATH), Some(TOKEN.as_bytes()));
    assert_eq!(workload.files[TOKEN_PATH].permissions, 0o600);
    // Nothing the process printed or ran holds the token.
    assert!(!run.stdout.contains(TOKEN) && !run.stderr.contains(TOKEN));
    assert!(run.calls.iter().all(|c| c.args.iter().all(|a| !a.contains(TOKEN))));
    assert!(run.logs.iter().all(|l| !l.message.contains(TOKEN)));
}
