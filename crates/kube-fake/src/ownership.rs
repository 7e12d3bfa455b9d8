//! Field ownership: `metadata.managedFields`, kept as kube-apiserver keeps it.
//!
//! A charm that applies with a fixed field manager shares objects with other managers (another
//! charm created the webhook configuration; an operator edits a label), and what happens then —
//! a 409 conflict, shared ownership, or a field pruned on the next apply — is decided by these
//! rules, not by the merge alone. They are copied from k8s.io/apimachinery
//! `pkg/util/managedfields/internal` (the entries themselves are in `managed.rs`):
//! `buildmanagerinfo.go` (an empty manager becomes `unknown`),
//! `managedfieldsupdater.go` (an Update's fields are the ones it changed, merged into the
//! manager's entry, stamped with the time; an Apply's time moves only when the object changed),
//! `skipnonapplied.go` (an untracked object is not tracked by updates, and its fields go to
//! `before-first-apply` on the first apply), `stripmeta.go` (identity and server fields are never
//! owned) and `conflict.go` (the 409); and from
//! sigs.k8s.io/structured-merge-diff `merge/update.go` (`Updater.Apply`, `Updater.Update`,
//! `prune`, `addBackOwnedItems`, `addBackDanglingItems`). Not copied: `capmanagers.go` (more than
//! ten Update entries are merged into `ancient-changes`) and the kubectl last-applied annotation.

use serde_json::{Value, json};

use crate::clock;
use crate::fields::{Element, FieldSet, Path, path_string};
use crate::managed::{Entry, Managed, for_update, split, store};
use crate::merge::{self, drop_nulls, remove_items};
use crate::status::Reply;
use crate::typed::{compare, to_field_set};

/// The manager that owns what an object held before its first apply (`skipnonapplied.go`).
const BEFORE_FIRST_APPLY: &str = "before-first-apply";

/// Paths never owned by anyone (`stripmeta.go`).
const STRIPPED: [&[&str]; 12] = [
    &["apiVersion"],
    &["kind"],
    &["metadata"],
    &["metadata", "name"],
    &["metadata", "namespace"],
    &["metadata", "creationTimestamp"],
    &["metadata", "selfLink"],
    &["metadata", "uid"],
    &["metadata", "clusterName"],
    &["metadata", "generation"],
    &["metadata", "managedFields"],
    &["metadata", "resourceVersion"],
];

/// One field another manager owns and an apply would change.
#[derive(Debug, Clone)]
pub(crate) struct Conflict {
    identifier: String,
    manager: String,
    path: Path,
}

fn stripped() -> FieldSet {
    let mut s = FieldSet::default();
    for p in STRIPPED {
        let path: Path = p.iter().map(|f| Element::Field((*f).to_owned())).collect();
        s.insert(&path);
    }
    s
}

fn entry(manager: &str, apply: bool, api_version: &str) -> Entry {
    let manager = if manager.is_empty() { "unknown" } else { manager };
    Entry {
        manager: manager.to_owned(),
        apply,
        api_version: api_version.to_owned(),
        time: None,
        subresource: String::new(),
        set: FieldSet::default(),
    }
}

/// An Update by `manager` from `live` to `new` (`creating` when `live` is the empty object of a
/// create): every manager loses what changed, and `manager` gains it, stamped `now`.
fn update(
    live: &Value,
    new: &Value,
    managed: &mut Managed,
    manager: &str,
    api_version: &str,
    creating: bool,
    now: &str,
) {
    if managed.0.is_empty() && !creating {
        return;
    }
    let cmp = compare(live, new);
    let changed = cmp.added.union(&cmp.modified);
    managed.disown(&changed.union(&cmp.removed), None);
    let current = changed.difference(&stripped());
    if current.is_empty() {
        return;
    }
    let fresh = entry(manager, false, api_version);
    let e = managed.0.entry(fresh.identifier()).or_insert(fresh);
    e.set = current.union(&e.set);
    e.time = Some(now.to_owned());
}

