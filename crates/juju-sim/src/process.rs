//! The process-level form: a directory laid out like a unit agent's (charm/, tools/, agent/), the
//! real `dispatch` spawned exactly as Juju spawns it (cleared environment, cwd = charm dir, stdin
//! /dev/null, no argv), and the multi-call hook-tool binary's entry point, which serves one call
//! from the session file named by `JUJU_AGENT_SOCKET_ADDRESS`.

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::SimError;
use crate::env::{Paths, hook_env};
use crate::event::{Event, prepare};
use crate::outcome::{Call, Fault, Outcome, finish};
use crate::session::{CALLS_FILE, Session, append_call, read_calls};
use crate::state::State;
use crate::tools::{HOOK_TOOLS, serve};

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
    /// hook tool, all to `tool_binary`), `agent/` (state.json, session file).
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

    /// Runs `event` on `unit`: spawns dispatch as Juju would, waits, commits or discards the
    /// buffered writes, and saves state.json.
    pub fn run(&mut self, unit: u32, event: &Event) -> Result<Outcome, SimError> {
        let mut prepared = self.state.clone();
        let ctx = prepare(&mut prepared, unit, event)?;
        let (charm_dir, tools_dir, agent_dir) =
            (self.charm_dir(), self.tools_dir(), self.agent_dir());
        let paths = Paths { charm_dir: &charm_dir, tools_dir: &tools_dir, agent_dir: &agent_dir };
        let env = hook_env(&prepared, &ctx, &paths);
        Session::new(prepared, ctx, self.faults.clone()).save(&agent_dir)?;
        let calls_path = agent_dir.join(CALLS_FILE);
        fs::write(&calls_path, b"").map_err(|e| SimError::io(&calls_path, e))?;
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
        let output = child.wait_with_output().map_err(SimError::Spawn)?;
        if output.status.code().is_none() {
            // A hook tool that the killed dispatch had started may still be finishing.
            std::thread::sleep(std::time::Duration::from_millis(30));
        }
        let elapsed = started.elapsed();
        let session = Session::load(&agent_dir)?;
        let calls = read_calls(&agent_dir)?;
        let (state, mut outcome) = finish(session, output.status.code(), calls);
        outcome.stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        outcome.stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        outcome.elapsed = Some(elapsed);
        self.state = state;
        self.save_state()?;
        Ok(outcome)
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

    /// `<dir>/agent` (`JUJU_AGENT_SOCKET_ADDRESS`).
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

/// Entry of the multi-call hook-tool binary: serves `tool` (argv[0]'s basename) with `args` from
/// the session named by `JUJU_AGENT_SOCKET_ADDRESS`, prints, and returns the exit code.
pub fn multicall_main(
    tool: &str,
    args: &[String],
    stdin: &mut dyn Read,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> i32 {
    match serve_call(tool, args, stdin) {
        Ok(reply) => {
            let written =
                stdout.write_all(&reply.stdout).and_then(|()| stderr.write_all(&reply.stderr));
            if written.is_err() { 1 } else { reply.code }
        }
        Err(msg) => {
            // Nothing more can be reported if stderr itself is gone.
            let _ = writeln!(stderr, "ERROR {msg}");
            1
        }
    }
}

fn serve_call(
    tool: &str,
    args: &[String],
    stdin: &mut dyn Read,
) -> Result<crate::tools::Reply, String> {
    let agent = std::env::var_os("JUJU_AGENT_SOCKET_ADDRESS")
        .filter(|a| !a.is_empty())
        .ok_or("JUJU_AGENT_SOCKET_ADDRESS not set")?;
    let agent = PathBuf::from(agent);
    let context = std::env::var("JUJU_CONTEXT_ID").map_err(|_| "JUJU_CONTEXT_ID not set")?;
    let mut session = Session::load(&agent).map_err(|e| format!("cannot connect to agent: {e}"))?;
    if session.ctx.context_id != context {
        return Err(format!("bad request: unknown context {context:?}"));
    }
    let previous = if session.faults.is_empty() {
        Vec::new()
    } else {
        read_calls(&agent).map_err(|e| e.to_string())?
    };
    let reply = serve(&mut session, tool, args, stdin, &previous);
    if session.dirty {
        session.save(&agent).map_err(|e| e.to_string())?;
    }
    let call = Call { tool: tool.to_owned(), args: args.to_vec(), code: reply.code };
    append_call(&agent, &call).map_err(|e| e.to_string())?;
    Ok(reply)
}
