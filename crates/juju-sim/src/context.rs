//! The Scenario-shaped API: a [`Context`] says how the charm runs (in this process or as its
//! compiled binary, on which unit, with which faults); [`Context::run`] runs one event on a
//! declared [`State`] and returns the state after it, leaving the input untouched.

use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::time::Duration;

use juju_charm::{Charm, CommandRunner, Environment, Status};
use serde_json::{Map, Value};

use crate::SimError;
use crate::env::{Paths, hook_env};
use crate::event::{Event, prepare};
use crate::inproc::run_in_process_with_faults;
use crate::outcome::{Fault, Outcome};
use crate::process::{CharmFiles, Harness};
use crate::state::{State, typed_status};

/// The charm as a closure standing in for `dispatch`: the hook's environment and its hook tools
/// in, the exit code out.
type CharmFn<'c> = dyn Fn(Vec<(String, String)>, Rc<dyn CommandRunner>) -> i32 + 'c;

/// How a charm runs under the simulator: in this process (a `juju-charm` charm, or any closure
/// standing in for `dispatch`), or as its compiled binary spawned as Juju spawns it; on which
/// unit; with which hook-tool calls failing.
///
/// A context holds no model. [`Context::run`] takes the [`State`] to start from and returns
/// the state the run leaves ([`Output::state`]): the input is never changed, so one state can
/// be the start of many runs, as in ops.testing (Scenario). The charm runs on unit 0 unless
/// [`Context::on_unit`] says otherwise.
///
/// ```
/// use juju_charm::{Charm, Context as CharmContext, Error, Status};
/// use juju_sim::{CharmMeta, Context, Event, State};
///
/// struct Hello;
///
/// impl Charm for Hello {
///     fn reconcile(&mut self, ctx: &mut CharmContext<'_>) -> Result<(), Error> {
///         let leader = ctx.is_leader()?;
///         ctx.add_status(Status::active(if leader { "leading" } else { "following" }));
///         Ok(())
///     }
/// }
///
/// let meta = CharmMeta::from_yaml("name: hello\n", "", "")?;
/// let state = State::new(meta, "hello", "test").with_units(2);
/// let ctx = Context::new(|_env| Ok(Hello));
///
/// let out = ctx.run(Event::Install, &state)?;
/// assert_eq!(out.unit_status(), Some(Status::active("leading")));
/// let out = ctx.on_unit(1).run(Event::Install, &state)?;
/// assert_eq!(out.unit_status(), Some(Status::active("following")));
/// assert_eq!(state.unit_status_typed(0), None, "the input state is untouched");
/// # Ok::<(), juju_sim::SimError>(())
/// ```
pub struct Context<'c> {
    form: Form<'c>,
    unit: u32,
    faults: Vec<Fault>,
}

enum Form<'c> {
    InProcess(Rc<CharmFn<'c>>),
    Process(Box<Compiled>),
}

/// A compiled charm, for [`Context::process`].
#[derive(Clone, Debug)]
struct Compiled {
    dispatch: PathBuf,
    tools: PathBuf,
    files: CharmFiles,
    kill_after: Option<Duration>,
    dir: Option<PathBuf>,
}

impl<'c> Context<'c> {
    /// A charm written with `juju-charm`, run in this process: `setup` builds it from the
    /// hook's environment, as the charm's `main` passes it to [`juju_charm::main`].
    pub fn new<C, F>(setup: F) -> Self
    where
        C: Charm,
        F: Fn(&Environment) -> Result<C, juju_charm::Error> + 'c,
    {
        Self::from_fn(move |env, runner| juju_charm::run(env, runner, &setup))
    }

    /// Any charm, run in this process: `charm` stands in for `dispatch`. It gets the hook's
    /// environment (the variables Juju sets, in order) and a [`CommandRunner`] that serves the
    /// hook tools, and returns the exit code.
    pub fn from_fn<F>(charm: F) -> Self
    where
        F: Fn(Vec<(String, String)>, Rc<dyn CommandRunner>) -> i32 + 'c,
    {
        Context { form: Form::InProcess(Rc::new(charm)), unit: 0, faults: Vec::new() }
    }

