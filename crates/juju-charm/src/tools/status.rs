//! Status and version: `status-set`, `status-get`, `application-version-set`.

use super::{HookTools, Result, Scope, parse_json};
use crate::status::{Status, StatusName};

impl HookTools<'_> {
    /// `status-set --application=<True|False> <status> -- <message>`: sets the unit's status
    /// (`Scope::Unit`) or the application's (`Scope::App`, the leader's alone: refused before
    /// the tool runs on another unit).
    ///
    /// Most charms add statuses to [`crate::Context::status`] instead, which sets the worst
    /// once per dispatch.
    pub fn status_set(&self, scope: Scope, status: &Status) -> Result<()> {
        let tool = "status-set";
        let application = match scope {
            Scope::Unit => "--application=False",
            Scope::App => {
                self.require_leader(tool, "set the application's status")?;
                "--application=True"
            }
        };
        // `--` always, so a message starting with `-` is not read as a flag.
        let args = [application, status.name.as_str(), "--", status.message.as_str()];
        self.run(tool, &args, None).map(drop)
    }

    /// `status-get --format=json --include-data`: the unit's own status as last set, or `None`
    /// when it is one a charm cannot set (`unknown`, `error`, ...).
    pub fn status_get(&self) -> Result<Option<Status>> {
        #[derive(serde::Deserialize)]
        struct Raw {
            status: String,
            #[serde(default)]
            message: String,
        }
        let tool = "status-get";
        let out = self.run(tool, &["--format=json", "--include-data"], None)?;
        let raw: Raw = parse_json(tool, &out, "a JSON object with a status")?;
        let name = match raw.status.as_str() {
            "active" => StatusName::Active,
            "waiting" => StatusName::Waiting,
            "maintenance" => StatusName::Maintenance,
            "blocked" => StatusName::Blocked,
            _ => return Ok(None),
        };
        Ok(Some(Status::new(name, raw.message)))
    }

    /// `application-version-set <version>`: the workload version `juju status` shows.
    pub fn application_version_set(&self, version: &str) -> Result<()> {
        self.run("application-version-set", &[version], None).map(drop)
    }
}
