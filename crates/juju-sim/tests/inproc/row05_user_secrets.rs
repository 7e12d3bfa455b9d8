//! Row 5 (user secrets, Juju 3.6): model-owned secrets made by the operator (`juju
//! add-secret`), read by the charm through a `secret` config option once granted (`juju
//! grant-secret`), with consumer tracking, the charm's inability to manage them, and when
//! `secret-changed` is due.

use juju_sim::{Event, Owner, SimError, State};
use serde_json::{Value, json};

use crate::common::{Hook, bag, run, state};

/// A user secret `ca` at revision 1 (`ca-crt=PEM1`) and its URI.
fn with_user_secret(units: u32) -> (State, String) {
    let mut st = state().with_units(units);
    let uri = st.add_user_secret("ca", bag(&[("ca-crt", "PEM1")]));
    (st, uri)
}

/// What `secret-get <args>` returns on `unit` in an update-status hook.
fn get(st: &mut State, unit: u32, args: &[&str]) -> Value {
    let mut got = Value::Null;
    run(st, unit, &Event::UpdateStatus, |h| {
        let mut all = args.to_vec();
        all.push("--format=json");
        got = h.json("secret-get", &all);
        0
    });
    got
}

fn xid(uri: &str) -> &str {
    uri.strip_prefix("secret:").unwrap()
}

#[test]
fn row5_user_secrets_add_returns_a_model_owned_uri_and_update_makes_revisions() {
    let (mut st, uri) = with_user_secret(1);
    assert!(uri.starts_with("secret:") && xid(&uri).len() == 20, "{uri}");
    let s = st.secret(&uri).unwrap();
    assert_eq!(s.owner, Owner::Model);
    assert_eq!(s.name.as_deref(), Some("ca"));
    assert_eq!(s.label, None, "the add-secret name is not a label the charm sees");
    assert!(s.app_grants.is_empty());
    assert_eq!(st.update_user_secret(&uri, bag(&[("ca-crt", "PEM2")])).unwrap(), 2);
    // Juju 3.6 compares nothing on update-secret: the same content is a new revision.
    assert_eq!(st.update_user_secret(&uri, bag(&[("ca-crt", "PEM2")])).unwrap(), 3);
    let revs: Vec<u64> = st.secret(&uri).unwrap().revisions.iter().map(|r| r.revision).collect();
    assert_eq!(revs, [1, 2, 3]);
    // The charm's own secret lists are untouched.
    run(&mut st, 0, &Event::UpdateStatus, |h| {
        assert_eq!(h.ok("secret-ids", &["--format=json"]), "null\n");
        0
    });
}

#[test]
fn row5_user_secrets_operator_mistakes_are_refused_as_juju_refuses_them() {
    let (mut st, uri) = with_user_secret(1);
    let err = |r: Result<String, SimError>| match r {
        Err(SimError::Secret(m)) => m,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        err(st.try_add_user_secret("ca", bag(&[("abc", "x")]))),
        "secret with label \"ca\" already exists"
    );
    assert_eq!(err(st.try_add_user_secret("other", bag(&[]))), "empty secret value not valid");
    assert_eq!(err(st.try_add_user_secret("other", bag(&[("Bad", "x")]))), "key \"Bad\" not valid");
    let missing = "secret:cr1bm4s3vnv5q0u0ghcg";
    let e = st.update_user_secret(missing, bag(&[("abc", "x")])).unwrap_err();
    assert_eq!(e.to_string(), format!("secret: secret {missing:?} not found"));
    let charm_owned = st.add_secret(Owner::App, Some("mine"), bag(&[("abc", "x")]));
    let e = st.grant_secret(&charm_owned, "ckf-crypto").unwrap_err();
    assert!(e.to_string().ends_with("is not a user secret"), "{e}");
    assert!(matches!(st.grant_secret("secret:short", "ckf-crypto"), Err(SimError::Secret(_))));
    assert!(matches!(st.update_user_secret(&uri, bag(&[])), Err(SimError::Secret(_))));
}

