//! Configuration, leadership aside, logging, resources and the rest: `config-get`, `juju-log`,
//! `resource-get`, `goal-state`, `credential-get`, `unit-get`, `juju-reboot`.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;
use std::path::PathBuf;

use serde::{Deserialize, Deserializer};
use zeroize::Zeroizing;

use super::{HookTools, MAX_LOG_MESSAGE, Result, null_as_default, parse_error, parse_json};
use crate::config::ConfigValues;
use crate::secret::SecretString;

/// A `juju-log` level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LogLevel {
    /// `TRACE`
    Trace,
    /// `DEBUG`
    Debug,
    /// `INFO`
    Info,
    /// `WARNING`
    Warning,
    /// `ERROR`
    Error,
    /// `CRITICAL`
    Critical,
}

impl LogLevel {
    /// The word `juju-log --log-level` takes.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Trace => "TRACE",
            Self::Debug => "DEBUG",
            Self::Info => "INFO",
            Self::Warning => "WARNING",
            Self::Error => "ERROR",
            Self::Critical => "CRITICAL",
        }
    }
}

/// What `goal-state --format=json` prints: the units and relations the model is heading for, and
/// how far each has got (juju/juju `jujuc/goal-state.go`, the same in 3.6 and 4.0).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[non_exhaustive]
pub struct GoalState {
    /// This application's units (`app/0`), those not yet there included.
    #[serde(default, deserialize_with = "null_as_default")]
    pub units: BTreeMap<String, Goal>,
    /// For each endpoint of this application, the remote applications (by name) and their
    /// units (`app/0`) it is, or will be, related to.
    #[serde(default, deserialize_with = "null_as_default")]
    pub relations: BTreeMap<String, BTreeMap<String, Goal>>,
}

/// The status of one unit or remote application of a [`GoalState`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[non_exhaustive]
pub struct Goal {
    /// A unit's workload status (`active`, `waiting`, `maintenance`, ...) or `dying`; for a
    /// remote application, the relation's status (`joining`, `joined`, ...).
    #[serde(default, deserialize_with = "null_as_default")]
    pub status: String,
    /// Since when, in UTC as Juju formats it (`2200-11-05 15:29:12Z`), if known.
    #[serde(default)]
    pub since: Option<String>,
}

/// What `credential-get --format=json` prints: the cloud the model is on, and the credential
/// the model uses on it (juju/juju `rpc/params.CloudSpec`). Only a trusted application
/// (`juju trust`) may read it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CloudSpec {
    /// The cloud's type (`ec2`, `kubernetes`, `openstack`, `lxd`, ...), Juju's `type`.
    pub cloud_type: String,
    /// The cloud's name in Juju.
    pub name: String,
    /// The model's region, if the cloud has regions.
    pub region: Option<String>,
    /// The cloud's API endpoint, if any.
    pub endpoint: Option<String>,
    /// The identity endpoint, if any.
    pub identity_endpoint: Option<String>,
    /// The storage endpoint, if any.
    pub storage_endpoint: Option<String>,
    /// The credential, if the cloud needs one.
    pub credential: Option<CloudCredential>,
    /// CA certificates (PEM) to trust for the endpoints.
    pub ca_certificates: Vec<String>,
    /// Whether Juju skips TLS verification for this cloud.
    pub skip_tls_verify: bool,
    /// Whether this is the cloud the controller runs on.
    pub is_controller_cloud: bool,
}

/// The credential of a [`CloudSpec`]. Its attributes are secret: each is a [`SecretString`], so
/// `Debug` shows the attribute names and `[redacted]` for every value.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CloudCredential {
    /// How the attributes authenticate (`access-key`, `userpass`, `certificate`, ...).
    pub auth_type: String,
    /// The credential's attributes (for example `access-key` and `secret-key`).
    pub attributes: BTreeMap<String, SecretString>,
    /// The names of attributes Juju withheld.
    pub redacted: Vec<String>,
}

/// Which address `unit-get` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnitAddress {
    /// `private-address`
    Private,
    /// `public-address`
    Public,
}

