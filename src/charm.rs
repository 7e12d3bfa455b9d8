//! The hook dispatcher: one Juju event in, one exit code out.
//!
//! Every hook runs the holistic reconcile; actions, `secret-remove` and the unknown get their
//! own handlers (ops' holistic-charm guidance). Outcomes follow `style.md` point 5: a problem the
//! operator can fix is a blocked status and exit 0; anything unexpected logs its whole cause
//! chain and exits 1, so Juju retries the hook, and since a failed hook commits none of its
//! relation or secret writes, the retry starts from the same state and converges.

use std::rc::Rc;

use juju::context::SecretHook;
use juju::{CommandRunner, Event, HookTools, JujuContext};

use crate::random::{Entropy, OsEntropy};
use crate::{actions, generated, reconcile, store};

/// Runs the charm for the hook described by `env`, with hook tools run by `runner`.
/// Returns the process exit code.
pub fn run<I>(env: I, runner: Rc<dyn CommandRunner>) -> i32
where
    I: IntoIterator<Item = (String, String)>,
{
    run_with(env, runner, &mut OsEntropy)
}

/// [`run`] with an explicit randomness source (tests count on the OS one too).
pub fn run_with<I>(env: I, runner: Rc<dyn CommandRunner>, rng: &mut dyn Entropy) -> i32
where
    I: IntoIterator<Item = (String, String)>,
{
    let ctx = match JujuContext::from_env(env) {
        Ok(ctx) => ctx,
        Err(e) => {
            // Without a context the hook tools may not work either: stderr is what Juju logs.
            eprintln!("ckf-crypto: cannot read the hook environment: {e}");
            return 1;
        }
    };
    // Idempotent: installs the juju-log backend once per process.
    juju::logger::init(log::LevelFilter::Info);
    juju::logger::scope(runner.clone(), || {
        let tools = HookTools::new(&*runner);
        match dispatch(&tools, &ctx, rng) {
            Ok(()) => 0,
            Err(e) => {
                log::error!("{} failed: {e:#}", ctx.dispatch_path);
                1
            }
        }
    })
}

fn dispatch(tools: &HookTools<'_>, ctx: &JujuContext, rng: &mut dyn Entropy) -> anyhow::Result<()> {
    match &ctx.event {
        Event::Action { name, .. } => actions::run(tools, ctx, name, rng),
        Event::Secret { hook: SecretHook::Remove, id, label, revision } => {
            secret_remove(tools, id, label.as_deref(), *revision)
        }
        Event::Unknown { name } => {
            // Ignored, as ops does, so that a charm rollback does not fail on newer hooks.
            log::info!("ignoring unknown event '{name}'");
            Ok(())
        }
        // Material lives in Juju secrets owned by the application: nothing to tear down.
        Event::Stop | Event::Remove => Ok(()),
        _ => reconcile::run(tools, ctx, rng).map(|_| ()),
    }
}

/// `secret-remove`: Juju tells the owner that no consumer tracks `revision` any more.
fn secret_remove(
    tools: &HookTools<'_>,
    id: &str,
    label: Option<&str>,
    revision: Option<u64>,
) -> anyhow::Result<()> {
    let ours = label == Some(generated::LABEL);
    // Only the leader may change an application-owned secret.
    if !ours || !tools.is_leader()? {
        log::debug!("secret-remove for a secret this unit does not manage");
        return Ok(());
    }
    match (ours, revision) {
        (true, Some(rev)) => {
            tools.secret_remove(&store::canonical_uri(store::bare_id(id)), Some(rev))?;
            log::info!("removed revision {rev} of Juju secret '{}'", generated::LABEL);
        }
        _ => log::debug!("secret-remove for a secret this charm does not manage"),
    }
    Ok(())
}