#[test]
fn row5_user_secrets_get_is_permission_denied_until_granted_then_pins_latest() {
    let (mut st, uri) = with_user_secret(2);
    st.update_user_secret(&uri, bag(&[("ca-crt", "PEM2")])).unwrap();
    let out = run(&mut st, 0, &Event::ConfigChanged, |h| {
        for id in [uri.clone(), xid(&uri).to_owned()] {
            let o = h.run("secret-get", &[&id, "--format=json"]);
            assert_eq!(
                (o.code, o.err.as_str(), o.out.as_str()),
                (1, "ERROR permission denied\n", "")
            );
        }
        // Not by its add-secret name either: that is no consumer label.
        let o = h.run("secret-get", &["--label", "ca"]);
        assert_eq!((o.code, o.err.as_str()), (1, "ERROR secret \"ca\" not found\n"));
        0
    });
    assert!(out.committed);
    assert!(st.secret(&uri).unwrap().tracked.is_empty(), "a refused read tracks nothing");
    st.grant_secret(&uri, "ckf-crypto").unwrap();
    st.grant_secret(&uri, "ckf-crypto").unwrap();
    assert_eq!(get(&mut st, 1, &[&uri]), json!({"ca-crt": "PEM2"}));
    assert_eq!(st.secret(&uri).unwrap().tracked["ckf-crypto/1"], 2, "first read pins the latest");
    st.update_user_secret(&uri, bag(&[("ca-crt", "PEM3")])).unwrap();
    assert_eq!(get(&mut st, 1, &[&uri]), json!({"ca-crt": "PEM2"}), "tracked revision");
    assert_eq!(get(&mut st, 0, &[&uri]), json!({"ca-crt": "PEM3"}), "unit 0's first read");
    assert_eq!(get(&mut st, 1, &[&uri, "--peek"]), json!({"ca-crt": "PEM3"}));
    assert_eq!(get(&mut st, 1, &[&uri]), json!({"ca-crt": "PEM2"}), "--peek moves nothing");
    assert_eq!(get(&mut st, 1, &[&uri, "--refresh"]), json!({"ca-crt": "PEM3"}));
    assert_eq!(get(&mut st, 1, &[&uri]), json!({"ca-crt": "PEM3"}), "--refresh moved tracking");
    let s = st.secret(&uri).unwrap();
    assert_eq!((s.tracked["ckf-crypto/0"], s.tracked["ckf-crypto/1"]), (3, 3));
}

#[test]
fn row5_user_secrets_first_read_with_peek_still_records_the_tracked_revision() {
    let (mut st, uri) = with_user_secret(1);
    st.grant_secret(&uri, "ckf-crypto").unwrap();
    assert_eq!(get(&mut st, 0, &[&uri, "--peek"]), json!({"ca-crt": "PEM1"}));
    st.update_user_secret(&uri, bag(&[("ca-crt", "PEM2")])).unwrap();
    assert_eq!(get(&mut st, 0, &[&uri]), json!({"ca-crt": "PEM1"}));
}

