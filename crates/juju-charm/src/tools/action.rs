//! Actions: `action-get`, `action-set`, `action-fail`, `action-log`.

use std::collections::BTreeMap;

use serde_json::{Map, Value};
use zeroize::Zeroizing;

use super::{HookTools, Result, parse_json};
use crate::error::HookToolError;
use crate::rules::check_action_key;
use crate::secret::SecretString;

/// One value of an action's results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionValue {
    /// A value that is not secret.
    Public(String),
    /// A secret value the action exists to reveal. It goes on `action-set`'s argv, the one
    /// place a secret may, since `action-set` takes no file or stdin.
    Secret(SecretString),
}

impl From<String> for ActionValue {
    fn from(v: String) -> Self {
        Self::Public(v)
    }
}

impl From<&str> for ActionValue {
    fn from(v: &str) -> Self {
        Self::Public(v.to_owned())
    }
}

impl From<SecretString> for ActionValue {
    fn from(v: SecretString) -> Self {
        Self::Secret(v)
    }
}

impl HookTools<'_> {
    /// `action-get --format=json`: every parameter, with the defaults of `actions.yaml` filled
    /// in by Juju. [`crate::Context::action_params`] reads them into a type.
    pub fn action_get(&self) -> Result<Map<String, Value>> {
        let tool = "action-get";
        let out = self.run(tool, &["--format=json"], None)?;
        let params: Option<Map<String, Value>> = parse_json(tool, &out, "a JSON object")?;
        Ok(params.unwrap_or_default())
    }

    /// `action-set key=value ...`: the action's results. Keys are checked against Juju's rule
    /// ([`check_action_key`]) before the tool runs; a dotted key nests (`db.password`).
    pub fn action_set(&self, results: &BTreeMap<String, ActionValue>) -> Result<()> {
        let tool = "action-set";
        if let Some(why) = results.keys().find_map(|k| check_action_key(k).err()) {
            return Err(HookToolError::Invalid { tool: tool.to_owned(), why });
        }
        if results.is_empty() {
            return Ok(());
        }
        // Zeroized on drop: these strings may hold the secret values below.
        let args: Zeroizing<Vec<String>> = Zeroizing::new(
            results
                .iter()
                .map(|(key, value)| {
                    let value = match value {
                        ActionValue::Public(v) => v.as_str(),
                        // Exposed on argv: `action-set` takes values only as key=value arguments
                        // (no file or stdin form), and revealing this value to the operator is
                        // the action's purpose.
                        ActionValue::Secret(v) => v.expose(),
                    };
                    format!("{key}={value}")
                })
                .collect(),
        );
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        self.run(tool, &args, None).map(drop)
    }

    /// `action-fail -- <message>`: the action failed (the dispatch goes on).
    pub fn action_fail(&self, message: &str) -> Result<()> {
        self.run("action-fail", &["--", message], None).map(drop)
    }

    /// `action-log -- <message>`: a progress message the operator sees while it runs.
    pub fn action_log(&self, message: &str) -> Result<()> {
        self.run("action-log", &["--", message], None).map(drop)
    }
}
