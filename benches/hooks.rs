//! Hook benchmark: the compiled charm run as a whole process under the process-level simulator,
//! exactly as Juju runs it, against a fake Kubernetes API server on loopback. Prints figures;
//! asserts nothing (`cargo bench --bench hooks`).
//!
//! Process layout, so that the peak RSS reported covers only the measured hooks: the bench
//! spawns one *scenario* process per scenario, which starts the fake API server and prepares
//! the model (e.g. a reconciled leader), then spawns a *measure* process that runs only the
//! measured hooks and reads `getrusage(RUSAGE_CHILDREN)`. That figure is the largest resident
//! set of any process of those hooks, `dispatch` or one of the simulator's hook tools, so it
//! bounds `dispatch`'s own peak from above.
//!
//! The hook tools are the simulator's own `juju-sim` binary (built by this bench with cargo),
//! as a Juju unit's tools are Juju's `jujuc`, not the charm: their cost is the platform's. The
//! charm is `ckf-crypto-dispatch`, the binary the `.charm` ships as `dispatch`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use juju_sim::{CharmFiles, CharmMeta, Event, Harness, State};

const RUNS: usize = 200;
const INSTALL_RUNS: usize = 20;
const TLS_RUNS: usize = 5;
/// The Python ops charm's runs (its install takes seconds).
const PY_RUNS: usize = 20;
const PY_INSTALL_RUNS: usize = 5;

/// The Python counterpart (bench/python-charm), run through the same harness.
fn py_charm_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/python-charm")
}

/// The interpreter for the Python charm: `CKF_BENCH_PYTHON`, else the repository's `.venv`.
fn py_interpreter() -> PathBuf {
    std::env::var_os("CKF_BENCH_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python3"))
}

/// Why the Python charm cannot run, if it cannot (no interpreter, or ops/cryptography/bcrypt
/// missing from it).
fn py_unavailable() -> Option<String> {
    let py = py_interpreter();
    let out = Command::new(&py)
        .args(["-c", "import ops, cryptography, bcrypt; print(ops.__version__)"])
        .output();
    match out {
        Ok(o) if o.status.success() => None,
        Ok(o) => Some(format!(
            "{} cannot import ops, cryptography and bcrypt: {}",
            py.display(),
            String::from_utf8_lossy(&o.stderr).trim()
        )),
        Err(e) => Some(format!("no Python interpreter at {}: {e}", py.display())),
    }
}

fn py_files() -> CharmFiles {
    let read =
        |name: &str| std::fs::read_to_string(py_charm_dir().join(name)).expect("python charm file");
    CharmFiles {
        metadata: read("metadata.yaml"),
        config: read("config.yaml"),
        actions: read("actions.yaml"),
    }
}

fn py_state() -> State {
    let f = py_files();
    let meta = CharmMeta::from_yaml(&f.metadata, &f.config, &f.actions).expect("meta");
    let mut state = State::new(meta, "bench-python-charm", "kubeflow");
    let py = std::path::absolute(py_interpreter()).expect("absolute");
    state.agent_env.insert("CKF_BENCH_PYTHON".into(), py.display().to_string());
    state
}

fn py_harness(dir: &Path, state: State) -> Harness {
    let dispatch = py_charm_dir().join("dispatch");
    Harness::new(dir, &dispatch, &tools_binary(), py_files(), state).expect("harness")
}

/// `n` requirer applications on `certificates`, each with one CSR (ECDSA, made by rcgen).
fn add_requirers(state: &mut State, n: usize) {
    for i in 0..n {
        let app = format!("requirer{i}");
        let id = state.add_relation("certificates", &app, 1);
        let key = rcgen::KeyPair::generate().expect("key");
        let name = format!("{app}.kubeflow.svc");
        let params = rcgen::CertificateParams::new(vec![name]).expect("params");
        let csr = params.serialize_request(&key).expect("csr").pem().expect("pem");
        let list = serde_json::json!([{"certificate_signing_request": csr.trim(), "ca": false}]);
        let bag = BTreeMap::from([("certificate_signing_requests".to_owned(), list.to_string())]);
        state.set_remote_unit_data(&id, &format!("{app}/0"), bag);
    }
}

