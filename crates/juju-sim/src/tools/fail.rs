//! How a tool call fails: a usage error (exit 2) or a runtime error (exit 1).

/// How a tool failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Fail {
    /// Flag or argument error: exit 2.
    Usage(String),
    /// Runtime error: exit 1.
    Run(String),
}

/// What a tool printed on success.
pub(crate) type Served = Result<Vec<u8>, Fail>;
