//! Process-level tests: the built `juju-sim` binary as every hook tool, and `#!/bin/sh` scripts as
//! `dispatch`, run exactly as Juju runs them (`inproc`'s rows 1, 9 and 10 end to end, plus the
//! tools a charm uses most).

use std::path::Path;
use std::time::Instant;

use juju_sim::{CharmFiles, Event, Fault, Harness, Owner};

use crate::common::{ACTIONS, CONFIG, METADATA, bag, state};

fn harness(dir: &Path, script: &str, st: juju_sim::State) -> Harness {
    let dispatch = dir.join("dispatch.sh");
    std::fs::write(&dispatch, format!("#!/bin/sh\n{script}")).unwrap();
    std::fs::set_permissions(&dispatch, std::os::unix::fs::PermissionsExt::from_mode(0o755))
        .unwrap();
    let files =
        CharmFiles { metadata: METADATA.into(), config: CONFIG.into(), actions: ACTIONS.into() };
    let tool = juju_sim::tool_binary();
    Harness::new(&dir.join("unit"), &dispatch, tool, files, st).unwrap()
}

#[test]
fn process_row1_env_is_rebuilt_cwd_is_charm_dir_stdin_is_null() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path(), "env\necho \"cwd=$(pwd)\"\necho \"stdin=$(cat)\"\n", state());
    let out = h.run(0, &Event::Install).unwrap();
    assert_eq!(out.exit_code, Some(0), "{}", out.stderr);
    let lines: Vec<&str> = out.stdout.lines().collect();
    for want in [
        "JUJU_MACHINE_ID=",
        "JUJU_HOOK_NAME=install",
        "JUJU_DISPATCH_PATH=hooks/install",
        "JUJU_UNIT_NAME=ckf-crypto/0",
    ] {
        assert!(lines.contains(&want), "{want} in {lines:?}");
    }
    assert!(!lines.iter().any(|l| l.starts_with("HOME=")), "HOME must not be set");
    let path = format!("PATH={}:/usr/local/bin:/usr/bin:/bin", h.tools_dir().display());
    assert!(lines.contains(&path.as_str()));
    // Juju's form on Kubernetes: an abstract Unix socket (`@`), not a path.
    assert!(lines.iter().any(|l| l.starts_with("JUJU_AGENT_SOCKET_ADDRESS=@")), "{lines:?}");
    assert!(lines.contains(&"JUJU_AGENT_SOCKET_NETWORK=unix"));
    let charm = std::fs::canonicalize(h.charm_dir()).unwrap();
    assert!(lines.contains(&format!("cwd={}", charm.display()).as_str()), "{lines:?}");
    assert!(lines.contains(&"stdin="));
    assert!(h.charm_dir().join("metadata.yaml").exists());
    assert!(h.tools_dir().join("secret-info-get").exists());
}

#[test]
fn process_row1_env_action_and_relation_hooks() {
    let dir = tempfile::tempdir().unwrap();
    let mut st = state();
    let rel = st.add_relation("certificates", "istio", 1);
    let mut h = harness(dir.path(), "env\n", st);
    let out = h.run(0, &Event::RelationCreated { id: rel.clone() }).unwrap();
    assert!(out.stdout.lines().any(|l| l == "JUJU_REMOTE_UNIT="), "{}", out.stdout);
    let ev = Event::Action { name: "list-certificates".into(), params: Default::default() };
    let out = h.run(0, &ev).unwrap();
    assert!(out.stdout.lines().any(|l| l == "JUJU_HOOK_NAME="));
    assert!(out.stdout.lines().any(|l| l == "JUJU_DISPATCH_PATH=actions/list-certificates"));
}

