//! The process-level form: a directory laid out like a unit agent's (charm/, tools/, agent/), the
//! real `dispatch` spawned exactly as Juju spawns it (cleared environment, cwd = charm dir, stdin
//! /dev/null, no argv), and, while it runs, the unit agent's side of the hook tools.
//!
//! As in Juju (juju/juju worker/uniter/runner/runner.go `startJujucServer`, and
//! worker/uniter/runner/jujuc/server.go), [`Harness::run`] keeps the hook's session in memory
//! and serves it on a Unix socket bound for the hook (`server`): a Linux abstract socket, given
//! to dispatch as `JUJU_AGENT_SOCKET_ADDRESS=@<name>` and `JUJU_AGENT_SOCKET_NETWORK=unix`, as
//! Juju sets them on Kubernetes. The hook tools in `tools/` are symlinks to a multi-call binary
//! whose entry point, [`multicall_main`](crate::multicall_main) (`client`), is a thin client
//! like Juju's `jujuc`: it sends its call there and prints the answer. When dispatch has exited
//! (or been killed), the socket is closed and the run is finished from the session: committed
//! or discarded, and `agent/state.json` written.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::SimError;
use crate::env::{Paths, hook_env};
use crate::event::{Event, prepare};
use crate::inproc::{put_containers, start_pebbles};
use crate::outcome::{Fault, Outcome};
use crate::server::{Agent, Listener};
use crate::session::Session;
use crate::session::finish;
use crate::state::State;
use crate::tools::{HOOK_TOOLS, has_hook_tool};
use crate::workload::Pebbles;

/// The charm's YAML files, written into the charm directory.
#[derive(Clone, Debug, Default)]
pub struct CharmFiles {
    /// metadata.yaml.
    pub metadata: String,
    /// config.yaml.
    pub config: String,
    /// actions.yaml.
    pub actions: String,
}

/// A simulated unit agent directory that runs a real `dispatch`.
///
/// The lower level of [`Context::process`](crate::Context::process), for a test that keeps one
/// unit directory across runs. `dispatch` is the charm's compiled binary; the hook tools are a
/// multi-call binary ([`tool_binary`](crate::tool_binary)), symlinked once per tool. Each
/// [`Harness::run`] spawns `dispatch` as Juju does, commits into the harness's state and returns
/// the same [`Outcome`] as [`run_in_process`], with `dispatch`'s stdout, stderr and wall time:
///
/// ```no_run
/// use std::path::Path;
///
/// use juju_sim::{CharmFiles, CharmMeta, Event, Harness, State};
///
/// let files = CharmFiles {
///     metadata: std::fs::read_to_string("metadata.yaml")?,
///     config: std::fs::read_to_string("config.yaml")?,
///     actions: String::new(),
/// };
/// let meta = CharmMeta::from_yaml(&files.metadata, &files.config, &files.actions)?;
/// let state = State::new(meta, "hello", "test").with_units(2);
///
/// let dir = Path::new("/tmp/hello-unit");
/// let dispatch = Path::new("target/debug/hello");
/// let mut harness = Harness::new(dir, dispatch, juju_sim::tool_binary(), files, state)?;
/// for unit in [0, 1] {
///     let out = harness.run(unit, &Event::Install)?;
///     assert_eq!(out.exit_code, Some(0), "{}", out.stderr);
/// }
/// assert_eq!(harness.state().unit_status(1).0, "active");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// [`run_in_process`]: crate::run_in_process
#[derive(Debug)]
pub struct Harness {
    dir: PathBuf,
    state: State,
    /// Faults injected into every following run (clear to stop).
    pub faults: Vec<Fault>,
    /// Kill dispatch with SIGKILL this long after starting it (as a crash or `juju-reboot
    /// --now` would), if it is still running; `None` lets it finish.
    pub kill_after: Option<std::time::Duration>,
}

impl Harness {
    /// Lays out `dir`: `charm/` (dispatch symlinked, YAML files written), `tools/` (one symlink per
    /// hook tool, all to `tool_binary`, whose `main` calls
    /// [`multicall_main`](crate::multicall_main)), `agent/` (state.json).
    pub fn new(
        dir: &Path,
        dispatch: &Path,
        tool_binary: &Path,
        files: CharmFiles,
        state: State,
    ) -> Result<Self, SimError> {
        let h = Harness { dir: dir.to_path_buf(), state, faults: Vec::new(), kill_after: None };
        for d in [h.charm_dir(), h.tools_dir(), h.agent_dir()] {
            fs::create_dir_all(&d).map_err(|e| SimError::io(&d, e))?;
        }
        let abs = |p: &Path| fs::canonicalize(p).map_err(|e| SimError::io(p, e));
        replace_symlink(&abs(dispatch)?, &h.charm_dir().join("dispatch"))?;
        for (name, text) in [
            ("metadata.yaml", &files.metadata),
            ("config.yaml", &files.config),
            ("actions.yaml", &files.actions),
        ] {
            let path = h.charm_dir().join(name);
            fs::write(&path, text).map_err(|e| SimError::io(&path, e))?;
        }
        let tool = abs(tool_binary)?;
        for name in HOOK_TOOLS {
            replace_symlink(&tool, &h.tools_dir().join(name))?;
        }
        h.save_state()?;
        Ok(h)
    }

