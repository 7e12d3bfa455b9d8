//! Typed charm configuration.
//!
//! `config-get --format=json` prints every option that has a value or a default, as JSON, with
//! the types declared in `config.yaml` (or the `config.options` of `charmcraft.yaml`): `string`
//! and `secret` options as strings, `int` as integers, `float` as numbers, `boolean` as
//! booleans. Juju has already checked those types, so what is left for a charm is its own rules.
//! [`ConfigValues`] holds what Juju printed; [`ConfigValues::parse`] turns it into the charm's
//! type with serde, and [`ConfigValues::option`] reads one option on its own (so a charm can keep
//! running the parts that do not use a bad option).
//!
//! Options are named in kebab-case in Juju; use `#[serde(rename_all = "kebab-case")]`. An
//! option with neither a value nor a default is absent from the output: use `Option<T>` or
//! `#[serde(default)]` for it.
//!
//! Errors name the option and never quote its value (a `static-password` option is a secret),
//! and their `Display` is the conventional blocked status, `Invalid '<option>' config: <why>`:
//!
//! ```
//! use juju_charm::config::ConfigValues;
//! use serde::Deserialize;
//!
//! #[derive(Deserialize)]
//! #[serde(rename_all = "kebab-case")]
//! struct Config {
//!     port: u16,
//!     #[serde(default)]
//!     greeting: Option<String>,
//! }
//!
//! let values = ConfigValues::from_json(r#"{"port": 70000}"#)?;
//! let err = values.parse::<Config>().err().unwrap();
//! assert_eq!(err.option(), Some("port"));
//! assert_eq!(err.to_string(), "Invalid 'port' config: invalid value: expected u16, got an integer");
//! # Ok::<(), juju_charm::HookToolError>(())
//! ```
//!
//! A charm's own rule goes in a type whose `Deserialize` checks it (`#[serde(try_from =
//! "...")]`); its error message is the `<why>`:
//!
//! ```
//! # use juju_charm::config::ConfigValues;
//! # use serde::Deserialize;
//! #[derive(Deserialize)]
//! #[serde(try_from = "i64")]
//! struct Cost(u32);
//!
//! impl TryFrom<i64> for Cost {
//!     type Error = String;
//!     fn try_from(v: i64) -> Result<Self, String> {
//!         match u32::try_from(v) {
//!             Ok(c) if (10..=16).contains(&c) => Ok(Cost(c)),
//!             _ => Err("must be between 10 and 16".into()),
//!         }
//!     }
//! }
//!
//! let values = ConfigValues::from_json(r#"{"bcrypt-cost": 9}"#)?;
//! let err = values.option::<Cost>("bcrypt-cost").err().unwrap();
//! assert_eq!(err.to_string(), "Invalid 'bcrypt-cost' config: must be between 10 and 16");
//! # Ok::<(), juju_charm::HookToolError>(())
//! ```

use std::fmt;

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::de;
use crate::error::HookToolError;

/// The options of a charm as `config-get --format=json` prints them: every option that has a
/// value or a default.
///
/// `Debug` shows the option names only: a value may be a secret.
#[derive(Clone, Default, PartialEq)]
pub struct ConfigValues(Map<String, Value>);

impl ConfigValues {
    /// Parses `config-get --format=json` output (a JSON object).
    ///
    /// The error says what was expected and never quotes the text, which may hold secrets.
    pub fn from_json(text: &str) -> Result<Self, HookToolError> {
        serde_json::from_str(text).map(Self).map_err(|_| HookToolError::Parse {
            tool: "config-get".to_owned(),
            why: "expected a JSON object".to_owned(),
        })
    }

    /// The whole configuration as the charm's type `T`.
    ///
    /// # Errors
    /// A [`ConfigError`] naming the first option that does not fit `T` (or none, for a rule of
    /// the whole type).
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, ConfigError> {
        de::from_map(self.0.clone()).map_err(ConfigError::from)
    }

