//! The greeter charm, run by Juju as `dispatch` once per event (types and rules: `lib.rs`).

use greeter_charm::{Config, Provided, RELATION, Requested, RotateParams, TOKEN_LABEL};
use greeter_charm::{TokenLength, new_token, token};
use juju_charm::{Charm, Context, Environment, Error, HookTools, RelationId, Scope, Status};
use juju_charm::{databag::Databag, secrets::AppSecret, tools::ActionValue};

/// The charm. It keeps nothing between events: Juju holds all its state.
pub struct Greeter {
    token: AppSecret,
}

impl Charm for Greeter {
    /// Every hook: config, the API token (the leader creates it), the relations, the status.
    fn reconcile(&mut self, ctx: &mut Context<'_>) -> Result<(), Error> {
        let config: Config = ctx.config()?; // a bad value blocks: "Invalid 'port' config: ..."
        let make = || new_token(TokenLength::DEFAULT).map_err(Error::from); // leader, once
        if self.token.try_get_or_create(ctx.tools(), make)?.is_none() {
            ctx.add_status(Status::waiting("waiting for the leader to create the API token"));
            return Ok(());
        }
        if ctx.is_leader()? {
            for id in ctx.tools().relation_ids(RELATION)? {
                if let Err(bad) = self.publish(ctx.tools(), &id, &config)? {
                    ctx.add_status(Status::blocked(bad)); // that relation waits, others go on
                }
            }
        }
        ctx.add_status(Status::active(format!("'{}' on port {}", config.greeting, config.port)));
        Ok(())
    }

    fn action(&mut self, ctx: &mut Context<'_>, name: &str) -> Result<(), Error> {
        match name {
            "get-token" => {
                let none =
                    || Error::action_failed("there is no API token yet: wait for the leader");
                let content = self.token.get(ctx.tools())?.ok_or_else(none)?;
                Ok(ctx.set_results([("token", ActionValue::Secret(token(&content)?))])?)
            }
            "rotate-token" => {
                if !ctx.is_leader()? {
                    return Err(Error::action_failed("only the leader can rotate the API token"));
                }
                let params: RotateParams = ctx.action_params()?;
                self.token.set(ctx.tools(), &new_token(params.length)?)?;
                Ok(ctx.set_results([("rotated", "true")])?)
            }
            other => Err(Error::action_failed(format!("unknown action '{other}'"))),
        }
    }
}

/// Whether the other side's data was good, or why not.
type BadData = Result<(), String>;

impl Greeter {
    /// Builds the charm for one event (the tests run it in the simulator too).
    pub fn setup(_env: &Environment) -> Result<Self, Error> {
        Ok(Self { token: AppSecret::new(TOKEN_LABEL).description("the greeter's API token") })
    }

    /// Grants relation `id` the token and writes this side's data, unless the other side's is
    /// bad (`Ok(Err(why))`).
    fn publish(&self, tools: &HookTools, id: &RelationId, c: &Config) -> Result<BadData, Error> {
        let remote = tools.relation_list_app(id)?.unwrap_or_default();
        let requested: Requested = match tools.relation_get(id, Scope::App, &remote)?.load() {
            Ok(requested) => requested,
            Err(e) => return Ok(Err(format!("bad data from '{remote}': {e}"))),
        };
        let uri = self.token.uri(tools)?;
        tools.secret_grant(&uri, id, None)?;
        let data = Provided::new(c, &requested, &remote, &uri);
        Ok(Ok(tools.relation_set(id, Scope::App, &Databag::dump(&data)?)?))
    }
}

fn main() -> std::process::ExitCode {
    juju_charm::main(Greeter::setup)
}
