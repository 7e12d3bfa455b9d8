//! Webhook certificates: one CA, one leaf per `webhooks` entry, renewed, and
//! delivered as `kubernetes.io/tls` Secrets and `caBundle`s.
//!
//! The four CKF webhook charms each made a throwaway CA with the openssl CLI, discarded its key,
//! kept the result in per-unit state lost with the pod, and never renewed anything
//! (canonical/bundle-kubeflow#1449). Here the CA and its key, the previous CA during a rotation,
//! and every leaf live in the material secret ([`Stored`]: content keys `ca-crt`, `ca-key`,
//! `previous-ca-crt`, `crt-<name>`, `key-<name>`), so every unit and every later leader serves the
//! same material. Planning decides what to keep and what to (re)issue:
//!
//! * the CA is issued when missing, and rotated when less than a third of its lifetime is left,
//!   when its common name, key algorithm or lifetime no longer match the config, or on
//!   `renew-certificates rotate-ca=true`; the outgoing CA stays in the bundle until it expires or
//!   the next rotation, so workloads holding a leaf of either CA keep verifying. A bad CA option
//!   keeps the CA in place; a bad `webhooks` entry holds the leaves, not the CA (its rotation
//!   does not wait for the entries to be fixed);
//! * a leaf is issued when missing, and re-issued when less than a third of its lifetime is
//!   left, when it was not signed by the current CA, when its DNS names, key algorithm or
//!   lifetime no longer match, or on `renew-certificates`.
//!
//! Delivery: the `caBundle` of every named configuration that does not hold the bundle yet and
//! may receive it (`inject`: annotated, `take-over`, or holding nothing but the charm's own
//! CA; the others are held and named in the status), then the Secrets. A configuration that
//! does not exist yet is reported as pending and retried on later hooks, a held one likewise.
//! A Secret that exists waits for its configurations' `caBundle` writes: if one of them failed,
//! the Secret keeps its old leaf, which the API server still trusts.

mod inject;

use std::collections::{BTreeMap, BTreeSet};

use juju_charm::SecretString;
use juju_charm::tools::SecretContent;
use time::OffsetDateTime;

use super::{Area, AreaPlan, Input, KubeReads, Planned};
use crate::certs::{self, CertInfo, Issued, KeyAlgorithm};
use crate::config::WebhookSpec;
use crate::k8s::events::{EventNote, PlannedEvent, Repeat};
use crate::k8s::{ObjectRef, WebhookKind, Write};
use crate::material::{Keys, Material, Part, put_key, take_key};
use crate::random::Entropy;
use inject::{Injection, OwnCas};
use juju_charm::status::Status;

const CA_CRT: &str = "ca-crt";
const CA_KEY: &str = "ca-key";
const PREVIOUS_CA_CRT: &str = "previous-ca-crt";
const CRT_PREFIX: &str = "crt-";
const KEY_PREFIX: &str = "key-";

/// This area's material.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stored {
    /// The CA, with its key.
    pub ca: Option<Issued>,
    /// The previous CA's certificate, while a rotation is under way.
    pub previous_ca: Option<String>,
    /// One leaf per `webhooks` entry, by entry name.
    pub leaves: BTreeMap<String, Issued>,
}

impl Keys for Stored {
    fn take(content: &mut SecretContent) -> Self {
        let text = |v: SecretString| v.expose().to_owned();
        let ca = match (take_key(content, CA_CRT), take_key(content, CA_KEY)) {
            (Some(cert), Some(key_pem)) => Some(Issued { cert_pem: text(cert), key_pem }),
            _ => None,
        };
        let previous_ca = take_key(content, PREVIOUS_CA_CRT).map(text);
        let names: Vec<String> =
            content.keys().filter_map(|k| k.strip_prefix(CRT_PREFIX)).map(str::to_owned).collect();
        let mut leaves = BTreeMap::new();
        for name in names {
            let cert = take_key(content, &format!("{CRT_PREFIX}{name}"));
            let key = take_key(content, &format!("{KEY_PREFIX}{name}"));
            if let (Some(cert), Some(key_pem)) = (cert, key) {
                leaves.insert(name, Issued { cert_pem: text(cert), key_pem });
            }
        }
        // A key without its certificate is of no use: it goes too.
        content.retain(|k, _| !k.starts_with(KEY_PREFIX));
        Self { ca, previous_ca, leaves }
    }

