//! The process-level form serves the same Pebble API: a `#!/bin/sh` dispatch reaches it with
//! `curl --unix-socket`, as any client in the charm's process would.

use juju_sim::{CharmFiles, CharmMeta, ContainerBuilder, Event, Harness, ServiceStatus, State};

const METADATA: &str = "\
name: web
containers:
  app:
    resource: app-image
resources:
  app-image:
    type: oci-image
";

#[test]
fn pebble_process_form_serves_the_api_and_keeps_workload_changes_of_a_failed_hook() {
    let dir = tempfile::tempdir().unwrap();
    let script = r#"#!/bin/sh
sock="$CHARM_CONTAINERS_DIR/app/pebble.socket"
test -S "$sock" || { echo "no socket at $sock" >&2; exit 9; }
curl -sS --unix-socket "$sock" -X POST -H 'Content-Type: application/json' \
  -d '{"action":"add","label":"base","format":"yaml","layer":"services:\n  web: {override: replace, command: /bin/web, startup: enabled}\n"}' \
  http://localhost/v1/layers
echo
curl -sS --unix-socket "$sock" -X POST -H 'Content-Type: application/json' \
  -d '{"action":"autostart"}' http://localhost/v1/services
echo
exit 3
"#;
    let dispatch = dir.path().join("dispatch.sh");
    std::fs::write(&dispatch, script).unwrap();
    std::fs::set_permissions(&dispatch, std::os::unix::fs::PermissionsExt::from_mode(0o755))
        .unwrap();
    let files = CharmFiles { metadata: METADATA.into(), ..CharmFiles::default() };
    let meta = CharmMeta::from_yaml(METADATA, "", "").unwrap();
    let st = State::for_charm(meta).with_container(ContainerBuilder::new("app"));
    let tool = juju_sim::tool_binary();
    let mut h = Harness::new(&dir.path().join("unit"), &dispatch, tool, files, st).unwrap();
    let out = h.run(0, &Event::PebbleReady { container: "app".into() }).unwrap();
    assert_eq!(out.exit_code, Some(3), "{}", out.stderr);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines[0], r#"{"type":"sync","status-code":200,"status":"OK","result":true}"#);
    assert_eq!(lines[1], r#"{"type":"async","status-code":202,"status":"Accepted","change":"1"}"#);
    // The hook failed, so nothing of Juju's is committed, but Pebble did what it was asked.
    assert!(!out.committed);
    let app = h.state().container(0, "app").unwrap();
    assert!(app.can_connect);
    assert_eq!(app.service_status("web"), ServiceStatus::Active);
    assert_eq!(app.layers[0].label, "base");
}
