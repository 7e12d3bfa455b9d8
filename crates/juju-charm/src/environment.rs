//! The hook environment, read once.
//!
//! Juju runs `dispatch` with a fresh environment that says which event it is
//! (`JUJU_DISPATCH_PATH`: `hooks/<name>` or `actions/<name>`), for which unit, application and
//! model, and, per kind of event, which relation, secret, storage, workload or action it
//! concerns (juju/juju `worker/uniter/runner/context/context.go`, `HookVars`; the list is at
//! <https://documentation.ubuntu.com/juju/3.6/reference/hook/>).
//!
//! [`Environment::from_vars`] takes any iterator of `(name, value)` pairs (so tests need no
//! real environment), treats present-but-empty variables as absent (Juju sets many of them to
//! `""`), and never reads `HOME`.

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use crate::rules::{JujuVersion, SecretUri};

/// A relation id as Juju prints it: `<endpoint>:<number>`, e.g. `object-storage:3`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RelationId {
    /// The endpoint name (`object-storage`).
    pub endpoint: String,
    /// The integer id (`3`).
    pub number: u64,
}

impl fmt::Display for RelationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.endpoint, self.number)
    }
}

impl FromStr for RelationId {
    type Err = EnvironmentError;
    /// Parses `endpoint:N`, splitting on the *last* `:` as ops does.
    ///
    /// Errors name `JUJU_RELATION_ID`, the variable this is usually read from; the text of a
    /// relation id is not secret, so it is quoted in the error.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let invalid = |why: &str| EnvironmentError::Invalid {
            name: "JUJU_RELATION_ID",
            why: format!("{s:?} {why}"),
        };
        let (endpoint, number) =
            s.rsplit_once(':').ok_or_else(|| invalid("is not of the form <endpoint>:<number>"))?;
        if endpoint.is_empty() {
            return Err(invalid("has an empty endpoint"));
        }
        Ok(Self {
            endpoint: endpoint.to_owned(),
            number: parse_number(number)
                .ok_or_else(|| invalid("does not end in a relation number"))?,
        })
    }
}

/// Which of the five relation hooks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelationHook {
    /// `<endpoint>-relation-created`
    Created,
    /// `<endpoint>-relation-joined`
    Joined,
    /// `<endpoint>-relation-changed`
    Changed,
    /// `<endpoint>-relation-departed`
    Departed,
    /// `<endpoint>-relation-broken`
    Broken,
}

/// Which of the four secret hooks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretHook {
    /// `secret-changed` (consumers)
    Changed,
    /// `secret-expired` (owners)
    Expired,
    /// `secret-remove` (owners)
    Remove,
    /// `secret-rotate` (owners)
    Rotate,
}

/// Which storage hook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StorageHook {
    /// `<storage>-storage-attached`
    Attached,
    /// `<storage>-storage-detaching`
    Detaching,
}

/// Which Pebble (workload) hook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PebbleHook {
    /// `<container>-pebble-ready`
    Ready,
    /// `<container>-pebble-custom-notice`
    CustomNotice,
    /// `<container>-pebble-check-failed`
    CheckFailed,
    /// `<container>-pebble-check-recovered`
    CheckRecovered,
}