/// The charm binary the hooks run: the one cargo built for this bench, or `CKF_BENCH_DISPATCH`
/// (the order-file generator runs copies built with symbols).
fn binary() -> PathBuf {
    std::env::var_os("CKF_BENCH_DISPATCH")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_ckf-crypto-dispatch")))
}

/// The hook tools: `CKF_BENCH_TOOLS`, else the simulator's own multi-call binary next to
/// ckf-crypto in the same profile directory.
fn tools_binary() -> PathBuf {
    std::env::var_os("CKF_BENCH_TOOLS").map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_BIN_EXE_ckf-crypto")).with_file_name("juju-sim")
    })
}

/// The target musl hook tools are built for, when it is installed.
const MUSL: &str = "x86_64-unknown-linux-musl";

/// The simulator's hook-tool client (`juju-sim`), built with cargo and copied into `dir`:
/// linked with glibc (the host target's static glibc), and with musl when that target is
/// installed. Each simulated tool call is a process start, and a static glibc process spends
/// about a third of a millisecond at start-up on this machine's virtual CPU (its CPU-feature and
/// cache detection, every `cpuid` of which leaves the VM), a musl one almost nothing; the tool
/// stands for Juju's `jujuc`, so its cost is the platform's, not the charm's. Returns the glibc
/// build and the musl one, if any.
fn build_tools_binaries(dir: &Path) -> (PathBuf, Option<PathBuf>) {
    let build = |target| cargo_build_release("juju-sim", "juju-sim", target, false);
    let release_dir = PathBuf::from(env!("CARGO_BIN_EXE_ckf-crypto"));
    let release_dir = release_dir.parent().expect("release directory");
    assert!(build(None), "juju-sim built for the host");
    let copy = |from: PathBuf, name: &str| {
        let to = dir.join(name).join("juju-sim");
        std::fs::create_dir_all(to.parent().expect("dir")).expect("mkdir");
        std::fs::copy(&from, &to).expect("copy juju-sim");
        to
    };
    let glibc = copy(release_dir.join("juju-sim"), "glibc");
    let installed = Command::new("rustup").args(["target", "list", "--installed"]).output();
    let has_musl = installed.is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains(MUSL));
    // <target dir>/<host triple>/release/ckf-crypto → <target dir>/<musl>/release/juju-sim.
    let musl = (has_musl && build(Some(MUSL))).then(|| {
        let target_dir = release_dir.parent().and_then(Path::parent).expect("target directory");
        copy(target_dir.join(MUSL).join("release/juju-sim"), "musl")
    });
    (glibc, musl)
}

/// `cargo build --release` of `package`'s binary `bin`, for `target` (else the host), with
/// `CKF_KEEP_SYMBOLS` if `symbols`; whether it succeeded.
fn cargo_build_release(package: &str, bin: &str, target: Option<&str>, symbols: bool) -> bool {
    let mut cmd = Command::new(env!("CARGO"));
    cmd.args(["build", "--release", "--quiet", "--locked", "-p", package, "--bin", bin]);
    if let Some(t) = target {
        cmd.args(["--target", t]);
    }
    if symbols {
        cmd.env("CKF_KEEP_SYMBOLS", "1");
    }
    cmd.current_dir(env!("CARGO_MANIFEST_DIR")).status().is_ok_and(|s| s.success())
}

/// Builds the charm as it ships (`cargo build --release`, what `pack` puts in the .charm; with
/// its symbol table if `symbols`, otherwise the same binary stripped) and copies it into `dir`.
/// The bench measures that binary rather than the one cargo built for the bench: the bench
/// profile and the dev-dependency's feature give every symbol another name, and the release
/// binary's names are the ones `link/dispatch.order` lays out.
fn build_release_binary(dir: &Path, symbols: bool) -> PathBuf {
    let dispatch = "ckf-crypto-dispatch";
    assert!(cargo_build_release("ckf-crypto", dispatch, None, symbols), "cargo build --release");
    // Both profiles write this path; the copy is the release one whatever runs next.
    let built = PathBuf::from(env!("CARGO_BIN_EXE_ckf-crypto-dispatch"));
    let copy = dir.join(dispatch);
    std::fs::copy(&built, &copy).expect("copy the release binary");
    copy
}

