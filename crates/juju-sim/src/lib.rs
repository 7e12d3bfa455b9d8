//! juju-sim: a faithful simulator of the Juju hook environment and hook tools, for testing charms
//! that are not written with ops (spec `juju-runtime.md` §1.2–1.4, §2, §3.3).
//!
//! Two forms share one model ([`State`] plus a per-hook session that buffers writes):
//! [`run_in_process`] runs a closure standing in for `dispatch`; [`Harness`] runs the real compiled
//! `dispatch` with hook tools on `PATH` that are symlinks to a multi-call binary calling
//! [`multicall_main`].
//!
//! Juju 3.6 user secrets (model-owned, made by the operator) are modelled by [`Owner::Model`]
//! and [`State::add_user_secret`] and its siblings; the module docs of `state::secret` (in the
//! source) list what was copied from juju/juju and from which files.

mod action_params;
mod env;
mod error;
mod event;
mod format;
mod inproc;
mod meta;
mod outcome;
mod process;
mod session;
mod state;
mod tools;

pub use error::SimError;
pub use event::{ActionContext, Event, HookContext};
pub use inproc::{run_in_process, run_in_process_with_faults};
pub use meta::{ActionSpec, CharmMeta, ConfigOption, Endpoint, OptionType, ParamSpec, Role};
pub use outcome::{ActionOutcome, Call, Fault, Outcome};
pub use process::{CharmFiles, Harness, multicall_main};
pub use state::{
    Bag, Counters, LogLine, Model, Owner, Relation, Revision, Secret, State, StatusEntry, Unit,
};
pub use tools::{HOOK_TOOLS, is_hook_tool};
