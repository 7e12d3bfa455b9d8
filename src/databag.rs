//! Relation databags that may hold secret values.
//!
//! The `object-storage` interface carries the secret key in relation data (its schema requires
//! it; `ckf-reference.md` §13 flaw 3). A [`Databag`] is a plain string map whose values are
//! zeroized when it is dropped and whose `Debug` output names only the keys.

use std::collections::BTreeMap;
use std::fmt;

use zeroize::Zeroize;

/// A relation databag (string to string) that wipes its values on drop.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Databag(pub BTreeMap<String, String>);

impl Databag {
    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }
}

impl From<BTreeMap<String, String>> for Databag {
    fn from(map: BTreeMap<String, String>) -> Self {
        Self(map)
    }
}

impl Drop for Databag {
    fn drop(&mut self) {
        for v in self.0.values_mut() {
            v.zeroize();
        }
    }
}

impl fmt::Debug for Databag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.0.keys()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_keys_only() {
        let bag = Databag(BTreeMap::from([("secret-key".into(), "S3CR3T".into())]));
        assert_eq!(format!("{bag:?}"), r#"{"secret-key"}"#);
    }
}
