//! Juju secrets as the simulator stores them: owner, labels, every revision, per-consumer
//! tracking and grants.
//!
//! Ids are bare xids (20 characters of `[0-9a-v]`); URIs (`secret:<xid>`,
//! `secret://<model-uuid>/<xid>`) are accepted wherever Juju accepts them and normalised here.
//!
//! # User secrets (Juju 3.6)
//!
//! A user secret is owned by the model ([`Owner::Model`]): the operator makes it with
//! `juju add-secret <name> key=value…` (`State::add_user_secret`), makes new revisions with
//! `juju update-secret` (`State::update_user_secret`), and lets an application read it with
//! `juju grant-secret <uri> <app>` / `juju revoke-secret` (`State::grant_secret`,
//! `State::revoke_secret`). The charm gets its URI from a config option of type `secret`.
//!
//! What was copied from juju/juju, and where to check it. The files are the 3.x (Mongo state,
//! `juju/charm/v12`, `juju/names/v5`) versions held by the public code index; the paths are
//! juju/juju's unless another repository is named.
//!
//! - **add-secret**: `apiserver/facades/client/secrets/secrets.go` `createSecret`. The owner
//!   is the model tag, the URI is a fresh `coresecrets.NewURI()` printed as `secret:<xid>`
//!   (`URI.String()`, `core/secrets/secret.go`), the name is the secret's label (owner side
//!   only), empty content is `empty secret value not valid`, a taken name
//!   `secret with label "<name>" already exists`; keys and sizes are checked as for charm
//!   secrets (`core/secrets` `CreateSecretData`, `key "X" not valid`, the size limits of the
//!   model's Juju version: see `tools::secret_content`).
//! - **update-secret**: same file, `updateSecret`, and `state/secrets.go` `UpdateSecret` /
//!   `updateSecretMetadataDoc`: any content is a new revision (`LatestRevision++`, no checksum
//!   comparison on this path in 3.6), and every consumer record's latest revision is bumped
//!   (`secretUpdateConsumersOps`).
//! - **grant-secret / revoke-secret**: same file, `secretsGrantRevoke`: role `view` for the
//!   application tag with model scope. Every unit of a granted application can read
//!   (`apiserver/common/secrets/access.go` `CanRead`: the unit's own access, else its
//!   application's).
//! - **secret-get from a unit** (`internal/worker/uniter/runner/jujuc/secret-get.go`, then
//!   `apiserver/facades/agent/secretsmanager/secrets.go` `getSecretContent`): a URI that does
//!   not exist fails in `state/secrets.go` `GetSecret` with `secret "<uri>" not found`, the URI
//!   printed back by `URI.String()`; one the unit may not read fails `CanRead` with
//!   `apiservererrors.ErrPerm`, whose message `permission denied` survives
//!   `apiservererrors.RestoreError` on the agent side (`api/agent/secretsmanager`
//!   `processSecretContentResults`). Both are `Run` errors, so the tool prints
//!   `ERROR <message>` and exits 1 (juju/cmd). juju/juju's own 3.x integration test
//!   (`tests/suites/secrets_k8s/k8s.sh`, `run_user_secrets`) expects `permission denied` from
//!   `secret-get` before `juju grant-secret`. (Juju 4's domain services say
//!   `"<unit>" is not allowed to read this secret` instead; not modelled.)
//! - **Tracking**: `getConsumedRevision` in the same facade. A unit's first read creates its
//!   consumer record at the latest revision, even with `--peek`; later reads return the
//!   record's current revision; `--peek` returns the latest without moving it; `--refresh`
//!   moves it to the latest. `secret-get <uri> --label L` saves `L` as the consumer label.
//! - **The charm cannot manage a user secret**: `internal/worker/uniter/runner/context/context.go`
//!   (3.6). `UpdateSecret`, `RemoveSecret` and `RevokeSecret` buffer the change without asking
//!   when the secret is not among the unit's own (`secretMetadata`), so `secret-set`,
//!   `secret-remove` and `secret-revoke` exit 0. At the end of the hook `doFlush` sends them
//!   with `CommitHookChanges`; the SecretsManager facade's `updateSecret` / `RemoveSecrets` /
//!   revoke check `CanManage`, which fails with `permission denied`, annotated by
//!   `apiserver/facades/agent/uniter/uniter.go` `commitHookChangesForOneUnit` as
//!   `updating secrets: …`, `removing secrets: …`, `revoking secrets access: …`. The flush
//!   error fails the hook (`Flush`), or the action with `committing requested changes failed`
//!   (`finalizeAction`). `GrantSecret` looks the secret up among the unit's own and fails at
//!   once with `secret "<xid>" not found`; `secret-info-get` likewise
//!   (`jujuc/secret-info-get.go`, the bare xid), and `secret-ids` lists only owned secrets.
//! - **secret-changed**: `state/secrets.go` `consumedSecretsWatcher` reports a consumer record
//!   whose latest revision is 2 or more and differs from what it last saw;
//!   `internal/worker/uniter/remotestate/watcher.go` `secretsChanged` fetches the latest
//!   revision and label (`GetConsumerSecretsRevisionInfo`, which checks `CanRead`);
//!   `internal/worker/uniter/secrets/resolver.go` runs `secret-changed` when that revision
//!   differs from the unit's last seen one, and `secrets/state.go` `UpdateStateForHook`
//!   records it when the hook succeeds. Hence `State::pending_secret_changed`, and
//!   [`Secret::seen`]. A consequence copied as is: a unit whose *first* read finds revision 2
//!   or later gets one `secret-changed` afterwards. The hook's `JUJU_SECRET_ID` is
//!   `secret:<xid>`; `JUJU_SECRET_LABEL` is the consumer label, else empty (the owner-label
//!   fallback in `getSecretConsumerInfo` and `runner/context/contextfactory.go` applies only
//!   to the application's own secrets); `JUJU_SECRET_REVISION` is not set (only remove/expired
//!   carry it).
//! - **Config option of type `secret`**: juju/charm `config.go` `secretC.Coerce` (the same
//!   code is juju/juju `internal/charm/config.go` in 4.x): a string that is empty or whose URL
//!   scheme is `secret`; nothing checks that the secret exists or is granted, and config-get
//!   returns the string as set.
//!
//! Not modelled: content size limits and `--info`/`--auto-prune` on user secrets; Juju applies
//! the secret parts of a commit before the rest and not in one transaction, while a refused
//! commit here keeps nothing; a same-hook `secret-get --peek` of a refused pending update; on a
//! Kubernetes model the refused content may fail earlier in the secret backend, with another
//! message; consumer labels are kept per application, not per unit.