fn fresh_state(kubeconfig: &Path, key_algorithm: &str) -> State {
    let f = ckf_crypto::files::METADATA;
    let meta = CharmMeta::from_yaml(f, ckf_crypto::files::CONFIG, ckf_crypto::files::ACTIONS)
        .expect("meta");
    let mut state = State::new(meta, "ckf-crypto", "kubeflow");
    state.agent_env.insert("KUBECONFIG".into(), kubeconfig.display().to_string());
    state.set_config("key-algorithm", serde_json::json!(key_algorithm)).expect("config");
    state
}

fn harness(dir: &Path, state: State) -> Harness {
    let files = CharmFiles {
        metadata: ckf_crypto::files::METADATA.into(),
        config: ckf_crypto::files::CONFIG.into(),
        actions: ckf_crypto::files::ACTIONS.into(),
    };
    Harness::new(dir, &binary(), &tools_binary(), files, state).expect("harness")
}

fn must(h: &mut Harness, e: Event) -> (Duration, usize) {
    let t = Instant::now();
    let out = h.run(0, &e).expect("run");
    let wall = t.elapsed();
    assert_eq!(out.exit_code, Some(0), "{e:?}: {}", out.stderr);
    (out.elapsed.unwrap_or(wall), out.calls.len())
}

/// The Python charm's scenario process: prepared state, then the measure process.
fn py_scenario(name: &str) {
    let dir = tempfile::tempdir().expect("tmp");
    let mut state = py_state();
    if name == "py-config-noop" {
        state.set_config("static-password", serde_json::json!("bench-password-0")).expect("cfg");
    }
    if name != "py-install" {
        let mut h = py_harness(&dir.path().join("setup"), state);
        for e in [Event::Install, Event::LeaderElected, Event::ConfigChanged, Event::Start] {
            must(&mut h, e);
        }
        state = h.state().clone();
        assert!(state.secret_by_label("bench-crypto").is_some(), "python charm made its secret");
    }
    let state_file = dir.path().join("state.json");
    std::fs::write(&state_file, serde_json::to_vec(&state).expect("json")).expect("write");
    let out = Command::new(std::env::current_exe().expect("exe"))
        .env("CKF_BENCH_MEASURE", name)
        .env("CKF_BENCH_STATE", &state_file)
        .output()
        .expect("measure process");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    print!("{}", String::from_utf8_lossy(&out.stdout));
}

/// Scenario process: fake API server, prepared state, then the measure process.
fn scenario(name: &str) {
    if name.starts_with("py-") {
        return py_scenario(name);
    }
    let kube = kube_fake::FakeKube::start().expect("fake API server");
    for mut cfg in ckf_crypto::demo::ckf_webhook_configs() {
        // Opted in (the README's "caBundle injection"), as a deployment that moved its webhooks to
        // ckf-crypto: every install run (a fresh model against this same cluster) then injects its
        // own CA again, instead of finding the previous run's CA and holding the configuration.
        let name = cfg["metadata"]["name"].as_str().unwrap_or_default();
        let entry = match name {
            "admission-webhook" => "admission-webhook",
            "katib.kubeflow.org" => "katib-controller",
            n if n.starts_with("pvcviewer") => "pvcviewer-operator",
            _ => "kserve-controller",
        };
        cfg["metadata"]["annotations"] =
            serde_json::json!({ckf_crypto::k8s::INJECT_CA_FROM: entry});
        kube.put(cfg);
    }
    let dir = tempfile::tempdir().expect("tmp");
    let kubeconfig = dir.path().join("kubeconfig");
    kube.write_kubeconfig(&kubeconfig, "kubeflow").expect("kubeconfig");
    let (alg, measure) = match name {
        "update-status" => ("rsa-2048", "update-status"),
        "config-noop" => ("rsa-2048", "config-changed-noop"),
        "dex-rehash" => ("rsa-2048", "config-changed-rehash"),
        "install-rsa" => ("rsa-2048", "install"),
        "install-ecdsa" => ("ecdsa-p256", "install"),
        "tls-100-first" => ("ecdsa-p256", "config-changed-once"),
        "tls-100-noop" => ("ecdsa-p256", "update-status-short"),
        "tls-10-noop" => ("ecdsa-p256", "update-status-short"),
        other => panic!("unknown scenario {other}"),
    };
    let mut state = fresh_state(&kubeconfig, alg);
    // A Dex static password is configured (bcrypt cost 12, the default).
    state.set_config("static-password", serde_json::json!("bench-password-0")).expect("config");
    if name.starts_with("tls-100") {
        add_requirers(&mut state, 100);
    } else if name.starts_with("tls-10") {
        add_requirers(&mut state, 10);
    }
    if measure != "install" && measure != "config-changed-once" {
        let mut h = harness(&dir.path().join("setup"), state);
        for e in [Event::Install, Event::LeaderElected, Event::ConfigChanged, Event::Start] {
            must(&mut h, e);
        }
        let id = h.state_mut().add_relation("object-storage", "kfp-api", 1);
        h.state_mut().set_remote_app_data(
            &id,
            BTreeMap::from([("_supported_versions".into(), "- v1\n".into())]),
        );
        must(&mut h, Event::RelationChanged { id: id.clone(), unit: Some("kfp-api/0".into()) });
        state = h.state().clone();
    }
    let state_file = dir.path().join("state.json");
    std::fs::write(&state_file, serde_json::to_vec(&state).expect("json")).expect("write");
    kube.clear_requests();
    let out = Command::new(std::env::current_exe().expect("exe"))
        .env("CKF_BENCH_MEASURE", measure)
        .env("CKF_BENCH_STATE", &state_file)
        .output()
        .expect("measure process");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    print!("{}", String::from_utf8_lossy(&out.stdout));
    println!("k8s-writes {}", kube.writes().len());
}

