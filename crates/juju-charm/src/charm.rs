//! The entry point: one call from `main`, one event in, one exit code out.
//!
//! Juju runs a charm's `dispatch` once per event. [`main`] (or [`run`], its testable form)
//! reads the environment once into an [`Environment`], installs the `juju-log` logger, builds
//! the charm, calls the one [`Charm`] method the event asks for, sets the collected status once,
//! and maps the outcome to the exit code Juju expects:
//!
//! | the handler returns | in a hook | in an action | exit |
//! | --- | --- | --- | --- |
//! | `Ok(())` | the collected status is set | results as set | 0 |
//! | [`Error::blocked`] (or a [`ConfigError`]) | the unit is blocked with the message | the action fails with the message | 0 |
//! | [`Error::action_failed`] | the unit is blocked with the message | the action fails with the message | 0 |
//! | any other error | the cause chain is logged at ERROR | the same | 1 |
//!
//! Exit 0 after a problem the operator can fix keeps Juju from retrying a hook that would fail
//! the same way; exit 1 after an unexpected error makes Juju retry it, and since a failed hook
//! commits none of its relation or secret writes, the retry starts from the same state.
//!
//! Which method runs ([`Charm`]'s docs say what each does by default):
//!
//! | event | method |
//! | --- | --- |
//! | an action | [`Charm::action`] |
//! | `secret-remove` | [`Charm::secret_remove`] |
//! | `stop` | [`Charm::stop`] |
//! | `remove` | [`Charm::remove`] |
//! | a hook this crate does not know | none: logged and ignored (exit 0), so that a charm rolled back to an older revision survives newer hooks |
//! | every other hook | [`Charm::reconcile`] |

use std::cell::OnceCell;
use std::fmt;
use std::process::ExitCode;
use std::rc::Rc;

use serde::de::DeserializeOwned;

use crate::config::{ConfigError, ConfigValues};
use crate::environment::{Environment, Event, SecretHook};
use crate::error::HookToolError;
use crate::rules::SecretUri;
use crate::runner::{CommandRunner, ProcessRunner};
use crate::status::{Status, StatusCollector};
use crate::tools::{ActionValue, HookTools, Scope, SecretOwner, SecretRef};

/// A charm: what it does for each kind of event.
///
/// Only [`Charm::reconcile`] is required. A holistic charm reads all its inputs there (config,
/// relation data, secrets, the workload) and writes all its outputs, whatever the event: the
/// event says only that something may have changed.
pub trait Charm {
    /// Every hook but `stop`, `remove` and `secret-remove`: bring everything to what the
    /// inputs say it should be, and add statuses to [`Context::status`].
    fn reconcile(&mut self, ctx: &mut Context<'_>) -> Result<(), Error>;

    /// The action `name` (`juju run <unit> <name>`): read its parameters with
    /// [`Context::action_params`], give results with [`Context::set_results`].
    ///
    /// By default, the action fails with `unknown action '<name>'`.
    fn action(&mut self, ctx: &mut Context<'_>, name: &str) -> Result<(), Error> {
        let _ = ctx;
        Err(Error::action_failed(format!("unknown action '{name}'")))
    }

    /// `secret-remove`: no one tracks `revision` of a secret this application owns any more.
    ///
    /// By default, the revision is removed ([`Context::remove_secret_revision`]) when this unit
    /// may (the leader, for an application-owned secret), as ops' documentation asks of every
    /// charm that makes new revisions.
    fn secret_remove(
        &mut self,
        ctx: &mut Context<'_>,
        removed: &SecretRemove,
    ) -> Result<(), Error> {
        ctx.remove_secret_revision(removed).map(drop).map_err(Error::from)
    }

    /// `stop`: the unit's workload is about to stop. By default, nothing.
    fn stop(&mut self, ctx: &mut Context<'_>) -> Result<(), Error> {
        let _ = ctx;
        Ok(())
    }

    /// `remove`: the unit is being removed. By default, nothing.
    fn remove(&mut self, ctx: &mut Context<'_>) -> Result<(), Error> {
        let _ = ctx;
        Ok(())
    }
}

/// A `secret-remove` event: the revision of an owned secret that no one tracks any more.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SecretRemove {
    /// The secret (`JUJU_SECRET_ID`).
    pub uri: SecretUri,
    /// Its label, if it has one (`JUJU_SECRET_LABEL`).
    pub label: Option<String>,
    /// The revision no one tracks (`JUJU_SECRET_REVISION`).
    pub revision: u64,
}

