//! The state of one running hook, shared by every hook-tool call of that hook: the model as it was
//! committed (`base`), the model with this hook's buffered writes (`work`), and the hook context.
//!
//! Buffered tools (relation-set, state-*, ports, secret-*) change only `work`; immediate ones
//! (status-set, juju-log, application-version-set, action-log) change both. Exit 0 keeps `work`,
//! anything else keeps `base`, as Juju's `HookContext.Flush` does. Both forms keep the session in
//! memory for the whole hook, as Juju's unit agent keeps its `HookContext`: the in-process form in
//! its runner, the process-level form in the thread that serves the hook's agent socket (`server`),
//! to which every hook-tool process sends its call.

use std::path::{Path, PathBuf};

use crate::event::HookContext;
use crate::outcome::{ActionOutcome, Call, Fault, Outcome};
use crate::state::State;

/// One running hook.
#[derive(Clone, Debug)]
pub(crate) struct Session {
    /// Committed model plus immediate effects.
    pub base: State,
    /// `base` plus this hook's buffered writes.
    pub work: State,
    /// The running hook.
    pub ctx: HookContext,
    /// Faults to inject.
    pub faults: Vec<Fault>,
    /// Length of the juju-log when the hook started.
    pub log_start: usize,
    /// Length of the status history when the hook started.
    pub status_start: usize,
    /// Why committing this hook's changes will fail even if dispatch exits 0: a buffered change
    /// the controller refuses (e.g. `secret-set` of a secret the unit does not own, which the
    /// tool accepts and Juju refuses at commit).
    pub commit_error: Option<String>,
    /// The working directory of the process making the current call (Juju's `Request.Dir`),
    /// against which a relative `--file` path is read; `None` in-process (the test's own).
    pub call_dir: Option<PathBuf>,
    /// What the current call writes to stderr although it succeeds (a deprecation warning).
    pub warning: Vec<u8>,
}

impl Session {
    /// A session for `ctx` on `state`.
    pub(crate) fn new(state: State, ctx: HookContext, faults: Vec<Fault>) -> Self {
        Session {
            log_start: state.juju_log.len(),
            status_start: state.status_history.len(),
            commit_error: None,
            work: state.clone(),
            base: state,
            ctx,
            faults,
            call_dir: None,
            warning: Vec::new(),
        }
    }

    /// The model as this hook sees it (its own pending writes included).
    pub(crate) fn view(&self) -> &State {
        &self.work
    }

    /// For a buffered write.
    pub(crate) fn buffered(&mut self) -> &mut State {
        &mut self.work
    }

    /// For an immediate effect: applied to both the committed and the working model.
    pub(crate) fn immediate(&mut self, f: impl Fn(&mut State)) {
        f(&mut self.base);
        f(&mut self.work);
    }

    /// Records a change the controller will refuse when the hook's changes are committed; the
    /// first one recorded is the one reported.
    pub(crate) fn refuse_at_commit(&mut self, error: &str) {
        self.commit_error.get_or_insert_with(|| error.to_owned());
    }

    /// The running unit's number.
    pub(crate) fn unit(&self) -> u32 {
        self.ctx.unit
    }

    /// The running unit's name.
    pub(crate) fn unit_name(&self) -> String {
        self.work.unit_name(self.ctx.unit)
    }

    /// Whether the running unit is the leader.
    pub(crate) fn is_leader(&self) -> bool {
        self.work.is_leader(self.ctx.unit)
    }

    /// `path` as the calling process would open it: relative to its working directory.
    pub(crate) fn file_path<'a>(&self, path: &'a str) -> std::borrow::Cow<'a, Path> {
        match &self.call_dir {
            Some(dir) if Path::new(path).is_relative() => dir.join(path).into(),
            _ => Path::new(path).into(),
        }
    }
}

/// Commits or discards the session's buffered writes and builds the outcome.
pub(crate) fn finish(
    session: Session,
    exit_code: Option<i32>,
    calls: Vec<Call>,
) -> (State, Outcome) {
    let Session { base, work, ctx, log_start, status_start, commit_error, .. } = session;
    let commit_error = commit_error.filter(|_| exit_code == Some(0));
    let ok = exit_code == Some(0) && commit_error.is_none();
    let mut state = if ok { work } else { base };
    let unit_name = state.unit_name(ctx.unit);
    if let Some(unit) = state.units.get_mut(&ctx.unit) {
        match (&ctx.action, ok) {
            (None, true) => unit.hook_error = None,
            (None, false) => unit.hook_error = Some(format!("hook failed: {:?}", ctx.hook)),
            (Some(_), _) => {}
        }
    }
    if let (true, Some(id)) = (ok, ctx.broken) {
        state.relations.remove(&id);
    }
    if let (true, "secret-changed", Some((xid, _))) = (ok, ctx.hook.as_str(), &ctx.secret) {
        // The unit agent remembers the revision it ran secret-changed for (the uniter's
        // ConsumedSecretInfo), so the hook is not due again until a newer revision.
        if let Some(s) = state.secrets.iter_mut().find(|s| &s.id == xid)
            && let Some(latest) = s.latest().map(|r| r.revision)
        {
            s.seen.insert(unit_name.clone(), latest);
        }
    }
    let history = state.status_history.get(status_start..).unwrap_or_default();
    let pick = |unit: bool| -> Vec<(String, String)> {
        history
            .iter()
            .filter(|e| (e.target == unit_name) == unit)
            .map(|e| (e.status.clone(), e.message.clone()))
            .collect()
    };
    let action = ctx.action.map(|a| ActionOutcome {
        results: a.results,
        failed: match exit_code {
            // A refused commit fails the action; Juju keeps an action-fail message if any.
            Some(0) if commit_error.is_some() => {
                Some(a.failed.unwrap_or_else(|| "committing requested changes failed".into()))
            }
            Some(0) => a.failed,
            Some(n) => Some(format!("exit status {n}")),
            None => Some("signal: killed".into()),
        },
        logs: a.logs,
    });
    let outcome = Outcome {
        exit_code,
        committed: ok,
        commit_error,
        calls,
        logs: state.juju_log.get(log_start..).unwrap_or_default().to_vec(),
        unit_status: state.unit_status(ctx.unit),
        status_history: pick(true),
        app_status_history: pick(false),
        action,
        stdout: String::new(),
        stderr: String::new(),
        elapsed: None,
    };
    (state, outcome)
}
