//! Row 4 (relation-broken across Juju versions): whether `relation-ids` lists the relation
//! whose `-relation-broken` hook is running — listed before 3.4.4 (and on 3.5.0–3.5.1), not
//! listed after (juju/juju PR #17464), a peer relation listed again from 3.5.5 (PR #18253), or
//! forced by `State::with_broken_relation_listed` — while `relation-list` on it is `[]` and
//! `relation-get` reads its bags in every version.

use juju_sim::{Event, RelationId, State};
use serde_json::json;

use crate::common::{bag, run, state};

/// Two `certificates` relations (`a` breaking, `b` staying) with remote data on `a`.
fn two_relations(st: &mut State) -> (RelationId, RelationId) {
    let a = st.add_relation("certificates", "istio", 0);
    let b = st.add_relation("certificates", "dex", 1);
    st.set_remote_app_data(&a, bag(&[("ca", "PEM")]));
    (a, b)
}

/// What `relation-ids` (hook endpoint), `relation-list` and `relation-get` (hook relation) print
/// in `a`'s broken hook on unit 0.
fn broken_hook_view(
    st: &mut State,
    a: &RelationId,
) -> (serde_json::Value, String, serde_json::Value) {
    let mut seen = None;
    let out = run(st, 0, &Event::RelationBroken { id: a.clone() }, |h| {
        seen = Some((
            h.json("relation-ids", &["--format=json"]),
            h.ok("relation-list", &["--format=json"]),
            h.json("relation-get", &["--format=json", "--app"]),
        ));
        0
    });
    assert!(out.committed);
    seen.unwrap()
}

#[test]
fn row4_broken_relation_listed_before_juju_3_4_4() {
    let mut st = state().with_juju_version("3.4.3");
    let (a, b) = two_relations(&mut st);
    let (ids, units, app) = broken_hook_view(&mut st, &a);
    assert_eq!(ids, json!([a.to_string(), b.to_string()]));
    assert_eq!(units, "[]\n", "every unit has departed");
    assert_eq!(app, json!({"ca": "PEM"}), "the remote application's bag is still readable");
    assert_eq!(st.relation_ids("certificates"), vec![b], "gone after its hook, as before");
}

#[test]
fn row4_broken_relation_not_listed_from_juju_3_4_4() {
    for version in ["3.4.4", "3.5.2", "3.6.8", "3.6.9"] {
        let mut st = state().with_juju_version(version);
        let (a, b) = two_relations(&mut st);
        let (ids, units, app) = broken_hook_view(&mut st, &a);
        assert_eq!(ids, json!([b.to_string()]), "{version}");
        assert_eq!((units.as_str(), app), ("[]\n", json!({"ca": "PEM"})), "{version}");
    }
    // 3.5.0 and 3.5.1 were released before the change reached the 3.5 branch.
    let mut st = state().with_juju_version("3.5.1");
    let (a, _) = two_relations(&mut st);
    assert_eq!(broken_hook_view(&mut st, &a).0.as_array().unwrap().len(), 2);
}

#[test]
fn row4_broken_relation_switch_overrides_the_version() {
    let mut st = state().with_broken_relation_listed(true);
    assert_eq!(st.model.juju_version, "3.6.8");
    let (a, b) = two_relations(&mut st);
    let (ids, units, _) = broken_hook_view(&mut st, &a);
    assert_eq!(ids, json!([a.to_string(), b.to_string()]));
    assert_eq!(units, "[]\n");

    let mut st = state().with_juju_version("3.1.8").with_broken_relation_listed(false);
    let (a, b) = two_relations(&mut st);
    assert_eq!(broken_hook_view(&mut st, &a).0, json!([b.to_string()]));
    assert!(!st.model.lists_broken_relation(true), "forced for peers too");
}

#[test]
fn row4_broken_relation_relation_list_is_empty_even_if_units_never_departed() {
    // Juju only runs -broken after every unit departed; a test that skips the departed hooks
    // still sees no members.
    let mut st = state().with_units(3);
    let a = st.add_relation("certificates", "istio", 2);
    let peers = st.add_relation("peers", "", 0);
    run(&mut st, 0, &Event::RelationBroken { id: a.clone() }, |h| {
        assert_eq!(h.ok("relation-list", &["--format=json"]), "[]\n");
        assert_eq!(h.ok("relation-list", &["--app"]), "istio\n");
        // Its units' bags are still there to read.
        let unit = h.json("relation-get", &["--format=json", "-", "istio/1"]);
        assert!(unit.get("ingress-address").is_some(), "{unit}");
        // Other relations keep their members.
        let p = h.json("relation-list", &["--format=json", "-r", &peers.number.to_string()]);
        assert_eq!(p, json!(["ckf-crypto/1", "ckf-crypto/2"]));
        0
    });
}

#[test]
fn row4_broken_peer_relation_listed_from_juju_3_5_5() {
    for (version, listed) in
        [("3.4.3", true), ("3.4.6", false), ("3.5.4", false), ("3.5.5", true), ("3.6.8", true)]
    {
        let mut st = state().with_units(2).with_juju_version(version);
        let peers = st.add_relation("peers", "", 0);
        run(&mut st, 1, &Event::RelationBroken { id: peers.clone() }, |h| {
            let want = if listed { json!([peers.to_string()]) } else { json!([]) };
            assert_eq!(h.json("relation-ids", &["--format=json"]), want, "{version}");
            assert_eq!(h.ok("relation-list", &["--format=json"]), "[]\n", "{version}");
            0
        });
        assert!(st.relation_ids("peers").is_empty(), "{version}");
    }
}

#[test]
fn row4_relation_ids_usage_error_names_the_relation_before_juju_3_4_4() {
    for (version, err) in [
        ("3.4.3", "ERROR no relation name specified\n"),
        ("3.5.1", "ERROR no relation name specified\n"),
        ("3.4.4", "ERROR no endpoint name specified\n"),
        ("3.6.8", "ERROR no endpoint name specified\n"),
    ] {
        let mut st = state().with_juju_version(version);
        run(&mut st, 0, &Event::UpdateStatus, |h| {
            let o = h.run("relation-ids", &[]);
            assert_eq!((o.code, o.err.as_str()), (2, err), "{version}");
            0
        });
    }
}
