//! Row 5 (creation and reading): URIs, content forms, owners and leader checks, labels,
//! pending creates, revisions and per-consumer tracking.

use juju_sim::{Event, Owner};
use serde_json::json;

use crate::common::{bag, run, state};

fn is_uri(s: &str) -> bool {
    let x = s.strip_prefix("secret:").unwrap_or("");
    x.len() == 20 && x.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'v').contains(&b))
}

#[test]
fn row5_secrets_add_returns_uri_at_once_and_creates_only_on_commit() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ca-key");
    std::fs::write(&file, "KEY").unwrap();
    let arg = format!("ca-key#file={}", file.display());
    let mut st = state();
    let mut uri = String::new();
    let out = run(&mut st, 0, &Event::Install, |h| {
        uri = h.ok("secret-add", &["--label", "ca", &arg, "salt#base64=c2FsdA==", "plain=text"]);
        assert!(uri.ends_with('\n'));
        assert!(is_uri(uri.trim_end()), "{uri}");
        // The owner sees its pending content in the same hook.
        let got = h.json("secret-get", &[uri.trim_end(), "--format=json"]);
        assert_eq!(got, json!({"ca-key": "KEY", "plain": "text", "salt": "salt"}));
        assert_eq!(h.json("secret-get", &["--label", "ca", "--format=json"]), got);
        1
    });
    assert!(!out.committed);
    assert!(st.secrets().is_empty(), "a failed hook discards the created secret");
    run(&mut st, 0, &Event::Install, |h| {
        uri = h.ok("secret-add", &["--label", "ca", &arg]);
        0
    });
    let s = st.secret_by_label("ca").unwrap();
    assert_eq!(format!("secret:{}\n", s.id), uri);
    assert_eq!(s.owner, Owner::App);
    assert_eq!(s.revisions.len(), 1);
    assert_eq!(s.revisions[0].revision, 1);
    assert_eq!(s.revisions[0].content, bag(&[("ca-key", "KEY")]));
}

#[test]
fn row5_secrets_content_errors() {
    let dir = tempfile::tempdir().unwrap();
    let yaml = dir.path().join("c.yaml");
    std::fs::write(&yaml, "user-name: admin\npass-word: pw\n").unwrap();
    let mut st = state();
    run(&mut st, 0, &Event::Install, |h| {
        let cases: &[(&[&str], &str)] = &[
            (&[], "ERROR missing secret value or filename\n"),
            (&["Bad=x"], "ERROR key \"Bad\" not valid\n"),
            (&["ab=x"], "ERROR key \"ab\" not valid\n"),
            (&["abc#file=relative/path"], ""),
            (&["abc#file=/no/such/file"], ""),
            (&["abc#base64=!!!"], ""),
            (&["abc=x", "--rotate", "sometimes"], "ERROR rotate policy \"sometimes\" not valid\n"),
            (&["abc=x", "--expire", "soon"], "ERROR expire time or duration \"soon\" not valid\n"),
            (&["abc=x", "--owner", "model"], "ERROR secret owner \"model\" not valid\n"),
        ];
        for (args, err) in cases {
            let o = h.run("secret-add", args);
            assert_eq!(o.code, 2, "{args:?}: {o:?}");
            assert!(o.err.starts_with("ERROR "), "{o:?}");
            if !err.is_empty() {
                assert_eq!(&o.err, err);
            }
        }
        // 3.6.8 measures the value as given, not its base64 encoding (9336 bytes).
        let under = format!("abc={}", "x".repeat(7000));
        assert_eq!(h.run("secret-add", &[&under]).code, 0, "7000 bytes fit 8 KiB on 3.6.8");
        let uri = h.ok("secret-add", &["--file", yaml.to_str().unwrap(), "--owner", "unit"]);
        assert_eq!(
            h.json("secret-get", &[uri.trim_end(), "--format=json"]),
            json!({"user-name": "admin", "pass-word": "pw"})
        );
        0
    });
}

#[test]
fn row5_secrets_leader_check_for_app_owner_and_unit_owner_for_anyone() {
    let mut st = state().with_units(2);
    run(&mut st, 1, &Event::Install, |h| {
        let o = h.run("secret-add", &["abc=x"]);
        assert_eq!((o.code, o.err.as_str()), (1, "ERROR this unit is not the leader\n"));
        let o = h.run("secret-add", &["--owner", "application", "abc=x"]);
        assert_eq!(o.code, 1);
        assert_eq!(h.run("secret-add", &["--owner", "unit", "abc=x"]).code, 0);
        0
    });
    assert_eq!(st.secrets().len(), 1);
    assert_eq!(st.secrets()[0].owner, Owner::Unit(1));
}

#[test]
fn row5_secrets_labels_unique_per_owner() {
    let mut st = state();
    run(&mut st, 0, &Event::Install, |h| {
        assert_eq!(h.run("secret-add", &["--label", "l", "abc=1"]).code, 0);
        let dup = h.run("secret-add", &["--label", "l", "abc=2"]);
        assert_eq!(
            (dup.code, dup.err.as_str()),
            (1, "ERROR secret with label \"l\" already exists\n")
        );
        assert_eq!(h.run("secret-add", &["--owner", "unit", "--label", "l", "abc=3"]).code, 0);
        0
    });
}

