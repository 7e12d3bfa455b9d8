//! Resource checksums (the `resource-checksums` option) and the `extra-ca-certificates` resource.
//!
//! The CKF documentation promises artifacts verified against their checksums, but that happens only
//! at build time, when the rocks are built (canonical/kubeflow-rocks). Here every resource named in
//! the `resource-checksums` option is fetched with `resource-get`, digested in a streaming read of
//! bounded memory, and compared in constant time, on `install`, `upgrade-charm`, `config-changed`
//! and by the `verify-resources` action. A resource that is not attached or does not match blocks
//! the unit with the README's message and is not used. The outcome of the last verification on one
//! of those hooks is kept in the material secret ([`Stored`]), so the hooks in between (which do
//! not fetch resources) report the same status; the action, being read-only, reports without
//! recording.
//!
//! `extra-ca-certificates` (a PEM bundle of CA certificates) is used only once it verifies
//! against a configured checksum and parses as certificates; its CAs are then kept in the
//! material secret and appended to every `caBundle` and `ca.crt`. An attached but unpinned
//! bundle is not used, and the log says why. A bundle that fails leaves the last verified one in
//! place (bad input destroys nothing).

use std::collections::BTreeMap;

use juju_charm::tools::SecretContent;
use juju_charm::{Event, HookToolError, HookTools, SecretString};

use super::{Area, AreaPlan, Input, Observe, Planned};
use crate::certs;
use crate::checksums::{self, Expected};
use crate::material::{Keys, Material, Part, put_key, take_key};
use crate::random::Entropy;
use juju_charm::status::Status;

/// The optional file resource of extra CA certificates.
pub const EXTRA_CA: &str = "extra-ca-certificates";

const EXTRA_CA_KEY: &str = "extra-ca-bundle";
const PROBLEMS_KEY: &str = "resource-problems";

/// This area's material: the outcome of the last verification that was recorded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stored {
    /// The verified extra CA bundle (PEM certificates), in use.
    pub extra_ca: Option<String>,
    /// The blocked messages of the last verification.
    pub problems: Vec<String>,
}

impl Keys for Stored {
    fn take(content: &mut SecretContent) -> Self {
        let text = |v: SecretString| v.expose().to_owned();
        Self {
            extra_ca: take_key(content, EXTRA_CA_KEY).map(text),
            problems: take_key(content, PROBLEMS_KEY)
                .map(|p| p.expose().lines().map(str::to_owned).collect())
                .unwrap_or_default(),
        }
    }

    fn put(&self, content: &mut SecretContent) {
        let public = |v: &String| SecretString::new(v.as_str());
        put_key(content, EXTRA_CA_KEY, self.extra_ca.as_ref().map(public).as_ref());
        let problems = (!self.problems.is_empty()).then(|| public(&self.problems.join("\n")));
        put_key(content, PROBLEMS_KEY, problems.as_ref());
    }
}

/// The area's name.
pub const NAME: &str = "resources";

/// The resources area: verifies on the hooks that verify, reports what was last recorded.
#[derive(Debug, Default)]
pub struct Resources {
    verification: Option<Verification>,
}

impl Resources {
    /// An area that planned with this verification (tests).
    pub fn with(verification: Option<Verification>) -> Self {
        Self { verification }
    }
}

impl Area for Resources {
    fn name(&self) -> &'static str {
        NAME
    }

    /// Resources are fetched and verified on install, upgrade-charm and config-changed; the
    /// other hooks use the outcome kept in the material.
    fn observe(&mut self, juju: &Observe<'_>) -> Result<(), HookToolError> {
        let verifying =
            matches!(juju.event, Event::Install | Event::UpgradeCharm | Event::ConfigChanged);
        if let (true, Ok(pinned)) = (verifying, &juju.config.resource_checksums) {
            self.verification = Some(verify(juju.tools, pinned));
        }
        Ok(())
    }

    fn plan(&self, input: &Input<'_>, material: &Material, _rng: &mut dyn Entropy) -> Planned {
        let mut plan = AreaPlan::default();
        let mut part = material.resources.clone();
        if let Some(v) = &self.verification {
            part.problems = v.problems();
            let pinned =
                input.config.resource_checksums.as_ref().is_ok_and(|p| p.contains_key(EXTRA_CA));
            let storable = v.extra_ca.as_ref().map(|extra| input.limits.check_value(extra));
            match (&v.extra_ca, pinned) {
                // Juju could not store it (over its secret value limit): the last verified
                // one stays.
                (Some(_), _) if matches!(storable, Some(Err(_))) => {
                    if let Some(Err(why)) = storable {
                        let what = "the 'extra-ca-certificates' bundle";
                        plan.status.add(Status::blocked(format!("Cannot store {what}: {why}")));
                    }
                }
                (Some(extra), _) => part.extra_ca = Some(extra.clone()),
                // No longer pinned: not used any more.
                (None, false) => part.extra_ca = None,
                // Pinned but failed: the last verified bundle stays (bad input destroys nothing).
                (None, true) => {}
            }
        }
        for problem in &part.problems {
            plan.status.add(Status::blocked(problem.clone()));
        }
        plan.material = Some(Part::Resources(part));
        Ok(plan)
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::areas::tests::run_area;
    use juju_charm::status::StatusName;
    use serde_json::json;

    fn verified(name: &str, ok: bool) -> Verified {
        Verified {
            name: name.into(),
            algorithm: "sha256".into(),
            expected: "00".into(),
            actual: Some(if ok { "00" } else { "11" }.into()),
            ok,
            problem: (!ok).then(|| format!("Resource '{name}' failed sha256 verification")),
        }
    }

    const PINNED: &str = "extra-ca-certificates: \
        sha256:0000000000000000000000000000000000000000000000000000000000000000";

    #[test]
    fn a_verification_is_recorded_and_reported_until_the_next_one() {
        let good =
            Verification { resources: vec![verified(EXTRA_CA, true)], extra_ca: Some("CA".into()) };
        let area = Resources::with(Some(good));
        let (m, plan) =
            run_area(&area, json!({"resource-checksums": PINNED}), None, &Default::default(), 1);
        assert_eq!(m.resources, Stored { extra_ca: Some("CA".into()), problems: vec![] });
        assert_eq!(plan.status.resolve().name, StatusName::Active);

        // A pinned bundle that fails later: blocked, and the last verified one stays in use.
        let bad = Verification { resources: vec![verified(EXTRA_CA, false)], extra_ca: None };
        let (failed, plan) = run_area(
            &Resources::with(Some(bad)),
            json!({"resource-checksums": PINNED}),
            Some(&m),
            &Default::default(),
            1,
        );
        assert_eq!(failed.resources.extra_ca.as_deref(), Some("CA"));
        assert_eq!(
            plan.status.resolve(),
            Status::new(
                StatusName::Blocked,
                "Resource 'extra-ca-certificates' failed sha256 verification"
            )
        );
        // A hook that does not verify reports the recorded outcome.
        let (kept, plan) =
            run_area(&Resources::default(), json!({}), Some(&failed), &Default::default(), 1);
        assert_eq!(kept.resources, failed.resources);
        assert_eq!(plan.status.resolve().name, StatusName::Blocked);

        // No longer pinned: the bundle is not used any more.
        let unpinned = Verification::default();
        let (dropped, plan) = run_area(
            &Resources::with(Some(unpinned)),
            json!({}),
            Some(&failed),
            &Default::default(),
            1,
        );
        assert_eq!(dropped.resources, Stored::default());
        assert_eq!(plan.status.resolve().name, StatusName::Active);
    }
}