#[test]
fn process_row10_output_formats_and_exit_codes_through_the_binary() {
    let dir = tempfile::tempdir().unwrap();
    let mut st = state();
    st.add_resource("bundle", Path::new("/srv/bundle.zip"));
    let script = r#"
config-get --format=json
is-leader
secret-ids --format json
relation-ids certificates --format=json
resource-get bundle; echo "|"
config-get -x; echo "rc=$?"
resource-get nope; echo "rc=$?"
"#;
    let mut h = harness(dir.path(), script, st);
    let out = h.run(0, &Event::Install).unwrap();
    let expected = "{\"bcrypt-cost\":12,\"enabled\":true,\"log-level\":\"info\",\"ratio\":60}\nTrue\nnull\n[]\n/srv/bundle.zip|\nrc=2\nrc=1\n";
    assert_eq!(out.stdout, expected);
    assert!(out.stderr.contains("ERROR option provided but not defined: -x\n"), "{}", out.stderr);
    assert!(out.stderr.contains("ERROR could not download resource: "));
    let codes: Vec<i32> = out.calls.iter().map(|c| c.code).collect();
    assert_eq!(codes, [0, 0, 0, 0, 0, 2, 1]);
}

#[test]
fn process_row9_transactions_commit_and_discard() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("key.pem");
    std::fs::write(&key, "PEM").unwrap();
    let mut st = state();
    let rel = st.add_relation("certificates", "istio", 1);
    let script = |exit: i32| {
        format!(
            "set -e\nrelation-set -r {rel} --app --file - <<JSON\n{{\"ca\": \"PEM\"}}\nJSON\nsecret-add --label ca ca-key#file={key}\nstatus-set active -- ready\njuju-log --log-level INFO -- done\nexit {exit}\n",
            key = key.display()
        )
    };
    let mut h = harness(dir.path(), &script(1), st);
    let out = h.run(0, &Event::ConfigChanged).unwrap();
    assert_eq!(out.exit_code, Some(1));
    assert!(!out.committed);
    assert!(out.stdout.starts_with("secret:"), "{out:?}");
    assert!(h.state().secrets().is_empty());
    assert!(h.state().local_app_data(&rel).unwrap().is_empty());
    assert_eq!(h.state().units[&0].status, ("active".into(), "ready".into()));
    assert_eq!(h.state().juju_log().len(), 1);
    let dir2 = tempfile::tempdir().unwrap();
    let mut h = harness(dir2.path(), &script(0), h.state().clone());
    let out = h.run(0, &Event::ConfigChanged).unwrap();
    assert!(out.committed, "{}", out.stderr);
    assert_eq!(h.state().local_app_data(&rel).unwrap(), &bag(&[("ca", "PEM")]));
    assert_eq!(
        h.state().secret_by_label("ca").unwrap().latest().unwrap().content,
        bag(&[("ca-key", "PEM")])
    );
    let saved: juju_sim::State =
        serde_json::from_slice(&std::fs::read(h.agent_dir().join("state.json")).unwrap()).unwrap();
    assert_eq!(&saved, h.state());
}

#[test]
fn process_row5_secrets_and_row4_relations_across_runs_and_units() {
    let dir = tempfile::tempdir().unwrap();
    let mut st = state().with_units(2);
    let id = st.add_secret(Owner::App, Some("ca"), bag(&[("abc", "1")]));
    let rel = st.add_relation("certificates", "istio", 1);
    let script = format!(
        "secret-get --label ca --format=json\nrelation-get -r {n} --app --format=json - ckf-crypto; echo \"rc=$?\"\nsecret-info-get {id}; echo \"rc=$?\"\n",
        n = rel.number
    );
    let mut h = harness(dir.path(), &script, st);
    let out = h.run(1, &Event::UpdateStatus).unwrap();
    assert_eq!(out.stdout, "{\"abc\":\"1\"}\nrc=1\nrc=1\n");
    assert!(out.stderr.contains("ERROR permission denied (unauthorized access)\n"));
    assert!(out.stderr.contains(&format!("ERROR secret \"{id}\" not found\n")));
    assert_eq!(h.state().secret(&id).unwrap().tracked["ckf-crypto/1"], 1);
}

#[test]
fn process_row9_fault_injection_and_stale_context_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let script = "is-leader; echo \"rc=$?\"\nis-leader; echo \"rc=$?\"\n\
                  JUJU_CONTEXT_ID=stale is-leader; echo \"rc=$?\"\nis-leader; echo \"rc=$?\"\n";
    let mut h = harness(dir.path(), script, state());
    h.faults.push(Fault::nth_call(2, "agent went away"));
    let out = h.run(0, &Event::Install).unwrap();
    assert_eq!(out.stdout, "True\nrc=0\nrc=1\nrc=1\nTrue\nrc=0\n");
    // A tool run outside the hook's context (stale JUJU_CONTEXT_ID) is refused, and is no call.
    assert_eq!(out.stderr, "ERROR agent went away\nERROR bad request: unknown context \"stale\"\n");
    assert_eq!(out.calls.iter().map(|c| c.code).collect::<Vec<_>>(), [0, 1, 0]);
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_juju-sim")).output().unwrap();
    assert_eq!(o.status.code(), Some(2), "usage");
}

