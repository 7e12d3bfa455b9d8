//! A recording fake [`CommandRunner`] shared by the integration tests.
//!
//! It records every call (tool, args, stdin) and answers from a script: either a queue of
//! outputs or a closure, which can also look at the world while the tool "runs" (for example
//! the `key#file=` files of `secret-add`, which only exist during the call).

#![allow(dead_code, clippy::unwrap_used)]

use std::cell::RefCell;
use std::collections::VecDeque;
use std::io;

use juju_charm::{CommandRunner, ToolOutput};

/// One recorded call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    pub tool: String,
    pub args: Vec<String>,
    pub stdin: Option<Vec<u8>>,
}

impl Call {
    /// `tool arg1 arg2 ...` as one vector, for exact comparisons.
    pub fn argv(&self) -> Vec<String> {
        std::iter::once(self.tool.clone()).chain(self.args.iter().cloned()).collect()
    }
}

type Respond = Box<dyn Fn(&str, &[&str], Option<&[u8]>) -> io::Result<ToolOutput>>;

/// Records calls; answers with `respond`, or from `queue` first when it is not empty.
pub struct FakeRunner {
    calls: RefCell<Vec<Call>>,
    queue: RefCell<VecDeque<io::Result<ToolOutput>>>,
    respond: Respond,
}

impl FakeRunner {
    /// Answers every call with `respond`.
    pub fn new(
        respond: impl Fn(&str, &[&str], Option<&[u8]>) -> io::Result<ToolOutput> + 'static,
    ) -> Self {
        Self { calls: RefCell::default(), queue: RefCell::default(), respond: Box::new(respond) }
    }

    /// Answers every call with exit 0 and `stdout`.
    pub fn ok(stdout: &str) -> Self {
        let stdout = stdout.as_bytes().to_vec();
        Self::new(move |_, _, _| Ok(ToolOutput::ok(stdout.clone())))
    }

    /// Answers the calls in turn with `outputs`, then with exit 0 and no output.
    pub fn scripted(outputs: Vec<ToolOutput>) -> Self {
        let runner = Self::ok("");
        runner.queue.borrow_mut().extend(outputs.into_iter().map(Ok));
        runner
    }

    /// Answers every call with exit `code` and `stderr`.
    pub fn failing(code: i32, stderr: &str) -> Self {
        let stderr = stderr.as_bytes().to_vec();
        Self::new(move |_, _, _| Ok(ToolOutput::fail(code, stderr.clone())))
    }

    /// Every call so far.
    pub fn calls(&self) -> Vec<Call> {
        self.calls.borrow().clone()
    }

    /// The argv (tool first) of every call so far.
    pub fn argvs(&self) -> Vec<Vec<String>> {
        self.calls.borrow().iter().map(Call::argv).collect()
    }

    /// The one call made; panics unless exactly one was.
    pub fn only_call(&self) -> Call {
        let calls = self.calls();
        assert_eq!(calls.len(), 1, "expected one call, got {calls:?}");
        calls.into_iter().next().unwrap()
    }
}

impl CommandRunner for FakeRunner {
    fn run(&self, tool: &str, args: &[&str], stdin: Option<&[u8]>) -> io::Result<ToolOutput> {
        self.calls.borrow_mut().push(Call {
            tool: tool.to_owned(),
            args: args.iter().map(|a| (*a).to_owned()).collect(),
            stdin: stdin.map(<[u8]>::to_vec),
        });
        if let Some(next) = self.queue.borrow_mut().pop_front() {
            return next;
        }
        (self.respond)(tool, args, stdin)
    }
}

/// `["a", "b"]` as owned strings.
pub fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| (*s).to_owned()).collect()
}