    /// The charm's compiled binary, run as Juju runs it: spawned as `dispatch` in a charm
    /// directory holding `files`, with a cleared environment, the hook tools first on `PATH`
    /// ([`tool_binary`](crate::tool_binary) under every tool's name) and the unit agent's socket
    /// served while it runs. In a charm's integration tests, cargo names the binary:
    /// `Context::process(env!("CARGO_BIN_EXE_<name>"), files)`.
    ///
    /// Each run lays out a fresh directory under the system's temporary directory and removes
    /// it afterwards ([`Context::in_dir`] keeps it).
    pub fn process(dispatch: impl Into<PathBuf>, files: CharmFiles) -> Self {
        let compiled = Compiled {
            dispatch: dispatch.into(),
            tools: crate::tool_binary().to_path_buf(),
            files,
            kill_after: None,
            dir: None,
        };
        Context { form: Form::Process(Box::new(compiled)), unit: 0, faults: Vec::new() }
    }

    /// Runs on `unit` (0 unless set).
    #[must_use]
    pub fn on_unit(&self, unit: u32) -> Self {
        Context { form: self.form.clone(), unit, faults: self.faults.clone() }
    }

    /// Makes the hook-tool calls `faults` name fail, in every run of this context.
    #[must_use]
    pub fn with_faults(mut self, faults: impl IntoIterator<Item = Fault>) -> Self {
        self.faults = faults.into_iter().collect();
        self
    }

    /// Process form: the hook tools are `tools` (a multi-call binary calling
    /// [`multicall_main`](crate::multicall_main)) instead of [`tool_binary`](crate::tool_binary).
    #[must_use]
    pub fn with_tools(mut self, tools: impl Into<PathBuf>) -> Self {
        if let Form::Process(c) = &mut self.form {
            c.tools = tools.into();
        }
        self
    }

    /// Process form: kills `dispatch` this long after starting it, if it is still running (a
    /// crash, or `juju-reboot --now`). The run is then a failed one: nothing is committed.
    #[must_use]
    pub fn kill_after(mut self, after: Duration) -> Self {
        if let Form::Process(c) = &mut self.form {
            c.kill_after = Some(after);
        }
        self
    }

    /// Process form: lays out each run in `dir` (charm, tools and agent directories, the
    /// model as `agent/state.json`) and keeps it afterwards.
    #[must_use]
    pub fn in_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        if let Form::Process(c) = &mut self.form {
            c.dir = Some(dir.into());
        }
        self
    }

    /// Runs `event` on the context's unit, starting from `state`, and returns the state the run
    /// leaves with what the run did. A hook that fails (a non-zero exit, or a commit Juju
    /// would refuse) leaves the state as it was but for what Juju applies at once (statuses,
    /// logs); one that succeeds commits all its writes.
    ///
    /// An event or a state Juju could not produce (an unknown relation or unit, an action
    /// with bad parameters) is an error before anything runs.
    pub fn run(&self, event: Event, state: &State) -> Result<Output, SimError> {
        let mut next = state.clone();
        let outcome = match &self.form {
            Form::InProcess(charm) => {
                let charm = Rc::clone(charm);
                run_in_process_with_faults(&mut next, self.unit, &event, &self.faults, |e, r| {
                    charm(e, r)
                })?
            }
            Form::Process(c) => {
                let (outcome, after) = c.run(self.unit, &event, &self.faults, next)?;
                next = after;
                outcome
            }
        };
        Ok(Output { state: next, unit: self.unit, outcome })
    }

    /// Runs action `name` with `params` (a JSON object; Juju fills in the defaults the action
    /// declares and checks the rest against its schema first) and returns what the action
    /// reported: its results, its failure message and its logs.
    ///
    /// ```
    /// use juju_sim::{CharmMeta, Context, State};
    /// use serde_json::json;
    ///
    /// let actions = "greet:\n  params:\n    name: {type: string}\n";
    /// let meta = CharmMeta::from_yaml("name: hello\n", "", actions)?;
    /// let state = State::new(meta, "hello", "test");
    /// // A charm that echoes the `name` parameter as the result `greeting`.
    /// let ctx = Context::from_fn(|_env, tools| {
    ///     let name = tools.run("action-get", &["name"], None).unwrap().stdout;
    ///     let name = String::from_utf8(name).unwrap();
    ///     let arg = format!("greeting=hello {}", name.trim());
    ///     tools.run("action-set", &[&arg], None).unwrap().code.unwrap_or(1)
    /// });
    /// let out = ctx.run_action("greet", json!({"name": "world"}), &state)?;
    /// assert_eq!(out.results, json!({"greeting": "hello world"}).as_object().unwrap().clone());
    /// assert_eq!(out.failure, None);
    /// # Ok::<(), juju_sim::SimError>(())
    /// ```
    pub fn run_action(
        &self,
        name: &str,
        params: Value,
        state: &State,
    ) -> Result<ActionOutput, SimError> {
        let params = match params {
            Value::Object(map) => map,
            Value::Null => Map::new(),
            other => {
                let why = format!("{name}: parameters must be a JSON object, not {other}");
                return Err(SimError::ActionParams(why));
            }
        };
        let output = self.run(Event::Action { name: name.to_owned(), params }, state)?;
        let action = output.outcome.action.clone().unwrap_or_default();
        Ok(ActionOutput {
            results: action.results,
            failure: action.failed,
            logs: action.logs,
            output,
        })
    }
}