/// What a handler works with: the environment, the hook tools, and the status being collected.
pub struct Context<'a> {
    env: Environment,
    tools: HookTools<'a>,
    config: OnceCell<ConfigValues>,
    status: StatusCollector,
    app_status: StatusCollector,
}

impl<'a> Context<'a> {
    /// A context for `env`, running hook tools through `runner`.
    pub fn new(env: Environment, runner: &'a dyn CommandRunner) -> Self {
        Self {
            env,
            tools: HookTools::new(runner),
            config: OnceCell::new(),
            status: StatusCollector::default(),
            app_status: StatusCollector::default(),
        }
    }

    /// The hook's environment: the unit, the application, the model, the Juju version.
    pub fn env(&self) -> &Environment {
        &self.env
    }

    /// The event being run.
    pub fn event(&self) -> &Event {
        &self.env.event
    }

    /// The typed hook-tool client, one method per hook tool.
    pub fn tools(&self) -> &HookTools<'a> {
        &self.tools
    }

    /// Whether this unit is the leader (`is-leader`, asked once per dispatch).
    pub fn is_leader(&self) -> Result<bool, HookToolError> {
        self.tools.is_leader()
    }

    /// The configuration as `config-get` prints it, read once per dispatch.
    pub fn config_values(&self) -> Result<&ConfigValues, HookToolError> {
        if let Some(values) = self.config.get() {
            return Ok(values);
        }
        let values = self.tools.config_get()?;
        Ok(self.config.get_or_init(|| values))
    }

    /// The configuration as the charm's type `T` ([`ConfigValues::parse`]).
    ///
    /// With `?` in a handler, a value that does not fit blocks the unit with
    /// `Invalid '<option>' config: <why>` (exit 0); a failing `config-get` is unexpected
    /// (exit 1).
    pub fn config<T: DeserializeOwned>(&self) -> Result<T, Error> {
        Ok(self.config_values()?.parse()?)
    }

    /// The unit's status being collected: add to it with [`StatusCollector::add`]. The worst
    /// is set once, at the end of the dispatch, if anything was added.
    pub fn status(&mut self) -> &mut StatusCollector {
        &mut self.status
    }

    /// Adds `status` to the unit's collected status.
    pub fn add_status(&mut self, status: Status) {
        self.status.add(status);
    }

    /// The application's status being collected, set at the end of the dispatch if anything was
    /// added and this unit is the leader (only the leader may set it).
    pub fn app_status(&mut self) -> &mut StatusCollector {
        &mut self.app_status
    }

    /// The action's parameters as `P` (`action-get`), with defaults from `actions.yaml`
    /// already filled in by Juju.
    ///
    /// With `?` in [`Charm::action`], a parameter that does not fit fails the action with
    /// `Invalid '<param>' parameter: <why>` (exit 0).
    pub fn action_params<P: DeserializeOwned>(&self) -> Result<P, Error> {
        let params = self.tools.action_get()?;
        crate::de::from_map(params).map_err(|e| {
            let message = match e.field {
                Some(param) => format!("Invalid '{param}' parameter: {}", e.reason),
                None => format!("Invalid parameters: {}", e.reason),
            };
            Error::action_failed(message)
        })
    }

    /// Sets the action's results (`action-set`). Keys may be dotted (`db.password`) to nest.
    pub fn set_results<K, V, I>(&self, results: I) -> Result<(), HookToolError>
    where
        K: Into<String>,
        V: Into<ActionValue>,
        I: IntoIterator<Item = (K, V)>,
    {
        let results = results.into_iter().map(|(k, v)| (k.into(), v.into())).collect();
        self.tools.action_set(&results)
    }

    /// Removes `removed.revision` of the secret when this unit may: any unit for a secret it
    /// owns, only the leader for one its application owns. Returns whether it removed it.
    pub fn remove_secret_revision(&self, removed: &SecretRemove) -> Result<bool, HookToolError> {
        let info = self.tools.secret_info_get(SecretRef::Uri(&removed.uri))?;
        if info.owner == SecretOwner::Application && !self.is_leader()? {
            log::debug!("secret-remove: only the leader may remove revisions of {}", removed.uri);
            return Ok(false);
        }
        self.tools.secret_remove(&removed.uri, Some(removed.revision))?;
        log::info!("removed revision {} of {}", removed.revision, removed.uri);
        Ok(true)
    }

    /// Sets the collected statuses, each once: the unit's if anything was added, the
    /// application's if anything was added and this unit is the leader.
    fn set_statuses(&self) -> Result<(), HookToolError> {
        if !self.status.is_empty() {
            let problems: Vec<&Status> = self.status.problems().collect();
            if problems.len() > 1 {
                for p in problems {
                    log::warn!("{p}");
                }
            }
            self.tools.status_set(Scope::Unit, &self.status.resolve())?;
        }
        if !self.app_status.is_empty() && self.is_leader()? {
            self.tools.status_set(Scope::App, &self.app_status.resolve())?;
        }
        Ok(())
    }
}

