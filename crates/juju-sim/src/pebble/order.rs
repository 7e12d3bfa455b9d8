//! The order services start and stop in, ported from canonical/pebble `internals/plan/plan.go`
//! (`order`, `createLanes`, `getOrCreateLane`) and `internals/plan/tarjan.go` (`tarjanSort`):
//! the services named and what they require (to start) or what requires them (to stop),
//! sorted by `after` / `before`, a loop being Pebble's error.

use std::collections::BTreeMap;

use super::plan::{PlanError, Service};

/// `order`: the services to act on, in order.
pub(crate) fn order(
    services: &BTreeMap<String, Service>,
    names: &[String],
    stop: bool,
) -> Result<Vec<String>, PlanError> {
    let missing = |name: &str| PlanError { message: format!("service \"{name}\" does not exist") };
    let mut predecessors: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    if stop {
        for (name, service) in services {
            for req in &service.requires {
                predecessors.entry(req.as_str()).or_default().push(name.clone());
            }
        }
    }
    let mut successors: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut pending: Vec<String> = names.to_vec();
    let mut i = 0;
    while i < pending.len() {
        let name = pending[i].clone();
        i += 1;
        if successors.contains_key(&name) {
            continue;
        }
        successors.insert(name.clone(), Vec::new());
        if stop {
            pending.extend(predecessors.get(name.as_str()).cloned().unwrap_or_default());
        } else {
            let service = services.get(&name).ok_or_else(|| missing(&name))?;
            pending.extend(service.requires.iter().cloned());
        }
    }
    let keys: Vec<String> = successors.keys().cloned().collect();
    for name in &keys {
        let service = services.get(name).ok_or_else(|| missing(name))?;
        let (after, before) = if stop {
            (&service.before, &service.after)
        } else {
            (&service.after, &service.before)
        };
        let mut succs = successors[name].clone();
        for a in after {
            if successors.contains_key(a) {
                succs.push(a.clone());
            }
        }
        successors.insert(name.clone(), succs);
        for b in before {
            if let Some(list) = successors.get_mut(b) {
                list.push(name.clone());
            }
        }
    }
    let mut out = Vec::new();
    for scc in tarjan_sort(&successors) {
        if scc.len() > 1 {
            return Err(PlanError {
                message: format!("services in before/after loop: {}", scc.join(", ")),
            });
        }
        out.extend(scc);
    }
    Ok(out)
}

/// `createLanes`: services that require one another share a lane.
pub(crate) fn lanes(
    names: &[String],
    services: &BTreeMap<String, Service>,
) -> Result<Vec<Vec<String>>, PlanError> {
    let mut mapping: BTreeMap<String, usize> = BTreeMap::new();
    let mut lane: Option<usize> = None;
    let mut max_lane = 0;
    for name in names {
        let service = services
            .get(name)
            .ok_or_else(|| PlanError { message: format!("service \"{name}\" does not exist") })?;
        let found = mapping
            .get(name)
            .copied()
            .or_else(|| service.requires.iter().find_map(|d| mapping.get(d).copied()));
        let chosen = found.unwrap_or_else(|| lane.map_or(0, |l| l + 1));
        mapping.insert(name.clone(), chosen);
        for dep in &service.requires {
            mapping.insert(dep.clone(), chosen);
        }
        lane = Some(chosen);
        max_lane = max_lane.max(chosen);
    }
    let mut out = vec![Vec::new(); if names.is_empty() { 0 } else { max_lane + 1 }];
    for name in names {
        out[mapping[name]].push(name.clone());
    }
    Ok(out)
}

/// `tarjanSort`: the strongly connected components, each sorted, successors first.
fn tarjan_sort(successors: &BTreeMap<String, Vec<String>>) -> Vec<Vec<String>> {
    struct Data<'a> {
        successors: &'a BTreeMap<String, Vec<String>>,
        output: Vec<Vec<String>>,
        lowlink: Vec<usize>,
        stacked: Vec<bool>,
        stack: Vec<String>,
        index: BTreeMap<String, usize>,
    }
    fn connect(data: &mut Data<'_>, id: &str) -> usize {
        let index = data.lowlink.len();
        data.index.insert(id.to_owned(), index);
        data.stack.push(id.to_owned());
        data.lowlink.push(index);
        data.stacked.push(true);
        let succs = data.successors.get(id).cloned().unwrap_or_default();
        for succ in &succs {
            match data.index.get(succ).copied() {
                None => {
                    let low = connect(data, succ);
                    data.lowlink[index] = data.lowlink[index].min(low);
                }
                Some(si) if data.stacked[si] => {
                    data.lowlink[index] = data.lowlink[index].min(si);
                }
                Some(_) => {}
            }
        }
        if data.lowlink[index] == index {
            let mut scc = Vec::new();
            while let Some(top) = data.stack.pop() {
                let si = data.index[&top];
                data.stacked[si] = false;
                scc.push(top);
                if si == index {
                    break;
                }
            }
            data.output.push(scc);
        }
        data.lowlink[index]
    }
    let mut data = Data {
        successors,
        output: Vec::new(),
        lowlink: Vec::new(),
        stacked: Vec::new(),
        stack: Vec::new(),
        index: BTreeMap::new(),
    };
    for id in successors.keys() {
        if !data.index.contains_key(id) {
            connect(&mut data, id);
        }
    }
    for scc in &mut data.output {
        scc.sort();
    }
    data.output
}
