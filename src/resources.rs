//! Resource checksums (`contract.md` §2, §9, §11) and the `extra-ca-certificates` resource.
//!
//! The CKF documentation promises artifacts verified against their checksums, but that happens
//! only at build time (`ckf-reference.md` §8, §13 flaw 8). Here every resource named in the
//! `resource-checksums` option is fetched with `resource-get`, digested in a streaming read of
//! bounded memory, and compared in constant time, on `install`, `upgrade-charm`,
//! `config-changed` and by the `verify-resources` action. A resource that is not attached or does
//! not match blocks the unit with the contract's message and is not used. The outcome of the
//! last verification is kept in the material secret, so the hooks in between (which do not
//! fetch resources) report the same status.
//!
//! `extra-ca-certificates` (a PEM bundle of CA certificates) is used only once it verifies
//! against a configured checksum and parses as certificates; its CAs are then kept in the
//! material secret and appended to every `caBundle` and `ca.crt`. An attached but unpinned
//! bundle is not used, and the log says why. A bundle that fails leaves the last verified one in
//! place (bad input destroys nothing).

use std::collections::BTreeMap;

use juju::HookTools;

use crate::certs;
use crate::checksums::{self, Expected};

/// The optional file resource of extra CA certificates.
pub const EXTRA_CA: &str = "extra-ca-certificates";

/// Material-secret key: the verified extra CA bundle.
pub const EXTRA_CA_KEY: &str = "extra-ca-bundle";
/// Material-secret key: the problems of the last verification, one per line.
pub const PROBLEMS_KEY: &str = "resource-problems";

/// Whether a content key of the material secret belongs to this module.
pub fn is_own_key(key: &str) -> bool {
    key == EXTRA_CA_KEY || key == PROBLEMS_KEY
}

/// One resource's verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The resource.
    pub name: String,
    /// `md5`, `sha256`, `sha384` or `sha512`.
    pub algorithm: String,
    /// The configured digest (hex).
    pub expected: String,
    /// The digest of what `resource-get` gave (hex), when attached.
    pub actual: Option<String>,
    /// Whether it matched.
    pub ok: bool,
    /// The blocked message when it did not.
    pub problem: Option<String>,
}

/// The outcome of one verification run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Verification {
    /// Every pinned resource.
    pub resources: Vec<Verified>,
    /// The extra CA bundle, when it verified and parsed.
    pub extra_ca: Option<String>,
}

impl Verification {
    /// The blocked messages.
    pub fn problems(&self) -> Vec<String> {
        self.resources.iter().filter_map(|r| r.problem.clone()).collect()
    }
}

/// Fetches and verifies every resource in `pinned`; looks at `extra-ca-certificates` even
/// when unpinned, to say in the log why it is not used.
pub fn verify(tools: &HookTools<'_>, pinned: &BTreeMap<String, Expected>) -> Verification {
    let mut out = Verification::default();
    for (name, expected) in pinned {
        let algorithm = expected.algorithm.as_str().to_owned();
        let mut v = Verified {
            name: name.clone(),
            algorithm: algorithm.clone(),
            expected: hex::encode(&expected.digest),
            actual: None,
            ok: false,
            problem: None,
        };
        let path = match tools.resource_get(name) {
            Ok(path) => path,
            Err(e) => {
                log::warn!("resource '{name}' could not be fetched: {e}");
                v.problem = Some(format!("Resource '{name}' is not attached"));
                out.resources.push(v);
                continue;
            }
        };
        match checksums::file_digest(&path, expected.algorithm) {
            Ok(actual) => {
                v.ok = checksums::matches(&actual, &expected.digest);
                v.actual = Some(hex::encode(&actual));
            }
            Err(e) => log::warn!("resource '{name}' could not be read: {e}"),
        }
        if v.ok {
            if name == EXTRA_CA {
                out.extra_ca = read_ca_bundle(&path);
            }
        } else {
            log::warn!("resource '{name}' failed {algorithm} verification: it is not used");
            v.problem = Some(format!("Resource '{name}' failed {algorithm} verification"));
        }
        out.resources.push(v);
    }
    if !pinned.contains_key(EXTRA_CA) && tools.resource_get(EXTRA_CA).is_ok() {
        log::warn!(
            "resource '{EXTRA_CA}' is attached but not used: it has no checksum in resource-checksums"
        );
    }
    out
}

/// The certificates of a verified PEM bundle, or `None` (logged) when it does not parse.
fn read_ca_bundle(path: &std::path::Path) -> Option<String> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            log::warn!("resource '{EXTRA_CA}' could not be read: {e}");
            return None;
        }
    };
    let certs_pem = certs::split_pem_bundle(&text);
    if certs_pem.is_empty() || certs_pem.iter().any(|c| certs::inspect(c).is_err()) {
        log::warn!(
            "resource '{EXTRA_CA}' verified but is not a PEM bundle of certificates: it is not used"
        );
        return None;
    }
    Some(certs_pem.concat())
}
