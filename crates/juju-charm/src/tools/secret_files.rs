//! Secret content as `key#file=/abs/path` parameters, never as argv values.
//!
//! `secret-add` and `secret-set` read content from files named on their command line; the unit
//! agent opens them, so the paths must be absolute and the files must exist while the tool runs
//! (juju/juju `core/secrets/createsecret.go` reads them in the tool's `Init`). [`SecretFiles`] writes each value to its own 0600 file in a fresh 0700
//! directory under the system temporary directory, and removes the directory when dropped, which
//! the callers do before returning, on success and on failure alike.

use std::fs::{OpenOptions, Permissions};
use std::io::{self, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};

use tempfile::TempDir;

use super::{Result, SecretContent};
use crate::error::HookToolError;

/// Temporary files holding one secret's content, removed on drop.
pub(super) struct SecretFiles {
    /// Removed (with the files in it) when this is dropped.
    _dir: TempDir,
    /// One `key#file=/abs/path` per key, in key order.
    args: Vec<String>,
}

impl SecretFiles {
    /// Checks `content` and writes it out for `tool`.
    ///
    /// Fails with [`HookToolError::Invalid`] (before writing anything) for empty content or a key
    /// Juju would refuse, and with [`HookToolError::Spawn`] if the files cannot be written (the
    /// tool cannot be run without them).
    pub(super) fn write(tool: &str, content: &SecretContent) -> Result<Self> {
        check_content(tool, content)?;
        Self::write_files(content)
            .map_err(|source| HookToolError::Spawn { tool: tool.to_owned(), source })
    }

    fn write_files(content: &SecretContent) -> io::Result<Self> {
        // `temp_dir` comes from TMPDIR and may be relative; the agent needs absolute paths.
        let base = std::path::absolute(std::env::temp_dir())?;
        let dir = tempfile::Builder::new()
            .prefix("juju-secret-")
            .permissions(Permissions::from_mode(0o700))
            .tempdir_in(base)?;
        let mut args = Vec::with_capacity(content.len());
        for (key, value) in content {
            // The key was checked by `check_content`: lowercase letters, digits and inner
            // hyphens only, so it is a safe file name.
            let path = dir.path().join(key);
            let mut file =
                OpenOptions::new().write(true).create_new(true).mode(0o600).open(&path)?;
            // Exposed to a 0600 file in a private directory so it never reaches argv; the
            // directory is removed when `self` drops.
            file.write_all(value.expose().as_bytes())?;
            file.flush()?;
            let path = path.to_str().ok_or_else(|| {
                io::Error::new(io::ErrorKind::InvalidInput, "temporary directory is not UTF-8")
            })?;
            args.push(format!("{key}#file={path}"));
        }
        Ok(Self { _dir: dir, args })
    }

    /// The `key#file=/abs/path` parameters.
    pub(super) fn args(&self) -> &[String] {
        &self.args
    }
}

/// Juju refuses empty content (`missing secret value`) and keys not matching
/// `^[a-z](?:-?[a-z0-9]){2,}$`; checking here gives a clear error before anything is written.
fn check_content(tool: &str, content: &SecretContent) -> Result<()> {
    let invalid = |why: String| HookToolError::Invalid { tool: tool.to_owned(), why };
    if content.is_empty() {
        return Err(invalid("secret content is empty".to_owned()));
    }
    if let Some(key) = content.keys().find(|k| !crate::rules::is_secret_key(k)) {
        // Keys are names chosen by the charm, not secret values.
        return Err(invalid(format!(
            "secret key {key:?} must be 3 or more lowercase letters, digits or inner single \
             hyphens, starting with a letter"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_private_and_removed() {
        let content: SecretContent = [("ca-key".to_owned(), "s3cret".into())].into_iter().collect();
        let files = SecretFiles::write("secret-add", &content).expect("written");
        let arg = &files.args()[0];
        let path = arg.strip_prefix("ca-key#file=").expect("key#file= form");
        let path = std::path::Path::new(path);
        assert!(path.is_absolute());
        let dir = path.parent().expect("has a directory").to_owned();
        assert_eq!(std::fs::read_to_string(path).expect("readable"), "s3cret");
        let mode = |p: &std::path::Path| {
            std::fs::metadata(p).expect("exists").permissions().mode() & 0o777
        };
        assert_eq!(mode(path), 0o600);
        assert_eq!(mode(&dir), 0o700);
        drop(files);
        assert!(!dir.exists());
    }

    #[test]
    fn refuses_empty_content_and_bad_keys() {
        let empty = SecretContent::new();
        assert!(matches!(
            SecretFiles::write("secret-add", &empty),
            Err(HookToolError::Invalid { .. })
        ));
        let bad: SecretContent = [("ab".to_owned(), "hunter22".into())].into_iter().collect();
        let err = SecretFiles::write("secret-set", &bad).err().expect("refused");
        assert!(matches!(&err, HookToolError::Invalid { tool, .. } if tool == "secret-set"));
        assert!(err.to_string().contains("\"ab\""));
        assert!(!err.to_string().contains("hunter22"));
    }
}
