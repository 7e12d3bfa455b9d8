//! The `send-ca-cert` endpoint: provider side of certificate_transfer v1.
//!
//! A charm that must trust what the `certificates` relation signs (a client of the Istio
//! gateway, say) relates to this endpoint and reads, from this application's databag, the key
//! `certificates`: a JSON list of PEM strings, no duplicates (the interface's `Set[str]`),
//! sorted as the Python library's own provider writes them. It holds the root of the chain that
//! signs on `certificates`: the charm's relation CA, or the last certificate of the
//! `certificates-ca` chain. The `certificates` area records that root in the material when it
//! changes ([`tls_provider::Stored::record_root`]); after a change (`renew-certificates
//! rotate-ca=true`, setting or unsetting `certificates-ca`, a new revision of it under another
//! root) the previous root stays in the list beside the new one until it expires or the next
//! change, so a client that trusts the list keeps trusting servers that still present a
//! certificate of the previous issuer while they are re-signed.
//!
//! The requirer's databags are not read, and the webhook CA is never in the list. Only the
//! leader writes; a relation joined later gets the list on its first hook, and a list that is
//! already right is not written again. While the `certificates` area has recorded no root (its
//! options were never valid), the relations stay as they are.

use juju_charm::databag::Databag;
use juju_charm::{HookToolError, RelationId, Scope};
use time::OffsetDateTime;

use super::tls_provider;
use super::{Area, AreaPlan, Input, Observe, Planned, unless_gone};
use crate::material::Material;
use crate::random::Entropy;

/// The endpoint name.
pub const ENDPOINT: &str = "send-ca-cert";

/// The key of the provider's application databag.
pub const CERTIFICATES_KEY: &str = "certificates";

/// The roots to publish at `now`: the current root, and the previous one while it is
/// recorded and unexpired; sorted, no duplicates. Empty while no root is recorded.
pub fn bundle(stored: &tls_provider::Stored, now: OffsetDateTime) -> Vec<String> {
    let unexpired = |pem: &&String| {
        crate::certs::inspect(pem).is_ok_and(|i| i.not_after > now && i.not_before <= now)
    };
    let mut roots: Vec<String> = stored
        .current_root()
        .into_iter()
        .chain(stored.previous_root.iter().filter(unexpired).cloned())
        .collect();
    roots.sort();
    roots.dedup();
    roots
}

/// The application databag that publishes `roots`; `None` when there is nothing to publish.
pub fn databag(roots: &[String]) -> Option<Databag> {
    if roots.is_empty() {
        return None;
    }
    let list = serde_json::to_string(roots).ok()?;
    Some(Databag::from_iter([(CERTIFICATES_KEY, list.as_str())]))
}

/// The `send-ca-cert` provider area.
#[derive(Debug, Default)]
pub struct CaTransfer {
    /// Each relation and this application's databag in it.
    relations: Vec<(RelationId, Databag)>,
}

impl CaTransfer {
    /// An area that observed these relations (tests).
    pub fn with(relations: Vec<(RelationId, Databag)>) -> Self {
        Self { relations }
    }
}

impl Area for CaTransfer {
    fn name(&self) -> &'static str {
        "send-ca-cert"
    }

    fn after(&self) -> &'static [&'static str] {
        &["certificates"]
    }

    fn observe(&mut self, juju: &Observe<'_>) -> Result<(), HookToolError> {
        let tools = juju.tools;
        for id in super::live_relation_ids(tools, juju.event, ENDPOINT)? {
            if let Some(local) = unless_gone(tools.relation_get(&id, Scope::App, juju.app))? {
                self.relations.push((id, local));
            }
        }
        Ok(())
    }

    fn plan(&self, input: &Input<'_>, material: &Material, _rng: &mut dyn Entropy) -> Planned {
        let mut out = AreaPlan::default();
        let Some(desired) = databag(&bundle(&material.certificates, input.now)) else {
            return Ok(out);
        };
        for (id, local) in &self.relations {
            let changed = desired.iter().any(|(k, v)| local.get(k) != Some(v));
            if changed {
                out.info(format!("published the relation CA bundle on relation {id}"));
                out.relations.push((id.clone(), desired.clone()));
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::areas::tests::input_for;
    use crate::certs::{KeyAlgorithm, generate_ca};
    use crate::random::OsEntropy;
    use time::Duration;

    fn ca(name: &str, days: u32, now: OffsetDateTime) -> String {
        let ca = generate_ca(name, days, KeyAlgorithm::EcdsaP256, now, &mut OsEntropy).expect("ca");
        ca.cert_pem.trim().to_owned()
    }

    fn id(n: u64) -> RelationId {
        RelationId { endpoint: ENDPOINT.into(), number: n }
    }

    #[test]
    fn a_rotation_keeps_the_previous_root_until_it_expires_or_the_next_rotation() {
        let now = OffsetDateTime::now_utc();
        let (first, second, third) = (ca("one", 30, now), ca("two", 30, now), ca("three", 30, now));
        let mut stored = tls_provider::Stored::default();
        let record = |stored: &mut tls_provider::Stored, root: &str, at| {
            let before = stored.current_root();
            stored.record_root(before, root, at);
        };
        record(&mut stored, &first, now);
        assert_eq!(bundle(&stored, now), std::slice::from_ref(&first));
        record(&mut stored, &first, now);
        assert_eq!(stored.previous_root, None, "the same root is no rotation");
        record(&mut stored, &second, now);
        let mut both = vec![first.clone(), second.clone()];
        both.sort();
        assert_eq!(bundle(&stored, now), both);
        // The next rotation drops the first root.
        record(&mut stored, &third, now);
        assert_eq!(stored.previous_root.as_deref(), Some(second.as_str()));
        assert!(!bundle(&stored, now).contains(&first));
        // Once the previous root has expired, it is not published, and then forgotten.
        let later = now + Duration::days(31);
        assert_eq!(bundle(&stored, later), std::slice::from_ref(&third));
        record(&mut stored, &third, later);
        assert_eq!(stored.previous_root, None);
    }

    #[test]
    fn only_relations_whose_list_differs_are_written() {
        let fixture = input_for(serde_json::json!({}));
        let input = fixture.input();
        let mut material = Material::default();
        let root = ca("root", 30, input.now);
        material.certificates.record_root(None, &root, input.now);
        let desired = databag(&bundle(&material.certificates, input.now)).expect("a bundle");
        let list: Vec<String> =
            serde_json::from_str(desired.get(CERTIFICATES_KEY).expect("key")).expect("a JSON list");
        assert_eq!(list, [root]);
        let area = CaTransfer::with(vec![(id(1), desired.clone()), (id(2), Databag::default())]);
        let plan = area.plan(&input, &material, &mut OsEntropy).expect("plan");
        assert_eq!(plan.relations, vec![(id(2), desired)]);
        // No root recorded yet: nothing is written, nothing is removed.
        let plan = area.plan(&input, &Material::default(), &mut OsEntropy).expect("plan");
        assert!(plan.relations.is_empty());
    }
}
