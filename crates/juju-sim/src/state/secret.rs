//! Juju secrets as the simulator stores them: owner, labels, every revision, per-consumer
//! tracking and grants.
//!
//! Ids are bare xids (20 characters of `[0-9a-v]`); URIs (`secret:<xid>`,
//! `secret://<model-uuid>/<xid>`) are accepted wherever Juju accepts them and normalised here.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Who owns a secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Owner {
    /// The simulated application (`--owner application`, the default).
    App,
    /// One unit of the simulated application (`--owner unit`).
    Unit(u32),
    /// Another application that granted this one access.
    Remote {
        /// The owning application.
        app: String,
    },
}

/// One revision of a secret's content.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revision {
    /// Revision number, from 1.
    pub revision: u64,
    /// Decoded content (key → plain value).
    pub content: BTreeMap<String, String>,
}

/// One secret visible to the simulated application.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Secret {
    /// Bare xid.
    pub id: String,
    /// Owner.
    pub owner: Owner,
    /// Owner-side label (for a remote secret: this application's consumer label).
    pub label: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Expiry as given to `--expire`.
    pub expire: Option<String>,
    /// Rotation policy.
    pub rotate: Option<String>,
    /// Revisions, oldest first.
    pub revisions: Vec<Revision>,
    /// Consumer unit name → revision it tracks.
    pub tracked: BTreeMap<String, u64>,
    /// Relation id → application or unit names granted `view`.
    pub grants: BTreeMap<u64, Vec<String>>,
}

impl Secret {
    /// The latest revision, if any.
    pub fn latest(&self) -> Option<&Revision> {
        self.revisions.last()
    }

    /// The revision numbered `n`.
    pub fn revision(&self, n: u64) -> Option<&Revision> {
        self.revisions.iter().find(|r| r.revision == n)
    }

    /// `secret:<xid>`.
    pub fn uri(&self) -> String {
        format!("secret:{}", self.id)
    }
}

const XID_ALPHABET: &[u8; 32] = b"0123456789abcdefghijklmnopqrstuv";

/// A deterministic xid: 12 bytes (a fixed time, a per-model machine id, a counter) in base32hex.
pub(crate) fn make_xid(model_uuid: &str, counter: u64) -> String {
    let seed = fnv1a(model_uuid.as_bytes());
    let mut bytes = [0u8; 12];
    bytes[..4].copy_from_slice(&0x6650_a1c0u32.to_be_bytes());
    bytes[4..9].copy_from_slice(&seed.to_be_bytes()[..5]);
    bytes[9..].copy_from_slice(&counter.to_be_bytes()[5..]);
    let mut acc: u128 = u128::from_be_bytes({
        let mut b = [0u8; 16];
        b[4..].copy_from_slice(&bytes);
        b
    });
    acc <<= 4; // 96 bits + 4 padding bits = 20 five-bit digits
    (0..20).rev().map(|i| char::from(XID_ALPHABET[((acc >> (i * 5)) & 31) as usize])).collect()
}

/// Whether `s` is a bare xid.
pub(crate) fn is_xid(s: &str) -> bool {
    s.len() == 20 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'v').contains(&b))
}

/// Extracts the xid from `secret:<xid>`, `secret://<uuid>/<xid>` or a bare xid.
pub(crate) fn parse_secret_id(s: &str) -> Option<String> {
    let tail = if let Some(rest) = s.strip_prefix("secret://") {
        rest.rsplit_once('/')?.1
    } else {
        s.strip_prefix("secret:").unwrap_or(s)
    };
    is_xid(tail).then(|| tail.to_owned())
}

/// FNV-1a, for deterministic ids derived from names.
pub(crate) fn fnv1a(data: &[u8]) -> u64 {
    data.iter()
        .fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xids_are_twenty_base32hex_chars_and_distinct() {
        let a = make_xid("uuid", 1);
        let b = make_xid("uuid", 2);
        assert!(is_xid(&a), "{a}");
        assert_ne!(a, b);
    }

    #[test]
    fn secret_ids_are_accepted_in_all_three_forms() {
        let x = make_xid("u", 7);
        assert_eq!(parse_secret_id(&x).as_deref(), Some(x.as_str()));
        assert_eq!(parse_secret_id(&format!("secret:{x}")).as_deref(), Some(x.as_str()));
        assert_eq!(parse_secret_id(&format!("secret://abc-def/{x}")).as_deref(), Some(x.as_str()));
        assert_eq!(parse_secret_id("secret:nope"), None);
    }
}
