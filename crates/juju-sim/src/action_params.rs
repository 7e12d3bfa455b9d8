//! Action parameters as Juju enqueues them: defaults from actions.yaml filled in, then checked
//! against the schema (types, enums, required, additionalProperties). A mismatch is a fixture error
//! ([`SimError::ActionParams`]): Juju would have refused the `juju run` before any hook ran.

use juju_charm::rules::JujuVersion;
use serde_json::{Map, Value};

use crate::SimError;
use crate::meta::CharmMeta;

/// Returns `given` with defaults filled in, or why Juju would reject it.
/// `version` decides whether unknown parameters are accepted when the action does not say
/// (`additionalProperties`: true before Juju 4, false from 4.0).
pub(crate) fn fill_and_check(
    meta: &CharmMeta,
    version: &JujuVersion,
    action: &str,
    given: &Map<String, Value>,
) -> Result<Map<String, Value>, SimError> {
    let spec = meta
        .actions
        .get(action)
        .ok_or_else(|| SimError::Event(format!("action {action:?} not in actions.yaml")))?;
    let mut params = given.clone();
    for (name, p) in &spec.params {
        if let (false, Some(d)) = (params.contains_key(name), &p.default) {
            params.insert(name.clone(), d.clone());
        }
    }
    for name in &spec.required {
        if !params.contains_key(name) {
            return Err(SimError::ActionParams(format!("{action}: missing required {name:?}")));
        }
    }
    for (name, value) in &params {
        let Some(p) = spec.params.get(name) else {
            if spec.additional_properties.unwrap_or(version.major() < 4) {
                continue;
            }
            return Err(SimError::ActionParams(format!("{action}: unknown parameter {name:?}")));
        };
        if let Some(kind) = &p.kind {
            let ok = match kind.as_str() {
                "string" => value.is_string(),
                "integer" => value.is_i64() || value.is_u64(),
                "number" => value.is_number(),
                "boolean" => value.is_boolean(),
                "array" => value.is_array(),
                "object" => value.is_object(),
                "null" => value.is_null(),
                other => {
                    return Err(SimError::ActionParams(format!(
                        "{action}.{name}: unknown schema type {other:?}"
                    )));
                }
            };
            if !ok {
                return Err(SimError::ActionParams(format!(
                    "{action}.{name}: {value} is not of type {kind}"
                )));
            }
        }
        if let Some(allowed) = &p.allowed
            && !allowed.contains(value)
        {
            return Err(SimError::ActionParams(format!("{action}.{name}: {value} not in enum")));
        }
    }
    Ok(params)
}
