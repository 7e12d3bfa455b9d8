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
use crate::outcome::Fault;
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
