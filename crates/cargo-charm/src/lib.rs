//! Pack a Juju charm written in Rust into a `.charm`, reproducibly and offline.
//!
//! A `.charm` is a zip that Juju unpacks into the charm directory and whose `dispatch` it runs
//! for every event. A Rust charm is one static binary, so its `.charm` holds:
//!
//! | entry | mode | from |
//! | --- | --- | --- |
//! | `dispatch` | 0755 | the charm's binary |
//! | `metadata.yaml` | 0644 | `metadata.yaml`, or the metadata keys of `charmcraft.yaml` |
//! | `config.yaml` | 0644 | `config.yaml`, or the `config` key of `charmcraft.yaml` (optional) |
//! | `actions.yaml` | 0644 | `actions.yaml`, or the `actions` key of `charmcraft.yaml` (optional) |
//! | `manifest.yaml` | 0644 | written here: the base and the architecture |
//!
//! Juju and `charmcraft analyse` read the three split files inside a `.charm`, never a
//! `charmcraft.yaml`, so a unified `charmcraft.yaml` is split as `charmcraft pack` splits it
//! ([`CharmYaml::from_charmcraft_yaml`]). Entries are written in that fixed order, compressed,
//! with the zip format's earliest timestamp: the same binary and YAML always give the same
//! bytes. [`pack`] writes `<name>_<arch>.charm` and, beside it, `<name>_<arch>.charm.sha256`
//! and `.sha512` in the format `sha256sum -c` reads.
//!
//! The `cargo charm pack` command (this crate's binary) builds a package's binary in release
//! mode and calls [`pack`] with the YAML next to the package's `Cargo.toml`.
//!
//! # Building a charm in memory
//!
//! ```
//! use std::io::Read;
//!
//! use cargo_charm::{Base, CharmYaml, charm_zip, manifest_yaml};
//!
//! let yaml = CharmYaml::from_charmcraft_yaml(
//!     "name: hello\n\
//!      summary: Says hello.\n\
//!      description: A charm that says hello.\n\
//!      config:\n  options:\n    greeting: {type: string, default: hello}\n",
//! )?;
//! let manifest = manifest_yaml(&Base::default(), "amd64");
//! let bytes = charm_zip(b"\x7fELF...", &yaml, &manifest)?;
//! assert_eq!(bytes, charm_zip(b"\x7fELF...", &yaml, &manifest)?, "reproducible");
//!
//! let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))?;
//! let names = zip.file_names().collect::<Result<Vec<_>, _>>()?;
//! assert_eq!(names, ["dispatch", "metadata.yaml", "config.yaml", "manifest.yaml"]);
//! assert_eq!(zip.by_name("dispatch")?.unix_mode(), Some(0o100755));
//! let mut config = String::new();
//! zip.by_name("config.yaml")?.read_to_string(&mut config)?;
//! assert!(config.starts_with("options:\n  greeting:\n"), "{config}");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![forbid(unsafe_code)]
#![deny(missing_docs)]

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256, Sha512};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

/// Why packing failed. Every message says what to do about it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A file or directory could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file or directory.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The directory holds neither `metadata.yaml` nor `charmcraft.yaml`.
    #[error("no metadata.yaml or charmcraft.yaml in {}: a charm needs one", dir.display())]
    NoMetadata {
        /// The directory looked in.
        dir: PathBuf,
    },
    /// A YAML file is not what Juju expects.
    #[error("{file}: {why}")]
    Yaml {
        /// The file (`metadata.yaml`, `charmcraft.yaml`, ...).
        file: String,
        /// What is wrong, and what to do.
        why: String,
    },
    /// The same file is given twice: as a file and as a key of `charmcraft.yaml`.
    #[error(
        "both {file} and the `{key}` key of charmcraft.yaml define the charm's {file}: \
         keep only one of them"
    )]
    Conflict {
        /// The split file (`config.yaml`, ...).
        file: String,
        /// The `charmcraft.yaml` key (`config`, ...).
        key: String,
    },
    /// The architecture of the binary is unknown.
    #[error(
        "cannot tell which architecture the dispatch binary is for (not an ELF executable of a \
         machine Juju supports): give the architecture explicitly (`--target <triple>`)"
    )]
    UnknownArch,
    /// The zip could not be built.
    #[error("cannot build the .charm zip: {0}")]
    Zip(#[from] zip::result::ZipError),
}

