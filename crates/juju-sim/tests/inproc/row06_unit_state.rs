//! Row 6: unit state (state-get/-set/-delete) with quotas.

use juju_sim::Event;
use serde_json::json;

use crate::common::{run, state};

#[test]
fn row6_unit_state_set_get_delete_and_null_when_empty() {
    let mut st = state();
    run(&mut st, 0, &Event::Install, |h| {
        assert_eq!(h.ok("state-get", &["--format=json"]), "null\n");
        assert_eq!(
            h.run_stdin("state-set", &["--file", "-"], Some(r#"{"a":"1","b":"2"}"#)).code,
            0
        );
        assert_eq!(h.run("state-set", &["c=3"]).code, 0);
        assert_eq!(h.json("state-get", &["--format=json"]), json!({"a": "1", "b": "2", "c": "3"}));
        assert_eq!(h.ok("state-get", &["a", "--format=json"]), "\"1\"\n");
        assert_eq!(h.ok("state-get", &["missing", "--format=json"]), "\"\"\n");
        assert_eq!(h.ok("state-get", &["missing"]), "");
        let strict = h.run("state-get", &["--strict", "missing"]);
        assert_eq!((strict.code, strict.err.as_str()), (1, "ERROR \"missing\" not found\n"));
        assert_eq!(h.run("state-delete", &["b"]).code, 0);
        assert_eq!(h.run("state-delete", &["never-set"]).code, 0);
        assert_eq!(h.run("state-delete", &[]).code, 0);
        0
    });
    assert_eq!(st.units[&0].kv.keys().collect::<Vec<_>>(), ["a", "c"]);
}

#[test]
fn row6_unit_state_quotas() {
    let mut st = state();
    run(&mut st, 0, &Event::Install, |h| {
        let key = format!("{}=v", "k".repeat(257));
        let o = h.run("state-set", &[&key]);
        assert_eq!((o.code, o.err.as_str()), (1, "ERROR max allowed key length (256) exceeded\n"));
        let value = format!("k={}", "v".repeat(65537));
        let o = h.run("state-set", &[&value]);
        assert_eq!(
            (o.code, o.err.as_str()),
            (1, "ERROR max allowed value length (65536) exceeded\n")
        );
        assert_eq!(h.run("state-set", &[&format!("{}=v", "k".repeat(256))]).code, 0);
        0
    });
}

#[test]
fn row6_unit_state_is_per_unit_and_discarded_on_failure() {
    let mut st = state().with_units(2);
    run(&mut st, 0, &Event::Install, |h| {
        h.ok("state-set", &["a=1"]);
        1
    });
    assert!(st.units[&0].kv.is_empty());
    run(&mut st, 0, &Event::Install, |h| {
        h.ok("state-set", &["a=1"]);
        0
    });
    run(&mut st, 1, &Event::Install, |h| {
        assert_eq!(h.ok("state-get", &["--format=json"]), "null\n");
        0
    });
}
