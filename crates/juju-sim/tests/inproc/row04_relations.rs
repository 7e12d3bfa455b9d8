//! Row 4: relations — sorted listings, peer vs regular, broken/departed, permission rules,
//! pending visibility.

use juju_sim::Event;
use serde_json::{Value, json};

use crate::common::{bag, run, state};

#[test]
fn row4_relations_ids_sorted_as_strings_and_empty_array() {
    let mut st = state();
    for _ in 0..12 {
        st.add_relation("certificates", "istio", 1);
    }
    run(&mut st, 0, &Event::UpdateStatus, |h| {
        let ids = h.json("relation-ids", &["certificates", "--format=json"]);
        let ids: Vec<&str> = ids.as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
        assert_eq!(
            &ids[..4],
            ["certificates:0", "certificates:1", "certificates:10", "certificates:11"]
        );
        assert_eq!(ids.len(), 12);
        assert_eq!(h.ok("relation-ids", &["object-storage", "--format=json"]), "[]\n");
        assert_eq!(h.ok("relation-ids", &["no-such-endpoint", "--format=json"]), "[]\n");
        let none = h.run("relation-ids", &["--format=json"]);
        assert_eq!((none.code, none.err.as_str()), (2, "ERROR no endpoint name specified\n"));
        0
    });
}

#[test]
fn row4_relations_ids_default_to_hook_endpoint_and_exclude_broken() {
    let mut st = state();
    let a = st.add_relation("certificates", "istio", 1);
    let b = st.add_relation("certificates", "dex", 1);
    run(&mut st, 0, &Event::RelationBroken { id: a.clone() }, |h| {
        assert_eq!(h.json("relation-ids", &["--format=json"]), json!([b.to_string()]));
        // The broken relation's data is still readable during its hook.
        assert_eq!(
            h.run("relation-get", &["-r", &a.number.to_string(), "--format=json", "-", "istio/0"])
                .code,
            0
        );
        0
    });
    assert_eq!(st.relation_ids("certificates"), vec![b]);
}

#[test]
fn row4_relations_failed_broken_hook_keeps_relation() {
    let mut st = state();
    let a = st.add_relation("certificates", "istio", 1);
    let out = run(&mut st, 0, &Event::RelationBroken { id: a.clone() }, |_| 1);
    assert!(!out.committed);
    assert_eq!(st.relation_ids("certificates"), vec![a]);
}

#[test]
fn row4_relations_list_sorted_app_and_peers_exclude_self() {
    let mut st = state().with_units(3);
    let id = st.add_relation("certificates", "istio", 12);
    let peers = st.add_relation("peers", "", 0);
    run(&mut st, 1, &Event::UpdateStatus, |h| {
        let units = h.json("relation-list", &["--format=json", "-r", &id.to_string()]);
        let units: Vec<&str> =
            units.as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
        assert_eq!(&units[..3], ["istio/0", "istio/1", "istio/10"]);
        assert_eq!(
            h.ok("relation-list", &["--format=json", "-r", &id.number.to_string(), "--app"]),
            "\"istio\"\n"
        );
        let p = h.json("relation-list", &["--format=json", "-r", &peers.number.to_string()]);
        assert_eq!(p, json!(["ckf-crypto/0", "ckf-crypto/2"]));
        assert_eq!(
            h.ok("relation-list", &["-r", &peers.number.to_string(), "--app"]),
            "ckf-crypto\n"
        );
        0
    });
}

#[test]
fn row4_relations_departing_unit_absent_but_data_readable() {
    let mut st = state();
    let id = st.add_relation("object-storage", "minio", 2);
    run(&mut st, 0, &Event::RelationDeparted { id: id.clone(), unit: "minio/1".into() }, |h| {
        assert_eq!(h.json("relation-list", &["--format=json"]), json!(["minio/0"]));
        let data = h.json("relation-get", &["--format=json", "-", "minio/1"]);
        assert!(data.get("private-address").is_some());
        0
    });
    assert_eq!(st.relations[&id.number].remote_units, vec!["minio/0".to_string()]);
}