/// Measure process: only the measured hooks are its children.
fn measure(what: &str) {
    let path = std::env::var("CKF_BENCH_STATE").expect("state path");
    let state: State = serde_json::from_slice(&std::fs::read(path).expect("state")).expect("json");
    if let Some(out) = std::env::var_os("CKF_BENCH_CALLGRIND") {
        return profile(what, state, Path::new(&out));
    }
    let mut samples = Vec::new();
    let mut usage = None;
    let mut instructions = None;
    if what == "py-update-status" || what == "py-config-noop" {
        let dir = tempfile::tempdir().expect("tmp");
        let mut h = py_harness(dir.path(), state);
        let e = if what == "py-update-status" { Event::UpdateStatus } else { Event::ConfigChanged };
        for _ in 0..PY_RUNS {
            samples.push(must(&mut h, e.clone()));
        }
        assert_eq!(h.state().unit_status(0).0, "active", "python charm active");
        assert_eq!(h.state().secrets().len(), 1, "python charm read its secret");
        // Nothing changed: no new revision, so no bcrypt ran.
        assert_eq!(h.state().secrets()[0].revisions.len(), 1, "python charm re-hashed");
    } else if what == "py-install" {
        for _ in 0..PY_INSTALL_RUNS {
            let dir = tempfile::tempdir().expect("tmp");
            let mut h = py_harness(dir.path(), state.clone());
            samples.push(must(&mut h, Event::Install));
            let secret = h.state().secret_by_label("bench-crypto").expect("python charm secret");
            let content = &secret.latest().expect("revision").content;
            assert!(content.contains_key("password-hash") && content.contains_key("ca-cert"));
            assert_eq!(h.state().unit_status(0).0, "active", "python charm active");
        }
    } else if what == "config-changed-noop" {
        // Nothing changed since the last config-changed: the Dex hash is current, no bcrypt.
        let dir = tempfile::tempdir().expect("tmp");
        let mut h = harness(dir.path(), state);
        for _ in 0..INSTALL_RUNS {
            samples.push(must(&mut h, Event::ConfigChanged));
        }
    } else if what == "update-status" {
        let dir = tempfile::tempdir().expect("tmp");
        let mut h = harness(dir.path(), state);
        for _ in 0..RUNS {
            samples.push(must(&mut h, Event::UpdateStatus));
        }
        // The usage of the timed hooks only, before callgrind's run.
        usage = Some(children_usage());
        instructions = dispatch_instructions(&mut h, dir.path());
    } else if what == "update-status-short" {
        let dir = tempfile::tempdir().expect("tmp");
        let mut h = harness(dir.path(), state);
        for _ in 0..TLS_RUNS {
            samples.push(must(&mut h, Event::UpdateStatus));
        }
    } else if what == "config-changed-once" {
        // The first hook after 100 requirers wrote their CSRs: it signs them all.
        for _ in 0..TLS_RUNS {
            let dir = tempfile::tempdir().expect("tmp");
            let mut h = harness(dir.path(), state.clone());
            samples.push(must(&mut h, Event::Install));
        }
    } else if what == "config-changed-rehash" {
        // Each run changes the password, so each config-changed runs bcrypt once.
        let dir = tempfile::tempdir().expect("tmp");
        let mut h = harness(dir.path(), state);
        for i in 1..=INSTALL_RUNS {
            let pw = serde_json::json!(format!("bench-password-{i}"));
            h.state_mut().set_config("static-password", pw).expect("config");
            samples.push(must(&mut h, Event::ConfigChanged));
        }
    } else {
        for _ in 0..INSTALL_RUNS {
            let dir = tempfile::tempdir().expect("tmp");
            let mut h = harness(dir.path(), state.clone());
            samples.push(must(&mut h, Event::Install));
        }
    }
    let rss = usage.unwrap_or_else(children_usage);
    for (wall, calls) in samples {
        println!("{} {calls}", wall.as_nanos());
    }
    if let Some(n) = instructions {
        println!("instructions {n}");
    }
    println!("rss {}", rss.max_rss());
    let cpu =
        |t: nix::sys::time::TimeVal| t.tv_sec() as u64 * 1_000_000_000 + t.tv_usec() as u64 * 1000;
    println!("cpu {}", cpu(rss.user_time()) + cpu(rss.system_time()));
}

