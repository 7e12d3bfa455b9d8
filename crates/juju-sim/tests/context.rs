//! The Scenario-shaped API: `Context::run` takes a state and returns the next one, in process
//! and at process level alike, and never changes its input.

use std::time::Duration;

use juju_charm::Status;
use juju_sim::{CharmFiles, Context, Event, Fault, SimError};
use serde_json::json;

use crate::common::{ACTIONS, CONFIG, METADATA, bag, state};

/// A closure charm: sets `active` with the log level, and writes the relation data it is told.
fn charm() -> Context<'static> {
    Context::from_fn(|env, tools| {
        let level = tools.run("config-get", &["log-level"], None).unwrap().stdout;
        let level = String::from_utf8(level).unwrap();
        let message = format!("level {}", level.trim());
        let hook = env.iter().find(|(k, _)| k == "JUJU_HOOK_NAME").map(|(_, v)| v.clone());
        if hook.as_deref() == Some("certificates-relation-changed") {
            let set = tools.run("relation-set", &["--app", "ca=PEM"], None).unwrap();
            if set.code != Some(0) {
                return 1;
            }
        }
        tools.run("status-set", &["active", &message], None).unwrap().code.unwrap_or(1)
    })
}

#[test]
fn context_run_returns_the_next_state_and_leaves_the_input_alone() {
    let before = state();
    let out = charm().run(Event::Install, &before).unwrap();
    assert!(out.succeeded());
    assert_eq!(out.unit_status(), Some(Status::active("level info")));
    assert_eq!(out.status_history(), vec![Status::active("level info")]);
    assert_eq!(before.unit_status_typed(0), None, "input untouched");
    // The next state is the start of the next run.
    let mut next = out.state.clone();
    next.set_config("log-level", json!("debug")).unwrap();
    let out = charm().run(Event::ConfigChanged, &next).unwrap();
    assert_eq!(out.unit_status(), Some(Status::active("level debug")));
}

#[test]
fn context_on_unit_runs_another_unit_and_faults_fail_a_hook_without_committing() {
    let mut st = state().with_units(2);
    let id = st.add_relation("certificates", "istio", 1);
    let ev = Event::RelationChanged { id: id.clone(), unit: Some("istio/0".into()) };
    let out = charm().on_unit(1).run(ev.clone(), &st).unwrap();
    assert_eq!(out.unit, 1);
    assert!(!out.succeeded(), "unit 1 is no leader: relation-set --app fails, dispatch exits 1");
    assert_eq!(out.hook_error(), Some("hook failed: \"certificates-relation-changed\""));
    assert_eq!(out.state.local_app_data(&id), Some(&bag(&[])));

    let out = charm().run(ev.clone(), &st).unwrap();
    assert_eq!(out.state.local_app_data(&id), Some(&bag(&[("ca", "PEM")])));
    let faulty = charm().with_faults([Fault::nth_call_of("relation-set", 1, "boom")]);
    let out = faulty.run(ev, &st).unwrap();
    assert!(!out.succeeded());
    assert_eq!(out.state.local_app_data(&id), Some(&bag(&[])), "nothing committed");
}

#[test]
fn context_run_action_returns_results_failure_and_logs() {
    let ctx = Context::from_fn(|_env, tools| {
        tools.run("action-log", &["working"], None).unwrap();
        tools.run("action-set", &["a.b=c"], None).unwrap();
        tools.run("action-fail", &["no luck"], None).unwrap();
        0
    });
    let out = ctx.run_action("get-credentials", json!({"name": "x"}), &state()).unwrap();
    assert_eq!(out.results, json!({"a": {"b": "c"}}).as_object().unwrap().clone());
    assert_eq!(out.failure.as_deref(), Some("no luck"));
    assert_eq!(out.logs, vec!["working".to_owned()]);
    // Parameters Juju would refuse never reach the charm.
    let refused = ctx.run_action("get-credentials", json!({}), &state());
    assert!(matches!(refused, Err(SimError::ActionParams(_))));
    let refused = ctx.run_action("get-credentials", json!(["x"]), &state());
    assert!(matches!(refused, Err(SimError::ActionParams(_))));
}

