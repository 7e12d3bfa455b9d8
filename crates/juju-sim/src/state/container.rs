//! A unit's workload containers, as their Pebble holds them: whether the charm can reach Pebble
//! at all, the layers and the plan they make, each service's status, the filesystem, the
//! commands the test lets the charm run, the notices and the health checks.
//!
//! A test declares a container with [`ContainerBuilder`] (Scenario's `Container`, `Exec`,
//! `Notice`, `CheckInfo` and mounts, in canonical/operator `testing/src/scenario/state.py`);
//! during a run the simulator serves Pebble's API for it on a Unix socket and the charm changes
//! it as Pebble would. The filesystem is in memory: a map from absolute path to [`FileEntry`],
//! `/` always present and `/root` (root's home, where `exec` runs by default) there from the
//! start.
//!
//! Pebble is not part of Juju's hook transaction: what the charm does to a workload (a layer
//! added, a service started, a file pushed, a notice added) happens at once and stays when the
//! hook fails, as it does in a real pod. The state a run returns holds the containers as the
//! charm left them, whatever the hook's exit code.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::SimError;
use crate::pebble::{GoDuration, Layer, Plan, PlanError};

/// A service's status as Pebble reports it (`GET /v1/services`, servstate `ServiceStatus`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ServiceStatus {
    /// `active`: starting or running.
    Active,
    /// `inactive`: never started, or stopped.
    #[default]
    Inactive,
    /// `backoff`: exited, waiting to be restarted.
    Backoff,
    /// `error`: exited and not restarted.
    Error,
}

impl ServiceStatus {
    /// The word Pebble uses.
    pub fn as_str(self) -> &'static str {
        match self {
            ServiceStatus::Active => "active",
            ServiceStatus::Inactive => "inactive",
            ServiceStatus::Backoff => "backoff",
            ServiceStatus::Error => "error",
        }
    }
}

/// One entry of a container's filesystem.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    /// `None` for a directory; a regular file's content otherwise.
    pub content: Option<Vec<u8>>,
    /// Permission bits (`0o644`).
    pub permissions: u32,
    /// Owner's name.
    pub user: String,
    /// Owner's id.
    pub user_id: u32,
    /// Group's name.
    pub group: String,
    /// Group's id.
    pub group_id: u32,
    /// Last modification.
    pub modified: SystemTime,
}

impl FileEntry {
    /// A regular file owned by root, with Pebble's default permissions for a pushed file
    /// (`0o644`).
    pub fn file(content: impl Into<Vec<u8>>) -> Self {
        FileEntry { content: Some(content.into()), ..Self::directory() }.with_permissions(0o644)
    }

    /// A directory owned by root, with Pebble's default permissions for one it makes
    /// (`0o755`).
    pub fn directory() -> Self {
        FileEntry {
            content: None,
            permissions: 0o755,
            user: "root".into(),
            user_id: 0,
            group: "root".into(),
            group_id: 0,
            modified: SystemTime::now(),
        }
    }

    /// With these permission bits.
    #[must_use]
    pub fn with_permissions(mut self, permissions: u32) -> Self {
        self.permissions = permissions;
        self
    }

    /// Owned by this user and group.
    #[must_use]
    pub fn owned_by(mut self, user: &str, user_id: u32, group: &str, group_id: u32) -> Self {
        (self.user, self.user_id, self.group, self.group_id) =
            (user.into(), user_id, group.into(), group_id);
        self
    }

    /// Whether it is a directory.
    pub fn is_dir(&self) -> bool {
        self.content.is_none()
    }
}

/// A command the charm may run in the container (`POST /v1/exec`), and what it does: Scenario's
/// `Exec`. A call runs the handler with the longest `command_prefix` its command starts with;
/// a command no handler matches is a missing executable, as Pebble reports one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exec {
    /// The command's leading words (`["ls", "-l"]` matches `ls -l /tmp`).
    pub command_prefix: Vec<String>,
    /// Its exit code.
    pub exit_code: i32,
    /// What it writes to stdout.
    pub stdout: Vec<u8>,
    /// What it writes to stderr.
    pub stderr: Vec<u8>,
}