/// The event Juju is running, parsed from `JUJU_DISPATCH_PATH` and its companion variables.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// An action (`actions/<name>`).
    Action {
        /// `JUJU_ACTION_NAME`
        name: String,
        /// `JUJU_ACTION_UUID`
        uuid: String,
    },
    /// `collect-metrics` (Juju ≤ 3.6).
    CollectMetrics,
    /// `config-changed`
    ConfigChanged,
    /// `install`
    Install,
    /// `leader-elected`
    LeaderElected,
    /// `leader-settings-changed` (deprecated; non-leaders)
    LeaderSettingsChanged,
    /// `meter-status-changed` (Juju ≤ 3.6).
    MeterStatusChanged,
    /// A `<container>-pebble-*` hook.
    Pebble {
        /// Which one.
        hook: PebbleHook,
        /// `JUJU_WORKLOAD_NAME`
        workload: String,
        /// `JUJU_NOTICE_ID`, for custom notices.
        notice_id: Option<String>,
        /// `JUJU_NOTICE_TYPE`
        notice_type: Option<String>,
        /// `JUJU_NOTICE_KEY`
        notice_key: Option<String>,
        /// `JUJU_PEBBLE_CHECK_NAME`, for check hooks.
        check_name: Option<String>,
    },
    /// `post-series-upgrade` (machines, Juju ≤ 3.6).
    PostSeriesUpgrade,
    /// `pre-series-upgrade` (machines, Juju ≤ 3.6).
    PreSeriesUpgrade,
    /// A relation hook.
    Relation {
        /// Which one.
        hook: RelationHook,
        /// `JUJU_RELATION_ID` (its endpoint is `JUJU_RELATION`).
        id: RelationId,
        /// `JUJU_REMOTE_APP`
        remote_app: String,
        /// `JUJU_REMOTE_UNIT` (absent for created/broken).
        remote_unit: Option<String>,
        /// `JUJU_DEPARTING_UNIT` (departed only).
        departing_unit: Option<String>,
    },
    /// `remove`
    Remove,
    /// A secret hook.
    Secret {
        /// Which one.
        hook: SecretHook,
        /// `JUJU_SECRET_ID`
        id: SecretUri,
        /// `JUJU_SECRET_LABEL`
        label: Option<String>,
        /// `JUJU_SECRET_REVISION` (remove/expired only).
        revision: Option<u64>,
    },
    /// `start`
    Start,
    /// `stop`
    Stop,
    /// A storage hook.
    Storage {
        /// Which one.
        hook: StorageHook,
        /// `JUJU_STORAGE_ID`, e.g. `data/0`.
        id: String,
        /// `JUJU_STORAGE_LOCATION`
        location: Option<String>,
        /// `JUJU_STORAGE_KIND` (`filesystem` or `block`).
        kind: Option<String>,
    },
    /// A hook name this runtime does not know (logged and ignored, to support rollbacks).
    Unknown {
        /// The name after `hooks/`.
        name: String,
    },
    /// `update-status`
    UpdateStatus,
    /// `upgrade-charm`
    UpgradeCharm,
}

/// Everything the environment says about this run.
///
/// ```
/// use juju_charm::{Environment, Event};
///
/// let env = Environment::from_vars([
///     ("JUJU_DISPATCH_PATH", "hooks/config-changed"),
///     ("JUJU_UNIT_NAME", "hello/0"),
///     ("JUJU_MODEL_NAME", "dev"),
///     ("JUJU_MODEL_UUID", "be4a7a07-7b03-4a5e-8c12-2f5e9d3c4b11"),
///     ("JUJU_VERSION", "3.6.9"),
///     ("JUJU_ACTION_NAME", ""), // empty counts as absent
/// ])?;
/// assert_eq!(env.event, Event::ConfigChanged);
/// assert_eq!(env.app_name, "hello");
/// assert!(env.juju_version.as_ref().is_some_and(|v| v.major() == 3));
/// # Ok::<(), juju_charm::environment::EnvironmentError>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Environment {
    /// The event being run.
    pub event: Event,
    /// `JUJU_DISPATCH_PATH`, e.g. `hooks/install`.
    pub dispatch_path: String,
    /// `JUJU_UNIT_NAME`, e.g. `postgresql/0`.
    pub unit_name: String,
    /// The application name (the unit name before `/`).
    pub app_name: String,
    /// `JUJU_MODEL_NAME` (on Kubernetes, the namespace).
    pub model_name: String,
    /// `JUJU_MODEL_UUID`
    pub model_uuid: String,
    /// `JUJU_VERSION`, when set.
    pub juju_version: Option<JujuVersion>,
    /// `JUJU_CHARM_DIR`, when set.
    pub charm_dir: Option<PathBuf>,
    /// Every variable of the environment that has a value, for [`Self::var`].
    vars: HashMap<String, String>,
}

impl fmt::Debug for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Not `vars`: the agent passes its proxy settings, which may hold credentials.
        f.debug_struct("Environment")
            .field("event", &self.event)
            .field("dispatch_path", &self.dispatch_path)
            .field("unit_name", &self.unit_name)
            .field("app_name", &self.app_name)
            .field("model_name", &self.model_name)
            .field("model_uuid", &self.model_uuid)
            .field("juju_version", &self.juju_version)
            .field("charm_dir", &self.charm_dir)
            .finish_non_exhaustive()
    }
}

