//! Row 3: config typed, with defaults, nulls and `--all`.

use juju_sim::{Event, SimError};
use serde_json::{Value, json};

use crate::common::{run, state};

#[test]
fn row3_config_defaults_omit_unset_and_float_prints_as_integer() {
    let mut st = state();
    run(&mut st, 0, &Event::ConfigChanged, |h| {
        let out = h.ok("config-get", &["--format=json"]);
        assert_eq!(
            out,
            "{\"bcrypt-cost\":12,\"enabled\":true,\"log-level\":\"info\",\"ratio\":60}\n"
        );
        0
    });
}

#[test]
fn row3_config_all_shows_nulls_and_key_lookup() {
    let mut st = state();
    st.set_config("note", json!("hello")).unwrap();
    st.set_config("ratio", json!(2.5)).unwrap();
    run(&mut st, 0, &Event::ConfigChanged, |h| {
        let all = h.json("config-get", &["--all", "--format=json"]);
        assert_eq!(all["admin-password"], Value::Null);
        assert!(all.as_object().unwrap().contains_key("admin-password"));
        assert_eq!(all["note"], json!("hello"));
        assert_eq!(all["ratio"], json!(2.5));
        assert_eq!(h.ok("config-get", &["note", "--format=json"]), "\"hello\"\n");
        assert_eq!(h.ok("config-get", &["--format=json", "admin-password"]), "null\n");
        assert_eq!(h.ok("config-get", &["--format=json", "no-such-key"]), "null\n");
        assert_eq!(h.ok("config-get", &["bcrypt-cost"]), "12\n");
        assert_eq!(h.ok("config-get", &["note"]), "hello\n");
        let both = h.run("config-get", &["-a", "note"]);
        assert_eq!(both.code, 2);
        assert_eq!(both.err, "ERROR cannot use argument --all together with key \"note\"\n");
        0
    });
}

#[test]
fn row3_config_set_config_is_type_checked_and_null_unsets() {
    let mut st = state();
    assert!(matches!(st.set_config("bcrypt-cost", json!("12")), Err(SimError::Config(_))));
    assert!(matches!(st.set_config("bcrypt-cost", json!(1.5)), Err(SimError::Config(_))));
    assert!(matches!(st.set_config("enabled", json!("true")), Err(SimError::Config(_))));
    assert!(matches!(st.set_config("admin-password", json!("plain")), Err(SimError::Config(_))));
    assert!(matches!(st.set_config("nope", json!(1)), Err(SimError::Config(_))));
    st.set_config("ratio", json!(3)).unwrap();
    st.set_config("admin-password", json!("secret:cr1bm4s3vnv5q0u0ghcg")).unwrap();
    st.set_config("bcrypt-cost", json!(14)).unwrap();
    st.set_config("bcrypt-cost", Value::Null).unwrap();
    run(&mut st, 0, &Event::ConfigChanged, |h| {
        let v = h.json("config-get", &["--format=json"]);
        assert_eq!(v["bcrypt-cost"], json!(12));
        assert_eq!(v["ratio"], json!(3));
        assert_eq!(v["admin-password"], json!("secret:cr1bm4s3vnv5q0u0ghcg"));
        0
    });
}
