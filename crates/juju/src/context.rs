//! The hook environment, read once.
//!
//! [`JujuContext::from_env`] takes any iterator of `(name, value)` pairs (so tests need no real
//! environment), treats present-but-empty variables as absent (Juju sets many of them to `""`),
//! and never reads `HOME`. The event comes from `JUJU_DISPATCH_PATH` (`hooks/<name>` or
//! `actions/<name>`), with the per-kind variables of `juju-runtime.md` §1.2/§1.3.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

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
    type Err = ContextError;
    /// Parses `endpoint:N`, splitting on the *last* `:` as ops does.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        todo!("parse {s}")
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
        /// `JUJU_SECRET_ID` (a secret URI).
        id: String,
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JujuContext {
    /// The event being run.
    pub event: Event,
    /// `JUJU_DISPATCH_PATH`, e.g. `hooks/install`.
    pub dispatch_path: String,
    /// `JUJU_UNIT_NAME`, e.g. `ckf-crypto/0`.
    pub unit_name: String,
    /// The application name (the unit name before `/`).
    pub app_name: String,
    /// `JUJU_MODEL_NAME` (on Kubernetes, the namespace).
    pub model_name: String,
    /// `JUJU_MODEL_UUID`
    pub model_uuid: String,
    /// `JUJU_VERSION`, when set.
    pub juju_version: Option<String>,
    /// `JUJU_CHARM_DIR`, when set.
    pub charm_dir: Option<PathBuf>,
}

impl JujuContext {
    /// Reads the context from `(name, value)` pairs, typically `std::env::vars()`.
    ///
    /// Required always: `JUJU_DISPATCH_PATH`, `JUJU_UNIT_NAME`, `JUJU_MODEL_NAME`,
    /// `JUJU_MODEL_UUID`; plus the per-kind variables listed in `juju-runtime.md` §1.2.
    pub fn from_env<I, K, V>(vars: I) -> Result<Self, ContextError>
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        let _ = vars;
        todo!()
    }

    /// Whether this run is an action.
    pub fn is_action(&self) -> bool {
        matches!(self.event, Event::Action { .. })
    }
}

/// Why the environment could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ContextError {
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