fn children_usage() -> nix::sys::resource::Usage {
    nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_CHILDREN).expect("getrusage")
}

/// Instructions the `dispatch` process alone executes in one more no-op hook, counted by
/// callgrind (deterministic, unlike times; `None` without valgrind). `dispatch` is replaced
/// by a script that runs the same binary under valgrind; the hook tools are not counted.
fn dispatch_instructions(h: &mut Harness, dir: &Path) -> Option<u64> {
    let found = Command::new("valgrind").arg("--version").output();
    if !found.is_ok_and(|o| o.status.success()) {
        return None;
    }
    let out = dir.join("callgrind.out");
    under_callgrind(h, &out, "")?;
    must(h, Event::UpdateStatus);
    // `CKF_BENCH_CALLGRIND_OUT=path` keeps the profile, for `callgrind_annotate`.
    if let Some(keep) = std::env::var_os("CKF_BENCH_CALLGRIND_OUT") {
        std::fs::copy(&out, keep).ok()?;
    }
    let text = std::fs::read_to_string(&out).ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix("summary: ").or_else(|| l.strip_prefix("totals: ")))?
        .trim()
        .parse()
        .ok()
}

/// Replaces `dispatch` by a script that runs the same binary under callgrind, writing `out`.
fn under_callgrind(h: &Harness, out: &Path, options: &str) -> Option<()> {
    use std::os::unix::fs::PermissionsExt;
    let dispatch = h.charm_dir().join("dispatch");
    std::fs::remove_file(&dispatch).ok()?;
    let script = format!(
        "#!/bin/sh\nexec valgrind --tool=callgrind {options} --callgrind-out-file={} {} \"$@\"\n",
        out.display(),
        binary().display()
    );
    std::fs::write(&dispatch, script).ok()?;
    std::fs::set_permissions(&dispatch, std::fs::Permissions::from_mode(0o755)).ok()
}

/// Profile mode of a measure process (`CKF_BENCH_CALLGRIND=out`): one hook of `what` under
/// callgrind, with mangled names (what the linker's ordering file lists), nothing timed.
fn profile(what: &str, state: State, out: &Path) {
    let dir = tempfile::tempdir().expect("tmp");
    let mut h = harness(dir.path(), state);
    under_callgrind(&h, out, "--demangle=no").expect("callgrind wrapper");
    let event = match what {
        "update-status" | "update-status-short" => Event::UpdateStatus,
        "config-changed-noop" => Event::ConfigChanged,
        "config-changed-rehash" => {
            h.state_mut()
                .set_config("static-password", serde_json::json!("bench-password-1"))
                .expect("config");
            Event::ConfigChanged
        }
        _ => Event::Install,
    };
    must(&mut h, event);
}

