//! Row 10: exact stdout (json/smart, null vs [], trailing newline, resource-get without one)
//! and stderr/exit codes (`ERROR …`, 1 vs 2).

use std::path::Path;

use juju_sim::{Event, HOOK_TOOLS, is_hook_tool};

use crate::common::{run, state};

#[test]
fn row10_output_formats_resource_get_has_no_trailing_newline() {
    let mut st = state();
    st.add_resource("bundle", Path::new("/var/lib/juju/resources/bundle.zip"));
    run(&mut st, 0, &Event::Install, |h| {
        assert_eq!(h.ok("resource-get", &["bundle"]), "/var/lib/juju/resources/bundle.zip");
        let o = h.run("resource-get", &["nope"]);
        assert_eq!(o.code, 1);
        assert!(o.err.starts_with("ERROR could not download resource: "), "{o:?}");
        0
    });
    let mut unattached = state();
    run(&mut unattached, 0, &Event::Install, |h| {
        let o = h.run("resource-get", &["bundle"]);
        assert_eq!(o.code, 1);
        assert!(o.err.starts_with("ERROR could not download resource: "), "{o:?}");
        0
    });
}

#[test]
fn row10_output_formats_flag_errors_exit_2_runtime_errors_exit_1() {
    let mut st = state().with_units(2);
    run(&mut st, 1, &Event::Install, |h| {
        let o = h.run("config-get", &["-x"]);
        assert_eq!(
            (o.code, o.out.as_str(), o.err.as_str()),
            (2, "", "ERROR option provided but not defined: -x\n")
        );
        let o = h.run("is-leader", &["--format=xml"]);
        assert_eq!(o.code, 2);
        let o = h.run("secret-add", &["abc=1"]);
        assert_eq!((o.code, o.err.as_str()), (1, "ERROR this unit is not the leader\n"));
        0
    });
}

#[test]
fn row10_output_formats_null_vs_empty_array_and_both_format_spellings() {
    let mut st = state();
    run(&mut st, 0, &Event::Install, |h| {
        assert_eq!(h.ok("secret-ids", &["--format=json"]), "null\n");
        assert_eq!(h.ok("state-get", &["--format", "json"]), "null\n");
        assert_eq!(h.ok("relation-ids", &["certificates", "--format=json"]), "[]\n");
        assert_eq!(h.ok("opened-ports", &["--format", "json"]), "[]\n");
        assert_eq!(h.ok("config-get", &["note", "--format=json"]), "null\n");
        assert_eq!(h.ok("relation-ids", &["certificates"]), "", "smart: empty list prints nothing");
        assert_eq!(h.ok("config-get", &["log-level"]), "info\n");
        0
    });
}

#[test]
fn row10_output_formats_registry_is_complete_and_sorted() {
    assert_eq!(HOOK_TOOLS.len(), 50);
    assert!(HOOK_TOOLS.windows(2).all(|w| w[0] < w[1]));
    for t in [
        "config-get",
        "secret-info-get",
        "relation-model-get",
        "action-log",
        "state-delete",
        "credential-get",
    ] {
        assert!(is_hook_tool(t), "{t}");
    }
    assert!(!is_hook_tool("dispatch"));
    assert!(!is_hook_tool("juju-sim"));
}

#[test]
fn row10_output_formats_unmodelled_and_unknown_tools() {
    let mut st = state();
    run(&mut st, 0, &Event::Install, |h| {
        let o = h.run("storage-list", &[]);
        assert_eq!(o.code, 1);
        assert!(o.err.starts_with("ERROR "));
        0
    });
    let mut st = state();
    juju_sim::run_in_process(&mut st, 0, &Event::Install, |_, runner| {
        assert!(runner.run("ls", &[], None).is_err(), "not a hook tool: cannot be started");
        0
    })
    .unwrap();
}

#[test]
fn row10_output_formats_misc_tools() {
    let mut st = state();
    st.add_relation("certificates", "istio", 1);
    run(&mut st, 0, &Event::Install, |h| {
        let net = h.json("network-get", &["certificates", "--format=json"]);
        assert!(net["ingress-addresses"][0].is_string());
        assert_eq!(h.run("network-get", &["nope"]).code, 1);
        let goal = h.json("goal-state", &["--format=json"]);
        assert!(goal["units"]["ckf-crypto/0"]["status"].is_string());
        assert!(goal["relations"]["certificates"]["istio/0"].is_object());
        let o = h.run("credential-get", &["--format=json"]);
        assert_eq!(o.code, 1);
        assert!(o.err.starts_with("ERROR cannot access cloud credentials"));
        0
    });
    st.trusted = true;
    run(&mut st, 0, &Event::Install, |h| {
        assert_eq!(h.json("credential-get", &["--format=json"])["type"], "kubernetes");
        0
    });
}
