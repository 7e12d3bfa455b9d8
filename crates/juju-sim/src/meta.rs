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

/// One workload container of a Kubernetes charm (`containers:`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ContainerMeta {
    /// The `oci-image` resource it runs, if it names one (`resource:`).
    pub resource: Option<String>,
    /// Where it mounts which storage (`mounts:`): storage name → location (`None` when Juju
    /// picks it).
    pub mounts: BTreeMap<String, Option<String>>,
}

/// One storage of the charm (`storage:`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Storage {
    /// `filesystem` or `block`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Where it is mounted in the charm container, if the charm says.
    pub location: Option<String>,
}

/// The parsed charm metadata, config schema and actions.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CharmMeta {
    /// The charm's `name`.
    pub name: String,
    /// Relation endpoints by name.
    pub endpoints: BTreeMap<String, Endpoint>,
    /// Resources by name → declared `type` (`file`, `oci-image`).
    pub resources: BTreeMap<String, String>,
    /// Workload containers by name (Kubernetes charms).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub containers: BTreeMap<String, ContainerMeta>,
    /// Storage by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub storage: BTreeMap<String, Storage>,
    /// What the charm `assumes` of Juju (`k8s-api`, `juju >= 3.6`, or `any-of` / `all-of`
    /// groups), as written.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub assumes: Vec<Value>,
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
                // Juju refuses a charm whose endpoint names no interface (juju/juju
                // internal/charm/meta.go, `parseRelations`), and reserves the `juju` prefix
                // for its own endpoints (`juju-info`).
                if interface.is_empty() {
                    return Err(SimError::Meta(format!(
                        "metadata.yaml: relation {name:?} has no interface"
                    )));
                }
                if name == "juju" || name.starts_with("juju-") {
                    return Err(SimError::Meta(format!(
                        "metadata.yaml: relation {name:?} uses the reserved prefix \"juju\""
                    )));
                }
                if meta.endpoints.insert(name.clone(), Endpoint { role, interface }).is_some() {
                    return Err(SimError::Meta(format!("duplicate endpoint {name:?}")));
                }
            }
        }
        for (name, spec) in md.get("resources").and_then(Value::as_object).into_iter().flatten() {
            let kind = spec.get("type").and_then(Value::as_str).unwrap_or("file");
            meta.resources.insert(name.clone(), kind.to_owned());
        }
        parse_workloads(&md, &mut meta)?;
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
                if let Some(kind) = ps.get("type").and_then(Value::as_str)
                    && !JSON_SCHEMA_TYPES.contains(&kind)
                {
                    return Err(SimError::Meta(format!(
                        "actions.yaml: action {name:?}: parameter {p:?}: type {kind:?} is not a \
                         JSON Schema type ({})",
                        JSON_SCHEMA_TYPES.join(", ")
                    )));
                }
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
    /// `provides`, `requires`, `peers`, `resources`, `containers`, `storage`, `assumes`), the
    /// options under `config`, the actions under `actions`, as `charmcraft pack` splits them.
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

/// The types a JSON Schema `type` names: an action parameter of any other type (`bool`, `int`)
/// makes Juju refuse the charm, whose actions schema it compiles when the charm is deployed.
const JSON_SCHEMA_TYPES: &[&str] =
    &["string", "integer", "number", "boolean", "array", "object", "null"];

/// Reads `containers`, `storage` and `assumes` into `meta`, refusing what Juju refuses: a
/// container that runs a resource the charm does not declare as an `oci-image`, or mounts a
/// storage it does not declare; a storage of a type other than `filesystem` or `block`.
fn parse_workloads(
    md: &serde_json::Map<String, Value>,
    meta: &mut CharmMeta,
) -> Result<(), SimError> {
    let bad = |why: String| Err(SimError::Meta(format!("metadata.yaml: {why}")));
    for (name, spec) in md.get("storage").and_then(Value::as_object).into_iter().flatten() {
        let kind = spec.get("type").and_then(Value::as_str).unwrap_or_default();
        if !matches!(kind, "filesystem" | "block") {
            return bad(format!("storage {name:?}: type {kind:?} is not filesystem or block"));
        }
        let location = spec.get("location").and_then(Value::as_str).map(str::to_owned);
        meta.storage.insert(name.clone(), Storage { kind: kind.to_owned(), location });
    }
    for (name, spec) in md.get("containers").and_then(Value::as_object).into_iter().flatten() {
        let mut container = ContainerMeta::default();
        if let Some(resource) = spec.get("resource").and_then(Value::as_str) {
            if meta.resources.get(resource).map(String::as_str) != Some("oci-image") {
                return bad(format!(
                    "container {name:?} runs resource {resource:?}, which is not declared as an \
                     oci-image resource"
                ));
            }
            container.resource = Some(resource.to_owned());
        }
        for mount in spec.get("mounts").and_then(Value::as_array).into_iter().flatten() {
            let storage = mount.get("storage").and_then(Value::as_str).unwrap_or_default();
            if !meta.storage.contains_key(storage) {
                return bad(format!(
                    "container {name:?} mounts storage {storage:?}, which is not declared"
                ));
            }
            let location = mount.get("location").and_then(Value::as_str).map(str::to_owned);
            container.mounts.insert(storage.to_owned(), location);
        }
        meta.containers.insert(name.clone(), container);
    }
    meta.assumes = md.get("assumes").and_then(Value::as_array).cloned().unwrap_or_default();
    Ok(())
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
