//! The compiled charm under the process-level simulator, hook by hook, as Juju runs it: every
//! test twice, under Juju 3.6's rules (`juju36::…`) and under 4.0's (`juju4::…`), where the
//! hook tools 4.0 removed are missing, `JUJU_SLA` is empty and unit bags have no
//! `private-address`.

use serde_json::json;

use juju_sim::Event;

use crate::common::{Sim, is_generated_format, state, under_both_versions};

under_both_versions!(
    deploy_generates_secrets_once_and_serves_v1,
    generated_secret_survives_hooks_leader_change_and_a_second_unit,
    short_secret_key_blocks_keeps_relation_data_and_recovers,
    incompatible_requirer_is_named_and_gets_nothing,
    unversioned_requirer_waits_silently,
    get_credentials_on_the_leader_and_refused_elsewhere,
    rotate_secret_replaces_the_value_everywhere,
    no_secret_value_in_argv_logs_or_status,
    secret_content_reaches_juju_through_absolute_private_files,
    unknown_hook_exits_zero_and_changes_nothing,
    a_failed_hook_commits_nothing_and_the_retry_converges,
);

const SHORT: &str = "The 'secret-key' config value must be at least 8 characters long.";

fn deploy_generates_secrets_once_and_serves_v1(juju: &str) {
    let mut sim = Sim::new(state(1).with_juju_version(juju));
    sim.deploy(1);
    let generated_now = sim.generated();
    for key in ["secret-key", "oidc-client-secret", "config-hash-salt"] {
        assert!(is_generated_format(&generated_now[key]), "{key} has the [A-Z0-9]{{30}} format");
    }
    let rel = sim.relate(0, "kfp-api");
    let sent = sim.sent(&rel);
    assert_eq!(sent["access-key"], json!("minio"));
    assert_eq!(sent["secret-key"], json!(generated_now["secret-key"]));
    assert_eq!(sent["service"], json!("minio"));
    assert_eq!(sent["port"], json!(9000));
    assert_eq!(sent["namespace"], json!("kubeflow"));
    assert_eq!(sent["secure"], json!(false));
    assert_eq!(sim.state().local_app_data(&rel).expect("bag")["_supported_versions"], "- v1\n");
    assert_eq!(sim.state().unit_status(0).0, "active");
    // The rules of the version are the ones in force: Juju 4 writes no private-address.
    let unit_bag = sim.state().local_unit_data(&rel, 0).expect("unit bag");
    assert_eq!(unit_bag.contains_key("private-address"), juju.starts_with('3'), "{juju}");
}

fn generated_secret_survives_hooks_leader_change_and_a_second_unit(juju: &str) {
    let mut sim = Sim::new(state(2).with_juju_version(juju));
    sim.deploy(2);
    let rel = sim.relate(0, "kfp-api");
    let first = sim.generated();
    let revisions =
        sim.state().secret_by_label(ckf_crypto::store::LABEL).expect("secret").revisions.len();

    for event in [
        Event::UpdateStatus,
        Event::ConfigChanged,
        Event::UpdateStatus,
        Event::UpgradeCharm,
        Event::Start,
    ] {
        sim.ok(0, event);
    }
    assert_eq!(sim.generated(), first, "five more hooks regenerate nothing");

    // The second unit, as a non-leader, is in standby and writes nothing.
    let out = sim.ok(1, Event::UpdateStatus);
    assert!(out.unit_status.1.starts_with("standby"), "{:?}", out.unit_status);
    assert!(
        !out.calls.iter().any(|c| c.tool.starts_with("secret-add") || c.tool == "relation-set")
    );

    // Leadership moves to unit 1: it serves the very same material.
    sim.harness.state_mut().set_leader(Some(1));
    sim.ok(1, Event::LeaderElected);
    sim.ok(0, Event::LeaderSettingsChanged);
    sim.ok(1, Event::UpdateStatus);
    assert_eq!(sim.generated(), first, "a leader change regenerates nothing");
    assert_eq!(sim.sent(&rel)["secret-key"], json!(first["secret-key"]));
    let after =
        sim.state().secret_by_label(ckf_crypto::store::LABEL).expect("secret").revisions.len();
    assert_eq!(after, revisions, "no new secret revision");
    assert_eq!(sim.state().secrets().len(), 1, "one secret holds all the material");
}

