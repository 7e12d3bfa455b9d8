//! Write Juju charms in Rust.
//!
//! Juju runs a charm by executing its `dispatch` file once per event, with a fresh environment
//! that names the event and a set of *hook tools* on `PATH` through which the charm reads its
//! config, relation data and secrets and reports its status
//! (<https://documentation.ubuntu.com/juju/3.6/reference/hook/> and
//! <https://documentation.ubuntu.com/juju/3.6/reference/hook-command/>). A Rust charm is one
//! static binary that Juju runs as `dispatch`; this crate is everything such a binary needs and
//! nothing specific to one charm.
//!
//! # A charm
//!
//! ```no_run
//! use juju_charm::{Charm, Context, Error, Status};
//! use serde::Deserialize;
//!
//! #[derive(Deserialize)]
//! #[serde(rename_all = "kebab-case")]
//! struct Config {
//!     greeting: String,
//! }
//!
//! struct Hello;
//!
//! impl Charm for Hello {
//!     // Every hook: read all inputs, write all outputs.
//!     fn reconcile(&mut self, ctx: &mut Context<'_>) -> Result<(), Error> {
//!         let config: Config = ctx.config()?; // a bad value blocks the unit, exit 0
//!         if config.greeting.is_empty() {
//!             return Err(Error::blocked("set the 'greeting' option"));
//!         }
//!         ctx.add_status(Status::active(config.greeting));
//!         Ok(())
//!     }
//!
//!     fn action(&mut self, ctx: &mut Context<'_>, name: &str) -> Result<(), Error> {
//!         match name {
//!             "greet" => Ok(ctx.set_results([("greeting", "hello")])?),
//!             other => Err(Error::action_failed(format!("unknown action '{other}'"))),
//!         }
//!     }
//! }
//!
//! fn main() -> std::process::ExitCode {
//!     juju_charm::main(|_env| Ok(Hello))
//! }
//! ```
//!
//! [`main`] reads the environment once, sends the `log` crate's records to `juju-log`, calls
//! the [`Charm`] method the event asks for, sets the status the handler collected once, and
//! exits as Juju expects: 0 after a problem the operator can fix (blocked), 1 after an
//! unexpected error, so that Juju retries the hook ([`charm`] has the whole table).
//!
//! # Running it without Juju
//!
//! [`run`] is [`main`] with the environment and the hook tools given, so a charm runs anywhere.
//! Here the hook tools are a closure that answers `config-get` and records `status-set`; the
//! `juju-sim` crate provides one that behaves as Juju does, with relations, secrets and actions.
//!
//! ```
//! use std::cell::RefCell;
//! use std::rc::Rc;
//!
//! use juju_charm::{Charm, Context, Error, Status, ToolOutput};
//!
//! struct Hello;
//!
//! impl Charm for Hello {
//!     fn reconcile(&mut self, ctx: &mut Context<'_>) -> Result<(), Error> {
//!         let greeting: Option<String> = ctx.config_values()?.option("greeting")?;
//!         match greeting {
//!             Some(g) if !g.is_empty() => ctx.add_status(Status::active(g)),
//!             _ => return Err(Error::blocked("set the 'greeting' option")),
//!         }
//!         Ok(())
//!     }
//! }
//!
//! let statuses = Rc::new(RefCell::new(Vec::new()));
//! let seen = statuses.clone();
//! let hook_tools = move |tool: &str, args: &[&str], _stdin: Option<&[u8]>| {
//!     match tool {
//!         "config-get" => return Ok(ToolOutput::ok(r#"{"greeting": ""}"#)),
//!         "status-set" => seen.borrow_mut().push(args.join(" ")),
//!         _ => {}
//!     }
//!     Ok(ToolOutput::ok(""))
//! };
//! let env = [
//!     ("JUJU_DISPATCH_PATH", "hooks/config-changed"),
//!     ("JUJU_UNIT_NAME", "hello/0"),
//!     ("JUJU_MODEL_NAME", "dev"),
//!     ("JUJU_MODEL_UUID", "be4a7a07-7b03-4a5e-8c12-2f5e9d3c4b11"),
//! ];
//! let code = juju_charm::run(env, Rc::new(hook_tools), |_env| Ok(Hello));
//! assert_eq!(code, 0, "blocked is not a failure: Juju must not retry");
//! assert_eq!(*statuses.borrow(), ["--application=False blocked -- set the 'greeting' option"]);
//! ```
//!
//! # What is here
//!
//! * [`Charm`], [`Context`], [`Error`], [`main`] and [`run`]: the entry point and dispatch;
//! * [`config`]: the configuration as the charm's own type, with errors that name the option;
//! * [`databag`]: relation data, raw or typed (one JSON value per field, as ops writes it);
//! * [`secrets`]: application-owned secrets by label, get-or-create, and content spread over
//!   several secrets when one would pass Juju's limits;
//! * [`status`]: statuses collected from the parts of a charm, the worst set once;
//! * [`tools`]: [`HookTools`], one typed method per hook tool, named after it;
//! * [`environment`]: the hook environment, parsed into an [`Environment`] and an [`Event`];
//! * [`pebble`]: a client of the workload containers' Pebble: layers, services, files, exec,
//!   checks and notices;
//! * [`rules`]: Juju's rules (versions, secret URIs, content limits, key syntaxes), written once;
//! * [`error`], [`runner`], [`logger`], [`secret`]: hook-tool errors classified once, the one
//!   seam to the outside ([`CommandRunner`]), the `juju-log` backend, and [`SecretString`].
//!
//! # Guarantees
//!
//! * Secret values never reach a command line, a log or an error message: secret content goes
//!   to `secret-add`/`secret-set` through private files, relation data to `relation-set` on
//!   stdin, values are [`SecretString`]s that print `[redacted]` and are zeroized on drop, and
//!   parse errors name fields, never values. (`action-set` is the one tool that takes values
//!   only as arguments.)
//! * Every hook tool's exit code is checked; failures keep the tool, exit code and stderr, and
//!   are classified once ([`ErrorKind`]).
//! * No global state but the `log` crate's logger, whose records go to the runner of the
//!   current thread: parallel tests do not mix.
//!
//! Tests run a charm with [`run`], giving it an environment and a [`CommandRunner`]; the
//! `juju-sim` crate provides one that behaves as Juju's unit agent does, in process or around
//! the compiled binary.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod charm;
pub mod config;
pub mod databag;
mod de;
pub mod environment;
pub mod error;
pub mod logger;
pub mod pebble;
pub mod rules;
pub mod runner;
pub mod secret;
pub mod secrets;
pub mod status;
pub mod tools;

pub use charm::{Charm, Context, Error, SecretRemove, main, run};
pub use environment::{Environment, Event, RelationId};
pub use error::{ErrorKind, HookToolError};
pub use runner::{CommandRunner, ProcessRunner, ToolOutput};
pub use secret::SecretString;
pub use status::{Status, StatusName};
pub use tools::{HookTools, Scope};
