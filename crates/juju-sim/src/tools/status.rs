//! status-set, status-get, application-version-set and juju-log: the tools whose effect is
//! immediate and survives a failing hook (Juju applies them at the call, not at the commit).

use serde_json::json;

use super::args::{Args, FORMAT, switch, val};
use super::fail::{Fail, Served};
use crate::format::{Format, render};
use crate::session::Session;
use crate::state::{LogLine, StatusEntry};

const SETTABLE: [&str; 4] = ["maintenance", "blocked", "waiting", "active"];
const LEVELS: [&str; 6] = ["TRACE", "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"];

pub(crate) fn status_set(sess: &mut Session, args: &[String]) -> Served {
    let a = Args::parse(args, &[switch("application", None)])?;
    a.at_most(2)?;
    let status = a
        .arg(0)
        .ok_or_else(|| Fail::Usage("invalid args, require <status> [message]".into()))?
        .to_owned();
    if !SETTABLE.contains(&status.as_str()) {
        return Err(Fail::Usage(format!(
            "invalid status {status:?}, expected one of [{}]",
            SETTABLE.join(" ")
        )));
    }
    let message = a.arg(1).unwrap_or("").to_owned();
    let app = a.on("application");
    if app && !sess.is_leader() {
        return Err(Fail::Run("this unit is not the leader".into()));
    }
    let unit = sess.unit();
    let target = if app { sess.view().app.clone() } else { sess.unit_name() };
    sess.immediate(|s| {
        let pair = (status.clone(), message.clone());
        if app {
            s.app_status = pair;
        } else if let Some(u) = s.units.get_mut(&unit) {
            u.status = pair;
        }
        s.status_history.push(StatusEntry {
            target: target.clone(),
            status: status.clone(),
            message: message.clone(),
        });
    });
    Ok(Vec::new())
}

pub(crate) fn status_get(sess: &mut Session, args: &[String]) -> Served {
    let a =
        Args::parse(args, &[FORMAT, switch("include-data", None), switch("application", None)])?;
    let fmt = a.format(Format::Smart)?;
    a.at_most(0)?;
    let state = sess.view();
    let details = |(status, message): &(String, String)| json!({"message": message, "status": status, "status-data": {}});
    if a.on("application") {
        if !sess.is_leader() {
            return Err(Fail::Run(
                "finding application status: this unit is not the leader".into(),
            ));
        }
        let mut app = details(&state.app_status);
        let units: serde_json::Map<String, serde_json::Value> =
            state.units.iter().map(|(n, u)| (state.unit_name(*n), details(&u.status))).collect();
        app["units"] = json!(units);
        return Ok(render(fmt, &json!({ "application-status": app })));
    }
    let pair = state.units.get(&sess.unit()).map(|u| u.status.clone()).unwrap_or_default();
    let out = match (a.on("include-data"), fmt) {
        (true, _) => details(&pair),
        (false, Format::Smart) => json!(pair.0),
        (false, _) => json!({ "status": pair.0 }),
    };
    Ok(render(fmt, &out))
}

pub(crate) fn application_version_set(sess: &mut Session, args: &[String]) -> Served {
    let a = Args::parse(args, &[])?;
    let version = a.arg(0).ok_or_else(|| Fail::Usage("no version specified".into()))?.to_owned();
    a.at_most(1)?;
    sess.immediate(|s| s.workload_version = version.clone());
    Ok(Vec::new())
}

pub(crate) fn juju_log(sess: &mut Session, args: &[String]) -> Served {
    let a = Args::parse(args, &[switch("debug", None), val("log-level", Some('l')), FORMAT])?;
    if a.pos.is_empty() {
        return Err(Fail::Usage("no message specified".into()));
    }
    let level = match (a.on("debug"), a.get("log-level")) {
        (true, _) => "DEBUG".to_owned(),
        (false, Some(l)) if LEVELS.contains(&l.to_ascii_uppercase().as_str()) => {
            l.to_ascii_uppercase()
        }
        _ => "INFO".to_owned(),
    };
    let prefix = sess
        .ctx
        .relation
        .and_then(|id| sess.view().relations.get(&id))
        .map(|r| format!("{}: ", r.key()))
        .unwrap_or_default();
    let line =
        LogLine { unit: sess.unit_name(), level, message: format!("{prefix}{}", a.pos.join(" ")) };
    sess.immediate(|s| s.juju_log.push(line.clone()));
    Ok(Vec::new())
}