#[test]
fn row5_user_secrets_key_consumer_label_revoke_and_remove() {
    let (mut st, uri) = with_user_secret(1);
    st.grant_secret(&uri, "ckf-crypto").unwrap();
    run(&mut st, 0, &Event::UpdateStatus, |h| {
        assert_eq!(h.ok("secret-get", &[&uri, "ca-crt"]), "PEM1\n");
        assert_eq!(h.ok("secret-get", &[&uri, "ca-crt#base64", "--format=json"]), "\"UEVNMQ==\"\n");
        let o = h.run("secret-get", &[&uri, "nope"]);
        assert_eq!((o.code, o.err.as_str()), (1, "ERROR secret key \"nope\" not found\n"));
        // A consumer label, set by reading with both the URI and a label.
        assert_eq!(
            h.json("secret-get", &[&uri, "--label", "the-ca", "--format=json"])["ca-crt"],
            "PEM1"
        );
        0
    });
    assert_eq!(st.secret(&uri).unwrap().label.as_deref(), Some("the-ca"));
    assert_eq!(get(&mut st, 0, &["--label", "the-ca"]), json!({"ca-crt": "PEM1"}));
    st.revoke_secret(&uri, "ckf-crypto").unwrap();
    run(&mut st, 0, &Event::UpdateStatus, |h| {
        for args in [vec![uri.as_str()], vec!["--label", "the-ca"]] {
            let o = h.run("secret-get", &args);
            assert_eq!((o.code, o.err.as_str()), (1, "ERROR permission denied\n"), "{args:?}");
        }
        0
    });
    assert_eq!(st.secret(&uri).unwrap().tracked["ckf-crypto/0"], 1, "revoking keeps the record");
    st.grant_secret(&uri, "ckf-crypto").unwrap();
    assert_eq!(get(&mut st, 0, &[&uri]), json!({"ca-crt": "PEM1"}));
    st.remove_user_secret(&uri).unwrap();
    assert!(st.secret(&uri).is_none());
    let uuid = st.model.uuid.clone();
    run(&mut st, 0, &Event::UpdateStatus, |h| {
        let full = format!("secret://{uuid}/{}", xid(&uri));
        for (asked, shown) in
            [(uri.as_str(), uri.as_str()), (xid(&uri), uri.as_str()), (&full, &full)]
        {
            let o = h.run("secret-get", &[asked]);
            assert_eq!((o.code, o.err), (1, format!("ERROR secret {shown:?} not found\n")));
        }
        0
    });
}

#[test]
fn row5_user_secrets_charm_cannot_manage_them_the_commit_is_refused() {
    let (mut st, uri) = with_user_secret(1);
    st.grant_secret(&uri, "ckf-crypto").unwrap();
    let rel = st.add_relation("certificates", "istio", 1);
    let before = st.clone();
    let attempts: [(&[&str], &str); 3] = [
        (&["secret-set", "ca-crt=mine"], "updating secrets: permission denied"),
        (&["secret-remove"], "removing secrets: permission denied"),
        (&["secret-revoke", "--app", "ckf-crypto"], "revoking secrets access: permission denied"),
    ];
    for (call, refusal) in attempts {
        let out = run(&mut st, 0, &Event::ConfigChanged, |h| {
            h.ok("relation-set", &["-r", &rel.number.to_string(), "--app", "k=v"]);
            let mut args = vec![uri.as_str()];
            args.extend_from_slice(&call[1..]);
            // The tool accepts it: the unit agent buffers changes without asking.
            assert_eq!(h.ok(call[0], &args), "");
            h.ok("status-set", &["active"]);
            0
        });
        assert_eq!(out.exit_code, Some(0));
        assert!(!out.committed, "{call:?}");
        assert_eq!(out.commit_error.as_deref(), Some(refusal));
        assert_eq!(out.unit_status, ("error".into(), "hook failed: \"config-changed\"".into()));
        assert_eq!(st.secrets, before.secrets, "{call:?}");
        assert!(st.local_app_data(&rel).unwrap().is_empty(), "nothing else is committed");
        assert_eq!(st.units[&0].status, ("active".into(), String::new()), "status is immediate");
    }
    // Metadata-only secret-set is a change too; secret-set with nothing to change is not.
    let out = run(&mut st, 0, &Event::UpdateStatus, |h| {
        h.ok("secret-set", &[&uri]);
        0
    });
    assert!(out.committed && out.commit_error.is_none());
    let out = run(&mut st, 0, &Event::UpdateStatus, |h| {
        h.ok("secret-set", &[&uri, "--label", "x"]);
        0
    });
    assert_eq!(out.commit_error.as_deref(), Some("updating secrets: permission denied"));
    // Validation still comes first (exit 2), and a failing hook reports no commit error.
    let out = run(&mut st, 0, &Event::UpdateStatus, |h| {
        assert_eq!(h.run("secret-set", &[&uri, "Bad=x"]).code, 2);
        assert_eq!(h.run("secret-remove", &[&uri, "--revision", "x"]).code, 2);
        h.ok("secret-set", &[&uri, "abc=1"]);
        1
    });
    assert_eq!((out.exit_code, out.committed, out.commit_error), (Some(1), false, None));
}