#[test]
fn row4_relations_get_targets_defaults_and_missing_keys() {
    let mut st = state();
    let id = st.add_relation("object-storage", "minio", 1);
    st.set_remote_app_data(&id, bag(&[("endpoint", "http://minio:9000")]));
    st.set_remote_unit_data(&id, "minio/0", bag(&[("ready", "yes")]));
    run(
        &mut st,
        0,
        &Event::RelationChanged { id: id.clone(), unit: Some("minio/0".into()) },
        |h| {
            // Default target in a unit change: JUJU_REMOTE_UNIT.
            assert_eq!(h.json("relation-get", &["--format=json"]), json!({"ready": "yes"}));
            assert_eq!(h.ok("relation-get", &["--format=json", "ready"]), "\"yes\"\n");
            assert_eq!(h.ok("relation-get", &["--format=json", "missing"]), "null\n");
            let app = h.json("relation-get", &["--format=json", "--app", "-", "minio"]);
            assert_eq!(app, json!({"endpoint": "http://minio:9000"}));
            // With --app a unit name is converted to its application.
            assert_eq!(h.json("relation-get", &["--format=json", "--app", "-", "minio/0"]), app);
            let bad = h.run("relation-get", &["--format=json", "-", "minio"]);
            assert_eq!(bad.code, 2);
            assert_eq!(bad.err, "ERROR expected unit name, got application name \"minio\"\n");
            0
        },
    );
    run(&mut st, 0, &Event::RelationChanged { id: id.clone(), unit: None }, |h| {
        // App-level change: no remote unit, so the remote app bag is read.
        assert_eq!(
            h.json("relation-get", &["--format=json"])["endpoint"],
            json!("http://minio:9000")
        );
        0
    });
}

#[test]
fn row4_relations_default_unit_bags_are_prepopulated() {
    let mut st = state();
    let id = st.add_relation("certificates", "istio", 1);
    run(&mut st, 0, &Event::UpdateStatus, |h| {
        let r = id.number.to_string();
        let remote = h.json("relation-get", &["--format=json", "-r", &r, "-", "istio/0"]);
        let own = h.json("relation-get", &["--format=json", "-r", &r, "-", "ckf-crypto/0"]);
        for bag in [remote, own] {
            for k in ["private-address", "ingress-address", "egress-subnets"] {
                assert!(bag.get(k).is_some(), "{k} in {bag}");
            }
        }
        0
    });
}

#[test]
fn row4_relations_non_leader_cannot_read_own_app_bag_except_on_peers() {
    let mut st = state().with_units(2);
    let id = st.add_relation("certificates", "istio", 1);
    let peers = st.add_relation("peers", "", 0);
    st.relations.get_mut(&peers.number).unwrap().local_app_data = bag(&[("salt", "s")]);
    run(&mut st, 1, &Event::UpdateStatus, |h| {
        let denied = h.run(
            "relation-get",
            &["--format=json", "-r", &id.number.to_string(), "--app", "-", "ckf-crypto"],
        );
        assert_eq!(denied.code, 1);
        assert_eq!(denied.err, "ERROR permission denied (unauthorized access)\n");
        let peer = h.json(
            "relation-get",
            &["--format=json", "-r", &peers.number.to_string(), "--app", "-", "ckf-crypto"],
        );
        assert_eq!(peer, json!({"salt": "s"}));
        0
    });
    run(&mut st, 0, &Event::UpdateStatus, |h| {
        assert_eq!(
            h.ok(
                "relation-get",
                &["--format=json", "-r", &id.number.to_string(), "--app", "-", "ckf-crypto"]
            ),
            "{}\n"
        );
        0
    });
}

