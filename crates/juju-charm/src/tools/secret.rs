//! Secrets: `secret-add`, `secret-get`, `secret-set`, `secret-info-get`, `secret-ids`,
//! `secret-remove`, `secret-grant`, `secret-revoke`.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer};
use zeroize::Zeroizing;

use super::secret_files::SecretFiles;
use super::{HookTools, Result, parse_error, parse_json, push_flag};
use crate::environment::RelationId;
use crate::rules::SecretUri;
use crate::secret::SecretString;

/// The content of a Juju secret: key to value. Keys must pass
/// [`is_secret_key`](crate::rules::is_secret_key).
pub type SecretContent = BTreeMap<String, SecretString>;

/// How to name a secret in `secret-get`, `secret-info-get`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretRef<'a> {
    /// By URI.
    Uri(&'a SecretUri),
    /// By label (the owner's label, or the label a consumer gave it).
    Label(&'a str),
}

/// Which revision `secret-get` returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SecretRead {
    /// The revision this unit tracks (no flag).
    #[default]
    Tracked,
    /// The latest revision, without moving tracking (`--peek`).
    Peek,
    /// The latest revision, moving tracking to it (`--refresh`).
    Refresh,
}

/// Who owns a secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SecretOwner {
    /// The application (`--owner application`): only the leader may create or change it.
    #[default]
    Application,
    /// The unit (`--owner unit`).
    Unit,
}

impl SecretOwner {
    /// The word Juju uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Application => "application",
            Self::Unit => "unit",
        }
    }
}

/// How often Juju runs `secret-rotate` for a secret (`--rotate`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SecretRotate {
    /// `never`
    Never,
    /// `hourly`
    Hourly,
    /// `daily`
    Daily,
    /// `weekly`
    Weekly,
    /// `monthly`
    Monthly,
    /// `quarterly`
    Quarterly,
    /// `yearly`
    Yearly,
}

impl SecretRotate {
    /// The word `--rotate` takes.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Never => "never",
            Self::Hourly => "hourly",
            Self::Daily => "daily",
            Self::Weekly => "weekly",
            Self::Monthly => "monthly",
            Self::Quarterly => "quarterly",
            Self::Yearly => "yearly",
        }
    }
}

/// Options of `secret-add`; construct with `..Default::default()` for the ones not given.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SecretAddOptions {
    /// `--label`: the owner's name for it, to find it again.
    pub label: Option<String>,
    /// `--description`
    pub description: Option<String>,
    /// `--owner`
    pub owner: SecretOwner,
    /// `--expire`: an RFC 3339 time or a Go duration (`24h`).
    pub expire: Option<String>,
    /// `--rotate`
    pub rotate: Option<SecretRotate>,
}

/// Metadata changes of `secret-set`; construct with `..Default::default()` for the ones not
/// changed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SecretSetOptions {
    /// `--label`
    pub label: Option<String>,
    /// `--description`
    pub description: Option<String>,
    /// `--expire`
    pub expire: Option<String>,
    /// `--rotate`
    pub rotate: Option<SecretRotate>,
}

/// What `secret-info-get` says about one owned secret.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SecretInfo {
    /// The secret.
    pub uri: SecretUri,
    /// Its latest revision.
    pub revision: u64,
    /// The owner's label, if any.
    pub label: Option<String>,
    /// Who owns it.
    pub owner: SecretOwner,
    /// Its description, if any.
    pub description: Option<String>,
    /// Its rotation policy (`hourly`, ...), if any.
    pub rotation: Option<String>,
    /// When it expires (RFC 3339), if it does.
    pub expiry: Option<String>,
    /// When it is next rotated (RFC 3339), if it is.
    pub rotates: Option<String>,
}