fn short_secret_key_blocks_keeps_relation_data_and_recovers(juju: &str) {
    let mut sim = Sim::new(state(1).with_juju_version(juju));
    sim.deploy(1);
    let rel = sim.relate(0, "kfp-api");
    let before = sim.state().local_app_data(&rel).cloned();

    sim.config("secret-key", json!("short"));
    let out = sim.ok(0, Event::ConfigChanged);
    assert_eq!(out.unit_status, ("blocked".to_owned(), SHORT.to_owned()));
    assert_eq!(sim.state().local_app_data(&rel).cloned(), before, "relation data unchanged");
    sim.ok(0, Event::UpdateStatus);
    assert_eq!(sim.state().unit_status(0), ("blocked".to_owned(), SHORT.to_owned()));
    assert_eq!(sim.state().local_app_data(&rel).cloned(), before);

    sim.config("secret-key", json!("a-long-enough-key"));
    let out = sim.ok(0, Event::ConfigChanged);
    assert_eq!(out.unit_status.0, "active");
    assert_eq!(sim.sent(&rel)["secret-key"], json!("a-long-enough-key"));

    // Clearing the option brings back the generated key, not a new one.
    let generated = sim.generated()["secret-key"].clone();
    sim.config("secret-key", serde_json::Value::Null);
    sim.ok(0, Event::ConfigChanged);
    assert_eq!(sim.sent(&rel)["secret-key"], json!(generated));
}

fn incompatible_requirer_is_named_and_gets_nothing(juju: &str) {
    let mut sim = Sim::new(state(1).with_juju_version(juju));
    sim.deploy(1);
    let id = sim.harness.state_mut().add_relation("object-storage", "argo-controller", 1);
    sim.harness.state_mut().set_remote_app_data(
        &id,
        std::collections::BTreeMap::from([("_supported_versions".into(), "- v2\n".into())]),
    );
    let out = sim
        .ok(0, Event::RelationChanged { id: id.clone(), unit: Some("argo-controller/0".into()) });
    assert_eq!(
        out.unit_status,
        (
            "blocked".to_owned(),
            "No compatible object-storage versions found for apps: argo-controller".to_owned()
        )
    );
    assert!(sim.state().local_app_data(&id).is_none_or(|b| b.is_empty()));
}

fn unversioned_requirer_waits_silently(juju: &str) {
    let mut sim = Sim::new(state(1).with_juju_version(juju));
    sim.deploy(1);
    let id = sim.harness.state_mut().add_relation("object-storage", "kserve", 1);
    let out = sim.ok(0, Event::RelationJoined { id: id.clone(), unit: "kserve/0".into() });
    assert_eq!(out.unit_status, ("active".to_owned(), String::new()));
    assert!(sim.state().local_app_data(&id).is_none_or(|b| b.is_empty()));
}

fn get_credentials_on_the_leader_and_refused_elsewhere(juju: &str) {
    let mut sim = Sim::new(state(2).with_juju_version(juju));
    sim.deploy(2);
    let out =
        sim.ok(0, Event::Action { name: "get-credentials".into(), params: Default::default() });
    let action = out.action.expect("action outcome");
    assert_eq!(action.failed, None);
    let generated_now = sim.generated();
    assert_eq!(action.results["access-key"], json!("minio"));
    assert_eq!(action.results["secret-key"], json!(generated_now["secret-key"]));
    assert_eq!(action.results["oidc-client-id"], json!("authservice-oidc"));
    assert_eq!(action.results["oidc-client-secret"], json!(generated_now["oidc-client-secret"]));

    let out =
        sim.ok(1, Event::Action { name: "get-credentials".into(), params: Default::default() });
    let action = out.action.expect("action outcome");
    assert_eq!(action.failed.as_deref(), Some("this action must run on the leader unit"));
    assert!(action.results.is_empty());
}

fn rotate_secret_replaces_the_value_everywhere(juju: &str) {
    let mut sim = Sim::new(state(1).with_juju_version(juju));
    sim.deploy(1);
    let rel = sim.relate(0, "kfp-api");
    let old = sim.generated();
    let params = serde_json::Map::from_iter([("name".to_owned(), json!("secret-key"))]);
    let out = sim.ok(0, Event::Action { name: "rotate-secret".into(), params });
    let action = out.action.expect("action");
    assert_eq!(action.failed, None);
    assert_eq!(action.results["rotated"], json!("secret-key"));
    let new = sim.generated();
    assert_ne!(new["secret-key"], old["secret-key"]);
    assert!(is_generated_format(&new["secret-key"]));
    assert_eq!(new["oidc-client-secret"], old["oidc-client-secret"]);
    assert_eq!(
        sim.sent(&rel)["secret-key"],
        json!(new["secret-key"]),
        "the requirer gets the new key"
    );

    sim.config("secret-key", json!("operator-chosen"));
    let params = serde_json::Map::from_iter([("name".to_owned(), json!("secret-key"))]);
    let out = sim.ok(0, Event::Action { name: "rotate-secret".into(), params });
    assert_eq!(
        out.action.expect("action").failed.as_deref(),
        Some("'secret-key' is set in config; change it with juju config")
    );
}

