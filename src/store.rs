//! Durable material in application-owned Juju secrets, found by label.
//!
//! Salts and generated secrets must survive pod replacement and leader changes, so they live in
//! Juju secrets owned by the application, never in files or unit state. The framework's
//! [`SpreadSecret`] keeps them: one secret labelled [`LABEL`] while the material fits in one
//! under the running Juju's limits, then `<LABEL>-2`, `<LABEL>-3`, ... Only the leader writes.
//! Content read or written during a hook is kept in memory by the caller for the rest of the
//! hook, since `secret-get` right after `secret-add` in the same hook is not reliable across Juju
//! versions (canonical/operator#857).
//!
//! This module holds what is ckf-crypto's own: the labels, the description, and the format
//! version recorded in the primary secret.

use juju_charm::rules::SecretLimits;
use juju_charm::secrets::{SecretWrite, Spread, SpreadSecret, SpreadWriteError};
use juju_charm::tools::SecretContent;
use juju_charm::{HookToolError, HookTools, SecretString};

/// Label of the application-owned Juju secret holding the charm's material: the generated
/// secrets, the config-hash salt, the CA with its key and the webhook certificates. One secret,
/// not one per area, because every leader hook reads it and each `secret-get` is a process; the
/// areas own disjoint content keys.
pub const LABEL: &str = "ckf-crypto-material";

/// Its description, shown by `juju secrets`.
pub const DESCRIPTION: &str = "ckf-crypto material: generated secrets, CA and certificates";

/// The content key of the primary secret that records the stored format. Absent: format 1, the
/// format of the revisions before it (one secret, the same content keys).
pub const FORMAT_KEY: &str = "format-version";
/// The format this revision writes: format 1's content keys, plus [`FORMAT_KEY`] and
/// [`SHARDS_KEY`], spread over more secrets when one would be over Juju's limit.
pub const FORMAT: u32 = 2;
/// The content key of the primary secret that counts the extra secrets (`<LABEL>-2`, ...).
pub const SHARDS_KEY: &str = "material-shards";

/// The secrets of the material.
pub fn secrets() -> SpreadSecret {
    SpreadSecret::new(LABEL, SHARDS_KEY).description(DESCRIPTION)
}

/// The limits of the Juju in `JUJU_VERSION`; the ones of Juju before 3.6.9 when it is unknown.
pub fn limits(version: Option<&juju_charm::rules::JujuVersion>) -> SecretLimits {
    version.map_or(SecretLimits::BEFORE_3_6_9, SecretLimits::for_version)
}

/// The material as stored: its content keys merged from every secret that holds them (without
/// the layout keys), and each secret's content as it is, by label.
#[derive(Debug, Clone, Default)]
pub struct Stored {
    /// The secrets as read; their merged content is the material's, without the layout keys.
    pub spread: Spread,
    /// The stored format.
    pub format: u32,
}

impl Stored {
    /// The content keys of the material, without the layout keys.
    pub fn content(&self) -> &SecretContent {
        &self.spread.content
    }
}

/// Whether `label` is one of the material's secrets.
pub fn is_material_label(label: &str) -> bool {
    secrets().owns_label(label)
}

/// Reads the material: the primary secret and, when it records extra ones, those. One
/// `secret-get` when everything fits in one secret.
pub fn read_material(tools: &HookTools<'_>) -> Result<Option<Stored>, HookToolError> {
    let Some(mut spread) = secrets().read(tools)? else { return Ok(None) };
    // Out of the merged content, which is then the material's alone; the primary secret keeps
    // it, and writing compares without it.
    let format =
        spread.content.remove(FORMAT_KEY).and_then(|v| v.expose().parse().ok()).unwrap_or(1);
    Ok(Some(Stored { spread, format }))
}

/// The keys the primary secret holds besides the material.
fn header() -> SecretContent {
    [(FORMAT_KEY.to_owned(), SecretString::new(FORMAT.to_string()))].into_iter().collect()
}

/// Writes `content` as the material, secret by secret: creates the ones that do not exist,
/// sets the ones whose content differs, removes extra ones no longer needed; returns what it
/// did. Nothing is written when the content keys are those stored (whatever format they are
/// stored in).
pub fn write_material(
    tools: &HookTools<'_>,
    stored: Option<&Stored>,
    content: &SecretContent,
    limits: &SecretLimits,
) -> Result<Vec<SecretWrite>, SpreadWriteError> {
    secrets().write(tools, stored.map(|s| &s.spread), content, &header(), limits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_material_is_laid_out_with_its_format() {
        let small: SecretContent =
            [("a-key".to_owned(), SecretString::new("x"))].into_iter().collect();
        let one = secrets().layout(&small, &header(), &SecretLimits::BEFORE_3_6_9).expect("fits");
        assert_eq!(one.len(), 1);
        assert_eq!(one[0].0, LABEL);
        assert_eq!(one[0].1.get(FORMAT_KEY).map(|v| v.expose().to_owned()), Some("2".into()));
        assert!(!one[0].1.contains_key(SHARDS_KEY));
        assert!(is_material_label("ckf-crypto-material-3") && is_material_label(LABEL));
        assert!(!is_material_label("ckf-crypto-material-x") && !is_material_label("other"));
        let v = "3.6.9".parse().expect("version");
        assert_eq!(limits(Some(&v)), SecretLimits::SINCE_3_6_9);
        assert_eq!(limits(None), SecretLimits::BEFORE_3_6_9, "unknown: the small ones");
    }
}