    fn put(&self, content: &mut SecretContent) {
        let public = |s: &str| SecretString::new(s);
        if let Some(ca) = &self.ca {
            content.insert(CA_CRT.into(), public(&ca.cert_pem));
            content.insert(CA_KEY.into(), ca.key_pem.clone());
        }
        put_key(content, PREVIOUS_CA_CRT, self.previous_ca.as_deref().map(public).as_ref());
        for (name, leaf) in &self.leaves {
            content.insert(format!("{CRT_PREFIX}{name}"), public(&leaf.cert_pem));
            content.insert(format!("{KEY_PREFIX}{name}"), leaf.key_pem.clone());
        }
    }
}

/// The CA bundle: the current CA, the previous one while it is valid at `now`, then `extra`
/// (the verified extra CAs). `None` before a CA exists.
pub fn bundle(m: &Stored, extra: Option<&str>, now: OffsetDateTime) -> Option<String> {
    let ca = m.ca.as_ref()?;
    let mut out = normalise(&ca.cert_pem);
    let valid = |p: &&String| certs::inspect(p).is_ok_and(|i| i.not_after > now);
    if let Some(prev) = m.previous_ca.as_ref().filter(valid) {
        out.push_str(&normalise(prev));
    }
    out.push_str(extra.unwrap_or_default());
    Some(out)
}

fn normalise(pem: &str) -> String {
    format!("{}\n", pem.trim_end())
}

fn lifetime_days(info: &CertInfo) -> i64 {
    (info.not_after - info.not_before).whole_days()
}

/// The CA options, when valid.
pub(super) struct CaParams<'a> {
    pub(super) common_name: &'a str,
    pub(super) days: u32,
    pub(super) alg: KeyAlgorithm,
}

/// Whether a stored CA still fits the config and the time.
pub(super) fn ca_fits(ca: &Issued, p: &CaParams<'_>, now: OffsetDateTime) -> bool {
    certs::inspect(&ca.cert_pem).is_ok_and(|info| {
        info.is_ca
            && !info.renewal_due(now)
            && info.subject_cn.as_deref() == Some(p.common_name)
            && info.key_algorithm == Some(p.alg)
            && lifetime_days(&info) == i64::from(p.days)
            && certs::key_matches_inspected(&info, &ca.key_pem)
    })
}

/// The leaf options, when valid.
struct LeafParams<'a> {
    specs: &'a [WebhookSpec],
    days: u32,
    alg: KeyAlgorithm,
    namespace: &'a str,
}

/// Whether a stored leaf still fits its spec, the CA (inspected once for all leaves), the config
/// and the time. Each certificate is parsed once; the cheap checks come first.
fn leaf_fits(
    leaf: &Issued,
    spec: &WebhookSpec,
    ca: (&CertInfo, &str),
    p: &LeafParams<'_>,
    now: OffsetDateTime,
) -> bool {
    let Ok(info) = certs::inspect(&leaf.cert_pem) else { return false };
    !info.renewal_due(now)
        && info.key_algorithm == Some(p.alg)
        && lifetime_days(&info) == i64::from(p.days)
        && info.dns_names == certs::webhook_dns_names(&spec.services, p.namespace)
        && certs::issued_by_inspected((&info, &leaf.cert_pem), ca)
        && certs::key_matches_inspected(&info, &leaf.key_pem)
}

/// The webhook certificates area.
#[derive(Debug, Default)]
pub struct Webhooks;