impl Exec {
    /// A command that succeeds and prints nothing.
    pub fn new<S: Into<String>>(command_prefix: impl IntoIterator<Item = S>) -> Self {
        Exec {
            command_prefix: command_prefix.into_iter().map(Into::into).collect(),
            exit_code: 0,
            stdout: Vec::new(),
            stderr: Vec::new(),
        }
    }

    /// Exits with `code`.
    #[must_use]
    pub fn exit_code(mut self, code: i32) -> Self {
        self.exit_code = code;
        self
    }

    /// Writes `out` to stdout.
    #[must_use]
    pub fn stdout(mut self, out: impl Into<Vec<u8>>) -> Self {
        self.stdout = out.into();
        self
    }

    /// Writes `err` to stderr.
    #[must_use]
    pub fn stderr(mut self, err: impl Into<Vec<u8>>) -> Self {
        self.stderr = err.into();
        self
    }
}

/// A command the charm ran in the container, as Pebble was asked to run it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExecCall {
    /// The command and its arguments.
    pub command: Vec<String>,
    /// The environment it ran with (Pebble's defaults, `PATH`, `HOME`, `USER`, `LANG`,
    /// under the request's, and a service context's).
    pub environment: BTreeMap<String, String>,
    /// Its working directory.
    pub working_dir: String,
    /// `user-id` as requested, or the service context's.
    pub user_id: Option<i64>,
    /// `user`.
    pub user: String,
    /// `group-id`.
    pub group_id: Option<i64>,
    /// `group`.
    pub group: String,
    /// `timeout`, as given.
    pub timeout: String,
    /// What the charm sent to its stdin.
    pub stdin: Vec<u8>,
    /// The exit code the handler gave.
    pub exit_code: i32,
}

/// A Pebble notice (`GET /v1/notices`), Scenario's `Notice`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    /// Its id (Pebble numbers notices from 1).
    pub id: String,
    /// The user who may see it; `None` for a public notice.
    pub user_id: Option<u32>,
    /// `custom`, `change-update` or `warning`.
    pub r#type: String,
    /// Its key (`example.com/path` for a custom notice).
    pub key: String,
    /// When it first occurred.
    pub first_occurred: SystemTime,
    /// When it last occurred.
    pub last_occurred: SystemTime,
    /// When it was last repeated.
    pub last_repeated: SystemTime,
    /// How many times it occurred.
    pub occurrences: u64,
    /// The data of its last occurrence.
    pub last_data: BTreeMap<String, String>,
    /// `repeat-after`.
    pub repeat_after: Option<GoDuration>,
    /// `expire-after` (Pebble's default: seven days).
    pub expire_after: Option<GoDuration>,
}

impl Notice {
    /// A public custom notice with `key` that occurred once, now; its id is given when the
    /// container is inserted, unless [`Notice::id`] sets one.
    pub fn custom(key: impl Into<String>) -> Self {
        let now = SystemTime::now();
        Notice {
            id: String::new(),
            user_id: None,
            r#type: "custom".into(),
            key: key.into(),
            first_occurred: now,
            last_occurred: now,
            last_repeated: now,
            occurrences: 1,
            last_data: BTreeMap::new(),
            repeat_after: None,
            expire_after: Some(GoDuration::from_secs(7 * 24 * 3600)),
        }
    }

    /// With this id.
    #[must_use]
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = id.into();
        self
    }

    /// Of this type (`custom` unless set).
    #[must_use]
    pub fn of_type(mut self, kind: impl Into<String>) -> Self {
        self.r#type = kind.into();
        self
    }

    /// With this data from its last occurrence.
    #[must_use]
    pub fn data<K: Into<String>, V: Into<String>>(
        mut self,
        data: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        self.last_data = data.into_iter().map(|(k, v)| (k.into(), v.into())).collect();
        self
    }
}