use std::collections::{BTreeMap, BTreeSet};

use juju_charm::rules::{SecretLimits, SecretUri, is_secret_key};
use serde::{Deserialize, Serialize};

/// Who owns a secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
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
    /// The model: a user secret made by the operator (`juju add-secret`). The application reads
    /// it only while it is granted ([`Secret::app_grants`]), and can never manage it.
    Model,
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
    /// User secrets: the name given to `juju add-secret` (the owner-side label, which consumers
    /// never see).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// User secrets: applications granted `view` with model scope (`juju grant-secret`).
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub app_grants: BTreeSet<String>,
    /// Consumer unit name → revision of the last `secret-changed` it ran (the unit agent's
    /// "last seen revision", which decides whether `secret-changed` is due).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub seen: BTreeMap<String, u64>,
}

impl Secret {
    /// A new secret `id` of `owner` whose revision 1 holds `content`: no label, metadata, grants
    /// or consumers yet.
    pub(crate) fn first(id: String, owner: Owner, content: BTreeMap<String, String>) -> Self {
        Self {
            id,
            owner,
            label: None,
            description: None,
            expire: None,
            rotate: None,
            revisions: vec![Revision { revision: 1, content }],
            tracked: BTreeMap::new(),
            grants: BTreeMap::new(),
            name: None,
            app_grants: BTreeSet::new(),
            seen: BTreeMap::new(),
        }
    }

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

/// Extracts the xid from `secret:<xid>`, `secret://<model-uuid>/<xid>` or a bare xid.
pub(crate) fn parse_secret_id(s: &str) -> Option<String> {
    s.parse::<SecretUri>().ok().map(|uri| uri.id().to_owned())
}

/// A secret id as Juju prints it back (`URI.String()` of the parsed id, juju/juju
/// core/secrets/secret.go): `secret:<xid>` for a bare xid or `secret:<xid>`, and
/// `secret://<model-uuid>/<xid>` when the id names its model.
pub(crate) fn canonical_uri(s: &str) -> Option<String> {
    s.parse::<SecretUri>().ok().map(|uri| uri.to_string())
}

/// FNV-1a, for deterministic ids derived from names.
pub(crate) fn fnv1a(data: &[u8]) -> u64 {
    data.iter()
        .fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3))
}