#[test]
fn row5_user_secrets_info_get_grant_and_ids_do_not_see_them() {
    let (mut st, uri) = with_user_secret(1);
    st.grant_secret(&uri, "ckf-crypto").unwrap();
    let rel = st.add_relation("certificates", "istio", 1);
    let x = xid(&uri).to_owned();
    run(&mut st, 0, &Event::UpdateStatus, |h| {
        h.ok("secret-get", &[&uri, "--label", "the-ca"]);
        for args in [vec![uri.as_str()], vec![x.as_str()]] {
            let o = h.run("secret-info-get", &args);
            assert_eq!((o.code, o.err), (1, format!("ERROR secret \"{x}\" not found\n")));
        }
        let o = h.run("secret-info-get", &["--label", "the-ca"]);
        assert_eq!((o.code, o.err.as_str()), (1, "ERROR secret \"the-ca\" not found\n"));
        let o = h.run("secret-grant", &[&uri, "-r", &rel.number.to_string()]);
        assert_eq!((o.code, o.err), (1, format!("ERROR secret \"{x}\" not found\n")));
        assert_eq!(h.ok("secret-ids", &["--format=json"]), "null\n");
        0
    });
}

#[test]
fn row5_user_secrets_refused_commit_fails_an_action() {
    let (mut st, uri) = with_user_secret(1);
    st.grant_secret(&uri, "ckf-crypto").unwrap();
    let ev = Event::Action { name: "list-certificates".into(), params: Default::default() };
    let out = run(&mut st, 0, &ev, |h| {
        h.ok("secret-set", &[&uri, "abc=1"]);
        h.ok("action-set", &["n=1"]);
        0
    });
    assert!(!out.committed);
    let action = out.action.unwrap();
    assert_eq!(action.failed.as_deref(), Some("committing requested changes failed"));
    assert_eq!(
        action.results,
        serde_json::from_value::<serde_json::Map<_, _>>(json!({"n": "1"})).unwrap()
    );
    assert_eq!(st.unit_status(0).0, "unknown", "an action never puts the unit in error");
}

#[test]
fn row5_user_secrets_config_option_holds_the_uri_and_config_get_prints_it() {
    let (mut st, uri) = with_user_secret(1);
    // Juju checks only the URI scheme: not that the secret exists or is granted.
    st.set_config("certificates-ca", json!(uri)).unwrap();
    let read_config = |h: &Hook| {
        assert_eq!(h.ok("config-get", &["certificates-ca"]), format!("{uri}\n"));
        assert_eq!(h.json("config-get", &["--format=json"])["certificates-ca"], json!(uri));
        let o = h.run("secret-get", &[&uri]);
        assert_eq!((o.code, o.err.as_str()), (1, "ERROR permission denied\n"));
        0
    };
    run(&mut st, 0, &Event::ConfigChanged, read_config);
    let e = st.set_config("certificates-ca", json!("plain")).unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid config: option \"certificates-ca\" expected secret, got \"plain\""
    );
    for bad in [json!(7), json!("http://x"), json!(":x"), json!("1secret:x")] {
        assert!(
            matches!(st.set_config("certificates-ca", bad.clone()), Err(SimError::Config(_))),
            "{bad}"
        );
    }
    for ok in ["", "SECRET:x", "secret://8f9c6f3e-1b3a-4c0e-9a57-2f9d6b0c1d2e/cr1bm4s3vnv5q0u0ghcg"]
    {
        st.set_config("certificates-ca", json!(ok)).unwrap();
    }
    st.set_config("certificates-ca", json!(uri)).unwrap();
    st.grant_secret(&uri, "ckf-crypto").unwrap();
    run(&mut st, 0, &Event::ConfigChanged, |h| {
        let from_config = h.json("config-get", &["certificates-ca", "--format=json"]);
        let id = from_config.as_str().unwrap();
        assert_eq!(h.json("secret-get", &[id, "--format=json"]), json!({"ca-crt": "PEM1"}));
        0
    });
}

