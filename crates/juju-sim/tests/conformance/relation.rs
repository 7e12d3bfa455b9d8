//! Ported from juju/juju internal/worker/uniter/runner/jujuc: `relation-get_test.go`,
//! `relation-ids_test.go`, `relation-list_test.go`, `relation-set_test.go`,
//! `relation-model-get_test.go`, with the fake context of `relation_test.go` and
//! `jujuctesting/relation.go`.
//!
//! The Go fake holds unit `u/0` of application `u` in two relations, `peer0:0` and `peer1:1`.
//! Here both are regular (`requires`) relations of `u` to application `m`, so that the same
//! names can be read: `m/0` is the member of the hook's relation, and the fake's non-member
//! `u/1` (a unit that is no longer in the relation but whose settings remain readable) is the
//! departed unit `m/1`. relation-ids' relations `x:0`..`x:2` and `y:3` are relations on
//! endpoints `x` and `y`. relation-list's members `foo`, `bar`, `baz` (and `pew`, `pow`, `paw`)
//! are the units `m/2`, `m/0`, `m/1` (and `m/5`, `m/6`, `m/4`): a real model holds unit names
//! only, and the simulator's consistency check refuses anything else.

use juju_sim::{CharmMeta, Event, RelationId, State};

use super::{fails, ok};
use crate::common::{Out, bag, rid, run};

// `y` quoted: a YAML 1.1 parser reads a bare `y` as a boolean.
const METADATA: &str = "\
name: u
requires:
  peer0:
    interface: p0
  peer1:
    interface: p1
  x:
    interface: x
  y:
    interface: \"y\"
";

/// Unit `u/0` (the leader) of `u`, no relations yet.
fn bare() -> State {
    State::new(CharmMeta::from_yaml(METADATA, "options: {}\n", "").unwrap(), "u", "m")
}

/// The fake of relation_test.go as relation-get_test.go adjusts it: relation 0 holds `u/0`'s
/// `private-address: "foo: bar\n"` and member `m/0`; relation 1 holds member
/// `m/0` (`pew: "pew\npew\n"`) and the non-member `m/1` (`value: "12345"`).
fn state() -> State {
    let mut st = bare();
    let r0 = st.add_relation("peer0", "m", 0);
    let r1 = st.add_relation("peer1", "m", 0);
    assert_eq!((&r0, &r1), (&rid("peer0", 0), &rid("peer1", 1)));
    st.relations
        .get_mut(&0)
        .unwrap()
        .local_unit_data
        .insert(0, bag(&[("private-address", "foo: bar\n")]));
    st.set_remote_unit_data(&r0, "m/0", bag(&[("relation", "zero")]));
    st.set_remote_app_data(&r0, bag(&[("app", "zero")]));
    st.set_remote_unit_data(&r1, "m/0", bag(&[("pew", "pew\npew\n")]));
    st.set_remote_unit_data(&r1, "m/1", bag(&[("value", "12345")]));
    st.relations.get_mut(&1).unwrap().remote_units.retain(|u| u != "m/1");
    st
}

/// No hook relation (the Go tests' relid -1).
fn none() -> Event {
    Event::UpdateStatus
}

/// A relation hook of relation `id`, with remote unit `unit` if any.
fn hook(id: RelationId, unit: Option<&str>) -> Event {
    Event::RelationChanged { id, unit: unit.map(str::to_owned) }
}

fn call_in(st: &mut State, ev: &Event, tool: &str, args: &[&str], stdin: Option<&str>) -> Out {
    let mut out = None;
    run(st, 0, ev, |h| {
        out = Some(h.run_stdin(tool, args, stdin));
        0
    });
    out.unwrap()
}

