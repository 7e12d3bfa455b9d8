//! A `log` backend that writes to `juju-log`.
//!
//! [`init`] installs one process-wide logger (the `log` facade requires a global). The logger
//! itself holds no runner: [`scope`] registers a runner for the *current thread* while a closure
//! runs, so each hook (and each parallel test) logs through its own runner. Records outside a
//! scope go to stderr, which Juju logs at WARNING. A record logged while `juju-log` itself runs is
//! dropped rather than recursing. Levels map as `error→ERROR`, `warn→WARNING`, `info→INFO`,
//! `debug→DEBUG`, `trace→TRACE`. Callers never log secret values: [`crate::SecretString`]
//! prints as `[redacted]`.

use std::cell::{Cell, RefCell};
use std::io::Write;
use std::rc::Rc;

use crate::runner::CommandRunner;
use crate::tools::{HookTools, LogLevel};

thread_local! {
    /// The runners of the enclosing [`scope`]s on this thread, innermost last.
    static RUNNERS: RefCell<Vec<Rc<dyn CommandRunner>>> = const { RefCell::new(Vec::new()) };
    /// Set while this thread runs `juju-log`, so a record logged meanwhile (by the runner, say)
    /// is dropped instead of recursing.
    static IN_JUJU_LOG: Cell<bool> = const { Cell::new(false) };
}

/// The process-wide logger; all its state is per thread.
struct JujuLogger;

static LOGGER: JujuLogger = JujuLogger;

/// Installs the logger once, with `max` as the level filter. Later calls only change the filter.
pub fn init(max: log::LevelFilter) {
    // `SetLoggerError` only means a logger is already installed (ours, by an earlier call, or
    // the host program's); either way the filter below still applies.
    let _ = log::set_logger(&LOGGER);
    log::set_max_level(max);
}

/// Runs `f` with log records on this thread sent to `juju-log` through `runner`.
///
/// Scopes nest; the innermost wins. The runner is unregistered when `f` returns or panics.
pub fn scope<R>(runner: Rc<dyn CommandRunner>, f: impl FnOnce() -> R) -> R {
    RUNNERS.with(|r| r.borrow_mut().push(runner));
    let _pop = PopOnDrop;
    f()
}

/// Pops the innermost runner, also when the scope's closure panics.
struct PopOnDrop;

impl Drop for PopOnDrop {
    fn drop(&mut self) {
        // `try_with`: never panic in a destructor, even while the thread is being torn down.
        let _ = RUNNERS.try_with(|r| r.borrow_mut().pop());
    }
}

/// Clears [`IN_JUJU_LOG`] when dropped.
struct LeaveJujuLog;

impl Drop for LeaveJujuLog {
    fn drop(&mut self) {
        let _ = IN_JUJU_LOG.try_with(|f| f.set(false));
    }
}

fn juju_level(level: log::Level) -> LogLevel {
    match level {
        log::Level::Error => LogLevel::Error,
        log::Level::Warn => LogLevel::Warning,
        log::Level::Info => LogLevel::Info,
        log::Level::Debug => LogLevel::Debug,
        log::Level::Trace => LogLevel::Trace,
    }
}

/// Last resort: Juju logs a hook's stderr at WARNING. Errors writing it are ignored (there is
/// nowhere left to report them, and `eprintln!` would panic).
fn to_stderr(level: LogLevel, message: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{} {message}", level.as_str());
}

impl log::Log for JujuLogger {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.level() <= log::max_level()
    }

    fn log(&self, record: &log::Record<'_>) {
        if !self.enabled(record.metadata()) {
            return;
        }
        if IN_JUJU_LOG.try_with(Cell::get).unwrap_or(true) {
            return;
        }
        let level = juju_level(record.level());
        let message = record.args().to_string();
        // Clone the `Rc` so no borrow of the stack is held while the tool runs.
        let runner = RUNNERS.try_with(|r| r.borrow().last().cloned()).ok().flatten();
        let Some(runner) = runner else {
            to_stderr(level, &message);
            return;
        };
        IN_JUJU_LOG.with(|f| f.set(true));
        let _leave = LeaveJujuLog;
        if HookTools::new(&*runner).juju_log(level, &message).is_err() {
            to_stderr(level, &message);
        }
    }

    fn flush(&self) {}
}