impl Area for Webhooks {
    fn name(&self) -> &'static str {
        "webhook certificates"
    }

    fn kube_reads(&self) -> KubeReads {
        KubeReads { secrets: true, webhook_configs: true }
    }

    fn after(&self) -> &'static [&'static str] {
        // Its bundle holds the verified extra CAs.
        &[super::resources::NAME]
    }

    fn plan(&self, input: &Input<'_>, material: &Material, rng: &mut dyn Entropy) -> Planned {
        let c = input.config;
        let renew = input.intent.renew;
        let mut plan = AreaPlan::default();
        let mut m = material.webhooks.clone();
        let now = input.now;
        let mut ca_rotated = false;
        // A CA replaced another (not the first one made): the `CARotated` Events.
        let mut ca_replaced = false;
        if let (Ok(common_name), Ok(days), Ok(alg)) =
            (&c.ca_common_name, &c.ca_validity_days, &c.key_algorithm)
        {
            let p = CaParams { common_name, days: *days, alg: *alg };
            let rotate = renew.is_some_and(|r| r.rotate_ca);
            if rotate || !m.ca.as_ref().is_some_and(|ca| ca_fits(ca, &p, now)) {
                let new = certs::generate_ca(p.common_name, p.days, p.alg, now, rng)?;
                // The outgoing CA, if any, stays in the bundle while it is valid.
                m.previous_ca = m.ca.replace(new).map(|old| old.cert_pem);
                ca_rotated = true;
                ca_replaced = m.previous_ca.is_some();
                plan.info(format!("issued a new CA '{common_name}'"));
            }
        }
        m.previous_ca =
            m.previous_ca.take().filter(|p| certs::inspect(p).is_ok_and(|i| i.not_after > now));
        let (Some(ca), Ok(specs), Ok(days), Ok(alg), Some(namespace)) = (
            m.ca.as_ref(),
            &c.webhooks,
            &c.certificate_validity_days,
            &c.key_algorithm,
            input.namespace,
        ) else {
            // Bad leaf config (or no CA yet): the leaves and their delivery stay as they are.
            plan.material = Some(Part::Webhooks(m));
            return Ok(plan);
        };
        let p = LeafParams { specs, days: *days, alg: *alg, namespace };
        // Entries no longer configured are dropped with their keys.
        let mut stored = std::mem::take(&mut m.leaves);
        let mut fresh = Vec::new();
        // Which entries keep their leaf, and which need a new one.
        let mut wanted = Vec::new();
        let ca_info = certs::inspect(&ca.cert_pem).ok();
        for spec in p.specs {
            let old = stored.remove(&spec.name);
            let kept = old.clone().filter(|leaf| {
                !ca_rotated
                    && renew.is_none()
                    && ca_info
                        .as_ref()
                        .is_some_and(|i| leaf_fits(leaf, spec, (i, &ca.cert_pem), &p, now))
            });
            match kept {
                Some(leaf) => {
                    m.leaves.insert(spec.name.clone(), leaf);
                }
                None => wanted.push((spec, old)),
            }
        }
        let specs: Vec<&WebhookSpec> = wanted.iter().map(|(spec, _)| *spec).collect();
        let issued = issue_leaves(input, &specs, ca, &p, rng)?;
        for ((spec, old), leaf) in wanted.into_iter().zip(issued) {
            match leaf {
                Ok(leaf) => {
                    fresh.push(spec.name.as_str());
                    m.leaves.insert(spec.name.clone(), leaf);
                }
                // Juju could not store it: the leaf in place (if any) stays, and so does its
                // Secret.
                Err(why) => {
                    plan.status.add(Status::blocked(why));
                    if let Some(old) = old {
                        m.leaves.insert(spec.name.clone(), old);
                    }
                }
            }
        }
        plan.issued = fresh.len();
        if !fresh.is_empty() {
            plan.info(format!("issued webhook certificates for {}", fresh.join(", ")));
        }
        let bundle = bundle(&m, material.resources.extra_ca.as_deref(), now).unwrap_or_default();
        deliver(input, &p, &m, &bundle, &mut plan);
        plan_events(&p, &m, &fresh, ca_replaced, &mut plan);
        plan.material = Some(Part::Webhooks(m));
        Ok(plan)
    }
}