/// A health check's state (`GET /v1/checks`), Scenario's `CheckInfo`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckInfo {
    /// `alive`, `ready` or `""`.
    pub level: String,
    /// `enabled` or `disabled`.
    pub startup: String,
    /// `up`, `down` or `inactive`.
    pub status: String,
    /// Successes so far.
    pub successes: u64,
    /// Failures since the last success.
    pub failures: u64,
    /// Failures in a row that make it `down`.
    pub threshold: u64,
}

impl CheckInfo {
    /// An enabled check that is `up`, with no success or failure yet and Pebble's threshold,
    /// 3.
    pub fn up() -> Self {
        CheckInfo {
            level: String::new(),
            startup: "enabled".into(),
            status: "up".into(),
            successes: 0,
            failures: 0,
            threshold: 3,
        }
    }

    /// A check that failed `failures` times in a row, reaching its threshold: `down`.
    pub fn down(failures: u64) -> Self {
        CheckInfo { status: "down".into(), failures, ..Self::up() }
    }
}

/// A Pebble change (`GET /v1/changes/{id}`): what a `POST` to `/v1/services` or `/v1/exec`
/// started.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// Its id.
    pub id: String,
    /// `start`, `stop`, `restart`, `replan`, `autostart`, `exec`.
    pub kind: String,
    /// Its summary (`Start service "web"`).
    pub summary: String,
    /// Its tasks.
    pub tasks: Vec<Task>,
    /// When it was made.
    pub spawn_time: SystemTime,
    /// When it was done; `None` while it runs (an `exec` before its I/O connects).
    pub ready_time: Option<SystemTime>,
    /// `err`, when it failed.
    pub err: Option<String>,
    /// The services it concerns (Pebble's `service-names`).
    pub service_names: Vec<String>,
}

/// One task of a [`Change`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Task {
    /// Its id.
    pub id: String,
    /// `start`, `stop`, `exec`.
    pub kind: String,
    /// Its summary.
    pub summary: String,
    /// `Do`, `Doing`, `Done`, `Error`.
    pub status: String,
    /// Its log lines.
    pub log: Vec<String>,
    /// Its `api-data` (`exit-code` for an exec).
    pub data: BTreeMap<String, i64>,
}

/// One workload container of a unit, as its Pebble holds it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Container {
    /// Whether the charm can reach Pebble: while `false` its socket refuses connections.
    pub can_connect: bool,
    /// The layers, in order.
    pub layers: Vec<Layer>,
    /// Each service's status; a service not listed is `inactive`.
    pub service_statuses: BTreeMap<String, ServiceStatus>,
    /// The filesystem: absolute path → entry.
    pub files: BTreeMap<String, FileEntry>,
    /// The commands the charm may run.
    pub execs: Vec<Exec>,
    /// The commands the charm ran, in order.
    pub executed: Vec<ExecCall>,
    /// The notices.
    pub notices: Vec<Notice>,
    /// Check states by name; a check of the plan not listed is `up`.
    pub checks: BTreeMap<String, CheckInfo>,
    /// Users: name → (uid, primary gid). `root` is (0, 0).
    pub users: BTreeMap<String, (u32, u32)>,
    /// Groups: name → gid. `root` is 0.
    pub groups: BTreeMap<String, u32>,
    /// The changes, oldest first.
    pub changes: Vec<Change>,
    /// Each started service's configuration when it was last started (for `replan`).
    pub(crate) started: BTreeMap<String, crate::pebble::Service>,
    /// The last change, task and notice ids.
    pub(crate) last_ids: (u64, u64, u64),
}

impl Default for Container {
    fn default() -> Self {
        let mut files = BTreeMap::new();
        files.insert("/".into(), FileEntry::directory());
        files.insert("/root".into(), FileEntry::directory().with_permissions(0o700));
        Container {
            can_connect: false,
            layers: Vec::new(),
            service_statuses: BTreeMap::new(),
            files,
            execs: Vec::new(),
            executed: Vec::new(),
            notices: Vec::new(),
            checks: BTreeMap::new(),
            users: BTreeMap::from([("root".into(), (0, 0))]),
            groups: BTreeMap::from([("root".into(), 0)]),
            changes: Vec::new(),
            started: BTreeMap::new(),
            last_ids: (0, 0, 0),
        }
    }
}

