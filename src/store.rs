//! Durable material in application-owned Juju secrets, found by label.
//!
//! Salts and generated secrets must survive pod replacement and leader changes, so they live in
//! Juju secrets owned by the application, never in files or unit state (`style.md` point 8).
//! Only the leader writes. Content read or written during a hook is kept in memory by the
//! caller for the rest of the hook, since `secret-get` right after `secret-add` in the same hook
//! is not reliable across Juju versions (canonical/operator#857).

use juju::tools::{
    SecretAddOptions, SecretContent, SecretOwner, SecretRead, SecretRef, SecretSetOptions,
};

/// Label of the one application-owned Juju secret holding all the charm's material: the
/// generated secrets, the config-hash salt, the CA with its key and the webhook certificates.
/// One secret, not one per area, because every leader hook reads it and each `secret-get` is a
/// process; the areas own disjoint content keys.
pub const LABEL: &str = "ckf-crypto-material";

/// Its description, shown by `juju secrets`.
pub const DESCRIPTION: &str = "ckf-crypto material: generated secrets, CA and certificates";
use juju::{ErrorKind, HookToolError, HookTools};

/// Reads the latest content of the secret labelled `label`, or `None` if there is none.
///
/// `--refresh` makes this unit track the latest revision, so Juju can let go of older ones.
pub fn read(tools: &HookTools<'_>, label: &str) -> Result<Option<SecretContent>, HookToolError> {
    match tools.secret_get(SecretRef::Label(label), SecretRead::Refresh) {
        Ok(content) => Ok(Some(content)),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Creates an application-owned secret labelled `label` (leader only); returns its URI.
pub fn create(
    tools: &HookTools<'_>,
    label: &str,
    description: &str,
    content: &SecretContent,
) -> Result<String, HookToolError> {
    let opts = SecretAddOptions {
        label: Some(label.to_owned()),
        description: Some(description.to_owned()),
        owner: SecretOwner::Application,
        ..SecretAddOptions::default()
    };
    tools.secret_add(content, &opts)
}

/// Writes a new revision of the secret labelled `label` (leader only).
pub fn update(
    tools: &HookTools<'_>,
    label: &str,
    content: &SecretContent,
) -> Result<(), HookToolError> {
    let info = tools.secret_info_get(SecretRef::Label(label))?;
    tools.secret_set(&canonical_uri(&info.id), Some(content), &SecretSetOptions::default())
}

/// `secret:<id>` for a bare id; URIs are returned as they are (ops' `_canonicalize_id`).
pub fn canonical_uri(id: &str) -> String {
    if id.starts_with("secret:") { id.to_owned() } else { format!("secret:{id}") }
}

/// The bare id at the end of a secret URI (`secret:<id>`, `secret://<model>/<id>` or `<id>`).
pub fn bare_id(uri: &str) -> &str {
    uri.rsplit('/').next().unwrap_or(uri).trim_start_matches("secret:")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_uris() {
        assert_eq!(canonical_uri("cr1bm4s3vnv5q0u0ghcg"), "secret:cr1bm4s3vnv5q0u0ghcg");
        assert_eq!(canonical_uri("secret:abc"), "secret:abc");
        assert_eq!(bare_id("secret:cr1bm4s3vnv5q0u0ghcg"), "cr1bm4s3vnv5q0u0ghcg");
        assert_eq!(bare_id("secret://uuid-1/cr1bm4s3vnv5q0u0ghcg"), "cr1bm4s3vnv5q0u0ghcg");
        assert_eq!(bare_id("cr1bm4s3vnv5q0u0ghcg"), "cr1bm4s3vnv5q0u0ghcg");
    }
}
