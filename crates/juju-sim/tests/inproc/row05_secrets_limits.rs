//! Row 5 (content limits): each of Juju's secret content rules at the version just before
//! and just after it changed — 5 KiB → 8 KiB per value (3.4.0 → 3.4.1, 3.3.1 → 3.3.3), and
//! 8 KiB / 64 KiB measured as given → 1 MB measured base64-encoded (3.6.8 → 3.6.9) — for
//! secret-add and secret-set. Every refusal is at the call (exit 2) and buffers nothing.

use std::collections::BTreeMap;
use std::path::Path;

use juju_sim::{Event, Owner, State};

use crate::common::{Hook, bag, run, state};

const BEFORE: &str = "3.6.8";
const AFTER: &str = "3.6.9";

/// Runs `f` in a hook of the leader at Juju `version`; the hook exits 0.
fn at(version: &str, f: impl FnOnce(&Hook)) -> State {
    let mut st = state().with_juju_version(version);
    run(&mut st, 0, &Event::UpdateStatus, |h| {
        f(h);
        0
    });
    st
}

fn kv(key: &str, n: usize) -> String {
    format!("{key}={}", "x".repeat(n))
}

/// Asserts a usage error with exactly `err`.
fn refused(h: &Hook, tool: &str, args: &[&str], err: &str) {
    let o = h.run(tool, args);
    assert_eq!((o.code, o.err.as_str()), (2, format!("ERROR {err}\n").as_str()), "{tool}");
}

#[test]
fn row5_limits_per_value_secret_add_3_6_8_counts_bytes_as_given() {
    let st = at(BEFORE, |h| {
        assert_eq!(h.run("secret-add", &[&kv("abc", 8192)]).code, 0, "8 KiB fits");
        refused(
            h,
            "secret-add",
            &[&kv("abc", 8193)],
            "secret content for key \"abc\" too large: 8193 bytes",
        );
        // #base64 text is counted as written, and the key keeps its suffix.
        let b64 = format!("abc#base64={}", "QUJD".repeat(2049));
        refused(
            h,
            "secret-add",
            &[&b64],
            "secret content for key \"abc#base64\" too large: 8196 bytes",
        );
        // The size is checked before the key's syntax.
        refused(
            h,
            "secret-add",
            &[&kv("Bad", 9000)],
            "secret content for key \"Bad\" too large: 9000 bytes",
        );
    });
    assert_eq!(st.secrets().len(), 1, "only the call that fit made a secret");
}

#[test]
fn row5_limits_per_value_secret_add_3_6_9_counts_base64_up_to_1_mb() {
    let st = at(AFTER, |h| {
        assert_eq!(h.run("secret-add", &[&kv("abc", 8193)]).code, 0);
        // 750000 bytes encode to exactly 1000000.
        assert_eq!(h.run("secret-add", &[&kv("def", 750_000)]).code, 0);
        refused(
            h,
            "secret-add",
            &[&kv("abc", 750_001)],
            "base64 encoded secret content for key \"abc\" too large: 1000004 bytes",
        );
        let b64 = format!("abc#base64={}", "A".repeat(1_000_001));
        refused(
            h,
            "secret-add",
            &[&b64],
            "base64 encoded secret content for key \"abc\" too large: 1000001 bytes",
        );
        // The key's syntax is checked first now.
        refused(h, "secret-add", &[&kv("Bad", 900_000)], "key \"Bad\" not valid");
    });
    assert_eq!(st.secrets().len(), 2);
}

#[test]
fn row5_limits_total_secret_add_3_6_8_is_64_kib_of_values_as_given() {
    let nine: Vec<String> = (1..=9).map(|i| kv(&format!("key{i}"), 8000)).collect();
    let nine: Vec<&str> = nine.iter().map(String::as_str).collect();
    let st = at(BEFORE, |h| {
        assert_eq!(h.run("secret-add", &nine[..8]).code, 0, "64000 bytes fit");
        refused(h, "secret-add", &nine, "secret content too large: 72000 bytes");
    });
    assert_eq!(st.secrets().len(), 1);
    let st = at(AFTER, |h| assert_eq!(h.run("secret-add", &nine).code, 0, "72000 bytes fit"));
    assert_eq!(st.secrets().len(), 1);
}

#[test]
fn row5_limits_total_secret_add_3_6_9_is_1_mb_of_base64() {
    let (a, b) = (kv("abc", 400_000), kv("def", 400_000));
    let st = at(AFTER, |h| {
        assert_eq!(h.run("secret-add", &[&a]).code, 0);
        refused(
            h,
            "secret-add",
            &[&a, &b],
            "base64 encoded secret content too large: 1066672 bytes",
        );
    });
    assert_eq!(st.secrets().len(), 1);
}

