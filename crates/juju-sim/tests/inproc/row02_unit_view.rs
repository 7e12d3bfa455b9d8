//! Row 2: the per-unit view — unit name, app, leader flag, model identity, Juju version.

use juju_sim::Event;

use crate::common::{run, state};

#[test]
fn row2_unit_view_leader_flag_per_unit() {
    let mut st = state().with_units(3);
    assert_eq!(st.leader, Some(0));
    run(&mut st, 0, &Event::UpdateStatus, |h| {
        assert_eq!(h.ok("is-leader", &["--format=json"]), "true\n");
        assert_eq!(h.ok("is-leader", &[]), "True\n");
        0
    });
    run(&mut st, 2, &Event::UpdateStatus, |h| {
        assert_eq!(h.var("JUJU_UNIT_NAME"), Some("ckf-crypto/2"));
        assert_eq!(h.ok("is-leader", &["--format", "json"]), "false\n");
        assert_eq!(h.ok("is-leader", &[]), "False\n");
        0
    });
    st.set_leader(Some(2));
    run(&mut st, 2, &Event::LeaderElected, |h| {
        assert_eq!(h.ok("is-leader", &["--format=json"]), "true\n");
        0
    });
}

#[test]
fn row2_unit_view_no_leader_and_model_identity() {
    let mut st = state().with_leader(None);
    st.model.juju_version = "3.6.12".into();
    let uuid = st.model.uuid.clone();
    run(&mut st, 0, &Event::Start, |h| {
        assert_eq!(h.ok("is-leader", &["--format=json"]), "false\n");
        assert_eq!(h.var("JUJU_MODEL_UUID"), Some(uuid.as_str()));
        assert_eq!(h.var("JUJU_VERSION"), Some("3.6.12"));
        0
    });
    assert_eq!(uuid.len(), 36);
}

#[test]
fn row2_unit_view_with_units_shrinks_and_drops_missing_leader() {
    let st = state().with_units(3).with_leader(Some(2)).with_units(2);
    assert_eq!(st.units.len(), 2);
    assert_eq!(st.leader, None);
}