/// The charm's YAML files, as they go into the `.charm`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CharmYaml {
    /// `metadata.yaml`: the name, summary, description, endpoints, resources, ...
    pub metadata: String,
    /// `config.yaml`, if the charm has options.
    pub config: Option<String>,
    /// `actions.yaml`, if the charm has actions.
    pub actions: Option<String>,
    /// The base from `charmcraft.yaml`'s `base` key, if it has one.
    pub base: Option<Base>,
}

/// The keys of a unified `charmcraft.yaml` that go into `metadata.yaml` (charmcraft's
/// `CharmMetadata` model, `charmcraft/models/metadata.py`); `title` becomes `display-name` and
/// `links` is flattened, as `charmcraft pack` does.
const METADATA_KEYS: &[&str] = &[
    "name",
    "display-name",
    "summary",
    "description",
    "maintainers",
    "assumes",
    "charm-user",
    "containers",
    "devices",
    "docs",
    "extra-bindings",
    "issues",
    "peers",
    "provides",
    "requires",
    "resources",
    "source",
    "storage",
    "subordinate",
    "terms",
    "website",
];

impl CharmYaml {
    /// The YAML of a charm with only `metadata.yaml`.
    pub fn new(metadata: impl Into<String>) -> Self {
        Self { metadata: metadata.into(), config: None, actions: None, base: None }
    }

