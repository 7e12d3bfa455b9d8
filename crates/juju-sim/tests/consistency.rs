//! The consistency check: a state or metadata Juju could not produce fails before the run,
//! with what is wrong, and never reaches the charm.

use juju_sim::{CharmMeta, Context, Event, Owner, SimError, State};
use serde_json::json;

use crate::common::{bag, rid, state};

/// A charm that must never run: the check comes first.
fn never() -> Context<'static> {
    Context::from_fn(|_env, _tools| panic!("the charm ran on an inconsistent state"))
}

fn refused(st: &State) -> String {
    match never().run(Event::UpdateStatus, st) {
        Err(SimError::Inconsistent(why)) => why,
        other => panic!("not refused: {other:?}"),
    }
}

#[test]
fn consistency_a_relation_on_an_undeclared_endpoint_is_refused() {
    let mut st = state();
    let id = st.add_relation("certificates", "istio", 1);
    st.relations.get_mut(&id.number).unwrap().endpoint = "nope".into();
    assert!(refused(&st).contains("\"nope\", which metadata.yaml does not declare"));
}

#[test]
fn consistency_a_peer_relation_on_a_non_peer_endpoint_and_the_reverse_are_refused() {
    let mut st = state();
    let id = st.add_relation("certificates", "istio", 0);
    st.relations.get_mut(&id.number).unwrap().role = juju_sim::Role::Peer;
    assert!(refused(&st).contains("declared under provides, not peers"), "{}", refused(&st));

    let mut st = state();
    let id = st.add_relation("peers", "", 0);
    st.relations.get_mut(&id.number).unwrap().remote_app = "other".into();
    assert!(refused(&st).contains("a peer relation joins the units of"));

    let mut st = state();
    let id = st.add_relation("certificates", "ckf-crypto", 0);
    assert!(st.relations.contains_key(&id.number));
    assert!(refused(&st).contains("relates the application to itself"));
}

#[test]
fn consistency_config_keys_must_be_declared_and_of_their_type() {
    let mut st = state();
    st.config.insert("nope".into(), json!("x"));
    assert_eq!(refused(&st), "config option \"nope\" is not declared in config.yaml");
    let mut st = state();
    st.config.insert("bcrypt-cost".into(), json!("twelve"));
    assert_eq!(refused(&st), "config option \"bcrypt-cost\": expected int, got \"twelve\"");
}

#[test]
fn consistency_the_leader_and_every_unit_databag_are_units_of_the_model() {
    let mut st = state();
    st.leader = Some(3);
    assert!(refused(&st).contains("the leader is unit 3"));
    let mut st = state();
    let id = st.add_relation("certificates", "istio", 1);
    st.relations.get_mut(&id.number).unwrap().local_unit_data.insert(7, bag(&[]));
    assert!(refused(&st).contains("databag for unit 7"));
    let mut st = state();
    let id = st.add_relation("certificates", "istio", 1);
    st.relations.get_mut(&id.number).unwrap().remote_units.push("dex/0".into());
    assert!(refused(&st).contains("\"dex/0\" is not a unit of \"istio\""));
}

#[test]
fn consistency_a_secret_the_application_could_not_see_is_refused() {
    let mut st = state();
    st.add_secret(Owner::Remote { app: "dex".into() }, None, bag(&[("pass", "x")]));
    assert!(refused(&st).contains("owned by \"dex\", which has no relation"));
    // Granted over a relation with its owner: consistent.
    st.add_relation("object-storage", "dex", 1);
    assert!(st.check_consistency().is_ok());

    let mut st = state();
    st.add_secret(Owner::Unit(4), None, bag(&[("pass", "x")]));
    assert!(refused(&st).contains("owned by unit 4"));
    let mut st = state();
    let id = st.add_secret(Owner::App, None, bag(&[("pass", "x")]));
    st.secrets.iter_mut().find(|s| s.id == id).unwrap().grants.insert(9, vec!["x".into()]);
    assert!(refused(&st).contains("granted on relation 9"));
}

#[test]
fn consistency_undeclared_resources_and_bad_versions_are_refused() {
    let mut st = state();
    st.add_resource("nope", std::path::Path::new("/tmp/x"));
    assert!(refused(&st).contains("resource \"nope\""));
    let st = state().with_juju_version("four");
    assert!(refused(&st).contains("\"four\" is not a version"));
}

#[test]
fn consistency_a_consistent_state_passes_and_runs() {
    let mut st = state().with_units(2);
    st.add_relation("certificates", "istio", 2);
    st.add_relation("peers", "", 0);
    st.set_config("bcrypt-cost", json!(10)).unwrap();
    assert!(st.check_consistency().is_ok());
    let ok = Context::from_fn(|_env, _tools| 0).run(Event::UpdateStatus, &st).unwrap();
    assert!(ok.succeeded());
}

fn meta_error(metadata: &str, actions: &str) -> String {
    match CharmMeta::from_yaml(metadata, "", actions) {
        Err(SimError::Meta(why)) => why,
        other => panic!("accepted: {other:?}"),
    }
}

