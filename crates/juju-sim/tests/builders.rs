//! Builders with defaults: a relation, a secret or a unit set up in one expression, what the
//! hook tools then show the charm, and the fixtures Juju could not have made refused with what
//! to change.

use std::cell::RefCell;

use juju_charm::Status;
use juju_sim::{
    CharmMeta, Event, Owner, RelationBuilder, SecretBuilder, SimError, State, UnitBuilder,
};
use serde_json::json;

use crate::common::{CONFIG, METADATA, bag, meta, run, state};

/// The Inconsistent error's text, or a panic naming what came instead.
fn refused<T: std::fmt::Debug>(result: Result<T, SimError>) -> String {
    match result {
        Err(SimError::Inconsistent(why)) => why,
        other => panic!("not refused as inconsistent: {other:?}"),
    }
}

#[test]
fn builders_relation_defaults_are_a_remote_app_with_one_unit_and_juju_address_bags() {
    let mut st = state();
    let id = st.insert_relation(RelationBuilder::new("certificates")).unwrap();
    let rel = st.relation(&id).unwrap();
    assert_eq!((rel.remote_app.as_str(), rel.interface.as_str()), ("remote", "tls-certificates"));
    assert_eq!(rel.remote_units, ["remote/0"]);
    let remote = &rel.remote_unit_data["remote/0"];
    let keys: Vec<&str> = remote.keys().map(String::as_str).collect();
    assert_eq!(keys, ["egress-subnets", "ingress-address", "private-address"]);
    assert!(rel.local_unit_data[&0].contains_key("ingress-address"));
    assert!(rel.local_app_data.is_empty() && rel.remote_app_data.is_empty());
    // As add_relation makes it, but for the remote application's name.
    let mut other = state();
    let same = other.add_relation("certificates", "remote", 1);
    assert_eq!((same.clone(), other.relation(&same)), (id, Some(rel)));

    // Juju 4.0 keeps no private-address.
    let mut st = state().with_juju_version("4.0.0");
    let id = st.insert_relation(RelationBuilder::new("certificates")).unwrap();
    assert!(
        !st.relation(&id).unwrap().remote_unit_data["remote/0"].contains_key("private-address")
    );
}