/// Runs `tool` (the built binary, under a hook-tool name) with only `env` set.
fn tool_with_env(h: &Harness, tool: &str, env: &[(&str, &str)]) -> std::process::Output {
    std::process::Command::new(h.tools_dir().join(tool))
        .env_clear()
        .envs(env.iter().copied())
        .output()
        .unwrap()
}

#[test]
fn process_a_tool_after_the_hook_or_without_the_agent_env_fails_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let script = "echo \"$JUJU_AGENT_SOCKET_ADDRESS\"\necho \"$JUJU_CONTEXT_ID\"\n";
    let mut h = harness(dir.path(), script, state());
    let out = h.run(0, &Event::Install).unwrap();
    let (address, context) = out.stdout.trim_end().split_once('\n').unwrap();
    let (address, context) = (address.to_owned(), context.to_owned());
    assert!(address.starts_with('@') && address.len() < 108, "{address}");
    // The hook is over: its socket is closed, so the call finds no agent.
    let env = [
        ("JUJU_AGENT_SOCKET_ADDRESS", address.as_str()),
        ("JUJU_AGENT_SOCKET_NETWORK", "unix"),
        ("JUJU_CONTEXT_ID", context.as_str()),
    ];
    let o = tool_with_env(&h, "is-leader", &env);
    assert_eq!(o.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.starts_with("ERROR cannot connect to agent: "), "{stderr}");
    assert!(o.stdout.is_empty());
    // Every run gets a socket of its own.
    let again = h.run(0, &Event::UpdateStatus).unwrap();
    assert!(!again.stdout.starts_with(&format!("{address}\n")), "{}", again.stdout);
    for (missing, message) in [
        ("JUJU_AGENT_SOCKET_ADDRESS", "ERROR JUJU_AGENT_SOCKET_ADDRESS not set\n"),
        ("JUJU_CONTEXT_ID", "ERROR JUJU_CONTEXT_ID not set\n"),
        ("JUJU_AGENT_SOCKET_NETWORK", "ERROR JUJU_AGENT_SOCKET_NETWORK not set\n"),
    ] {
        let env: Vec<_> = env.iter().copied().filter(|(k, _)| *k != missing).collect();
        let o = tool_with_env(&h, "is-leader", &env);
        assert_eq!(o.status.code(), Some(1), "{missing}");
        assert_eq!(String::from_utf8_lossy(&o.stderr), message);
    }
}

