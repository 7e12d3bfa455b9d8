//! Independent bcrypt and YAML implementations to check ckf-crypto's Dex password against: Go's
//! `golang.org/x/crypto/bcrypt` and Dex's own YAML reading (what Dex runs), Python's `bcrypt` and
//! PyYAML (what the former Python charm ran), and apr-util's `htpasswd`. None of them is ours.
//!
//! Every password and hash goes to the tools on stdin, never on argv, and no helper prints one.
//! A missing tool panics with how to install it; `.ci/run` installs them all.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

use serde_json::{Value, json};

use crate::common::python;

const INSTALL_GO: &str = "run .ci/run or apt-get install golang-go golang-golang-x-crypto-dev \
                          golang-github-ghodss-yaml-dev";

/// Runs `cmd` with `input` on stdin and returns its output, whatever the exit status.
fn run_with_stdin(mut cmd: Command, input: &[u8], install_hint: &str) -> Output {
    let program = cmd.get_program().to_string_lossy().into_owned();
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {program} ({e}): {install_hint}"));
    // A tool may exit before reading everything (it failed); its output says why.
    let _ = child.stdin.take().expect("stdin").write_all(input);
    child.wait_with_output().expect("wait")
}

fn stdout_of(out: &Output, what: &str) -> String {
    assert!(
        out.status.success(),
        "{what} failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).expect("utf-8 output")
}

/// Builds `tests/go/bcryptcheck` once per test process and returns the binary.
///
/// Everything the go tool writes (build cache, its idea of HOME, the binary) stays under Cargo's
/// per-package scratch directory; the binary is built under a per-process name and renamed into
/// place, so concurrent test runs never see half a file.
pub(crate) fn go_bcrypt() -> PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/go/bcryptcheck");
        let work = Path::new(env!("CARGO_TARGET_TMPDIR")).join("bcryptcheck");
        std::fs::create_dir_all(&work).expect("scratch directory");
        let bin = work.join("bcryptcheck");
        let partial = work.join(format!("bcryptcheck.{}", std::process::id()));
        let out = Command::new("go")
            .args(["build", "-o"])
            .arg(&partial)
            .arg(".")
            .current_dir(&source)
            .env("GO111MODULE", "off")
            .env("GOPATH", "/usr/share/gocode")
            .env("GOCACHE", work.join("gocache"))
            .env("HOME", &work)
            .env("GOFLAGS", "")
            .env("CGO_ENABLED", "0")
            .output()
            .unwrap_or_else(|e| panic!("cannot run `go` ({e}): {INSTALL_GO}"));
        assert!(
            out.status.success(),
            "go build of tests/go/bcryptcheck failed ({INSTALL_GO}):\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::fs::rename(&partial, &bin).expect("rename the Go binary into place");
        bin
    })
    .clone()
}

/// Verifies with Go's `CompareHashAndPassword`, as Dex does at login; `Ok` holds
/// `bcrypt.Cost(hash)`, which Dex wants within 10..=16. `Err` holds Go's message.
pub(crate) fn go_verify(hash: &str, password: &str) -> Result<u32, String> {
    let input = json!({"hash": hash, "password": password}).to_string();
    let out = run_with_stdin(go_cmd("verify"), input.as_bytes(), INSTALL_GO);
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).trim().to_owned());
    }
    let text = String::from_utf8(out.stdout).expect("utf-8 output");
    let cost = text
        .trim()
        .strip_prefix("ok ")
        .unwrap_or_else(|| panic!("unexpected output from bcryptcheck verify: {text:?}"));
    Ok(cost.parse().expect("cost"))
}

/// A `$2a$` hash from Go's `GenerateFromPassword` (which refuses more than 72 bytes).
pub(crate) fn go_hash(password: &str, cost: u32) -> String {
    let input = json!({"password": password, "cost": cost}).to_string();
    let out = run_with_stdin(go_cmd("hash"), input.as_bytes(), INSTALL_GO);
    stdout_of(&out, "bcryptcheck hash").trim().to_owned()
}