/// An Apply of `config` by `manager` onto `live`: the merged, pruned object, or the conflicts.
fn apply(
    live: &Value,
    config: &Value,
    managed: &mut Managed,
    manager: &str,
    api_version: &str,
    force: bool,
    now: &str,
) -> Result<Value, Vec<Conflict>> {
    if managed.0.is_empty() {
        update(&json!({"metadata": {}}), live, managed, BEFORE_FIRST_APPLY, api_version, true, now);
    }
    let mut mine = entry(manager, true, api_version);
    let id = mine.identifier();
    let last = managed.0.get(&id).map(|e| e.set.clone()).unwrap_or_default();
    mine.time = managed.0.get(&id).and_then(|e| e.time.clone());
    mine.set = to_field_set(config);
    managed.0.insert(id.clone(), mine);
    let mut merged = merge::apply(live, config);
    if !last.is_empty() {
        merged = prune(&merged, &managed.owned(), &last);
    }
    let cmp = compare(live, &merged);
    let changed = cmp.added.union(&cmp.modified);
    let conflicts: Vec<Conflict> = managed
        .0
        .iter()
        .filter(|(other, _)| **other != id)
        .flat_map(|(other, e)| {
            e.set.intersection(&changed).paths().into_iter().map(|path| Conflict {
                identifier: other.clone(),
                manager: e.printed(),
                path,
            })
        })
        .collect();
    if !force && !conflicts.is_empty() {
        return Err(conflicts);
    }
    managed.disown(&changed.union(&cmp.removed), Some(&id));
    if let Some(e) = managed.0.get_mut(&id) {
        e.set = e.set.difference(&stripped());
    }
    managed.disown(&FieldSet::default(), None);
    if &merged != live
        && let Some(e) = managed.0.get_mut(&id)
    {
        e.time = Some(now.to_owned());
    }
    Ok(merged)
}

/// `Updater.prune`: what `last` (the applier's previous fields) held and no manager owns now is
/// removed; what nobody owned before stays (`addBackDanglingItems`).
fn prune(merged: &Value, owned: &FieldSet, last: &FieldSet) -> Value {
    let named = |s: &FieldSet| s.with_named_fields("");
    let last = named(last);
    let merged_set = named(&to_field_set(merged));
    let pruned = remove_items(merged, &last);
    let keep = named(&to_field_set(&pruned)).union(&named(owned));
    let pruned = remove_items(merged, &merged_set.difference(&keep));
    let gone = merged_set.difference(&named(&to_field_set(&pruned)));
    remove_items(merged, &gone.intersection(&last))
}

/// `NewConflictError`: 409 with one cause per field, grouped by manager in the message.
fn conflict_reply(mut conflicts: Vec<Conflict>) -> Reply {
    conflicts.sort_by(|a, b| a.identifier.cmp(&b.identifier));
    let causes: Vec<Value> = conflicts
        .iter()
        .map(|c| {
            json!({
                "reason": "FieldManagerConflict",
                "message": format!("conflict with {}", c.manager),
                "field": path_string(&c.path),
            })
        })
        .collect();
    let message = match conflicts.as_slice() {
        [c] => format!(
            "Apply failed with 1 conflict: conflict with {}: {}",
            c.manager,
            path_string(&c.path)
        ),
        _ => {
            let mut lines = Vec::new();
            for (i, c) in conflicts.iter().enumerate() {
                if i == 0 || conflicts[i - 1].identifier != c.identifier {
                    lines.push(format!("conflicts with {}:", c.manager));
                }
                lines.push(format!("- {}", path_string(&c.path)));
            }
            format!("Apply failed with {} conflicts: {}", conflicts.len(), lines.join("\n"))
        }
    };
    Reply::failure(409, "Conflict", &message, Some(json!({ "causes": causes })))
}