/// The scenarios whose hooks lay out the binary, most frequent first: the functions of the
/// no-op hooks come first in `link/dispatch.order`, then those only issuing runs.
const ORDER_SCENARIOS: [&str; 7] = [
    "update-status",
    "config-noop",
    "tls-10-noop",
    "install-rsa",
    "install-ecdsa",
    "dex-rehash",
    "tls-100-first",
];

/// `cargo bench --bench hooks -- --write-order-file`: profiles the hooks of
/// [`ORDER_SCENARIOS`] under callgrind in the release binary built with its symbols, and writes
/// the functions they run to `link/dispatch.order`, which build.rs hands to the linker; then
/// builds the release binary again, stripped and laid out by the new file.
fn write_order_file() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir().expect("tmp");
    let bin = build_release_binary(tmp.path(), true);
    let mut names: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for scenario in ORDER_SCENARIOS {
        let out = tmp.path().join("callgrind.out");
        let run = Command::new(std::env::current_exe().expect("exe"))
            .env("CKF_BENCH_SCENARIO", scenario)
            .env("CKF_BENCH_DISPATCH", &bin)
            .env("CKF_BENCH_CALLGRIND", &out)
            .output()
            .expect("scenario process");
        assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
        let text = std::fs::read_to_string(&out).expect("callgrind output");
        let new: Vec<String> =
            callgrind_functions(&text).into_iter().filter(|n| seen.insert(n.clone())).collect();
        println!("{scenario}: {} functions not run before", new.len());
        names.extend(new);
    }
    let header = format!(
        "# The functions the hooks of benches/hooks.rs run in the release build of ckf-crypto, \
         the no-op hooks' first\n# ({}), each group by name. Generated by `cargo bench --bench \
         hooks -- --write-order-file`;\n# build.rs passes it to the linker \
         (--symbol-ordering-file).\n",
        ORDER_SCENARIOS.join(", ")
    );
    let path = root.join("link/dispatch.order");
    std::fs::create_dir_all(root.join("link")).expect("link/");
    std::fs::write(&path, header + &names.join("\n") + "\n").expect("write order file");
    println!("wrote {} ({} functions)", path.display(), names.len());
    build_release_binary(tmp.path(), false);
}

/// The names of the functions a callgrind profile (`--demangle=no`) saw run in the binary.
fn callgrind_functions(text: &str) -> Vec<String> {
    let mut names = std::collections::BTreeSet::new();
    for line in text.lines() {
        // `fn=(id) name` or `cfn=(id) name` the first time a function appears.
        let Some(rest) = line.strip_prefix("fn=(").or_else(|| line.strip_prefix("cfn=(")) else {
            continue;
        };
        // A recursion level is marked `name'2`; `(below main)` and bare addresses are no symbols.
        let name = rest.split_once(") ").map(|(_, n)| n.split('\'').next().unwrap_or(n).trim());
        if let Some(name) = name.filter(|n| !n.starts_with(['(', '0']) && !n.contains(' ')) {
            names.insert(name.to_owned());
        }
    }
    names.into_iter().collect()
}

struct Figures {
    walls: Vec<u64>,
    /// Instructions of one `dispatch` under callgrind (the no-op update-status only).
    instructions: Option<u64>,
    calls: usize,
    rss_kib: i64,
    /// User + system CPU time of all the measured hooks' processes, nanoseconds.
    cpu_ns: u64,
    k8s_writes: usize,
}

impl Figures {
    fn median(&self) -> u64 {
        self.walls[self.walls.len() / 2]
    }

    fn cpu_per_hook(&self) -> u64 {
        self.cpu_ns / self.walls.len().max(1) as u64
    }
}