#[test]
fn row5_secrets_get_by_id_forms_label_and_not_found() {
    let mut st = state();
    let id = st.add_secret(Owner::App, Some("salts"), bag(&[("salt", "s1")]));
    let uuid = st.model.uuid.clone();
    run(&mut st, 0, &Event::UpdateStatus, |h| {
        for form in [id.clone(), format!("secret:{id}"), format!("secret://{uuid}/{id}")] {
            assert_eq!(
                h.json("secret-get", &[&form, "--format=json"]),
                json!({"salt": "s1"}),
                "{form}"
            );
        }
        assert_eq!(h.ok("secret-get", &[&id, "salt", "--format=json"]), "\"s1\"\n");
        assert_eq!(h.ok("secret-get", &[&id, "salt#base64", "--format=json"]), "\"czE=\"\n");
        assert_eq!(h.ok("secret-get", &["--label=salts"]), "salt: s1\n");
        let missing = h.run("secret-get", &["--label", "nope"]);
        assert_eq!((missing.code, missing.err.as_str()), (1, "ERROR secret \"nope\" not found\n"));
        let other = "secret:cr1bm4s3vnv5q0u0ghcg";
        let o = h.run("secret-get", &[other]);
        assert_eq!(
            (o.code, o.err.as_str()),
            (1, format!("ERROR secret {other:?} not found\n").as_str())
        );
        let o = h.run("secret-get", &["secret:short"]);
        assert_eq!((o.code, o.err.as_str()), (2, "ERROR secret URI \"secret:short\" not valid\n"));
        let o = h.run("secret-get", &[]);
        assert_eq!((o.code, o.err.as_str()), (2, "ERROR require either a secret URI or label\n"));
        let o = h.run("secret-get", &[&id, "--peek", "--refresh"]);
        assert_eq!(o.code, 2);
        0
    });
}

#[test]
fn row5_secrets_non_leader_reads_app_secret_but_not_other_units_secret() {
    let mut st = state().with_units(2);
    let app = st.add_secret(Owner::App, Some("ca"), bag(&[("abc", "1")]));
    let unit0 = st.add_secret(Owner::Unit(0), Some("mine"), bag(&[("abc", "2")]));
    run(&mut st, 1, &Event::UpdateStatus, |h| {
        assert_eq!(h.json("secret-get", &[&app, "--format=json"]), json!({"abc": "1"}));
        assert_eq!(h.json("secret-get", &["--label", "ca", "--format=json"]), json!({"abc": "1"}));
        assert_eq!(h.run("secret-get", &[&unit0]).code, 1);
        0
    });
}

#[test]
fn row5_secrets_tracking_per_consumer_peek_and_refresh() {
    let mut st = state().with_units(2);
    // Another application grants its secret over a relation with this one.
    st.add_relation("object-storage", "dex", 1);
    let id = st.add_secret(Owner::Remote { app: "dex".into() }, None, bag(&[("pass", "v1")]));
    let get = |st: &mut juju_sim::State, unit: u32, flags: &'static [&'static str]| {
        let id = id.clone();
        let mut got = serde_json::Value::Null;
        run(st, unit, &Event::UpdateStatus, |h| {
            let mut args = vec![id.as_str(), "--format=json"];
            args.extend_from_slice(flags);
            got = h.json("secret-get", &args);
            0
        });
        got["pass"].as_str().unwrap().to_owned()
    };
    assert_eq!(get(&mut st, 0, &[]), "v1");
    let s = st.secrets.iter_mut().find(|s| s.id == id).unwrap();
    s.revisions.push(juju_sim::Revision { revision: 2, content: bag(&[("pass", "v2")]) });
    assert_eq!(get(&mut st, 0, &[]), "v1", "unit 0 tracks revision 1");
    assert_eq!(get(&mut st, 1, &[]), "v2", "unit 1's first read pins the latest");
    assert_eq!(get(&mut st, 0, &["--peek"]), "v2");
    assert_eq!(get(&mut st, 0, &[]), "v1", "--peek does not move tracking");
    assert_eq!(get(&mut st, 0, &["--refresh"]), "v2");
    assert_eq!(get(&mut st, 0, &[]), "v2");
    let s = st.secrets().iter().find(|s| s.id == id).unwrap();
    assert_eq!(s.tracked["ckf-crypto/0"], 2);
    assert_eq!(s.tracked["ckf-crypto/1"], 2);
}

#[test]
fn row5_secrets_consumer_label_set_by_get_with_id_and_label() {
    let mut st = state();
    // Another application grants its secret over a relation with this one.
    st.add_relation("object-storage", "dex", 1);
    let id = st.add_secret(Owner::Remote { app: "dex".into() }, None, bag(&[("pass", "v1")]));
    run(&mut st, 0, &Event::SecretChanged { id: id.clone() }, |h| {
        assert_eq!(h.run("secret-get", &[&format!("secret:{id}"), "--label", "dex-pass"]).code, 0);
        assert_eq!(
            h.json("secret-get", &["--label", "dex-pass", "--format=json"])["pass"],
            json!("v1")
        );
        0
    });
    assert_eq!(st.secret_by_label("dex-pass").unwrap().id, id);
}
