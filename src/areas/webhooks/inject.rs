//! Where the charm may write its CA bundle (the README's "caBundle injection").
//!
//! A webhook configuration named in `webhooks` may still be served by another charm (the Python
//! CKF webhook charms make their own CA and re-apply it as field manager `lightkube`). Writing
//! the charm's bundle over theirs would make the API server refuse their servers' TLS, and with
//! `failurePolicy: Fail` stop pod creation. So, as cert-manager's CA injector does only where
//! `cert-manager.io/inject-ca-from` asks, a configuration receives the bundle only when
//!
//! * (a) it carries [`INJECT_CA_FROM`]` = <entry>`, for an entry that names it, or
//! * (b) an entry that names it has `take-over: true`,
//!
//! both of which let the charm take the field over (server-side apply with `force`), or
//!
//! * (c) every `caBundle` in it is empty or already holds the charm's current or previous CA,
//!   where the charm writes without force: if another manager shares the field, the API server
//!   answers with a conflict instead of the charm overwriting it.
//!
//! Otherwise it is held: nothing is written, and it is checked again on every hook. A
//! configuration injected under (c) into which another manager later puts a foreign CA is held
//! again, so the charm never fights over the field unless the operator opted in.

use crate::certs;
use crate::config::WebhookSpec;
use crate::k8s::{INJECT_CA_FROM, WebhookConfig};

/// Whether, and how, a configuration receives the charm's bundle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Injection {
    /// (a): the annotation names an entry that names the configuration.
    Annotated,
    /// (b): an entry that names the configuration has `take-over: true`.
    TakeOver,
    /// (c): nothing but the charm's own CA (or nothing at all) is in its `caBundle`s.
    Ours,
    /// None of these: another CA is in it, and the operator did not opt in.
    Held,
}

impl Injection {
    /// Whether the write takes the field over from other field managers.
    pub fn force(self) -> bool {
        matches!(self, Self::Annotated | Self::TakeOver)
    }
}

/// The charm's CAs as (c) recognises them in a `caBundle`: the current and the previous CA,
/// each as [`certs::split_pem_bundle`] normalises a certificate.
#[derive(Debug, Default)]
pub struct OwnCas(Vec<String>);

impl OwnCas {
    /// From the current CA and, during a rotation, the previous one (PEM).
    pub fn new<'a>(cas: impl IntoIterator<Item = &'a str>) -> Self {
        Self(cas.into_iter().flat_map(certs::split_pem_bundle).collect())
    }

    /// Whether `ca_bundle` (one webhook's, as stored) holds one of them.
    fn in_bundle(&self, ca_bundle: &[u8]) -> bool {
        let Ok(text) = std::str::from_utf8(ca_bundle) else { return false };
        certs::split_pem_bundle(text).iter().any(|c| self.0.contains(c))
    }
}

/// Decides for `cfg`, named by `entries` (at least one), knowing the charm's CAs `own`.
pub fn decide(cfg: &WebhookConfig, entries: &[&WebhookSpec], own: &OwnCas) -> Injection {
    if cfg.inject_ca_from.as_deref().is_some_and(|e| entries.iter().any(|s| s.name == e)) {
        return Injection::Annotated;
    }
    if entries.iter().any(|s| s.take_over) {
        return Injection::TakeOver;
    }
    let ours = |ca: &Option<Vec<u8>>| match ca.as_deref() {
        None | Some([]) => true,
        Some(bundle) => own.in_bundle(bundle),
    };
    if cfg.webhooks.iter().all(|(_, ca)| ours(ca)) { Injection::Ours } else { Injection::Held }
}

/// The log line for a held configuration: what it is, whose `caBundle` it is, and how to opt in.
pub fn held_note(cfg: &WebhookConfig, entries: &[&WebhookSpec]) -> String {
    let entry = entries.first().map_or("", |s| s.name.as_str());
    let managers = if cfg.ca_bundle_managers.is_empty() {
        "no field manager recorded".to_owned()
    } else {
        format!("caBundle managed by {}", quoted(&cfg.ca_bundle_managers))
    };
    let annotation = match &cfg.inject_ca_from {
        Some(named) => format!(", annotation names '{named}', not an entry naming it"),
        None => String::new(),
    };
    format!(
        "{} '{}' (entry '{entry}', {managers}{annotation}): opt in with \
         `kubectl annotate {} {} {INJECT_CA_FROM}={entry}` or with take-over: true",
        cfg.kind.kind(),
        cfg.name,
        cfg.kind.kind().to_ascii_lowercase(),
        cfg.name,
    )
}

