//! Test Juju charms without Juju.
//!
//! A charm is tested by giving it a model and an event, and checking what it did. This crate is
//! that model and a faithful simulator of how Juju runs a hook: the environment it gives
//! `dispatch`, the hook tools (their arguments, output, errors and exit codes, as Juju prints
//! them), and what Juju commits when the hook ends (every write on exit 0, none otherwise). It is
//! made for charms written with the `juju-charm` framework, and runs any compiled charm too.
//!
//! - [`State`]: the model as one application sees it (units, leader, config, relations, secrets,
//!   statuses, logs), built from the charm's metadata, config options and actions
//!   ([`CharmMeta`]). [`State::for_charm`] and the builders [`RelationBuilder`],
//!   [`SecretBuilder`] and [`UnitBuilder`] set it up with Juju's defaults for what a test does
//!   not say. A relation is named by its [`RelationId`] (`<endpoint>:<number>`, the runtime's
//!   type), as [`State::insert_relation`] returns it.
//! - [`Event`]: what Juju fires at a unit: `install`, `config-changed`, a relation or secret
//!   hook, an action.
//! - [`Context`]: how the charm runs (in this process, or its compiled binary as Juju runs it;
//!   on which unit; with which hook-tool calls failing). [`Context::run`] takes an event and a
//!   state and returns the state the run leaves ([`Output`]), the input untouched, as
//!   ops.testing (Scenario) does; [`Context::run_action`] returns an action's results, failure
//!   and logs ([`ActionOutput`]).
//! - [`Outcome`]: what one run did: the exit code, whether its writes were committed, every
//!   hook-tool call, the logs, the statuses set.
//! - Workload containers ([`ContainerBuilder`], [`Container`]): for a sidecar charm, each
//!   container the metadata declares, as its Pebble holds it (layers, service statuses, an
//!   in-memory filesystem, the commands the charm may run, notices, checks). During a run the
//!   simulator serves Pebble's REST API for the running unit's containers on real Unix sockets,
//!   `$CHARM_CONTAINERS_DIR/<container>/pebble.socket`, and the Pebble events
//!   ([`Event::PebbleReady`] and its siblings) set Juju's variables. The plan follows Pebble's
//!   own layer rules ([`pebble`]). Pebble is not part of Juju's hook transaction: what the
//!   charm did to a workload stays in the returned state even when the hook fails.
//!
//! # Testing a charm
//!
//! ```
//! use juju_charm::{Charm, Context as CharmContext, Error, Status};
//! use juju_sim::{CharmMeta, Context, Event, State};
//! use serde::Deserialize;
//! use serde_json::json;
//!
//! #[derive(Deserialize)]
//! struct Config {
//!     greeting: String,
//! }
//!
//! struct Hello;
//!
//! impl Charm for Hello {
//!     fn reconcile(&mut self, ctx: &mut CharmContext<'_>) -> Result<(), Error> {
//!         let config: Config = ctx.config()?;
//!         ctx.add_status(Status::active(format!("{}, world", config.greeting)));
//!         Ok(())
//!     }
//! }
//!
//! // The model: the charm's YAML, and one unit of the application, unit 0, which leads.
//! let meta = CharmMeta::from_yaml(
//!     "name: hello\nsummary: Says hello.\ndescription: Says hello.\n",
//!     "options:\n  greeting: {type: string, default: hello}\n",
//!     "",
//! )?;
//! let state = State::new(meta, "hello", "test");
//!
//! // The charm runs in this process, standing in for `dispatch`.
//! let ctx = Context::new(|_env| Ok(Hello));
//! let out = ctx.run(Event::Install, &state)?;
//! assert!(out.succeeded());
//! assert_eq!(out.unit_status(), Some(Status::active("hello, world")));
//! assert!(out.outcome.called("config-get") && out.outcome.called("status-set"));
//!
//! // The operator changes the option; Juju checks its type, as `juju config` does.
//! let mut next = out.state;
//! assert!(next.set_config("greeting", json!(42)).is_err());
//! next.set_config("greeting", json!("bonjour"))?;
//! let out = ctx.run(Event::ConfigChanged, &next)?;
//! assert_eq!(out.unit_status(), Some(Status::active("bonjour, world")));
//! # Ok::<(), juju_sim::SimError>(())
//! ```
//!
//! [`State::add_relation`] shows relation data, [`RelationBuilder`] and [`SecretBuilder`] set up
//! relations and secrets in one expression, and [`Context::process`] runs the compiled charm. In
//! this crate's repository, `docs/guide.md` writes, tests and packs a charm step by step, and
//! `docs/how-to/testing.md` says what to set up and what to check.
//!
//! # The compiled charm
//!
//! A charm's integration tests run its binary as Juju does with a dev-dependency on this crate
//! and nothing else: `Context::process(env!("CARGO_BIN_EXE_<name>"), files)`. The hook tools
//! are [`tool_binary`], a small client this crate's build compiles; the binary Juju runs never
//! links the simulator.
//!
//! # Two forms, one model
//!
//! Both forms share one model ([`State`] plus a per-hook session that buffers writes): in
//! process, a closure stands in for `dispatch` ([`run_in_process`] is the lower level that
//! [`Context`] is built on, changing the state it is given); at process level, [`Harness`] runs
//! the real compiled `dispatch` with hook tools on `PATH` that are symlinks to a multi-call
//! binary calling [`multicall_main`] ([`tool_binary`]).
//!
//! # The process-level form
//!
//! It works as Juju's unit agent does. For each hook, [`Harness::run`] keeps the session in
//! memory and serves the hook tools on a Unix socket of its own (a Linux abstract socket,
//! `JUJU_AGENT_SOCKET_ADDRESS=@<name>`, `JUJU_AGENT_SOCKET_NETWORK=unix`) from a thread in the
//! harness's process, as the uniter serves them for the hook's context (juju/juju
//! worker/uniter/runner/jujuc/server.go). A hook tool is a thin client, as `jujuc` is (juju/juju
//! cmd/jujuc/main.go, `hookToolMain`): [`multicall_main`] sends `{context id, working dir,
//! tool, args}` and writes out the `{code, stdout, stderr}` it gets back. A tool that reads
//! stdin (`--file -`) is first answered `hook tool requires stdin, none supplied`
//! (`ErrNoStdin`); the client then reads its stdin and sends the call again with it
//! (`StdinSet`). The client links none of the model, so a call costs little more than starting
//! a process. A wrong `JUJU_CONTEXT_ID` is `ERROR bad request: unknown context "…"`, a call
//! after the hook has ended `ERROR cannot connect to agent: …`; both exit 1.
//!
//! Juju 3.6 user secrets (model-owned, made by the operator) are modelled by [`Owner::Model`]
//! and [`State::add_user_secret`] and its siblings; the module docs of `state::secret` (in the
//! source) list what was copied from juju/juju and from which files.
//!
//! # Juju versions
//!
//! The model runs Juju [`DEFAULT_JUJU_VERSION`] (3.6.8) unless a test says otherwise
//! ([`State::with_juju_version`]); the version is `JUJU_VERSION` and decides these rules:
//!
//! - **Secret content limits** (secret-add, secret-set, and the operator's add-secret /
//!   update-secret; juju/juju `core/secrets/createsecret.go`). Before 3.6.9: per value 5 KiB
//!   (5120 bytes) before 3.3.2 and on 3.4.0, 8 KiB (8192) on 3.3.2+ and 3.4.1–3.6.8 (PR
//!   #16943), 64 KiB (65536) in total, measured on the value as given:
//!   `secret content for key "k" too large: N bytes`, `secret content too large: N bytes`.
//!   From 3.6.9, and so in 4.x (PRs #20287 and #20314): 1000000 bytes per value and in total,
//!   measured on the base64 encoding:
//!   `base64 encoded secret content for key "k" too large: N bytes`,
//!   `base64 encoded secret content too large: N bytes`. A `key#file=` file over the per-value
//!   limit, or a `--file` over the total, is `secret content in file "<path>" too large: N
//!   bytes`. All fail the call (exit 2, nothing buffered), never the commit.
//! - **The broken relation in `relation-ids`** during `<endpoint>-relation-broken`: listed
//!   before 3.4.4 and on 3.5.0–3.5.1, hidden from 3.4.4 / 3.5.2 (PR #17464), a peer relation
//!   listed again from 3.5.5 (PR #18253), and so in 4.x. [`State::with_broken_relation_listed`]
//!   forces it either way. `relation-list` on it is `[]` and `relation-get` reads it in every
//!   version.
//! - **Juju 4.0** (released 14 November 2025; its list of hook commands,
//!   <https://documentation.ubuntu.com/juju/latest/reference/hook-command/list-of-hook-commands/>,
//!   and the guide "Upgrade your Juju deployment from 3.6 to 4.0"):
//!   - the tools of [`REMOVED_IN_JUJU_4`] are gone: `leader-get`/`leader-set`, `pod-spec-*`,
//!     `k8s-spec-*`, `k8s-raw-*`, `add-metric`, `payload-*`. A call fails as a missing command
//!     does ([`has_hook_tool`]);
//!   - `JUJU_SLA` is empty (3.x: `unsupported`);
//!   - the unit bags the agent writes hold `ingress-address` and `egress-subnets`, no
//!     `private-address`;
//!   - an action that does not set `additionalProperties` refuses parameters it does not
//!     declare (3.x accepts them; ops documents the flip in "How to manage actions").
//!
//! Tests of the 4.0 rules have `juju4` in their names (`cargo test -p juju-sim juju4`).

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod action_params;
mod client;
mod consistency;
mod context;
mod env;
mod error;
mod event;
mod format;
mod inproc;
mod meta;
mod outcome;
pub mod pebble;
mod process;
mod server;
mod session;
mod state;
mod tools;
mod wire;
mod workload;