impl Environment {
    /// Reads the environment from `(name, value)` pairs, typically `std::env::vars()`.
    ///
    /// Required always: `JUJU_DISPATCH_PATH`, `JUJU_UNIT_NAME`, `JUJU_MODEL_NAME`,
    /// `JUJU_MODEL_UUID`; plus the variables of the event's kind (`JUJU_RELATION_ID` for a
    /// relation hook, `JUJU_SECRET_ID` for a secret hook, ...).
    pub fn from_vars<I, K, V>(vars: I) -> Result<Self, EnvironmentError>
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        // Later pairs win, as with a real environment; empty values are dropped here once, so
        // every lookup below sees "present but empty" as absent.
        let env = Env(vars
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .filter(|(_, v): &(String, String)| !v.is_empty())
            .collect());
        let dispatch_path = env.required("JUJU_DISPATCH_PATH")?.to_owned();
        let unit_name = env.required("JUJU_UNIT_NAME")?.to_owned();
        let app_name = app_of_unit(&unit_name).ok_or_else(|| EnvironmentError::Invalid {
            name: "JUJU_UNIT_NAME",
            why: format!("{unit_name:?} is not of the form <application>/<number>"),
        })?;
        let model_name = env.required("JUJU_MODEL_NAME")?.to_owned();
        let model_uuid = env.required("JUJU_MODEL_UUID")?.to_owned();
        let event = parse_event(&dispatch_path, &env)?;
        Ok(Self {
            event,
            dispatch_path,
            unit_name,
            app_name,
            model_name,
            model_uuid,
            juju_version: env
                .get("JUJU_VERSION")
                .map(|v| {
                    v.parse().map_err(|e: crate::rules::VersionError| EnvironmentError::Invalid {
                        name: "JUJU_VERSION",
                        why: e.to_string(),
                    })
                })
                .transpose()?,
            charm_dir: env.optional("JUJU_CHARM_DIR").map(PathBuf::from),
            vars: env.0,
        })
    }

    /// Another variable of the hook's environment, when it is set and not empty: one the
    /// operator's model configuration passes (`JUJU_CHARM_HTTPS_PROXY`), or one a test sets.
    pub fn var(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str)
    }

    /// Whether this run is an action.
    pub fn is_action(&self) -> bool {
        matches!(self.event, Event::Action { .. })
    }
}

/// The hook environment with empty values removed.
struct Env(HashMap<String, String>);

impl Env {
    fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    fn optional(&self, name: &str) -> Option<String> {
        self.get(name).map(str::to_owned)
    }

    fn required(&self, name: &'static str) -> Result<&str, EnvironmentError> {
        self.get(name).ok_or(EnvironmentError::Missing(name))
    }
}

