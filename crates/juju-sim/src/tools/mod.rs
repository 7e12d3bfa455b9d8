//! The hook tools themselves: one dispatcher, one module per tool family, each enforcing Juju's
//! rules against the session (juju/juju `worker/uniter/runner/jujuc/`). A tool's failure is data —
//! exit code and `ERROR …` on stderr — never a Rust error: exit 2 for usage errors
//! ([`Fail::Usage`]), 1 for runtime errors ([`Fail::Run`]).

mod action;
pub(crate) mod args;
mod common;
mod config;
mod expiry;
mod fail;
mod misc;
mod relation;
mod secret;
mod secret_admin;
mod secret_content;
mod status;
mod unit_state;

use std::io::Read;

use juju_charm::rules::JujuVersion;

pub(crate) use self::fail::Fail;
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

/// The hook tools Juju 4.0 removed, with what went with them: leader settings
/// (`leader-get`, `leader-set`; a leader shares data through the peer relation's application
/// bag), the podspec charms (`pod-spec-*`, `k8s-spec-*`, `k8s-raw-*`), metrics (`add-metric`,
/// and `JUJU_SLA`, which 4.0 leaves empty) and payloads (`payload-*`). Under 4.x the simulator
/// serves none of them: the process-level harness has no symlink for them (the charm's shell
/// finds no such command) and in process a call fails as a missing executable does.
pub const REMOVED_IN_JUJU_4: &[&str] = &[
    "add-metric",
    "k8s-raw-get",
    "k8s-raw-set",
    "k8s-spec-get",
    "k8s-spec-set",
    "leader-get",
    "leader-set",
    "payload-register",
    "payload-status-set",
    "payload-unregister",
    "pod-spec-get",
    "pod-spec-set",
];

/// Whether Juju `version` gives charms hook tool `name`: one of [`HOOK_TOOLS`], and not one
/// of [`REMOVED_IN_JUJU_4`] from 4.0 on.
///
/// ```
/// use juju_charm::rules::JujuVersion;
///
/// assert!(juju_sim::has_hook_tool(&JujuVersion::new(3, 6, 8), "leader-get"));
/// assert!(!juju_sim::has_hook_tool(&JujuVersion::new(4, 0, 0), "leader-get"));
/// assert!(juju_sim::has_hook_tool(&JujuVersion::new(4, 0, 0), "secret-get"));
/// ```
pub fn has_hook_tool(version: &JujuVersion, name: &str) -> bool {
    is_hook_tool(name) && (version.major() < 4 || !REMOVED_IN_JUJU_4.contains(&name))
}

/// Whether `name` is a Juju 3.x hook tool.
pub fn is_hook_tool(name: &str) -> bool {
    HOOK_TOOLS.binary_search(&name).is_ok()
}

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
    if !has_hook_tool(&sess.view().model.version(), tool) {
        return fail(Fail::Run(format!("unknown command {tool:?}")));
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