/// Whom `secret-revoke` revokes a grant from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RevokeFrom<'a> {
    /// Every unit of the remote application of a relation (`-r <id>`).
    Relation(&'a RelationId),
    /// An application (`--app <name>`).
    App(&'a str),
    /// One unit (`--unit <name>`).
    Unit(&'a str),
}

impl HookTools<'_> {
    /// `secret-add [opts] key#file=/abs/path ...`: creates a secret; returns its URI.
    ///
    /// An application-owned secret is the leader's alone (Juju refuses it on another unit).
    /// Content Juju would refuse (empty, or a key that fails
    /// [`is_secret_key`](crate::rules::is_secret_key)) is refused before anything is written.
    pub fn secret_add(
        &self,
        content: &SecretContent,
        opts: &SecretAddOptions,
    ) -> Result<SecretUri> {
        let tool = "secret-add";
        let files = SecretFiles::write(tool, content)?;
        let mut args = Vec::new();
        push_flag(&mut args, "--label", opts.label.as_deref());
        push_flag(&mut args, "--description", opts.description.as_deref());
        push_flag(&mut args, "--expire", opts.expire.as_deref());
        push_flag(&mut args, "--rotate", opts.rotate.map(SecretRotate::as_str));
        push_flag(&mut args, "--owner", Some(opts.owner.as_str()));
        args.extend(files.args().iter().map(String::as_str));
        let out = self.run(tool, &args, None);
        // The files are removed here, before the result is looked at.
        drop(files);
        let uri = String::from_utf8(out?).map_err(|_| parse_error(tool, "a secret URI"))?;
        uri.trim().parse().map_err(|_| parse_error(tool, "a secret URI"))
    }

    /// `secret-get --format=json <uri> | --label <label> [--peek|--refresh]`: the content.
    ///
    /// The values are [`SecretString`]s; the output is never quoted in an error.
    pub fn secret_get(&self, secret: SecretRef<'_>, read: SecretRead) -> Result<SecretContent> {
        let tool = "secret-get";
        let uri;
        let mut args = vec!["--format=json"];
        match secret {
            SecretRef::Uri(u) => {
                uri = u.to_string();
                args.push(&uri);
            }
            SecretRef::Label(label) => args.extend(["--label", label]),
        }
        match read {
            SecretRead::Tracked => {}
            SecretRead::Peek => args.push("--peek"),
            SecretRead::Refresh => args.push("--refresh"),
        }
        // The output is secret content: keep it in a buffer zeroized on drop, parse each value
        // straight into a `SecretString`, and never quote the output or serde's message (which
        // can quote a value) in an error.
        let out = Zeroizing::new(self.run(tool, &args, None)?);
        let content: BTreeMap<String, SecretValue> = serde_json::from_slice(&out)
            .map_err(|_| parse_error(tool, "a JSON object of strings"))?;
        Ok(content.into_iter().map(|(k, SecretValue(v))| (k, v)).collect())
    }

    /// `secret-set <uri> [opts] [key#file=/abs/path ...]`: a new revision with `content`, or
    /// (`None`) new metadata only.
    pub fn secret_set(
        &self,
        uri: &SecretUri,
        content: Option<&SecretContent>,
        opts: &SecretSetOptions,
    ) -> Result<()> {
        let tool = "secret-set";
        let files = content.map(|c| SecretFiles::write(tool, c)).transpose()?;
        let uri = uri.to_string();
        let mut args = vec![uri.as_str()];
        push_flag(&mut args, "--label", opts.label.as_deref());
        push_flag(&mut args, "--description", opts.description.as_deref());
        push_flag(&mut args, "--expire", opts.expire.as_deref());
        push_flag(&mut args, "--rotate", opts.rotate.map(SecretRotate::as_str));
        // No `--owner`: Juju knows who owns an existing secret.
        if let Some(files) = &files {
            args.extend(files.args().iter().map(String::as_str));
        }
        let out = self.run(tool, &args, None);
        drop(files);
        out.map(drop)
    }

    /// `secret-info-get --format=json <uri> | --label <label>`: what the owner knows of it.
    pub fn secret_info_get(&self, secret: SecretRef<'_>) -> Result<SecretInfo> {
        let tool = "secret-info-get";
        let what = "a JSON object with one secret";
        let uri;
        let mut args = vec!["--format=json"];
        match secret {
            SecretRef::Uri(u) => {
                uri = u.to_string();
                args.push(&uri);
            }
            SecretRef::Label(label) => args.extend(["--label", label]),
        }
        let out = self.run(tool, &args, None)?;
        let infos: BTreeMap<String, RawSecretInfo> = parse_json(tool, &out, what)?;
        let mut infos = infos.into_iter();
        let (Some((id, raw)), None) = (infos.next(), infos.next()) else {
            return Err(parse_error(tool, what));
        };
        let owner = match raw.owner.as_str() {
            "application" => SecretOwner::Application,
            "unit" => SecretOwner::Unit,
            _ => return Err(parse_error(tool, "an owner of application or unit")),
        };
        let non_empty = |s: Option<String>| s.filter(|s| !s.is_empty());
        Ok(SecretInfo {
            uri: id.parse().map_err(|_| parse_error(tool, "a secret id"))?,
            revision: raw.revision,
            label: non_empty(raw.label),
            owner,
            description: non_empty(raw.description),
            rotation: non_empty(raw.rotation),
            expiry: non_empty(raw.expiry),
            rotates: non_empty(raw.rotates),
        })
    }

    /// `secret-ids --format=json`: the secrets this unit (or, on the leader, its application)
    /// owns.
    pub fn secret_ids(&self) -> Result<Vec<SecretUri>> {
        let tool = "secret-ids";
        let what = "a JSON array of secret ids";
        let out = self.run(tool, &["--format=json"], None)?;
        let ids: Option<Vec<String>> = parse_json(tool, &out, what)?;
        ids.unwrap_or_default()
            .iter()
            .map(|id| id.parse().map_err(|_| parse_error(tool, what)))
            .collect()
    }

    /// `secret-remove <uri> [--revision N]`: one revision, or (`None`) the whole secret.
    pub fn secret_remove(&self, uri: &SecretUri, revision: Option<u64>) -> Result<()> {
        let uri = uri.to_string();
        let revision = revision.map(|r| r.to_string());
        let mut args = vec![uri.as_str()];
        push_flag(&mut args, "--revision", revision.as_deref());
        self.run("secret-remove", &args, None).map(drop)
    }

    /// `secret-grant <uri> -r <relation> [--unit <unit>]`: lets the remote application of
    /// `relation` (or only `unit` of it) read the secret.
    pub fn secret_grant(
        &self,
        uri: &SecretUri,
        relation: &RelationId,
        unit: Option<&str>,
    ) -> Result<()> {
        let (uri, relation) = (uri.to_string(), relation.to_string());
        let mut args = vec![uri.as_str(), "-r", relation.as_str()];
        push_flag(&mut args, "--unit", unit);
        self.run("secret-grant", &args, None).map(drop)
    }

    /// `secret-revoke <uri> (-r <relation> | --app <app> | --unit <unit>)`: takes a grant back.
    pub fn secret_revoke(&self, uri: &SecretUri, from: RevokeFrom<'_>) -> Result<()> {
        let uri = uri.to_string();
        let relation;
        let mut args = vec![uri.as_str()];
        match from {
            RevokeFrom::Relation(id) => {
                relation = id.to_string();
                args.extend(["-r", relation.as_str()]);
            }
            RevokeFrom::App(app) => args.extend(["--app", app]),
            RevokeFrom::Unit(unit) => args.extend(["--unit", unit]),
        }
        self.run("secret-revoke", &args, None).map(drop)
    }
}

/// One `secret-get` value, wrapped as soon as it is parsed.
struct SecretValue(SecretString);

impl<'de> Deserialize<'de> for SecretValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        String::deserialize(deserializer).map(|v| Self(SecretString::new(v)))
    }
}

/// One entry of `secret-info-get --format=json` (unknown fields such as `access` are ignored).
#[derive(Deserialize)]
struct RawSecretInfo {
    revision: u64,
    #[serde(default)]
    label: Option<String>,
    owner: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    rotation: Option<String>,
    #[serde(default)]
    expiry: Option<String>,
    #[serde(default)]
    rotates: Option<String>,
}
