//! The simulator's modules form layers, and no module imports one above it: the model at the
//! bottom, the hook (event, outcome) over it, the session over that, the hook tools over the
//! session, and the runners (in process, process level, the socket) on top. A module imports
//! from its own layer only along the order below, so no two modules import each other.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

/// Every module of `src/`, bottom first. A module may import only modules listed before it.
const ORDER: &[&str] = &[
    "error",
    "format",
    "meta",
    "action_params",
    "pebble::duration",
    "pebble::shlex",
    "pebble::plan",
    "pebble::order",
    "pebble",
    "state::relation",
    "state::secret",
    "state::build",
    "state::container",
    "state",
    "consistency",
    "event",
    "outcome",
    "env",
    "session",
    "tools::fail",
    "tools::args",
    "tools::expiry",
    "tools::common",
    "tools::secret_content",
    "tools::action",
    "tools::config",
    "tools::misc",
    "tools::relation",
    "tools::secret",
    "tools::secret_admin",
    "tools::status",
    "tools::unit_state",
    "tools",
    "wire",
    "client",
    "server",
    "workload::http",
    "workload::websocket",
    "workload::api",
    "workload",
    "inproc",
    "process",
    "context",
    "lib",
    "tool_main",
];

/// The modules `text` (of module `name`) imports with `use crate::…` or `use super::…`, outside
/// its unit tests.
fn imports(name: &str, text: &str) -> Vec<String> {
    let code = text.split("#[cfg(test)]").next().unwrap_or_default();
    let parent = name.rsplit_once("::").map(|(p, _)| p);
    let mut out = Vec::new();
    let mut statement = String::new();
    for line in code.lines().map(str::trim) {
        if statement.is_empty()
            && !(line.starts_with("use ") || line.starts_with("pub(crate) use "))
        {
            continue;
        }
        statement.push_str(line);
        if !line.ends_with(';') {
            continue;
        }
        let path = statement.trim_start_matches("pub(crate) ").trim_start_matches("use ");
        let mut parts = path.split("::");
        let first = parts.next().unwrap_or_default();
        let second = parts.next().unwrap_or_default();
        let module =
            |m: &str| m.trim_matches(|c: char| !c.is_ascii_alphanumeric() && c != '_').to_owned();
        match first {
            "crate" => {
                let top = module(second);
                let nested = format!("{top}::{}", module(parts.next().unwrap_or_default()));
                out.push(if ORDER.contains(&nested.as_str()) { nested } else { top });
            }
            "super" => out.push(match parent {
                Some(p) => format!("{p}::{}", module(second)),
                None => module(second),
            }),
            "self" => out.push(format!("{name}::{}", module(second))),
            _ => {}
        }
        statement.clear();
    }
    out.retain(|m| ORDER.contains(&m.as_str()));
    out
}

#[test]
fn structure_no_module_imports_one_above_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut modules = BTreeMap::new();
    let mut dirs = vec![src.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            let rel = path.strip_prefix(&src).unwrap().with_extension("");
            let name = rel.to_string_lossy().replace('/', "::");
            let name = name.strip_suffix("::mod").unwrap_or(&name).to_owned();
            modules.insert(name, fs::read_to_string(&path).unwrap());
        }
    }
    let rank = |m: &str| ORDER.iter().position(|o| *o == m);
    for (name, text) in &modules {
        let mine = rank(name).unwrap_or_else(|| panic!("module {name} is not in ORDER"));
        for import in imports(name, text) {
            let theirs = rank(&import).unwrap();
            assert!(theirs < mine, "{name} imports {import}, which is not below it in ORDER");
        }
    }
}