    /// Reads the charm's YAML from `dir`: `metadata.yaml`, `config.yaml` and `actions.yaml`
    /// as they are, and for each one that is not there, its part of `charmcraft.yaml` (if there
    /// is one). `metadata.yaml` or a `charmcraft.yaml` with the metadata keys is required.
    ///
    /// # Errors
    /// A file that cannot be read or is not valid YAML, no metadata at all, or the same file
    /// given both ways ([`Error::Conflict`]).
    pub fn from_dir(dir: &Path) -> Result<Self, Error> {
        let read = |name: &str| -> Result<Option<String>, Error> {
            let path = dir.join(name);
            match std::fs::read_to_string(&path) {
                Ok(text) => Ok(Some(text)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(source) => Err(Error::Read { path, source }),
            }
        };
        let unified = match read("charmcraft.yaml")? {
            Some(text) => Some(split_charmcraft_yaml(&text)?),
            None => None,
        };
        let metadata = read("metadata.yaml")?;
        if metadata.is_none() && unified.is_none() {
            return Err(Error::NoMetadata { dir: dir.to_owned() });
        }
        let unified = unified.unwrap_or_default();
        let pick = |file: &str, key: &str, own: Option<String>, split: Option<String>| match (
            own, split,
        ) {
            (Some(_), Some(_)) => Err(Error::Conflict { file: file.into(), key: key.into() }),
            (own, split) => Ok(own.or(split)),
        };
        let yaml = Self {
            metadata: pick("metadata.yaml", "name", metadata, unified.metadata)?.ok_or_else(
                || Error::Yaml {
                    file: "charmcraft.yaml".into(),
                    why: format!(
                        "it has no `name`, and there is no metadata.yaml in {}: add the charm's \
                         name, summary and description to one of them",
                        dir.display()
                    ),
                },
            )?,
            config: pick("config.yaml", "config", read("config.yaml")?, unified.config)?,
            actions: pick("actions.yaml", "actions", read("actions.yaml")?, unified.actions)?,
            base: unified.base,
        };
        yaml.check()?;
        Ok(yaml)
    }

    /// Splits a unified `charmcraft.yaml` as `charmcraft pack` does: the metadata keys
    /// (`name`, `summary`, `description`, `provides`, ...) into `metadata.yaml`, the value of
    /// `config` into `config.yaml` and that of `actions` into `actions.yaml` (each only when
    /// present and not empty), with keys sorted. Its `base` (`ubuntu@24.04`) is kept for the
    /// manifest.
    ///
    /// # Errors
    /// Text that is not a YAML mapping, or one without `name`.
    pub fn from_charmcraft_yaml(text: &str) -> Result<Self, Error> {
        let split = split_charmcraft_yaml(text)?;
        let yaml = Self {
            metadata: split.metadata.ok_or_else(|| Error::Yaml {
                file: "charmcraft.yaml".into(),
                why: "it has no `name`: add the charm's name, summary and description".into(),
            })?,
            config: split.config,
            actions: split.actions,
            base: split.base,
        };
        yaml.check()?;
        Ok(yaml)
    }

    /// The charm's name, from `metadata.yaml`.
    ///
    /// # Errors
    /// Metadata that is not a YAML mapping, or whose `name` is missing or not a charm name
    /// (lowercase letters, digits and hyphens, starting with a letter).
    pub fn name(&self) -> Result<String, Error> {
        let md = parse_mapping("metadata.yaml", &self.metadata)?;
        let err = |why: &str| Error::Yaml { file: "metadata.yaml".into(), why: why.into() };
        let name = md
            .get("name")
            .and_then(Value::as_str)
            .ok_or_else(|| err("it has no `name`: add `name: <charm-name>`"))?;
        let valid = name.starts_with(|c: char| c.is_ascii_lowercase())
            && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !valid {
            return Err(err(
                "`name` must be lowercase letters, digits and hyphens, starting with a letter",
            ));
        }
        Ok(name.to_owned())
    }

    /// Checks that every file is a YAML mapping and that the metadata names the charm.
    fn check(&self) -> Result<(), Error> {
        self.name()?;
        if let Some(config) = &self.config {
            parse_mapping("config.yaml", config)?;
        }
        if let Some(actions) = &self.actions {
            parse_mapping("actions.yaml", actions)?;
        }
        Ok(())
    }
}

/// The parts of a `charmcraft.yaml`, each `None` when absent.
#[derive(Default)]
struct Split {
    metadata: Option<String>,
    config: Option<String>,
    actions: Option<String>,
    base: Option<Base>,
}

fn split_charmcraft_yaml(text: &str) -> Result<Split, Error> {
    const FILE: &str = "charmcraft.yaml";
    let mut project = parse_mapping(FILE, text)?;
    let mut metadata = Map::new();
    for key in METADATA_KEYS {
        if let Some(value) = project.get(*key) {
            metadata.insert((*key).to_owned(), value.clone());
        }
    }
    if let Some(title) = project.get("title") {
        metadata.insert("display-name".into(), title.clone());
    }
    if let Some(Value::Object(links)) = project.remove("links") {
        for (key, value) in links {
            match key.as_str() {
                "documentation" => metadata.insert("docs".into(), value),
                "contact" => {
                    let list = if value.is_string() { Value::Array(vec![value]) } else { value };
                    metadata.insert("maintainers".into(), list)
                }
                _ => metadata.insert(key, value),
            };
        }
    }
    let base = match project.get("base") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(
            s.parse::<Base>()
                .map_err(|why| Error::Yaml { file: FILE.into(), why: format!("`base`: {why}") })?,
        ),
        Some(_) => {
            return Err(Error::Yaml {
                file: FILE.into(),
                why: "`base` must be a string such as `ubuntu@24.04`".into(),
            });
        }
    };
    let part = |key: &str| -> Result<Option<String>, Error> {
        match project.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Object(m)) if m.is_empty() => Ok(None),
            Some(value @ Value::Object(_)) => to_yaml(value).map(Some),
            Some(_) => {
                Err(Error::Yaml { file: FILE.into(), why: format!("`{key}` must be a mapping") })
            }
        }
    };
    Ok(Split {
        metadata: if metadata.contains_key("name") {
            Some(to_yaml(&Value::Object(metadata))?)
        } else {
            None
        },
        config: part("config")?,
        actions: part("actions")?,
        base,
    })
}

/// Parses `text` as a YAML mapping.
fn parse_mapping(file: &str, text: &str) -> Result<Map<String, Value>, Error> {
    match serde_saphyr::from_str::<Value>(text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(Error::Yaml { file: file.into(), why: "must be a YAML mapping".into() }),
        Err(e) => Err(Error::Yaml { file: file.into(), why: format!("not valid YAML: {e}") }),
    }
}

