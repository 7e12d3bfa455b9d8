//! Hook benchmark: the compiled charm run as a whole process under the process-level simulator,
//! exactly as Juju runs it. Prints figures; asserts nothing (`cargo bench --bench hooks`).
//!
//! Each scenario runs in a child process of its own (this binary re-executed), so that the peak
//! RSS it reports, read with `getrusage(RUSAGE_CHILDREN)`, covers only that scenario's hooks.
//! That figure is the largest resident set of any process of the hook: `dispatch` or one of
//! the simulator's hook tools (the same binary), so it bounds `dispatch`'s own peak from above.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use juju_sim::{CharmFiles, CharmMeta, Event, Harness, State};

const RUNS: usize = 200;

fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_ckf-crypto"))
}

fn fresh_state() -> State {
    let f = ckf_crypto::files::METADATA;
    let meta = CharmMeta::from_yaml(f, ckf_crypto::files::CONFIG, ckf_crypto::files::ACTIONS)
        .expect("meta");
    State::new(meta, "ckf-crypto", "kubeflow")
}

fn harness(dir: &std::path::Path, state: State) -> Harness {
    let files = CharmFiles {
        metadata: ckf_crypto::files::METADATA.into(),
        config: ckf_crypto::files::CONFIG.into(),
        actions: ckf_crypto::files::ACTIONS.into(),
    };
    Harness::new(dir, &binary(), &binary(), files, state).expect("harness")
}

/// A leader that has run its first hooks and serves one v1 object-storage requirer.
fn reconciled_state() -> State {
    let dir = tempfile::tempdir().expect("tmp");
    let mut h = harness(dir.path(), fresh_state());
    for e in [Event::Install, Event::LeaderElected, Event::ConfigChanged, Event::Start] {
        must(&mut h, e);
    }
    let id = h.state_mut().add_relation("object-storage", "kfp-api", 1);
    h.state_mut()
        .set_remote_app_data(id, BTreeMap::from([("_supported_versions".into(), "- v1\n".into())]));
    must(&mut h, Event::RelationChanged { id, unit: Some("kfp-api/0".into()) });
    h.state().clone()
}

fn must(h: &mut Harness, e: Event) -> (Duration, usize) {
    let t = Instant::now();
    let out = h.run(0, &e).expect("run");
    let wall = t.elapsed();
    assert_eq!(out.exit_code, Some(0), "{e:?}: {}", out.stderr);
    (out.elapsed.unwrap_or(wall), out.calls.len())
}

/// Runs one scenario in this process and prints `wall-ns calls` lines.
fn child(scenario: &str) {
    let mut samples = Vec::new();
    match scenario {
        "update-status" => {
            // The reconciled state was prepared by the parent, so only the measured hooks are
            // children of this process.
            let path = std::env::var("CKF_BENCH_STATE").expect("state path");
            let state: State =
                serde_json::from_slice(&std::fs::read(path).expect("state")).expect("json");
            let dir = tempfile::tempdir().expect("tmp");
            let mut h = harness(dir.path(), state);
            for _ in 0..RUNS {
                samples.push(must(&mut h, Event::UpdateStatus));
            }
        }
        "install" => {
            for _ in 0..RUNS / 4 {
                let dir = tempfile::tempdir().expect("tmp");
                let mut h = harness(dir.path(), fresh_state());
                samples.push(must(&mut h, Event::Install));
            }
        }
        other => panic!("unknown scenario {other}"),
    }
    let rss = nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_CHILDREN)
        .expect("getrusage");
    for (wall, calls) in samples {
        println!("{} {calls}", wall.as_nanos());
    }
    println!("rss {}", rss.max_rss());
}

fn main() {
    if let Ok(scenario) = std::env::var("CKF_BENCH_SCENARIO") {
        child(&scenario);
        return;
    }
    println!("ckf-crypto hook benchmark: whole dispatch process under the process-level simulator");
    println!("(binary: {}, {} runs per scenario)\n", binary().display(), RUNS);
    let state_file = tempfile::NamedTempFile::new().expect("tmp");
    std::fs::write(state_file.path(), serde_json::to_vec(&reconciled_state()).expect("json"))
        .expect("write");
    println!(
        "{:<34} {:>10} {:>10} {:>10} {:>14} {:>8}",
        "scenario", "median", "p90", "min", "peak RSS", "calls"
    );
    for (scenario, label) in [
        ("update-status", "update-status (reconciled leader)"),
        ("install", "install (fresh leader)"),
    ] {
        let out = Command::new(std::env::current_exe().expect("exe"))
            .env("CKF_BENCH_SCENARIO", scenario)
            .env("CKF_BENCH_STATE", state_file.path())
            .output()
            .expect("child");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8_lossy(&out.stdout);
        let mut walls = Vec::new();
        let mut calls = 0;
        let mut rss_kib = 0;
        for line in text.lines() {
            let mut it = line.split_whitespace();
            match (it.next(), it.next()) {
                (Some("rss"), Some(v)) => rss_kib = v.parse().expect("rss"),
                (Some(w), Some(c)) => {
                    walls.push(w.parse::<u64>().expect("ns"));
                    calls = c.parse().expect("calls");
                }
                _ => {}
            }
        }
        walls.sort_unstable();
        let ms = |ns: u64| format!("{:.2} ms", ns as f64 / 1e6);
        println!(
            "{:<34} {:>10} {:>10} {:>10} {:>10.1} MiB {:>8}",
            label,
            ms(walls[walls.len() / 2]),
            ms(walls[walls.len() * 9 / 10]),
            ms(walls[0]),
            rss_kib as f64 / 1024.0,
            calls
        );
    }
}
