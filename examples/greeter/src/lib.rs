//! The greeter charm's types and rules, kept apart from the charm (`src/main.rs`) so that they
//! read on their own and are tested without Juju.
//!
//! - [`Config`]: the options of `charmcraft.yaml`, with the charm's own rule on `port`;
//! - [`Provided`] and [`Requested`]: the `greeting` interface, one JSON value per databag key;
//! - [`new_token`] and [`token`]: the API token, kept in the application-owned secret
//!   [`TOKEN_LABEL`];
//! - [`RotateParams`]: the parameters of the `rotate-token` action.

use std::fmt;

use juju_charm::SecretString;
use juju_charm::rules::SecretUri;
use juju_charm::tools::SecretContent;
use serde::{Deserialize, Serialize};

/// The endpoint this charm provides (`provides: greeting` in `charmcraft.yaml`).
pub const RELATION: &str = "greeting";

/// The label of the application-owned secret holding the API token.
pub const TOKEN_LABEL: &str = "api-token";

/// The key of the token in that secret.
pub const TOKEN_KEY: &str = "token";

/// The charm's configuration, as `config-get` gives it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Config {
    /// The word each related application is greeted with.
    pub greeting: String,
    /// The port published to related applications.
    pub port: Port,
}

/// A TCP port: Juju checks that `port` is an integer, the charm that it is one a port can be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "i64")]
pub struct Port(pub u16);

impl TryFrom<i64> for Port {
    type Error = String;

    fn try_from(value: i64) -> Result<Self, String> {
        match u16::try_from(value) {
            Ok(port) if port > 0 => Ok(Self(port)),
            // The message is the end of `Invalid 'port' config: ...`; never quote the value.
            _ => Err("must be between 1 and 65535".to_owned()),
        }
    }
}

impl fmt::Display for Port {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// What this charm's leader writes to the application databag of each `greeting` relation:
/// each field as one JSON value under its kebab-case key (`Databag::dump`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Provided {
    /// The greeting for the application on the other side: `hello, <name>!`.
    pub greeting: String,
    /// The port to reach this application on.
    pub port: u16,
    /// The ID of the secret holding the API token, granted to that application.
    pub token_secret_id: String,
}

impl Provided {
    /// The data for `remote_app`, which asked for `requested`, under `config`; the token is in
    /// the secret `token`.
    pub fn new(
        config: &Config,
        requested: &Requested,
        remote_app: &str,
        token: &SecretUri,
    ) -> Self {
        let name = requested.name.as_deref().unwrap_or(remote_app);
        Self {
            greeting: format!("{}, {name}!", config.greeting),
            port: config.port.0,
            token_secret_id: token.to_string(),
        }
    }
}

/// What the application on the other side may write to its databag: the name to greet it by
/// (by default, its application name).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Requested {
    /// The name to greet, if not the application's.
    #[serde(default)]
    pub name: Option<String>,
}

/// The parameters of `rotate-token`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct RotateParams {
    /// How many random bytes the new token has.
    pub length: TokenLength,
}

/// A token length in bytes: 16 to 64.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "i64")]
pub struct TokenLength(pub usize);

impl TokenLength {
    /// The length of the token the leader creates.
    pub const DEFAULT: Self = Self(32);
}

impl TryFrom<i64> for TokenLength {
    type Error = String;

    fn try_from(value: i64) -> Result<Self, String> {
        match usize::try_from(value) {
            Ok(n) if (16..=64).contains(&n) => Ok(Self(n)),
            _ => Err("must be between 16 and 64".to_owned()),
        }
    }
}

/// The content of a new token secret: `length` bytes from the operating system's CSPRNG, as
/// lowercase hex, under [`TOKEN_KEY`].
///
/// # Errors
/// When the operating system has no randomness to give.
pub fn new_token(length: TokenLength) -> Result<SecretContent, getrandom::Error> {
    let mut bytes = vec![0u8; length.0];
    getrandom::fill(&mut bytes)?;
    let mut hex = String::with_capacity(2 * bytes.len());
    for b in &bytes {
        hex.push(char::from_digit(u32::from(b >> 4), 16).unwrap_or('0'));
        hex.push(char::from_digit(u32::from(b & 0xf), 16).unwrap_or('0'));
    }
    bytes.fill(0);
    Ok(SecretContent::from([(TOKEN_KEY.to_owned(), SecretString::new(hex))]))
}

/// The token in the content of the token secret.
///
/// # Errors
/// When the secret has no [`TOKEN_KEY`] (someone else wrote it).
pub fn token(content: &SecretContent) -> Result<SecretString, MissingToken> {
    content.get(TOKEN_KEY).cloned().ok_or(MissingToken)
}

/// The token secret has no token in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MissingToken;

impl fmt::Display for MissingToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the secret '{TOKEN_LABEL}' has no '{TOKEN_KEY}' key")
    }
}

impl std::error::Error for MissingToken {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_port_is_between_1_and_65535() {
        assert_eq!(Port::try_from(8080), Ok(Port(8080)));
        for bad in [0, -1, 65536] {
            assert_eq!(Port::try_from(bad), Err("must be between 1 and 65535".to_owned()));
        }
    }

    #[test]
    fn tokens_are_random_hex_of_the_asked_length() {
        let a = token(&new_token(TokenLength::DEFAULT).expect("random")).expect("token");
        let b = token(&new_token(TokenLength(16)).expect("random")).expect("token");
        assert_eq!((a.len(), b.len()), (64, 32));
        assert!(a.expose().chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        assert_ne!(a.expose()[..32], *b.expose());
        assert_eq!(TokenLength::try_from(65), Err("must be between 16 and 64".to_owned()));
        assert!(token(&SecretContent::new()).is_err());
    }

    #[test]
    fn the_greeting_names_the_requester() {
        let config = Config { greeting: "hi".into(), port: Port(80) };
        let uri: SecretUri = "secret:d1v9sq7mp25c77bvh1e0".parse().expect("uri");
        let named = Requested { name: Some("alice".into()) };
        assert_eq!(Provided::new(&config, &named, "client", &uri).greeting, "hi, alice!");
        let p = Provided::new(&config, &Requested::default(), "client", &uri);
        assert_eq!(p.greeting, "hi, client!");
        assert_eq!((p.port, p.token_secret_id.as_str()), (80, "secret:d1v9sq7mp25c77bvh1e0"));
    }
}