/// The static-passwords list as Dex reads it (ghodss/yaml then encoding/json, with Dex's hash
/// check), as JSON `[{email, hash, username, userID}]`; `Err` holds Dex's error.
pub(crate) fn go_dexyaml(text: &str) -> Result<Value, String> {
    let out = run_with_stdin(go_cmd("dexyaml"), text.as_bytes(), INSTALL_GO);
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).trim().to_owned());
    }
    Ok(serde_json::from_slice(&out.stdout).expect("JSON from bcryptcheck dexyaml"))
}

fn go_cmd(subcommand: &str) -> Command {
    let mut cmd = Command::new(go_bcrypt());
    cmd.arg(subcommand);
    cmd
}

/// Runs `script` under the cross-checkers' Python with `input` as JSON on stdin; returns stdout.
fn python_json(script: &str, input: &Value) -> String {
    let mut cmd = Command::new(python());
    cmd.args(["-c", script]);
    let out = run_with_stdin(
        cmd,
        input.to_string().as_bytes(),
        "run .ci/run or pip install -r tests/requirements.txt",
    );
    stdout_of(&out, "python3")
}

/// Python's `bcrypt.checkpw`. Panics if Python raises (bcrypt 5 raises above 72 bytes).
pub(crate) fn python_verify(hash: &str, password: &str) -> bool {
    const SCRIPT: &str = r#"
import bcrypt, json, sys
d = json.load(sys.stdin)
print(bcrypt.checkpw(d["password"].encode(), d["hash"].encode()))
"#;
    match python_json(SCRIPT, &json!({"hash": hash, "password": password})).trim() {
        "True" => true,
        "False" => false,
        other => panic!("unexpected output from bcrypt.checkpw: {other:?}"),
    }
}

/// `bcrypt.hashpw(password, salt)` with a full salt such as `$2b$12$` + 22 characters, the way
/// the former dex-auth charm hashed with its stored salt.
pub(crate) fn python_hashpw(password: &str, salt: &str) -> String {
    const SCRIPT: &str = r#"
import bcrypt, json, sys
d = json.load(sys.stdin)
print(bcrypt.hashpw(d["password"].encode(), d["salt"].encode()).decode())
"#;
    python_json(SCRIPT, &json!({"password": password, "salt": salt})).trim().to_owned()
}

/// A `$2a$` hash from `bcrypt.hashpw(password, bcrypt.gensalt(rounds=cost, prefix=b"2a"))`.
pub(crate) fn python_gen_2a(password: &str, cost: u32) -> String {
    const SCRIPT: &str = r#"
import bcrypt, json, sys
d = json.load(sys.stdin)
salt = bcrypt.gensalt(rounds=d["cost"], prefix=b"2a")
print(bcrypt.hashpw(d["password"].encode(), salt).decode())
"#;
    python_json(SCRIPT, &json!({"password": password, "cost": cost})).trim().to_owned()
}

/// What PyYAML's `yaml.safe_load` makes of `text`, as JSON.
pub(crate) fn python_yaml(text: &str) -> Value {
    const SCRIPT: &str = r#"
import json, sys, yaml
print(json.dumps(yaml.safe_load(json.load(sys.stdin)["text"])))
"#;
    serde_json::from_str(&python_json(SCRIPT, &json!({"text": text}))).expect("JSON from python")
}

/// A `$2y$` hash from apr-util: `htpasswd -inBC <cost> user`, the password on stdin.
pub(crate) fn htpasswd_2y(password: &str, cost: u32) -> String {
    let mut cmd = Command::new("htpasswd");
    cmd.arg("-inBC").arg(cost.to_string()).arg("user");
    let out =
        run_with_stdin(cmd, password.as_bytes(), "run .ci/run or apt-get install apache2-utils");
    let line = stdout_of(&out, "htpasswd");
    line.trim()
        .strip_prefix("user:")
        .unwrap_or_else(|| panic!("unexpected htpasswd output: {line:?}"))
        .to_owned()
}
