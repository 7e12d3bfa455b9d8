//! The `juju-log` backend: records inside a `scope` reach that scope's runner as
//! `juju-log --log-level LEVEL -- message`; nothing leaks between threads or outside a scope;
//! logging while `juju-log` runs is dropped; a panic in the scope still unregisters the runner.

#![allow(clippy::unwrap_used)]

mod common;

use std::rc::Rc;

use common::{FakeRunner, strings};
use juju_charm::logger;
use juju_charm::{CommandRunner, ToolOutput};

fn fake() -> Rc<FakeRunner> {
    logger::init(log::LevelFilter::Trace);
    Rc::new(FakeRunner::ok(""))
}

fn as_runner(fake: &Rc<FakeRunner>) -> Rc<dyn CommandRunner> {
    Rc::clone(fake) as Rc<dyn CommandRunner>
}

#[test]
fn records_in_scope_reach_juju_log() {
    let fake = fake();
    let answer = logger::scope(as_runner(&fake), || {
        log::info!("hello {}", "world");
        log::error!("e");
        log::warn!("w");
        log::debug!("d");
        log::trace!("-t");
        42
    });
    assert_eq!(answer, 42);
    assert_eq!(
        fake.argvs(),
        vec![
            strings(&["juju-log", "--log-level", "INFO", "--", "hello world"]),
            strings(&["juju-log", "--log-level", "ERROR", "--", "e"]),
            strings(&["juju-log", "--log-level", "WARNING", "--", "w"]),
            strings(&["juju-log", "--log-level", "DEBUG", "--", "d"]),
            strings(&["juju-log", "--log-level", "TRACE", "--", "-t"]),
        ]
    );
}

#[test]
fn outside_a_scope_nothing_reaches_a_runner() {
    let fake = fake();
    logger::scope(as_runner(&fake), || {});
    log::info!("to stderr");
    assert!(fake.calls().is_empty());
}

#[test]
fn scopes_nest_and_are_per_thread() {
    let outer = fake();
    let inner = fake();
    logger::scope(as_runner(&outer), || {
        log::info!("one");
        logger::scope(as_runner(&inner), || log::info!("two"));
        // Another thread has no scope: its record goes to stderr, not to our runners.
        std::thread::spawn(|| log::info!("elsewhere")).join().unwrap();
        log::info!("three");
    });
    let messages = |f: &FakeRunner| f.argvs().into_iter().map(|a| a[4].clone()).collect::<Vec<_>>();
    assert_eq!(messages(&outer), strings(&["one", "three"]));
    assert_eq!(messages(&inner), strings(&["two"]));
}

#[test]
fn a_panic_in_the_scope_unregisters_the_runner() {
    let fake = fake();
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        logger::scope(as_runner(&fake), || panic!("boom"))
    }));
    assert!(result.is_err());
    log::info!("after");
    assert!(fake.calls().is_empty());
}

/// A runner that logs while it "runs" juju-log, as a careless runner might.
struct Chatty(FakeRunner);

impl CommandRunner for Chatty {
    fn run(&self, tool: &str, args: &[&str], stdin: Option<&[u8]>) -> std::io::Result<ToolOutput> {
        log::warn!("running {tool}");
        self.0.run(tool, args, stdin)
    }
}

#[test]
fn logging_during_juju_log_is_dropped() {
    logger::init(log::LevelFilter::Trace);
    let chatty = Rc::new(Chatty(FakeRunner::ok("")));
    logger::scope(Rc::clone(&chatty) as Rc<dyn CommandRunner>, || {
        log::info!("first");
        log::info!("second");
    });
    let messages: Vec<_> = chatty.0.argvs().into_iter().map(|a| a[4].clone()).collect();
    assert_eq!(messages, strings(&["first", "second"]));
}

#[test]
fn a_failing_juju_log_falls_back_to_stderr() {
    logger::init(log::LevelFilter::Trace);
    let failing = Rc::new(FakeRunner::failing(1, "ERROR no message specified\n"));
    logger::scope(Rc::clone(&failing) as Rc<dyn CommandRunner>, || {
        log::info!("still fine");
        log::info!("and again");
    });
    // Both were attempted (and written to stderr); nothing panicked.
    assert_eq!(failing.calls().len(), 2);
}
