//! Ported from juju/juju internal/worker/uniter/runner/jujuc: `secret-add_test.go`,
//! `secret-get_test.go`, `secret-set_test.go`, `secret-remove_test.go`, `secret-grant_test.go`,
//! `secret-revoke_test.go`, `secret-ids_test.go`, `secret-info-get_test.go`, with the fake
//! context of `jujuctesting/secrets.go` and `relation_test.go`.
//!
//! The fake holds unit `u/0` of application `u` and one secret, `9m4e2mr0ui3e8a215n4g`, owned
//! by the application: revision 666, label `label`, description `description`, rotation
//! `hourly`. Where a Go test checks only the arguments the tool passed to the fake, the test
//! here checks what Juju does with them: the secret as the model holds it after the hook.
//! secret-grant/revoke's relation `db:1` is a relation to `mediawiki` (unit `mediawiki/0`).

use juju_sim::{CharmMeta, Event, Owner, Revision, State};

use super::{fails, ok};
use crate::common::{Out, bag, rid, run};

const ID: &str = "9m4e2mr0ui3e8a215n4g";
const URI: &str = "secret:9m4e2mr0ui3e8a215n4g";

const METADATA: &str = "\
name: u
requires:
  db:
    interface: db
";

/// Unit `u/0` (the leader) of `u`, relations `db:0` (to `gitlab`) and `db:1` (to `mediawiki`),
/// and the fake's secret with `content`.
fn state_with(content: &[(&str, &str)]) -> State {
    let mut st = State::new(CharmMeta::from_yaml(METADATA, "options: {}\n", "").unwrap(), "u", "m");
    assert_eq!(st.add_relation("db", "gitlab", 1), rid("db", 0));
    assert_eq!(st.add_relation("db", "mediawiki", 1), rid("db", 1));
    st.add_secret(Owner::App, Some("label"), bag(content));
    let s = st.secrets.last_mut().unwrap();
    s.id = ID.into();
    s.description = Some("description".into());
    s.rotate = Some("hourly".into());
    s.revisions = vec![Revision { revision: 666, content: bag(content) }];
    st
}

fn state() -> State {
    state_with(&[("cert", "cert"), ("key", "key")])
}

fn call_in(st: &mut State, ev: &Event, tool: &str, args: &[&str]) -> Out {
    let mut out = None;
    run(st, 0, ev, |h| {
        out = Some(h.run(tool, args));
        0
    });
    out.unwrap()
}

fn call(tool: &str, args: &[&str]) -> Out {
    call_in(&mut state(), &Event::UpdateStatus, tool, args)
}

/// The relation hook of `db:1`, remote unit `mediawiki/0` (relationSuite's `newHookContext(1,
/// "mediawiki/0", "mediawiki")`).
fn db1() -> Event {
    Event::RelationChanged { id: rid("db", 1), unit: Some("mediawiki/0".into()) }
}

/// The secret with `label` after the hook.
fn by_label<'a>(st: &'a State, label: &str) -> &'a juju_sim::Secret {
    st.secret_by_label(label).unwrap()
}

/// The fake's secret granted to `mediawiki` and `mediawiki/0` in `db:1`, and to `gitlab` in `db:0`.
fn granted() -> State {
    let mut st = state();
    let s = st.secrets.last_mut().unwrap();
    s.grants.insert(0, vec!["gitlab".into()]);
    s.grants.insert(1, vec!["mediawiki".into(), "mediawiki/0".into()]);
    st
}

/// juju/juju internal/worker/uniter/runner/jujuc/secret-add_test.go, TestAddSecretInvalidArgs: "no arguments"
#[test]
fn conformance_secret_add_invalid_no_args() {
    fails(&call("secret-add", &[]), 2, "missing secret value or filename");
}

/// juju/juju internal/worker/uniter/runner/jujuc/secret-add_test.go, TestAddSecretInvalidArgs: "s3cret"
#[test]
fn conformance_secret_add_invalid_no_key() {
    fails(&call("secret-add", &["s3cret"]), 2, "key value \"s3cret\" not valid");
}