#[test]
fn context_process_runs_the_compiled_charm_with_the_tool_binary() {
    let dir = tempfile::tempdir().unwrap();
    let dispatch = dir.path().join("dispatch.sh");
    let script = "#!/bin/sh\nstatus-set active \"$(config-get log-level)\"\n";
    std::fs::write(&dispatch, script).unwrap();
    std::fs::set_permissions(&dispatch, std::os::unix::fs::PermissionsExt::from_mode(0o755))
        .unwrap();
    let files =
        CharmFiles { metadata: METADATA.into(), config: CONFIG.into(), actions: ACTIONS.into() };
    let ctx = Context::process(&dispatch, files);
    let before = state();
    let out = ctx.run(Event::Install, &before).unwrap();
    assert_eq!(out.outcome.exit_code, Some(0), "{}", out.outcome.stderr);
    assert_eq!(out.unit_status(), Some(Status::active("info")));
    assert_eq!(before.unit_status_typed(0), None);

    // A kept directory holds the model the run left.
    let kept = dir.path().join("unit");
    let out = ctx.in_dir(&kept).run(Event::UpdateStatus, &out.state).unwrap();
    assert!(out.succeeded());
    assert!(kept.join("agent/state.json").is_file());

    // Killed before it could finish: a failed run.
    let slow = dir.path().join("slow.sh");
    std::fs::write(&slow, "#!/bin/sh\nexec sleep 5\n").unwrap();
    std::fs::set_permissions(&slow, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let files = CharmFiles { metadata: METADATA.into(), ..CharmFiles::default() };
    let killed = Context::process(&slow, files).kill_after(Duration::from_millis(100));
    let out = killed.run(Event::Install, &state()).unwrap();
    assert_eq!(out.outcome.exit_code, None);
    assert!(!out.succeeded());
}

#[test]
fn context_every_simulator_event_reads_as_the_runtime_event_it_stands_for() {
    use juju_charm::Event as R;
    use juju_charm::environment::{RelationHook, SecretHook};

    let mut st = state().with_units(2);
    let id = st.add_relation("certificates", "istio", 1);
    let secret = st.add_secret(juju_sim::Owner::App, Some("ca"), bag(&[("key", "v")]));
    let sid = format!("secret:{secret}");
    let rel = |hook, unit: Option<&'static str>, departing: Option<&'static str>| {
        let id = id.clone();
        move |e: &R| match e {
            R::Relation { hook: h, id: rid, remote_app, remote_unit, departing_unit } => {
                *h == hook
                    && *rid == id
                    && remote_app == "istio"
                    && remote_unit.as_deref() == unit
                    && departing_unit.as_deref() == departing
            }
            _ => false,
        }
    };
    let sec = |hook, revision: Option<u64>| {
        let sid = sid.clone();
        move |e: &R| match e {
            R::Secret { hook: h, id: uri, revision: r, .. } => {
                *h == hook && uri.to_string() == sid && *r == revision
            }
            _ => false,
        }
    };
    type Check = Box<dyn Fn(&R) -> bool>;
    let cases: Vec<(Event, Check)> = vec![
        (Event::Install, Box::new(|e| *e == R::Install)),
        (Event::Start, Box::new(|e| *e == R::Start)),
        (Event::ConfigChanged, Box::new(|e| *e == R::ConfigChanged)),
        (Event::UpgradeCharm, Box::new(|e| *e == R::UpgradeCharm)),
        (Event::UpdateStatus, Box::new(|e| *e == R::UpdateStatus)),
        (Event::LeaderElected, Box::new(|e| *e == R::LeaderElected)),
        (Event::LeaderSettingsChanged, Box::new(|e| *e == R::LeaderSettingsChanged)),
        (Event::Stop, Box::new(|e| *e == R::Stop)),
        (Event::Remove, Box::new(|e| *e == R::Remove)),
        (
            Event::RelationCreated { id: id.clone() },
            Box::new(rel(RelationHook::Created, None, None)),
        ),
        (
            Event::RelationJoined { id: id.clone(), unit: "istio/1".into() },
            Box::new(rel(RelationHook::Joined, Some("istio/1"), None)),
        ),
        (
            Event::RelationChanged { id: id.clone(), unit: Some("istio/0".into()) },
            Box::new(rel(RelationHook::Changed, Some("istio/0"), None)),
        ),
        (
            Event::RelationDeparted { id: id.clone(), unit: "istio/0".into() },
            Box::new(rel(RelationHook::Departed, Some("istio/0"), Some("istio/0"))),
        ),
        (Event::RelationBroken { id: id.clone() }, Box::new(rel(RelationHook::Broken, None, None))),
        (Event::SecretRotate { id: sid.clone() }, Box::new(sec(SecretHook::Rotate, None))),
        (
            Event::SecretExpired { id: sid.clone(), revision: 1 },
            Box::new(sec(SecretHook::Expired, Some(1))),
        ),
        (
            Event::SecretRemove { id: sid.clone(), revision: 1 },
            Box::new(sec(SecretHook::Remove, Some(1))),
        ),
        (
            Event::Action { name: "list-certificates".into(), params: Default::default() },
            Box::new(|e| matches!(e, R::Action { name, .. } if name == "list-certificates")),
        ),
        (
            Event::Custom { hook: "something-new".into() },
            Box::new(|e| matches!(e, R::Unknown { name } if name == "something-new")),
        ),
    ];
    for (event, check) in cases {
        let runtime = event.to_runtime(&st, 0).unwrap();
        assert!(check(&runtime), "{event:?} read as {runtime:?}");
    }
}