/// `value` as YAML, every mapping's keys sorted (as charmcraft writes them), whatever the order
/// of `serde_json`'s maps in this build.
fn to_yaml(value: &Value) -> Result<String, Error> {
    serde_saphyr::to_string(&Sorted(value)).map_err(|e| Error::Yaml {
        file: "charmcraft.yaml".into(),
        why: format!("cannot write it back as YAML: {e}"),
    })
}

/// Serializes a JSON value with the keys of every object in sorted order.
struct Sorted<'a>(&'a Value);

impl Serialize for Sorted<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Value::Object(map) => {
                let mut entries: Vec<(&String, &Value)> = map.iter().collect();
                entries.sort_by_key(|(k, _)| *k);
                let mut out = serializer.serialize_map(Some(entries.len()))?;
                for (k, v) in entries {
                    out.serialize_entry(k, &Sorted(v))?;
                }
                out.end()
            }
            Value::Array(items) => {
                let mut out = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    out.serialize_element(&Sorted(item))?;
                }
                out.end()
            }
            other => other.serialize(serializer),
        }
    }
}

/// The base Juju deploys the charm on: `ubuntu@24.04` by default.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Base {
    /// The OS (`ubuntu`).
    pub name: String,
    /// Its channel (`24.04`).
    pub channel: String,
}

impl Default for Base {
    fn default() -> Self {
        Self { name: "ubuntu".into(), channel: "24.04".into() }
    }
}

impl FromStr for Base {
    type Err = String;

    /// Parses `<name>@<channel>`, as charmcraft.yaml's `base` and `juju deploy --base` write it.
    fn from_str(s: &str) -> Result<Self, String> {
        let ok = |p: &str| {
            !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || "._-/".contains(c))
        };
        match s.split_once('@') {
            Some((name, channel)) if ok(name) && ok(channel) => {
                Ok(Self { name: name.into(), channel: channel.into() })
            }
            _ => Err(format!("'{s}' is not a base: write it as <os>@<channel>, e.g. ubuntu@24.04")),
        }
    }
}

impl fmt::Display for Base {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.name, self.channel)
    }
}

/// The Juju (Debian) name of the architecture this program runs on: `amd64`, `arm64`, ...
pub fn host_arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "powerpc64" => "ppc64el",
        "s390x" => "s390x",
        "riscv64" => "riscv64",
        other => other,
    }
}

/// The Juju name of the architecture of a Rust target triple
/// (`aarch64-unknown-linux-musl` gives `arm64`), or `None` for one Juju does not run on.
pub fn arch_from_target(triple: &str) -> Option<&'static str> {
    let cpu = triple.split('-').next().unwrap_or_default();
    Some(match cpu {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "powerpc64le" => "ppc64el",
        "s390x" => "s390x",
        _ if cpu.starts_with("riscv64") => "riscv64",
        _ => return None,
    })
}

/// The Juju name of the architecture a 64-bit ELF executable is for, from its header, or `None`
/// when `binary` is not one Juju runs.
pub fn arch_of_elf(binary: &[u8]) -> Option<&'static str> {
    let header = binary.get(..20)?;
    if &header[..4] != b"\x7fELF" || header[4] != 2 {
        return None;
    }
    let little = header[5] == 1;
    let machine = if little {
        u16::from_le_bytes([header[18], header[19]])
    } else {
        u16::from_be_bytes([header[18], header[19]])
    };
    match (machine, little) {
        (62, true) => Some("amd64"),
        (183, true) => Some("arm64"),
        (21, true) => Some("ppc64el"),
        (22, false) => Some("s390x"),
        (243, true) => Some("riscv64"),
        _ => None,
    }
}

/// The `manifest.yaml` of a charm for `base` on `arch`, in the shape charmcraft writes (Juju
/// reads its `bases`).
pub fn manifest_yaml(base: &Base, arch: &str) -> String {
    format!(
        "# Written by `cargo charm pack`.\nbases:\n- name: {}\n  channel: \"{}\"\n  architectures:\n  - {arch}\n",
        base.name, base.channel
    )
}