#[test]
fn consistency_metadata_juju_would_refuse_is_refused() {
    let why = meta_error("name: a\nrequires:\n  db: {}\n", "");
    assert_eq!(why, "metadata.yaml: relation \"db\" has no interface");
    let why = meta_error("name: a\nprovides:\n  juju-db: {interface: db}\n", "");
    assert!(why.contains("reserved prefix"), "{why}");
    let why = meta_error("name: a\n", "go:\n  params:\n    force: {type: bool}\n");
    assert!(why.contains("parameter \"force\": type \"bool\" is not a JSON Schema type"), "{why}");
    let why = meta_error("name: a\nstorage:\n  data: {type: disk}\n", "");
    assert!(why.contains("storage \"data\""), "{why}");
    let why = meta_error("name: a\ncontainers:\n  app: {resource: image}\n", "");
    assert!(why.contains("not declared as an oci-image resource"), "{why}");
    let why = meta_error("name: a\ncontainers:\n  app:\n    mounts: [{storage: data}]\n", "");
    assert!(why.contains("mounts storage \"data\""), "{why}");
}

#[test]
fn consistency_charmcraft_yaml_gives_containers_storage_assumes_and_peers() {
    let meta = CharmMeta::from_charmcraft_yaml(
        "name: web\n\
         assumes: [k8s-api, {any-of: [juju >= 3.6, juju >= 4.0]}]\n\
         peers:\n  cluster: {interface: web-peers}\n\
         resources:\n  image: {type: oci-image}\n\
         storage:\n  data: {type: filesystem, location: /srv}\n\
         containers:\n  web:\n    resource: image\n    mounts: [{storage: data, location: /data}]\n\
         config:\n  options:\n    port: {type: int, default: 80}\n\
         actions:\n  restart:\n    params:\n      force: {type: boolean}\n",
    )
    .unwrap();
    assert_eq!(meta.endpoints["cluster"].role, juju_sim::Role::Peer);
    assert_eq!(meta.resources["image"], "oci-image");
    assert_eq!(meta.storage["data"].kind, "filesystem");
    assert_eq!(meta.storage["data"].location.as_deref(), Some("/srv"));
    let web = &meta.containers["web"];
    assert_eq!(web.resource.as_deref(), Some("image"));
    assert_eq!(web.mounts["data"].as_deref(), Some("/data"));
    assert_eq!(meta.assumes[0], json!("k8s-api"));
    assert_eq!(meta.assumes.len(), 2);
    assert_eq!(meta.options["port"].default, Some(json!(80)));
    assert!(meta.actions["restart"].params.contains_key("force"));
}

/// The message `f` panics with (`name` says which call, if it does not panic).
fn panic_text(name: &str, f: impl FnOnce()) -> String {
    let message = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).expect_err(name);
    message
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| message.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_default()
}

#[test]
fn consistency_every_fixture_fails_the_same_way_on_an_unknown_relation() {
    type Fixture = fn(&mut State);
    let calls: [(&str, Fixture); 4] = [
        ("set_remote_app_data", |st| st.set_remote_app_data(&rid("certificates", 42), bag(&[]))),
        ("set_remote_unit_data", |st| {
            st.set_remote_unit_data(&rid("certificates", 42), "istio/0", bag(&[]));
        }),
        ("remove_relation", |st| st.remove_relation(&rid("certificates", 42))),
        ("add_relation", |st| {
            st.add_relation("nope", "istio", 1);
        }),
    ];
    for (name, call) in calls {
        let mut st = state();
        let text = panic_text(name, || call(&mut st));
        assert!(text.starts_with(&format!("{name}: ")), "{name}: {text}");
    }
}

#[test]
fn consistency_every_fixture_fails_the_same_way_on_a_relation_of_another_endpoint() {
    type Fixture = fn(&mut State);
    // `certificates:0` exists; `object-storage:0` has its number but names no relation.
    let calls: [(&str, Fixture); 3] = [
        ("set_remote_app_data", |st| st.set_remote_app_data(&rid("object-storage", 0), bag(&[]))),
        ("set_remote_unit_data", |st| {
            st.set_remote_unit_data(&rid("object-storage", 0), "istio/0", bag(&[]));
        }),
        ("remove_relation", |st| st.remove_relation(&rid("object-storage", 0))),
    ];
    for (name, call) in calls {
        let mut st = state();
        let id = st.add_relation("certificates", "istio", 1);
        assert_eq!(id, rid("certificates", 0));
        let before = st.clone();
        let text = panic_text(name, || call(&mut st));
        assert!(text.starts_with(&format!("{name}: ")), "{name}: {text}");
        assert!(text.contains("object-storage:0") && text.contains("certificates:0"), "{text}");
        assert_eq!(st, before, "{name} changed nothing");
    }
    let mut st = state();
    let id = st.add_relation("certificates", "istio", 1);
    let other = rid("object-storage", id.number);
    assert_eq!(st.local_app_data(&other), None);
    assert_eq!(st.local_unit_data(&other, 0), None);
    assert!(st.relation(&other).is_none());
    assert_eq!(st.relation(&id).map(juju_sim::Relation::relation_id), Some(id.clone()));
    assert!(st.local_app_data(&id).is_some());
}
