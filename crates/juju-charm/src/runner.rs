//! The seam between a charm and Juju: running one hook tool.
//!
//! Production code uses [`ProcessRunner`], which spawns the tool found on `PATH` (Juju puts its
//! tools directory first). Tests and the in-process simulator provide their own implementation.
//! The runner takes stdin as well as arguments, so `relation-set --file -` needs no argv.

use std::io;

/// What a hook tool printed and how it exited.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ToolOutput {
    /// Exit code; `None` if the process was killed by a signal.
    pub code: Option<i32>,
    /// Everything written to stdout.
    pub stdout: Vec<u8>,
    /// Everything written to stderr.
    pub stderr: Vec<u8>,
}

impl ToolOutput {
    /// A successful run that printed `stdout`.
    pub fn ok(stdout: impl Into<Vec<u8>>) -> Self {
        Self { code: Some(0), stdout: stdout.into(), stderr: Vec::new() }
    }

    /// A failed run with exit `code` and `stderr`.
    pub fn fail(code: i32, stderr: impl Into<Vec<u8>>) -> Self {
        Self { code: Some(code), stdout: Vec::new(), stderr: stderr.into() }
    }

    /// Whether the tool exited 0.
    pub fn success(&self) -> bool {
        self.code == Some(0)
    }
}

/// Runs one hook tool. Implementations must not log the arguments or stdin.
pub trait CommandRunner {
    /// Runs `tool` with `args`, feeding `stdin` (or nothing) to it, and waits for it to exit.
    ///
    /// An `Err` means the tool could not be started at all; a tool that ran and failed is an
    /// `Ok` with a non-zero [`ToolOutput::code`].
    fn run(&self, tool: &str, args: &[&str], stdin: Option<&[u8]>) -> io::Result<ToolOutput>;
}

/// Any closure of the right shape is a runner: handy in tests.
impl<F> CommandRunner for F
where
    F: Fn(&str, &[&str], Option<&[u8]>) -> io::Result<ToolOutput>,
{
    fn run(&self, tool: &str, args: &[&str], stdin: Option<&[u8]>) -> io::Result<ToolOutput> {
        self(tool, args, stdin)
    }
}

/// Runs hook tools as child processes found on `PATH`.
#[derive(Debug, Default, Clone, Copy)]
pub struct ProcessRunner;

impl CommandRunner for ProcessRunner {
    fn run(&self, tool: &str, args: &[&str], stdin: Option<&[u8]>) -> io::Result<ToolOutput> {
        use std::io::Write;
        use std::process::{Command, Stdio};
        let mut cmd = Command::new(tool);
        cmd.args(args)
            .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn()?;
        if let Some(input) = stdin {
            // Take the pipe so it is closed (EOF) once written.
            if let Some(mut pipe) = child.stdin.take() {
                pipe.write_all(input)?;
            }
        }
        let out = child.wait_with_output()?;
        Ok(ToolOutput { code: out.status.code(), stdout: out.stdout, stderr: out.stderr })
    }
}
