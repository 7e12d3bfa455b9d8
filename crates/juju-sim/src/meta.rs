//! The charm's declared shape: metadata.yaml, config.yaml and actions.yaml, parsed once.
//!
//! Hook tools run ~1 ms each, so they never parse YAML: the parsed [`CharmMeta`] travels inside the
//! `State` (as JSON) and every tool reads endpoints, option types and action schemas from it.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::SimError;

/// The role an endpoint plays in metadata.yaml.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Declared under `peers`.
    Peer,
    /// Declared under `provides`.
    Provides,
    /// Declared under `requires`.
    Requires,
}

/// One relation endpoint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Endpoint {
    /// provides, requires or peers.
    pub role: Role,
    /// The `interface:` name.
    pub interface: String,
}

/// The type of a config option.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum OptionType {
    /// `boolean`.
    Boolean,
    /// `float`.
    Float,
    /// `int`.
    Int,
    /// `secret` (a secret URI string).
    Secret,
    /// `string`.
    String,
}

/// One option of config.yaml.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConfigOption {
    /// Declared type.
    #[serde(rename = "type")]
    pub kind: OptionType,
    /// Declared default, if any.
    pub default: Option<Value>,
}

/// One parameter of an action (a JSON-schema fragment).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ParamSpec {
    /// JSON-schema `type` (`string`, `integer`, `number`, `boolean`, `array`, `object`), if given.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// Declared default, filled in when the action is enqueued.
    pub default: Option<Value>,
    /// Allowed values, if restricted.
    #[serde(rename = "enum")]
    pub allowed: Option<Vec<Value>>,
}

/// One action of actions.yaml.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ActionSpec {
    /// Parameters by name.
    pub params: BTreeMap<String, ParamSpec>,
    /// Names of required parameters.
    pub required: Vec<String>,
    /// Whether parameters not in `params` are accepted (`additionalProperties`). When the
    /// charm does not say, Juju 3 accepts them and Juju 4 refuses them: Juju 4 flipped the
    /// default to false (ops documents it in "How to manage actions", canonical/operator pull
    /// request 2249).
    pub additional_properties: Option<bool>,
}

/// The parsed charm metadata, config schema and actions.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CharmMeta {
    /// The charm's `name`.
    pub name: String,
    /// Relation endpoints by name.
    pub endpoints: BTreeMap<String, Endpoint>,
    /// Resources by name → declared `type` (`file`, `oci-image`).
    pub resources: BTreeMap<String, String>,
    /// Config options by name.
    pub options: BTreeMap<String, ConfigOption>,
    /// Actions by name.
    pub actions: BTreeMap<String, ActionSpec>,
}

impl CharmMeta {
    /// Parses the three files' contents; `config` and `actions` may be empty.
    pub fn from_yaml(metadata: &str, config: &str, actions: &str) -> Result<Self, SimError> {
        let md = parse_map(metadata, "metadata.yaml")?;
        let mut meta = CharmMeta {
            name: md.get("name").and_then(Value::as_str).unwrap_or_default().to_owned(),
            ..CharmMeta::default()
        };
        if meta.name.is_empty() {
            return Err(SimError::Meta("metadata.yaml: missing name".into()));
        }
        for (section, role) in
            [("provides", Role::Provides), ("requires", Role::Requires), ("peers", Role::Peer)]
        {
            for (name, spec) in md.get(section).and_then(Value::as_object).into_iter().flatten() {
                let interface = match spec {
                    Value::String(s) => s.clone(),
                    other => other.get("interface").and_then(Value::as_str).unwrap_or("").into(),
                };
                if meta.endpoints.insert(name.clone(), Endpoint { role, interface }).is_some() {
                    return Err(SimError::Meta(format!("duplicate endpoint {name:?}")));
                }
            }
        }
        for (name, spec) in md.get("resources").and_then(Value::as_object).into_iter().flatten() {
            let kind = spec.get("type").and_then(Value::as_str).unwrap_or("file");
            meta.resources.insert(name.clone(), kind.to_owned());
        }
        let cfg = parse_map(config, "config.yaml")?;
        for (name, spec) in cfg.get("options").and_then(Value::as_object).into_iter().flatten() {
            let kind = match spec.get("type").and_then(Value::as_str).unwrap_or("string") {
                "string" => OptionType::String,
                "int" => OptionType::Int,
                "float" => OptionType::Float,
                "boolean" => OptionType::Boolean,
                "secret" => OptionType::Secret,
                other => {
                    return Err(SimError::Meta(format!("option {name:?}: unknown type {other:?}")));
                }
            };
            let default = spec.get("default").filter(|v| !v.is_null()).cloned();
            if let Some(d) = &default {
                check_option(kind, d).map_err(|e| {
                    SimError::Meta(format!("invalid config default: option {name:?} {e}"))
                })?;
            }
            meta.options.insert(name.clone(), ConfigOption { kind, default });
        }
        for (name, spec) in parse_map(actions, "actions.yaml")? {
            let mut action = ActionSpec::default();
            for (p, ps) in spec.get("params").and_then(Value::as_object).into_iter().flatten() {
                let param = ParamSpec {
                    kind: ps.get("type").and_then(Value::as_str).map(str::to_owned),
                    default: ps.get("default").cloned(),
                    allowed: ps.get("enum").and_then(Value::as_array).cloned(),
                };
                action.params.insert(p.clone(), param);
            }
            action.required = spec
                .get("required")
                .and_then(Value::as_array)
                .map(|r| r.iter().filter_map(Value::as_str).map(str::to_owned).collect())
                .unwrap_or_default();
            action.additional_properties =
                spec.get("additionalProperties").and_then(Value::as_bool);
            meta.actions.insert(name, action);
        }
        Ok(meta)
    }