    /// Makes `tools/` hold a symlink for each hook tool the model's Juju version has, and none
    /// for those it does not ([`REMOVED_IN_JUJU_4`](crate::REMOVED_IN_JUJU_4) under 4.x).
    fn sync_tools(&self) -> Result<(), SimError> {
        let version = self.state.model.version();
        let dir = self.tools_dir();
        let target = fs::read_link(dir.join("is-leader")).map_err(|e| SimError::io(&dir, e))?;
        for name in HOOK_TOOLS {
            let link = dir.join(name);
            match (has_hook_tool(&version, name), link.symlink_metadata().is_ok()) {
                (true, false) => replace_symlink(&target, &link)?,
                (false, true) => fs::remove_file(&link).map_err(|e| SimError::io(&link, e))?,
                _ => {}
            }
        }
        Ok(())
    }

    /// Runs `event` on `unit`: serves the hook tools on a fresh agent socket, spawns dispatch
    /// as Juju would, waits, closes the socket, commits or discards the buffered writes, and
    /// saves state.json.
    pub fn run(&mut self, unit: u32, event: &Event) -> Result<Outcome, SimError> {
        self.sync_tools()?;
        let mut prepared = self.state.clone();
        let ctx = prepare(&mut prepared, unit, event)?;
        let (charm_dir, tools_dir) = (self.charm_dir(), self.tools_dir());
        let listener = Listener::bind()?;
        let socket = listener.address();
        let pebbles = start_pebbles(&prepared, unit)?;
        let paths = Paths {
            charm_dir: &charm_dir,
            tools_dir: &tools_dir,
            agent_socket: &socket,
            containers_dir: pebbles.as_ref().map(Pebbles::dir),
        };
        let env = hook_env(&prepared, &ctx, &paths);
        let session = Session::new(prepared, ctx, self.faults.clone());
        let server = listener.serve(Agent { session, calls: Vec::new() })?;
        let started = std::time::Instant::now();
        let mut child = Command::new(charm_dir.join("dispatch"))
            .env_clear()
            .envs(env)
            .current_dir(&charm_dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(SimError::Spawn)?;
        if let Some(after) = self.kill_after {
            while started.elapsed() < after {
                if child.try_wait().map_err(SimError::Spawn)?.is_some() {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_micros(200));
            }
            // Already exited: kill fails harmlessly.
            let _ = child.kill();
        }
        // Waits for dispatch's output pipes to close too, so for any tool it started that
        // still holds them (after a kill); the socket is served meanwhile.
        let output = child.wait_with_output().map_err(SimError::Spawn)?;
        let elapsed = started.elapsed();
        // A tool call still arriving now (from a process the hook left behind) is refused.
        let Agent { session, calls } = server.stop();
        let (mut state, mut outcome) = finish(session, output.status.code(), calls);
        put_containers(&mut state, unit, pebbles);
        outcome.stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        outcome.stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        outcome.elapsed = Some(elapsed);
        self.state = state;
        self.save_state()?;
        Ok(outcome)
    }

    /// The committed model, taken out of the harness.
    pub fn into_state(self) -> State {
        self.state
    }

    /// The committed model.
    pub fn state(&self) -> &State {
        &self.state
    }

    /// The model, for changes between runs (saved before the next run).
    pub fn state_mut(&mut self) -> &mut State {
        &mut self.state
    }

    /// `<dir>/charm`.
    pub fn charm_dir(&self) -> PathBuf {
        self.dir.join("charm")
    }

    /// `<dir>/tools`.
    pub fn tools_dir(&self) -> PathBuf {
        self.dir.join("tools")
    }

    /// `<dir>/agent`, where state.json is saved after every run.
    pub fn agent_dir(&self) -> PathBuf {
        self.dir.join("agent")
    }

    fn save_state(&self) -> Result<(), SimError> {
        let path = self.agent_dir().join("state.json");
        let bytes = serde_json::to_vec_pretty(&self.state)?;
        fs::write(&path, bytes).map_err(|e| SimError::io(&path, e))
    }
}

fn replace_symlink(target: &Path, link: &Path) -> Result<(), SimError> {
    match fs::remove_file(link) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(SimError::io(link, e)),
    }
    std::os::unix::fs::symlink(target, link).map_err(|e| SimError::io(link, e))
}
