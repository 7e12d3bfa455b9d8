//! The example of the how-to "Drive a workload container" (`docs/how-to/containers.md`), run as
//! a test: the code between the markers below is the how-to's Rust block, character for
//! character, which `the_how_to_shows_this_code` checks.

// how-to:begin
use std::time::Duration;

use juju_charm::pebble::{Check, Client, ExecOptions, Layer, PushOptions, Service, Startup};
use juju_charm::tools::ActionValue;
use juju_charm::{Charm, Context as CharmContext, Error, Status};
use juju_sim::{CharmMeta, ContainerBuilder, Context, Event, Exec, ServiceStatus, State};

struct Web;

impl Charm for Web {
    fn reconcile(&mut self, ctx: &mut CharmContext<'_>) -> Result<(), Error> {
        // The container's Pebble, at the socket the hook's environment names.
        let pebble = Client::for_hook(ctx.env(), "app");
        let web = Service::new("/bin/web").startup(Startup::Enabled).environment("PORT", "8080");
        let layer = Layer::new("web")
            .service("web", web)
            .check("up", Check::http("http://localhost:8080/"));
        let configured = pebble
            .push("/etc/web/web.conf", b"port: 8080\n", &PushOptions::new().make_dirs(true))
            .and_then(|()| pebble.add_layer("web", &layer, true))
            .and_then(|()| pebble.replan_services());
        match configured {
            // Not up yet: wait for `app-pebble-ready`, without failing the hook.
            Err(e) if e.is_cannot_connect() => {
                ctx.add_status(Status::waiting("waiting for Pebble"))
            }
            Err(e) => return Err(e.into()),
            Ok(_) => ctx.add_status(Status::active("")),
        }
        Ok(())
    }

    fn action(&mut self, ctx: &mut CharmContext<'_>, name: &str) -> Result<(), Error> {
        if name != "version" {
            return Err(Error::action_failed(format!("unknown action '{name}'")));
        }
        let pebble = Client::for_hook(ctx.env(), "app");
        let command = ExecOptions::new(["/bin/web", "--version"]).timeout(Duration::from_secs(10));
        let out = pebble.exec(&command)?.exit_ok()?; // a non-zero exit is an error
        let version = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        Ok(ctx.set_results([("version", ActionValue::from(version))])?)
    }
}

#[test]
fn pebble_ready_starts_the_service_and_the_action_runs_a_command() {
    let metadata = "name: web\ncontainers:\n  app: {resource: image}\n\
                    resources:\n  image: {type: oci-image}\n";
    let meta = CharmMeta::from_yaml(metadata, "", "version: {}\n").expect("yaml");
    let app =
        ContainerBuilder::new("app").exec(Exec::new(["/bin/web", "--version"]).stdout("1.2\n"));
    let state = State::for_charm(meta).with_container(app);
    let ctx = Context::new(|_env| Ok(Web));

    // Before the container is up its Pebble refuses connections: the charm waits.
    let out = ctx.run(Event::UpdateStatus, &state).expect("run");
    assert_eq!(out.unit_status(), Some(Status::waiting("waiting for Pebble")));

    // pebble-ready: the layer is in the plan, the service runs, the file is there.
    let out = ctx.run(Event::PebbleReady { container: "app".into() }, &state).expect("run");
    let app = out.state.container(0, "app").expect("the container");
    let plan = app.plan().expect("a plan Pebble accepts");
    assert_eq!(plan.services["web"].environment["PORT"], "8080");
    assert_eq!(
        plan.checks["up"].http.as_ref().expect("an http check").url,
        "http://localhost:8080/"
    );
    assert_eq!(app.service_status("web"), ServiceStatus::Active);
    assert_eq!(app.file("/etc/web/web.conf"), Some(&b"port: 8080\n"[..]));

    // The action runs the declared command in the container and returns its output.
    let out = ctx.run_action("version", serde_json::json!({}), &out.state).expect("action");
    assert_eq!(out.results["version"], "1.2");
    let ran = &out.output.state.container(0, "app").expect("the container").executed;
    assert_eq!(ran[0].command, ["/bin/web", "--version"]);
}
// how-to:end

/// The how-to's Rust block is the code above, so the how-to shows code that compiles and passes.
#[test]
fn the_how_to_shows_this_code() {
    let doc = include_str!("../../../docs/how-to/containers.md");
    let block = doc.split("```rust\n").nth(1).and_then(|b| b.split("```\n").next());
    let this = include_str!("how_to.rs");
    let code = this.split("// how-to:begin\n").nth(1).and_then(|c| c.split("// how-to:end").next());
    assert!(block.is_some() && code.is_some(), "the how-to has a ```rust block, this file markers");
    assert_eq!(block, code, "docs/how-to/containers.md's Rust block differs from tests/how_to.rs");
}
