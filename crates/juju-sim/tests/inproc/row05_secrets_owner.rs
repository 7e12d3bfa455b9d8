//! Row 5 (owner side): secret-set revisions, secret-info-get, secret-ids, secret-remove,
//! grants, and the leader checks on application-owned secrets.

use juju_sim::{Event, Owner};
use serde_json::{Value, json};

use crate::common::{bag, run, state};

#[test]
fn row5_secrets_set_identical_content_makes_no_revision_and_new_content_is_pending() {
    let mut st = state();
    let id = st.add_secret(Owner::App, Some("ca"), bag(&[("abc", "1")]));
    run(&mut st, 0, &Event::UpdateStatus, |h| {
        assert_eq!(h.json("secret-get", &[&id, "--format=json"]), json!({"abc": "1"}));
        assert_eq!(h.run("secret-set", &[&id, "abc=1"]).code, 0);
        assert_eq!(h.json("secret-info-get", &[&id, "--format=json"])[&id]["revision"], json!(1));
        assert_eq!(h.run("secret-set", &[&id, "abc=2"]).code, 0);
        assert_eq!(h.run("secret-set", &[&id, "abc=3"]).code, 0);
        assert_eq!(h.json("secret-info-get", &[&id, "--format=json"])[&id]["revision"], json!(2));
        // Tracked revision until --refresh/--peek.
        assert_eq!(h.json("secret-get", &[&id, "--format=json"]), json!({"abc": "1"}));
        assert_eq!(h.json("secret-get", &[&id, "--peek", "--format=json"]), json!({"abc": "3"}));
        0
    });
    let s = st.secret(&id).unwrap();
    assert_eq!(s.revisions.len(), 2, "updates in one hook coalesce into one revision");
    assert_eq!(s.latest().unwrap().content, bag(&[("abc", "3")]));
    run(&mut st, 0, &Event::UpdateStatus, |h| {
        assert_eq!(h.run("secret-set", &[&id, "abc=9"]).code, 0);
        1
    });
    assert_eq!(st.secret(&id).unwrap().revisions.len(), 2, "failed hook discards secret-set");
}

#[test]
fn row5_secrets_set_metadata_and_owner_checks() {
    let mut st = state().with_units(2);
    let app = st.add_secret(Owner::App, Some("ca"), bag(&[("abc", "1")]));
    // Another application grants its secret over a relation with this one.
    st.add_relation("object-storage", "dex", 1);
    let remote = st.add_secret(Owner::Remote { app: "dex".into() }, None, bag(&[("abc", "1")]));
    run(&mut st, 0, &Event::UpdateStatus, |h| {
        let o = h.run(
            "secret-set",
            &[&app, "--label", "ca2", "--description", "the CA", "--rotate", "monthly"],
        );
        assert_eq!(o.code, 0, "{o:?}");
        assert_eq!(h.run("secret-set", &[&remote, "abc=2"]).code, 1, "not the owner");
        0
    });
    let s = st.secret(&app).unwrap();
    assert_eq!(
        (s.label.as_deref(), s.description.as_deref(), s.rotate.as_deref()),
        (Some("ca2"), Some("the CA"), Some("monthly"))
    );
    run(&mut st, 1, &Event::UpdateStatus, |h| {
        let o = h.run("secret-set", &[&app, "abc=2"]);
        assert_eq!(o.code, 1);
        assert!(o.err.contains("not found"), "{o:?}");
        0
    });
}

#[test]
fn row5_secrets_info_get_output_and_visibility() {
    let mut st = state().with_units(2);
    let rel = st.add_relation("certificates", "istio", 1);
    let id = st.add_secret(Owner::App, Some("ca"), bag(&[("abc", "1")]));
    run(&mut st, 0, &Event::UpdateStatus, |h| {
        let info = h.json("secret-info-get", &[&format!("secret:{id}"), "--format=json"]);
        assert_eq!(
            info,
            json!({ id.clone(): {"revision": 1, "label": "ca", "owner": "application"} })
        );
        assert_eq!(h.json("secret-info-get", &["--label", "ca", "--format=json"]), info);
        assert_eq!(h.run("secret-grant", &[&id, "-r", &rel.number.to_string()]).code, 0);
        let info = h.json("secret-info-get", &["--label", "ca", "--format=json"]);
        assert_eq!(info[&id]["access"][0]["target"], json!("application-istio"));
        assert_eq!(info[&id]["access"][0]["role"], json!("view"));
        let both = h.run("secret-info-get", &[&id, "--label", "ca"]);
        assert_eq!(
            (both.code, both.err.as_str()),
            (2, "ERROR specify either a secret URI or label but not both\n")
        );
        0
    });
    run(&mut st, 1, &Event::UpdateStatus, |h| {
        let o = h.run("secret-info-get", &[&id, "--format=json"]);
        assert_eq!(
            (o.code, o.err.as_str()),
            (1, format!("ERROR secret \"{id}\" not found\n").as_str())
        );
        let o = h.run("secret-info-get", &["--label", "ca"]);
        assert_eq!(o.code, 1);
        0
    });
}

