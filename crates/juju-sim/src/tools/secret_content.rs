//! Secret content as `secret-add` and `secret-set` take it — `key=value`, `key#base64=<base64>`
//! and `key#file=/abs/path` arguments, and a `--file` YAML or JSON map — with the key syntax and
//! the size limits of the Juju version the model runs.
//!
//! # What Juju does, and where to check it
//!
//! Both hook tools parse their content in `Init` (juju/juju
//! `worker/uniter/runner/jujuc/secret-add.go` and `secret-set.go`, `secretUpsertCommand.Init`,
//! which calls `cmd/juju/secrets/common.go` `SecretUpsertContentCommand.Init`), which calls
//! `core/secrets/createsecret.go`: `CreateSecretData` for the positional arguments, then
//! `ReadSecretData` for `--file`, each ending in `encodeBase64`. An error there is an `Init`
//! error, so juju/cmd `Main` prints `ERROR <message>` and the tool exits **2** at the call;
//! nothing is buffered and the rest of the hook runs on (the charm decides whether the hook
//! fails). Nothing checks the size again when the hook's changes are committed (the secrets
//! manager facade and the state layer have no limit), so there is no commit-time failure.
//!
//! The arguments are one set and the `--file` map another: each set is checked on its own
//! (its own total), then the file's keys override the arguments'. Within a set the keys are a Go
//! map, so a repeated key keeps its last value and counts once; Go visits the map in random order,
//! so when several entries are wrong Juju reports any one of them. The simulator visits keys
//! sorted, as written (with `#base64`).
//!
//! `key#file=<path>` is refused before it is read when the file is larger than the per-value
//! limit, `--file <path>` when it is larger than the total limit: `secret content in file
//! "<path>" too large: N bytes` (N = the file's size).
//!
//! Three regimes, by Juju version ([`limits`]):
//!
//! | Juju | per value | total | measured on | messages |
//! | --- | --- | --- | --- | --- |
//! | < 3.3.2, 3.4.0 | 5 KiB (5120) | 64 KiB (65536) | the value as given | `secret content for key "k" too large: N bytes`, `secret content too large: N bytes` |
//! | 3.3.2 – 3.3.x, 3.4.1 – 3.6.8 | 8 KiB (8192) | 64 KiB (65536) | the value as given | same |
//! | ≥ 3.6.9 (and 4.x) | 1 MB (1000000) | 1 MB (1000000) | the base64 encoding | `base64 encoded secret content for key "k" too large: N bytes`, `base64 encoded secret content too large: N bytes` |
//!
//! - **"As given"** (before 3.6.9): the value's bytes for `key=value` and `#file` (the file's
//!   content), the base64 text itself for `key#base64=…`; the key in the message is the key as
//!   written, `#base64` included (`#file` is already stripped). The size is checked before the
//!   key's syntax. The key is never counted.
//! - **Encoded** (3.6.9 on): `4·⌈n/3⌉` for a value of n bytes, the text's length for `#base64`
//!   (not encoded again); the key in the message has no suffix, and its syntax is checked first.
//!
//! Sources:
//! - The limits came with `secret-add key#file=` (juju/juju PR #14868, commit 4690da3948 "Move
//!   secret file processing to core and add size checks", Nov 2022, 3.0 branch at 3.0.1): 5 KiB
//!   per value, 64 KiB total. Every Juju with usable secrets (3.0.2+) has them.
//! - PR #16943 "Increase the allowed size of a single secret attribute" (commit 9608dc85ad,
//!   merged 2024-02-19 into the 3.3 branch at 3.3.2): 8 KiB per value. 3.3.2 was burnt, so
//!   3.3.3 is the first 3.3 release with it; it reached the 3.4 branch on 2024-03-01 at 3.4.1
//!   (3.4.0 of 15 Feb 2024 still has 5 KiB), 3.5 and 3.6 from the start. The 3.1 and 3.2
//!   branches never got it.
//! - PR #20287 "feat(secrets): increase the allowed size for secret content to 1MiB" (commit
//!   3f70517055, merged 2025-07-29 into the 3.6 branch at 3.6.9): 1 MiB, measured on the base64
//!   encoding, new messages. PR #20314 "chore: reduce max secret size to 1MB not 1MiB" (commit
//!   5232cb89a5, merged 2025-07-30, same branch and version; Vault refused 1 MiB):
//!   `maxValueSizeBytes = maxContentSizeBytes = 1000 * 1000`. Both are in 3.6.9 (the branch was
//!   incremented to 3.6.10 on 2025-08-12; the 3.6.9 release notes, 20 Aug 2025, list "Increased
//!   secret content size"), so no release has 1 MiB. 4.x (`main`) has the same code.
//!
//! The same checks apply to the operator's `juju add-secret` and `juju update-secret`, which go
//! through the same `SecretUpsertContentCommand` ([`check_given`] is used by
//! `State::add_user_secret` and `State::update_user_secret`).

