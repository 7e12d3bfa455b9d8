//! The compiled `greeter` binary run as Juju runs it: spawned as `dispatch` in a unit agent's
//! directory, with the simulator's hook tools on `PATH` (`juju_sim::Context::process`).

mod common;

use greeter_charm::{TOKEN_KEY, TOKEN_LABEL};
use juju_charm::Status;
use juju_sim::{Context, Event};

#[test]
fn install_runs_the_compiled_charm_to_active() {
    // Cargo names the charm's binary; the hook tools are the simulator's own.
    let ctx = Context::process(env!("CARGO_BIN_EXE_greeter"), common::files());

    let out = ctx.run(Event::Install, &common::state(2)).expect("run");
    let run = &out.outcome;
    assert_eq!(run.exit_code, Some(0), "{}\n{:?}", run.stderr, run.logs);
    assert_eq!(out.unit_status(), Some(Status::active("'hello' on port 8080")));
    assert!(run.called("secret-add"));
    let secret = out.state.secret_by_label(TOKEN_LABEL).expect("the token secret");
    let token = secret.latest().expect("a revision").content[TOKEN_KEY].clone();
    assert_eq!(token.len(), 64);
    assert!(!run.stdout.contains(&token) && !run.stderr.contains(&token));

    // The other unit's install reads the token, as a separate process.
    let out = ctx.on_unit(1).run(Event::Install, &out.state).expect("run");
    assert_eq!(out.outcome.exit_code, Some(0), "{}", out.outcome.stderr);
    assert_eq!(out.unit_status(), Some(Status::active("'hello' on port 8080")));
    assert_eq!(out.state.secrets().len(), 1);
}
