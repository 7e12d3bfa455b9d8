//! The in-process form: state in, one event, state out (like ops.testing's Scenario). The charm is
//! a closure given the hook environment and a [`CommandRunner`] that serves every hook tool from
//! the same session model the process-level binary uses, so both forms behave identically.

use std::cell::RefCell;
use std::io;
use std::path::PathBuf;
use std::rc::Rc;

use juju_charm::{CommandRunner, ToolOutput};

use crate::SimError;
use crate::env::{Paths, hook_env};
use crate::event::{Event, prepare};
use crate::outcome::{Call, Fault, Outcome};
use crate::session::{Session, finish};
use crate::state::State;
use crate::tools::{has_hook_tool, serve};
use crate::workload::Pebbles;

/// Runs `event` on `unit` with `charm` standing in for `dispatch`; `charm` returns the exit code.
/// On success `state` becomes the committed model; on failure only immediate effects remain.
pub fn run_in_process<F>(
    state: &mut State,
    unit: u32,
    event: &Event,
    charm: F,
) -> Result<Outcome, SimError>
where
    F: FnOnce(Vec<(String, String)>, Rc<dyn CommandRunner>) -> i32,
{
    run_in_process_with_faults(state, unit, event, &[], charm)
}

/// [`run_in_process`] with injected faults.
pub fn run_in_process_with_faults<F>(
    state: &mut State,
    unit: u32,
    event: &Event,
    faults: &[Fault],
    charm: F,
) -> Result<Outcome, SimError>
where
    F: FnOnce(Vec<(String, String)>, Rc<dyn CommandRunner>) -> i32,
{
    let mut prepared = state.clone();
    let ctx = prepare(&mut prepared, unit, event)?;
    let slug = format!("unit-{}-{unit}", prepared.app);
    let agent_dir = PathBuf::from(format!("/var/lib/juju/agents/{slug}"));
    let pebbles = start_pebbles(&prepared, unit)?;
    let paths = Paths {
        charm_dir: &agent_dir.join("charm"),
        tools_dir: &PathBuf::from(format!("/var/lib/juju/tools/{slug}")),
        agent_socket: &agent_dir.display().to_string(),
        containers_dir: pebbles.as_ref().map(Pebbles::dir),
    };
    let env = hook_env(&prepared, &ctx, &paths);
    let runner = Rc::new(SimRunner {
        session: RefCell::new(Session::new(prepared, ctx, faults.to_vec())),
        calls: RefCell::new(Vec::new()),
    });
    let code = charm(env, runner.clone());
    let session = runner.session.borrow().clone();
    let calls = runner.calls.borrow().clone();
    let (mut next, outcome) = finish(session, Some(code), calls);
    put_containers(&mut next, unit, pebbles);
    *state = next;
    Ok(outcome)
}

/// Serves the Pebble API of `unit`'s containers for a run, if the charm has any.
pub(crate) fn start_pebbles(state: &State, unit: u32) -> Result<Option<Pebbles>, SimError> {
    if state.meta.containers.is_empty() {
        return Ok(None);
    }
    let containers = state.units.get(&unit).map(|u| u.containers.clone()).unwrap_or_default();
    Pebbles::start(&Pebbles::fresh_dir(), containers).map(Some)
}

/// Stops the run's Pebble servers and puts the containers, as the charm left them, into the
/// state the run returns: committed or not, because Pebble is not part of the hook's
/// transaction (a failed hook does not undo what it did to the workload).
pub(crate) fn put_containers(state: &mut State, unit: u32, pebbles: Option<Pebbles>) {
    let Some(pebbles) = pebbles else { return };
    let containers = pebbles.stop();
    if let Some(u) = state.units.get_mut(&unit) {
        u.containers = containers;
    }
}

/// Serves hook tools from an in-memory session.
struct SimRunner {
    session: RefCell<Session>,
    calls: RefCell<Vec<Call>>,
}

impl CommandRunner for SimRunner {
    fn run(&self, tool: &str, args: &[&str], stdin: Option<&[u8]>) -> io::Result<ToolOutput> {
        let version = self.session.borrow().view().model.version();
        if !has_hook_tool(&version, tool) {
            return Err(io::Error::new(io::ErrorKind::NotFound, format!("{tool}: not found")));
        }
        let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
        let mut input: &[u8] = stdin.unwrap_or_default();
        let reply = {
            let mut session = self.session.borrow_mut();
            let previous = self.calls.borrow();
            serve(&mut session, tool, &args, &mut input, &previous)
        };
        self.calls.borrow_mut().push(Call { tool: tool.to_owned(), args, code: reply.code });
        Ok(ToolOutput { code: Some(reply.code), stdout: reply.stdout, stderr: reply.stderr })
    }
}
