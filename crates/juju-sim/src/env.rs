//! The hook environment, built from scratch as Juju's `HookContext.HookVars` does (juju/juju
//! `worker/uniter/runner/context/context.go`):
//! every "always" variable present even when empty, relation/secret/action variables per event,
//! no `HOME`/`USER`, and `JUJU_DISPATCH_PATH` last. A charm with containers also gets
//! `CHARM_CONTAINERS_DIR`, the simulator's own, saying where their Pebble sockets are.

use std::path::Path;

use crate::event::HookContext;
use crate::state::State;

/// Where the charm and the hook tools live, and where the agent serves the tools.
#[derive(Clone, Debug)]
pub(crate) struct Paths<'a> {
    pub charm_dir: &'a Path,
    pub tools_dir: &'a Path,
    /// `JUJU_AGENT_SOCKET_ADDRESS`.
    pub agent_socket: &'a str,
    /// `CHARM_CONTAINERS_DIR`: where each container's Pebble socket is
    /// (`<dir>/<container>/pebble.socket`); `None` for a charm without containers.
    pub containers_dir: Option<&'a Path>,
}

/// The variables Juju would give `dispatch` for `ctx`, in order.
pub(crate) fn hook_env(
    state: &State,
    ctx: &HookContext,
    paths: &Paths<'_>,
) -> Vec<(String, String)> {
    let mut env: Vec<(String, String)> = Vec::with_capacity(48);
    let mut set = |k: &str, v: &str| env.push((k.to_owned(), v.to_owned()));
    let charm_dir = paths.charm_dir.display().to_string();
    set("CHARM_DIR", &charm_dir);
    set("JUJU_CHARM_DIR", &charm_dir);
    set("JUJU_CONTEXT_ID", &ctx.context_id);
    set("JUJU_HOOK_NAME", &ctx.hook);
    set("JUJU_AGENT_SOCKET_ADDRESS", paths.agent_socket);
    set("JUJU_AGENT_SOCKET_NETWORK", "unix");
    set("JUJU_UNIT_NAME", &state.unit_name(ctx.unit));
    set("JUJU_MODEL_UUID", &state.model.uuid);
    set("JUJU_MODEL_NAME", &state.model.name);
    set("JUJU_API_ADDRESSES", "10.152.183.1:17070");
    // Juju 4.0 removed metrics and their SLA; the variable stays, empty.
    let juju4 = state.model.version().major() >= 4;
    set("JUJU_SLA", if juju4 { "" } else { "unsupported" });
    set("JUJU_MACHINE_ID", "");
    set("JUJU_PRINCIPAL_UNIT", "");
    set("JUJU_AVAILABILITY_ZONE", "");
    set("JUJU_VERSION", &state.model.juju_version);
    set("CLOUD_API_VERSION", "");
    set("JUJU_CHARM_HTTP_PROXY", "");
    set("JUJU_CHARM_HTTPS_PROXY", "");
    set("JUJU_CHARM_FTP_PROXY", "");
    set("JUJU_CHARM_NO_PROXY", "");
    set("PATH", &format!("{}:/usr/local/bin:/usr/bin:/bin", paths.tools_dir.display()));
    set("LANG", "C.UTF-8");
    set("TERM", "tmux-256color");
    set("DEBIAN_FRONTEND", "noninteractive");
    set("APT_LISTCHANGES_FRONTEND", "none");
    for (k, v) in &state.agent_env {
        set(k, v);
    }
    if let Some(rel) = ctx.relation.and_then(|id| state.relations.get(&id)) {
        set("JUJU_RELATION", &rel.endpoint);
        set("JUJU_RELATION_ID", &rel.key());
        set("JUJU_REMOTE_APP", &rel.remote_app);
        set("JUJU_REMOTE_UNIT", &ctx.remote_unit);
        if let Some(d) = &ctx.departing {
            set("JUJU_DEPARTING_UNIT", d);
        }
    }
    if let Some(w) = &ctx.workload {
        // HookContext.HookVars: after the action's, before the secret's.
        set("JUJU_WORKLOAD_NAME", &w.name);
        if let Some((id, kind, key)) = &w.notice {
            set("JUJU_NOTICE_ID", id);
            set("JUJU_NOTICE_TYPE", kind);
            set("JUJU_NOTICE_KEY", key);
        }
        if let Some(check) = &w.check {
            set("JUJU_PEBBLE_CHECK_NAME", check);
        }
    }
    if let Some(dir) = paths.containers_dir {
        // Not Juju's: Juju mounts every container's socket at
        // /charm/containers/<name>/pebble.socket in the charm container. The simulator's
        // sockets live elsewhere, and this says where.
        set("CHARM_CONTAINERS_DIR", &dir.display().to_string());
    }
    if let Some((xid, revision)) = &ctx.secret {
        let secret = state.secrets.iter().find(|s| &s.id == xid);
        set("JUJU_SECRET_ID", &format!("secret:{xid}"));
        set("JUJU_SECRET_LABEL", secret.and_then(|s| s.label.as_deref()).unwrap_or(""));
        if let Some(r) = revision.filter(|r| *r > 0) {
            set("JUJU_SECRET_REVISION", &r.to_string());
        }
    }
    if let Some(a) = &ctx.action {
        set("JUJU_ACTION_NAME", &a.name);
        set("JUJU_ACTION_UUID", &a.id.to_string());
        set("JUJU_ACTION_TAG", &format!("action-{}", a.id));
    }
    set("JUJU_DISPATCH_PATH", &ctx.dispatch_path);
    env
}