/// The Events of the leaves issued (`Issued`) and of a new CA (`CARotated`), each recorded once
/// its entry's Secret is written.
fn plan_events(
    p: &LeafParams<'_>,
    m: &Stored,
    fresh: &[&str],
    ca_replaced: bool,
    plan: &mut AreaPlan,
) {
    let describe = |pem: &str| {
        certs::inspect(pem).map_or_else(
            |_| "a certificate that does not parse".to_owned(),
            |i| format!("serial {}, not after {}", i.serial_hex, i.not_after_rfc3339()),
        )
    };
    for spec in p.specs {
        let Some(leaf) = m.leaves.get(&spec.name) else { continue };
        let secret = ObjectRef { kind: "Secret", name: spec.secret.clone() };
        let mut push = |note| plan.events.push(PlannedEvent { after: Some(secret.clone()), note });
        if ca_replaced && let Some(ca) = &m.ca {
            push(EventNote::normal(
                "CARotated",
                "RotateCA",
                secret.clone(),
                format!(
                    "the webhook CA changed ({}); ca.crt keeps the previous CA while it is valid",
                    describe(&ca.cert_pem)
                ),
            ));
        }
        if fresh.contains(&spec.name.as_str()) {
            push(EventNote::normal(
                "Issued",
                "Issue",
                secret.clone(),
                format!(
                    "issued the certificate of webhook '{}' ({})",
                    spec.name,
                    describe(&leaf.cert_pem)
                ),
            ));
        }
    }
}

/// New leaves for `specs`, in their order: at the same time when there are several (each with
/// a source forked from `rng` in order, its key generation sharing the CPUs, `crate::cpu`).
fn issue_leaves(
    input: &Input<'_>,
    specs: &[&WebhookSpec],
    ca: &Issued,
    p: &LeafParams<'_>,
    rng: &mut dyn Entropy,
) -> Result<Vec<Result<Issued, String>>, certs::CertError> {
    if specs.len() < 2 {
        return specs.iter().map(|spec| issue_storable_leaf(input, spec, ca, p, rng)).collect();
    }
    let forks = specs
        .iter()
        .map(|_| rng.fork())
        .collect::<Result<Vec<_>, _>>()
        .map_err(certs::CertError::Entropy)?;
    let mut out: Vec<Option<Result<Issued, String>>> = std::thread::scope(|s| {
        let running: Vec<_> = specs
            .iter()
            .zip(forks)
            .map(|(spec, mut fork)| {
                // A thread the OS does not give is issued below, on this one.
                std::thread::Builder::new()
                    .spawn_scoped(s, move || issue_storable_leaf(input, spec, ca, p, &mut *fork))
                    .ok()
            })
            .collect();
        running
            .into_iter()
            .map(|t| {
                t.map(|t| {
                    t.join().unwrap_or_else(|_| {
                        Err(certs::CertError::InvalidParams("a leaf's issuance panicked".into()))
                    })
                })
                .transpose()
            })
            .collect::<Result<Vec<_>, _>>()
    })?;
    for (spec, leaf) in specs.iter().zip(out.iter_mut()) {
        if leaf.is_none() {
            *leaf = Some(issue_storable_leaf(input, spec, ca, p, rng)?);
        }
    }
    Ok(out.into_iter().flatten().collect())
}

/// A new leaf for `spec`, or why the material secret could not hold it (Juju's limit on one
/// secret value). A leaf whose DNS names alone are over the limit is not
/// even generated, so a hook does not make a key it must throw away.
fn issue_storable_leaf(
    input: &Input<'_>,
    spec: &WebhookSpec,
    ca: &Issued,
    p: &LeafParams<'_>,
    rng: &mut dyn Entropy,
) -> Result<Result<Issued, String>, certs::CertError> {
    let refused = |what: &str, why: String| {
        format!("Cannot store the {what} of webhook '{}': {why}", spec.name)
    };
    // The DER holds the names, its PEM is base64 of that, and Juju measures the PEM as it is
    // (or, since 3.6.9, its base64).
    let names: usize =
        certs::webhook_dns_names(&spec.services, p.namespace).iter().map(|n| n.len() + 2).sum();
    let pem = names * 4 / 3;
    let at_least = if input.limits.base64 { pem * 4 / 3 } else { pem };
    if let Err(why) = input.limits.check_size(at_least, "at least ") {
        return Ok(Err(refused("certificate", why)));
    }
    let leaf =
        certs::issue_webhook_leaf(ca, &spec.services, p.namespace, p.days, p.alg, input.now, rng)?;
    if let Err(why) = input.limits.check_value(&leaf.cert_pem) {
        return Ok(Err(refused("certificate", why)));
    }
    if let Err(why) = input.limits.check_value(leaf.key_pem.expose()) {
        return Ok(Err(refused("key", why)));
    }
    Ok(Ok(leaf))
}