/// The bytes of a `.charm` holding `dispatch` (mode 0755), the YAML files that `yaml` has
/// (0644) and `manifest` as `manifest.yaml`, in that order, compressed, with the earliest zip
/// timestamp: the same inputs give the same bytes.
///
/// # Errors
/// Only if the zip writer fails.
pub fn charm_zip(dispatch: &[u8], yaml: &CharmYaml, manifest: &str) -> Result<Vec<u8>, Error> {
    let mut zip = ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let base = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        // The earliest zip timestamp: reproducible, and no build time leaks into the file.
        .last_modified_time(DateTime::default());
    let entries: [(&str, Option<&[u8]>, u32); 5] = [
        ("dispatch", Some(dispatch), 0o755),
        ("metadata.yaml", Some(yaml.metadata.as_bytes()), 0o644),
        ("config.yaml", yaml.config.as_deref().map(str::as_bytes), 0o644),
        ("actions.yaml", yaml.actions.as_deref().map(str::as_bytes), 0o644),
        ("manifest.yaml", Some(manifest.as_bytes()), 0o644),
    ];
    for (name, data, mode) in entries {
        let Some(data) = data else { continue };
        zip.start_file(name, base.unix_permissions(mode))?;
        zip.write_all(data).map_err(zip::result::ZipError::Io)?;
    }
    Ok(zip.finish()?.into_inner())
}

/// `<name>_<arch>.charm`, the name charmcraft gives a charm built for one architecture.
pub fn charm_file_name(name: &str, arch: &str) -> String {
    format!("{name}_{arch}.charm")
}

/// Writes `bytes` to `<dir>/<file_name>` (creating `dir`), and beside it `<file_name>.sha256`
/// and `<file_name>.sha512` in the format `sha256sum -c` reads (`<hex>  <file_name>`, relative
/// to `dir`). Returns the path of the charm.
///
/// # Errors
/// When a directory or file cannot be written.
pub fn write_charm(dir: &Path, file_name: &str, bytes: &[u8]) -> Result<PathBuf, Error> {
    std::fs::create_dir_all(dir).map_err(|source| Error::Write { path: dir.into(), source })?;
    let path = dir.join(file_name);
    std::fs::write(&path, bytes).map_err(|source| Error::Write { path: path.clone(), source })?;
    for (ext, hex) in [
        ("sha256", hex::encode(Sha256::digest(bytes))),
        ("sha512", hex::encode(Sha512::digest(bytes))),
    ] {
        let sum = dir.join(format!("{file_name}.{ext}"));
        std::fs::write(&sum, format!("{hex}  {file_name}\n"))
            .map_err(|source| Error::Write { path: sum, source })?;
    }
    Ok(path)
}

/// Where and for what [`pack`] packs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackOptions {
    /// The directory to write the `.charm` and its checksums into (`.` by default).
    pub output: PathBuf,
    /// The architecture (`amd64`, ...); by default, read from the binary's ELF header.
    pub arch: Option<String>,
    /// The base for the manifest; by default the YAML's ([`CharmYaml::base`]), else
    /// `ubuntu@24.04`.
    pub base: Option<Base>,
}

impl Default for PackOptions {
    fn default() -> Self {
        Self { output: PathBuf::from("."), arch: None, base: None }
    }
}