fn run_scenario(name: &str, dispatch: &Path, tools: &Path) -> Figures {
    let out = Command::new(std::env::current_exe().expect("exe"))
        .env("CKF_BENCH_SCENARIO", name)
        .env("CKF_BENCH_DISPATCH", dispatch)
        .env("CKF_BENCH_TOOLS", tools)
        .output()
        .expect("scenario process");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut f = Figures {
        walls: Vec::new(),
        instructions: None,
        calls: 0,
        rss_kib: 0,
        cpu_ns: 0,
        k8s_writes: 0,
    };
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let mut it = line.split_whitespace();
        match (it.next(), it.next()) {
            (Some("rss"), Some(v)) => f.rss_kib = v.parse().expect("rss"),
            (Some("cpu"), Some(v)) => f.cpu_ns = v.parse().expect("cpu"),
            (Some("k8s-writes"), Some(v)) => f.k8s_writes = v.parse().expect("writes"),
            (Some("instructions"), Some(v)) => f.instructions = v.parse().ok(),
            (Some(w), Some(c)) => {
                f.walls.push(w.parse().expect("ns"));
                f.calls = c.parse().expect("calls");
            }
            _ => {}
        }
    }
    f.walls.sort_unstable();
    f
}

fn ms(ns: u64) -> String {
    format!("{:.2} ms", ns as f64 / 1e6)
}

fn main() {
    if let Ok(what) = std::env::var("CKF_BENCH_MEASURE") {
        return measure(&what);
    }
    if let Ok(name) = std::env::var("CKF_BENCH_SCENARIO") {
        return scenario(&name);
    }
    let dir = tempfile::tempdir().expect("tmp");
    let (glibc_tools, musl_tools) = build_tools_binaries(dir.path());
    if std::env::args().any(|a| a == "--write-order-file") {
        return write_order_file();
    }
    let dispatch = build_release_binary(dir.path(), false);
    let tools = musl_tools.clone().unwrap_or_else(|| glibc_tools.clone());
    println!(
        "ckf-crypto hook benchmark: whole dispatch process under the process-level simulator,"
    );
    println!(
        "against a fake Kubernetes API server on loopback (binary: ckf-crypto-dispatch from `cargo build --release`, {:.1} \
         MiB; hook tools: juju-sim built for {})\n",
        std::fs::metadata(&dispatch).map(|m| m.len()).unwrap_or(0) as f64 / 1048576.0,
        if musl_tools.is_some() {
            MUSL.to_owned()
        } else {
            format!("the host with glibc ({MUSL} is not installed)")
        }
    );
    println!(
        "{:<44} {:>5} {:>10} {:>10} {:>10} {:>10} {:>12} {:>6} {:>10}",
        "scenario", "runs", "median", "p90", "min", "CPU/hook", "peak RSS", "calls", "k8s writes"
    );
    let mut install = BTreeMap::new();
    let mut rust = BTreeMap::new();
    let glibc_row = musl_tools
        .is_some()
        .then_some(("update-status-glibc", "update-status (no-op), glibc hook tools"));
    for (name, label) in [
        ("update-status", "update-status (no-op; Dex password set)"),
        ("config-noop", "config-changed, nothing changed"),
        ("dex-rehash", "config-changed, new Dex password (bcrypt 12)"),
        ("install-rsa", "install (CA + 4 leaves, rsa-2048)"),
        ("install-ecdsa", "install (CA + 4 leaves, ecdsa-p256)"),
        ("tls-100-first", "install with 100 tls requirers (signs 100)"),
        ("tls-10-noop", "update-status, 10 tls requirers (no-op)"),
        ("tls-100-noop", "update-status, 100 tls requirers (no-op)"),
    ]
    .into_iter()
    .chain(glibc_row)
    {
        let f = match name.strip_suffix("-glibc") {
            Some(scenario) => run_scenario(scenario, &dispatch, &glibc_tools),
            None => run_scenario(name, &dispatch, &tools),
        };
        let median = f.median();
        install.insert(name, median);
        println!(
            "{:<44} {:>5} {:>10} {:>10} {:>10} {:>10} {:>8.1} MiB {:>6} {:>10}",
            label,
            f.walls.len(),
            ms(median),
            ms(f.walls[f.walls.len() * 9 / 10]),
            ms(f.walls[0]),
            ms(f.cpu_per_hook()),
            f.rss_kib as f64 / 1024.0,
            f.calls,
            f.k8s_writes
        );
        rust.insert(name, f);
    }
    match rust.get("update-status").and_then(|f| f.instructions) {
        Some(n) => println!(
            "\nno-op update-status, the dispatch process alone under callgrind: {:.2} M instructions \
             (deterministic; the times above vary by a few percent from run to run)",
            n as f64 / 1e6
        ),
        None => println!("\n(valgrind not found: no instruction count)"),
    }
    // One bcrypt at cost 12, in process, for comparison with the re-hashing hook.
    let mut bcrypt_ns = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let _ = bcrypt::hash_with_salt("bench-password", 12, [7u8; 16]).expect("bcrypt");
        bcrypt_ns.push(t.elapsed().as_nanos() as u64);
    }
    bcrypt_ns.sort_unstable();
    println!(
        "\nbcrypt at cost 12, in process: median {}. The no-op update-status runs none; the \
         config-changed with a new password runs one.",
        ms(bcrypt_ns[bcrypt_ns.len() / 2])
    );

    // Key generation, in process: five keys per install (the CA and four leaves).
    let mut keygen = Vec::new();
    for _ in 0..40 {
        let t = Instant::now();
        let _ = ckf_crypto::certs::keys::generate_key(
            ckf_crypto::certs::KeyAlgorithm::Rsa2048,
            &mut ckf_crypto::random::OsEntropy,
        )
        .expect("keygen");
        keygen.push(t.elapsed().as_nanos() as u64);
    }
    keygen.sort_unstable();
    let per_key = keygen[keygen.len() / 2];
    println!(
        "\nRSA-2048 key generation, in process (40 keys): median {}, p90 {}. An install generates 5 keys \
         (the CA and 4 leaves): 5 x median = {}; the rsa-2048 install takes {} more than the \
         ecdsa-p256 one, whose keys take microseconds.",
        ms(per_key),
        ms(keygen[keygen.len() * 9 / 10]),
        ms(5 * per_key),
        ms(install["install-rsa"].saturating_sub(install["install-ecdsa"])),
    );

    python_side_by_side(&rust, &dispatch, &tools);
}

