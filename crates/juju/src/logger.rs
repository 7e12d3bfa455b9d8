//! A `log` backend that writes to `juju-log`.
//!
//! [`init`] installs one process-wide logger (the `log` facade requires a global). The logger
//! itself holds no runner: [`scope`] registers a runner for the *current thread* while a closure
//! runs, so each hook (and each parallel test) logs through its own runner. Records outside a
//! scope go to stderr, which Juju logs at WARNING. A record logged while `juju-log` itself runs is
//! dropped rather than recursing. Levels map as `error→ERROR`, `warn→WARNING`, `info→INFO`,
//! `debug→DEBUG`, `trace→TRACE`. Callers never log secret values: [`crate::SecretString`]
//! prints as `[redacted]`.

use std::rc::Rc;

use crate::runner::CommandRunner;

/// Installs the logger once, with `max` as the level filter. Later calls only change the filter.
pub fn init(max: log::LevelFilter) {
    let _ = max;
    todo!()
}

/// Runs `f` with log records on this thread sent to `juju-log` through `runner`.
pub fn scope<R>(runner: Rc<dyn CommandRunner>, f: impl FnOnce() -> R) -> R {
    let _ = runner;
    f()
}