impl Clone for Form<'_> {
    fn clone(&self) -> Self {
        match self {
            Form::InProcess(charm) => Form::InProcess(Rc::clone(charm)),
            Form::Process(c) => Form::Process(c.clone()),
        }
    }
}

impl std::fmt::Debug for Context<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let form = match &self.form {
            Form::InProcess(_) => "in process".to_owned(),
            Form::Process(c) => format!("process {}", c.dispatch.display()),
        };
        f.debug_struct("Context")
            .field("form", &form)
            .field("unit", &self.unit)
            .field("faults", &self.faults)
            .finish()
    }
}

thread_local! {
    /// Numbers the run directories of this thread's process-form runs.
    static RUNS: Cell<u64> = const { Cell::new(0) };
}

impl Compiled {
    fn run(
        &self,
        unit: u32,
        event: &Event,
        faults: &[Fault],
        state: State,
    ) -> Result<(Outcome, State), SimError> {
        let (dir, keep) = match &self.dir {
            Some(d) => (d.clone(), true),
            None => {
                let n = RUNS.with(|r| {
                    r.set(r.get() + 1);
                    r.get()
                });
                let thread = format!("{:?}", std::thread::current().id());
                let thread: String = thread.chars().filter(char::is_ascii_digit).collect();
                let name = format!("juju-sim-{}-{thread}-{n}", std::process::id());
                (std::env::temp_dir().join(name), false)
            }
        };
        let result = self.run_in(&dir, unit, event, faults, state);
        if !keep {
            // A directory that cannot be removed is left in the temporary directory.
            let _ = std::fs::remove_dir_all(&dir);
        }
        result
    }

    fn run_in(
        &self,
        dir: &Path,
        unit: u32,
        event: &Event,
        faults: &[Fault],
        state: State,
    ) -> Result<(Outcome, State), SimError> {
        let mut harness =
            Harness::new(dir, &self.dispatch, &self.tools, self.files.clone(), state)?;
        harness.faults = faults.to_vec();
        harness.kill_after = self.kill_after;
        let outcome = harness.run(unit, event)?;
        Ok((outcome, harness.into_state()))
    }
}