/// How a handler failed.
///
/// Any error type converts into it with `?` and is *unexpected*: its cause chain is logged and
/// the dispatch exits 1, so Juju retries. [`Error::blocked`] and [`Error::action_failed`] are
/// problems the operator can fix: they are reported, and the dispatch exits 0. A
/// [`ConfigError`] anywhere in the chain counts as blocked with its message.
///
/// It deliberately does not implement `std::error::Error`, so that the blanket conversion
/// from every error type is possible (as `anyhow::Error` does). `anyhow::Error` converts with
/// [`Error::new`].
pub struct Error(Repr);

enum Repr {
    Blocked(String),
    ActionFailed(String),
    Unexpected(Box<dyn std::error::Error + Send + Sync + 'static>),
}

impl Error {
    /// The operator must fix something: in a hook the unit is set blocked with `message`; in an
    /// action the action fails with it. Exit 0. The message is shown to the operator: never put
    /// a secret value in it.
    pub fn blocked(message: impl Into<String>) -> Self {
        Self(Repr::Blocked(message.into()))
    }

    /// The action cannot do what was asked (`action-fail`), exit 0; in a hook the same as
    /// [`Error::blocked`].
    pub fn action_failed(message: impl Into<String>) -> Self {
        Self(Repr::ActionFailed(message.into()))
    }

    /// An unexpected error from anything that converts into a boxed error: a `String`, a
    /// `&str`, an `anyhow::Error`, a boxed error. (Error types convert with `?` or `From`.)
    pub fn new(error: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>) -> Self {
        let error = error.into();
        match find_config_error(&*error) {
            Some(config) => Self::blocked(config.to_string()),
            None => Self(Repr::Unexpected(error)),
        }
    }

    /// The operator's message, for a blocked or failed-action error.
    pub fn message(&self) -> Option<&str> {
        match &self.0 {
            Repr::Blocked(m) | Repr::ActionFailed(m) => Some(m),
            Repr::Unexpected(_) => None,
        }
    }

    /// Whether the dispatch exits non-zero for this error (Juju then retries a hook).
    pub fn is_unexpected(&self) -> bool {
        matches!(self.0, Repr::Unexpected(_))
    }
}

/// The first [`ConfigError`] in the cause chain of `error`.
fn find_config_error<'e>(error: &'e (dyn std::error::Error + 'static)) -> Option<&'e ConfigError> {
    let mut next = Some(error);
    while let Some(e) = next {
        if let Some(config) = e.downcast_ref::<ConfigError>() {
            return Some(config);
        }
        next = e.source();
    }
    None
}

impl<E: std::error::Error + Send + Sync + 'static> From<E> for Error {
    fn from(error: E) -> Self {
        Self::new(error)
    }
}

impl fmt::Display for Error {
    /// The message, then every cause, joined by `": "`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Repr::Blocked(m) | Repr::ActionFailed(m) => f.write_str(m),
            Repr::Unexpected(e) => {
                write!(f, "{e}")?;
                let mut source = e.source();
                while let Some(cause) = source {
                    write!(f, ": {cause}")?;
                    source = cause.source();
                }
                Ok(())
            }
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Repr::Blocked(m) => f.debug_tuple("Blocked").field(m).finish(),
            Repr::ActionFailed(m) => f.debug_tuple("ActionFailed").field(m).finish(),
            Repr::Unexpected(e) => f.debug_tuple("Unexpected").field(e).finish(),
        }
    }
}