impl UnitAddress {
    /// The setting `unit-get` takes.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Private => "private-address",
            Self::Public => "public-address",
        }
    }
}

impl HookTools<'_> {
    /// `config-get --format=json`: every option that has a value or a default.
    pub fn config_get(&self) -> Result<ConfigValues> {
        let tool = "config-get";
        let out = zeroize::Zeroizing::new(self.run(tool, &["--format=json"], None)?);
        // The output may hold secret options: never quoted in an error.
        let text = std::str::from_utf8(&out).map_err(|_| parse_error(tool, "a JSON object"))?;
        ConfigValues::from_json(text)
    }

    /// `juju-log --log-level <LEVEL> -- <message>`, one call per piece of at most
    /// [`MAX_LOG_MESSAGE`] bytes. Most charms log with the `log` crate instead, which the
    /// framework sends here ([`crate::logger`]).
    pub fn juju_log(&self, level: LogLevel, message: &str) -> Result<()> {
        for chunk in split_message(message, MAX_LOG_MESSAGE) {
            self.run("juju-log", &["--log-level", level.as_str(), "--", chunk], None)?;
        }
        Ok(())
    }

    /// `resource-get <name>`: the local path of the resource's file, fetched from the
    /// controller if needed.
    pub fn resource_get(&self, name: &str) -> Result<PathBuf> {
        let tool = "resource-get";
        let mut out = self.run(tool, &[name], None)?;
        while out.last() == Some(&b'\n') {
            out.pop();
        }
        if out.is_empty() {
            return Err(parse_error(tool, "a path"));
        }
        Ok(PathBuf::from(OsString::from_vec(out)))
    }

    /// `goal-state --format=json`: the units of this application and of the applications it is
    /// related to, as the model means them to be, with their status (a unit may be listed
    /// before it exists, or while it is dying).
    pub fn goal_state(&self) -> Result<GoalState> {
        let tool = "goal-state";
        let out = self.run(tool, &["--format=json"], None)?;
        let goal: Option<GoalState> =
            parse_json(tool, &out, "a JSON object with units and relations")?;
        Ok(goal.unwrap_or_default())
    }

    /// `credential-get --format=json`: the cloud spec of the model, with its credential.
    ///
    /// The application must be trusted (`juju trust <app>`), else Juju fails (`cannot access
    /// cloud credentials`). On Kubernetes models this works since Juju 3.6.11 (juju/juju pull
    /// request 20428). The attributes are [`SecretString`]s: the output is held in a buffer
    /// zeroized on drop and never quoted in an error.
    pub fn credential_get(&self) -> Result<CloudSpec> {
        let tool = "credential-get";
        let out = Zeroizing::new(self.run(tool, &["--format=json"], None)?);
        let raw: RawCloudSpec = parse_json(tool, &out, "a JSON object with type and name")?;
        let some = |s: Option<String>| s.filter(|s| !s.is_empty());
        Ok(CloudSpec {
            cloud_type: raw.cloud_type,
            name: raw.name,
            region: some(raw.region),
            endpoint: some(raw.endpoint),
            identity_endpoint: some(raw.identity_endpoint),
            storage_endpoint: some(raw.storage_endpoint),
            credential: raw.credential.map(|c| CloudCredential {
                auth_type: c.auth_type,
                attributes: c.attrs.into_iter().map(|(k, SecretValue(v))| (k, v)).collect(),
                redacted: c.redacted,
            }),
            ca_certificates: raw.cacertificates,
            skip_tls_verify: raw.skip_tls_verify,
            is_controller_cloud: raw.is_controller_cloud,
        })
    }

    /// `unit-get --format=json <private-address|public-address>`: an address of this unit.
    ///
    /// The private address is the first address of the unit's default binding (its host name
    /// if it was resolved from one); Juju fails if the unit has no such address. Prefer
    /// [`HookTools::network_get`] and [`Network::ingress_address`](super::Network::ingress_address),
    /// which know about spaces and cross-model relations.
    pub fn unit_get(&self, address: UnitAddress) -> Result<String> {
        let tool = "unit-get";
        let out = self.run(tool, &["--format=json", address.as_str()], None)?;
        let value: Option<String> = parse_json(tool, &out, "a JSON string")?;
        value.filter(|v| !v.is_empty()).ok_or_else(|| parse_error(tool, "an address"))
    }

    /// `juju-reboot [--now]`: reboots the machine the unit is on, after stopping the
    /// containers on it.
    ///
    /// Without `now`, Juju reboots once the current hook has succeeded (and not if it fails).
    /// With `now`, Juju kills the hook at once (this process: the call does not return in
    /// practice) and runs the same hook again from the start after the reboot, so a hook that
    /// calls it must be safe to run again. Juju refuses it while running an action
    /// (`juju-reboot is not supported when running an action.`). It is for machine charms: a
    /// Kubernetes charm has no machine to reboot.
    pub fn juju_reboot(&self, now: bool) -> Result<()> {
        let args: &[&str] = if now { &["--now"] } else { &[] };
        self.run("juju-reboot", args, None).map(drop)
    }
}

