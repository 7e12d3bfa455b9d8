//! The hook tools themselves: one dispatcher, one module per tool family, each enforcing Juju's
//! rules against the session (juju/juju `worker/uniter/runner/jujuc/`). A tool's failure is data —
//! exit code and `ERROR …` on stderr — never a Rust error: exit 2 for usage errors
//! ([`Fail::Usage`]), 1 for runtime errors ([`Fail::Run`]).

mod action;
pub(crate) mod args;
mod config;
mod misc;
mod relation;
mod secret;
mod secret_admin;
pub(crate) mod secret_content;
mod status;
mod unit_state;

use std::io::Read;

use crate::outcome::Call;
use crate::session::Session;

/// Every tool in Juju 3.x's registry (juju/juju jujuc/server.go).
pub const HOOK_TOOLS: &[&str] = &[
    "action-fail",
    "action-get",
    "action-log",
    "action-set",
    "add-metric",
    "application-version-set",
    "close-port",
    "config-get",
    "credential-get",
    "goal-state",
    "is-leader",
    "juju-log",
    "juju-reboot",
    "k8s-raw-get",
    "k8s-raw-set",
    "k8s-spec-get",
    "k8s-spec-set",
    "leader-get",
    "leader-set",
    "network-get",
    "open-port",
    "opened-ports",
    "payload-register",
    "payload-status-set",
    "payload-unregister",
    "pod-spec-get",
    "pod-spec-set",
    "relation-get",
    "relation-ids",
    "relation-list",
    "relation-model-get",
    "relation-set",
    "resource-get",
    "secret-add",
    "secret-get",
    "secret-grant",
    "secret-ids",
    "secret-info-get",
    "secret-remove",
    "secret-revoke",
    "secret-set",
    "state-delete",
    "state-get",
    "state-set",
    "status-get",
    "status-set",
    "storage-add",
    "storage-get",
    "storage-list",
    "unit-get",
];

/// Whether `name` is a Juju 3.x hook tool.
pub fn is_hook_tool(name: &str) -> bool {
    HOOK_TOOLS.binary_search(&name).is_ok()
}

/// How a tool failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Fail {
    /// Flag or argument error: exit 2.
    Usage(String),
    /// Runtime error: exit 1.
    Run(String),
}

/// What a tool printed on success.
pub(crate) type Served = Result<Vec<u8>, Fail>;

/// What a tool call returns to its caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Reply {
    pub code: i32,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

/// Serves one call of `tool`; `previous` are the run's earlier calls (for fault injection).
pub(crate) fn serve(
    sess: &mut Session,
    tool: &str,
    args: &[String],
    stdin: &mut dyn Read,
    previous: &[Call],
) -> Reply {
    if let Some(f) = sess.faults.iter().find(|f| f.fires(tool, previous)) {
        return Reply { code: f.code, stdout: Vec::new(), stderr: f.stderr.clone().into_bytes() };
    }
    if sess.ctx.action.is_none() && tool.starts_with("action-") {
        return fail(Fail::Run("not running an action".into()));
    }
    let served = match tool {
        "config-get" => config::config_get(sess, args),
        "is-leader" => config::is_leader(sess, args),
        "leader-get" => config::leader_get(sess, args),
        "leader-set" => config::leader_set(sess, args),
        "relation-ids" => relation::relation_ids(sess, args),
        "relation-list" => relation::relation_list(sess, args),
        "relation-get" => relation::relation_get(sess, args),
        "relation-set" => relation::relation_set(sess, args, stdin),
        "relation-model-get" => relation::relation_model_get(sess, args),
        "secret-add" => secret::secret_add(sess, args, stdin),
        "secret-get" => secret::secret_get(sess, args),
        "secret-set" => secret::secret_set(sess, args, stdin),
        "secret-info-get" => secret_admin::secret_info_get(sess, args),
        "secret-ids" => secret_admin::secret_ids(sess, args),
        "secret-remove" => secret_admin::secret_remove(sess, args),
        "secret-grant" => secret_admin::secret_grant(sess, args),
        "secret-revoke" => secret_admin::secret_revoke(sess, args),
        "status-set" => status::status_set(sess, args),
        "status-get" => status::status_get(sess, args),
        "application-version-set" => status::application_version_set(sess, args),
        "juju-log" => status::juju_log(sess, args),
        "action-get" => action::action_get(sess, args),
        "action-set" => action::action_set(sess, args),
        "action-fail" => action::action_fail(sess, args),
        "action-log" => action::action_log(sess, args),
        "state-get" => unit_state::state_get(sess, args),
        "state-set" => unit_state::state_set(sess, args, stdin),
        "state-delete" => unit_state::state_delete(sess, args),
        "open-port" => unit_state::port(sess, args, true),
        "close-port" => unit_state::port(sess, args, false),
        "opened-ports" => unit_state::opened_ports(sess, args),
        "resource-get" => misc::resource_get(sess, args),
        "network-get" => misc::network_get(sess, args),
        "goal-state" => misc::goal_state(sess, args),
        "credential-get" => misc::credential_get(sess, args),
        "unit-get" => misc::unit_get(sess, args),
        other if is_hook_tool(other) => {
            Err(Fail::Run(format!("{other} is not modelled by juju-sim")))
        }
        other => Err(Fail::Run(format!("unknown command {other:?}"))),
    };
    let warning = std::mem::take(&mut sess.warning);
    match served {
        Ok(stdout) => {
            let mut stderr = warning;
            stderr.extend(format_deprecation(tool, args));
            Reply { code: 0, stdout, stderr }
        }
        Err(e) => {
            let mut reply = fail(e);
            reply.stderr.splice(0..0, warning);
            reply
        }
    }
}