#[test]
fn row4_relations_set_file_stdin_args_override_empty_deletes_and_pending_visible() {
    let mut st = state();
    let id = st.add_relation("certificates", "istio", 1);
    let r = id.to_string();
    run(&mut st, 0, &Event::RelationJoined { id: id.clone(), unit: "istio/0".into() }, |h| {
        let set = h.run_stdin(
            "relation-set",
            &["-r", &r, "--app", "--file", "-"],
            Some(r#"{"ca":"PEM","chain":"x"}"#),
        );
        assert_eq!(set.code, 0, "{set:?}");
        assert_eq!(
            h.run_stdin(
                "relation-set",
                &["-r", &r, "--file", "-", "b=override", "c="],
                Some("a: 1\nb: 2\n")
            )
            .code,
            0
        );
        assert_eq!(h.run("relation-set", &["-r", &r, "--app", "chain="]).code, 0);
        let app = h.json("relation-get", &["--format=json", "-r", &r, "--app", "-", "ckf-crypto"]);
        assert_eq!(app, json!({"ca": "PEM"}));
        let unit = h.json("relation-get", &["--format=json", "-r", &r, "-", "ckf-crypto/0"]);
        assert_eq!(unit["a"], json!("1"));
        assert_eq!(unit["b"], json!("override"));
        assert_eq!(unit.get("c"), None);
        0
    });
    assert_eq!(st.local_app_data(&id).unwrap(), &bag(&[("ca", "PEM")]));
    assert_eq!(st.local_unit_data(&id, 0).unwrap()["b"], "override");
}

#[test]
fn row4_relations_app_write_needs_leadership() {
    let mut st = state().with_units(2);
    let id = st.add_relation("certificates", "istio", 1);
    run(&mut st, 1, &Event::RelationCreated { id: id.clone() }, |h| {
        let o = h.run_stdin("relation-set", &["--app", "--file", "-"], Some("{\"a\":\"b\"}"));
        assert_eq!((o.code, o.err.as_str()), (1, "ERROR cannot write relation settings\n"));
        assert_eq!(h.run("relation-set", &["a=b"]).code, 0);
        0
    });
    assert!(st.local_app_data(&id).unwrap().is_empty());
    assert_eq!(st.local_unit_data(&id, 1).unwrap()["a"], "b");
}

#[test]
fn row4_relations_bad_relation_ids_are_usage_errors() {
    let mut st = state();
    let id = st.add_relation("certificates", "istio", 1);
    run(&mut st, 0, &Event::UpdateStatus, |h| {
        let o = h.run("relation-get", &["-r", "certificates:99", "-", "istio/0"]);
        assert_eq!(
            (o.code, o.err.as_str()),
            (2, "ERROR invalid value \"certificates:99\" for option -r: relation not found\n")
        );
        // Juju reads only the number after the last colon: the endpoint is not checked.
        let o = h.run("relation-list", &["-r", &format!("object-storage:{}", id.number)]);
        assert_eq!(o.code, 0, "{o:?}");
        let o = h.run("relation-get", &["-", "istio/0"]);
        assert_eq!((o.code, o.err.as_str()), (2, "ERROR no relation id specified\n"));
        let o = h.run("relation-set", &["-r", &id.number.to_string(), "novalue"]);
        assert_eq!(o.code, 2);
        0
    });
}

#[test]
fn row4_relations_model_get_and_remote_data_fixtures() {
    let mut st = state();
    let id = st.add_relation("certificates", "istio", 0);
    st.set_remote_unit_data(&id, "istio/3", bag(&[("csr", "x")]));
    let uuid = st.model.uuid.clone();
    run(&mut st, 0, &Event::RelationJoined { id: id.clone(), unit: "istio/3".into() }, |h| {
        assert_eq!(h.json("relation-model-get", &["--format=json"]), json!({"uuid": uuid}));
        assert_eq!(h.json("relation-list", &["--format=json"]), json!(["istio/3"]));
        assert_eq!(h.json("relation-get", &["--format=json", "csr"]), Value::String("x".into()));
        0
    });
}
