//! State-transition tests: one event on a declared model, the charm run in process by
//! juju-sim's `Context`, and the model it leaves.

mod common;

// The charm itself is in the binary's `main.rs`; it is compiled into this test as a module (its
// `main` unused) so that the tests run exactly the code Juju runs.
#[path = "../src/main.rs"]
#[allow(dead_code)]
mod charm;

use std::collections::BTreeMap;

use greeter_charm::{Provided, TOKEN_KEY, TOKEN_LABEL};
use juju_charm::Status;
use juju_charm::databag::Databag;
use juju_sim::{ActionOutput, Context, Event, Output, Owner, RelationBuilder, State};
use serde_json::{Map, Value, json};

use common::state;

/// The charm, in process, on `unit`.
fn ctx(unit: u32) -> Context<'static> {
    Context::new(charm::Greeter::setup).on_unit(unit)
}

/// Runs `event` on `unit`, checks the hook succeeded, and moves `state` on to the state it left.
fn run(state: &mut State, unit: u32, event: Event) -> Output {
    let out = ctx(unit).run(event.clone(), state).expect("simulated run");
    assert!(out.succeeded(), "{event:?}: {:?}", out.outcome.logs);
    *state = out.state.clone();
    out
}

/// Runs action `name` on `unit`, and moves `state` on to the state it left.
fn action(state: &mut State, unit: u32, name: &str, params: Value) -> ActionOutput {
    let out = ctx(unit).run_action(name, params, state).expect("simulated action");
    *state = out.output.state.clone();
    out
}

/// The token in the latest revision of the token secret.
fn token(state: &State) -> String {
    let secret = state.secret_by_label(TOKEN_LABEL).expect("the token secret exists");
    secret.latest().expect("a revision").content[TOKEN_KEY].clone()
}

fn active(message: &str) -> Option<Status> {
    Some(Status::active(message))
}

#[test]
fn install_on_the_leader_is_active_with_a_random_token_never_logged() {
    let mut s = state(1);
    let out = run(&mut s, 0, Event::Install);
    assert_eq!(out.unit_status(), active("'hello' on port 8080"));
    let secret = s.secret_by_label(TOKEN_LABEL).expect("created");
    assert_eq!(secret.owner, Owner::App);
    let token = token(&s);
    assert_eq!(token.len(), 64);
    assert!(token.chars().all(|c| c.is_ascii_hexdigit()));
    // The token is on no command line and in no log.
    assert!(out.outcome.calls.iter().all(|c| c.args.iter().all(|a| !a.contains(&token))));
    assert!(out.outcome.logs.iter().all(|l| !l.message.contains(&token)));

    // Another unit's install gives another token: it is random.
    let mut other = state(1);
    run(&mut other, 0, Event::Install);
    assert_ne!(crate::token(&other), token);
}

#[test]
fn a_bad_port_blocks_with_the_message_and_destroys_nothing() {
    let mut s = state(1);
    let id = s.add_relation("greeting", "client", 1);
    run(&mut s, 0, Event::Install);
    let (secrets, bag) = (s.secrets().to_vec(), s.local_app_data(&id).cloned());
    assert!(bag.as_ref().is_some_and(|b| b.contains_key("greeting")));
    for bad in [0, 65536, -80] {
        s.set_config("port", json!(bad)).expect("an int, as Juju checks");
        let out = run(&mut s, 0, Event::ConfigChanged);
        assert_eq!(
            out.unit_status(),
            Some(Status::blocked("Invalid 'port' config: must be between 1 and 65535"))
        );
        // Nothing written, nothing removed: the secret and the relation data stay as they were.
        assert!(
            out.outcome.calls.iter().all(|c| c.tool != "relation-set" && c.tool != "secret-set")
        );
        assert_eq!(s.secrets(), secrets.as_slice());
        assert_eq!(s.local_app_data(&id).cloned(), bag);
    }
    s.set_config("port", json!(9000)).expect("valid");
    let out = run(&mut s, 0, Event::ConfigChanged);
    assert_eq!(out.unit_status(), active("'hello' on port 9000"));
    assert_eq!(s.local_app_data(&id).expect("bag")["port"], "9000");
}