#[test]
fn process_stdin_is_sent_only_when_the_tool_asks_for_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut st = state();
    let rel = st.add_relation("certificates", "istio", 1);
    let fifo = dir.path().join("fifo");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    // Fd 3 is a pipe that never ends: opened read-write, it has a writer (this shell) and no
    // data. A tool that read it would hang until `timeout` killed it (exit 124).
    let script = format!(
        r#"exec 3<>"{fifo}"
printf '{{"ca": "PEM", "n": 1}}' | relation-set -r {rel} --app --file -; echo "rc=$?"
printf 'a: "1"
' | state-set --file=- b=2; echo "rc=$?"
relation-set -r {rel} --file - </dev/null; echo "rc=$?"
relation-set -r {rel} --file - </dev/null; echo "rc=$?"
timeout 10 relation-get -r {n} --app --format=json - ckf-crypto <&3; echo "rc=$?"
timeout 10 state-get a <&3; echo "rc=$?"
timeout 10 relation-set -r {rel} k=v <&3; echo "rc=$?"
timeout 10 relation-set -r certificates:999 --file - <&3; echo "rc=$?"
timeout 10 is-leader <&3; echo "rc=$?"
"#,
        fifo = fifo.display(),
        n = rel.number
    );
    let mut h = harness(dir.path(), &script, st);
    // The stdin round trip is one call: the second call of the run is state-set.
    h.faults.push(Fault::nth_call(3, "third call"));
    let out = h.run(0, &Event::UpdateStatus).unwrap();
    assert_eq!(
        out.stdout,
        "rc=0\nrc=0\nrc=1\nrc=0\n{\"ca\":\"PEM\",\"n\":\"1\"}\nrc=0\n1\nrc=0\nrc=0\nrc=2\nTrue\nrc=0\n",
        "{}",
        out.stderr
    );
    assert_eq!(
        out.stderr,
        "ERROR third call\nERROR invalid value \"certificates:999\" for option -r: relation not found\n"
    );
    let calls: Vec<(&str, i32)> = out.calls.iter().map(|c| (c.tool.as_str(), c.code)).collect();
    assert_eq!(
        calls,
        [
            ("relation-set", 0),
            ("state-set", 0),
            ("relation-set", 1),
            ("relation-set", 0),
            ("relation-get", 0),
            ("state-get", 0),
            ("relation-set", 0),
            ("relation-set", 2),
            ("is-leader", 0),
        ]
    );
    assert!(out.committed, "{}", out.stderr);
    assert_eq!(h.state().local_app_data(&rel).unwrap(), &bag(&[("ca", "PEM"), ("n", "1")]));
    assert_eq!(h.state().units[&0].kv, bag(&[("a", "1"), ("b", "2")]));
    assert_eq!(h.state().local_unit_data(&rel, 0).unwrap().get("k").map(String::as_str), Some("v"));
}

#[test]
fn process_relative_file_paths_are_read_from_the_tools_working_directory() {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    std::fs::create_dir(&work).unwrap();
    std::fs::write(work.join("kv.yaml"), "a: x\n").unwrap();
    let script = format!("cd {}\nstate-set --file kv.yaml; echo \"rc=$?\"\n", work.display());
    let mut h = harness(dir.path(), &script, state());
    let out = h.run(0, &Event::UpdateStatus).unwrap();
    assert_eq!(out.stdout, "rc=0\n", "{}", out.stderr);
    assert_eq!(h.state().units[&0].kv, bag(&[("a", "x")]));
}

#[test]
fn process_two_harnesses_running_hooks_at_once_do_not_cross_talk() {
    let loop30 = "i=0\nwhile [ $i -lt 30 ]; do config-get note; state-set \"n$i=$(config-get note)\"; i=$((i+1)); done\n";
    std::thread::scope(|s| {
        let runs: Vec<_> = ["left", "right"]
            .into_iter()
            .map(|note| {
                s.spawn(move || {
                    let dir = tempfile::tempdir().unwrap();
                    let mut st = state();
                    st.set_config("note", serde_json::json!(note)).unwrap();
                    // Same model, same event: the two hooks even share their context id.
                    let mut h = harness(dir.path(), loop30, st);
                    let out = h.run(0, &Event::UpdateStatus).unwrap();
                    assert!(out.committed, "{}", out.stderr);
                    assert_eq!(out.stdout, format!("{note}\n").repeat(30));
                    assert_eq!(out.calls.len(), 90);
                    let kv = &h.state().units[&0].kv;
                    assert_eq!(kv.len(), 30);
                    assert!(kv.values().all(|v| v == note), "{kv:?}");
                })
            })
            .collect();
        for run in runs {
            run.join().unwrap();
        }
    });
}

#[test]
fn process_killed_dispatch_with_tool_calls_in_flight_returns_and_keeps_immediate_effects() {
    let dir = tempfile::tempdir().unwrap();
    let script = "status-set maintenance -- started\n\
                  while true; do state-set k=v; status-get >/dev/null; done\n";
    let mut h = harness(dir.path(), script, state());
    h.kill_after = Some(std::time::Duration::from_secs(1));
    let start = Instant::now();
    let out = h.run(0, &Event::UpdateStatus).unwrap();
    assert!(start.elapsed().as_secs() < 20, "{:?}", start.elapsed());
    assert_eq!(out.exit_code, None);
    assert!(!out.committed);
    assert!(out.calls.len() > 1, "{:?}", out.calls.len());
    assert!(h.state().units[&0].kv.is_empty(), "buffered writes are discarded");
    assert_eq!(out.status_history[0], ("maintenance".into(), "started".into()));
    assert_eq!(h.state().units[&0].status, ("maintenance".into(), "started".into()));
}

