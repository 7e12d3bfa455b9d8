//! The relation whose `-relation-broken` hook runs is gone, also where `relation-ids` still lists
//! it, as Juju before 3.4.4 did (the simulator's switch); under Juju 3.6's rules and under 4.0's.

use juju_sim::Event;
use serde_json::json;

use crate::common::{RSA, Sim, csr_with, state, under_both_versions};

under_both_versions!(a_broken_relation_is_gone_whether_or_not_relation_ids_lists_it);

fn a_broken_relation_is_gone_whether_or_not_relation_ids_lists_it(juju: &str) {
    for listed in [true, false] {
        let st = state(1).with_juju_version(juju).with_broken_relation_listed(listed);
        let mut sim = Sim::new(st);
        sim.config("key-algorithm", json!("ecdsa-p256"));
        sim.deploy(1);
        let storage = sim.relate(0, "kfp-api");
        let certificates = sim.harness.state_mut().add_relation("certificates", "istio-pilot", 1);
        let csr = csr_with("gw.kubeflow.svc", RSA, "-sha256");
        let bag = super::isolation::requests(&[&csr]);
        sim.harness.state_mut().set_remote_unit_data(&certificates, "istio-pilot/0", bag);
        let out = sim.ok(
            0,
            Event::RelationChanged { id: certificates.clone(), unit: Some("istio-pilot/0".into()) },
        );
        assert!(out.unit_status.1.contains("object-storage: 1 served"), "{}", out.unit_status.1);
        assert!(out.unit_status.1.contains("certificates: 1 issued"), "{}", out.unit_status.1);

        for (id, gone) in [(storage, "object-storage"), (certificates, "certificates")] {
            let out = sim.ok(0, Event::RelationBroken { id: id.clone() });
            let ids = out
                .calls
                .iter()
                .find(|c| c.tool == "relation-ids" && c.args.iter().any(|a| a.starts_with(gone)));
            let listed_now = ids.is_some();
            assert!(listed_now, "listed={listed}: relation-ids {gone} was called");
            let touched = out.calls.iter().any(|c| {
                ["relation-get", "relation-set", "relation-list"].contains(&c.tool.as_str())
                    && c.args.iter().any(|a| a == &id.to_string() || a == &id.number.to_string())
            });
            assert!(!touched, "listed={listed}: the broken relation {id} was read or written");
            assert!(!out.unit_status.1.contains(gone), "listed={listed}: {}", out.unit_status.1);
        }
    }
}
