//! The typed hook-tool client against a recording fake runner: the exact argv and stdin of every
//! call (the argv ops' `ops/hookcmds` builds), output parsing (`null` vs `[]`, missing keys),
//! exit-code checks, and the secret rules (no value on argv, 0600 files in a private directory
//! that is gone when the call returns).

#![allow(clippy::unwrap_used)]

mod common;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use common::{FakeRunner, strings};
use juju_charm::databag::Databag;
use juju_charm::rules::SecretUri;
use juju_charm::tools::{
    ActionValue, LogLevel, RevokeFrom, SecretAddOptions, SecretContent, SecretInfo, SecretOwner,
    SecretRead, SecretRef, SecretRotate, SecretSetOptions,
};
use juju_charm::{
    ErrorKind, HookToolError, HookTools, RelationId, Scope, SecretString, Status, ToolOutput,
};
use serde_json::json;

const SECRET: &str = "hunter22-very-secret";
const X: &str = "secret:cr1bm4s3vnv5q0u0ghcg";

fn rid(s: &str) -> RelationId {
    s.parse().unwrap()
}

fn content(pairs: &[(&str, &str)]) -> SecretContent {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), SecretString::new(*v))).collect()
}

fn bag(pairs: &[(&str, &str)]) -> Databag {
    pairs.iter().map(|(k, v)| (*k, *v)).collect()
}

fn uri(s: &str) -> SecretUri {
    s.parse().unwrap()
}

/// Answers `is-leader` with `leader`, and every other tool with exit 0 and no output.
fn leader_runner(leader: bool) -> FakeRunner {
    FakeRunner::new(move |tool, _, _| {
        let out = if tool == "is-leader" { leader.to_string() } else { String::new() };
        Ok(ToolOutput::ok(out))
    })
}

fn assert_parse_error<T: std::fmt::Debug>(r: Result<T, HookToolError>, tool: &str, hidden: &str) {
    let err = r.expect_err("should not parse");
    assert!(matches!(&err, HookToolError::Parse { tool: t, .. } if t == tool), "{err:?}");
    assert!(!err.to_string().contains(hidden), "error quotes the output: {err}");
    assert!(!format!("{err:?}").contains(hidden), "error quotes the output: {err:?}");
}

// ---------------------------------------------------------------------------------------------
// config-get, is-leader