use std::collections::BTreeMap;
use std::io::Read;

use juju_charm::rules::SecretLimits;

use super::common::{parse_string_map, read_file_arg};
use super::fail::Fail;
use crate::format::base64_decode;
use crate::session::Session;
use crate::state::check_given;

/// The content of a secret-add or secret-set call, from its positional `key…=value` arguments
/// and its `--file`, checked as the model's Juju version checks it. Every failure is a usage
/// error (exit 2), as Juju's `Init` errors are.
pub(crate) fn parse_content(
    sess: &Session,
    file: Option<&str>,
    pos: &[String],
    stdin: &mut dyn Read,
) -> Result<BTreeMap<String, String>, Fail> {
    let limits = SecretLimits::for_version(&sess.view().model.version());
    let mut content = from_args(limits, pos)?;
    if let Some(path) = file {
        content.extend(from_file(sess, limits, path, stdin)?);
    }
    Ok(content)
}

/// `CreateSecretData`: the positional arguments.
fn from_args(limits: SecretLimits, pos: &[String]) -> Result<BTreeMap<String, String>, Fail> {
    let mut given = BTreeMap::new();
    for arg in pos {
        // Juju looks for the `=` after trimming base64 padding, so `k=` and `=v` are not valid.
        let idx = arg
            .trim_end_matches('=')
            .find('=')
            .filter(|i| *i >= 1)
            .ok_or_else(|| Fail::Usage(format!("key value {arg:?} not valid")))?;
        let (k, v) = (&arg[..idx], &arg[idx + 1..]);
        let value = match k.strip_suffix("#file") {
            Some(key) => {
                let value = read_value_file(limits, key, v)?;
                given.insert(key.to_owned(), value);
                continue;
            }
            None => v.to_owned(),
        };
        given.insert(k.to_owned(), value);
    }
    check_given(limits, &given).map_err(Fail::Usage)?;
    decode(given)
}

/// `ReadSecretData`: the `--file` map (`-` is stdin, a simulator convenience).
fn from_file(
    sess: &Session,
    limits: SecretLimits,
    path: &str,
    stdin: &mut dyn Read,
) -> Result<BTreeMap<String, String>, Fail> {
    if path != "-"
        && let Ok(meta) = std::fs::metadata(sess.file_path(path))
        && meta.len() > limits.total as u64
    {
        return Err(too_large_file(path, meta.len()));
    }
    let text = read_file_arg(sess, path, stdin).map_err(|e| match e {
        Fail::Run(m) | Fail::Usage(m) => Fail::Usage(m),
    })?;
    let given =
        parse_string_map(&text).map_err(|e| Fail::Usage(format!("invalid secret file: {e}")))?;
    check_given(limits, &given).map_err(Fail::Usage)?;
    decode(given)
}

/// The content of a `key#file=<path>` argument.
fn read_value_file(limits: SecretLimits, key: &str, path: &str) -> Result<String, Fail> {
    if !path.starts_with('/') {
        return Err(Fail::Usage(format!(
            "secret file path {path:?} for key {key:?} must be absolute"
        )));
    }
    if let Ok(meta) = std::fs::metadata(path)
        && meta.len() > limits.per_value as u64
    {
        return Err(too_large_file(path, meta.len()));
    }
    let bytes = std::fs::read(path).map_err(|e| {
        Fail::Usage(format!("reading secret file for key {key:?}: open {path}: {e}"))
    })?;
    utf8(key, bytes)
}

fn too_large_file(path: &str, size: u64) -> Fail {
    Fail::Usage(format!("secret content in file {path:?} too large: {size} bytes"))
}

