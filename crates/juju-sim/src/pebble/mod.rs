//! Pebble, the workload container's service manager, as the simulator models it: its layers
//! and the plan they combine into (canonical/pebble `internals/plan`), the order services start
//! and stop in, and Go's durations as Pebble reads and prints them.
//!
//! A container's layers (`ContainerBuilder::layer`, or
//! `POST /v1/layers` from the charm) combine into its [`Plan`] exactly as Pebble combines them:
//!
//! ```
//! use juju_sim::pebble::{Layer, Plan};
//!
//! let base = Layer::parse(1000, "base", "
//! services:
//!   web:
//!     override: replace
//!     command: /bin/web --port 8080
//!     startup: enabled
//!     after: [db]
//!   db:
//!     override: replace
//!     command: /bin/db
//! ")?;
//! let tuned = Layer::parse(2000, "tuned", "
//! services:
//!   web:
//!     override: merge
//!     environment: {LOG: debug}
//! ")?;
//! let plan = Plan::from_layers(&[base, tuned])?;
//! assert_eq!(plan.services["web"].environment["LOG"], "debug");
//! // `after` orders without requiring: db first, then web, each in its own lane.
//! assert_eq!(plan.start_order(&["web".into(), "db".into()])?, [["db"], ["web"]]);
//! # Ok::<(), juju_sim::pebble::PlanError>(())
//! ```

mod duration;
pub(crate) mod order;
mod plan;
pub(crate) mod shlex;

pub use self::duration::GoDuration;
pub use self::plan::{
    Check, DEFAULT_BACKOFF_DELAY, DEFAULT_BACKOFF_FACTOR, DEFAULT_BACKOFF_LIMIT,
    DEFAULT_CHECK_PERIOD, DEFAULT_CHECK_THRESHOLD, DEFAULT_CHECK_TIMEOUT, ExecCheck, HttpCheck,
    Layer, LogTarget, Plan, PlanError, Service, TcpCheck, combine_layers, command_string,
};