pub use client::multicall_main;
pub use context::{ActionOutput, Context, Output};
pub use error::SimError;
pub use event::Event;
pub use inproc::{run_in_process, run_in_process_with_faults};
/// The runtime's relation id, `<endpoint>:<number>`, re-exported: what [`State::insert_relation`]
/// returns and every relation fixture and [`Event`] takes.
pub use juju_charm::RelationId;
pub use meta::{
    ActionSpec, CharmMeta, ConfigOption, ContainerMeta, Endpoint, OptionType, ParamSpec, Role,
    Storage,
};
pub use outcome::{ActionOutcome, Call, Fault, Outcome};
pub use process::{CharmFiles, Harness};
pub use state::{
    Bag, Change, CheckInfo, Container, ContainerBuilder, DEFAULT_JUJU_VERSION, DEFAULT_REMOTE_APP,
    Exec, ExecCall, FileEntry, LogLine, Model, Notice, Owner, Relation, RelationBuilder, Revision,
    Secret, SecretBuilder, ServiceStatus, State, StatusEntry, Task, Unit, UnitBuilder,
};
pub use tools::{HOOK_TOOLS, REMOVED_IN_JUJU_4, has_hook_tool, is_hook_tool};

/// The hook-tool client, a small program this crate's build compiles (with the same `rustc`,
/// for the machine that builds it, from `src/tool_main.rs`): symlinked under a tool's name, it
/// sends that call to the agent socket of the hook that runs it, as Juju's `jujuc` does.
/// [`Harness`] puts it on `PATH` under every hook tool's name, so a charm's own tests run its
/// compiled binary as Juju would with nothing but a dev-dependency on this crate.
///
/// ```
/// assert!(juju_sim::tool_binary().is_file());
/// ```
pub fn tool_binary() -> &'static std::path::Path {
    std::path::Path::new(concat!(env!("OUT_DIR"), "/juju-sim-tool"))
}
