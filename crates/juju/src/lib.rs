//! A small, strict runtime for Juju charms written in Rust.
//!
//! Juju runs a charm by executing its `dispatch` file once per event, with a freshly built
//! environment and a set of *hook tools* on `PATH` (`../shared/spec/juju-runtime.md`). This crate
//! holds what every such program needs and nothing specific to one charm:
//!
//! * [`context`]: the hook environment, read once into a typed [`context::JujuContext`] and
//!   [`context::Event`] (present-but-empty variables count as absent; `HOME` is never used);
//! * [`runner`]: the one seam to the outside, a [`runner::CommandRunner`] that runs a hook tool
//!   with arguments *and* stdin, so data never needs to travel on argv;
//! * [`tools`]: one typed call per hook tool, with the exact argv and output parsing Juju 3.6 uses,
//!   named after the tool it runs (`config_get`, `relation_set`, `secret_add`, ...);
//! * [`error`]: every failure keeps the tool, exit code and stderr, and is classified once;
//! * [`secret`]: [`secret::SecretString`], a string that redacts itself and zeroizes on drop;
//! * [`logger`]: a `log` backend that writes to `juju-log`.
//!
//! Nothing here holds global mutable state except the `log` facade's logger, which routes each
//! record to the runner registered on the *current thread* (so parallel tests do not mix logs).

pub mod context;
pub mod error;
pub mod logger;
pub mod runner;
pub mod secret;
pub mod tools;

pub use context::{Event, JujuContext, RelationId};
pub use error::{ErrorKind, HookToolError};
pub use runner::{CommandRunner, ProcessRunner, ToolOutput};
pub use secret::SecretString;
pub use tools::HookTools;