fn call(ev: &Event, tool: &str, args: &[&str]) -> Out {
    call_in(&mut state(), ev, tool, args, None)
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-get_test.go, TestRelationGet: "no default relation"
#[test]
fn conformance_relation_get_no_default_relation() {
    fails(&call(&none(), "relation-get", &[]), 2, "no relation id specified");
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-get_test.go, TestRelationGet: "explicit relation, not known"
#[test]
fn conformance_relation_get_explicit_relation_not_known() {
    let o = call(&none(), "relation-get", &["-r", "burble:123"]);
    fails(&o, 2, "invalid value \"burble:123\" for option -r: relation not found");
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-get_test.go, TestRelationGet: "explicit relation, no unit chosen"
#[test]
fn conformance_relation_get_explicit_relation_no_unit_chosen() {
    fails(
        &call(&none(), "relation-get", &["-r", "burble:1"]),
        2,
        "no unit or application specified",
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-get_test.go, TestRelationGet: "missing key"
#[test]
fn conformance_relation_get_missing_key() {
    ok(&call(&hook(rid("peer1", 1), Some("m/0")), "relation-get", &["ker-plunk"]), "");
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-get_test.go, TestRelationGet: "missing unit"
#[test]
fn conformance_relation_get_missing_unit() {
    // The fake says `unknown unit bad/0`; Juju's controller names the unit and the relation.
    let o = call(&none(), "relation-get", &["-r", "1", "-", "bad/0"]);
    assert_eq!((o.code, o.out.as_str()), (1, ""), "{o:?}");
    assert!(
        o.err.starts_with("ERROR ") && o.err.contains("bad/0") && o.err.ends_with('\n'),
        "{o:?}"
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-get_test.go, TestRelationGet: "all keys with explicit non-member"
#[test]
fn conformance_relation_get_all_keys_explicit_non_member() {
    ok(&call(&hook(rid("peer1", 1), None), "relation-get", &["-", "m/1"]), "value: \"12345\"\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-get_test.go, TestRelationGet: "specific key with implicit member"
#[test]
fn conformance_relation_get_key_implicit_member() {
    ok(&call(&hook(rid("peer1", 1), Some("m/0")), "relation-get", &["pew"]), "pew\npew\n\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-get_test.go, TestRelationGet: "specific key with explicit member"
#[test]
fn conformance_relation_get_key_explicit_member() {
    ok(&call(&hook(rid("peer1", 1), None), "relation-get", &["pew", "m/0"]), "pew\npew\n\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-get_test.go, TestRelationGet: "specific key with explicit non-member"
#[test]
fn conformance_relation_get_key_explicit_non_member() {
    ok(&call(&hook(rid("peer1", 1), None), "relation-get", &["value", "m/1"]), "12345\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-get_test.go, TestRelationGet: "specific key with explicit local"
#[test]
fn conformance_relation_get_key_explicit_local() {
    ok(
        &call(&hook(rid("peer0", 0), None), "relation-get", &["private-address", "u/0"]),
        "foo: bar\n\n",
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-get_test.go, TestRelationGet: "all keys with implicit member"
#[test]
fn conformance_relation_get_all_keys_implicit_member() {
    ok(&call(&hook(rid("peer1", 1), Some("m/0")), "relation-get", &[]), "pew: |\n  pew\n  pew\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-get_test.go, TestRelationGet: "all keys with explicit member"
#[test]
fn conformance_relation_get_all_keys_explicit_member() {
    ok(
        &call(&hook(rid("peer1", 1), None), "relation-get", &["-", "m/0"]),
        "pew: |\n  pew\n  pew\n",
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-get_test.go, TestRelationGet: "all keys with explicit local"
#[test]
fn conformance_relation_get_all_keys_explicit_local() {
    ok(
        &call(&hook(rid("peer0", 0), None), "relation-get", &["-", "u/0"]),
        "private-address: |\n  foo: bar\n",
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-get_test.go, TestRelationGet: "explicit smart formatting 1"
#[test]
fn conformance_relation_get_smart_formatting_1() {
    ok(
        &call(&hook(rid("peer1", 1), Some("m/0")), "relation-get", &["--format", "smart"]),
        "pew: |\n  pew\n  pew\n",
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-get_test.go, TestRelationGet: "explicit smart formatting 2"
#[test]
fn conformance_relation_get_smart_formatting_2() {
    ok(
        &call(&hook(rid("peer1", 1), Some("m/0")), "relation-get", &["pew", "--format", "smart"]),
        "pew\npew\n\n",
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-get_test.go, TestRelationGet: "explicit smart formatting 3"
#[test]
fn conformance_relation_get_smart_formatting_3() {
    ok(
        &call(&hook(rid("peer1", 1), None), "relation-get", &["value", "m/1", "--format", "smart"]),
        "12345\n",
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-get_test.go, TestRelationGet: "explicit smart formatting 4"
#[test]
fn conformance_relation_get_smart_formatting_4() {
    ok(
        &call(
            &hook(rid("peer1", 1), None),
            "relation-get",
            &["missing", "m/1", "--format", "smart"],
        ),
        "",
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-get_test.go, TestRelationGetFormat: "yaml: formatting 1"
#[test]
fn conformance_relation_get_format_yaml_1() {
    let args: &[&str] = &[];
    let args = [args, &["--format", "yaml"]].concat();
    ok(&call(&hook(rid("peer1", 1), Some("m/0")), "relation-get", &args), "pew: |\n  pew\n  pew\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-get_test.go, TestRelationGetFormat: "json: formatting 1"
#[test]
fn conformance_relation_get_format_json_1() {
    let args: &[&str] = &[];
    let args = [args, &["--format", "json"]].concat();
    ok(
        &call(&hook(rid("peer1", 1), Some("m/0")), "relation-get", &args),
        "{\"pew\":\"pew\\npew\\n\"}\n",
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-get_test.go, TestRelationGetFormat: "yaml: formatting 2"
#[test]
fn conformance_relation_get_format_yaml_2() {
    let args: &[&str] = &["pew"];
    let args = [args, &["--format", "yaml"]].concat();
    ok(&call(&hook(rid("peer1", 1), Some("m/0")), "relation-get", &args), "|\n  pew\n  pew\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-get_test.go, TestRelationGetFormat: "json: formatting 2"
#[test]
fn conformance_relation_get_format_json_2() {
    let args: &[&str] = &["pew"];
    let args = [args, &["--format", "json"]].concat();
    ok(&call(&hook(rid("peer1", 1), Some("m/0")), "relation-get", &args), "\"pew\\npew\\n\"\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-get_test.go, TestRelationGetFormat: "yaml: formatting 3"
#[test]
fn conformance_relation_get_format_yaml_3() {
    let args: &[&str] = &["value", "m/1"];
    let args = [args, &["--format", "yaml"]].concat();
    ok(&call(&hook(rid("peer1", 1), None), "relation-get", &args), "\"12345\"\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-get_test.go, TestRelationGetFormat: "json: formatting 3"
#[test]
fn conformance_relation_get_format_json_3() {
    let args: &[&str] = &["value", "m/1"];
    let args = [args, &["--format", "json"]].concat();
    ok(&call(&hook(rid("peer1", 1), None), "relation-get", &args), "\"12345\"\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-get_test.go, TestRelationGetFormat: "yaml: formatting 4"
/// (a missing key is nil, for which the yaml formatter prints nothing: YAML for null)
#[test]
fn conformance_relation_get_format_yaml_4() {
    let args: &[&str] = &["missing", "m/1"];
    let args = [args, &["--format", "yaml"]].concat();
    ok(&call(&hook(rid("peer1", 1), None), "relation-get", &args), "");
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-get_test.go, TestRelationGetFormat: "json: formatting 4"
#[test]
fn conformance_relation_get_format_json_4() {
    let args: &[&str] = &["missing", "m/1"];
    let args = [args, &["--format", "json"]].concat();
    ok(&call(&hook(rid("peer1", 1), None), "relation-get", &args), "null\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-get_test.go, TestInit: "no relation id"
#[test]
fn conformance_relation_get_init_no_relation_id() {
    fails(&call(&none(), "relation-get", &[]), 2, "no relation id specified");
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-get_test.go, TestInit: "invalid relation id"
#[test]
fn conformance_relation_get_init_invalid_relation_id() {
    let o = call(&none(), "relation-get", &["-r", "one"]);
    fails(&o, 2, "invalid value \"one\" for option -r: invalid relation id");
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-get_test.go, TestInit: "invalid relation id with builtin context relation id"
#[test]
fn conformance_relation_get_init_invalid_relation_id_in_relation_hook() {
    let o = call(&hook(rid("peer1", 1), Some("m/0")), "relation-get", &["-r", "one"]);
    fails(&o, 2, "invalid value \"one\" for option -r: invalid relation id");
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-get_test.go, TestInit: "relation not found"
#[test]
fn conformance_relation_get_init_relation_not_found() {
    let o = call(&none(), "relation-get", &["-r", "2"]);
    fails(&o, 2, "invalid value \"2\" for option -r: relation not found");
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-get_test.go, TestInit: "-r overrides context relation id"
#[test]
fn conformance_relation_get_init_r_overrides_hook_relation() {
    ok(
        &call(&hook(rid("peer1", 1), Some("m/0")), "relation-get", &["-r", "ignored:0"]),
        "relation: zero\n",
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-get_test.go, TestInit: "key=value for relation-get (maybe should be invalid?)"
#[test]
fn conformance_relation_get_init_key_value_is_a_key() {
    let mut st = state();
    st.set_remote_unit_data(&rid("peer1", 1), "m/0", bag(&[("key=value", "kv")]));
    ok(
        &call_in(
            &mut st,
            &hook(rid("peer1", 1), Some("m/0")),
            "relation-get",
            &["key=value"],
            None,
        ),
        "kv\n",
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-get_test.go, TestInit: "key supplied"
#[test]
fn conformance_relation_get_init_key_supplied() {
    let mut st = state();
    st.set_remote_unit_data(&rid("peer1", 1), "m/0", bag(&[("key", "k")]));
    ok(
        &call_in(&mut st, &hook(rid("peer1", 1), Some("m/0")), "relation-get", &["key"], None),
        "k\n",
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-get_test.go, TestInit: "magic key supplied"
#[test]
fn conformance_relation_get_init_magic_key_supplied() {
    ok(&call(&hook(rid("peer0", 0), Some("m/0")), "relation-get", &["-"]), "relation: zero\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-get_test.go, TestInit: "override ctxunit with explicit unit"
#[test]
fn conformance_relation_get_init_explicit_unit_overrides_hook_unit() {
    ok(&call(&hook(rid("peer1", 1), Some("m/0")), "relation-get", &["value", "m/1"]), "12345\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-get_test.go, TestInit: "magic key with unit"
#[test]
fn conformance_relation_get_init_magic_key_with_unit() {
    ok(
        &call(&hook(rid("peer1", 1), Some("m/0")), "relation-get", &["-", "m/1"]),
        "value: \"12345\"\n",
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-get_test.go, TestInit: "supply --app will use context app"
#[test]
fn conformance_relation_get_init_app_uses_hook_app() {
    ok(&call(&hook(rid("peer0", 0), Some("m/0")), "relation-get", &["--app"]), "app: zero\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-get_test.go, TestInit: "supply --app and app name"
#[test]
fn conformance_relation_get_init_app_and_app_name() {
    ok(
        &call(&hook(rid("peer0", 0), Some("m/0")), "relation-get", &["--app", "-", "m"]),
        "app: zero\n",
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-get_test.go, TestInit: "--app plus unit/0 name passes in app name"
#[test]
fn conformance_relation_get_init_app_and_unit_name_reads_its_app() {
    ok(
        &call(&hook(rid("peer0", 0), Some("m/0")), "relation-get", &["--app", "-", "m/0"]),
        "app: zero\n",
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-get_test.go, TestInit: "--app without context app and no args is an error"
#[test]
fn conformance_relation_get_init_app_without_hook_app_or_args() {
    fails(
        &call(&none(), "relation-get", &["-r", "0", "--app"]),
        2,
        "no unit or application specified",
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-get_test.go, TestInit: "default with no context unit but a context app is --app"
#[test]
fn conformance_relation_get_init_no_hook_unit_means_app() {
    ok(&call(&hook(rid("peer0", 0), None), "relation-get", &[]), "app: zero\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-get_test.go, TestInit: "app name in context but overridden by args"
#[test]
fn conformance_relation_get_init_unit_arg_overrides_hook_app() {
    ok(&call(&hook(rid("peer0", 0), None), "relation-get", &["-", "m/0"]), "relation: zero\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-get_test.go, TestInit: "extra arguments"
#[test]
fn conformance_relation_get_init_extra_arguments() {
    let o = call(&hook(rid("peer0", 0), Some("m/0")), "relation-get", &["-", "--app", "m", "args"]);
    fails(&o, 2, "unrecognized args: [\"args\"]");
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-get_test.go, TestInit: "app name in context but overridden by app args"
#[test]
fn conformance_relation_get_init_app_arg_overrides_hook_app() {
    ok(&call(&hook(rid("peer0", 0), None), "relation-get", &["-", "--app", "m"]), "app: zero\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-get_test.go, TestInit: "application name with no --app"
#[test]
fn conformance_relation_get_init_application_name_without_app() {
    let o = call(&hook(rid("peer0", 0), Some("m/0")), "relation-get", &["-", "mysql"]);
    fails(&o, 2, "expected unit name, got application name \"mysql\"");
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-get_test.go, TestInit: "invalid unit name"
#[test]
fn conformance_relation_get_init_invalid_unit_name() {
    let o = call(&hook(rid("peer0", 0), Some("m/0")), "relation-get", &["-", "unit//0"]);
    fails(&o, 2, "invalid unit name \"unit//0\"");
}

/// relation-ids' fake: relations `x:0`, `x:1`, `x:2` and `y:3`.
fn ids_state() -> State {
    let mut st = bare();
    for ep in ["x", "x", "x", "y"] {
        st.add_relation(ep, "m", 1);
    }
    st
}

fn ids(ev: &Event, args: &[&str]) -> Out {
    call_in(&mut ids_state(), ev, "relation-ids", args, None)
}

/// relation-list's fake: relation 0's members `members0`, relation 1's `members1`.
fn list(ev: &Event, members0: &[&str], members1: &[&str], args: &[&str]) -> Out {
    let mut st = state();
    st.relations.get_mut(&0).unwrap().remote_units =
        members0.iter().map(|m| m.to_string()).collect();
    st.relations.get_mut(&1).unwrap().remote_units =
        members1.iter().map(|m| m.to_string()).collect();
    call_in(&mut st, ev, "relation-list", args, None)
}

/// Runs relation-set in `ev` (a `--file spam` argument names a file holding `content`; `--file -`
/// reads `content` from stdin) and returns its result and the model after the hook.
fn set(ev: &Event, args: &[&str], content: &str) -> (Out, State) {
    let dir = tempfile::tempdir().unwrap();
    let spam = dir.path().join("spam");
    std::fs::write(&spam, content).unwrap();
    let spam = spam.to_str().unwrap().to_owned();
    let args: Vec<&str> =
        args.iter().map(|a| if *a == "spam" { spam.as_str() } else { a }).collect();
    let mut st = state();
    for id in [0, 1] {
        st.relations.get_mut(&id).unwrap().local_unit_data.insert(0, bag(&[("base", "value")]));
    }
    let o = call_in(&mut st, ev, "relation-set", &args, Some(content));
    (o, st)
}

/// `u/0`'s settings in relation `id`.
fn unit_bag(st: &State, id: &RelationId) -> std::collections::BTreeMap<String, String> {
    st.local_unit_data(id, 0).cloned().unwrap_or_default()
}

/// Checks relation-set succeeded, wrote `settings` over `base: value` in relation `id` and left
/// the other relation alone.
#[track_caller]
fn set_ok(ev: &Event, args: &[&str], content: &str, id: RelationId, settings: &[(&str, &str)]) {
    let (o, st) = set(ev, args, content);
    ok(&o, "");
    let mut want = bag(&[("base", "value")]);
    for (k, v) in settings {
        if v.is_empty() {
            want.remove(*k);
        } else {
            want.insert(k.to_string(), v.to_string());
        }
    }
    assert_eq!(unit_bag(&st, &id), want);
    let other = if id.number == 0 { rid("peer1", 1) } else { rid("peer0", 0) };
    assert_eq!(unit_bag(&st, &other), bag(&[("base", "value")]));
}

#[track_caller]
fn set_fails(ev: &Event, args: &[&str], content: &str, code: i32, msg: &str) {
    let (o, st) = set(ev, args, content);
    fails(&o, code, msg);
    for id in [rid("peer0", 0), rid("peer1", 1)] {
        assert_eq!(unit_bag(&st, &id), bag(&[("base", "value")]));
    }
}

const UUID: &str = "deadbeef-0bad-400d-8000-4b1d0d06f00d";

/// Relation `n`'s remote model is `model-<n>`, to see which relation was read.
fn model_state() -> State {
    let mut st = state();
    for id in [0, 1] {
        st.relations.get_mut(&id).unwrap().remote_model_uuid = format!("model-{id}");
    }
    st
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-ids_test.go, TestRelationIds: "no default, no name"
#[test]
fn conformance_relation_ids_no_default_no_name() {
    fails(&ids(&none(), &[]), 2, "no endpoint name specified");
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-ids_test.go, TestRelationIds: "default name"
#[test]
fn conformance_relation_ids_default_name() {
    ok(&ids(&hook(rid("x", 1), Some("m/0")), &[]), "x:0\nx:1\nx:2\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-ids_test.go, TestRelationIds: "explicit name"
#[test]
fn conformance_relation_ids_explicit_name() {
    ok(&ids(&none(), &["x"]), "x:0\nx:1\nx:2\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-ids_test.go, TestRelationIds: "explicit different name"
#[test]
fn conformance_relation_ids_explicit_different_name() {
    ok(&ids(&none(), &["y"]), "y:3\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-ids_test.go, TestRelationIds: "nonexistent name"
#[test]
fn conformance_relation_ids_nonexistent_name() {
    ok(&ids(&none(), &["z"]), "");
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-ids_test.go, TestRelationIds: "explicit smart formatting 1"
#[test]
fn conformance_relation_ids_smart_formatting_1() {
    ok(&ids(&none(), &["--format", "smart", "x"]), "x:0\nx:1\nx:2\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-ids_test.go, TestRelationIds: "json formatting 1"
#[test]
fn conformance_relation_ids_json_formatting_1() {
    ok(&ids(&none(), &["--format", "json", "x"]), "[\"x:0\",\"x:1\",\"x:2\"]\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-ids_test.go, TestRelationIds: "yaml formatting 1"
#[test]
fn conformance_relation_ids_yaml_formatting_1() {
    ok(&ids(&none(), &["--format", "yaml", "x"]), "- x:0\n- x:1\n- x:2\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-ids_test.go, TestRelationIds: "explicit smart formatting 2"
#[test]
fn conformance_relation_ids_smart_formatting_2() {
    ok(&ids(&none(), &["--format", "smart", "y"]), "y:3\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-ids_test.go, TestRelationIds: "json formatting 2"
#[test]
fn conformance_relation_ids_json_formatting_2() {
    ok(&ids(&none(), &["--format", "json", "y"]), "[\"y:3\"]\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-ids_test.go, TestRelationIds: "yaml formatting 2"
#[test]
fn conformance_relation_ids_yaml_formatting_2() {
    ok(&ids(&none(), &["--format", "yaml", "y"]), "- y:3\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-ids_test.go, TestRelationIds: "explicit smart formatting 3"
#[test]
fn conformance_relation_ids_smart_formatting_3() {
    ok(&ids(&none(), &["--format", "smart", "z"]), "");
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-ids_test.go, TestRelationIds: "json formatting 3"
#[test]
fn conformance_relation_ids_json_formatting_3() {
    ok(&ids(&none(), &["--format", "json", "z"]), "[]\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-ids_test.go, TestRelationIds: "yaml formatting 3"
#[test]
fn conformance_relation_ids_yaml_formatting_3() {
    ok(&ids(&none(), &["--format", "yaml", "z"]), "[]\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-ids_test.go, TestFilterNonLiveRelations: "relation 0 dead: not in the output (Juju 3.6: the relation of a -relation-broken hook)"
#[test]
fn conformance_relation_ids_dead_relation_not_listed() {
    let mut st = ids_state();
    ok(
        &call_in(&mut st, &hook(rid("x", 1), Some("m/0")), "relation-ids", &[], None),
        "x:0\nx:1\nx:2\n",
    );
    ok(
        &call_in(&mut st, &Event::RelationBroken { id: rid("x", 0) }, "relation-ids", &[], None),
        "x:1\nx:2\n",
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-list_test.go, TestRelationList: "no default relation, no arg"
#[test]
fn conformance_relation_list_no_default_relation_no_arg() {
    fails(&list(&none(), &[], &[], &[]), 2, "no relation id specified");
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-list_test.go, TestRelationList: "no default relation, bad arg"
#[test]
fn conformance_relation_list_no_default_relation_bad_arg() {
    fails(
        &list(&none(), &[], &[], &["-r", "bad"]),
        2,
        "invalid value \"bad\" for option -r: invalid relation id",
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-list_test.go, TestRelationList: "no default relation, unknown arg"
#[test]
fn conformance_relation_list_no_default_relation_unknown_arg() {
    let o = list(&none(), &[], &[], &["-r", "unknown:123"]);
    fails(&o, 2, "invalid value \"unknown:123\" for option -r: relation not found");
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-list_test.go, TestRelationList: "default relation, bad arg"
#[test]
fn conformance_relation_list_default_relation_bad_arg() {
    let o = list(&hook(rid("peer1", 1), None), &[], &[], &["-r", "bad"]);
    fails(&o, 2, "invalid value \"bad\" for option -r: invalid relation id");
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-list_test.go, TestRelationList: "default relation, unknown arg"
#[test]
fn conformance_relation_list_default_relation_unknown_arg() {
    let o = list(&hook(rid("peer1", 1), None), &[], &[], &["-r", "unknown:123"]);
    fails(&o, 2, "invalid value \"unknown:123\" for option -r: relation not found");
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-list_test.go, TestRelationList: "default relation, no members"
#[test]
fn conformance_relation_list_default_relation_no_members() {
    ok(&list(&hook(rid("peer1", 1), None), &[], &[], &[]), "");
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-list_test.go, TestRelationList: "default relation, members"
#[test]
fn conformance_relation_list_default_relation_members() {
    ok(&list(&hook(rid("peer1", 1), None), &[], &["m/2", "m/0", "m/1"], &[]), "m/0\nm/1\nm/2\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-list_test.go, TestRelationList: "alternative relation, members"
#[test]
fn conformance_relation_list_alternative_relation_members() {
    let o = list(&hook(rid("peer1", 1), None), &["m/5", "m/6", "m/4"], &[], &["-r", "ignored:0"]);
    ok(&o, "m/4\nm/5\nm/6\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-list_test.go, TestRelationList: "explicit smart formatting 1"
#[test]
fn conformance_relation_list_smart_formatting_1() {
    ok(&list(&hook(rid("peer1", 1), None), &[], &[], &["--format", "smart"]), "");
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-list_test.go, TestRelationList: "explicit smart formatting 2"
#[test]
fn conformance_relation_list_smart_formatting_2() {
    ok(
        &list(&hook(rid("peer1", 1), None), &[], &["m/2", "m/0", "m/1"], &["--format", "smart"]),
        "m/0\nm/1\nm/2\n",
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-list_test.go, TestRelationList: "json formatting 1"
#[test]
fn conformance_relation_list_json_formatting_1() {
    ok(&list(&hook(rid("peer1", 1), None), &[], &[], &["--format", "json"]), "[]\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-list_test.go, TestRelationList: "json formatting 2"
#[test]
fn conformance_relation_list_json_formatting_2() {
    let o = list(&hook(rid("peer1", 1), None), &[], &["m/2", "m/0", "m/1"], &["--format", "json"]);
    ok(&o, "[\"m/0\",\"m/1\",\"m/2\"]\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-list_test.go, TestRelationList: "yaml formatting 1"
#[test]
fn conformance_relation_list_yaml_formatting_1() {
    ok(&list(&hook(rid("peer1", 1), None), &[], &[], &["--format", "yaml"]), "[]\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-list_test.go, TestRelationList: "yaml formatting 2"
#[test]
fn conformance_relation_list_yaml_formatting_2() {
    let o = list(&hook(rid("peer1", 1), None), &[], &["m/2", "m/0", "m/1"], &["--format", "yaml"]);
    ok(&o, "- m/0\n- m/1\n- m/2\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-list_test.go, TestRelationList: "remote application for relation"
#[test]
fn conformance_relation_list_remote_application() {
    let mut st = bare();
    st.add_relation("peer0", "m", 0);
    let id = st.add_relation("peer1", "galaxy", 1);
    st.relations.get_mut(&id.number).unwrap().remote_units.clear();
    ok(&call_in(&mut st, &hook(id, None), "relation-list", &["--app"], None), "galaxy\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-set_test.go, TestInit: "compatibility: 0 args is valid"
#[test]
fn conformance_relation_set_init_no_args_is_valid() {
    set_ok(&hook(rid("peer0", 0), None), &[], "", rid("peer0", 0), &[]);
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-set_test.go, TestInit: "no relation id specified"
#[test]
fn conformance_relation_set_init_no_relation_id() {
    set_fails(&none(), &[], "", 2, "no relation id specified");
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-set_test.go, TestInit: "-r one"
#[test]
fn conformance_relation_set_init_invalid_relation_id_1() {
    set_fails(
        &none(),
        &["-r", "one"],
        "",
        2,
        "invalid value \"one\" for option -r: invalid relation id",
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-set_test.go, TestInit: "-r one in a relation hook"
#[test]
fn conformance_relation_set_init_invalid_relation_id_2() {
    set_fails(
        &hook(rid("peer1", 1), None),
        &["-r", "one"],
        "",
        2,
        "invalid value \"one\" for option -r: invalid relation id",
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-set_test.go, TestInit: "-r ignored:one"
#[test]
fn conformance_relation_set_init_invalid_relation_id_3() {
    set_fails(
        &none(),
        &["-r", "ignored:one"],
        "",
        2,
        "invalid value \"ignored:one\" for option -r: invalid relation id",
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-set_test.go, TestInit: "-r ignored:one in a relation hook"
#[test]
fn conformance_relation_set_init_invalid_relation_id_4() {
    set_fails(
        &hook(rid("peer1", 1), None),
        &["-r", "ignored:one"],
        "",
        2,
        "invalid value \"ignored:one\" for option -r: invalid relation id",
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-set_test.go, TestInit: "-r 2"
#[test]
fn conformance_relation_set_init_relation_not_found() {
    set_fails(
        &none(),
        &["-r", "2"],
        "",
        2,
        "invalid value \"2\" for option -r: relation not found",
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-set_test.go, TestInit: "-r ignored:2 in a relation hook"
#[test]
fn conformance_relation_set_init_relation_not_found_in_relation_hook() {
    set_fails(
        &hook(rid("peer1", 1), None),
        &["-r", "ignored:2"],
        "",
        2,
        "invalid value \"ignored:2\" for option -r: relation not found",
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-set_test.go, TestInit: "-r ignored:0 in a relation hook"
#[test]
fn conformance_relation_set_init_r_with_endpoint_overrides_hook() {
    set_ok(
        &hook(rid("peer1", 1), None),
        &["-r", "ignored:0", "k=v"],
        "",
        rid("peer0", 0),
        &[("k", "v")],
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-set_test.go, TestInit: "-r 0 in a relation hook"
#[test]
fn conformance_relation_set_init_r_overrides_hook() {
    set_ok(&hook(rid("peer1", 1), None), &["-r", "0"], "", rid("peer0", 0), &[]);
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-set_test.go, TestInit: "-r 1 outside a relation hook"
#[test]
fn conformance_relation_set_init_r_without_hook() {
    set_ok(&none(), &["-r", "1"], "", rid("peer1", 1), &[]);
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-set_test.go, TestInit: "-r 1 in relation 0's hook"
#[test]
fn conformance_relation_set_init_r_overrides_hook_0() {
    set_ok(&hook(rid("peer0", 0), None), &["-r", "1"], "", rid("peer1", 1), &[]);
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-set_test.go, TestInit: "haha"
#[test]
fn conformance_relation_set_init_not_key_value() {
    set_fails(
        &hook(rid("peer1", 1), None),
        &["haha"],
        "",
        2,
        "expected \"key=value\", got \"haha\"",
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-set_test.go, TestInit: "=haha"
#[test]
fn conformance_relation_set_init_empty_key() {
    set_fails(
        &hook(rid("peer1", 1), None),
        &["=haha"],
        "",
        2,
        "expected \"key=value\", got \"=haha\"",
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-set_test.go, TestInit: "foo="
#[test]
fn conformance_relation_set_init_empty_value_deletes() {
    set_ok(
        &hook(rid("peer1", 1), None),
        &["foo=", "base="],
        "",
        rid("peer1", 1),
        &[("foo", ""), ("base", "")],
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-set_test.go, TestInit: "foo='"
#[test]
fn conformance_relation_set_init_quote_value() {
    set_ok(&hook(rid("peer1", 1), None), &["foo='"], "", rid("peer1", 1), &[("foo", "'")]);
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-set_test.go, TestInit: "foo=bar"
#[test]
fn conformance_relation_set_init_plain() {
    set_ok(&hook(rid("peer1", 1), None), &["foo=bar"], "", rid("peer1", 1), &[("foo", "bar")]);
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-set_test.go, TestInit: "foo=bar=baz=qux"
#[test]
fn conformance_relation_set_init_value_with_equals() {
    set_ok(
        &hook(rid("peer1", 1), None),
        &["foo=bar=baz=qux"],
        "",
        rid("peer1", 1),
        &[("foo", "bar=baz=qux")],
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-set_test.go, TestInit: "foo=foo: bar"
#[test]
fn conformance_relation_set_init_value_with_colon() {
    set_ok(
        &hook(rid("peer1", 1), None),
        &["foo=foo: bar"],
        "",
        rid("peer1", 1),
        &[("foo", "foo: bar")],
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-set_test.go, TestInit: "-r 1 foo=bar in relation 0's hook"
#[test]
fn conformance_relation_set_init_r_and_setting() {
    set_ok(
        &hook(rid("peer0", 0), None),
        &["-r", "1", "foo=bar"],
        "",
        rid("peer1", 1),
        &[("foo", "bar")],
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-set_test.go, TestInit: "foo=123 bar=true baz=4.5 qux="
#[test]
fn conformance_relation_set_init_values_stay_strings() {
    let s = [("foo", "123"), ("bar", "true"), ("baz", "4.5"), ("qux", "")];
    set_ok(
        &hook(rid("peer1", 1), None),
        &["foo=123", "bar=true", "baz=4.5", "qux="],
        "",
        rid("peer1", 1),
        &s,
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-set_test.go, TestInit: "file with a valid setting"
#[test]
fn conformance_relation_set_file_valid_setting() {
    set_ok(
        &hook(rid("peer0", 0), None),
        &["--file", "spam"],
        "{foo: bar}",
        rid("peer0", 0),
        &[("foo", "bar")],
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-set_test.go, TestInit: "file with multiple settings on a line"
#[test]
fn conformance_relation_set_file_multiple_settings_on_a_line() {
    set_ok(
        &hook(rid("peer0", 0), None),
        &["--file", "spam"],
        "{foo: bar, spam: eggs}",
        rid("peer0", 0),
        &[("foo", "bar"), ("spam", "eggs")],
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-set_test.go, TestInit: "file with multiple lines"
#[test]
fn conformance_relation_set_file_multiple_lines() {
    set_ok(
        &hook(rid("peer0", 0), None),
        &["--file", "spam"],
        "{\n  foo: bar,\n  spam: eggs\n}",
        rid("peer0", 0),
        &[("foo", "bar"), ("spam", "eggs")],
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-set_test.go, TestInit: "an empty file"
#[test]
fn conformance_relation_set_file_empty() {
    set_ok(&hook(rid("peer0", 0), None), &["--file", "spam"], "", rid("peer0", 0), &[]);
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-set_test.go, TestInit: "an empty map"
#[test]
fn conformance_relation_set_file_empty_map() {
    set_ok(&hook(rid("peer0", 0), None), &["--file", "spam"], "{}", rid("peer0", 0), &[]);
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-set_test.go, TestInit: "multiple maps"
#[test]
fn conformance_relation_set_file_multiple_maps() {
    set_ok(
        &hook(rid("peer0", 0), None),
        &["--file", "spam"],
        "{a: b}\n{c: d}",
        rid("peer0", 0),
        &[("a", "b")],
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-set_test.go, TestInit: "value with a space"
#[test]
fn conformance_relation_set_file_value_with_space() {
    set_ok(
        &hook(rid("peer0", 0), None),
        &["--file", "spam"],
        "{foo: 'bar baz'}",
        rid("peer0", 0),
        &[("foo", "bar baz")],
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-set_test.go, TestInit: "value with an equal sign"
#[test]
fn conformance_relation_set_file_value_with_equals() {
    set_ok(
        &hook(rid("peer0", 0), None),
        &["--file", "spam"],
        "{foo: foo=bar, base64: YmFzZTY0IGV4YW1wbGU=}",
        rid("peer0", 0),
        &[("foo", "foo=bar"), ("base64", "YmFzZTY0IGV4YW1wbGU=")],
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-set_test.go, TestInit: "values with brackets"
#[test]
fn conformance_relation_set_file_values_with_brackets() {
    set_ok(
        &hook(rid("peer0", 0), None),
        &["--file", "spam"],
        "{foo: '[x]', bar: '{y}'}",
        rid("peer0", 0),
        &[("foo", "[x]"), ("bar", "{y}")],
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-set_test.go, TestInit: "a messy file"
#[test]
fn conformance_relation_set_file_messy() {
    set_ok(
        &hook(rid("peer0", 0), None),
        &["--file", "spam"],
        "\n {  \n # a comment \n\n  \nfoo: bar,  \nham: eggs,\n\n  good: bad,\nup: down, left: right\n}\n",
        rid("peer0", 0),
        &[("foo", "bar"), ("ham", "eggs"), ("good", "bad"), ("up", "down"), ("left", "right")],
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-set_test.go, TestInit: "accidental same format as command-line"
#[test]
fn conformance_relation_set_file_command_line_format() {
    let msg = "yaml: unmarshal errors:\n  line 1: cannot unmarshal !!str `foo=bar...` into map[string]string";
    set_fails(
        &hook(rid("peer0", 0), None),
        &["--file", "spam"],
        "foo=bar ham=eggs good=bad",
        1,
        msg,
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-set_test.go, TestInit: "scalar instead of map"
#[test]
fn conformance_relation_set_file_scalar() {
    let msg =
        "yaml: unmarshal errors:\n  line 1: cannot unmarshal !!str `haha` into map[string]string";
    set_fails(&hook(rid("peer0", 0), None), &["--file", "spam"], "haha", 1, msg);
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-set_test.go, TestInit: "sequence instead of map"
#[test]
fn conformance_relation_set_file_sequence() {
    let msg = "yaml: unmarshal errors:\n  line 1: cannot unmarshal !!seq into map[string]string";
    set_fails(&hook(rid("peer0", 0), None), &["--file", "spam"], "[haha]", 1, msg);
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-set_test.go, TestInit: "file + settings"
#[test]
fn conformance_relation_set_file_and_settings() {
    set_ok(
        &hook(rid("peer0", 0), None),
        &["--file", "spam", "foo=bar"],
        "{ham: eggs}",
        rid("peer0", 0),
        &[("ham", "eggs"), ("foo", "bar")],
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-set_test.go, TestInit: "file overridden by settings"
#[test]
fn conformance_relation_set_file_overridden_by_settings() {
    set_ok(
        &hook(rid("peer0", 0), None),
        &["--file", "spam", "foo=bar"],
        "{foo: baz}",
        rid("peer0", 0),
        &[("foo", "bar")],
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-set_test.go, TestInit: "read from stdin"
#[test]
fn conformance_relation_set_file_from_stdin() {
    set_ok(
        &hook(rid("peer0", 0), None),
        &["--file", "-"],
        "{foo: bar}",
        rid("peer0", 0),
        &[("foo", "bar")],
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-set_test.go, TestInit: "pass --app"
#[test]
fn conformance_relation_set_app() {
    let (o, st) = set(&hook(rid("peer0", 0), None), &["--app", "baz=qux"], "");
    ok(&o, "");
    assert_eq!(st.local_app_data(&rid("peer0", 0)).unwrap(), &bag(&[("baz", "qux")]));
    assert_eq!(unit_bag(&st, &rid("peer0", 0)), bag(&[("base", "value")]));
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-set_test.go, TestRun: "{"base": ""} leaves {}"
#[test]
fn conformance_relation_set_run_empty_value_deletes() {
    let (o, st) = set(&hook(rid("peer0", 0), None), &["-r", "1", "base="], "");
    ok(&o, "");
    assert_eq!(unit_bag(&st, &rid("peer1", 1)), bag(&[]));
    assert_eq!(unit_bag(&st, &rid("peer0", 0)), bag(&[("base", "value")]));
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-set_test.go, TestRun: "{"foo": "bar"} adds to {"base": "value"}"
#[test]
fn conformance_relation_set_run_adds_key() {
    set_ok(
        &hook(rid("peer0", 0), None),
        &["-r", "1", "foo=bar"],
        "",
        rid("peer1", 1),
        &[("foo", "bar")],
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-set_test.go, TestRun: "{"base": "changed"}"
#[test]
fn conformance_relation_set_run_changes_key() {
    set_ok(
        &hook(rid("peer0", 0), None),
        &["-r", "1", "base=changed"],
        "",
        rid("peer1", 1),
        &[("base", "changed")],
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-set_test.go, TestRunDeprecationWarning: "--format foo rel="
#[test]
fn conformance_relation_set_format_deprecated() {
    let (o, _) = set(&hook(rid("peer0", 0), None), &["--format", "foo", "rel="], "");
    assert_eq!(
        (o.code, o.out.as_str(), o.err.as_str()),
        (0, "", "--format flag deprecated for command \"relation-set\"")
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-model-get_test.go, TestInit: "compatibility: 0 args is valid"
#[test]
fn conformance_relation_model_get_init_no_args_is_valid() {
    assert_eq!(call(&hook(rid("peer0", 0), None), "relation-model-get", &[]).code, 0);
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-model-get_test.go, TestInit: "no relation id specified"
#[test]
fn conformance_relation_model_get_init_no_relation_id() {
    fails(&call(&none(), "relation-model-get", &[]), 2, "no relation id specified");
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-model-get_test.go, TestInit: "-r one"
#[test]
fn conformance_relation_model_get_init_invalid_relation_id_1() {
    fails(
        &call(&none(), "relation-model-get", &["-r", "one"]),
        2,
        "invalid value \"one\" for option -r: invalid relation id",
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-model-get_test.go, TestInit: "-r one in a relation hook"
#[test]
fn conformance_relation_model_get_init_invalid_relation_id_2() {
    fails(
        &call(&hook(rid("peer1", 1), None), "relation-model-get", &["-r", "one"]),
        2,
        "invalid value \"one\" for option -r: invalid relation id",
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-model-get_test.go, TestInit: "-r ignored:one"
#[test]
fn conformance_relation_model_get_init_invalid_relation_id_3() {
    fails(
        &call(&none(), "relation-model-get", &["-r", "ignored:one"]),
        2,
        "invalid value \"ignored:one\" for option -r: invalid relation id",
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-model-get_test.go, TestInit: "-r ignored:one in a relation hook"
#[test]
fn conformance_relation_model_get_init_invalid_relation_id_4() {
    fails(
        &call(&hook(rid("peer1", 1), None), "relation-model-get", &["-r", "ignored:one"]),
        2,
        "invalid value \"ignored:one\" for option -r: invalid relation id",
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-model-get_test.go, TestInit: "-r 2"
#[test]
fn conformance_relation_model_get_init_relation_not_found() {
    fails(
        &call(&none(), "relation-model-get", &["-r", "2"]),
        2,
        "invalid value \"2\" for option -r: relation not found",
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-model-get_test.go, TestInit: "-r ignored:2 in a relation hook"
#[test]
fn conformance_relation_model_get_init_relation_not_found_in_hook() {
    fails(
        &call(&hook(rid("peer1", 1), None), "relation-model-get", &["-r", "ignored:2"]),
        2,
        "invalid value \"ignored:2\" for option -r: relation not found",
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-model-get_test.go, TestInit: "-r ignored:0 in a relation hook"
#[test]
fn conformance_relation_model_get_init_picks_relation_1() {
    let mut st = model_state();
    let o = call_in(
        &mut st,
        &hook(rid("peer1", 1), None),
        "relation-model-get",
        &["-r", "ignored:0"],
        None,
    );
    ok(&o, "uuid: model-0\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-model-get_test.go, TestInit: "-r 0 in a relation hook"
#[test]
fn conformance_relation_model_get_init_picks_relation_2() {
    let mut st = model_state();
    let o =
        call_in(&mut st, &hook(rid("peer1", 1), None), "relation-model-get", &["-r", "0"], None);
    ok(&o, "uuid: model-0\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-model-get_test.go, TestInit: "-r 1 outside a relation hook"
#[test]
fn conformance_relation_model_get_init_picks_relation_3() {
    let mut st = model_state();
    let o = call_in(&mut st, &none(), "relation-model-get", &["-r", "1"], None);
    ok(&o, "uuid: model-1\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-model-get_test.go, TestInit: "-r 1 in a relation hook"
#[test]
fn conformance_relation_model_get_init_picks_relation_4() {
    let mut st = model_state();
    let o =
        call_in(&mut st, &hook(rid("peer0", 0), None), "relation-model-get", &["-r", "1"], None);
    ok(&o, "uuid: model-1\n");
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-model-get_test.go, TestRun: "yaml by default"
#[test]
fn conformance_relation_model_get_run() {
    let mut st = model_state();
    st.relations.get_mut(&0).unwrap().remote_model_uuid = UUID.into();
    ok(
        &call_in(&mut st, &hook(rid("peer0", 0), None), "relation-model-get", &[], None),
        "uuid: deadbeef-0bad-400d-8000-4b1d0d06f00d\n",
    );
}

/// juju/juju internal/worker/uniter/runner/jujuc/relation-model-get_test.go, TestRunFormatJSON: "--format json"
#[test]
fn conformance_relation_model_get_run_json() {
    let mut st = model_state();
    st.relations.get_mut(&0).unwrap().remote_model_uuid = UUID.into();
    let o = call_in(
        &mut st,
        &hook(rid("peer0", 0), None),
        "relation-model-get",
        &["--format", "json"],
        None,
    );
    ok(&o, "{\"uuid\":\"deadbeef-0bad-400d-8000-4b1d0d06f00d\"}\n");
}