/// The second table: the Python ops charm (bench/python-charm) through the same harness and the
/// same measurement, and its ratio to ckf-crypto's figures.
fn python_side_by_side(rust: &BTreeMap<&str, Figures>, dispatch: &Path, tools: &Path) {
    println!("\nPython ops charm vs ckf-crypto (bench/python-charm through the same harness)");
    if let Some(why) = py_unavailable() {
        println!(
            "  skipped: {why}. Create the venv (python3 -m venv .venv && .venv/bin/pip install \
             -r tests/requirements.txt) or set CKF_BENCH_PYTHON to an interpreter with ops, \
             cryptography and bcrypt."
        );
        return;
    }
    println!(
        "{:<40} {:<16} {:>12} {:>12} {:>12}",
        "hook", "figure", "Python", "ckf-crypto", "Python/Rust"
    );
    for (py, rs, label) in [
        ("py-update-status", "update-status", "no-op hook (update-status)"),
        ("py-install", "install-rsa", "install (rsa-2048, bcrypt 12, secret)"),
        ("py-config-noop", "config-noop", "config-changed, password set, no change"),
    ] {
        let p = run_scenario(py, dispatch, tools);
        let r = &rust[rs];
        let mib = |kib: i64| kib as f64 / 1024.0;
        let rows: [(&str, String, String, f64); 4] = [
            (
                "wall (median)",
                ms(p.median()),
                ms(r.median()),
                p.median() as f64 / r.median() as f64,
            ),
            (
                "CPU (user+sys)",
                ms(p.cpu_per_hook()),
                ms(r.cpu_per_hook()),
                p.cpu_per_hook() as f64 / r.cpu_per_hook().max(1) as f64,
            ),
            (
                "peak RSS",
                format!("{:.1} MiB", mib(p.rss_kib)),
                format!("{:.1} MiB", mib(r.rss_kib)),
                p.rss_kib as f64 / r.rss_kib as f64,
            ),
            (
                "hook-tool calls",
                p.calls.to_string(),
                r.calls.to_string(),
                p.calls as f64 / r.calls.max(1) as f64,
            ),
        ];
        for (i, (figure, pv, rv, ratio)) in rows.into_iter().enumerate() {
            let hook = if i == 0 { label } else { "" };
            println!("{hook:<40} {figure:<16} {pv:>12} {rv:>12} {ratio:>11.1}x");
        }
        println!("{:<40} {:<16} {:>12} {:>12}", "", "runs", p.walls.len(), r.walls.len());
    }
}