/// Packs `dispatch` with `yaml` into `<output>/<name>_<arch>.charm` (the name from the
/// metadata) with its `.sha256` and `.sha512` files; returns the charm's path.
///
/// # Errors
/// Bad metadata, an architecture that cannot be told, or a file that cannot be written.
pub fn pack(dispatch: &[u8], yaml: &CharmYaml, options: &PackOptions) -> Result<PathBuf, Error> {
    let name = yaml.name()?;
    let arch = match &options.arch {
        Some(arch) => arch.clone(),
        None => arch_of_elf(dispatch).ok_or(Error::UnknownArch)?.to_owned(),
    };
    let base = options.base.clone().or_else(|| yaml.base.clone()).unwrap_or_default();
    let bytes = charm_zip(dispatch, yaml, &manifest_yaml(&base, &arch))?;
    write_charm(&options.output, &charm_file_name(&name, &arch), &bytes)
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    const METADATA: &str = "name: demo\nsummary: A demo.\ndescription: A demo charm.\n";

    fn full() -> CharmYaml {
        CharmYaml {
            config: Some("options:\n  port: {type: int, default: 80}\n".into()),
            actions: Some("ping: {description: Pings.}\n".into()),
            ..CharmYaml::new(METADATA)
        }
    }

    fn entries(bytes: &[u8]) -> Vec<(String, Option<u32>, String)> {
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
        (0..zip.len())
            .map(|i| {
                let mut f = zip.by_index(i).expect("entry");
                let mut text = String::new();
                f.read_to_string(&mut text).expect("utf-8");
                (f.name().expect("a name").into_owned(), f.unix_mode().map(|m| m & 0o777), text)
            })
            .collect()
    }

    #[test]
    fn the_zip_holds_the_files_in_order_with_their_modes() {
        let bytes = charm_zip(b"#!dispatch", &full(), "bases: []\n").expect("zip");
        let got = entries(&bytes);
        let names: Vec<&str> = got.iter().map(|(n, _, _)| n.as_str()).collect();
        assert_eq!(
            names,
            ["dispatch", "metadata.yaml", "config.yaml", "actions.yaml", "manifest.yaml"]
        );
        let modes: Vec<Option<u32>> = got.iter().map(|(_, m, _)| *m).collect();
        assert_eq!(modes, [Some(0o755), Some(0o644), Some(0o644), Some(0o644), Some(0o644)]);
        assert_eq!(got[0].2, "#!dispatch");
        assert_eq!(got[1].2, METADATA);
        assert_eq!(got[4].2, "bases: []\n");
        // Optional files left out are not in the zip.
        let bytes = charm_zip(b"x", &CharmYaml::new(METADATA), "m").expect("zip");
        let names: Vec<String> = entries(&bytes).into_iter().map(|(n, _, _)| n).collect();
        assert_eq!(names, ["dispatch", "metadata.yaml", "manifest.yaml"]);
    }

    #[test]
    fn the_zip_is_reproducible_with_a_fixed_timestamp() {
        let a = charm_zip(b"\x7fELF-not-really", &full(), "m").expect("zip");
        let b = charm_zip(b"\x7fELF-not-really", &full(), "m").expect("zip");
        assert_eq!(a, b);
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(a)).expect("zip");
        for i in 0..zip.len() {
            let f = zip.by_index(i).expect("entry");
            assert_eq!(f.last_modified(), Some(DateTime::default()), "{:?}", f.name());
            assert_eq!(f.compression(), CompressionMethod::Deflated);
        }
    }

    #[test]
    fn charmcraft_yaml_is_split_into_the_files_juju_reads() {
        let text = "\
type: charm
name: demo
title: Demo
summary: A demo.
description: |
  A demo charm,
  on two lines.
base: ubuntu@22.04
platforms:
  amd64:
links:
  source: https://example.com/demo
  contact: Someone <someone@example.com>
provides:
  greeting: {interface: greeting}
config:
  options:
    port: {type: int, default: 8080}
actions:
  get-token:
    description: Shows the token.
parts:
  charm: {plugin: nil}
";
        let yaml = CharmYaml::from_charmcraft_yaml(text).expect("split");
        assert_eq!(
            yaml.metadata,
            "\
description: |
  A demo charm,
  on two lines.
display-name: Demo
maintainers:
- Someone <someone@example.com>
name: demo
provides:
  greeting:
    interface: greeting
source: https://example.com/demo
summary: A demo.
"
        );
        assert_eq!(
            yaml.config.as_deref(),
            Some("options:\n  port:\n    default: 8080\n    type: int\n")
        );
        assert_eq!(yaml.actions.as_deref(), Some("get-token:\n  description: Shows the token.\n"));
        assert_eq!(yaml.base, Some("ubuntu@22.04".parse().expect("base")));
        assert_eq!(yaml.name().expect("name"), "demo");

        // Without config or actions, there are no such files.
        let bare = CharmYaml::from_charmcraft_yaml(METADATA).expect("split");
        assert_eq!((bare.config, bare.actions, bare.base), (None, None, None));
        let err = CharmYaml::from_charmcraft_yaml("type: charm\n").expect_err("no name");
        assert!(err.to_string().contains("has no `name`"), "{err}");
    }

    #[test]
    fn a_directory_gives_split_files_first_and_refuses_both_forms() {
        let dir = tempfile::tempdir().expect("tempdir");
        let err = CharmYaml::from_dir(dir.path()).expect_err("empty");
        assert_eq!(
            err.to_string(),
            format!(
                "no metadata.yaml or charmcraft.yaml in {}: a charm needs one",
                dir.path().display()
            )
        );
        let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text);
        write("metadata.yaml", METADATA).expect("write");
        write("charmcraft.yaml", "type: charm\nbase: ubuntu@24.04\n").expect("write");
        write("actions.yaml", "ping: {}\n").expect("write");
        let yaml = CharmYaml::from_dir(dir.path()).expect("read");
        assert_eq!(yaml.metadata, METADATA);
        assert_eq!(yaml.actions.as_deref(), Some("ping: {}\n"));
        assert_eq!((yaml.config, yaml.base), (None, Some(Base::default())));

        write("charmcraft.yaml", "config:\n  options: {a: {type: string}}\n").expect("write");
        write("config.yaml", "options: {}\n").expect("write");
        let err = CharmYaml::from_dir(dir.path()).expect_err("conflict");
        assert!(matches!(err, Error::Conflict { .. }), "{err}");
        write("charmcraft.yaml", "config: [1]\n").expect("write");
        assert!(CharmYaml::from_dir(dir.path()).is_err());
    }

    #[test]
    fn names_and_architectures() {
        let bad = CharmYaml::new("name: Demo_Charm\n");
        assert!(bad.name().expect_err("bad").to_string().contains("lowercase"));
        assert!(CharmYaml::new("- a list\n").name().is_err());
        assert_eq!(arch_from_target("aarch64-unknown-linux-musl"), Some("arm64"));
        assert_eq!(arch_from_target("x86_64-unknown-linux-gnu"), Some("amd64"));
        assert_eq!(arch_from_target("riscv64gc-unknown-linux-gnu"), Some("riscv64"));
        assert_eq!(arch_from_target("wasm32-unknown-unknown"), None);
        let mut elf = vec![0u8; 64];
        elf[..6].copy_from_slice(b"\x7fELF\x02\x01");
        elf[18] = 62;
        assert_eq!(arch_of_elf(&elf), Some("amd64"));
        elf[18] = 183;
        assert_eq!(arch_of_elf(&elf), Some("arm64"));
        assert_eq!(arch_of_elf(b"#!/bin/sh\n"), None);
        let me = std::fs::read(std::env::current_exe().expect("exe")).expect("read");
        if cfg!(target_os = "linux") {
            assert_eq!(arch_of_elf(&me), Some(host_arch()));
        }
        assert_eq!("ubuntu@22.04".parse::<Base>().expect("base").to_string(), "ubuntu@22.04");
        assert!("ubuntu".parse::<Base>().is_err());
    }

    #[test]
    fn pack_writes_the_charm_and_checksums_beside_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let options = PackOptions {
            output: dir.path().join("out"),
            arch: Some("arm64".into()),
            ..PackOptions::default()
        };
        let path = pack(b"binary", &full(), &options).expect("pack");
        assert_eq!(path, dir.path().join("out/demo_arm64.charm"));
        let bytes = std::fs::read(&path).expect("read");
        let manifest = &entries(&bytes)[4].2;
        assert_eq!(manifest, &manifest_yaml(&Base::default(), "arm64"));
        assert!(manifest.contains("channel: \"24.04\"\n  architectures:\n  - arm64\n"));
        let sum = std::fs::read_to_string(dir.path().join("out/demo_arm64.charm.sha256"))
            .expect("sha256");
        assert_eq!(sum, format!("{}  demo_arm64.charm\n", hex::encode(Sha256::digest(&bytes))));
        let sum = std::fs::read_to_string(dir.path().join("out/demo_arm64.charm.sha512"))
            .expect("sha512");
        assert!(sum.ends_with("  demo_arm64.charm\n") && sum.len() == 128 + 2 + 17);
        // Without an architecture, the binary must say.
        let err = pack(b"binary", &full(), &PackOptions::default()).expect_err("unknown arch");
        assert!(matches!(err, Error::UnknownArch));
    }
}