#[test]
fn process_performance_hook_with_eight_tool_calls() {
    let dir = tempfile::tempdir().unwrap();
    let mut st = state();
    let rel = st.add_relation("certificates", "istio", 3);
    let script = format!(
        "config-get --format=json >/dev/null\nis-leader --format=json >/dev/null\nrelation-ids certificates --format=json >/dev/null\nrelation-list -r {n} --format=json >/dev/null\nrelation-get -r {n} --format=json - istio/0 >/dev/null\nsecret-ids --format=json >/dev/null\nstatus-set active\njuju-log -- ok\n",
        n = rel.number
    );
    let mut h = harness(dir.path(), &script, st);
    h.run(0, &Event::UpdateStatus).unwrap();
    let start = Instant::now();
    let n = 5;
    for _ in 0..n {
        let out = h.run(0, &Event::UpdateStatus).unwrap();
        assert_eq!(out.calls.len(), 8);
        assert!(out.committed);
    }
    let per_hook = start.elapsed() / n;
    eprintln!("process-level hook with 8 tool calls: {per_hook:?}");
    // Generous bound for debug builds on a loaded machine; release is far faster.
    assert!(per_hook.as_millis() < 2000, "{per_hook:?}");
}

#[test]
#[ignore = "timing probe: cargo test --release -p juju-sim --test tests -- --ignored --nocapture"]
fn process_performance_probe_per_tool_call() {
    let loop200 =
        |cmd: &str| format!("i=0\nwhile [ $i -lt 200 ]; do {cmd} >/dev/null; i=$((i+1)); done\n");
    let mut times = Vec::new();
    for cmd in ["/bin/true", "is-leader", "status-set active"] {
        let dir = tempfile::tempdir().unwrap();
        let mut h = harness(dir.path(), &loop200(cmd), state());
        let start = Instant::now();
        let out = h.run(0, &Event::UpdateStatus).unwrap();
        assert!(out.committed, "{}", out.stderr);
        times.push((cmd, start.elapsed() / 200));
    }
    eprintln!("per call: {times:?}");
}

/// The charm's way to a user secret: its URI from the `certificates-ca` option, then secret-get;
/// in secret-changed, the hook's secret read without and with --peek/--refresh.
const USER_SECRET_SCRIPT: &str = r#"
case "$JUJU_DISPATCH_PATH" in
hooks/secret-changed)
  echo "id=$JUJU_SECRET_ID label=[$JUJU_SECRET_LABEL]"
  secret-get "$JUJU_SECRET_ID" ca-crt
  secret-get "$JUJU_SECRET_ID" ca-crt --peek
  secret-get "$JUJU_SECRET_ID" ca-crt
  secret-get "$JUJU_SECRET_ID" ca-crt --refresh
  secret-get "$JUJU_SECRET_ID" ca-crt ;;
*)
  id=$(config-get certificates-ca)
  secret-get "$id" --format=json; echo "rc=$?" ;;
esac
"#;

