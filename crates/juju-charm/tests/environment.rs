//! `Environment::from_env` over hand-built environments shaped like Juju's (`HookVars` in juju/juju
//! `worker/uniter/runner/context/context.go`): every hook kind, actions with `JUJU_HOOK_NAME=""`,
//! present-but-empty variables, unknown hooks and missing required variables.

#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use juju_charm::rules::JujuVersion;

use juju_charm::environment::{
    Environment, EnvironmentError, Event, PebbleHook, RelationHook, RelationId, SecretHook,
    StorageHook,
};

/// What Juju sets for every hook, with the empty variables it sets on Kubernetes.
fn base(dispatch_path: &str, hook_name: &str) -> Vec<(String, String)> {
    [
        ("JUJU_DISPATCH_PATH", dispatch_path),
        ("JUJU_HOOK_NAME", hook_name),
        ("JUJU_UNIT_NAME", "hello/0"),
        ("JUJU_MODEL_NAME", "dev"),
        ("JUJU_MODEL_UUID", "8f4e7b2a-0000-4000-8000-000000000000"),
        ("JUJU_VERSION", "3.6.8"),
        ("JUJU_CHARM_DIR", "/var/lib/juju/agents/unit-hello-0/charm"),
        ("JUJU_CONTEXT_ID", "hello/0-install-1"),
        ("JUJU_MACHINE_ID", ""),
        ("JUJU_PRINCIPAL_UNIT", ""),
        ("JUJU_AVAILABILITY_ZONE", ""),
        ("JUJU_CHARM_HTTP_PROXY", ""),
        ("PATH", "/var/lib/juju/tools/unit-hello-0:/usr/bin"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect()
}

fn hook(name: &str, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut env = base(&format!("hooks/{name}"), name);
    env.extend(extra.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
    env
}

fn event(name: &str, extra: &[(&str, &str)]) -> Event {
    Environment::from_vars(hook(name, extra)).unwrap().event
}

fn error(env: Vec<(String, String)>) -> EnvironmentError {
    Environment::from_vars(env).unwrap_err()
}

fn without(mut env: Vec<(String, String)>, name: &str) -> Vec<(String, String)> {
    env.retain(|(k, _)| k != name);
    env
}

fn rid(s: &str) -> RelationId {
    s.parse().unwrap()
}

#[test]
fn common_fields() {
    let ctx = Environment::from_vars(hook("install", &[])).unwrap();
    assert_eq!(ctx.event, Event::Install);
    assert_eq!(ctx.dispatch_path, "hooks/install");
    assert_eq!(ctx.unit_name, "hello/0");
    assert_eq!(ctx.app_name, "hello");
    assert_eq!(ctx.model_name, "dev");
    assert_eq!(ctx.model_uuid, "8f4e7b2a-0000-4000-8000-000000000000");
    assert_eq!(ctx.juju_version, Some(JujuVersion::new(3, 6, 8)));
    assert_eq!(ctx.charm_dir, Some(PathBuf::from("/var/lib/juju/agents/unit-hello-0/charm")));
    assert_eq!(ctx.var("JUJU_CONTEXT_ID"), Some("hello/0-install-1"));
    assert_eq!(ctx.var("HOME"), None);
    assert!(!ctx.is_action());
}

#[test]
fn accepts_str_pairs_and_optional_vars() {
    let env = [
        ("JUJU_DISPATCH_PATH", "hooks/start"),
        ("JUJU_UNIT_NAME", "my-app/12"),
        ("JUJU_MODEL_NAME", "m"),
        ("JUJU_MODEL_UUID", "u"),
        ("JUJU_VERSION", ""),
    ];
    let ctx = Environment::from_vars(env).unwrap();
    assert_eq!((ctx.event, ctx.app_name.as_str()), (Event::Start, "my-app"));
    assert_eq!((ctx.juju_version, ctx.charm_dir), (None, None));
}

#[test]
fn required_always() {
    for name in ["JUJU_DISPATCH_PATH", "JUJU_UNIT_NAME", "JUJU_MODEL_NAME", "JUJU_MODEL_UUID"] {
        assert_eq!(error(without(hook("install", &[]), name)), EnvironmentError::Missing(name));
        // Present but empty is absent.
        let mut env = without(hook("install", &[]), name);
        env.push((name.to_owned(), String::new()));
        assert_eq!(error(env), EnvironmentError::Missing(name));
    }
}

#[test]
fn later_pairs_win() {
    let mut env = hook("install", &[]);
    env.push(("JUJU_DISPATCH_PATH".into(), "hooks/stop".into()));
    assert_eq!(Environment::from_vars(env).unwrap().event, Event::Stop);
}

#[test]
fn bad_unit_name() {
    for unit in ["hello", "/0", "hello/", "hello/x"] {
        let mut env = hook("install", &[]);
        env.push(("JUJU_UNIT_NAME".into(), unit.into()));
        assert!(
            matches!(error(env), EnvironmentError::Invalid { name: "JUJU_UNIT_NAME", .. }),
            "{unit}"
        );
    }
}

#[test]
fn unit_hooks() {
    let table = [
        ("install", Event::Install),
        ("start", Event::Start),
        ("config-changed", Event::ConfigChanged),
        ("upgrade-charm", Event::UpgradeCharm),
        ("stop", Event::Stop),
        ("remove", Event::Remove),
        ("update-status", Event::UpdateStatus),
        ("leader-elected", Event::LeaderElected),
        ("leader-settings-changed", Event::LeaderSettingsChanged),
        ("collect-metrics", Event::CollectMetrics),
        ("meter-status-changed", Event::MeterStatusChanged),
        ("pre-series-upgrade", Event::PreSeriesUpgrade),
        ("post-series-upgrade", Event::PostSeriesUpgrade),
    ];
    for (name, want) in table {
        assert_eq!(event(name, &[]), want, "{name}");
    }
}

#[test]
fn legacy_dispatch_path_without_directory() {
    let mut env = without(hook("install", &[]), "JUJU_DISPATCH_PATH");
    env.push(("JUJU_DISPATCH_PATH".into(), "config-changed".into()));
    assert_eq!(Environment::from_vars(env).unwrap().event, Event::ConfigChanged);
}

#[test]
fn bad_dispatch_paths() {
    for path in ["charm/install", "/hooks/install", "hooks/", "actions/", "hooks/a/b", "hooks//x"] {
        let mut env = without(hook("install", &[]), "JUJU_DISPATCH_PATH");
        env.push(("JUJU_DISPATCH_PATH".into(), path.into()));
        assert!(
            matches!(error(env), EnvironmentError::Invalid { name: "JUJU_DISPATCH_PATH", .. }),
            "{path}"
        );
    }
}

#[test]
fn unknown_hooks_are_data() {
    for name in
        ["leader-deposed", "custom-thing", "relation-changed", "-relation-changed", "pebble-ready"]
    {
        assert_eq!(event(name, &[]), Event::Unknown { name: name.into() }, "{name}");
    }
}

// ---------------------------------------------------------------------------------------------
// Actions

fn action(name: &str, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    // Juju sets JUJU_HOOK_NAME to "" for actions.
    let mut env = base(&format!("actions/{name}"), "");
    env.extend(extra.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
    env
}

#[test]
fn actions() {
    let env = action(
        "get-credentials",
        &[
            ("JUJU_ACTION_NAME", "get-credentials"),
            ("JUJU_ACTION_UUID", "42"),
            ("JUJU_ACTION_TAG", "action-42"),
        ],
    );
    let ctx = Environment::from_vars(env).unwrap();
    assert_eq!(ctx.event, Event::Action { name: "get-credentials".into(), uuid: "42".into() });
    assert!(ctx.is_action());
    assert_eq!(ctx.dispatch_path, "actions/get-credentials");
}

#[test]
fn action_name_falls_back_to_the_path() {
    let env = action("rotate-secret", &[("JUJU_ACTION_NAME", ""), ("JUJU_ACTION_UUID", "7")]);
    assert_eq!(
        Environment::from_vars(env).unwrap().event,
        Event::Action { name: "rotate-secret".into(), uuid: "7".into() }
    );
}

#[test]
fn action_needs_uuid() {
    for env in [
        action("x", &[("JUJU_ACTION_NAME", "x")]),
        action("x", &[("JUJU_ACTION_NAME", "x"), ("JUJU_ACTION_UUID", "")]),
    ] {
        assert_eq!(error(env), EnvironmentError::Missing("JUJU_ACTION_UUID"));
    }
}

// ---------------------------------------------------------------------------------------------
// Relations

fn relation_env(name: &str, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut env = hook(name, &[]);
    let mut all = vec![
        ("JUJU_RELATION", "object-storage"),
        ("JUJU_RELATION_ID", "object-storage:3"),
        ("JUJU_REMOTE_APP", "minio"),
        ("JUJU_REMOTE_UNIT", ""),
    ];
    all.extend_from_slice(extra);
    env.extend(all.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
    env
}

/// Hook suffix, kind, extra variables, expected remote unit, expected departing unit.
type RelationCase<'a> =
    (&'a str, RelationHook, &'a [(&'a str, &'a str)], Option<&'a str>, Option<&'a str>);

#[test]
fn relation_hooks() {
    let remote = [("JUJU_REMOTE_UNIT", "minio/1")];
    let departing = [("JUJU_REMOTE_UNIT", "minio/1"), ("JUJU_DEPARTING_UNIT", "minio/1")];
    let table: [RelationCase<'_>; 5] = [
        ("created", RelationHook::Created, &[], None, None),
        ("joined", RelationHook::Joined, &remote, Some("minio/1"), None),
        ("changed", RelationHook::Changed, &remote, Some("minio/1"), None),
        ("departed", RelationHook::Departed, &departing, Some("minio/1"), Some("minio/1")),
        ("broken", RelationHook::Broken, &[], None, None),
    ];
    for (suffix, hook, extra, remote_unit, departing_unit) in table {
        let name = format!("object-storage-relation-{suffix}");
        let got = Environment::from_vars(relation_env(&name, extra)).unwrap().event;
        assert_eq!(
            got,
            Event::Relation {
                hook,
                id: rid("object-storage:3"),
                remote_app: "minio".into(),
                remote_unit: remote_unit.map(Into::into),
                departing_unit: departing_unit.map(Into::into),
            },
            "{name}"
        );
    }
}

#[test]
fn relation_required_vars() {
    let remote = ("JUJU_REMOTE_UNIT", "minio/1");
    for name in ["JUJU_RELATION", "JUJU_RELATION_ID", "JUJU_REMOTE_APP"] {
        for suffix in ["created", "changed", "broken"] {
            let env = relation_env(&format!("object-storage-relation-{suffix}"), &[remote]);
            assert_eq!(error(without(env, name)), EnvironmentError::Missing(name), "{suffix}");
        }
    }
    // JUJU_REMOTE_UNIT is set but empty in joined/departed: still missing.
    for suffix in ["joined", "departed"] {
        let env = relation_env(
            &format!("object-storage-relation-{suffix}"),
            &[("JUJU_DEPARTING_UNIT", "minio/1")],
        );
        assert_eq!(error(env), EnvironmentError::Missing("JUJU_REMOTE_UNIT"), "{suffix}");
    }
    let env = relation_env("object-storage-relation-departed", &[remote]);
    assert_eq!(error(env), EnvironmentError::Missing("JUJU_DEPARTING_UNIT"));
}

/// Juju fires relation-changed with an empty JUJU_REMOTE_UNIT when the remote application's
/// databag changed; that hook must parse (with no remote unit), not fail forever.
#[test]
fn relation_changed_for_an_app_databag_has_no_remote_unit() {
    let env = relation_env("object-storage-relation-changed", &[]);
    let Event::Relation { remote_unit, remote_app, .. } =
        Environment::from_vars(env).unwrap().event
    else {
        panic!()
    };
    assert_eq!(remote_unit, None);
    assert!(!remote_app.is_empty());
}

#[test]
fn relation_id_without_endpoint_prefix() {
    let env = relation_env("object-storage-relation-created", &[("JUJU_RELATION_ID", "3")]);
    let Event::Relation { id, .. } = Environment::from_vars(env).unwrap().event else { panic!() };
    assert_eq!(id, RelationId { endpoint: "object-storage".into(), number: 3 });
}

#[test]
fn relation_id_must_match_the_endpoint() {
    for bad in ["certificates:3", "object-storage:x", "x", "object-storage:-1", ":3"] {
        let env = relation_env("object-storage-relation-created", &[("JUJU_RELATION_ID", bad)]);
        assert!(
            matches!(error(env), EnvironmentError::Invalid { name: "JUJU_RELATION_ID", .. }),
            "{bad}"
        );
    }
    let env = relation_env("object-storage-relation-created", &[("JUJU_RELATION", "certificates")]);
    assert!(matches!(error(env), EnvironmentError::Invalid { name: "JUJU_RELATION", .. }));
}

#[test]
fn endpoint_names_with_hyphens_and_keywords() {
    // An endpoint may itself contain "-relation", "-pebble" or "-storage".
    for endpoint in ["my-relation", "foo-pebble", "data-storage", "secret", "install"] {
        let name = format!("{endpoint}-relation-changed");
        let id = format!("{endpoint}:12");
        let env = relation_env(
            &name,
            &[("JUJU_RELATION", endpoint), ("JUJU_RELATION_ID", &id), ("JUJU_REMOTE_UNIT", "a/0")],
        );
        let Event::Relation { id, hook, .. } = Environment::from_vars(env).unwrap().event else {
            panic!("{name}")
        };
        assert_eq!((id.endpoint.as_str(), id.number, hook), (endpoint, 12, RelationHook::Changed));
    }
}

#[test]
fn relation_id_parsing() {
    assert_eq!(rid("a:b:7"), RelationId { endpoint: "a:b".into(), number: 7 });
    assert_eq!(rid("db:7").to_string(), "db:7");
    for bad in ["db", "db:", ":1", "db:+1", "db: 1", "db:1x", "db:99999999999999999999"] {
        assert!(bad.parse::<RelationId>().is_err(), "{bad}");
    }
}

// ---------------------------------------------------------------------------------------------
// Secrets

#[test]
fn secret_hooks() {
    let id = ("JUJU_SECRET_ID", "secret:cr1bm4s3vnv5q0u0ghcg");
    assert_eq!(
        event("secret-changed", &[id, ("JUJU_SECRET_LABEL", "ca"), ("JUJU_SECRET_REVISION", "")]),
        Event::Secret {
            hook: SecretHook::Changed,
            id: "secret:cr1bm4s3vnv5q0u0ghcg".parse().unwrap(),
            label: Some("ca".into()),
            revision: None,
        }
    );
    assert_eq!(
        event("secret-rotate", &[id, ("JUJU_SECRET_LABEL", "")]),
        Event::Secret {
            hook: SecretHook::Rotate,
            id: id.1.parse().unwrap(),
            label: None,
            revision: None
        }
    );
    for (name, which) in
        [("secret-remove", SecretHook::Remove), ("secret-expired", SecretHook::Expired)]
    {
        assert_eq!(
            event(name, &[id, ("JUJU_SECRET_LABEL", "ca"), ("JUJU_SECRET_REVISION", "3")]),
            Event::Secret {
                hook: which,
                id: id.1.parse().unwrap(),
                label: Some("ca".into()),
                revision: Some(3)
            }
        );
        assert_eq!(
            error(hook(name, &[id, ("JUJU_SECRET_REVISION", "")])),
            EnvironmentError::Missing("JUJU_SECRET_REVISION")
        );
    }
    assert_eq!(
        event("secret-rotate", &[id, ("JUJU_SECRET_REVISION", "2")]),
        Event::Secret {
            hook: SecretHook::Rotate,
            id: id.1.parse().unwrap(),
            label: None,
            revision: Some(2)
        }
    );
    for name in ["secret-changed", "secret-rotate", "secret-remove", "secret-expired"] {
        assert_eq!(
            error(hook(name, &[("JUJU_SECRET_ID", ""), ("JUJU_SECRET_REVISION", "1")])),
            EnvironmentError::Missing("JUJU_SECRET_ID")
        );
    }
    let bad = hook("secret-remove", &[id, ("JUJU_SECRET_REVISION", "three")]);
    assert!(matches!(error(bad), EnvironmentError::Invalid { name: "JUJU_SECRET_REVISION", .. }));
}

// ---------------------------------------------------------------------------------------------
// Storage and Pebble

#[test]
fn storage_hooks() {
    for (suffix, which) in
        [("attached", StorageHook::Attached), ("detaching", StorageHook::Detaching)]
    {
        let name = format!("data-storage-{suffix}");
        let extra = [
            ("JUJU_STORAGE_ID", "data/0"),
            ("JUJU_STORAGE_LOCATION", "/srv/data"),
            ("JUJU_STORAGE_KIND", "filesystem"),
        ];
        assert_eq!(
            event(&name, &extra),
            Event::Storage {
                hook: which,
                id: "data/0".into(),
                location: Some("/srv/data".into()),
                kind: Some("filesystem".into()),
            }
        );
        assert_eq!(
            event(&name, &[("JUJU_STORAGE_ID", "data/0"), ("JUJU_STORAGE_KIND", "")]),
            Event::Storage { hook: which, id: "data/0".into(), location: None, kind: None }
        );
        assert_eq!(error(hook(&name, &[])), EnvironmentError::Missing("JUJU_STORAGE_ID"));
    }
}

#[test]
fn pebble_hooks() {
    let w = ("JUJU_WORKLOAD_NAME", "web-app");
    let none = Event::Pebble {
        hook: PebbleHook::Ready,
        workload: "web-app".into(),
        notice_id: None,
        notice_type: None,
        notice_key: None,
        check_name: None,
    };
    assert_eq!(event("web-app-pebble-ready", &[w]), none);

    let notice = [
        w,
        ("JUJU_NOTICE_ID", "1"),
        ("JUJU_NOTICE_TYPE", "custom"),
        ("JUJU_NOTICE_KEY", "a.com/b"),
    ];
    assert_eq!(
        event("web-app-pebble-custom-notice", &notice),
        Event::Pebble {
            hook: PebbleHook::CustomNotice,
            workload: "web-app".into(),
            notice_id: Some("1".into()),
            notice_type: Some("custom".into()),
            notice_key: Some("a.com/b".into()),
            check_name: None,
        }
    );
    for missing in ["JUJU_NOTICE_ID", "JUJU_NOTICE_TYPE", "JUJU_NOTICE_KEY"] {
        let env = without(hook("web-app-pebble-custom-notice", &notice), missing);
        assert_eq!(error(env), EnvironmentError::Missing(missing));
    }

    for (suffix, hook_kind) in
        [("check-failed", PebbleHook::CheckFailed), ("check-recovered", PebbleHook::CheckRecovered)]
    {
        let name = format!("web-app-pebble-{suffix}");
        assert_eq!(
            event(&name, &[w, ("JUJU_PEBBLE_CHECK_NAME", "alive")]),
            Event::Pebble {
                hook: hook_kind,
                workload: "web-app".into(),
                notice_id: None,
                notice_type: None,
                notice_key: None,
                check_name: Some("alive".into()),
            }
        );
        assert_eq!(
            error(hook(&name, &[w, ("JUJU_PEBBLE_CHECK_NAME", "")])),
            EnvironmentError::Missing("JUJU_PEBBLE_CHECK_NAME")
        );
    }
    for name in ["web-app-pebble-ready", "x-pebble-check-failed", "x-pebble-custom-notice"] {
        assert_eq!(
            error(hook(name, &[("JUJU_WORKLOAD_NAME", "")])),
            EnvironmentError::Missing("JUJU_WORKLOAD_NAME")
        );
    }
}

#[test]
fn never_reads_the_process_environment() {
    // Nothing here is taken from the real environment (which has HOME, PATH, ...): an empty
    // iterator fails on the first required variable.
    let empty: [(String, String); 0] = [];
    assert_eq!(
        Environment::from_vars(empty).unwrap_err(),
        EnvironmentError::Missing("JUJU_DISPATCH_PATH")
    );
}