/// Runs the charm for the event Juju is running: reads the process's environment, runs hook
/// tools as processes, and returns the exit code for `main` to return.
///
/// `setup` builds the charm from the environment (or fails, which exits 1).
///
/// ```no_run
/// use juju_charm::{Charm, Context, Error, Status};
///
/// struct Hello;
///
/// impl Charm for Hello {
///     fn reconcile(&mut self, ctx: &mut Context<'_>) -> Result<(), Error> {
///         ctx.add_status(Status::active("hello"));
///         Ok(())
///     }
/// }
///
/// fn main() -> std::process::ExitCode {
///     juju_charm::main(|_env| Ok(Hello))
/// }
/// ```
pub fn main<C, F>(setup: F) -> ExitCode
where
    C: Charm,
    F: FnOnce(&Environment) -> Result<C, Error>,
{
    let code = run(std::env::vars(), Rc::new(ProcessRunner), setup);
    ExitCode::from(u8::try_from(code).unwrap_or(1))
}

/// [`main`] with the environment and the hook-tool runner given: the form tests and
/// simulators call. Returns the exit code.
pub fn run<C, F, I, K, V>(vars: I, runner: Rc<dyn CommandRunner>, setup: F) -> i32
where
    C: Charm,
    F: FnOnce(&Environment) -> Result<C, Error>,
    I: IntoIterator<Item = (K, V)>,
    K: Into<String>,
    V: Into<String>,
{
    let env = match Environment::from_vars(vars) {
        Ok(env) => env,
        Err(e) => {
            // Without an environment the hook tools may not work either: stderr is what Juju
            // logs.
            eprintln!("cannot read the hook environment: {e}");
            return 1;
        }
    };
    // Idempotent: installs the juju-log backend once per process.
    crate::logger::init(log::LevelFilter::Info);
    crate::logger::scope(runner.clone(), || {
        let mut ctx = Context::new(env, &*runner);
        dispatch(&mut ctx, setup)
    })
}

/// Runs the handler for the event and maps its outcome (see the module docs).
fn dispatch<C, F>(ctx: &mut Context<'_>, setup: F) -> i32
where
    C: Charm,
    F: FnOnce(&Environment) -> Result<C, Error>,
{
    let path = ctx.env.dispatch_path.clone();
    let is_action = ctx.env.is_action();
    let result = setup(&ctx.env).and_then(|mut charm| match ctx.env.event.clone() {
        Event::Action { name, .. } => charm.action(ctx, &name),
        Event::Secret { hook: SecretHook::Remove, id, label, revision } => {
            let removed = SecretRemove { uri: id, label, revision: revision.unwrap_or_default() };
            charm.secret_remove(ctx, &removed)
        }
        Event::Stop => charm.stop(ctx),
        Event::Remove => charm.remove(ctx),
        Event::Unknown { name } => {
            log::info!("ignoring unknown event '{name}'");
            Ok(())
        }
        _ => charm.reconcile(ctx),
    });
    let mut code = 0;
    match result {
        Ok(()) => {}
        Err(Error(Repr::Unexpected(e))) => {
            log::error!("{path} failed: {}", Error(Repr::Unexpected(e)));
            code = 1;
        }
        Err(Error(Repr::Blocked(message) | Repr::ActionFailed(message))) => {
            if is_action {
                if let Err(e) = ctx.tools.action_fail(&message) {
                    log::error!("{path} failed: {}", Error::from(e));
                    code = 1;
                }
            } else {
                // The reason the handler stopped comes before anything it collected.
                let mut first = StatusCollector::default();
                first.add(Status::blocked(message));
                first.extend(&ctx.status);
                ctx.status = first;
            }
        }
    }
    // Set even when the handler failed: `status-set` takes effect at once in Juju, and the
    // operator sees what was found before the failure once the retry succeeds or not.
    if let Err(e) = ctx.set_statuses() {
        log::error!("{path} failed: cannot set the status: {}", Error::from(e));
        code = 1;
    }
    code
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("outer")]
    struct Outer(#[source] ConfigError);

    #[test]
    fn errors_keep_their_chain_and_config_errors_block() {
        let io = std::io::Error::other("disk full");
        let e = Error::from(io);
        assert!(e.is_unexpected());
        assert_eq!(e.to_string(), "disk full");
        let e = Error::from(Outer(ConfigError::new(Some("port"), "must be positive")));
        assert_eq!(e.message(), Some("Invalid 'port' config: must be positive"));
        assert!(!e.is_unexpected());
        let e = Error::new("plain text");
        assert_eq!(e.to_string(), "plain text");
    }
}
