//! The relation planners on requirer data: `object_storage::plan` on any `_supported_versions`,
//! and `tls_provider::plan` on any `certificate_signing_requests` and local `certificates`.
//! Input: the requirer's value, then an optional NUL and our local databag's value.
#![no_main]

use std::collections::BTreeMap;
use std::sync::OnceLock;

use ckf_crypto::certs::{Issued, KeyAlgorithm, generate_ca};
use juju_charm::databag::Databag;
use ckf_crypto::areas::{object_storage, tls_provider};
use ckf_crypto::random::OsEntropy;
use juju_charm::{RelationId, SecretString};
use libfuzzer_sys::fuzz_target;
use time::OffsetDateTime;

fn now() -> OffsetDateTime {
    // Fixed, so a crash reproduces.
    OffsetDateTime::from_unix_timestamp(1_790_000_000).expect("a valid timestamp")
}

fn ca() -> &'static Issued {
    static CA: OnceLock<Issued> = OnceLock::new();
    CA.get_or_init(|| {
        generate_ca("ca", 30, KeyAlgorithm::EcdsaP256, now(), &mut OsEntropy).expect("a CA")
    })
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (remote, local) = text.split_once('\0').unwrap_or((&text, ""));

    let secret = SecretString::new("s3cr3t");
    let creds = object_storage::Credentials {
        access_key: "minio",
        secret_key: &secret,
        service: "minio",
        port: 9000,
        namespace: "kubeflow",
    };
    let rel = object_storage::Relation {
        id: RelationId { endpoint: object_storage::ENDPOINT.into(), number: 1 },
        remote_app: Some("kfp-api".into()),
        remote_versions: Some(remote.to_owned()),
        local: Databag::from(BTreeMap::from([("_supported_versions".into(), local.to_owned())])),
    };
    let _ = object_storage::plan(&rel, Some(&creds));
    let _ = object_storage::plan(&rel, None);

    let rel = tls_provider::Relation {
        id: RelationId { endpoint: tls_provider::ENDPOINT.into(), number: 2 },
        remote_app: Some("kfp-api".into()),
        request_bags: vec![("kfp-api".into(), remote.to_owned())],
        local: Databag::from(BTreeMap::from([("certificates".into(), local.to_owned())])),
    };
    let suffixes = ["svc.cluster.local".to_owned()];
    let ranges = ckf_crypto::config::ip_ranges::parse("10.0.0.0/8").expect("ranges");
    for (suffixes, ranges, force) in [(&suffixes[..], &ranges[..], false), (&[][..], &[][..], true)] {
        let p = tls_provider::Params {
            ca: ca(),
            above: &[],
            days: 30,
            suffixes,
            ranges,
            now: now(),
            force,
        };
        let _ = tls_provider::plan(&rel, &p, &mut OsEntropy);
    }
});
