//! The sidecar charm, run by Juju as `dispatch` once per event (types and rules: `lib.rs`).

use std::time::Duration;

use juju_charm::pebble::{CheckStatus, Client, ExecOptions, PebbleError, PushOptions};
use juju_charm::tools::{ActionValue, SecretRead, SecretRef};
use juju_charm::{Charm, Context, Environment, Error, ErrorKind, SecretString, Status};
use sidecar_charm::{CHECK, CONTAINER, Config, LAYER_LABEL, SERVICE, TOKEN_KEY, TOKEN_PATH};
use sidecar_charm::{TokenSecret, VERSION_COMMAND, layer, version_line};

/// The charm. It keeps nothing between events: Juju and Pebble hold all its state.
pub struct Sidecar;

impl Charm for Sidecar {
    /// Every hook, pebble-ready and the check hooks included: config, the API token, the
    /// workload's layer and files, its health, the status.
    fn reconcile(&mut self, ctx: &mut Context<'_>) -> Result<(), Error> {
        let config: Config = ctx.config()?; // a bad value blocks: "Invalid 'port' config: ..."
        let token = match &config.api_token {
            None => None,
            Some(secret) => match read_token(ctx, secret)? {
                Ok(token) => Some(token),
                Err(why) => {
                    ctx.add_status(Status::blocked(why));
                    return Ok(());
                }
            },
        };
        let pebble = Client::for_hook(ctx.env(), CONTAINER);
        match configure(&pebble, &config, token.as_ref()) {
            // Not up yet (or restarting): pebble-ready comes when it is.
            Err(e) if e.is_cannot_connect() => {
                ctx.add_status(Status::waiting("waiting for Pebble"));
                return Ok(());
            }
            Err(e) => return Err(e.into()),
            Ok(CheckStatus::Down) => ctx.add_status(Status::maintenance(format!(
                "check '{CHECK}' failing; Pebble restarts '{SERVICE}'"
            ))),
            Ok(_) => {}
        }
        ctx.add_status(Status::active(format!("serving on port {}", config.port)));
        Ok(())
    }

    fn action(&mut self, ctx: &mut Context<'_>, name: &str) -> Result<(), Error> {
        match name {
            "workload-version" => {
                let pebble = Client::for_hook(ctx.env(), CONTAINER);
                let command = ExecOptions::new(VERSION_COMMAND).timeout(Duration::from_secs(30));
                let out = match pebble.exec(&command) {
                    Err(e) if e.is_cannot_connect() => {
                        let why = "the workload container is not up yet: run the action again \
                                   once the unit is active";
                        return Err(Error::action_failed(why));
                    }
                    other => other?,
                };
                let run = VERSION_COMMAND.join(" ");
                if !out.success() {
                    let code = out.exit_code;
                    let why = format!("'{run}' exited with status {code} in the workload");
                    return Err(Error::action_failed(why));
                }
                let none = || Error::action_failed(format!("'{run}' printed no version"));
                let version = version_line(&out.stdout).ok_or_else(none)?;
                Ok(ctx.set_results([("version", ActionValue::from(version))])?)
            }
            other => Err(Error::action_failed(format!("unknown action '{other}'"))),
        }
    }
}

impl Sidecar {
    /// Builds the charm for one event (the tests run it in the simulator too).
    pub fn setup(_env: &Environment) -> Result<Self, Error> {
        Ok(Self)
    }
}

/// The API token in the user secret `secret` (the `api-token` option), or why it cannot be read
/// (`Ok(Err(why))`, for a blocked status: the operator must grant or fix the secret).
fn read_token(
    ctx: &Context<'_>,
    secret: &TokenSecret,
) -> Result<Result<SecretString, String>, Error> {
    let uri = &secret.0;
    // The latest revision, and track it: `juju update-secret` rotates the token in the workload.
    let content = match ctx.tools().secret_get(SecretRef::Uri(uri), SecretRead::Refresh) {
        Ok(content) => content,
        Err(e) if e.kind() == ErrorKind::PermissionDenied => {
            let app = &ctx.env().app_name;
            return Ok(Err(format!("grant the 'api-token' secret: juju grant-secret {uri} {app}")));
        }
        Err(e) if e.kind() == ErrorKind::NotFound => {
            let why =
                "the 'api-token' secret does not exist: set 'api-token' to a user secret's URI";
            return Ok(Err(why.to_owned()));
        }
        Err(e) => return Err(e.into()),
    };
    Ok(content.get(TOKEN_KEY).cloned().ok_or_else(|| {
        format!("the 'api-token' secret has no '{TOKEN_KEY}' key: juju update-secret {uri} {TOKEN_KEY}=...")
    }))
}

/// Brings the workload to what `config` says: the token file, the layer, the services (Pebble's
/// replan starts them, and restarts any whose configuration changed); returns the health
/// check's status.
fn configure(
    pebble: &Client,
    config: &Config,
    token: Option<&SecretString>,
) -> Result<CheckStatus, PebbleError> {
    match token {
        // The token travels in the request body only: never on a command line or in a log.
        Some(token) => {
            let private = PushOptions::new().permissions(0o600).make_dirs(true);
            pebble.push_secret(TOKEN_PATH, token, &private)?;
        }
        None => match pebble.remove_path(TOKEN_PATH, false) {
            Err(e) if e.is_not_found() => {}
            other => other?,
        },
    }
    pebble.add_layer(LAYER_LABEL, &layer(config, token.is_some()), true)?;
    pebble.replan_services()?;
    log::info!("replanned '{SERVICE}' on port {}", config.port);
    let checks = pebble.checks(None, &[CHECK])?;
    Ok(checks.iter().find(|c| c.name == CHECK).map_or(CheckStatus::Inactive, |c| c.status))
}

fn main() -> std::process::ExitCode {
    juju_charm::main(Sidecar::setup)
}