#[test]
fn builders_relation_data_reaches_the_hook_tools() {
    let mut st = state().with_units(2).with_relation(
        RelationBuilder::new("certificates")
            .id(7)
            .remote_app("istio")
            .remote_units(0)
            .remote_unit_data(3, [("csr", "PEM")])
            .remote_app_data([("version", "4")])
            .local_app_data([("certificates", "[]")])
            .local_unit_data(1, [("ready", "yes")]),
    );
    let id = RelationBuilder::new("certificates").id(7).relation_id().unwrap();
    assert_eq!(id.to_string(), "certificates:7");
    let seen = RefCell::new(Vec::new());
    let event = Event::RelationChanged { id: id.clone(), unit: Some("istio/3".into()) };
    let out = run(&mut st, 0, &event, |h| {
        let mut s = seen.borrow_mut();
        s.push(h.ok("relation-list", &["--format=json"]));
        s.push(h.ok("relation-get", &["--format=json", "csr", "istio/3"]));
        s.push(h.ok("relation-get", &["--format=json", "--app", "version", "istio"]));
        s.push(h.ok("relation-get", &["--format=json", "--app", "certificates", "ckf-crypto"]));
        0
    });
    assert_eq!(out.exit_code, Some(0));
    let seen: Vec<String> = seen.into_inner().iter().map(|s| s.trim().to_owned()).collect();
    assert_eq!(seen, [r#"["istio/3"]"#, r#""PEM""#, r#""4""#, r#""[]""#]);
    // Another unit's bag is its own to read (relation-get of it from unit 0 is refused).
    assert_eq!(st.local_unit_data(&id, 1).map(|b| b["ready"].as_str()), Some("yes"));
    // The next relation takes the next number.
    assert_eq!(st.add_relation("certificates", "other", 1).number, 8);
}

#[test]
fn builders_peer_relation_members_are_the_application_units() {
    let mut st = state().with_units(3);
    let id = st
        .insert_relation(RelationBuilder::new("peers").local_unit_data(2, [("seen", "1")]))
        .unwrap();
    let rel = st.relation(&id).unwrap();
    assert_eq!(rel.remote_app, "ckf-crypto");
    assert!(rel.remote_units.is_empty());
    assert_eq!(rel.local_unit_data[&2]["seen"], "1");
    let listed = RefCell::new(String::new());
    run(&mut st, 0, &Event::RelationChanged { id: id.clone(), unit: None }, |h| {
        *listed.borrow_mut() = h.ok("relation-list", &["--format=json"]);
        assert_eq!(h.ok("relation-get", &["seen", "ckf-crypto/2"]).trim(), "1");
        0
    });
    assert_eq!(listed.into_inner().trim(), r#"["ckf-crypto/1","ckf-crypto/2"]"#);
}

#[test]
fn builders_refuse_relations_juju_could_not_make() {
    let mut st = state();
    let why = refused(st.insert_relation(RelationBuilder::new("nope")));
    assert!(why.contains("\"nope\" not in metadata.yaml") && why.contains("certificates"), "{why}");
    let why = refused(st.insert_relation(RelationBuilder::new("peers").remote_app("other")));
    assert!(why.contains("peer endpoint") && why.contains("local_unit_data"), "{why}");
    let why = refused(
        st.insert_relation(RelationBuilder::new("certificates").local_unit_data(4, [("a", "b")])),
    );
    assert!(why.contains("unit 4") && why.contains("with_units"), "{why}");
    let id = st.insert_relation(RelationBuilder::new("certificates").id(2)).unwrap();
    let why = refused(st.insert_relation(RelationBuilder::new("object-storage").id(2)));
    assert!(why.contains("number 2 is taken by certificates:2"), "{why}");
    assert_eq!(st.relations.len(), 1, "a refused relation is not added");
    assert!(st.relation(&id).is_some());
}

#[test]
#[should_panic(expected = "with_relation: inconsistent state: endpoint \"nope\"")]
fn builders_with_relation_panics_on_a_fixture_error() {
    let _ = state().with_relation(RelationBuilder::new("nope"));
}

#[test]
fn builders_secret_owned_with_label_and_revisions() {
    let mut st = state();
    let uri = st
        .insert_secret(
            SecretBuilder::new([("salt", "one")])
                .label("material")
                .description("the salt")
                .rotate("monthly")
                .revision([("salt", "two")]),
        )
        .unwrap();
    assert!(uri.starts_with("secret:"), "{uri}");
    let secret = st.secret_by_label("material").unwrap();
    assert_eq!(secret.uri(), uri);
    assert_eq!((secret.owner.clone(), secret.revisions.len()), (Owner::App, 2));
    assert_eq!(secret.revision(1).unwrap().content, bag(&[("salt", "one")]));
    assert_eq!(secret.latest().unwrap().content, bag(&[("salt", "two")]));
    let read = RefCell::new((String::new(), String::new()));
    run(&mut st, 0, &Event::UpdateStatus, |h| {
        let info = h.json("secret-info-get", &["--label", "material", "--format=json"]);
        let info = info.as_object().unwrap().values().next().unwrap().clone();
        let content = h.json("secret-get", &["--label", "material", "--format=json"]);
        *read.borrow_mut() = (info["revision"].to_string(), content["salt"].to_string());
        assert_eq!(info["rotation"], "monthly");
        0
    });
    let (revision, salt) = read.into_inner();
    assert_eq!((revision.as_str(), salt.as_str()), ("2", r#""two""#));
}

#[test]
fn builders_secret_shared_by_a_related_app_is_tracked_and_due_a_secret_changed() {
    let mut st = state().with_relation(RelationBuilder::new("object-storage").remote_app("minio"));
    let uri = st
        .insert_secret(
            SecretBuilder::new([("key", "old")])
                .owner(Owner::Remote { app: "minio".into() })
                .label("minio-creds")
                .revision([("key", "new")])
                .tracked_by(0, 1),
        )
        .unwrap();
    assert_eq!(st.pending_secret_changed(0), std::slice::from_ref(&uri));
    let got = RefCell::new(Vec::new());
    let out = run(&mut st, 0, &Event::SecretChanged { id: uri.clone() }, |h| {
        got.borrow_mut().push(h.ok("secret-get", &[&uri, "key"]));
        got.borrow_mut().push(h.ok("secret-get", &[&uri, "key", "--peek"]));
        0
    });
    assert_eq!(out.exit_code, Some(0));
    let got: Vec<String> = got.into_inner().iter().map(|s| s.trim().to_owned()).collect();
    assert_eq!(got, ["old", "new"], "the tracked revision, then the latest");
    assert!(st.pending_secret_changed(0).is_empty());
}

#[test]
fn builders_user_secret_is_readable_once_granted() {
    let meta = CharmMeta::from_yaml(METADATA, CONFIG, "").unwrap();
    let mut st = State::for_charm(meta);
    let granted = st.insert_secret(SecretBuilder::user("ca", [("pem", "X")]).granted()).unwrap();
    let private = st.insert_secret(SecretBuilder::user("other", [("pem", "Y")])).unwrap();
    assert_eq!(st.secret(&granted).unwrap().name.as_deref(), Some("ca"));
    st = st.with_config("certificates-ca", granted.as_str());
    let results = RefCell::new(Vec::new());
    run(&mut st, 0, &Event::ConfigChanged, |h| {
        let uri = h.ok("config-get", &["certificates-ca"]);
        results.borrow_mut().push(h.run("secret-get", &[uri.trim(), "pem"]));
        results.borrow_mut().push(h.run("secret-get", &[&private, "pem"]));
        0
    });
    let results = results.into_inner();
    assert_eq!((results[0].code, results[0].out.trim()), (0, "X"));
    assert_eq!((results[1].code, results[1].err.trim()), (1, "ERROR permission denied"));
}

#[test]
fn builders_secret_grants_reach_secret_info_get() {
    let mut st = state().with_relation(RelationBuilder::new("certificates").remote_app("istio"));
    let id = st.relation_ids("certificates").remove(0);
    st.insert_secret(SecretBuilder::new([("key", "v")]).label("shared").grant(&id, "istio"))
        .unwrap();
    let secret = st.secret_by_label("shared").unwrap();
    assert_eq!(secret.grants[&id.number], ["istio"]);
}

#[test]
fn builders_refuse_secrets_juju_could_not_hold() {
    let mut st = state().with_relation(RelationBuilder::new("certificates").remote_app("istio"));
    let id = st.relation_ids("certificates").remove(0);
    let cases: Vec<(SecretBuilder, &str)> = vec![
        (SecretBuilder::new([] as [(&str, &str); 0]), "revision 1 has no content"),
        (SecretBuilder::new([("Bad_Key", "v")]), "key \"Bad_Key\" not valid"),
        (SecretBuilder::new([("key", "x".repeat(8193))]), "too large: 8193 bytes"),
        (SecretBuilder::new([("key", "v")]).tracked_by(3, 1), "tracked_by unit 3"),
        (SecretBuilder::new([("key", "v")]).tracked_by(0, 2), "revisions 1 to 1"),
        (SecretBuilder::new([("key", "v")]).owner(Owner::Unit(5)), "unit 5"),
        (
            SecretBuilder::new([("key", "v")]).grant(&id, "minio"),
            "to \"minio\", which is not in it",
        ),
        (
            SecretBuilder::new([("key", "v")])
                .grant(&crate::common::rid("certificates", 9), "istio"),
            "relation certificates:9 is not in the state",
        ),
        (
            SecretBuilder::new([("key", "v")])
                .owner(Owner::Remote { app: "istio".into() })
                .grant(&id, "istio"),
            "only the secret's owner grants it",
        ),
        (SecretBuilder::new([("key", "v")]).granted(), "granted() is for user secrets"),
        (SecretBuilder::new([("key", "v")]).owner(Owner::Model), "needs a name"),
    ];
    for (secret, expected) in cases {
        let why = refused(st.insert_secret(secret));
        assert!(why.contains(expected), "{expected:?} not in {why:?}");
    }
    st.insert_secret(SecretBuilder::user("ca", [("key", "v")])).unwrap();
    let why = refused(st.insert_secret(SecretBuilder::user("ca", [("key", "w")])));
    assert!(why.contains("named \"ca\" already exists"), "{why}");
    assert_eq!(st.secrets().len(), 1, "refused secrets are not added");
    // Juju 3.6.9's limits are base64 over 1000000 bytes: the same value fits there.
    let mut newer = state().with_juju_version("3.6.9");
    newer.insert_secret(SecretBuilder::new([("key", "x".repeat(8193))])).unwrap();
}

#[test]
fn builders_secret_debug_shows_keys_not_values() {
    let shown = format!("{:?}", SecretBuilder::new([("password", "hunter2")]).label("l"));
    assert!(shown.contains("password") && !shown.contains("hunter2"), "{shown}");
}

#[test]
fn builders_unit_status_state_and_ports_reach_the_hook_tools() {
    let mut st = state()
        .with_relation(RelationBuilder::new("certificates"))
        .with_unit(
            2,
            UnitBuilder::new()
                .status(Status::blocked("fix me"))
                .stored("generation", "4")
                .port("8443")
                .port("icmp"),
        )
        .with_leader(Some(2));
    assert_eq!(st.units.keys().copied().collect::<Vec<_>>(), [0, 2]);
    assert_eq!(st.unit_status_typed(2), Some(Status::blocked("fix me")));
    let id = st.relation_ids("certificates").remove(0);
    assert!(st.local_unit_data(&id, 2).unwrap().contains_key("ingress-address"), "new unit bag");
    let seen = RefCell::new(Vec::new());
    run(&mut st, 2, &Event::UpdateStatus, |h| {
        seen.borrow_mut().push(h.ok("state-get", &["generation"]));
        seen.borrow_mut().push(h.ok("opened-ports", &[]));
        seen.borrow_mut().push(h.ok("status-get", &["--format=json", "--include-data"]));
        0
    });
    let seen = seen.into_inner();
    assert_eq!(seen[0].trim(), "4");
    assert_eq!(seen[1], "icmp\n8443/tcp\n");
    assert!(seen[2].contains("fix me"), "{}", seen[2]);
    // Setting up an existing unit again replaces what it holds.
    let st = st.with_unit(2, UnitBuilder::new());
    assert_eq!(st.unit_status(2), ("unknown".into(), String::new()));
    assert!(st.units[&2].kv.is_empty() && st.units[&2].ports.is_empty());
    let why = refused(state().insert_unit(1, UnitBuilder::new().port("80/sctp")));
    assert!(why.contains("\"80/sctp\" is not a port"), "{why}");
}

#[test]
fn builders_state_defaults_and_config() {
    let st = State::for_charm(meta()).with_config("bcrypt-cost", 14).with_trust();
    assert_eq!((st.app.as_str(), st.model.name.as_str()), ("ckf-crypto", "test-model"));
    assert_eq!(st.effective_config()["bcrypt-cost"], json!(14));
    assert!(st.trusted && st.is_leader(0));
    st.check_consistency().unwrap();
}

#[test]
#[should_panic(expected = "with_config: invalid config: option \"bcrypt-cost\"")]
fn builders_with_config_panics_on_a_value_juju_refuses() {
    let _ = State::for_charm(meta()).with_config("bcrypt-cost", "twelve");
}