fn no_secret_value_in_argv_logs_or_status(juju: &str) {
    let mut sim = Sim::new(state(2).with_juju_version(juju));
    let mut outcomes = Vec::new();
    for (unit, event) in [
        (0, Event::Install),
        (0, Event::LeaderElected),
        (0, Event::ConfigChanged),
        (1, Event::Install),
        (1, Event::ConfigChanged),
    ] {
        outcomes.push(sim.ok(unit, event));
    }
    let rel = sim.relate(0, "kfp-api");
    let params = serde_json::Map::from_iter([("name".to_owned(), json!("oidc-client-secret"))]);
    outcomes.push(sim.ok(0, Event::Action { name: "rotate-secret".into(), params }));
    sim.config("secret-key", json!("configured-secret-value"));
    outcomes.push(sim.ok(0, Event::ConfigChanged));
    sim.config("secret-key", json!("tiny"));
    outcomes.push(sim.ok(0, Event::ConfigChanged));
    outcomes.push(sim.ok(0, Event::UpdateStatus));
    outcomes.push(sim.ok(1, Event::UpdateStatus));
    let _ = rel;

    let mut secrets: Vec<String> = sim
        .state()
        .secrets()
        .iter()
        .flat_map(|s| s.revisions.iter().flat_map(|r| r.content.iter()))
        // The layout keys of the material hold small numbers, not secrets.
        .filter(|(k, _)| !["format-version", "material-shards"].contains(&k.as_str()))
        .map(|(_, v)| v.clone())
        .collect();
    secrets.extend(["configured-secret-value".to_owned(), "tiny".to_owned()]);
    assert!(secrets.len() >= 5);
    for out in &outcomes {
        for call in &out.calls {
            for arg in &call.args {
                for s in &secrets {
                    assert!(
                        !arg.contains(s.as_str()),
                        "a secret value on the argv of {}",
                        call.tool
                    );
                }
            }
        }
        for line in &out.logs {
            for s in &secrets {
                assert!(
                    !line.message.contains(s.as_str()),
                    "a secret value in juju-log: {}",
                    line.level
                );
            }
        }
        for (_, message) in &out.status_history {
            for s in &secrets {
                assert!(!message.contains(s.as_str()), "a secret value in a status message");
            }
        }
        for s in &secrets {
            assert!(!out.stderr.contains(s.as_str()) && !out.stdout.contains(s.as_str()));
        }
    }
    for line in sim.state().juju_log() {
        for s in &secrets {
            assert!(!line.message.contains(s.as_str()));
        }
    }
}

fn secret_content_reaches_juju_through_absolute_private_files(juju: &str) {
    let mut sim = Sim::new(state(1).with_juju_version(juju));
    let out = sim.ok(0, Event::Install);
    let add = out.calls.iter().find(|c| c.tool == "secret-add").expect("secret-add ran");
    let files: Vec<&String> = add.args.iter().filter(|a| a.contains("#file=")).collect();
    let keys: Vec<&str> = files.iter().map(|a| a.split_once("#file=").expect("param").0).collect();
    for key in [
        "secret-key",
        "oidc-client-secret",
        "config-hash-salt",
        "ca-key",
        "key-admission-webhook",
        "dex-salt",
    ] {
        assert!(keys.contains(&key), "{key} in {keys:?}");
    }
    for arg in files {
        let path = arg.split_once("#file=").expect("file param").1;
        assert!(path.starts_with('/'), "absolute path");
        assert!(!std::path::Path::new(path).exists(), "temporary file removed after the hook");
    }
    assert!(add.args.iter().any(|a| a == "--owner") && add.args.iter().any(|a| a == "application"));
}

fn unknown_hook_exits_zero_and_changes_nothing(juju: &str) {
    let mut sim = Sim::new(state(1).with_juju_version(juju));
    let out = sim.ok(0, Event::Custom { hook: "some-future-hook".into() });
    assert!(out.calls.iter().all(|c| c.tool == "juju-log"));
    assert!(sim.state().secrets().is_empty());
}

fn a_failed_hook_commits_nothing_and_the_retry_converges(juju: &str) {
    // Make the first relation-set of a hook fail: the hook must exit non-zero, nothing of it
    // must land (not even the secret it created), and the retry must produce one secret.
    let mut sim = Sim::new(state(1).with_juju_version(juju));
    let id = sim.harness.state_mut().add_relation("object-storage", "kfp-api", 1);
    sim.harness.state_mut().set_remote_app_data(
        &id,
        std::collections::BTreeMap::from([("_supported_versions".into(), "- v1\n".into())]),
    );
    sim.harness.faults = vec![juju_sim::Fault::nth_call_of(
        "relation-set",
        1,
        "cannot write relation settings: injected",
    )];
    let out = sim.run(0, &Event::Install);
    sim.harness.faults.clear();
    assert_ne!(out.exit_code, Some(0));
    assert!(!out.committed);
    assert!(sim.state().secrets().is_empty(), "the secret-add of a failed hook is discarded");
    assert!(sim.state().local_app_data(&id).is_none_or(|b| b.is_empty()));
    sim.ok(0, Event::Install);
    assert_eq!(sim.state().secrets().len(), 1);
    assert!(is_generated_format(sim.sent(&id)["secret-key"].as_str().expect("string")));
}
