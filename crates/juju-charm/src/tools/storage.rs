//! Storage: `storage-get`, `storage-list`, `storage-add`.

use std::ffi::OsString;
use std::path::PathBuf;

use serde::Deserialize;

use super::{HookTools, Result, parse_json};
use crate::error::HookToolError;

/// What kind of store a storage instance is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StorageKind {
    /// `block`: a block device; [`StorageInfo::location`] is its device path.
    Block,
    /// `filesystem`: a mounted filesystem; [`StorageInfo::location`] is its mount point.
    Filesystem,
    /// `unknown`, or a kind this crate does not know yet.
    Unknown,
}

/// What `storage-get --format=json` says about a storage instance.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StorageInfo {
    /// Block device or filesystem.
    pub kind: StorageKind,
    /// The device path or mount point (`/dev/sda`, `/srv/data`).
    pub location: PathBuf,
}

impl HookTools<'_> {
    /// `storage-get --format=json [-s <id>]`: the kind and location of storage instance `id`
    /// (`data/0`, as [`HookTools::storage_list`] names it), or with `None` of the one the
    /// current `<name>-storage-attached` or `-detaching` hook is about; outside those hooks Juju
    /// fails without an id (`no storage instance specified`).
    pub fn storage_get(&self, id: Option<&str>) -> Result<StorageInfo> {
        #[derive(Deserialize)]
        struct Raw {
            kind: String,
            location: String,
        }
        let tool = "storage-get";
        let mut args = vec!["--format=json"];
        if let Some(id) = id {
            args.extend(["-s", id]);
        }
        let out = self.run(tool, &args, None)?;
        let raw: Raw = parse_json(tool, &out, "a JSON object with kind and location")?;
        let kind = match raw.kind.as_str() {
            "block" => StorageKind::Block,
            "filesystem" => StorageKind::Filesystem,
            _ => StorageKind::Unknown,
        };
        Ok(StorageInfo { kind, location: PathBuf::from(OsString::from(raw.location)) })
    }

    /// `storage-list --format=json [<name>]`: the ids (`data/0`) of the storage instances
    /// attached to this unit, all of them or only those of storage `name` of the charm's
    /// metadata.
    pub fn storage_list(&self, name: Option<&str>) -> Result<Vec<String>> {
        let tool = "storage-list";
        let mut args = vec!["--format=json"];
        args.extend(name);
        let out = self.run(tool, &args, None)?;
        let ids: Option<Vec<String>> = parse_json(tool, &out, "a JSON array of storage ids")?;
        Ok(ids.unwrap_or_default())
    }

    /// `storage-add <name>=<count>`: asks Juju for `count` more instances of storage `name` of
    /// the charm's metadata, added when the hook succeeds. Juju takes only a count here (no pool
    /// or size: those come from the deployment's storage directives). A count of 0, or a name
    /// that is empty or holds `=`, `,` or a space, is refused before the tool runs.
    pub fn storage_add(&self, name: &str, count: u32) -> Result<()> {
        let tool = "storage-add";
        let invalid = |why: String| HookToolError::Invalid { tool: tool.to_owned(), why };
        if count == 0 {
            return Err(invalid("the count must be at least 1".to_owned()));
        }
        if name.is_empty() || name.contains(['=', ',']) || name.contains(char::is_whitespace) {
            return Err(invalid(format!("{name:?} is not a storage name")));
        }
        self.run(tool, &[&format!("{name}={count}")], None).map(drop)
    }
}