#[test]
fn process_row5_user_secret_through_the_config_option_grant_tracking_and_secret_changed() {
    let dir = tempfile::tempdir().unwrap();
    let mut st = state().with_units(2);
    let uri = st.add_user_secret("ca", bag(&[("ca-crt", "PEM1")]));
    st.set_config("certificates-ca", serde_json::json!(uri)).unwrap();
    let mut h = harness(dir.path(), USER_SECRET_SCRIPT, st);
    let out = h.run(0, &Event::ConfigChanged).unwrap();
    assert_eq!(out.stdout, "rc=1\n");
    assert_eq!(out.stderr, "ERROR permission denied\n");
    assert_eq!(out.calls.iter().map(|c| c.code).collect::<Vec<_>>(), [0, 1]);
    assert!(out.committed);
    h.state_mut().grant_secret(&uri, "ckf-crypto").unwrap();
    let out = h.run(0, &Event::ConfigChanged).unwrap();
    assert_eq!(out.stdout, "{\"ca-crt\":\"PEM1\"}\nrc=0\n", "{}", out.stderr);
    h.state_mut().update_user_secret(&uri, bag(&[("ca-crt", "PEM2")])).unwrap();
    let out = h.run(0, &Event::ConfigChanged).unwrap();
    assert_eq!(out.stdout, "{\"ca-crt\":\"PEM1\"}\nrc=0\n", "unit 0 tracks revision 1");
    assert_eq!(h.state().pending_secret_changed(0), vec![uri.clone()]);
    assert!(h.state().pending_secret_changed(1).is_empty(), "unit 1 never read it");
    let out = h.run(0, &Event::SecretChanged { id: uri.clone() }).unwrap();
    assert_eq!(out.stdout, format!("id={uri} label=[]\nPEM1\nPEM2\nPEM1\nPEM2\nPEM2\n"));
    assert!(out.committed, "{}", out.stderr);
    assert!(h.state().pending_secret_changed(0).is_empty());
    assert_eq!(h.state().secret(&uri).unwrap().tracked["ckf-crypto/0"], 2);
    let saved: juju_sim::State =
        serde_json::from_slice(&std::fs::read(h.agent_dir().join("state.json")).unwrap()).unwrap();
    assert_eq!(&saved, h.state(), "user secrets, grants and seen revisions round-trip");
    h.state_mut().revoke_secret(&uri, "ckf-crypto").unwrap();
    let out = h.run(1, &Event::ConfigChanged).unwrap();
    assert_eq!((out.stdout.as_str(), out.stderr.as_str()), ("rc=1\n", "ERROR permission denied\n"));
    h.state_mut().remove_user_secret(&uri).unwrap();
    let out = h.run(1, &Event::ConfigChanged).unwrap();
    assert_eq!(out.stderr, format!("ERROR secret \"{uri}\" not found\n"));
}

#[test]
fn process_row5_user_secret_cannot_be_managed_and_the_refused_commit_fails_the_hook() {
    let dir = tempfile::tempdir().unwrap();
    let mut st = state();
    let uri = st.add_user_secret("ca", bag(&[("ca-crt", "PEM1")]));
    st.grant_secret(&uri, "ckf-crypto").unwrap();
    let xid = uri.strip_prefix("secret:").unwrap().to_owned();
    let script = format!(
        "state-set done=yes\nsecret-info-get {uri}; echo \"rc=$?\"\nsecret-set {uri} ca-crt=mine; echo \"rc=$?\"\nsecret-remove {uri}; echo \"rc=$?\"\nsecret-ids --format=json\n"
    );
    let mut h = harness(dir.path(), &script, st);
    let before = h.state().clone();
    let out = h.run(0, &Event::ConfigChanged).unwrap();
    assert_eq!(out.stdout, "rc=1\nrc=0\nrc=0\nnull\n");
    assert_eq!(out.stderr, format!("ERROR secret \"{xid}\" not found\n"));
    assert_eq!(out.exit_code, Some(0));
    assert!(!out.committed);
    assert_eq!(out.commit_error.as_deref(), Some("updating secrets: permission denied"));
    assert_eq!(
        h.state().unit_status(0),
        ("error".into(), "hook failed: \"config-changed\"".into())
    );
    assert!(h.state().units[&0].kv.is_empty(), "nothing of the hook is committed");
    assert_eq!(h.state().secrets, before.secrets);
}

/// secret-add and secret-set of a value that 3.6.8 refuses (by the file's size, and by the
/// value's size on argv) and 3.6.9 takes, then one that 3.6.9 refuses by its base64 size.
const SECRET_LIMITS_SCRIPT: &str = r#"
secret-add big#file="$BIG"; echo "rc=$?"
id=$(secret-add abc=1)
secret-set "$id" big#file="$BIG"; echo "rc=$?"
secret-add "abc=$(printf '%8193s' | tr ' ' x)" >/dev/null; echo "rc=$?"
secret-add huge#file="$HUGE"; echo "rc=$?"
"#;