/// Juju's checks of one set of content (`encodeBase64`): each key's syntax and each value's size,
/// in the version's order, then the set's total. `given` maps each key as written (`#base64`
/// included) to its value as given (the base64 text for `#base64`). The error is Juju's message.
pub(crate) fn check_given(
    limits: SecretLimits,
    given: &BTreeMap<String, String>,
) -> Result<(), String> {
    let mut total = 0;
    for (written, value) in given {
        let (key, base64) = match written.strip_suffix("#base64") {
            Some(key) => (key, true),
            None => (written.as_str(), false),
        };
        let bad_key = || format!("key {key:?} not valid");
        if limits.base64 {
            if !is_secret_key(key) {
                return Err(bad_key());
            }
            let size = if base64 { value.len() } else { value.len().div_ceil(3) * 4 };
            if size > limits.per_value {
                return Err(format!(
                    "base64 encoded secret content for key {key:?} too large: {size} bytes"
                ));
            }
            total += size;
        } else {
            let size = value.len();
            if size > limits.per_value {
                return Err(format!("secret content for key {written:?} too large: {size} bytes"));
            }
            total += size;
            if !is_secret_key(key) {
                return Err(bad_key());
            }
        }
    }
    if total > limits.total {
        let what = if limits.base64 { "base64 encoded secret content" } else { "secret content" };
        return Err(format!("{what} too large: {total} bytes"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xids_are_twenty_base32hex_chars_and_distinct() {
        let a = make_xid("uuid", 1);
        let b = make_xid("uuid", 2);
        assert!(a.len() == 20 && parse_secret_id(&a).as_deref() == Some(a.as_str()), "{a}");
        assert_ne!(a, b);
    }

    #[test]
    fn secret_ids_are_accepted_in_all_three_forms() {
        let x = make_xid("u", 7);
        assert_eq!(parse_secret_id(&x).as_deref(), Some(x.as_str()));
        assert_eq!(parse_secret_id(&format!("secret:{x}")).as_deref(), Some(x.as_str()));
        assert_eq!(
            parse_secret_id(&format!("secret://8f4e7b2a-0000-4000-8000-000000000000/{x}"))
                .as_deref(),
            Some(x.as_str())
        );
        assert_eq!(parse_secret_id("secret:nope"), None);
    }

    #[test]
    fn secret_ids_print_back_as_juju_prints_a_parsed_uri() {
        let x = make_xid("u", 7);
        assert_eq!(canonical_uri(&x), Some(format!("secret:{x}")));
        assert_eq!(canonical_uri(&format!("secret:{x}")), Some(format!("secret:{x}")));
        let full = format!("secret://8f4e7b2a-0000-4000-8000-000000000000/{x}");
        assert_eq!(canonical_uri(&full).as_deref(), Some(full.as_str()));
        assert_eq!(canonical_uri("nope"), None);
    }
}