#[test]
fn config_get() {
    let fake = FakeRunner::ok(r#"{"bcrypt-cost": 12, "ratio": 60, "name": "x"}"#);
    let config = HookTools::new(&fake).config_get().unwrap();
    assert_eq!(fake.only_call().argv(), strings(&["config-get", "--format=json"]));
    assert_eq!(config.get("bcrypt-cost"), Some(&json!(12)));
    assert_eq!(config.option::<f64>("ratio"), Ok(Some(60.0)));
    assert_eq!(config.get("unset"), None);
}

#[test]
fn config_get_refuses_anything_but_an_object() {
    for out in ["null", "[]", "\"x\"", "{", ""] {
        let fake = FakeRunner::ok(out);
        assert_parse_error(HookTools::new(&fake).config_get(), "config-get", "\u{0}");
    }
    let fake = FakeRunner::ok(&format!("[\"{SECRET}\"]"));
    assert_parse_error(HookTools::new(&fake).config_get(), "config-get", SECRET);
}

#[test]
fn is_leader() {
    for (out, want) in [("true\n", true), ("false\n", false)] {
        let fake = FakeRunner::ok(out);
        assert_eq!(HookTools::new(&fake).is_leader().unwrap(), want);
        assert_eq!(fake.only_call().argv(), strings(&["is-leader", "--format=json"]));
    }
    // The smart format's `True` is not JSON.
    assert_parse_error(HookTools::new(&FakeRunner::ok("True\n")).is_leader(), "is-leader", "True");
}

// ---------------------------------------------------------------------------------------------
// relation-*

#[test]
fn relation_ids() {
    let fake = FakeRunner::ok("[\"certificates:10\",\"certificates:2\"]\n");
    let ids = HookTools::new(&fake).relation_ids("certificates").unwrap();
    assert_eq!(
        fake.only_call().argv(),
        strings(&["relation-ids", "certificates", "--format=json"])
    );
    // Kept in Juju's (string) order.
    assert_eq!(ids, vec![rid("certificates:10"), rid("certificates:2")]);
    for empty in ["[]\n", "null\n"] {
        assert!(HookTools::new(&FakeRunner::ok(empty)).relation_ids("x").unwrap().is_empty());
    }
    for bad in ["[\"7\"]", "[\"db:x\"]", "{}", "[1]"] {
        assert_parse_error(
            HookTools::new(&FakeRunner::ok(bad)).relation_ids("db"),
            "relation-ids",
            bad,
        );
    }
}

#[test]
fn relation_list() {
    let fake = FakeRunner::ok("[\"mysql/0\",\"mysql/1\"]\n");
    let units = HookTools::new(&fake).relation_list(&rid("object-storage:3")).unwrap();
    assert_eq!(
        fake.only_call().argv(),
        strings(&["relation-list", "--format=json", "-r", "object-storage:3"])
    );
    assert_eq!(units, strings(&["mysql/0", "mysql/1"]));
    for empty in ["[]", "null"] {
        let fake = FakeRunner::ok(empty);
        assert!(HookTools::new(&fake).relation_list(&rid("db:1")).unwrap().is_empty());
    }
}

#[test]
fn relation_list_app() {
    let fake = FakeRunner::ok("\"mysql\"\n");
    let app = HookTools::new(&fake).relation_list_app(&rid("db:1")).unwrap();
    assert_eq!(
        fake.only_call().argv(),
        strings(&["relation-list", "--format=json", "-r", "db:1", "--app"])
    );
    assert_eq!(app.as_deref(), Some("mysql"));
    for none in ["null", "\"\""] {
        let fake = FakeRunner::ok(none);
        assert_eq!(HookTools::new(&fake).relation_list_app(&rid("db:1")).unwrap(), None);
    }
}

#[test]
fn relation_get() {
    let fake = FakeRunner::ok(r#"{"ca": "pem", "private-address": "10.0.0.1"}"#);
    let unit = HookTools::new(&fake).relation_get(&rid("db:7"), Scope::Unit, "mysql/0").unwrap();
    assert_eq!(
        fake.only_call().argv(),
        strings(&["relation-get", "--format=json", "-r", "db:7", "-", "mysql/0"])
    );
    assert_eq!(unit, bag(&[("ca", "pem"), ("private-address", "10.0.0.1")]));

    let fake = FakeRunner::ok("{}");
    let app = HookTools::new(&fake).relation_get(&rid("db:7"), Scope::App, "mysql").unwrap();
    assert_eq!(
        fake.only_call().argv(),
        strings(&["relation-get", "--format=json", "-r", "db:7", "--app", "-", "mysql"])
    );
    assert!(app.is_empty());

    let fake = FakeRunner::ok("null");
    assert!(HookTools::new(&fake).relation_get(&rid("db:7"), Scope::App, "x").unwrap().is_empty());

    // All values are strings in a databag.
    let bad = format!(r#"{{"k": 1, "p": "{SECRET}"}}"#);
    let fake = FakeRunner::ok(&bad);
    assert_parse_error(
        HookTools::new(&fake).relation_get(&rid("db:7"), Scope::Unit, "x"),
        "relation-get",
        SECRET,
    );
}

#[test]
fn relation_set_sends_json_on_stdin() {
    let data = bag(&[("ca", SECRET), ("gone", ""), ("k", "v=w")]);
    let fake = FakeRunner::ok("");
    HookTools::new(&fake).relation_set(&rid("certificates:4"), Scope::Unit, &data).unwrap();
    let call = fake.only_call();
    assert_eq!(call.argv(), strings(&["relation-set", "-r", "certificates:4", "--file", "-"]));
    let stdin: BTreeMap<String, String> = serde_json::from_slice(&call.stdin.unwrap()).unwrap();
    assert_eq!(&stdin, data.as_map());

    let fake = leader_runner(true);
    HookTools::new(&fake).relation_set(&rid("certificates:4"), Scope::App, &data).unwrap();
    assert_eq!(
        fake.argvs(),
        vec![
            strings(&["is-leader", "--format=json"]),
            strings(&["relation-set", "-r", "certificates:4", "--app", "--file", "-"]),
        ]
    );
}

#[test]
fn relation_set_of_the_app_bag_is_refused_to_a_follower() {
    let fake = leader_runner(false);
    let tools = HookTools::new(&fake);
    let err = tools.relation_set(&rid("db:1"), Scope::App, &bag(&[("a", "b")])).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotLeader);
    assert_eq!(
        err.to_string(),
        "relation-set: only the leader unit may write the application's relation data"
    );
    // Its own unit's bag is fine.
    tools.relation_set(&rid("db:1"), Scope::Unit, &bag(&[("a", "b")])).unwrap();
    assert_eq!(fake.calls().len(), 2);
}

#[test]
fn relation_set_skips_empty_data() {
    let fake = FakeRunner::ok("");
    HookTools::new(&fake).relation_set(&rid("db:1"), Scope::App, &Databag::new()).unwrap();
    assert!(fake.calls().is_empty());
}

// ---------------------------------------------------------------------------------------------
// secret-add, secret-set: values in private files, never on argv

/// What a `key#file=` file looked like while the tool ran.
#[derive(Debug)]
struct SeenFile {
    key: String,
    path: PathBuf,
    content: String,
    file_mode: u32,
    dir_mode: u32,
}

/// A runner that inspects every `key#file=` parameter while the call runs, then answers `out`.
fn inspecting_runner(out: ToolOutput) -> (FakeRunner, Rc<RefCell<Vec<SeenFile>>>) {
    let seen = Rc::new(RefCell::new(Vec::new()));
    let record = Rc::clone(&seen);
    let fake = FakeRunner::new(move |_, args, _| {
        for arg in args {
            if let Some((key, path)) = arg.split_once("#file=") {
                let path = PathBuf::from(path);
                let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
                record.borrow_mut().push(SeenFile {
                    key: key.to_owned(),
                    content: std::fs::read_to_string(&path).unwrap(),
                    file_mode: mode(&path),
                    dir_mode: mode(path.parent().unwrap()),
                    path,
                });
            }
        }
        Ok(out.clone())
    });
    (fake, seen)
}

fn assert_private_files_gone(seen: &[SeenFile], expected: &[(&str, &str)]) {
    assert_eq!(seen.len(), expected.len(), "{seen:?}");
    for (file, (key, value)) in seen.iter().zip(expected) {
        assert_eq!(file.key, *key);
        assert!(file.path.is_absolute(), "{:?}", file.path);
        assert!(file.path.starts_with(std::path::absolute(std::env::temp_dir()).unwrap()));
        assert_eq!(file.content, *value);
        assert_eq!(file.file_mode, 0o600, "{:?}", file.path);
        assert_eq!(file.dir_mode, 0o700, "{:?}", file.path);
        assert!(!file.path.exists(), "file left behind: {:?}", file.path);
        assert!(!file.path.parent().unwrap().exists(), "directory left behind");
    }
    // One private directory per call.
    let dirs: std::collections::BTreeSet<_> = seen.iter().map(|f| f.path.parent()).collect();
    assert_eq!(dirs.len(), 1);
}

fn assert_no_value_on_argv(fake: &FakeRunner, values: &[&str]) {
    for call in fake.calls() {
        for arg in call.argv() {
            for v in values {
                assert!(!arg.contains(v), "secret value on argv: {arg:?}");
            }
        }
        assert_eq!(call.stdin, None);
    }
}

#[test]
fn secret_add_with_every_option() {
    let (fake, seen) = inspecting_runner(ToolOutput::ok("secret:cr1bm4s3vnv5q0u0ghcg\n"));
    let values = [("ca-cert", "-----BEGIN CERTIFICATE-----\n"), ("ca-key", SECRET)];
    let opts = SecretAddOptions {
        label: Some("ca".into()),
        description: Some("the CA".into()),
        owner: SecretOwner::Unit,
        expire: Some("24h".into()),
        rotate: Some(SecretRotate::Monthly),
    };
    let uri = HookTools::new(&fake).secret_add(&content(&values), &opts).unwrap();
    assert_eq!(uri.to_string(), "secret:cr1bm4s3vnv5q0u0ghcg");

    let seen = seen.borrow();
    let call = fake.only_call();
    let argv = call.argv();
    assert_eq!(
        argv[..11],
        strings(&[
            "secret-add",
            "--label",
            "ca",
            "--description",
            "the CA",
            "--expire",
            "24h",
            "--rotate",
            "monthly",
            "--owner",
            "unit",
        ])
    );
    let file_args = &argv[11..];
    assert_eq!(file_args.len(), 2);
    for (arg, file) in file_args.iter().zip(seen.iter()) {
        assert_eq!(*arg, format!("{}#file={}", file.key, file.path.display()));
    }
    assert_private_files_gone(&seen, &values);
    assert_no_value_on_argv(&fake, &[SECRET, "BEGIN CERTIFICATE"]);
}

#[test]
fn secret_add_defaults_to_application_owner() {
    let (fake, seen) = inspecting_runner(ToolOutput::ok(
        "secret://8f4e7b2a-0000-4000-8000-000000000000/cr1bm4s3vnv5q0u0ghcg",
    ));
    let uri = HookTools::new(&fake)
        .secret_add(&content(&[("password", SECRET)]), &SecretAddOptions::default())
        .unwrap();
    assert_eq!(
        uri.to_string(),
        "secret://8f4e7b2a-0000-4000-8000-000000000000/cr1bm4s3vnv5q0u0ghcg"
    );
    let argv = fake.only_call().argv();
    assert_eq!(argv[..3], strings(&["secret-add", "--owner", "application"]));
    assert!(argv[3].starts_with("password#file=/"), "{argv:?}");
    assert_eq!(argv.len(), 4);
    assert_private_files_gone(&seen.borrow(), &[("password", SECRET)]);
    assert_no_value_on_argv(&fake, &[SECRET]);
}

#[test]
fn secret_add_removes_files_when_the_tool_fails() {
    let (fake, seen) =
        inspecting_runner(ToolOutput::fail(1, "ERROR this unit is not the leader\n"));
    let err = HookTools::new(&fake)
        .secret_add(&content(&[("password", SECRET)]), &SecretAddOptions::default())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotLeader);
    assert!(!err.to_string().contains(SECRET));
    assert_private_files_gone(&seen.borrow(), &[("password", SECRET)]);
}

#[test]
fn secret_add_removes_files_when_the_tool_cannot_start() {
    let seen = Rc::new(RefCell::new(Vec::new()));
    let record = Rc::clone(&seen);
    let fake = FakeRunner::new(move |_, args, _| {
        record.borrow_mut().extend(
            args.iter().filter_map(|a| a.split_once("#file=")).map(|(_, p)| PathBuf::from(p)),
        );
        Err(io::Error::new(io::ErrorKind::NotFound, "no such tool"))
    });
    let err = HookTools::new(&fake)
        .secret_add(&content(&[("password", SECRET)]), &SecretAddOptions::default())
        .unwrap_err();
    assert!(matches!(err, HookToolError::Spawn { ref tool, .. } if tool == "secret-add"));
    let seen = seen.borrow();
    assert_eq!(seen.len(), 1);
    assert!(!seen[0].exists() && !seen[0].parent().unwrap().exists());
}

#[test]
fn secret_add_checks_content_before_running() {
    let fake = FakeRunner::ok("secret:x");
    let tools = HookTools::new(&fake);
    let opts = SecretAddOptions::default();
    for bad in [
        content(&[]),
        content(&[("ab", SECRET)]),
        content(&[("Key", SECRET)]),
        content(&[("ca_key", SECRET)]),
        content(&[("ok-key", "v"), ("bad-", SECRET)]),
    ] {
        let err = tools.secret_add(&bad, &opts).unwrap_err();
        assert!(matches!(err, HookToolError::Invalid { .. }), "{err:?}");
        assert!(!err.to_string().contains(SECRET));
    }
    assert!(fake.calls().is_empty());
}

#[test]
fn secret_add_refuses_empty_output() {
    let fake = FakeRunner::ok("\n");
    let r =
        HookTools::new(&fake).secret_add(&content(&[("abc", "v")]), &SecretAddOptions::default());
    assert_parse_error(r, "secret-add", "\u{0}");
}

#[test]
fn secret_set_with_content_and_options() {
    let (fake, seen) = inspecting_runner(ToolOutput::ok(""));
    let opts = SecretSetOptions {
        label: Some("ca".into()),
        description: Some("d".into()),
        expire: Some("2030-01-01T00:00:00Z".into()),
        rotate: Some(SecretRotate::Never),
    };
    let values = [("ca-key", SECRET), ("serial", "7")];
    HookTools::new(&fake)
        .secret_set(&uri("secret:cr1bm4s3vnv5q0u0ghcg"), Some(&content(&values)), &opts)
        .unwrap();
    let argv = fake.only_call().argv();
    assert_eq!(
        argv[..10],
        strings(&[
            "secret-set",
            "secret:cr1bm4s3vnv5q0u0ghcg",
            "--label",
            "ca",
            "--description",
            "d",
            "--expire",
            "2030-01-01T00:00:00Z",
            "--rotate",
            "never",
        ])
    );
    assert_eq!(argv.len(), 12);
    assert!(argv[10].starts_with("ca-key#file=/") && argv[11].starts_with("serial#file=/"));
    assert!(!argv.iter().any(|a| a == "--owner"));
    assert_private_files_gone(&seen.borrow(), &values);
    assert_no_value_on_argv(&fake, &[SECRET]);
}

#[test]
fn secret_set_metadata_only() {
    let fake = FakeRunner::ok("");
    let opts = SecretSetOptions { label: Some("ca".into()), ..Default::default() };
    HookTools::new(&fake).secret_set(&uri("secret:cr1bm4s3vnv5q0u0ghcg"), None, &opts).unwrap();
    assert_eq!(
        fake.only_call().argv(),
        strings(&["secret-set", "secret:cr1bm4s3vnv5q0u0ghcg", "--label", "ca"])
    );
}

#[test]
fn secret_set_checks_content_before_running() {
    let fake = FakeRunner::ok("");
    let tools = HookTools::new(&fake);
    for bad in [content(&[]), content(&[("a-", SECRET)])] {
        let err = tools
            .secret_set(
                &uri("secret:cr1bm4s3vnv5q0u0ghcg"),
                Some(&bad),
                &SecretSetOptions::default(),
            )
            .unwrap_err();
        assert!(matches!(err, HookToolError::Invalid { ref tool, .. } if tool == "secret-set"));
    }
    assert!(fake.calls().is_empty());
}

// ---------------------------------------------------------------------------------------------
// secret-get, secret-info-get, secret-ids, secret-remove

#[test]
fn secret_get_argv() {
    let (abc, bare) = (uri("secret:cr1bm4s3vnv5q0u0ghcg"), uri("cr1bm4s3vnv5q0u0ghcg"));
    let x = "secret:cr1bm4s3vnv5q0u0ghcg";
    let cases: [(SecretRef<'_>, SecretRead, &[&str]); 6] = [
        (SecretRef::Uri(&abc), SecretRead::Tracked, &[x]),
        (SecretRef::Uri(&abc), SecretRead::Peek, &[x, "--peek"]),
        // A bare id is sent in its canonical form.
        (SecretRef::Uri(&bare), SecretRead::Refresh, &[x, "--refresh"]),
        (SecretRef::Label("ca"), SecretRead::Tracked, &["--label", "ca"]),
        (SecretRef::Label("ca"), SecretRead::Peek, &["--label", "ca", "--peek"]),
        (SecretRef::Label("ca"), SecretRead::Refresh, &["--label", "ca", "--refresh"]),
    ];
    for (secret, read, tail) in cases {
        let fake = FakeRunner::ok("{}");
        HookTools::new(&fake).secret_get(secret, read).unwrap();
        let mut want = strings(&["secret-get", "--format=json"]);
        want.extend(strings(tail));
        assert_eq!(fake.only_call().argv(), want);
    }
}

#[test]
fn secret_get_parses_into_secret_strings() {
    let fake = FakeRunner::ok(&format!("{{\"ca-key\": \"{SECRET}\", \"serial\": \"7\"}}\n"));
    let got = HookTools::new(&fake).secret_get(SecretRef::Label("ca"), SecretRead::Peek).unwrap();
    assert_eq!(got.len(), 2);
    assert_eq!(got["ca-key"].expose(), SECRET);
    assert_eq!(got["serial"].expose(), "7");
    assert!(!format!("{got:?}").contains(SECRET));
}

#[test]
fn secret_get_errors_never_quote_the_content() {
    for out in [
        format!("{{\"k\": \"{SECRET}\", \"n\": 5}}"),
        format!("{{\"n\": 5, \"k\": \"{SECRET}\"}}"),
        format!("\"{SECRET}\""),
        format!("[\"{SECRET}\"]"),
        format!("{{\"k\": \"{SECRET}"),
        "null".to_owned(),
    ] {
        let fake = FakeRunner::ok(&out);
        let r = HookTools::new(&fake).secret_get(SecretRef::Uri(&uri(X)), SecretRead::Tracked);
        assert_parse_error(r, "secret-get", SECRET);
    }
}

#[test]
fn secret_get_not_found() {
    let fake = FakeRunner::failing(1, "ERROR secret \"x\" not found\n");
    let err =
        HookTools::new(&fake).secret_get(SecretRef::Label("x"), SecretRead::Tracked).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    match err {
        HookToolError::Failed { tool, code, stderr } => {
            assert_eq!((tool.as_str(), code), ("secret-get", Some(1)));
            assert_eq!(stderr, "ERROR secret \"x\" not found\n");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn secret_info_get() {
    let out = r#"{"cr1bm4s3vnv5q0u0ghcg": {"revision": 3, "label": "ca", "owner": "application",
        "description": "the CA", "rotation": "monthly", "expiry": "2030-01-01T00:00:00Z",
        "rotates": "2026-02-01T00:00:00Z",
        "access": [{"target": "application-x", "scope": "relation-1", "role": "view"}]}}"#;
    let fake = FakeRunner::ok(out);
    let info = HookTools::new(&fake)
        .secret_info_get(SecretRef::Uri(&uri("secret:cr1bm4s3vnv5q0u0ghcg")))
        .unwrap();
    assert_eq!(
        fake.only_call().argv(),
        strings(&["secret-info-get", "--format=json", "secret:cr1bm4s3vnv5q0u0ghcg"])
    );
    assert_eq!(info.uri, uri("cr1bm4s3vnv5q0u0ghcg"));
    assert_eq!((info.revision, info.label.as_deref()), (3, Some("ca")));
    assert_eq!(info.owner, SecretOwner::Application);
    assert_eq!(info.description.as_deref(), Some("the CA"));
    assert_eq!(info.rotation.as_deref(), Some("monthly"));
    assert_eq!(info.expiry.as_deref(), Some("2030-01-01T00:00:00Z"));
    assert_eq!(info.rotates.as_deref(), Some("2026-02-01T00:00:00Z"));
}

#[test]
fn secret_info_get_minimal_by_label() {
    let fake = FakeRunner::ok(r#"{"cr1bm4s3vnv5q0u0ghcg": {"revision": 1, "owner": "unit"}}"#);
    let info = HookTools::new(&fake).secret_info_get(SecretRef::Label("ca")).unwrap();
    assert_eq!(
        fake.only_call().argv(),
        strings(&["secret-info-get", "--format=json", "--label", "ca"])
    );
    let SecretInfo {
        uri: id, revision, label, owner, description, rotation, expiry, rotates, ..
    } = info;
    assert_eq!((id, revision, owner), (uri(X), 1, SecretOwner::Unit));
    assert!([label, description, rotation, expiry, rotates].iter().all(Option::is_none));
}

#[test]
fn secret_info_get_wants_exactly_one_secret() {
    for out in [
        "{}",
        "null",
        r#"{"cr1bm4s3vnv5q0u0ghcg": {"revision": 1, "owner": "unit"},
            "cr2cm4s3vnv5q0u0ghcg": {"revision": 2, "owner": "unit"}}"#,
        r#"{"cr1bm4s3vnv5q0u0ghcg": {"owner": "unit"}}"#,
        r#"{"cr1bm4s3vnv5q0u0ghcg": {"revision": "1", "owner": "unit"}}"#,
        r#"{"cr1bm4s3vnv5q0u0ghcg": {"revision": 1, "owner": "model"}}"#,
        r#"{"not-an-id": {"revision": 1, "owner": "unit"}}"#,
    ] {
        let fake = FakeRunner::ok(out);
        assert_parse_error(
            HookTools::new(&fake).secret_info_get(SecretRef::Uri(&uri(X))),
            "secret-info-get",
            "\u{0}",
        );
    }
}

#[test]
fn secret_ids() {
    let fake = FakeRunner::ok("[\"cr1bm4s3vnv5q0u0ghcg\",\"secret:cr2cm4s3vnv5q0u0ghcg\"]\n");
    let ids = HookTools::new(&fake).secret_ids().unwrap();
    assert_eq!(ids, [uri("cr1bm4s3vnv5q0u0ghcg"), uri("cr2cm4s3vnv5q0u0ghcg")]);
    assert_eq!(fake.only_call().argv(), strings(&["secret-ids", "--format=json"]));
    for empty in ["null\n", "[]"] {
        assert!(HookTools::new(&FakeRunner::ok(empty)).secret_ids().unwrap().is_empty());
    }
}

#[test]
fn secret_remove() {
    let fake = FakeRunner::ok("");
    let tools = HookTools::new(&fake);
    tools.secret_remove(&uri(X), None).unwrap();
    tools.secret_remove(&uri(X), Some(3)).unwrap();
    assert_eq!(
        fake.argvs(),
        vec![strings(&["secret-remove", X]), strings(&["secret-remove", X, "--revision", "3"]),]
    );
}

// ---------------------------------------------------------------------------------------------
// status-set, juju-log, resource-get

#[test]
fn status_set() {
    let fake = leader_runner(true);
    let tools = HookTools::new(&fake);
    tools.status_set(Scope::Unit, &Status::active("")).unwrap();
    tools.status_set(Scope::App, &Status::blocked("-leading dash")).unwrap();
    tools.status_set(Scope::Unit, &Status::maintenance("m")).unwrap();
    tools.status_set(Scope::App, &Status::waiting("w")).unwrap();
    assert_eq!(
        fake.argvs(),
        vec![
            strings(&["status-set", "--application=False", "active", "--", ""]),
            strings(&["is-leader", "--format=json"]),
            strings(&["status-set", "--application=True", "blocked", "--", "-leading dash"]),
            strings(&["status-set", "--application=False", "maintenance", "--", "m"]),
            strings(&["status-set", "--application=True", "waiting", "--", "w"]),
        ]
    );
}

#[test]
fn status_set_not_leader() {
    // Refused before the tool runs: asked once, remembered.
    let fake = leader_runner(false);
    let tools = HookTools::new(&fake);
    for _ in 0..2 {
        let err = tools.status_set(Scope::App, &Status::active("")).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotLeader);
        assert_eq!(
            err.to_string(),
            "status-set: only the leader unit may set the application's status"
        );
    }
    assert_eq!(fake.argvs(), vec![strings(&["is-leader", "--format=json"])]);
    // And Juju's own refusal is classified the same.
    let fake = FakeRunner::failing(1, "ERROR this unit is not the leader\n");
    let err = HookTools::new(&fake).status_set(Scope::Unit, &Status::active("")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotLeader);
}

#[test]
fn juju_log() {
    let fake = FakeRunner::ok("");
    let tools = HookTools::new(&fake);
    for level in [
        LogLevel::Trace,
        LogLevel::Debug,
        LogLevel::Info,
        LogLevel::Warning,
        LogLevel::Error,
        LogLevel::Critical,
    ] {
        tools.juju_log(level, "-m").unwrap();
    }
    let levels: Vec<_> = fake.argvs().into_iter().map(|a| a[2].clone()).collect();
    assert_eq!(levels, strings(&["TRACE", "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]));
    assert_eq!(fake.argvs()[0], strings(&["juju-log", "--log-level", "TRACE", "--", "-m"]));
}

#[test]
fn juju_log_splits_long_messages() {
    let fake = FakeRunner::ok("");
    let message = format!("{}{}", "a".repeat(131_071), "bc");
    HookTools::new(&fake).juju_log(LogLevel::Info, &message).unwrap();
    let argvs = fake.argvs();
    assert_eq!(argvs.len(), 2);
    assert_eq!(argvs[0][..4], strings(&["juju-log", "--log-level", "INFO", "--"]));
    assert_eq!(argvs[0][4].len(), 131_071);
    assert_eq!(argvs[1], strings(&["juju-log", "--log-level", "INFO", "--", "bc"]));
}

#[test]
fn resource_get() {
    for out in
        ["/var/lib/juju/resources/ckf/bundle.zip", "/var/lib/juju/resources/ckf/bundle.zip\n"]
    {
        let fake = FakeRunner::ok(out);
        let path = HookTools::new(&fake).resource_get("bundle").unwrap();
        assert_eq!(fake.only_call().argv(), strings(&["resource-get", "bundle"]));
        assert_eq!(path, PathBuf::from("/var/lib/juju/resources/ckf/bundle.zip"));
    }
    assert_parse_error(
        HookTools::new(&FakeRunner::ok("")).resource_get("x"),
        "resource-get",
        "\u{0}",
    );
    let fake = FakeRunner::failing(1, "ERROR could not download resource: boom\n");
    let err = HookTools::new(&fake).resource_get("x").unwrap_err();
    assert!(matches!(err, HookToolError::Failed { code: Some(1), .. }));
}

// ---------------------------------------------------------------------------------------------
// action-*

#[test]
fn action_get() {
    let fake = FakeRunner::ok(r#"{"name": "x", "nested": {"n": 1}}"#);
    let params = HookTools::new(&fake).action_get().unwrap();
    assert_eq!(fake.only_call().argv(), strings(&["action-get", "--format=json"]));
    assert_eq!(params["nested"]["n"], json!(1));
    for empty in ["null", "{}"] {
        assert!(HookTools::new(&FakeRunner::ok(empty)).action_get().unwrap().is_empty());
    }
    assert_parse_error(HookTools::new(&FakeRunner::ok("[]")).action_get(), "action-get", "\u{0}");
}

#[test]
fn action_set_passes_key_value_arguments() {
    let fake = FakeRunner::ok("");
    let results: BTreeMap<String, ActionValue> = [
        ("username".to_owned(), ActionValue::from("admin")),
        ("password".to_owned(), ActionValue::from(SecretString::new(SECRET))),
        ("ca.cert".to_owned(), ActionValue::from("a=b")),
    ]
    .into_iter()
    .collect();
    HookTools::new(&fake).action_set(&results).unwrap();
    assert_eq!(
        fake.only_call().argv(),
        strings(&["action-set", "ca.cert=a=b", &format!("password={SECRET}"), "username=admin"])
    );
}

#[test]
fn action_set_checks_keys_before_running() {
    let fake = FakeRunner::ok("");
    let tools = HookTools::new(&fake);
    for key in
        ["stdout", "stderr", "stdout-encoding", "stderr-encoding", "Bad", "a..b", "-a", "a_b"]
    {
        let results: BTreeMap<String, ActionValue> =
            [("fine".to_owned(), ActionValue::from("1")), (key.to_owned(), ActionValue::from("2"))]
                .into_iter()
                .collect();
        let err = tools.action_set(&results).unwrap_err();
        assert!(
            matches!(err, HookToolError::Invalid { ref tool, .. } if tool == "action-set"),
            "{key}"
        );
    }
    tools.action_set(&BTreeMap::new()).unwrap();
    assert!(fake.calls().is_empty());
}

#[test]
fn action_fail_and_log() {
    let fake = FakeRunner::ok("");
    let tools = HookTools::new(&fake);
    tools.action_log("renewing 3 certificates").unwrap();
    tools.action_fail("-no CA yet").unwrap();
    assert_eq!(
        fake.argvs(),
        vec![
            strings(&["action-log", "--", "renewing 3 certificates"]),
            strings(&["action-fail", "--", "-no CA yet"]),
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// Exit codes and spawn errors, for every tool

/// One call of every typed method, with arguments that pass the local checks.
fn call_every_tool(tools: HookTools<'_>) -> Vec<(&'static str, Result<(), HookToolError>)> {
    let id = rid("db:1");
    let x = uri(X);
    let unit_owned = SecretAddOptions { owner: SecretOwner::Unit, ..Default::default() };
    let c = content(&[("abc", "v")]);
    let results: BTreeMap<String, ActionValue> =
        [("k".to_owned(), "v".into())].into_iter().collect();
    vec![
        ("config-get", tools.config_get().map(drop)),
        ("is-leader", tools.is_leader().map(drop)),
        ("relation-ids", tools.relation_ids("db").map(drop)),
        ("relation-list", tools.relation_list(&id).map(drop)),
        ("relation-list", tools.relation_list_app(&id).map(drop)),
        ("relation-get", tools.relation_get(&id, Scope::Unit, "u/0").map(drop)),
        ("relation-set", tools.relation_set(&id, Scope::Unit, &bag(&[("k", "v")]))),
        ("relation-model-get", tools.relation_model_get(&id).map(drop)),
        ("secret-add", tools.secret_add(&c, &unit_owned).map(drop)),
        ("secret-get", tools.secret_get(SecretRef::Uri(&x), SecretRead::Tracked).map(drop)),
        ("secret-set", tools.secret_set(&x, Some(&c), &SecretSetOptions::default())),
        ("secret-info-get", tools.secret_info_get(SecretRef::Uri(&x)).map(drop)),
        ("secret-ids", tools.secret_ids().map(drop)),
        ("secret-remove", tools.secret_remove(&x, None)),
        ("secret-grant", tools.secret_grant(&x, &id, None)),
        ("secret-revoke", tools.secret_revoke(&x, RevokeFrom::App("other"))),
        ("status-set", tools.status_set(Scope::Unit, &Status::active(""))),
        ("status-get", tools.status_get().map(drop)),
        ("application-version-set", tools.application_version_set("1.0")),
        ("juju-log", tools.juju_log(LogLevel::Info, "m")),
        ("resource-get", tools.resource_get("r").map(drop)),
        ("action-get", tools.action_get().map(drop)),
        ("action-set", tools.action_set(&results)),
        ("action-fail", tools.action_fail("m")),
        ("action-log", tools.action_log("m")),
    ]
}

#[test]
fn every_tool_checks_the_exit_code() {
    for code in [Some(1), Some(2), None] {
        let fake = FakeRunner::new(move |_, _, _| {
            Ok(ToolOutput { code, stdout: b"{}".to_vec(), stderr: b"ERROR boom\xff\n".to_vec() })
        });
        for (tool, result) in call_every_tool(HookTools::new(&fake)) {
            match result {
                Err(HookToolError::Failed { tool: t, code: c, stderr }) => {
                    assert_eq!((t.as_str(), c), (tool, code));
                    assert_eq!(stderr, "ERROR boom\u{fffd}\n");
                }
                other => panic!("{tool}: {other:?}"),
            }
        }
        assert_eq!(fake.calls().len(), 25);
    }
}

#[test]
fn every_tool_reports_spawn_errors() {
    let fake = FakeRunner::new(|_, _, _| Err(io::Error::new(io::ErrorKind::NotFound, "gone")));
    for (tool, result) in call_every_tool(HookTools::new(&fake)) {
        match result {
            Err(e @ HookToolError::Spawn { .. }) => {
                assert_eq!(e.tool(), tool);
                assert_eq!(e.kind(), ErrorKind::Other);
            }
            other => panic!("{tool}: {other:?}"),
        }
    }
}

#[test]
fn relation_not_found_is_not_found() {
    let fake =
        FakeRunner::failing(2, "ERROR invalid value \"db:99\" for option -r: relation not found\n");
    let err = HookTools::new(&fake).relation_get(&rid("db:99"), Scope::Unit, "u/0").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    let fake = FakeRunner::failing(1, "ERROR permission denied (unauthorized access)\n");
    let err = HookTools::new(&fake).relation_get(&rid("db:1"), Scope::App, "me").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PermissionDenied);
    let fake = FakeRunner::failing(1, "ERROR cannot write relation settings\n");
    let err = HookTools::new(&fake)
        .relation_set(&rid("db:1"), Scope::Unit, &bag(&[("a", "b")]))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotLeader);
}