/// Records an Update by `manager` (POST, PUT, merge or strategic patch, [`crate::FakeKube::put`])
/// of `new`, replacing `live` (`None` on create), into `new.metadata.managedFields`.
pub(crate) fn record_update(
    api_version: &str,
    live: Option<&Value>,
    new: &mut Value,
    manager: &str,
) {
    let (live_obj, live_mf) = live.map_or((json!({"metadata": {}}), None), split);
    let (new_obj, sent) = split(new);
    let mut managed = for_update(live_mf.as_ref(), sent.as_ref());
    let now = clock::rfc3339(clock::now_unix());
    update(&live_obj, &new_obj, &mut managed, manager, api_version, live.is_none(), &now);
    *new = new_obj;
    store(new, &managed);
}

/// An Apply by `manager` of `config` onto `live` (`None` on create): the object to admit, with
/// its managed fields, or the Status to answer with.
pub(crate) fn record_apply(
    api_version: &str,
    live: Option<&Value>,
    config: &Value,
    manager: &str,
    force: bool,
) -> Result<Value, Reply> {
    let (live_obj, live_mf) = live.map_or((json!({"metadata": {}}), None), split);
    let mut managed = Managed::decode(live_mf.as_ref())
        .map_err(|e| Reply::internal(&format!("failed to decode managed fields: {e}")))?;
    let now = clock::rfc3339(clock::now_unix());
    let mut obj = apply(&live_obj, config, &mut managed, manager, api_version, force, &now)
        .map_err(conflict_reply)?;
    drop_nulls(&mut obj);
    store(&mut obj, &managed);
    Ok(obj)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn managers(m: &Managed) -> Vec<(String, Option<String>, Value)> {
        m.0.values().map(|e| (e.manager.clone(), e.time.clone(), e.set.to_fields_v1())).collect()
    }

    fn secret(data: Value) -> Value {
        json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "data": data})
    }

    #[test]
    fn an_apply_that_changes_nothing_keeps_its_time() {
        let mut m = Managed::default();
        let empty = json!({"metadata": {}});
        let config = secret(json!({"k": "dg=="}));
        let live = apply(&empty, &config, &mut m, "a", "v1", false, "t1").expect("applies");
        let again = apply(&live, &config, &mut m, "a", "v1", false, "t2").expect("applies");
        assert_eq!(again, live);
        assert_eq!(managers(&m), [("a".into(), Some("t1".into()), json!({"f:data": {"f:k": {}}}))]);
    }

    #[test]
    fn the_same_value_is_shared_and_survives_one_owner_leaving() {
        let mut m = Managed::default();
        let empty = json!({"metadata": {}});
        let both = secret(json!({"k": "dg==", "x": "eA=="}));
        let live = apply(&empty, &both, &mut m, "a", "v1", false, "t1").expect("applies");
        let shared = secret(json!({"k": "dg=="}));
        let live = apply(&live, &shared, &mut m, "b", "v1", false, "t1").expect("no conflict");
        assert_eq!(m.0.len(), 2);
        let only_x = secret(json!({"x": "eA=="}));
        let live = apply(&live, &only_x, &mut m, "a", "v1", false, "t2").expect("applies");
        assert_eq!(live["data"], json!({"k": "dg==", "x": "eA=="}));
        let changed = secret(json!({"x": "eQ=="}));
        let conflicts =
            apply(&live, &changed, &mut m, "b", "v1", false, "t3").expect_err("conflict");
        assert_eq!(conflicts.len(), 1);
        assert_eq!(path_string(&conflicts[0].path), ".data.x");
    }

    #[test]
    fn updates_are_not_tracked_on_untracked_objects() {
        let mut m = Managed::default();
        let live = secret(json!({"k": "dg=="}));
        let new = secret(json!({"k": "eA=="}));
        update(&live, &new, &mut m, "u", "v1", false, "t");
        assert!(m.0.is_empty());
        update(&json!({"metadata": {}}), &new, &mut m, "", "v1", true, "t");
        let owners = managers(&m);
        assert_eq!(owners[0].0, "unknown");
        assert_eq!(owners[0].2, json!({"f:data": {".": {}, "f:k": {}}}));
    }
}