#[test]
fn row5_limits_secret_set_has_the_same_rules_and_keeps_the_revision() {
    for (version, value, err) in [
        (BEFORE, 8193, "secret content for key \"abc\" too large: 8193 bytes"),
        (AFTER, 750_001, "base64 encoded secret content for key \"abc\" too large: 1000004 bytes"),
    ] {
        let mut st = state().with_juju_version(version);
        let id = st.add_secret(Owner::App, Some("ca"), bag(&[("abc", "1")]));
        run(&mut st, 0, &Event::UpdateStatus, |h| {
            refused(h, "secret-set", &[&id, &kv("abc", value)], err);
            0
        });
        let s = st.secret(&id).unwrap();
        assert_eq!(s.revisions.len(), 1, "{version}: nothing buffered");
        run(&mut st, 0, &Event::UpdateStatus, |h| {
            // Just under the limit is a new revision on both.
            let fits = if version == BEFORE { 8192 } else { 750_000 };
            assert_eq!(h.run("secret-set", &[&id, &kv("abc", fits)]).code, 0);
            0
        });
        assert_eq!(st.secret(&id).unwrap().revisions.len(), 2, "{version}");
    }
    let nine: Vec<String> = (1..=9).map(|i| kv(&format!("key{i}"), 8000)).collect();
    let mut st = state().with_juju_version(BEFORE);
    let id = st.add_secret(Owner::App, None, bag(&[("abc", "1")]));
    run(&mut st, 0, &Event::UpdateStatus, |h| {
        let mut args = vec![id.as_str()];
        args.extend(nine.iter().map(String::as_str));
        refused(h, "secret-set", &args, "secret content too large: 72000 bytes");
        0
    });
    st.set_juju_version(AFTER);
    run(&mut st, 0, &Event::UpdateStatus, |h| {
        let mut args = vec![id.as_str()];
        args.extend(nine.iter().map(String::as_str));
        assert_eq!(h.run("secret-set", &args).code, 0);
        0
    });
    assert_eq!(st.secret(&id).unwrap().latest().unwrap().content.len(), 9);
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

#[test]
fn row5_limits_key_file_is_refused_by_its_size_before_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let big = write(dir.path(), "ca-key", &"k".repeat(8193));
    let arg = format!("ca-key#file={big}");
    let st = at(BEFORE, |h| {
        let err = format!("secret content in file {big:?} too large: 8193 bytes");
        refused(h, "secret-add", &[&arg], &err);
        let id = h.ok("secret-add", &["abc=1"]);
        refused(h, "secret-set", &[id.trim_end(), &arg], &err);
    });
    assert_eq!(st.secrets()[0].latest().unwrap().content, bag(&[("abc", "1")]));
    let st = at(AFTER, |h| assert_eq!(h.run("secret-add", &[&arg]).code, 0));
    assert_eq!(st.secrets()[0].latest().unwrap().content["ca-key"].len(), 8193);
    // 3.6.9: a file within 1000000 bytes whose encoding is not.
    let huge = write(dir.path(), "huge", &"k".repeat(800_000));
    at(AFTER, |h| {
        refused(
            h,
            "secret-add",
            &[&format!("ca-key#file={huge}")],
            "base64 encoded secret content for key \"ca-key\" too large: 1066668 bytes",
        );
    });
}

#[test]
fn row5_limits_file_flag_is_its_own_set_with_its_own_total() {
    let dir = tempfile::tempdir().unwrap();
    // 9 values of 8000 bytes as YAML: 72000 values, 72000+ bytes of file.
    let yaml: String = (1..=9).map(|i| format!("key{i}: {}\n", "x".repeat(8000))).collect();
    let big = write(dir.path(), "big.yaml", &yaml);
    let size = yaml.len();
    // 8 values of 8000 bytes: under 64 KiB as a file, 64000 bytes of values.
    let yaml8: String = (1..=8).map(|i| format!("key{i}: {}\n", "x".repeat(8000))).collect();
    let fits = write(dir.path(), "fits.yaml", &yaml8);
    let st = at(BEFORE, |h| {
        let err = format!("secret content in file {big:?} too large: {size} bytes");
        refused(h, "secret-add", &["--file", &big], &err);
        // The arguments and the file are checked apart: 8000 + 64000 bytes pass.
        let o = h.run("secret-add", &["--file", &fits, &kv("more", 8000)]);
        assert_eq!(o.code, 0, "{o:?}");
    });
    assert_eq!(st.secrets().len(), 1);
    assert_eq!(st.secrets()[0].latest().unwrap().content.len(), 9);
    let st = at(AFTER, |h| assert_eq!(h.run("secret-add", &["--file", &big]).code, 0));
    assert_eq!(st.secrets()[0].latest().unwrap().content.len(), 9);
}

#[test]
fn row5_limits_5_kib_per_value_before_3_3_2_and_on_3_4_0() {
    for (version, limit) in
        [("3.1.8", 5120), ("3.3.1", 5120), ("3.3.3", 8192), ("3.4.0", 5120), ("3.4.1", 8192)]
    {
        at(version, |h| {
            assert_eq!(h.run("secret-add", &[&kv("abc", limit)]).code, 0, "{version}");
            refused(
                h,
                "secret-add",
                &[&kv("abc", limit + 1)],
                &format!("secret content for key \"abc\" too large: {} bytes", limit + 1),
            );
        });
    }
}

#[test]
fn row5_limits_apply_to_the_operators_user_secrets_too() {
    let big: BTreeMap<String, String> = bag(&[("ca-crt", &"x".repeat(8193))]);
    let mut st = state().with_juju_version(BEFORE);
    let err = st.try_add_user_secret("ca", big.clone()).unwrap_err();
    assert_eq!(err.to_string(), "secret: secret content for key \"ca-crt\" too large: 8193 bytes");
    let uri = st.add_user_secret("ca", bag(&[("ca-crt", "PEM")]));
    assert!(st.update_user_secret(&uri, big.clone()).is_err());
    st.set_juju_version(AFTER);
    assert_eq!(st.update_user_secret(&uri, big).unwrap(), 2);
}