impl Container {
    /// The plan the layers make, as Pebble combines and validates them.
    pub fn plan(&self) -> Result<Plan, PlanError> {
        Plan::from_layers(&self.layers)
    }

    /// The content of the regular file at `path`, if there is one.
    pub fn file(&self, path: &str) -> Option<&[u8]> {
        self.files.get(path).and_then(|f| f.content.as_deref())
    }

    /// The status of service `name` (`inactive` unless started).
    pub fn service_status(&self, name: &str) -> ServiceStatus {
        self.service_statuses.get(name).copied().unwrap_or_default()
    }

    /// The layer labelled `label`.
    pub fn layer(&self, label: &str) -> Option<&Layer> {
        self.layers.iter().find(|l| l.label == label)
    }

    pub(crate) fn next_change_id(&mut self) -> String {
        self.last_ids.0 += 1;
        self.last_ids.0.to_string()
    }

    pub(crate) fn next_task_id(&mut self) -> String {
        self.last_ids.1 += 1;
        self.last_ids.1.to_string()
    }

    pub(crate) fn next_notice_id(&mut self) -> String {
        self.last_ids.2 += 1;
        self.last_ids.2.to_string()
    }
}

/// A workload container to add to a unit of a [`State`](crate::State), as the test wants its
/// Pebble to be when the run starts: Scenario's `Container`.
///
/// By default Pebble cannot be reached (`can_connect` false, as before the container's
/// `pebble-ready`; a Pebble event on it makes it true), there are no layers (so no services or
/// checks), the filesystem holds `/` and `/root`, no command can run, and there are no
/// notices. The container goes to unit 0 unless [`Self::on_unit`] says otherwise; its name must
/// be one the metadata declares under `containers`.
///
/// ```
/// use juju_sim::{CharmMeta, ContainerBuilder, Exec, ServiceStatus, State};
///
/// let meta = CharmMeta::from_yaml("name: web\ncontainers:\n  app: {resource: image}\nresources:\n  image: {type: oci-image}\n", "", "")?;
/// let state = State::for_charm(meta).with_container(
///     ContainerBuilder::new("app")
///         .can_connect(true)
///         .layer("base", "services:\n  web: {override: replace, command: /bin/web}\n")
///         .service_status("web", ServiceStatus::Active)
///         .file("/etc/web.conf", "port: 80\n")
///         .exec(Exec::new(["web", "--version"]).stdout("1.2\n")),
/// );
/// let app = state.container(0, "app").expect("inserted");
/// assert_eq!(app.plan()?.services["web"].command, "/bin/web");
/// assert_eq!(app.file("/etc/web.conf"), Some(&b"port: 80\n"[..]));
/// assert!(app.files["/etc"].is_dir(), "parent directories are made");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
#[must_use = "a builder does nothing until the state inserts it"]
pub struct ContainerBuilder {
    pub(crate) name: String,
    pub(crate) unit: u32,
    pub(crate) can_connect: bool,
    pub(crate) layers: Vec<(String, String)>,
    pub(crate) statuses: BTreeMap<String, ServiceStatus>,
    pub(crate) files: Vec<(String, FileEntry)>,
    pub(crate) execs: Vec<Exec>,
    pub(crate) notices: Vec<Notice>,
    pub(crate) checks: BTreeMap<String, CheckInfo>,
    pub(crate) users: Vec<(String, u32, u32)>,
    pub(crate) groups: Vec<(String, u32)>,
}

impl ContainerBuilder {
    /// Container `name`, with every default.
    pub fn new(name: impl Into<String>) -> Self {
        ContainerBuilder {
            name: name.into(),
            unit: 0,
            can_connect: false,
            layers: Vec::new(),
            statuses: BTreeMap::new(),
            files: Vec::new(),
            execs: Vec::new(),
            notices: Vec::new(),
            checks: BTreeMap::new(),
            users: Vec::new(),
            groups: Vec::new(),
        }
    }