/// `credential-get`'s JSON (juju/juju `rpc/params.CloudSpec`): every key but `type` and `name`
/// is `omitempty`.
#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct RawCloudSpec {
    #[serde(rename = "type")]
    cloud_type: String,
    name: String,
    #[serde(default)]
    region: Option<String>,
    #[serde(default)]
    endpoint: Option<String>,
    #[serde(default)]
    identity_endpoint: Option<String>,
    #[serde(default)]
    storage_endpoint: Option<String>,
    #[serde(default)]
    credential: Option<RawCredential>,
    #[serde(default, deserialize_with = "null_as_default")]
    cacertificates: Vec<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    skip_tls_verify: bool,
    #[serde(default, deserialize_with = "null_as_default")]
    is_controller_cloud: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct RawCredential {
    auth_type: String,
    #[serde(default, deserialize_with = "null_as_default")]
    attrs: BTreeMap<String, SecretValue>,
    #[serde(default, deserialize_with = "null_as_default")]
    redacted: Vec<String>,
}

/// One credential attribute, wrapped as soon as it is parsed.
struct SecretValue(SecretString);

impl<'de> Deserialize<'de> for SecretValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        String::deserialize(deserializer).map(|v| Self(SecretString::new(v)))
    }
}

/// `message` in pieces of at most `max` bytes, cut on character boundaries; an empty message
/// is one empty piece (so `juju-log` still gets called).
fn split_message(message: &str, max: usize) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut rest = message;
    loop {
        if rest.len() <= max {
            if !rest.is_empty() || pieces.is_empty() {
                pieces.push(rest);
            }
            return pieces;
        }
        let mut end = max;
        while !rest.is_char_boundary(end) {
            end -= 1;
        }
        // A character is at most 4 bytes, so `end` is 0 only if `max` < 4; take one character
        // then, so the loop always advances.
        if end == 0 {
            end = rest.chars().next().map_or(rest.len(), char::len_utf8);
        }
        let (head, tail) = rest.split_at(end);
        pieces.push(head);
        rest = tail;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_log_messages_on_char_boundaries() {
        assert_eq!(split_message("", 5), vec![""]);
        assert_eq!(split_message("abcde", 5), vec!["abcde"]);
        assert_eq!(split_message("abcdefg", 5), vec!["abcde", "fg"]);
        // "é" is two bytes: never cut inside it.
        assert_eq!(split_message("aaaaéb", 5), vec!["aaaa", "éb"]);
        assert_eq!(split_message("ééé", 1), vec!["é", "é", "é"]);
        let long = "x".repeat(MAX_LOG_MESSAGE * 2 + 1);
        let pieces = split_message(&long, MAX_LOG_MESSAGE);
        assert_eq!(pieces.iter().map(|p| p.len()).collect::<Vec<_>>(), [131_071, 131_071, 1]);
    }
}