impl Event {
    /// This event as the runtime types it: the [`juju_charm::Event`] a charm reads when this
    /// event runs on `unit` of `state`, parsed by `juju-charm` from the very environment the
    /// simulator gives `dispatch`. The two enums differ in purpose, not in meaning: this one
    /// says what to fire (a relation by its id, a secret by its id), the runtime's what
    /// the hook's environment says (`JUJU_RELATION_ID`, `JUJU_REMOTE_APP`, the secret's URI
    /// and label). `Install` is `Install`; `RelationChanged { id, unit }` is
    /// `Relation { hook: Changed, id, remote_app, remote_unit, .. }`;
    /// `SecretChanged { id }` is `Secret { hook: Changed, id: <uri>, label, revision: None }`;
    /// `Action { name, .. }` is `Action { name, uuid }`; `Custom { hook }` is the runtime's
    /// reading of that hook name.
    ///
    /// ```
    /// use juju_sim::{CharmMeta, Event, State};
    ///
    /// let meta = CharmMeta::from_yaml("name: db\nprovides:\n  db: {interface: pg}\n", "", "")?;
    /// let mut state = State::new(meta, "db", "test");
    /// let id = state.add_relation("db", "app", 1);
    /// let event = Event::RelationChanged { id: id.clone(), unit: Some("app/0".into()) };
    /// match event.to_runtime(&state, 0)? {
    ///     juju_charm::Event::Relation { id: rid, remote_app, remote_unit, .. } => {
    ///         assert_eq!(rid, id);
    ///         assert_eq!(rid.to_string(), "db:0");
    ///         assert_eq!((remote_app.as_str(), remote_unit.as_deref()), ("app", Some("app/0")));
    ///     }
    ///     other => panic!("{other:?}"),
    /// }
    /// # Ok::<(), juju_sim::SimError>(())
    /// ```
    pub fn to_runtime(&self, state: &State, unit: u32) -> Result<juju_charm::Event, SimError> {
        let mut prepared = state.clone();
        let ctx = prepare(&mut prepared, unit, self)?;
        let slug = format!("unit-{}-{unit}", prepared.app);
        let (charm, tools) = (
            PathBuf::from(format!("/var/lib/juju/agents/{slug}/charm")),
            PathBuf::from(format!("/var/lib/juju/tools/{slug}")),
        );
        let containers = PathBuf::from("/charm/containers");
        let paths = Paths {
            charm_dir: &charm,
            tools_dir: &tools,
            agent_socket: "@juju-sim",
            containers_dir: (!prepared.meta.containers.is_empty()).then_some(containers.as_path()),
        };
        let env = hook_env(&prepared, &ctx, &paths);
        Environment::from_vars(env).map(|e| e.event).map_err(|e| {
            SimError::Event(format!("the runtime cannot read this event's environment: {e}"))
        })
    }
}

/// What [`Context::run`] returns: the state after the run and what the run did.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Output {
    /// The model after the run: the input with this hook's writes if it succeeded, without
    /// them (but with its statuses and logs, which Juju applies at once) if it failed.
    pub state: State,
    /// The unit the event ran on.
    pub unit: u32,
    /// What the run did: the exit code, whether its writes were committed, every hook-tool
    /// call, the logs and statuses of this run, `dispatch`'s output in the process form.
    pub outcome: Outcome,
}

impl Output {
    /// The unit's workload status after the run; `None` while it is `unknown` (never set).
    pub fn unit_status(&self) -> Option<Status> {
        self.state.unit_status_typed(self.unit)
    }

    /// The application's status after the run; `None` while it is `unknown`.
    pub fn app_status(&self) -> Option<Status> {
        self.state.app_status_typed()
    }

    /// Every status the unit set during the run, oldest first.
    pub fn status_history(&self) -> Vec<Status> {
        self.outcome.status_history.iter().filter_map(|(n, m)| typed_status(n, m)).collect()
    }

    /// Why the hook failed, as `juju status` shows it (`hook failed: "install"`); `None` after
    /// a success.
    pub fn hook_error(&self) -> Option<&str> {
        self.state.units.get(&self.unit).and_then(|u| u.hook_error.as_deref())
    }

    /// Whether the hook exited 0 and its writes were committed.
    pub fn succeeded(&self) -> bool {
        self.outcome.committed
    }
}

/// What [`Context::run_action`] returns.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ActionOutput {
    /// The results `action-set` gave, nested per dotted key (`a.b=c` is `{"a": {"b": "c"}}`).
    pub results: Map<String, Value>,
    /// The failure message: `action-fail`'s, or `exit status N` when `dispatch` failed;
    /// `None` when the action succeeded.
    pub failure: Option<String>,
    /// The messages `action-log` gave, in order.
    pub logs: Vec<String>,
    /// The whole run: the state after it and what it did.
    pub output: Output,
}