/// A decimal `u64` with digits only (no sign, no spaces), as Juju prints numbers.
fn parse_number(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// `app` of `app/N`.
fn app_of_unit(unit: &str) -> Option<String> {
    let (app, number) = unit.split_once('/')?;
    (!app.is_empty() && parse_number(number).is_some()).then(|| app.to_owned())
}

/// The event named by `JUJU_DISPATCH_PATH`, with its companion variables.
fn parse_event(dispatch_path: &str, env: &Env) -> Result<Event, EnvironmentError> {
    let invalid = |why: &str| EnvironmentError::Invalid {
        name: "JUJU_DISPATCH_PATH",
        why: format!("{dispatch_path:?} {why}"),
    };
    let (kind, name) = match dispatch_path.split_once('/') {
        Some((kind @ ("hooks" | "actions"), name)) => (kind, name),
        // Legacy `hooks/<name>` symlinks: the path is just the hook name (argv[0] style).
        None => ("hooks", dispatch_path),
        Some(_) => return Err(invalid("is neither hooks/<name> nor actions/<name>")),
    };
    if name.is_empty() || name.contains('/') {
        return Err(invalid("does not name one hook or action"));
    }
    if kind == "actions" {
        return Ok(Event::Action {
            name: env.optional("JUJU_ACTION_NAME").unwrap_or_else(|| name.to_owned()),
            uuid: env.required("JUJU_ACTION_UUID")?.to_owned(),
        });
    }
    parse_hook(name, env)
}

/// The unit hooks that carry no variables of their own.
const UNIT_HOOKS: &[(&str, Event)] = &[
    ("collect-metrics", Event::CollectMetrics),
    ("config-changed", Event::ConfigChanged),
    ("install", Event::Install),
    ("leader-elected", Event::LeaderElected),
    ("leader-settings-changed", Event::LeaderSettingsChanged),
    ("meter-status-changed", Event::MeterStatusChanged),
    ("post-series-upgrade", Event::PostSeriesUpgrade),
    ("pre-series-upgrade", Event::PreSeriesUpgrade),
    ("remove", Event::Remove),
    ("start", Event::Start),
    ("stop", Event::Stop),
    ("update-status", Event::UpdateStatus),
    ("upgrade-charm", Event::UpgradeCharm),
];

const SECRET_HOOKS: &[(&str, SecretHook)] = &[
    ("secret-changed", SecretHook::Changed),
    ("secret-expired", SecretHook::Expired),
    ("secret-remove", SecretHook::Remove),
    ("secret-rotate", SecretHook::Rotate),
];

// No suffix below is a suffix of another, so the order of the checks does not matter; the
// prefix (endpoint, storage or container name) may itself contain hyphens, so it is whatever
// precedes the full suffix and must not be empty.
const RELATION_SUFFIXES: &[(&str, RelationHook)] = &[
    ("-relation-created", RelationHook::Created),
    ("-relation-joined", RelationHook::Joined),
    ("-relation-changed", RelationHook::Changed),
    ("-relation-departed", RelationHook::Departed),
    ("-relation-broken", RelationHook::Broken),
];

const STORAGE_SUFFIXES: &[(&str, StorageHook)] =
    &[("-storage-attached", StorageHook::Attached), ("-storage-detaching", StorageHook::Detaching)];

const PEBBLE_SUFFIXES: &[(&str, PebbleHook)] = &[
    ("-pebble-ready", PebbleHook::Ready),
    ("-pebble-custom-notice", PebbleHook::CustomNotice),
    ("-pebble-check-failed", PebbleHook::CheckFailed),
    ("-pebble-check-recovered", PebbleHook::CheckRecovered),
];

/// The prefix of `name` before one of `suffixes`, and which one matched.
fn split_suffix<T: Copy>(name: &str, suffixes: &[(&str, T)]) -> Option<(String, T)> {
    suffixes.iter().find_map(|&(suffix, hook)| {
        name.strip_suffix(suffix).filter(|prefix| !prefix.is_empty()).map(|p| (p.to_owned(), hook))
    })
}

fn parse_hook(name: &str, env: &Env) -> Result<Event, EnvironmentError> {
    if let Some((_, event)) = UNIT_HOOKS.iter().find(|(n, _)| *n == name) {
        return Ok(event.clone());
    }
    if let Some(&(_, hook)) = SECRET_HOOKS.iter().find(|(n, _)| *n == name) {
        return parse_secret(hook, env);
    }
    if let Some((endpoint, hook)) = split_suffix(name, RELATION_SUFFIXES) {
        return parse_relation(hook, &endpoint, env);
    }
    if let Some((_, hook)) = split_suffix(name, STORAGE_SUFFIXES) {
        return Ok(Event::Storage {
            hook,
            id: env.required("JUJU_STORAGE_ID")?.to_owned(),
            location: env.optional("JUJU_STORAGE_LOCATION"),
            kind: env.optional("JUJU_STORAGE_KIND"),
        });
    }
    if let Some((_, hook)) = split_suffix(name, PEBBLE_SUFFIXES) {
        return parse_pebble(hook, env);
    }
    Ok(Event::Unknown { name: name.to_owned() })
}

fn parse_secret(hook: SecretHook, env: &Env) -> Result<Event, EnvironmentError> {
    let id = env.required("JUJU_SECRET_ID")?;
    let id = id.parse().map_err(|e: crate::rules::SecretUriError| EnvironmentError::Invalid {
        name: "JUJU_SECRET_ID",
        why: e.to_string(),
    })?;
    let revision = match env.get("JUJU_SECRET_REVISION") {
        Some(r) => Some(parse_number(r).ok_or_else(|| EnvironmentError::Invalid {
            name: "JUJU_SECRET_REVISION",
            why: format!("{r:?} is not a revision number"),
        })?),
        // Juju sets the revision for these two only (when > 0); ops requires it, and an owner
        // cannot act on them without knowing which revision.
        None if matches!(hook, SecretHook::Expired | SecretHook::Remove) => {
            return Err(EnvironmentError::Missing("JUJU_SECRET_REVISION"));
        }
        None => None,
    };
    Ok(Event::Secret { hook, id, label: env.optional("JUJU_SECRET_LABEL"), revision })
}

fn parse_relation(
    hook: RelationHook,
    endpoint: &str,
    env: &Env,
) -> Result<Event, EnvironmentError> {
    let relation = env.required("JUJU_RELATION")?;
    if relation != endpoint {
        return Err(EnvironmentError::Invalid {
            name: "JUJU_RELATION",
            why: format!("{relation:?} is not the endpoint of the hook ({endpoint:?})"),
        });
    }
    let raw_id = env.required("JUJU_RELATION_ID")?;
    let id = if raw_id.contains(':') {
        raw_id.parse::<RelationId>()?
    } else {
        // A bare number (older Juju, or `juju exec`): the endpoint is JUJU_RELATION.
        let number = parse_number(raw_id).ok_or_else(|| EnvironmentError::Invalid {
            name: "JUJU_RELATION_ID",
            why: format!("{raw_id:?} is not of the form <endpoint>:<number>"),
        })?;
        RelationId { endpoint: relation.to_owned(), number }
    };
    if id.endpoint != relation {
        return Err(EnvironmentError::Invalid {
            name: "JUJU_RELATION_ID",
            why: format!("{raw_id:?} does not belong to endpoint {relation:?}"),
        });
    }
    let remote_app = env.required("JUJU_REMOTE_APP")?.to_owned();
    let remote_unit = match hook {
        RelationHook::Joined | RelationHook::Departed => {
            Some(env.required("JUJU_REMOTE_UNIT")?.to_owned())
        }
        // Juju sets it to "" for created and broken, and for a relation-changed fired by a
        // change of the remote *application* databag (ops' `RelationChangedEvent.unit` is
        // `None` then). Requiring it would fail that hook forever.
        RelationHook::Changed | RelationHook::Created | RelationHook::Broken => {
            env.optional("JUJU_REMOTE_UNIT")
        }
    };
    let departing_unit = match hook {
        RelationHook::Departed => Some(env.required("JUJU_DEPARTING_UNIT")?.to_owned()),
        _ => None,
    };
    Ok(Event::Relation { hook, id, remote_app, remote_unit, departing_unit })
}

fn parse_pebble(hook: PebbleHook, env: &Env) -> Result<Event, EnvironmentError> {
    let workload = env.required("JUJU_WORKLOAD_NAME")?.to_owned();
    let (mut notice_id, mut notice_type, mut notice_key, mut check_name) = (None, None, None, None);
    match hook {
        PebbleHook::Ready => {}
        PebbleHook::CustomNotice => {
            notice_id = Some(env.required("JUJU_NOTICE_ID")?.to_owned());
            notice_type = Some(env.required("JUJU_NOTICE_TYPE")?.to_owned());
            notice_key = Some(env.required("JUJU_NOTICE_KEY")?.to_owned());
        }
        PebbleHook::CheckFailed | PebbleHook::CheckRecovered => {
            check_name = Some(env.required("JUJU_PEBBLE_CHECK_NAME")?.to_owned());
        }
    }
    Ok(Event::Pebble { hook, workload, notice_id, notice_type, notice_key, check_name })
}

/// Why the environment could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EnvironmentError {
    /// A required variable is absent or empty.
    #[error("environment variable {0} is required for this event")]
    Missing(&'static str),
    /// A variable has a value that cannot be parsed.
    #[error("environment variable {name} has an invalid value: {why}")]
    Invalid {
        /// The variable.
        name: &'static str,
        /// What is wrong.
        why: String,
    },
}