#[test]
fn relation_changed_publishes_the_typed_greeting_and_grants_the_token() {
    let mut s = state(1).with_config("greeting", "bonjour");
    let client = RelationBuilder::new("greeting").remote_app("client");
    let id = s.insert_relation(client.remote_app_data([("name", r#""alice""#)])).expect("related");
    run(&mut s, 0, Event::RelationChanged { id: id.clone(), unit: None });

    let secret = s.secret_by_label(TOKEN_LABEL).expect("created");
    let uri = secret.uri();
    let bag = s.local_app_data(&id).expect("bag").clone();
    // One JSON value per field, under kebab-case keys.
    let expected: BTreeMap<String, String> = BTreeMap::from([
        ("greeting".into(), r#""bonjour, alice!""#.into()),
        ("port".into(), "8080".into()),
        ("token-secret-id".into(), format!("\"{uri}\"")),
    ]);
    assert_eq!(bag, expected);
    assert!(uri.starts_with("secret:"), "{uri}");
    // Read back as the other side would, with the same type.
    let read: Provided = Databag::from(bag).load().expect("typed data");
    assert_eq!(
        read,
        Provided { greeting: "bonjour, alice!".into(), port: 8080, token_secret_id: uri }
    );
    assert_eq!(
        secret.grants.get(&id.number),
        Some(&vec!["client".to_owned()]),
        "granted to the app"
    );

    // Without a name, the application is greeted by its name; bad data blocks.
    s.set_remote_app_data(&id, BTreeMap::new());
    run(&mut s, 0, Event::RelationChanged { id: id.clone(), unit: None });
    assert_eq!(s.local_app_data(&id).expect("bag")["greeting"], r#""bonjour, client!""#);
    s.set_remote_app_data(&id, BTreeMap::from([("name".into(), "alice".into())]));
    let out = run(&mut s, 0, Event::RelationChanged { id: id.clone(), unit: None });
    let status = out.unit_status().expect("a status");
    assert_eq!(status.name, juju_charm::StatusName::Blocked);
    assert!(status.message.starts_with("bad data from 'client': "), "{status:?}");
}

#[test]
fn get_token_returns_the_token_and_rotate_token_fails_off_the_leader_or_out_of_range() {
    let mut s = state(2);
    run(&mut s, 0, Event::Install);
    let first = token(&s);

    // Any unit shows the token.
    let out = action(&mut s, 1, "get-token", json!({}));
    assert_eq!(out.failure, None);
    assert_eq!(out.results, Map::from_iter([("token".to_owned(), json!(first))]));

    // Only the leader rotates it, and only to a length in range.
    let out = action(&mut s, 1, "rotate-token", json!({}));
    assert_eq!(out.failure.as_deref(), Some("only the leader can rotate the API token"));
    let out = action(&mut s, 0, "rotate-token", json!({"length": 8}));
    let failure = out.failure.as_deref();
    assert_eq!(failure, Some("Invalid 'length' parameter: must be between 16 and 64"));
    assert_eq!(token(&s), first, "a failed action changes nothing");

    let out = action(&mut s, 0, "rotate-token", json!({"length": 16}));
    assert_eq!(out.failure, None);
    let second = token(&s);
    assert_eq!(second.len(), 32);
    assert_ne!(second, first);
    assert_eq!(s.secret_by_label(TOKEN_LABEL).expect("secret").revisions.len(), 2);
}

#[test]
fn only_the_leader_creates_the_secret_and_only_once() {
    let mut s = state(2);
    // A non-leader before the leader: nothing created, waiting; get-token fails.
    let out = run(&mut s, 1, Event::Install);
    assert!(s.secrets().is_empty());
    assert!(!out.outcome.called("secret-add"));
    assert_eq!(
        out.unit_status(),
        Some(Status::waiting("waiting for the leader to create the API token"))
    );
    let out = action(&mut s, 1, "get-token", json!({}));
    let failure = out.failure.as_deref();
    assert_eq!(failure, Some("there is no API token yet: wait for the leader"));

    // The leader creates exactly one; its next hooks create no other.
    let out = run(&mut s, 0, Event::Install);
    assert_eq!(out.outcome.calls.iter().filter(|c| c.tool == "secret-add").count(), 1);
    let first = token(&s);
    for event in [Event::ConfigChanged, Event::Start, Event::UpdateStatus] {
        let out = run(&mut s, 0, event);
        assert!(!out.outcome.called("secret-add") && !out.outcome.called("secret-set"));
    }
    assert_eq!(s.secrets().len(), 1);
    assert_eq!(s.secret_by_label(TOKEN_LABEL).expect("secret").revisions.len(), 1);
    assert_eq!(token(&s), first);

    // Now the other unit reads it and is active, still without creating one.
    let out = run(&mut s, 1, Event::ConfigChanged);
    assert_eq!(out.unit_status(), active("'hello' on port 8080"));
    assert!(!out.outcome.called("secret-add"));
    assert_eq!(s.secrets().len(), 1);
}