#[test]
fn row5_secrets_ids_null_when_none_pending_included_non_leader_excludes_app() {
    let mut st = state().with_units(2);
    run(&mut st, 0, &Event::Install, |h| {
        assert_eq!(h.ok("secret-ids", &["--format=json"]), "null\n");
        let uri = h.ok("secret-add", &["abc=1"]);
        let xid = uri.trim_end().strip_prefix("secret:").unwrap().to_owned();
        assert_eq!(h.json("secret-ids", &["--format=json"]), json!([xid]));
        0
    });
    run(&mut st, 1, &Event::Install, |h| {
        assert_eq!(h.ok("secret-ids", &["--format=json"]), "null\n");
        h.ok("secret-add", &["--owner", "unit", "abc=1"]);
        assert_eq!(h.json("secret-ids", &["--format=json"]).as_array().unwrap().len(), 1);
        0
    });
}

#[test]
fn row5_secrets_remove_whole_or_one_revision() {
    let mut st = state();
    let a = st.add_secret(Owner::App, Some("a"), bag(&[("abc", "1")]));
    let b = st.add_secret(Owner::App, Some("b"), bag(&[("abc", "1")]));
    st.secrets
        .iter_mut()
        .find(|s| s.id == b)
        .unwrap()
        .revisions
        .push(juju_sim::Revision { revision: 2, content: bag(&[("abc", "2")]) });
    run(&mut st, 0, &Event::SecretRemove { id: b.clone(), revision: 1 }, |h| {
        assert_eq!(h.run("secret-remove", &[&b, "--revision", "1"]).code, 0);
        assert_eq!(h.run("secret-remove", &[&format!("secret:{a}")]).code, 0);
        assert_eq!(h.run("secret-remove", &[&b, "--revision", "7"]).code, 1);
        0
    });
    assert!(st.secret(&a).is_none());
    let revs: Vec<u64> = st.secret(&b).unwrap().revisions.iter().map(|r| r.revision).collect();
    assert_eq!(revs, vec![2]);
}

#[test]
fn row5_secrets_grants_and_revokes_per_relation() {
    let mut st = state();
    let rel = st.add_relation("object-storage", "minio", 2);
    let id = st.add_secret(Owner::App, Some("creds"), bag(&[("abc", "1")]));
    let r = rel.number.to_string();
    run(&mut st, 0, &Event::RelationJoined { id: rel.clone(), unit: "minio/0".into() }, |h| {
        assert_eq!(h.run("secret-grant", &[&id, "-r", &r, "--unit", "minio/0"]).code, 0);
        let o = h.run("secret-grant", &[&id, "-r", &r]);
        assert_eq!(o.code, 1, "{o:?}");
        assert!(o.err.contains("any unit level grants need to be revoked"));
        let o = h.run("secret-grant", &[&id, "-r", &r, "--unit", "other/0"]);
        assert_eq!(
            (o.code, o.err.as_str()),
            (2, "ERROR cannot specify unit \"other/0\" in relation to application \"minio\"\n")
        );
        assert_eq!(h.run("secret-revoke", &[&id, "--unit", "minio/0"]).code, 0);
        assert_eq!(h.run("secret-grant", &[&id, "--relation", &r]).code, 0);
        assert_eq!(
            h.run("secret-grant", &[&id, "-r", &r, "--unit", "minio/1"]).code,
            0,
            "no-op after app grant"
        );
        0
    });
    assert_eq!(st.secret(&id).unwrap().grants[&rel.number], vec!["minio".to_string()]);
    run(&mut st, 0, &Event::UpdateStatus, |h| {
        assert_eq!(h.run("secret-revoke", &[&id, "-r", &r]).code, 0);
        0
    });
    assert!(st.secret(&id).unwrap().grants.is_empty());
}

#[test]
fn row5_secrets_pending_create_is_managed_in_same_hook() {
    let mut st = state();
    run(&mut st, 0, &Event::Install, |h| {
        let uri = h.ok("secret-add", &["--label", "k", "abc=1"]);
        let uri = uri.trim_end();
        assert_eq!(h.run("secret-set", &[uri, "abc=2"]).code, 0);
        let info = h.json("secret-info-get", &["--label", "k", "--format=json"]);
        let (_, v) = info.as_object().unwrap().iter().next().unwrap();
        assert_eq!(v["revision"], json!(1), "a set on a pending create stays revision 1");
        assert_eq!(h.json("secret-get", &[uri, "--format=json"]), json!({"abc": "2"}));
        0
    });
    let s = st.secret_by_label("k").unwrap();
    assert_eq!(s.revisions.len(), 1);
    assert_eq!(s.latest().unwrap().content, bag(&[("abc", "2")]));
    assert_eq!(s.tracked.get("ckf-crypto/0"), Some(&1));
    assert_eq!(Value::Null, json!(null));
}