#[test]
fn process_row5_secret_limits_before_and_after_juju_3_6_9() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big");
    std::fs::write(&big, "b".repeat(9000)).unwrap();
    let huge = dir.path().join("huge");
    std::fs::write(&huge, "h".repeat(800_000)).unwrap();
    let script = format!("BIG={}\nHUGE={}\n{SECRET_LIMITS_SCRIPT}", big.display(), huge.display());
    let in_file =
        |p: &Path, n: usize| format!("ERROR secret content in file {p:?} too large: {n} bytes\n");

    let mut h = harness(dir.path(), &script, state().with_juju_version("3.6.8"));
    let out = h.run(0, &Event::UpdateStatus).unwrap();
    assert_eq!(out.stdout, "rc=2\nrc=2\nrc=2\nrc=2\n", "{}", out.stderr);
    let expected = [
        in_file(&big, 9000),
        in_file(&big, 9000),
        "ERROR secret content for key \"abc\" too large: 8193 bytes\n".to_owned(),
        in_file(&huge, 800_000),
    ]
    .concat();
    assert_eq!(out.stderr, expected);
    assert!(out.committed, "the charm went on, so the hook succeeded");
    assert_eq!(h.state().secrets().len(), 1);
    assert_eq!(h.state().secrets()[0].latest().unwrap().content, bag(&[("abc", "1")]));

    let dir2 = tempfile::tempdir().unwrap();
    let mut h = harness(dir2.path(), &script, state().with_juju_version("3.6.9"));
    let out = h.run(0, &Event::UpdateStatus).unwrap();
    assert_eq!(out.stdout.lines().filter(|l| l.starts_with("rc=")).count(), 4);
    assert!(out.stdout.ends_with("rc=0\nrc=0\nrc=0\nrc=2\n"), "{}", out.stdout);
    assert_eq!(
        out.stderr,
        "ERROR base64 encoded secret content for key \"huge\" too large: 1066668 bytes\n"
    );
    let secrets = h.state().secrets();
    assert_eq!(secrets.len(), 3);
    assert_eq!(secrets[1].latest().unwrap().content["big"].len(), 9000, "secret-set took it");
}

#[test]
fn process_row4_broken_relation_in_relation_ids_by_juju_version() {
    let script = "relation-ids --format=json\nrelation-list --format=json\nrelation-get --app --format=json\n";
    for (st, listed) in [
        (state().with_juju_version("3.3.6"), true),
        (state(), false),
        (state().with_broken_relation_listed(true), true),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let mut st = st;
        let a = st.add_relation("certificates", "istio", 0);
        let b = st.add_relation("certificates", "dex", 1);
        st.set_remote_app_data(&a, bag(&[("ca", "PEM")]));
        let version = st.model.juju_version.clone();
        let mut h = harness(dir.path(), script, st);
        let out = h.run(0, &Event::RelationBroken { id: a.clone() }).unwrap();
        let ids = if listed { format!("[\"{a}\",\"{b}\"]") } else { format!("[\"{b}\"]") };
        assert_eq!(out.stdout, format!("{ids}\n[]\n{{\"ca\":\"PEM\"}}\n"), "{version}");
        assert!(out.committed, "{}", out.stderr);
        assert_eq!(h.state().relation_ids("certificates"), vec![b]);
    }
}

#[test]
fn process_juju4_removed_tools_are_not_on_path_and_come_back_under_3_6() {
    let dir = tempfile::tempdir().unwrap();
    let script = "leader-get >/dev/null 2>&1; echo \"leader-get=$?\"\necho \"sla=[$JUJU_SLA]\"\n";
    let mut h = harness(dir.path(), script, state().with_juju_version("4.0.0"));
    let out = h.run(0, &Event::Install).unwrap();
    assert_eq!(out.exit_code, Some(0), "{}", out.stderr);
    assert!(out.stdout.contains("leader-get=127\n"), "a missing command: {}", out.stdout);
    assert!(out.stdout.contains("sla=[]\n"), "{}", out.stdout);
    for tool in juju_sim::REMOVED_IN_JUJU_4 {
        assert!(h.tools_dir().join(tool).symlink_metadata().is_err(), "{tool}");
    }
    assert!(h.tools_dir().join("secret-get").exists());
    h.state_mut().set_juju_version("3.6.12");
    let out = h.run(0, &Event::UpdateStatus).unwrap();
    assert!(out.stdout.contains("leader-get=0\n"), "{}", out.stdout);
}