#[test]
fn row5_user_secrets_secret_changed_is_due_for_units_tracking_an_older_revision() {
    let (mut st, uri) = with_user_secret(3);
    st.grant_secret(&uri, "ckf-crypto").unwrap();
    get(&mut st, 0, &[&uri]);
    get(&mut st, 1, &[&uri, "--label", "the-ca"]);
    assert!(st.pending_secret_changed(0).is_empty(), "nothing new yet");
    st.update_user_secret(&uri, bag(&[("ca-crt", "PEM2")])).unwrap();
    assert_eq!(st.pending_secret_changed(0), vec![uri.clone()]);
    assert_eq!(st.pending_secret_changed(1), vec![uri.clone()]);
    assert!(st.pending_secret_changed(2).is_empty(), "unit 2 never read it");
    let ev = Event::SecretChanged { id: uri.clone() };
    // A failing secret-changed stays due (Juju retries the hook).
    let out = run(&mut st, 0, &ev, |_| 1);
    assert!(!out.committed);
    assert_eq!(st.pending_secret_changed(0), vec![uri.clone()]);
    let mut env = Vec::new();
    run(&mut st, 0, &ev, |h| {
        env = h.env.clone();
        // The hook itself usually refreshes.
        assert_eq!(
            h.json("secret-get", &[&uri, "--refresh", "--format=json"]),
            json!({"ca-crt": "PEM2"})
        );
        0
    });
    let var = |k: &str| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    assert_eq!(var("JUJU_DISPATCH_PATH").as_deref(), Some("hooks/secret-changed"));
    assert_eq!(var("JUJU_SECRET_ID"), Some(uri.clone()));
    assert_eq!(var("JUJU_SECRET_LABEL").as_deref(), Some("the-ca"), "the consumer label");
    assert_eq!(var("JUJU_SECRET_REVISION"), None);
    assert!(st.pending_secret_changed(0).is_empty());
    assert_eq!(st.pending_secret_changed(1), vec![uri.clone()], "per unit");
    // Running it without a refresh still counts as seen: the uniter records the revision.
    run(&mut st, 1, &ev, |_| 0);
    assert!(st.pending_secret_changed(1).is_empty());
    assert_eq!(get(&mut st, 1, &[&uri]), json!({"ca-crt": "PEM1"}), "still tracking revision 1");
    st.update_user_secret(&uri, bag(&[("ca-crt", "PEM3")])).unwrap();
    assert_eq!(st.pending_secret_changed(1), vec![uri.clone()]);
    st.revoke_secret(&uri, "ckf-crypto").unwrap();
    assert!(st.pending_secret_changed(1).is_empty(), "no secret-changed once revoked");
}

#[test]
fn row5_user_secrets_first_read_of_a_later_revision_is_followed_by_secret_changed() {
    // Juju's consumed-secrets watcher reports a consumer record whose latest revision is 2 or
    // more the first time it sees it, and the uniter has seen no revision yet.
    let (mut st, uri) = with_user_secret(1);
    st.update_user_secret(&uri, bag(&[("ca-crt", "PEM2")])).unwrap();
    st.grant_secret(&uri, "ckf-crypto").unwrap();
    get(&mut st, 0, &[&uri]);
    assert_eq!(st.pending_secret_changed(0), vec![uri.clone()]);
    let mut label = None;
    run(&mut st, 0, &Event::SecretChanged { id: uri.clone() }, |h| {
        label = h.var("JUJU_SECRET_LABEL").map(str::to_owned);
        0
    });
    assert_eq!(label.as_deref(), Some(""), "no consumer label: present but empty");
    assert!(st.pending_secret_changed(0).is_empty());
}