/// The checked set as the simulator stores it: `#base64` values decoded (Juju keeps them
/// encoded; the simulator models text content only).
fn decode(given: BTreeMap<String, String>) -> Result<BTreeMap<String, String>, Fail> {
    let mut content = BTreeMap::new();
    for (written, value) in given {
        match written.strip_suffix("#base64") {
            Some(key) => {
                let bytes = base64_decode(&value).ok_or_else(|| {
                    Fail::Usage(format!("base64 value for key {key:?} not valid"))
                })?;
                content.insert(key.to_owned(), utf8(key, bytes)?);
            }
            None => {
                content.insert(written, value);
            }
        }
    }
    Ok(content)
}

fn utf8(key: &str, bytes: Vec<u8>) -> Result<String, Fail> {
    String::from_utf8(bytes)
        .map_err(|_| Fail::Usage(format!("content of key {key:?}: binary content is not modelled")))
}

#[cfg(test)]
mod tests {
    use juju_charm::rules::JujuVersion;

    use super::*;

    fn set(pairs: &[(&str, String)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect()
    }

    #[test]
    fn secrets_size_limits_follow_juju_version() {
        let small = SecretLimits::BEFORE_3_3_2;
        let eight = SecretLimits::BEFORE_3_6_9;
        let mb = SecretLimits::SINCE_3_6_9;
        for (v, want) in [
            (JujuVersion::new(3, 1, 8), small),
            (JujuVersion::new(3, 2, 4), small),
            (JujuVersion::new(3, 3, 1), small),
            (JujuVersion::new(3, 3, 2), eight),
            (JujuVersion::new(3, 3, 7), eight),
            (JujuVersion::new(3, 4, 0), small),
            (JujuVersion::new(3, 4, 1), eight),
            (JujuVersion::new(3, 5, 0), eight),
            (JujuVersion::new(3, 6, 8), eight),
            (JujuVersion::new(3, 6, 9), mb),
            (JujuVersion::new(4, 0, 0), mb),
        ] {
            assert_eq!(SecretLimits::for_version(&v), want, "{v}");
        }
    }

    #[test]
    fn secrets_size_is_measured_as_given_before_3_6_9_and_encoded_after() {
        let old = SecretLimits::for_version(&JujuVersion::new(3, 6, 8));
        let new = SecretLimits::for_version(&JujuVersion::new(3, 6, 9));
        // 8192 bytes pass on 3.6.8; 8193 do not, and the key is named as written.
        assert_eq!(check_given(old, &set(&[("abc", "x".repeat(8192))])), Ok(()));
        assert_eq!(
            check_given(old, &set(&[("abc#base64", "x".repeat(8193))])),
            Err("secret content for key \"abc#base64\" too large: 8193 bytes".into())
        );
        // The size comes before the key's syntax on 3.6.8, after it on 3.6.9.
        assert_eq!(
            check_given(old, &set(&[("Bad", "x".repeat(8193))])),
            Err("secret content for key \"Bad\" too large: 8193 bytes".into())
        );
        assert_eq!(
            check_given(new, &set(&[("Bad", "x".repeat(2_000_000))])),
            Err("key \"Bad\" not valid".into())
        );
        // 750000 bytes encode to exactly 1000000; one more byte is 1000004.
        assert_eq!(check_given(new, &set(&[("abc", "a".repeat(750_000))])), Ok(()));
        assert_eq!(
            check_given(new, &set(&[("abc", "a".repeat(750_001))])),
            Err("base64 encoded secret content for key \"abc\" too large: 1000004 bytes".into())
        );
        // #base64 text is not encoded again, and the message drops the suffix.
        assert_eq!(
            check_given(new, &set(&[("abc#base64", "A".repeat(1_000_001))])),
            Err("base64 encoded secret content for key \"abc\" too large: 1000001 bytes".into())
        );
        assert_eq!(
            check_given(new, &set(&[("abc", "a".repeat(400_000)), ("def", "a".repeat(400_000))])),
            Err("base64 encoded secret content too large: 1066672 bytes".into())
        );
        let nine: Vec<(String, String)> =
            (0..9).map(|i| (format!("key{i}"), "x".repeat(8000))).collect();
        assert_eq!(
            check_given(old, &nine.into_iter().collect()),
            Err("secret content too large: 72000 bytes".into())
        );
    }
}
