//! `JujuContext::from_env` on variables split out of the input (`K=V` lines), after a plausible
//! dispatch path, unit, model and relation mix chosen by the first bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

const DISPATCH: [&str; 12] = [
    "hooks/install",
    "hooks/config-changed",
    "hooks/leader-elected",
    "hooks/update-status",
    "hooks/certificates-relation-changed",
    "hooks/object-storage-relation-joined",
    "hooks/secret-rotate",
    "hooks/workload-pebble-ready",
    "hooks/data-storage-attached",
    "actions/renew-certificates",
    "hooks/",
    "",
];
const UNIT: [&str; 6] = ["ckf-crypto/0", "ckf-crypto/12", "ckf-crypto", "/0", "a/b/3", ""];

fuzz_target!(|data: &[u8]| {
    let (head, rest) = data.split_at(data.len().min(2));
    let pick = |i: usize, n: usize| head.get(i).map_or(0, |b| *b as usize % n);
    let mut vars: Vec<(String, String)> = vec![
        ("JUJU_DISPATCH_PATH".into(), DISPATCH[pick(0, DISPATCH.len())].into()),
        ("JUJU_UNIT_NAME".into(), UNIT[pick(1, UNIT.len())].into()),
        ("JUJU_MODEL_NAME".into(), "kubeflow".into()),
        ("JUJU_MODEL_UUID".into(), "00000000-0000-4000-8000-000000000000".into()),
        ("JUJU_RELATION".into(), "certificates".into()),
        ("JUJU_RELATION_ID".into(), "certificates:3".into()),
        ("JUJU_REMOTE_APP".into(), "kfp-api".into()),
    ];
    let text = String::from_utf8_lossy(rest);
    for line in text.lines() {
        let (k, v) = line.split_once('=').unwrap_or((line, ""));
        vars.push((k.to_owned(), v.to_owned()));
    }
    let _ = juju_charm::Environment::from_vars(vars);
});
