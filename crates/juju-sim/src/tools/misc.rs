//! The remaining read-only tools, modelled minimally: resource-get (a path, no trailing newline),
//! network-get, goal-state, credential-get (trusted applications only) and unit-get.

use serde_json::{Value, json};

use super::args::{Args, FORMAT, switch, val};
use super::common::relation_id;
use super::fail::{Fail, Served};
use crate::format::{Format, render};
use crate::session::Session;
use crate::state::local_address;

pub(crate) fn resource_get(sess: &mut Session, args: &[String]) -> Served {
    let a = Args::parse(args, &[])?;
    let name = a.arg(0).ok_or_else(|| Fail::Usage("missing required resource name".into()))?;
    a.at_most(1)?;
    let state = sess.view();
    if !state.meta.resources.contains_key(name) {
        return Err(Fail::Run(format!("could not download resource: resource {name:?} not found")));
    }
    let path = state.resources.get(name).ok_or_else(|| {
        Fail::Run(format!("could not download resource: resource {name:?} not uploaded"))
    })?;
    // resource-get prints the path with fmt.Fprint: no trailing newline.
    Ok(path.display().to_string().into_bytes())
}

pub(crate) fn network_get(sess: &mut Session, args: &[String]) -> Served {
    let flags = [
        FORMAT,
        val("relation", Some('r')),
        switch("bind-address", None),
        switch("ingress-address", None),
        switch("egress-subnets", None),
        switch("primary-address", None),
    ];
    let a = Args::parse(args, &flags)?;
    let fmt = a.format(Format::Smart)?;
    a.at_most(1)?;
    if let Some(r) = a.get("relation") {
        relation_id(sess, Some(r))?;
    }
    let binding = a.arg(0).ok_or_else(|| Fail::Usage("no arguments specified".into()))?;
    if binding.is_empty() {
        return Err(Fail::Usage("no binding name specified".into()));
    }
    if binding != "juju-info" && !sess.view().meta.endpoints.contains_key(binding) {
        return Err(Fail::Run(format!("no network config found for binding {binding:?}")));
    }
    let addr = local_address(sess.unit());
    let full = json!({
        "bind-addresses": [{
            "mac-address": "",
            "interface-name": "eth0",
            "addresses": [{"hostname": "", "value": addr, "cidr": "10.1.0.0/16"}],
        }],
        "egress-subnets": [format!("{addr}/32")],
        "ingress-addresses": [addr],
    });
    let picks: Vec<(&str, Value)> = [
        ("bind-address", json!(addr)),
        ("ingress-address", json!(addr)),
        ("egress-subnets", json!([format!("{addr}/32")])),
        ("primary-address", json!(addr)),
    ]
    .into_iter()
    .filter(|(f, _)| a.on(f))
    .collect();
    let out = match picks.len() {
        0 => full,
        1 => picks[0].1.clone(),
        _ => Value::Object(picks.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()),
    };
    Ok(render(fmt, &out))
}

pub(crate) fn goal_state(sess: &mut Session, args: &[String]) -> Served {
    let a = Args::parse(args, &[FORMAT])?;
    let fmt = a.format(Format::Yaml)?;
    a.at_most(0)?;
    let state = sess.view();
    let units: Goals = state.units.keys().map(|n| (state.unit_name(*n), "active")).collect();
    let mut relations: Vec<(String, Goals)> = Vec::new();
    for r in state.relations.values().filter(|r| !r.is_peer()) {
        let i = match relations.iter().position(|(ep, _)| *ep == r.endpoint) {
            Some(i) => i,
            None => {
                relations.push((r.endpoint.clone(), Vec::new()));
                relations.len() - 1
            }
        };
        let goals = &mut relations[i].1;
        goals.push((r.remote_app.clone(), "joined"));
        goals.extend(r.remote_units.iter().map(|u| (u.clone(), "active")));
    }
    relations.sort_by(|a, b| a.0.cmp(&b.0));
    for (_, goals) in &mut relations {
        goals.sort();
        goals.dedup();
    }
    Ok(match fmt {
        Format::Json => goal_state_json(&units, &relations),
        Format::Yaml | Format::Smart => goal_state_yaml(&units, &relations),
    }
    .into_bytes())
}

/// Goal-state entries: a unit or application name and its goal status.
type Goals = Vec<(String, &'static str)>;

const GOAL_SINCE: &str = "2026-01-01 00:00:00Z";

/// goal-state as Juju prints it in JSON: its struct's field order (`units` before `relations`,
/// `status` before `since`), map keys sorted.
fn goal_state_json(units: &Goals, relations: &[(String, Goals)]) -> String {
    let q = |s: &str| crate::format::go_json(&json!(s));
    let goals = |g: &Goals| {
        let entries: Vec<String> = g
            .iter()
            .map(|(n, st)| format!("{}:{{\"status\":{},\"since\":{}}}", q(n), q(st), q(GOAL_SINCE)))
            .collect();
        format!("{{{}}}", entries.join(","))
    };
    let rels: Vec<String> =
        relations.iter().map(|(ep, g)| format!("{}:{}", q(ep), goals(g))).collect();
    format!("{{\"units\":{},\"relations\":{{{}}}}}\n", goals(units), rels.join(","))
}

/// goal-state as Juju prints it in YAML (same order as [`goal_state_json`]; `since` is a time,
/// printed plain).
fn goal_state_yaml(units: &Goals, relations: &[(String, Goals)]) -> String {
    let goals = |out: &mut String, g: &Goals, indent: &str| {
        for (n, st) in g {
            out.push_str(&format!(
                "{indent}{n}:\n{indent}  status: {st}\n{indent}  since: {GOAL_SINCE}\n"
            ));
        }
    };
    let mut out = String::new();
    if units.is_empty() {
        out.push_str("units: {}\n");
    } else {
        out.push_str("units:\n");
        goals(&mut out, units, "  ");
    }
    if relations.is_empty() {
        out.push_str("relations: {}\n");
    } else {
        out.push_str("relations:\n");
        for (ep, g) in relations {
            out.push_str(&format!("  {ep}:\n"));
            goals(&mut out, g, "    ");
        }
    }
    out
}

pub(crate) fn credential_get(sess: &mut Session, args: &[String]) -> Served {
    let a = Args::parse(args, &[FORMAT])?;
    let fmt = a.format(Format::Smart)?;
    a.at_most(0)?;
    let state = sess.view();
    if !state.trusted {
        return Err(Fail::Run("cannot access cloud credentials: permission denied".into()));
    }
    let spec = state.cloud_spec.clone().unwrap_or_else(|| {
        json!({
            "type": "kubernetes",
            "name": "microk8s",
            "region": "localhost",
            "endpoint": "https://10.152.183.1:443",
            "credential": {"auth-type": "clientcertificate", "attrs": {}, "redacted": []},
            "cacertificates": [],
            "skip-tls-verify": false,
            "is-controller-cloud": true,
        })
    });
    Ok(render(fmt, &spec))
}

pub(crate) fn unit_get(sess: &mut Session, args: &[String]) -> Served {
    let a = Args::parse(args, &[FORMAT])?;
    let fmt = a.format(Format::Smart)?;
    a.at_most(1)?;
    match a.arg(0) {
        Some("private-address" | "public-address") => {
            Ok(render(fmt, &json!(local_address(sess.unit()))))
        }
        Some(other) => Err(Fail::Usage(format!("unknown setting {other:?}"))),
        None => Err(Fail::Usage("no setting specified".into())),
    }
}
