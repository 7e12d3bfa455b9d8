//! The runtime's own Pebble client (`juju_charm::pebble::Client`, found with `for_hook` from the
//! hook environment) against the simulator's Pebble, with the charm run in process: a layer
//! added, its services started, a file pushed and pulled, a command run through exec, and what
//! the workload holds afterwards in the state the run returns.

use std::cell::RefCell;

use juju_charm::pebble::{Client, ExecOptions, Layer, PushOptions};
use juju_charm::{Charm, Context as CharmContext, Error, SecretString, Status};
use juju_sim::{CharmMeta, ContainerBuilder, Context, Event, Exec, ServiceStatus, State};

const METADATA: &str = "\
name: web
containers:
  app:
    resource: app-image
resources:
  app-image:
    type: oci-image
";

const LAYER: &str = "
summary: web
services:
  web:
    override: replace
    command: /bin/web --port 8080
    startup: enabled
";

/// What the charm saw, for the test to check after the run.
#[derive(Default)]
struct Seen {
    pulled: Vec<u8>,
    stdout: String,
    exit: i32,
    refused: bool,
}

struct Web<'a> {
    seen: &'a RefCell<Seen>,
}

impl Charm for Web<'_> {
    fn reconcile(&mut self, ctx: &mut CharmContext<'_>) -> Result<(), Error> {
        let pebble = Client::for_hook(ctx.env(), "app");
        let layer: Layer = serde_saphyr::from_str(LAYER).map_err(Error::new)?;
        if let Err(e) = pebble.add_layer("web", &layer, true) {
            // Before pebble-ready the socket refuses: the charm waits.
            self.seen.borrow_mut().refused = e.is_cannot_connect();
            ctx.add_status(Status::waiting("waiting for Pebble"));
            return Ok(());
        }
        pebble.replan_services().map_err(Error::new)?;
        let token = SecretString::new("s3cr3t-token");
        pebble
            .push_secret(
                "/etc/web/token",
                &token,
                &PushOptions::new().permissions(0o600).make_dirs(true),
            )
            .map_err(Error::new)?;
        let pulled = pebble.pull("/etc/web/token").map_err(Error::new)?;
        let out = pebble.exec(&ExecOptions::new(["/bin/web", "--version"])).map_err(Error::new)?;
        let mut seen = self.seen.borrow_mut();
        seen.pulled = pulled;
        seen.stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        seen.exit = out.exit_code;
        ctx.add_status(Status::active(""));
        Ok(())
    }
}

fn state(can_connect: bool) -> State {
    let meta = CharmMeta::from_yaml(METADATA, "", "").expect("metadata");
    let app = ContainerBuilder::new("app")
        .can_connect(can_connect)
        .exec(Exec::new(["/bin/web", "--version"]).stdout("web 1.2.3\n"));
    State::for_charm(meta).with_container(app)
}

#[test]
fn pebble_the_runtime_client_drives_the_simulated_workload_in_process() {
    let seen = RefCell::new(Seen::default());
    let ctx = Context::new(|_env| Ok(Web { seen: &seen }));

    // Before Pebble is up: connection refused, the charm waits.
    let out = ctx.run(Event::UpdateStatus, &state(false)).expect("run");
    assert!(out.succeeded());
    assert!(seen.borrow().refused, "a refused connection is can-connect false");
    assert_eq!(out.unit_status(), Some(Status::waiting("waiting for Pebble")));

    // pebble-ready: the layer, the service started by replan, the file, the exec.
    let out = ctx.run(Event::PebbleReady { container: "app".into() }, &state(false)).expect("run");
    assert!(out.succeeded(), "{:?}", out.outcome.logs);
    let app = out.state.container(0, "app").expect("the container");
    assert!(app.layer("web").is_some());
    assert_eq!(app.service_status("web"), ServiceStatus::Active);
    assert_eq!(app.file("/etc/web/token"), Some(b"s3cr3t-token".as_slice()));
    assert_eq!(app.files["/etc/web/token"].permissions, 0o600);
    let seen = seen.borrow();
    assert_eq!(seen.pulled, b"s3cr3t-token");
    assert_eq!((seen.stdout.as_str(), seen.exit), ("web 1.2.3\n", 0));
    // The token travelled in the request body only: no argv, no log.
    assert!(out.outcome.calls.iter().all(|c| c.args.iter().all(|a| !a.contains("s3cr3t"))));
    assert!(out.outcome.logs.iter().all(|l| !l.message.contains("s3cr3t")));
}