    /// One option as `T`; `Ok(None)` when it has neither a value nor a default.
    ///
    /// # Errors
    /// A [`ConfigError`] naming `option` when its value does not fit `T`.
    pub fn option<T: DeserializeOwned>(&self, option: &str) -> Result<Option<T>, ConfigError> {
        match self.0.get(option) {
            None | Some(Value::Null) => Ok(None),
            Some(value) => de::from_value(value.clone())
                .map(Some)
                .map_err(|e| ConfigError::from(e).within(option)),
        }
    }

    /// The raw JSON value of `option`, if it has one.
    pub fn get(&self, option: &str) -> Option<&Value> {
        self.0.get(option)
    }

    /// Every option, as Juju printed them.
    pub fn as_map(&self) -> &Map<String, Value> {
        &self.0
    }

    /// The options as a JSON map.
    pub fn into_map(self) -> Map<String, Value> {
        self.0
    }
}

impl From<Map<String, Value>> for ConfigValues {
    fn from(map: Map<String, Value>) -> Self {
        Self(map)
    }
}

impl fmt::Debug for ConfigValues {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.0.keys()).finish()
    }
}

/// A configuration that does not fit the charm's type: which option, and why.
///
/// Its `Display` is the status message ops charms use, `Invalid '<option>' config: <why>` (or
/// `Invalid config: <why>` for a rule of the whole type). Turned into a [`crate::Error`] (with
/// `?` in a handler), it sets the unit blocked with that message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    option: Option<String>,
    reason: String,
}

impl ConfigError {
    /// An error of `option` (`None`: of the configuration as a whole) for `reason`.
    pub fn new(option: Option<&str>, reason: impl Into<String>) -> Self {
        Self { option: option.map(str::to_owned), reason: reason.into() }
    }

    /// The option, or `None` when the error is about the whole configuration.
    ///
    /// For an option whose value is a structure, this is a dotted path (`hosts.2`).
    pub fn option(&self) -> Option<&str> {
        self.option.as_deref()
    }

    /// What is wrong, without the value.
    pub fn reason(&self) -> &str {
        &self.reason
    }

    fn within(mut self, option: &str) -> Self {
        self.option = Some(match self.option.take() {
            Some(inner) => format!("{option}.{inner}"),
            None => option.to_owned(),
        });
        self
    }
}

impl From<de::DeError> for ConfigError {
    fn from(e: de::DeError) -> Self {
        Self { option: e.field, reason: e.reason }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.option {
            Some(option) => write!(f, "Invalid '{option}' config: {}", self.reason),
            None => write!(f, "Invalid config: {}", self.reason),
        }
    }
}

impl std::error::Error for ConfigError {}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "kebab-case")]
    struct Config {
        port: u16,
        #[serde(default)]
        password: Option<String>,
        #[serde(default = "default_name")]
        name: String,
    }

    fn default_name() -> String {
        "x".into()
    }

    #[test]
    fn parses_and_names_the_option() {
        let v = ConfigValues::from_json(r#"{"port": 8080, "password": "hunter2"}"#).expect("json");
        let c: Config = v.parse().expect("valid");
        assert_eq!(c, Config { port: 8080, password: Some("hunter2".into()), name: "x".into() });
        assert_eq!(format!("{v:?}"), r#"{"password", "port"}"#);
        let v = ConfigValues::from_json(r#"{"port": 1, "password": 42}"#).expect("json");
        let e = v.parse::<Config>().expect_err("bad");
        assert_eq!(e.option(), Some("password"));
        assert_eq!(e.to_string(), "Invalid 'password' config: expected a string, got an integer");
        let v = ConfigValues::from_json(r#"{"password": "hunter2"}"#).expect("json");
        let e = v.parse::<Config>().expect_err("missing");
        assert_eq!(e.to_string(), "Invalid 'port' config: is required");
        assert!(!e.to_string().contains("hunter2"));
    }

    #[test]
    fn one_option_at_a_time() {
        let v = ConfigValues::from_json(r#"{"port": "x", "name": "y"}"#).expect("json");
        assert_eq!(v.option::<String>("name"), Ok(Some("y".into())));
        assert_eq!(v.option::<String>("absent"), Ok(None));
        let e = v.option::<u16>("port").expect_err("bad");
        assert_eq!(e.to_string(), "Invalid 'port' config: expected u16, got a string");
        assert!(ConfigValues::from_json("[1]").is_err());
    }
}