    /// The container of unit `unit` (default 0).
    pub fn on_unit(mut self, unit: u32) -> Self {
        self.unit = unit;
        self
    }

    /// Whether the charm can reach Pebble (default `false`).
    pub fn can_connect(mut self, can: bool) -> Self {
        self.can_connect = can;
        self
    }

    /// A layer already added, as Pebble's YAML; layers combine in the order given (Scenario's
    /// `layers`, in the order of the API calls that added them). Pebble's parsing and
    /// validation apply when the state inserts the container.
    pub fn layer(mut self, label: impl Into<String>, yaml: impl Into<String>) -> Self {
        self.layers.push((label.into(), yaml.into()));
        self
    }

    /// Service `name`'s status (default `inactive`).
    pub fn service_status(mut self, name: impl Into<String>, status: ServiceStatus) -> Self {
        self.statuses.insert(name.into(), status);
        self
    }

    /// A regular file at `path` (absolute) holding `content`, owned by root with permissions
    /// `0o644`; missing parent directories are made (`0o755`).
    pub fn file(self, path: impl Into<String>, content: impl Into<Vec<u8>>) -> Self {
        self.entry(path, FileEntry::file(content))
    }

    /// A directory at `path`, and its parents.
    pub fn dir(self, path: impl Into<String>) -> Self {
        self.entry(path, FileEntry::directory())
    }

    /// Any entry at `path` (a file with other permissions or owner).
    pub fn entry(mut self, path: impl Into<String>, entry: FileEntry) -> Self {
        self.files.push((path.into(), entry));
        self
    }

    /// A command the charm may run, and what it does.
    pub fn exec(mut self, exec: Exec) -> Self {
        self.execs.push(exec);
        self
    }

    /// A notice Pebble already holds.
    pub fn notice(mut self, notice: Notice) -> Self {
        self.notices.push(notice);
        self
    }

    /// Check `name`'s state.
    pub fn check(mut self, name: impl Into<String>, info: CheckInfo) -> Self {
        self.checks.insert(name.into(), info);
        self
    }

    /// A user of the container (besides `root`), for files and commands that name one.
    pub fn user(mut self, name: impl Into<String>, uid: u32, gid: u32) -> Self {
        self.users.push((name.into(), uid, gid));
        self
    }

    /// A group of the container (besides `root`).
    pub fn group(mut self, name: impl Into<String>, gid: u32) -> Self {
        self.groups.push((name.into(), gid));
        self
    }

    /// The container's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Builds the container record.
    pub(crate) fn build(self) -> Result<Container, SimError> {
        let name = self.name.clone();
        let bad = |why: String| SimError::Inconsistent(format!("container {name:?}: {why}"));
        let mut c = Container { can_connect: self.can_connect, ..Container::default() };
        for (i, (label, yaml)) in self.layers.iter().enumerate() {
            let order = 1000 * (i as i64 + 1);
            let layer = Layer::parse(order, label, yaml)
                .map_err(|e| bad(format!("layer {label:?}: {e}")))?;
            if c.layers.iter().any(|l| &l.label == label) {
                return Err(bad(format!("layer {label:?} is given twice")));
            }
            c.layers.push(layer);
        }
        c.plan().map_err(|e| bad(format!("the layers make no plan Pebble accepts: {e}")))?;
        c.service_statuses = self.statuses;
        for (path, entry) in self.files {
            let path =
                clean(&path).ok_or_else(|| bad(format!("{path:?} is not an absolute path")))?;
            let mut parent = parent_of(&path);
            while let Some(p) = parent {
                c.files.entry(p.clone()).or_insert_with(FileEntry::directory);
                parent = parent_of(&p);
            }
            c.files.insert(path, entry);
        }
        for (user, uid, gid) in self.users {
            c.users.insert(user, (uid, gid));
        }
        for (group, gid) in self.groups {
            c.groups.insert(group, gid);
        }
        c.execs = self.execs;
        for mut notice in self.notices {
            if notice.id.is_empty() {
                notice.id = c.next_notice_id();
            } else if let Ok(n) = notice.id.parse::<u64>() {
                c.last_ids.2 = c.last_ids.2.max(n);
            }
            c.notices.push(notice);
        }
        c.checks = self.checks;
        // Services the test says are running were started with the plan's configuration.
        if let Ok(plan) = c.plan() {
            for (service, status) in &c.service_statuses {
                if let (ServiceStatus::Active, Some(config)) = (status, plan.services.get(service))
                {
                    c.started.insert(service.clone(), config.clone());
                }
            }
        }
        Ok(c)
    }
}