/// juju-log, open-port and close-port accept `--format` only to warn, on success, that it is
/// deprecated (juju/juju `jujuc/juju-log.go`, `ports.go`): no trailing newline.
fn format_deprecation(tool: &str, args: &[String]) -> Vec<u8> {
    let flags = args.iter().take_while(|a| *a != "--");
    let given = flags.into_iter().any(|a| a == "--format" || a.starts_with("--format="));
    if given && matches!(tool, "juju-log" | "open-port" | "close-port") {
        format!("--format flag deprecated for command {tool:?}").into_bytes()
    } else {
        Vec::new()
    }
}

fn fail(e: Fail) -> Reply {
    let (code, msg) = match e {
        Fail::Usage(m) => (2, m),
        Fail::Run(m) => (1, m),
    };
    Reply { code, stdout: Vec::new(), stderr: format!("ERROR {msg}\n").into_bytes() }
}

/// Resolves `-r` (`7` or `db:7`) or the hook's relation to a relation id in the working model.
pub(crate) fn relation_id(sess: &Session, flag: Option<&str>) -> Result<u64, Fail> {
    relation_id_named(sess, flag, "-r")
}

/// [`relation_id`] for a flag that `option` names in error messages (`-r`, `--relation`; see
/// `Args::option_name`). As Juju's relationIdValue: only the number after the last `:` counts
/// (the endpoint before it is ignored); a number that does not parse is `invalid relation id`,
/// one the model does not hold `relation not found`; both are flag errors (exit 2).
pub(crate) fn relation_id_named(
    sess: &Session,
    flag: Option<&str>,
    option: &str,
) -> Result<u64, Fail> {
    let Some(given) = flag else {
        return sess.ctx.relation.ok_or_else(|| Fail::Usage("no relation id specified".into()));
    };
    let bad =
        |why: &str| Fail::Usage(format!("invalid value {given:?} for option {option}: {why}"));
    let num = given.rsplit_once(':').map_or(given, |(_, n)| n);
    let id: i64 = num.parse().map_err(|_| bad("invalid relation id"))?;
    u64::try_from(id)
        .ok()
        .filter(|id| sess.view().relations.contains_key(id))
        .ok_or_else(|| bad("relation not found"))
}

/// The relation named by the `-r`/`--relation` flag of `a`, or the hook's relation.
pub(crate) fn relation<'a>(
    sess: &'a Session,
    a: &args::Args,
) -> Result<&'a crate::state::Relation, Fail> {
    let id = relation_id_named(sess, a.get("relation"), &a.option_name("relation"))?;
    sess.view().relations.get(&id).ok_or_else(|| Fail::Run("relation not found".into()))
}

/// Juju's `names.IsValidApplication`: lowercase words of letters and digits joined by `-`, each
/// word after the first holding a letter, starting with a letter.
pub(crate) fn valid_application(name: &str) -> bool {
    let mut words = name.split('-');
    let first_ok = words.next().is_some_and(|w| {
        w.starts_with(|c: char| c.is_ascii_lowercase())
            && w.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    });
    first_ok
        && words.all(|w| {
            w.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
                && w.bytes().any(|b| b.is_ascii_lowercase())
        })
}

/// Juju's `names.IsValidUnit`: `<application>/<number>`, the number without leading zeros.
pub(crate) fn valid_unit(name: &str) -> bool {
    name.rsplit_once('/').is_some_and(|(app, n)| {
        valid_application(app)
            && !n.is_empty()
            && n.bytes().all(|b| b.is_ascii_digit())
            && (n == "0" || !n.starts_with('0'))
    })
}

/// Parses a YAML or JSON map of strings (a `--file` argument), stringifying scalar values.
pub(crate) fn parse_string_map(
    text: &str,
) -> Result<std::collections::BTreeMap<String, String>, String> {
    use serde_json::Value;
    let value: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(_) if text.trim().is_empty() => Value::Null,
        Err(_) => serde_saphyr::from_str(text).map_err(|e| e.to_string())?,
    };
    let map = match value {
        Value::Object(m) => m,
        Value::Null => return Ok(Default::default()),
        _ => return Err("expected a map".into()),
    };
    map.into_iter()
        .map(|(k, v)| {
            let s = match v {
                Value::String(s) => s,
                Value::Null => String::new(),
                Value::Bool(b) => b.to_string(),
                Value::Number(n) => n.to_string(),
                other => return Err(format!("value of {k:?} is not a string: {other}")),
            };
            Ok((k, s))
        })
        .collect()
}

/// Reads a `--file` argument: `-` is stdin, anything else a path (relative to the calling
/// process's working directory).
pub(crate) fn read_file_arg(
    sess: &Session,
    path: &str,
    stdin: &mut dyn Read,
) -> Result<String, Fail> {
    if path == "-" {
        let mut s = String::new();
        stdin.read_to_string(&mut s).map_err(|e| Fail::Run(format!("reading stdin: {e}")))?;
        Ok(s)
    } else {
        std::fs::read_to_string(sess.file_path(path))
            .map_err(|e| Fail::Run(format!("open {path}: {e}")))
    }
}