/// `a, b`.
fn webhooks_list(webhooks: &[String]) -> String {
    webhooks.join(", ")
}

/// The `caBundle` writes, then the Secrets, of every configured entry.
fn deliver(input: &Input<'_>, p: &LeafParams<'_>, m: &Stored, bundle: &str, plan: &mut AreaPlan) {
    let configs = input.kube.webhook_configs();
    // Each named configuration, with the entries that name it.
    let mut named: BTreeMap<(WebhookKind, String), Vec<&WebhookSpec>> = BTreeMap::new();
    for spec in p.specs {
        let kinds = (spec.mutating.iter().map(|n| (WebhookKind::Mutating, n)))
            .chain(spec.validating.iter().map(|n| (WebhookKind::Validating, n)));
        for (kind, name) in kinds {
            named.entry((kind, name.clone())).or_default().push(spec);
        }
    }
    // The charm's own CAs, parsed only when some configuration does not hold the bundle.
    let own = std::cell::OnceCell::new();
    let own = || {
        own.get_or_init(|| {
            let current = m.ca.as_ref().map(|ca| ca.cert_pem.as_str());
            OwnCas::new(current.into_iter().chain(m.previous_ca.as_deref()))
        })
    };
    let (mut pending, mut held) = (BTreeSet::new(), BTreeSet::new());
    let mut held_notes = Vec::new();
    let mut written = BTreeSet::new();
    for ((kind, name), entries) in named.into_iter().filter(|_| configs.is_some()) {
        let Some(cfg) = configs.and_then(|c| c.get(&(kind, name.clone()))) else {
            pending.insert(name);
            continue;
        };
        let stale = cfg.webhooks.iter().any(|(_, ca)| ca.as_deref() != Some(bundle.as_bytes()));
        if !stale || cfg.webhooks.is_empty() {
            continue;
        }
        let injection = inject::decide(cfg, &entries, own());
        if injection == Injection::Held {
            let note = inject::held_note(cfg, &entries);
            let regarding = ObjectRef { kind: kind.kind(), name: name.clone() };
            plan.events.push(PlannedEvent {
                after: None,
                note: EventNote {
                    repeat: Repeat::Once,
                    ..EventNote::warning(
                        "Held",
                        "InjectCABundle",
                        regarding,
                        format!("caBundle not written, another CA is in it: {note}"),
                    )
                },
            });
            held_notes.push(note);
            held.insert(name);
            continue;
        }
        let webhooks: Vec<String> = cfg.webhooks.iter().map(|(n, _)| n.clone()).collect();
        let force = injection.force();
        let message = format!(
            "set caBundle on webhooks {} to the charm's CA bundle{}",
            webhooks_list(&webhooks),
            if force { ", taking the field over" } else { "" }
        );
        let write =
            Write::CaBundle { kind, name, webhooks, bundle: bundle.as_bytes().to_vec(), force };
        plan.events.push(PlannedEvent {
            after: Some(write.object()),
            note: EventNote::normal("Injected", "InjectCABundle", write.object(), message),
        });
        written.insert(write.object());
        plan.kube.push(write);
    }
    let list = |names: BTreeSet<String>| names.into_iter().collect::<Vec<_>>().join(", ");
    if !pending.is_empty() {
        plan.status.add(Status::active(format!("caBundle pending: {}", list(pending))));
    }
    if !held.is_empty() {
        plan.status.add(Status::active(format!("caBundle held: {}", list(held))));
        // One line, not one per configuration: each juju-log is a process.
        plan.info(format!(
            "caBundle held, not written (another CA is in it, which its server may still use): {}",
            held_notes.join("; ")
        ));
    }
    for spec in p.specs {
        let Some(leaf) = m.leaves.get(&spec.name) else { continue };
        let exists = input.kube.secrets().is_some_and(|s| s.contains_key(&spec.secret));
        if exists && configs.is_none() {
            // The configurations could not be listed: a new leaf could be one their caBundle
            // does not trust yet, so the Secret in place stays until they can be.
            continue;
        }
        let refs = spec
            .mutating
            .iter()
            .map(|n| ObjectRef { kind: WebhookKind::Mutating.kind(), name: n.clone() })
            .chain(
                spec.validating
                    .iter()
                    .map(|n| ObjectRef { kind: WebhookKind::Validating.kind(), name: n.clone() }),
            );
        let after =
            if exists { refs.filter(|r| written.contains(r)).collect() } else { Vec::new() };
        // The key leaves its redacting type here: it is the Secret's content.
        let data = vec![
            ("tls.crt", leaf.cert_pem.as_bytes()),
            ("tls.key", leaf.key_pem.expose().as_bytes()),
            ("ca.crt", bundle.as_bytes()),
        ];
        let secret = input.secret(&spec.secret, "kubernetes.io/tls", data);
        plan.kube.extend(input.secret_write(secret, after));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::areas::tests::input_for;
    use crate::k8s::WebhookConfig;
    use crate::random::tests::Seeded;
    use serde_json::json;

    fn config(name: &str, ca: Option<&str>, annotation: Option<&str>) -> WebhookConfig {
        WebhookConfig {
            kind: WebhookKind::Mutating,
            name: name.into(),
            webhooks: vec![(format!("{name}.x.io"), ca.map(|c| c.as_bytes().to_vec()))],
            inject_ca_from: annotation.map(str::to_owned),
            ca_bundle_managers: vec!["lightkube".into()],
        }
    }

    /// The `caBundle` writes (name, force) and the status of one plan.
    fn plan(webhooks: &str, configs: Vec<WebhookConfig>) -> (Vec<(String, bool)>, String) {
        let mut fixture = input_for(json!({ "webhooks": webhooks }));
        let configs = configs.into_iter().map(|c| ((c.kind, c.name.clone()), c)).collect();
        fixture.view.webhook_configs = Some(Ok(configs));
        let plan = Webhooks
            .plan(&fixture.input(), &Material::default(), &mut Seeded::new(1))
            .expect("plan");
        let writes = plan
            .kube
            .iter()
            .filter_map(|w| match w {
                Write::CaBundle { name, force, .. } => Some((name.clone(), *force)),
                _ => None,
            })
            .collect();
        (writes, plan.status.resolve().message)
    }

    #[test]
    fn only_eligible_configurations_are_written_and_only_opt_ins_are_forced() {
        let foreign = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
        let configs = || {
            vec![
                config("empty", None, None),
                config("foreign", Some(foreign), None),
                config("annotated", Some(foreign), Some("abc")),
                config("other-entry", Some(foreign), Some("xyz")),
            ]
        };
        let entry = "- {name: abc, services: [abc], \
                     mutating: [empty, foreign, annotated, other-entry, missing]";
        let (writes, status) = plan(&format!("{entry}}}"), configs());
        assert_eq!(writes, [("annotated".into(), true), ("empty".into(), false)]);
        assert_eq!(status, "caBundle pending: missing; caBundle held: foreign, other-entry");

        let (writes, status) = plan(&format!("{entry}, take-over: true}}"), configs());
        let forced = ["annotated", "empty", "foreign", "other-entry"].map(|n| (n.into(), true));
        assert_eq!(writes, forced);
        assert_eq!(status, "caBundle pending: missing");
    }
}