/// `path` cleaned as Go's `path.Clean` cleans an absolute path; `None` if it is relative.
pub(crate) fn clean(path: &str) -> Option<String> {
    if !path.starts_with('/') {
        return None;
    }
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    Some(format!("/{}", parts.join("/")))
}

/// The parent of a cleaned absolute path; `None` for `/`.
pub(crate) fn parent_of(path: &str) -> Option<String> {
    if path == "/" {
        return None;
    }
    let cut = path.rfind('/').unwrap_or(0);
    Some(if cut == 0 { "/".into() } else { path[..cut].into() })
}

/// `t` as Go marshals a `time.Time` in UTC (RFC 3339, nanoseconds without trailing zeros).
pub(crate) fn rfc3339(t: SystemTime) -> String {
    let d = t.duration_since(UNIX_EPOCH).unwrap_or(Duration::ZERO);
    let secs = d.as_secs() as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, dd) = civil_from_days(days);
    let nanos = d.subsec_nanos();
    let frac = if nanos == 0 {
        String::new()
    } else {
        format!(".{:09}", nanos).trim_end_matches('0').to_owned()
    };
    format!("{y:04}-{m:02}-{dd:02}T{:02}:{:02}:{:02}{frac}Z", rem / 3600, (rem / 60) % 60, rem % 60)
}

/// Parses an RFC 3339 time (`2024-01-02T03:04:05.5Z`, `…+02:00`).
pub(crate) fn parse_rfc3339(s: &str) -> Option<SystemTime> {
    let b = s.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't') {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, se) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let mut rest = &s[19..];
    let mut nanos: i64 = 0;
    if let Some(r) = rest.strip_prefix('.') {
        let n = r.find(|c: char| !c.is_ascii_digit()).unwrap_or(r.len());
        let digits = format!("{:0<9}", &r[..n.min(9)]);
        nanos = digits.parse().ok()?;
        rest = &r[n..];
    }
    let offset = match rest {
        "Z" | "z" => 0,
        o if o.len() == 6 => {
            let sign = if o.starts_with('-') { -1 } else { 1 };
            sign * (o[1..3].parse::<i64>().ok()? * 3600 + o[4..6].parse::<i64>().ok()? * 60)
        }
        _ => return None,
    };
    let secs = days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + se - offset;
    let secs = u64::try_from(secs).ok()?;
    Some(UNIX_EPOCH + Duration::new(secs, u32::try_from(nanos).ok()?))
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_round_trip_as_go_prints_them() {
        let t = UNIX_EPOCH + Duration::new(1_700_000_000, 120_000_000);
        assert_eq!(rfc3339(t), "2023-11-14T22:13:20.12Z");
        assert_eq!(parse_rfc3339("2023-11-14T22:13:20.12Z"), Some(t));
        assert_eq!(parse_rfc3339("2023-11-15T00:13:20.12+02:00"), Some(t));
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00Z");
    }

    #[test]
    fn paths_clean_as_go_cleans_them() {
        assert_eq!(clean("/a//b/./c/../d/").as_deref(), Some("/a/b/d"));
        assert_eq!(clean("relative"), None);
        assert_eq!(parent_of("/a/b").as_deref(), Some("/a"));
        assert_eq!(parent_of("/a").as_deref(), Some("/"));
        assert_eq!(parent_of("/"), None);
    }
}
