//! The charm's durable material, typed: one part per area, in one application-owned Juju secret.
//!
//! Salts, keys, certificates and generated secrets must survive pod replacement and leader
//! changes, so they live in a Juju secret owned by the application ([`crate::store`]), never in
//! files or unit state. On the wire that secret is a flat map of content keys; in the charm it is
//! a [`Material`], whose fields are the typed parts of each area ([`Keys`]). Each part takes its
//! own content keys out of the map and puts them back; keys no part claims (written by a later
//! revision of the charm, say) are kept in [`Material::other`] and written back unchanged, so a
//! downgrade or an upgrade never loses a value.
//!
//! One secret rather than one per area, because every leader hook reads it and each `secret-get`
//! is a process. The reconcile hands the whole [`Material`] to each area in turn; an area's plan
//! returns its own part as it should be ([`Part`]), which the reconcile puts in place, so later
//! areas see what earlier ones planned (the webhook CA that the `certificates` relation signs
//! with, the verified extra CAs that join every bundle), and an area that fails changes nothing.

use juju_charm::tools::SecretContent;

use crate::areas::{dex, generated, resources, tls_provider, webhooks};
use crate::config_hash;

/// One area's share of the material, read from and written to the secret's content keys.
pub trait Keys: Sized {
    /// Takes this part's keys out of `content` (what is left belongs to other parts).
    fn take(content: &mut SecretContent) -> Self;
    /// Writes this part's keys into `content`.
    fn put(&self, content: &mut SecretContent);
}

/// All the material, by part. `Debug` shows no secret value (every part keeps them in
/// `SecretString`s, whose `Debug` is `[redacted]`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Material {
    /// The salt of the config hash that annotates every Secret.
    pub config_hash: config_hash::Salt,
    /// Resource verification: the outcome and the verified extra CAs.
    pub resources: resources::Stored,
    /// The generated object-storage key and OIDC client secret.
    pub generated: generated::Stored,
    /// The Dex static password's salt, hash and change fingerprint.
    pub dex: dex::Stored,
    /// The webhook CA and leaves.
    pub webhooks: webhooks::Stored,
    /// The `certificates` relation's own issuer.
    pub certificates: tls_provider::Stored,
    /// Content keys no part of this revision claims, kept as they are.
    pub other: SecretContent,
}

impl Material {
    /// The material held in `content`.
    pub fn from_content(content: &SecretContent) -> Self {
        let mut rest = content.clone();
        Self {
            config_hash: Keys::take(&mut rest),
            resources: Keys::take(&mut rest),
            generated: Keys::take(&mut rest),
            dex: Keys::take(&mut rest),
            webhooks: Keys::take(&mut rest),
            certificates: Keys::take(&mut rest),
            other: rest,
        }
    }

    /// The secret content that holds this material.
    pub fn to_content(&self) -> SecretContent {
        let mut out = self.other.clone();
        self.config_hash.put(&mut out);
        self.resources.put(&mut out);
        self.generated.put(&mut out);
        self.dex.put(&mut out);
        self.webhooks.put(&mut out);
        self.certificates.put(&mut out);
        out
    }
}

/// One area's part as its plan would have it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// The resources area's.
    Resources(resources::Stored),
    /// The generated secrets area's.
    Generated(generated::Stored),
    /// The Dex area's.
    Dex(dex::Stored),
    /// The webhook certificates area's.
    Webhooks(webhooks::Stored),
    /// The `certificates` area's.
    Certificates(tls_provider::Stored),
}

impl Material {
    /// Puts `part` in place of the one it replaces.
    pub fn set(&mut self, part: Part) {
        match part {
            Part::Resources(p) => self.resources = p,
            Part::Generated(p) => self.generated = p,
            Part::Dex(p) => self.dex = p,
            Part::Webhooks(p) => self.webhooks = p,
            Part::Certificates(p) => self.certificates = p,
        }
    }
}

/// What the stored secret should become.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// It is right as it is.
    Keep,
    /// It does not exist yet: `secret-add`.
    Create,
    /// It exists with other content: `secret-set`.
    Update,
}

impl Change {
    /// From the `stored` content (if any) to `new`.
    pub fn between(stored: Option<&SecretContent>, new: &SecretContent) -> Self {
        match stored {
            None => Self::Create,
            Some(old) if old == new => Self::Keep,
            Some(_) => Self::Update,
        }
    }
}

/// Takes `key` out of `content`, an empty value counting as absent.
pub fn take_key(content: &mut SecretContent, key: &str) -> Option<juju_charm::SecretString> {
    content.remove(key).filter(|v| !v.is_empty())
}

/// Puts `value` under `key` when there is one.
pub fn put_key(content: &mut SecretContent, key: &str, value: Option<&juju_charm::SecretString>) {
    if let Some(v) = value {
        content.insert(key.to_owned(), v.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use juju_charm::SecretString;

    #[test]
    fn every_key_round_trips_and_unknown_keys_survive() {
        let content: SecretContent = [
            ("config-hash-salt", "SALT"),
            ("secret-key", "KEY"),
            ("oidc-client-secret", "OIDC"),
            ("ca-crt", "CA"),
            ("ca-key", "CAKEY"),
            ("crt-katib-controller", "LEAF"),
            ("key-katib-controller", "LEAFKEY"),
            ("dex-salt", "00"),
            ("dex-hash", "$2b$"),
            ("extra-ca-bundle", "EXTRA"),
            ("resource-problems", "a\nb"),
            ("from-a-later-revision", "kept"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), SecretString::new(v)))
        .collect();
        let m = Material::from_content(&content);
        assert_eq!(m.other.keys().collect::<Vec<_>>(), ["from-a-later-revision"]);
        assert_eq!(m.to_content(), content);
        assert_eq!(Change::between(Some(&content), &m.to_content()), Change::Keep);
        assert_eq!(Change::between(None, &content), Change::Create);
    }
}