fn quoted(names: &[String]) -> String {
    names.iter().map(|n| format!("'{n}'")).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::certs::KeyAlgorithm;
    use crate::k8s::WebhookKind;
    use crate::random::tests::Seeded;

    fn ca(cn: &str, seed: u64) -> String {
        let now = time::OffsetDateTime::from_unix_timestamp(1_780_000_000).expect("time");
        let mut rng = Seeded::new(seed);
        certs::generate_ca(cn, 3650, KeyAlgorithm::EcdsaP256, now, &mut rng).expect("ca").cert_pem
    }

    fn spec(name: &str, take_over: bool) -> WebhookSpec {
        WebhookSpec {
            name: name.into(),
            services: vec![name.into()],
            mutating: vec!["cfg".into()],
            validating: vec![],
            secret: format!("{name}-webhook-tls"),
            take_over,
        }
    }

    fn config(bundles: &[Option<&str>], annotation: Option<&str>) -> WebhookConfig {
        WebhookConfig {
            kind: WebhookKind::Mutating,
            name: "cfg".into(),
            webhooks: bundles
                .iter()
                .enumerate()
                .map(|(i, b)| (format!("w{i}.x.io"), b.map(|b| b.as_bytes().to_vec())))
                .collect(),
            inject_ca_from: annotation.map(str::to_owned),
            ca_bundle_managers: vec!["lightkube".into()],
        }
    }

    #[test]
    fn the_three_rules_and_held() {
        let (ours, previous, foreign) = (ca("ours", 1), ca("old", 2), ca("foreign", 3));
        let own = OwnCas::new([ours.as_str(), previous.as_str()]);
        let plain = spec("abc", false);
        let entries = [&plain];
        let decide = |bundles: &[Option<&str>], annotation| {
            decide(&config(bundles, annotation), &entries, &own)
        };
        // (c): empty, absent, ours, the previous CA, ours re-encoded with other line widths and
        // CRLF, ours beside another CA.
        let reflowed = ours.replace('\n', "\r\n").replace("-----\r\n", "-----\r\n\r\n");
        let both = format!("{foreign}{ours}");
        for bundles in [
            vec![None],
            vec![Some("")],
            vec![Some(ours.as_str()), None],
            vec![Some(previous.as_str())],
            vec![Some(reflowed.as_str())],
            vec![Some(both.as_str())],
        ] {
            assert_eq!(decide(&bundles, None), Injection::Ours, "{bundles:?}");
        }
        // A foreign CA in any webhook, or something that is not PEM: held.
        assert_eq!(decide(&[Some(&foreign)], None), Injection::Held);
        assert_eq!(decide(&[Some(&ours), Some(&foreign)], None), Injection::Held);
        assert_eq!(decide(&[Some("garbage")], None), Injection::Held);
        // (a) only for an entry that names the configuration.
        assert_eq!(decide(&[Some(&foreign)], Some("abc")), Injection::Annotated);
        assert_eq!(decide(&[Some(&foreign)], Some("other")), Injection::Held);
        // (b)
        let taken = spec("abc", true);
        assert_eq!(
            super::decide(&config(&[Some(&foreign)], None), &[&taken], &own),
            Injection::TakeOver
        );
        assert!(Injection::Annotated.force() && Injection::TakeOver.force());
        assert!(!Injection::Ours.force());
    }

    #[test]
    fn the_held_note_names_the_manager_and_how_to_opt_in() {
        let plain = spec("abc", false);
        let note = held_note(&config(&[Some("x")], Some("nope")), &[&plain]);
        assert!(note.contains("MutatingWebhookConfiguration 'cfg' (entry 'abc', "), "{note}");
        assert!(note.contains("caBundle managed by 'lightkube'"), "{note}");
        assert!(note.contains("names 'nope'"), "{note}");
        assert!(
            note.contains(
                "kubectl annotate mutatingwebhookconfiguration cfg \
                 ckf-crypto.kubeflow.org/inject-ca-from=abc"
            ),
            "{note}"
        );
    }
}
