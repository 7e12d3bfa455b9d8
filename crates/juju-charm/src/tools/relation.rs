//! Relations: `relation-ids`, `relation-list`, `relation-get`, `relation-set`,
//! `relation-model-get`.

use zeroize::Zeroizing;

use super::{HookTools, Result, Scope, parse_error, parse_json};
use crate::databag::Databag;
use crate::environment::RelationId;
use crate::error::HookToolError;

impl HookTools<'_> {
    /// `relation-ids <endpoint> --format=json`: the relations on `endpoint`.
    ///
    /// During `<endpoint>-relation-broken` some Juju versions list the broken relation and
    /// some do not ([`JujuVersion::lists_broken_relation`](crate::rules::JujuVersion::lists_broken_relation)).
    pub fn relation_ids(&self, endpoint: &str) -> Result<Vec<RelationId>> {
        let tool = "relation-ids";
        let what = "a JSON array of relation ids (endpoint:N)";
        let out = self.run(tool, &[endpoint, "--format=json"], None)?;
        let ids: Option<Vec<String>> = parse_json(tool, &out, what)?;
        ids.unwrap_or_default()
            .iter()
            .map(|id| id.parse().map_err(|_| parse_error(tool, what)))
            .collect()
    }

    /// `relation-list --format=json -r <id>`: the remote units in the relation, sorted as Juju
    /// sorts them.
    pub fn relation_list(&self, id: &RelationId) -> Result<Vec<String>> {
        let tool = "relation-list";
        let id = id.to_string();
        let out = self.run(tool, &["--format=json", "-r", &id], None)?;
        let units: Option<Vec<String>> = parse_json(tool, &out, "a JSON array of unit names")?;
        Ok(units.unwrap_or_default())
    }

    /// `relation-list --format=json -r <id> --app`: the remote application, if known.
    pub fn relation_list_app(&self, id: &RelationId) -> Result<Option<String>> {
        let tool = "relation-list";
        let id = id.to_string();
        let out = self.run(tool, &["--format=json", "-r", &id, "--app"], None)?;
        let app: Option<String> = parse_json(tool, &out, "a JSON string")?;
        Ok(app.filter(|a| !a.is_empty()))
    }

    /// `relation-get --format=json -r <id> [--app] - <member>`: the whole databag of `member`,
    /// a unit (`Scope::Unit`) or an application (`Scope::App`), this one's or a remote one.
    ///
    /// Reading its own application's databag is the leader's alone: Juju answers a follower
    /// with `permission denied`.
    pub fn relation_get(&self, id: &RelationId, scope: Scope, member: &str) -> Result<Databag> {
        let tool = "relation-get";
        let id = id.to_string();
        let mut args = vec!["--format=json", "-r", &id];
        if scope == Scope::App {
            args.push("--app");
        }
        args.extend(["-", member]);
        let out = Zeroizing::new(self.run(tool, &args, None)?);
        let bag: Option<std::collections::BTreeMap<String, String>> =
            parse_json(tool, &out, "a JSON object of strings")?;
        Ok(bag.map(Databag::from).unwrap_or_default())
    }

    /// `relation-set -r <id> [--app] --file -`, with `data` as JSON on stdin: sets this unit's
    /// databag (`Scope::Unit`) or its application's (`Scope::App`, the leader's alone: refused
    /// before the tool runs on another unit). An empty value deletes its key. Does nothing when
    /// `data` is empty.
    pub fn relation_set(&self, id: &RelationId, scope: Scope, data: &Databag) -> Result<()> {
        let tool = "relation-set";
        if data.is_empty() {
            return Ok(());
        }
        if scope == Scope::App {
            self.require_leader(tool, "write the application's relation data")?;
        }
        let id = id.to_string();
        let mut args = vec!["-r", id.as_str()];
        if scope == Scope::App {
            args.push("--app");
        }
        args.extend(["--file", "-"]);
        // Relation data goes on stdin, never argv: it may be secret.
        let stdin = Zeroizing::new(serde_json::to_vec(data.as_map()).map_err(|_| {
            HookToolError::Invalid {
                tool: tool.to_owned(),
                why: "relation data cannot be encoded as JSON".to_owned(),
            }
        })?);
        self.run(tool, &args, Some(&stdin))?;
        Ok(())
    }

    /// `relation-model-get --format=json -r <id>`: the UUID of the model the remote application
    /// is in (another model's for a cross-model relation).
    pub fn relation_model_get(&self, id: &RelationId) -> Result<String> {
        #[derive(serde::Deserialize)]
        struct Model {
            uuid: String,
        }
        let tool = "relation-model-get";
        let id = id.to_string();
        let out = self.run(tool, &["--format=json", "-r", &id], None)?;
        let model: Model = parse_json(tool, &out, "a JSON object with a uuid")?;
        Ok(model.uuid)
    }
}
