//! The sidecar charm's types and rules, kept apart from the charm (`src/main.rs`) so that they
//! read on their own and are tested without Juju or Pebble.
//!
//! - [`Config`]: the options of `charmcraft.yaml`, with the charm's own rules on `port` and
//!   `api-token`;
//! - [`layer`]: the Pebble layer the configuration makes, one service ([`SERVICE`]) and one
//!   check ([`CHECK`]);
//! - [`VERSION_COMMAND`] and [`version_line`]: the `workload-version` action's command and what
//!   it returns of its output.

use std::fmt;

use juju_charm::pebble::{Check, CheckLevel, Layer, Service, ServiceAction, Startup};
use juju_charm::rules::SecretUri;
use serde::Deserialize;

/// The workload container, as `charmcraft.yaml` names it under `containers`.
pub const CONTAINER: &str = "workload";

/// The label of the layer the charm adds (and replaces on every hook).
pub const LAYER_LABEL: &str = "sidecar";

/// The workload's service.
pub const SERVICE: &str = "web";

/// The service's health check: an HTTP GET of the page it serves.
pub const CHECK: &str = "up";

/// Where the API token goes in the workload container (mode 0600, owned by root).
pub const TOKEN_PATH: &str = "/etc/workload/token";

/// The key of the token in the user secret that the `api-token` option names.
pub const TOKEN_KEY: &str = "token";

/// The service's command. The configuration reaches it through the environment ([`layer`]),
/// so that a change of configuration is a change of the service's environment, which Pebble's
/// replan turns into a restart.
pub const COMMAND: &str = "/bin/sh -c 'mkdir -p /srv/www && echo \"$MESSAGE\" > \
                           /srv/www/index.html && exec httpd -f -p \"$PORT\" -h /srv/www'";

/// The command `workload-version` runs in the workload container: busybox prints its version on
/// the first line of its help.
pub const VERSION_COMMAND: [&str; 2] = ["/bin/busybox", "--help"];

/// The charm's configuration, as `config-get` gives it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Config {
    /// The port the web server listens on.
    pub port: Port,
    /// The page it serves.
    pub message: String,
    /// The user secret holding the API token, once the operator sets the option.
    #[serde(default)]
    pub api_token: Option<TokenSecret>,
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

/// The value of the `api-token` option: the URI of a user secret (`secret:<id>`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct TokenSecret(pub SecretUri);

impl TryFrom<String> for TokenSecret {
    type Error = String;

    fn try_from(value: String) -> Result<Self, String> {
        value
            .parse()
            .map(Self)
            .map_err(|_| "must be a secret URI, as 'juju add-secret' prints it".to_owned())
    }
}

/// The Pebble layer for `config`: service [`SERVICE`] running [`COMMAND`] with `PORT` and
/// `MESSAGE` in its environment (and `TOKEN_FILE`, [`TOKEN_PATH`], when `with_token`), started
/// on replan and restarted when its check fails; check [`CHECK`], an HTTP GET of its page.
///
/// Every entry is `override: replace`, so adding the layer again with `combine` replaces the
/// previous configuration whole.
pub fn layer(config: &Config, with_token: bool) -> Layer {
    let port = config.port.to_string();
    let mut service = Service::new(COMMAND)
        .summary("busybox httpd serving the configured message")
        .startup(Startup::Enabled)
        .environment("PORT", port.as_str())
        .environment("MESSAGE", config.message.as_str())
        .on_check_failure(CHECK, ServiceAction::Restart);
    if with_token {
        service = service.environment("TOKEN_FILE", TOKEN_PATH);
    }
    let check = Check::http(format!("http://localhost:{port}/")).level(CheckLevel::Alive);
    Layer::new("the sidecar example's web server").service(SERVICE, service).check(CHECK, check)
}

/// The version line of [`VERSION_COMMAND`]'s output: its first line that is not blank, trimmed.
pub fn version_line(stdout: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(stdout);
    text.lines().map(str::trim).find(|l| !l.is_empty()).map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        Config { port: Port(8080), message: "hi".into(), api_token: None }
    }

    #[test]
    fn a_port_is_between_1_and_65535() {
        assert_eq!(Port::try_from(8080), Ok(Port(8080)));
        for bad in [0, -1, 65536] {
            assert_eq!(Port::try_from(bad), Err("must be between 1 and 65535".to_owned()));
        }
    }

    #[test]
    fn the_token_option_is_a_secret_uri() {
        let ok = TokenSecret::try_from("secret:d1v9sq7mp25c77bvh1e0".to_owned());
        assert_eq!(ok.map(|t| t.0.to_string()).as_deref(), Ok("secret:d1v9sq7mp25c77bvh1e0"));
        assert!(TokenSecret::try_from("hunter2".to_owned()).is_err());
    }

    #[test]
    fn the_layer_carries_the_config_in_the_environment_and_checks_the_port() {
        let layer = layer(&config(), false);
        let web = &layer.services[SERVICE];
        assert_eq!(web.command.as_deref(), Some(COMMAND));
        assert_eq!(web.environment["PORT"], "8080");
        assert_eq!(web.environment["MESSAGE"], "hi");
        assert!(!web.environment.contains_key("TOKEN_FILE"));
        let up = &layer.checks[CHECK];
        assert_eq!(up.http.as_ref().map(|h| h.url.as_str()), Some("http://localhost:8080/"));
        let with_token = super::layer(&config(), true);
        assert_eq!(with_token.services[SERVICE].environment["TOKEN_FILE"], TOKEN_PATH);
    }

    #[test]
    fn the_version_is_the_first_line() {
        let out = b"\nBusyBox v1.37.0 (2024-09-26) multi-call binary.\nUsage: busybox\n";
        assert_eq!(
            version_line(out).as_deref(),
            Some("BusyBox v1.37.0 (2024-09-26) multi-call binary.")
        );
        assert_eq!(version_line(b" \n"), None);
    }
}
