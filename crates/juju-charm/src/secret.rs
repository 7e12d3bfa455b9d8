//! Secret-bearing strings.
//!
//! A [`SecretString`] prints as `[redacted]` in `Debug` and `Display`, is zeroized when dropped,
//! and gives its bytes out only through [`SecretString::expose`]. Every call of `expose` should
//! carry a comment saying why the value may leave the type there (as rustls does for
//! `into_public`). It deliberately implements neither `Serialize` nor `Display` of the content.

use std::fmt;
use zeroize::Zeroizing;

/// A string holding a secret value: redacted when printed, zeroized on drop.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct SecretString(Zeroizing<String>);

impl SecretString {
    /// Wraps `value`.
    pub fn new(value: impl Into<String>) -> Self {
        Self(Zeroizing::new(value.into()))
    }

    /// The secret value. Callers say in a comment why it may leave the type.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Length in bytes (not secret).
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the value is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<String> for SecretString {
    fn from(value: String) -> Self {
        Self::new(value)
    }
}

impl From<&str> for SecretString {
    fn from(value: &str) -> Self {
        Self::new(value)
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl fmt::Display for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_redacted() {
        let s = SecretString::new("hunter22");
        assert_eq!(format!("{s} {s:?} {:?}", Some(&s)), "[redacted] [redacted] Some([redacted])");
        assert_eq!(s.expose(), "hunter22");
        assert_eq!(s.len(), 8);
    }
}