    /// Parses a unified `charmcraft.yaml`: the metadata keys at the top level (`name`,
    /// `provides`, `requires`, `peers`, `resources`), the options under `config`, the actions
    /// under `actions`, as `charmcraft pack` splits them.
    ///
    /// ```
    /// use juju_sim::{CharmMeta, OptionType};
    ///
    /// let meta = CharmMeta::from_charmcraft_yaml(
    ///     "name: hello\n\
    ///      config:\n  options:\n    port: {type: int, default: 8080}\n\
    ///      actions:\n  greet: {}\n",
    /// )?;
    /// assert_eq!(meta.options["port"].kind, OptionType::Int);
    /// assert_eq!(meta.config_defaults()["port"], 8080);
    /// assert!(meta.actions.contains_key("greet"));
    /// # Ok::<(), juju_sim::SimError>(())
    /// ```
    pub fn from_charmcraft_yaml(text: &str) -> Result<Self, SimError> {
        let doc = parse_map(text, "charmcraft.yaml")?;
        let section = |key: &str| -> Result<String, SimError> {
            match doc.get(key) {
                None | Some(Value::Null) => Ok(String::new()),
                Some(v) => serde_json::to_string(v)
                    .map_err(|e| SimError::Meta(format!("charmcraft.yaml: {key}: {e}"))),
            }
        };
        let metadata = serde_json::to_string(&doc)
            .map_err(|e| SimError::Meta(format!("charmcraft.yaml: {e}")))?;
        // JSON is YAML: each section goes through the same parser as the split files.
        Self::from_yaml(&metadata, &section("config")?, &section("actions")?)
    }

    /// The default of every option that has one, as `config-get` prints an unset option: the
    /// configuration a test starts from (`juju_charm::config::ConfigValues::from(..)` reads it
    /// as the charm's type).
    pub fn config_defaults(&self) -> serde_json::Map<String, Value> {
        self.options
            .iter()
            .filter_map(|(name, o)| o.default.clone().map(|d| (name.clone(), d)))
            .collect()
    }

    /// Reads `dir`'s metadata.yaml, config.yaml and actions.yaml (the last two optional), or,
    /// when there is no metadata.yaml, its charmcraft.yaml.
    pub fn from_dir(dir: &Path) -> Result<Self, SimError> {
        if !dir.join("metadata.yaml").exists() && dir.join("charmcraft.yaml").exists() {
            let path = dir.join("charmcraft.yaml");
            let text = std::fs::read_to_string(&path).map_err(|e| SimError::io(&path, e))?;
            return Self::from_charmcraft_yaml(&text);
        }
        let read = |name: &str, required: bool| -> Result<String, SimError> {
            let path = dir.join(name);
            match std::fs::read_to_string(&path) {
                Ok(s) => Ok(s),
                Err(e) if !required && e.kind() == std::io::ErrorKind::NotFound => {
                    Ok(String::new())
                }
                Err(e) => Err(SimError::io(path, e)),
            }
        };
        Self::from_yaml(
            &read("metadata.yaml", true)?,
            &read("config.yaml", false)?,
            &read("actions.yaml", false)?,
        )
    }
}

/// Checks that `value` has the JSON shape of a config option of type `kind`; the error reads as
/// the end of Juju's `option "<name>" expected <type>, got <value>` (juju/charm config.go).
pub(crate) fn check_option(kind: OptionType, value: &Value) -> Result<(), String> {
    let ok = match kind {
        OptionType::String => value.is_string(),
        OptionType::Secret => value.as_str().is_some_and(secret_option_ok),
        OptionType::Int => value.is_i64() || value.is_u64(),
        OptionType::Float => value.is_number(),
        OptionType::Boolean => value.is_boolean(),
    };
    let name = match kind {
        OptionType::String => "string",
        OptionType::Secret => "secret",
        OptionType::Int => "int",
        OptionType::Float => "float",
        OptionType::Boolean => "boolean",
    };
    if ok { Ok(()) } else { Err(format!("expected {name}, got {value}")) }
}

/// Juju's check of a `secret` option's value (juju/charm config.go `secretC.Coerce`): the empty
/// string, or anything whose URL scheme (as Go's `url.Parse` finds it: letters, then letters,
/// digits, `+`, `-` or `.`, up to the first `:`, case-insensitive) is `secret`. Juju checks
/// neither that the secret exists nor that the application may read it.
fn secret_option_ok(s: &str) -> bool {
    if s.is_empty() {
        return true;
    }
    let Some((scheme, _)) = s.split_once(':') else { return false };
    let well_formed = scheme.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    well_formed && scheme.eq_ignore_ascii_case("secret") && !s.chars().any(|c| c.is_ascii_control())
}

/// Parses a YAML document that must be a mapping (an empty document is an empty map).
fn parse_map(text: &str, what: &str) -> Result<serde_json::Map<String, Value>, SimError> {
    if text.trim().is_empty() {
        return Ok(serde_json::Map::new());
    }
    match serde_saphyr::from_str::<Value>(text) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(Value::Null) => Ok(serde_json::Map::new()),
        Ok(_) => Err(SimError::Meta(format!("{what}: not a mapping"))),
        Err(e) => Err(SimError::Meta(format!("{what}: {e}"))),
    }
}
