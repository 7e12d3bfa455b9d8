//! Unit state kept by the controller: `state-get`, `state-set`, `state-delete`.
//!
//! Juju keeps a string map per unit on the controller, so it outlives the charm directory (a
//! Kubernetes pod's restart, a machine's rebuild). A hook reads its own writes at once; Juju
//! saves them only if the hook succeeds (juju/juju `runner/context/context.go`, the charm-state
//! cache flushed with the hook's other changes).

use std::collections::BTreeMap;

use zeroize::Zeroizing;

use super::{HookTools, Result, parse_json};
use crate::error::HookToolError;

/// The longest key `state-set` stores, in bytes (juju/juju `core/quota.MaxCharmStateKeySize`,
/// the same in 3.6 and 4.0).
pub const MAX_STATE_KEY: usize = 256;

/// The longest value `state-set` stores, in bytes: 64 KiB (juju/juju
/// `core/quota.MaxCharmStateValueSize`, the same in 3.6 and 4.0).
pub const MAX_STATE_VALUE: usize = 64 * 1024;

impl HookTools<'_> {
    /// `state-get --format=json`: every key and value of the unit's state.
    ///
    /// Juju prints `null` rather than `{}` when nothing is stored (its charm-state getter
    /// returns a nil map for an empty state, in 3.6 as in 4.0; juju/juju issue 22523): both
    /// read as an empty map.
    pub fn state_get(&self) -> Result<BTreeMap<String, String>> {
        let tool = "state-get";
        // Unit state may hold anything a charm chose to keep: zeroized, never quoted.
        let out = Zeroizing::new(self.run(tool, &["--format=json"], None)?);
        let state: Option<BTreeMap<String, String>> =
            parse_json(tool, &out, "a JSON object of strings")?;
        Ok(state.unwrap_or_default())
    }

    /// `state-get --format=json -- <key>`: one value, or `None` when the key is not stored.
    ///
    /// Without `--strict`, Juju prints `""` for a missing key, exactly as for a key stored with
    /// an empty value, so an empty value reads as `None` too (`null` is accepted the same). The
    /// key goes after `--` so that one starting with `-` is not read as a flag. `-` alone, which
    /// Juju reads as "every key", and the empty key are refused before the tool runs.
    pub fn state_get_key(&self, key: &str) -> Result<Option<String>> {
        let tool = "state-get";
        if key.is_empty() || key == "-" {
            return Err(invalid(tool, "a key must be given (state_get reads every key)"));
        }
        let out = Zeroizing::new(self.run(tool, &["--format=json", "--", key], None)?);
        let value: Option<String> = parse_json(tool, &out, "a JSON string")?;
        Ok(value.filter(|v| !v.is_empty()))
    }

    /// `state-set --file -`, with `values` as a JSON object on stdin (Juju reads the file as
    /// YAML, of which JSON is a subset): stores each key, keeping the others. Does nothing when
    /// `values` is empty.
    ///
    /// The values never go on argv: they may be long (up to [`MAX_STATE_VALUE`]) or private.
    /// A key that is empty or longer than [`MAX_STATE_KEY`] bytes, or a value longer than
    /// [`MAX_STATE_VALUE`] bytes, is refused before the tool runs, as Juju would refuse it.
    ///
    /// ```
    /// use std::collections::BTreeMap;
    /// use juju_charm::{HookTools, ToolOutput};
    ///
    /// let runner = |tool: &str, args: &[&str], stdin: Option<&[u8]>| {
    ///     assert_eq!((tool, args), ("state-set", &["--file", "-"][..]));
    ///     assert_eq!(stdin, Some(&br#"{"installed":"1.2.3"}"#[..]));
    ///     Ok(ToolOutput::ok(""))
    /// };
    /// let values = BTreeMap::from([("installed".to_owned(), "1.2.3".to_owned())]);
    /// HookTools::new(&runner).state_set(&values)?;
    /// # Ok::<(), juju_charm::HookToolError>(())
    /// ```
    pub fn state_set(&self, values: &BTreeMap<String, String>) -> Result<()> {
        let tool = "state-set";
        for (key, value) in values {
            if key.is_empty() {
                return Err(invalid(tool, "a key cannot be empty"));
            }
            if key.len() > MAX_STATE_KEY {
                return Err(invalid(
                    tool,
                    &format!(
                        "a key of {} bytes is over Juju's limit of {MAX_STATE_KEY}",
                        key.len()
                    ),
                ));
            }
            if value.len() > MAX_STATE_VALUE {
                // The key is named (keys are not secret), the value is not.
                return Err(invalid(
                    tool,
                    &format!(
                        "the value of {key:?} is {} bytes, over Juju's limit of {MAX_STATE_VALUE}",
                        value.len()
                    ),
                ));
            }
        }
        if values.is_empty() {
            return Ok(());
        }
        let stdin = Zeroizing::new(
            serde_json::to_vec(values)
                .map_err(|_| invalid(tool, "unit state cannot be encoded as JSON"))?,
        );
        self.run(tool, &["--file", "-"], Some(&stdin)).map(drop)
    }

    /// `state-delete -- <key>`: removes one key; a key not stored is no error. The empty key is
    /// refused before the tool runs (Juju would do nothing with it).
    pub fn state_delete(&self, key: &str) -> Result<()> {
        let tool = "state-delete";
        if key.is_empty() {
            return Err(invalid(tool, "a key must be given"));
        }
        self.run(tool, &["--", key], None).map(drop)
    }
}

fn invalid(tool: &str, why: &str) -> HookToolError {
    HookToolError::Invalid { tool: tool.to_owned(), why: why.to_owned() }
}