/// juju/juju internal/worker/uniter/runner/jujuc/secret-add_test.go, TestAddSecretInvalidArgs: "foo=bar --rotate foo"
#[test]
fn conformance_secret_add_invalid_bad_rotate() {
    fails(
        &call("secret-add", &["foo=bar", "--rotate", "foo"]),
        2,
        "rotate policy \"foo\" not valid",
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/secret-add_test.go, TestAddSecretInvalidArgs: "foo=bar --owner foo"
#[test]
fn conformance_secret_add_invalid_bad_owner() {
    fails(&call("secret-add", &["foo=bar", "--owner", "foo"]), 2, "secret owner \"foo\" not valid");
}

/// juju/juju internal/worker/uniter/runner/jujuc/secret-add_test.go, TestAddSecretInvalidArgs: "foo=bar --expire -1h"
#[test]
fn conformance_secret_add_invalid_negative_expire() {
    fails(
        &call("secret-add", &["foo=bar", "--expire", "-1h"]),
        2,
        "negative expire duration \"-1h\" not valid",
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/secret-add_test.go, TestAddSecretInvalidArgs: "foo=bar --expire 2022-01-01"
#[test]
fn conformance_secret_add_invalid_bad_expire() {
    fails(
        &call("secret-add", &["foo=bar", "--expire", "2022-01-01"]),
        2,
        "expire time or duration \"2022-01-01\" not valid",
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/secret-set_test.go, TestUpdateSecretInvalidArgs: "secret:9m4e2mr0ui3e8a215n4g foo=bar --rotate foo"
#[test]
fn conformance_secret_set_invalid_bad_rotate() {
    fails(
        &call("secret-set", &["secret:9m4e2mr0ui3e8a215n4g", "foo=bar", "--rotate", "foo"]),
        2,
        "rotate policy \"foo\" not valid",
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/secret-set_test.go, TestUpdateSecretInvalidArgs: "secret:9m4e2mr0ui3e8a215n4g foo=bar --owner foo"
#[test]
fn conformance_secret_set_invalid_bad_owner() {
    fails(
        &call("secret-set", &["secret:9m4e2mr0ui3e8a215n4g", "foo=bar", "--owner", "foo"]),
        2,
        "secret owner \"foo\" not valid",
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/secret-set_test.go, TestUpdateSecretInvalidArgs: "secret:9m4e2mr0ui3e8a215n4g foo=bar --expire -1h"
#[test]
fn conformance_secret_set_invalid_negative_expire() {
    fails(
        &call("secret-set", &["secret:9m4e2mr0ui3e8a215n4g", "foo=bar", "--expire", "-1h"]),
        2,
        "negative expire duration \"-1h\" not valid",
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/secret-set_test.go, TestUpdateSecretInvalidArgs: "secret:9m4e2mr0ui3e8a215n4g foo=bar --expire 2022-01-01"
#[test]
fn conformance_secret_set_invalid_bad_expire() {
    fails(
        &call("secret-set", &["secret:9m4e2mr0ui3e8a215n4g", "foo=bar", "--expire", "2022-01-01"]),
        2,
        "expire time or duration \"2022-01-01\" not valid",
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/secret-set_test.go, TestUpdateSecretInvalidArgs: "no arguments"
#[test]
fn conformance_secret_set_invalid_no_args() {
    fails(&call("secret-set", &[]), 2, "missing secret URI");
}

/// juju/juju internal/worker/uniter/runner/jujuc/secret-set_test.go, TestUpdateSecretInvalidArgs: "foo"
#[test]
fn conformance_secret_set_invalid_uri() {
    fails(&call("secret-set", &["foo"]), 2, "secret URI \"foo\" not valid");
}

/// juju/juju internal/worker/uniter/runner/jujuc/secret-set_test.go, TestUpdateSecretInvalidArgs: "secret:9m4e2mr0ui3e8a215n4g s3cret"
#[test]
fn conformance_secret_set_invalid_no_key() {
    fails(&call("secret-set", &[URI, "s3cret"]), 2, "key value \"s3cret\" not valid");
}

/// juju/juju internal/worker/uniter/runner/jujuc/secret-add_test.go, TestAddSecretExpireDuration: "--rotate daily --expire 1h --description sssshhhh --label foobar data=secret"
#[test]
fn conformance_secret_add_expire_duration() {
    let mut st = state();
    let args = [
        "--rotate",
        "daily",
        "--expire",
        "1h",
        "--description",
        "sssshhhh",
        "--label",
        "foobar",
        "data=secret",
    ];
    let o = call_in(&mut st, &Event::UpdateStatus, "secret-add", &args);
    let s = by_label(&st, "foobar");
    ok(&o, &format!("secret:{}\n", s.id));
    assert_eq!(
        (s.owner.clone(), s.rotate.as_deref(), s.description.as_deref()),
        (Owner::App, Some("daily"), Some("sssshhhh"))
    );
    assert!(s.expire.is_some());
    assert_eq!(s.latest().unwrap().content, bag(&[("data", "secret")]));
}

/// juju/juju internal/worker/uniter/runner/jujuc/secret-add_test.go, TestAddSecretExpireTimestamp: "--rotate daily --expire 2022-03-04T06:06:06 --description sssshhhh --label foobar data=secret"
#[test]
fn conformance_secret_add_expire_timestamp() {
    let mut st = state();
    let args = [
        "--rotate",
        "daily",
        "--expire",
        "2022-03-04T06:06:06",
        "--description",
        "sssshhhh",
        "--label",
        "foobar",
        "data=secret",
    ];
    let o = call_in(&mut st, &Event::UpdateStatus, "secret-add", &args);
    let s = by_label(&st, "foobar");
    ok(&o, &format!("secret:{}\n", s.id));
    assert_eq!((s.rotate.as_deref(), s.description.as_deref()), (Some("daily"), Some("sssshhhh")));
    assert_eq!(s.expire.as_deref(), Some("2022-03-04T06:06:06"));
    assert_eq!(s.latest().unwrap().content, bag(&[("data", "secret")]));
}

/// juju/juju internal/worker/uniter/runner/jujuc/secret-add_test.go, TestAddSecretBase64: "token#base64=S2V5PQ== --owner unit (the Go value key= is not UTF-8 once decoded)"
#[test]
fn conformance_secret_add_base64_owner_unit() {
    let mut st = state();
    let o = call_in(
        &mut st,
        &Event::UpdateStatus,
        "secret-add",
        &["token#base64=a2V5PQ==", "--owner", "unit"],
    );
    assert_eq!((o.code, o.err.as_str()), (0, ""), "{o:?}");
    let s = st.secrets().iter().find(|s| s.owner == Owner::Unit(0)).unwrap();
    assert_eq!(o.out, format!("secret:{}\n", s.id));
    assert_eq!(s.latest().unwrap().content, bag(&[("token", "key=")]));
}

/// juju/juju internal/worker/uniter/runner/jujuc/secret-get_test.go, TestSecretGetInit: "--peek --refresh"
#[test]
fn conformance_secret_get_init_peek_and_refresh() {
    fails(
        &call("secret-get", &[URI, "--peek", "--refresh"]),
        2,
        "specify one of --peek or --refresh but not both",
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/secret-get_test.go, TestSecretGetInit: "no arguments"
#[test]
fn conformance_secret_get_init_no_uri_or_label() {
    fails(&call("secret-get", &[]), 2, "require either a secret URI or label");
}

/// juju/juju internal/worker/uniter/runner/jujuc/secret-get_test.go, TestSecretGetJson: "--format json"
#[test]
fn conformance_secret_get_json() {
    let mut st = state_with(&[("key", "s3cret!")]);
    ok(
        &call_in(&mut st, &Event::UpdateStatus, "secret-get", &[URI, "--format", "json"]),
        "{\"key\":\"s3cret!\"}\n",
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/secret-get_test.go, TestSecretGetViaURI: "[URI]"
#[test]
fn conformance_secret_get_via_uri() {
    ok(&call("secret-get", &[URI]), "cert: cert\nkey: key\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/secret-get_test.go, TestSecretGetViaLabel: "['--label', 'label']"
#[test]
fn conformance_secret_get_via_label() {
    ok(&call("secret-get", &["--label", "label"]), "cert: cert\nkey: key\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/secret-get_test.go, TestSecretGetPeekViaURI: "[URI, '--peek']"
#[test]
fn conformance_secret_get_peek_via_uri() {
    ok(&call("secret-get", &[URI, "--peek"]), "cert: cert\nkey: key\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/secret-get_test.go, TestSecretGetPeekViaLabel: "['--label', 'label', '--peek']"
#[test]
fn conformance_secret_get_peek_via_label() {
    ok(&call("secret-get", &["--label", "label", "--peek"]), "cert: cert\nkey: key\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/secret-get_test.go, TestSecretGetUpdateWithURI: "[URI, '--refresh']"
#[test]
fn conformance_secret_get_refresh_via_uri() {
    ok(&call("secret-get", &[URI, "--refresh"]), "cert: cert\nkey: key\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/secret-get_test.go, TestSecretGetUpdateWithLabel: "['--label', 'label', '--refresh']"
#[test]
fn conformance_secret_get_refresh_via_label() {
    ok(&call("secret-get", &["--label", "label", "--refresh"]), "cert: cert\nkey: key\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/secret-get_test.go, TestSecretGetUpdateWithBothURIAndLabel: "[URI, '--label', 'label', '--refresh']"
#[test]
fn conformance_secret_get_refresh_uri_and_label() {
    ok(&call("secret-get", &[URI, "--label", "label", "--refresh"]), "cert: cert\nkey: key\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/secret-get_test.go, TestSecretGetKey: "cert"
#[test]
fn conformance_secret_get_key() {
    ok(&call("secret-get", &[URI, "cert"]), "cert\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/secret-get_test.go, TestSecretGetKeyBase64: "cert#base64"
#[test]
fn conformance_secret_get_key_base64() {
    ok(&call("secret-get", &[URI, "cert#base64"]), "Y2VydA==\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/secret-set_test.go, TestUpdateSecret: "data=secret --rotate daily --expire 1h --description sssshhhh --label foobar"
#[test]
fn conformance_secret_set_update() {
    let mut st = state();
    let args = [
        URI,
        "data=secret",
        "--rotate",
        "daily",
        "--expire",
        "1h",
        "--description",
        "sssshhhh",
        "--label",
        "foobar",
    ];
    ok(&call_in(&mut st, &Event::UpdateStatus, "secret-set", &args), "");
    let s = st.secret(ID).unwrap();
    assert_eq!(s.label.as_deref(), Some("foobar"));
    assert_eq!((s.rotate.as_deref(), s.description.as_deref()), (Some("daily"), Some("sssshhhh")));
    assert!(s.expire.is_some());
    let latest = s.latest().unwrap();
    assert_eq!((latest.revision, latest.content.clone()), (667, bag(&[("data", "secret")])));
}

/// juju/juju internal/worker/uniter/runner/jujuc/secret-set_test.go, TestUpdateSecretBase64: "token#base64=a2V5PQ== (the Go value key= is not UTF-8 once decoded)"
#[test]
fn conformance_secret_set_base64() {
    let mut st = state();
    ok(&call_in(&mut st, &Event::UpdateStatus, "secret-set", &[URI, "token#base64=a2V5PQ=="]), "");
    assert_eq!(st.secret(ID).unwrap().latest().unwrap().content, bag(&[("token", "key=")]));
}

/// juju/juju internal/worker/uniter/runner/jujuc/secret-set_test.go, TestUpdateSecretRotateInterval: "--rotate daily, no content"
#[test]
fn conformance_secret_set_rotate_only() {
    let mut st = state();
    ok(&call_in(&mut st, &Event::UpdateStatus, "secret-set", &["--rotate", "daily", URI]), "");
    let s = st.secret(ID).unwrap();
    assert_eq!(s.rotate.as_deref(), Some("daily"));
    assert_eq!(s.revisions.len(), 1, "no new revision without content");
}

/// juju/juju internal/worker/uniter/runner/jujuc/secret-remove_test.go, TestRemoveSecretInvalidArgs: "no arguments"
#[test]
fn conformance_secret_remove_invalid_no_args() {
    fails(&call("secret-remove", &[]), 2, "missing secret URI");
}

/// juju/juju internal/worker/uniter/runner/jujuc/secret-remove_test.go, TestRemoveSecretInvalidArgs: "foo"
#[test]
fn conformance_secret_remove_invalid_uri() {
    fails(&call("secret-remove", &["foo"]), 2, "secret URI \"foo\" not valid");
}

/// juju/juju internal/worker/uniter/runner/jujuc/secret-remove_test.go, TestRemoveSecret: "secret:9m4e2mr0ui3e8a215n4g"
#[test]
fn conformance_secret_remove() {
    let mut st = state();
    ok(&call_in(&mut st, &Event::UpdateStatus, "secret-remove", &[URI]), "");
    assert!(st.secret(ID).is_none());
}

/// juju/juju internal/worker/uniter/runner/jujuc/secret-remove_test.go, TestRemoveSecretRevision: "--revision 666"
#[test]
fn conformance_secret_remove_revision() {
    let mut st = state();
    let s = st.secrets.last_mut().unwrap();
    s.revisions.insert(0, Revision { revision: 665, content: bag(&[("old", "x")]) });
    ok(&call_in(&mut st, &Event::UpdateStatus, "secret-remove", &[URI, "--revision", "666"]), "");
    let revs: Vec<u64> = st.secret(ID).unwrap().revisions.iter().map(|r| r.revision).collect();
    assert_eq!(revs, [665]);
}

/// juju/juju internal/worker/uniter/runner/jujuc/secret-grant_test.go, TestGrantSecretInvalidArgs: "no arguments"
#[test]
fn conformance_secret_grant_invalid_no_args() {
    fails(&call_in(&mut state(), &db1(), "secret-grant", &[]), 2, "missing secret URI");
}

/// juju/juju internal/worker/uniter/runner/jujuc/secret-grant_test.go, TestGrantSecretInvalidArgs: "foo"
#[test]
fn conformance_secret_grant_invalid_uri() {
    fails(
        &call_in(&mut state(), &db1(), "secret-grant", &["foo"]),
        2,
        "secret URI \"foo\" not valid",
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/secret-grant_test.go, TestGrantSecretInvalidArgs: "secret:9m4e2mr0ui3e8a215n4g --unit foo"
#[test]
fn conformance_secret_grant_invalid_unit() {
    fails(
        &call_in(
            &mut state(),
            &db1(),
            "secret-grant",
            &["secret:9m4e2mr0ui3e8a215n4g", "--unit", "foo"],
        ),
        2,
        "unit \"foo\" not valid",
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/secret-grant_test.go, TestGrantSecretInvalidArgs: "secret:9m4e2mr0ui3e8a215n4g --relation foo"
#[test]
fn conformance_secret_grant_invalid_relation() {
    fails(
        &call_in(
            &mut state(),
            &db1(),
            "secret-grant",
            &["secret:9m4e2mr0ui3e8a215n4g", "--relation", "foo"],
        ),
        2,
        "invalid value \"foo\" for option --relation: invalid relation id",
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/secret-grant_test.go, TestGrantSecretInvalidArgs: "secret:9m4e2mr0ui3e8a215n4g --relation -666"
#[test]
fn conformance_secret_grant_invalid_relation_not_found() {
    fails(
        &call_in(
            &mut state(),
            &db1(),
            "secret-grant",
            &["secret:9m4e2mr0ui3e8a215n4g", "--relation", "-666"],
        ),
        2,
        "invalid value \"-666\" for option --relation: relation not found",
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/secret-grant_test.go, TestGrantSecret: "--relation db:1"
#[test]
fn conformance_secret_grant() {
    let mut st = state();
    ok(&call_in(&mut st, &db1(), "secret-grant", &[URI, "--relation", "db:1"]), "");
    assert_eq!(st.secret(ID).unwrap().grants[&1], ["mediawiki"]);
}

/// juju/juju internal/worker/uniter/runner/jujuc/secret-grant_test.go, TestGrantSecretUnit: "--relation db:1 --unit mediawiki/0"
#[test]
fn conformance_secret_grant_unit() {
    let mut st = state();
    ok(
        &call_in(
            &mut st,
            &db1(),
            "secret-grant",
            &[URI, "--relation", "db:1", "--unit", "mediawiki/0"],
        ),
        "",
    );
    assert_eq!(st.secret(ID).unwrap().grants[&1], ["mediawiki/0"]);
}

/// juju/juju internal/worker/uniter/runner/jujuc/secret-grant_test.go, TestGrantSecretWrongUnit: "--relation db:1 --unit foo/0"
#[test]
fn conformance_secret_grant_wrong_unit() {
    let mut st = state();
    let o =
        call_in(&mut st, &db1(), "secret-grant", &[URI, "--relation", "db:1", "--unit", "foo/0"]);
    fails(&o, 2, "cannot specify unit \"foo/0\" in relation to application \"mediawiki\"");
    assert!(st.secret(ID).unwrap().grants.is_empty());
}

/// juju/juju internal/worker/uniter/runner/jujuc/secret-revoke_test.go, TestRevokeSecretInvalidArgs: "no arguments"
#[test]
fn conformance_secret_revoke_invalid_no_args() {
    fails(&call("secret-revoke", &[]), 2, "missing secret URI");
}

/// juju/juju internal/worker/uniter/runner/jujuc/secret-revoke_test.go, TestRevokeSecretInvalidArgs: "secret:9m4e2mr0ui3e8a215n4g"
#[test]
fn conformance_secret_revoke_invalid_nothing_to_revoke() {
    fails(
        &call("secret-revoke", &["secret:9m4e2mr0ui3e8a215n4g"]),
        2,
        "missing relation or application or unit",
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/secret-revoke_test.go, TestRevokeSecretInvalidArgs: "secret:9m4e2mr0ui3e8a215n4g --app 0/foo"
#[test]
fn conformance_secret_revoke_invalid_app() {
    fails(
        &call("secret-revoke", &["secret:9m4e2mr0ui3e8a215n4g", "--app", "0/foo"]),
        2,
        "application \"0/foo\" not valid",
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/secret-revoke_test.go, TestRevokeSecretInvalidArgs: "secret:9m4e2mr0ui3e8a215n4g --app foo --unit foo/0"
#[test]
fn conformance_secret_revoke_invalid_app_and_unit() {
    fails(
        &call("secret-revoke", &["secret:9m4e2mr0ui3e8a215n4g", "--app", "foo", "--unit", "foo/0"]),
        2,
        "specify only one of application or unit",
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/secret-revoke_test.go, TestRevokeSecretInvalidArgs: "secret:9m4e2mr0ui3e8a215n4g --unit foo"
#[test]
fn conformance_secret_revoke_invalid_unit() {
    fails(
        &call("secret-revoke", &["secret:9m4e2mr0ui3e8a215n4g", "--unit", "foo"]),
        2,
        "unit \"foo\" not valid",
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/secret-revoke_test.go, TestRevokeSecretInvalidArgs: "secret:9m4e2mr0ui3e8a215n4g --relation -666"
#[test]
fn conformance_secret_revoke_invalid_relation_not_found() {
    fails(
        &call("secret-revoke", &["secret:9m4e2mr0ui3e8a215n4g", "--relation", "-666"]),
        2,
        "invalid value \"-666\" for option --relation: relation not found",
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/secret-revoke_test.go, TestRevokeSecretForApp: "--app mediawiki"
#[test]
fn conformance_secret_revoke_for_app() {
    let mut st = granted();
    ok(&call_in(&mut st, &Event::UpdateStatus, "secret-revoke", &[URI, "--app", "mediawiki"]), "");
    let grants = &st.secret(ID).unwrap().grants;
    assert_eq!((grants.len(), &grants[&0]), (1, &vec!["gitlab".to_string()]));
}

/// juju/juju internal/worker/uniter/runner/jujuc/secret-revoke_test.go, TestRevokeSecretForRelation: "--relation db:1 (the related application)"
#[test]
fn conformance_secret_revoke_for_relation() {
    let mut st = granted();
    ok(&call_in(&mut st, &db1(), "secret-revoke", &[URI, "--relation", "db:1"]), "");
    let grants = &st.secret(ID).unwrap().grants;
    assert_eq!((grants.len(), &grants[&0]), (1, &vec!["gitlab".to_string()]));
}

/// juju/juju internal/worker/uniter/runner/jujuc/secret-revoke_test.go, TestRevokeSecretForRelationUnit: "--relation db:1 --unit mediawiki/0"
#[test]
fn conformance_secret_revoke_for_relation_unit() {
    let mut st = granted();
    ok(
        &call_in(
            &mut st,
            &db1(),
            "secret-revoke",
            &[URI, "--relation", "db:1", "--unit", "mediawiki/0"],
        ),
        "",
    );
    let s = st.secret(ID).unwrap();
    assert!(!s.grants.values().flatten().any(|g| g.starts_with("mediawiki")), "{:?}", s.grants);
}

/// juju/juju internal/worker/uniter/runner/jujuc/secret-ids_test.go, TestSecretIds: "the owned secret"
#[test]
fn conformance_secret_ids() {
    ok(&call("secret-ids", &[]), "9m4e2mr0ui3e8a215n4g\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/secret-info-get_test.go, TestSecretGetInit: "no arguments"
#[test]
fn conformance_secret_info_get_init_no_args() {
    fails(&call("secret-info-get", &[]), 2, "require either a secret URI or label");
}

/// juju/juju internal/worker/uniter/runner/jujuc/secret-info-get_test.go, TestSecretGetInit: "URI and --label"
#[test]
fn conformance_secret_info_get_init_uri_and_label() {
    fails(
        &call("secret-info-get", &[URI, "--label", "foo"]),
        2,
        "specify either a secret URI or label but not both",
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/secret-info-get_test.go, TestSecretInfoGetURI: "by URI"
#[test]
fn conformance_secret_info_get_uri() {
    ok(
        &call("secret-info-get", &[URI]),
        "9m4e2mr0ui3e8a215n4g:\n  revision: 666\n  label: label\n  owner: application\n  description: description\n  rotation: hourly\n",
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/secret-info-get_test.go, TestSecretInfoGetByLabel: "by label"
#[test]
fn conformance_secret_info_get_by_label() {
    ok(
        &call("secret-info-get", &["--label", "label"]),
        "9m4e2mr0ui3e8a215n4g:\n  revision: 666\n  label: label\n  owner: application\n  description: description\n  rotation: hourly\n",
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/secret-info-get_test.go, TestSecretInfoGetFailedNotFound: "secret:cd88u16ffbaql5kgmlh0"
#[test]
fn conformance_secret_info_get_not_found() {
    fails(
        &call("secret-info-get", &["secret:cd88u16ffbaql5kgmlh0"]),
        1,
        "secret \"cd88u16ffbaql5kgmlh0\" not found",
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/secret-info-get_test.go, TestSecretInfoGetByLabelFailedNotFound: "--label not-found-label"
#[test]
fn conformance_secret_info_get_by_label_not_found() {
    fails(
        &call("secret-info-get", &["--label", "not-found-label"]),
        1,
        "secret \"not-found-label\" not found",
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/secret-info-get_test.go, TestSecretInfoGetWithGrants: "access: application-gitlab, view (the scope is the relation's, not the fake's literal relation-key)"
#[test]
fn conformance_secret_info_get_with_grants() {
    let mut st = state();
    st.secrets.last_mut().unwrap().grants.insert(0, vec!["gitlab".into()]);
    let o = call_in(&mut st, &Event::UpdateStatus, "secret-info-get", &[URI]);
    assert_eq!((o.code, o.err.as_str()), (0, ""));
    let (head, access) = o.out.split_once("  access:\n").unwrap();
    assert_eq!(
        head,
        "9m4e2mr0ui3e8a215n4g:\n  revision: 666\n  label: label\n  owner: application\n  description: description\n  rotation: hourly\n"
    );
    let lines: Vec<&str> = access.lines().collect();
    assert_eq!(lines.len(), 3, "{access}");
    assert_eq!(lines[0], "  - target: application-gitlab");
    assert!(lines[1].starts_with("    scope: relation-"), "{access}");
    assert_eq!(lines[2], "    role: view");
}
