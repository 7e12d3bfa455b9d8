//! The state of one running hook, shared by every hook-tool call of that hook: the model as it was
//! committed (`base`), the model with this hook's buffered writes (`work`), and the hook context.
//!
//! Buffered tools (relation-set, state-*, ports, secret-*) change only `work`; immediate ones
//! (status-set, juju-log, application-version-set, action-log) change both. Exit 0 keeps `work`,
//! anything else keeps `base` (spec §1.4). Process-level runs keep this in `agent/session.json`,
//! rewritten (tmp + rename) only when a call changed something, and append one line per call to
//! `agent/calls.jsonl`, so a read-only tool costs one small JSON read.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::SimError;
use crate::event::HookContext;
use crate::outcome::{Call, Fault};
use crate::state::State;

/// Name of the session file inside the agent directory.
pub(crate) const SESSION_FILE: &str = "session.json";
/// Name of the call log inside the agent directory.
pub(crate) const CALLS_FILE: &str = "calls.jsonl";

/// One running hook.
#[derive(Clone, Debug, Serialize, Deserialize)]
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit_error: Option<String>,
    /// The working directory of the process making the current call (Juju's `Request.Dir`),
    /// against which a relative `--file` path is read; `None` when that is this process's own.
    #[serde(skip)]
    pub call_dir: Option<PathBuf>,
    /// Whether a call changed the session (not persisted).
    #[serde(skip)]
    pub dirty: bool,
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
            dirty: false,
        }
    }

    /// The model as this hook sees it (its own pending writes included).
    pub(crate) fn view(&self) -> &State {
        &self.work
    }

    /// For a buffered write.
    pub(crate) fn buffered(&mut self) -> &mut State {
        self.dirty = true;
        &mut self.work
    }

    /// For an immediate effect: applied to both the committed and the working model.
    pub(crate) fn immediate(&mut self, f: impl Fn(&mut State)) {
        self.dirty = true;
        f(&mut self.base);
        f(&mut self.work);
    }

    /// Records a change the controller will refuse when the hook's changes are committed; the
    /// first one recorded is the one reported.
    pub(crate) fn refuse_at_commit(&mut self, error: &str) {
        self.dirty = true;
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

    /// Reads the session in `agent_dir`.
    pub(crate) fn load(agent_dir: &Path) -> Result<Self, SimError> {
        let path = agent_dir.join(SESSION_FILE);
        let bytes = fs::read(&path).map_err(|e| SimError::io(&path, e))?;
        Ok(serde_json::from_slice(&bytes)?)
    }

    /// Writes the session atomically (tmp file + rename).
    pub(crate) fn save(&self, agent_dir: &Path) -> Result<(), SimError> {
        let path = agent_dir.join(SESSION_FILE);
        let tmp = agent_dir.join(format!(".{SESSION_FILE}.{}", std::process::id()));
        let bytes = serde_json::to_vec(self)?;
        fs::write(&tmp, bytes).map_err(|e| SimError::io(&tmp, e))?;
        fs::rename(&tmp, &path).map_err(|e| SimError::io(&path, e))
    }
}

/// Appends one call record to the call log.
pub(crate) fn append_call(agent_dir: &Path, call: &Call) -> Result<(), SimError> {
    let path = agent_dir.join(CALLS_FILE);
    let mut line = serde_json::to_vec(call)?;
    line.push(b'\n');
    let mut f = fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .map_err(|e| SimError::io(&path, e))?;
    // One write of one line: O_APPEND keeps lines whole even if tools ever ran concurrently.
    f.write_all(&line).map_err(|e| SimError::io(&path, e))
}

/// Every call recorded in the call log, in order.
pub(crate) fn read_calls(agent_dir: &Path) -> Result<Vec<Call>, SimError> {
    let path = agent_dir.join(CALLS_FILE);
    let text = match fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(SimError::io(&path, e)),
    };
    text.lines().map(|l| serde_json::from_str(l).map_err(SimError::from)).collect()
}
