//! The object-storage data as the Python requirer reads it: PyYAML's `safe_load`, then the
//! serialized-data-interface v1 schema checked by `jsonschema` (both from PyPI, not ours).

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::json;

use crate::common::{Sim, python, state};

/// The `object-storage` v1 schema of the SDI library (provider side), as JSON.
const SCHEMA_V1: &str = r#"{
  "type": "object",
  "properties": {
    "access-key": {"type": "string"},
    "namespace": {"type": ["string", "null"]},
    "port": {"type": "number"},
    "secret-key": {"type": "string"},
    "secure": {"type": "boolean"},
    "service": {"type": "string"}
  },
  "required": ["access-key", "port", "secret-key", "secure", "service"]
}"#;

const CHECK: &str = r#"
import json, sys, yaml, jsonschema
bag = json.load(sys.stdin)
versions = yaml.safe_load(bag["_supported_versions"])
assert versions == ["v1"], versions
data = yaml.safe_load(bag["data"])
jsonschema.validate(data, json.loads(sys.argv[1]))
# Print the types Python sees (never the values).
print(json.dumps({k: type(v).__name__ for k, v in data.items()}, sort_keys=True))
print(data["secret-key"] == sys.argv[2])
"#;

fn python_reads(bag: &std::collections::BTreeMap<String, String>, expected_key: &str) -> String {
    let mut child = Command::new(python())
        .args(["-c", CHECK, SCHEMA_V1, expected_key])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 runs (run .ci/run or install PyYAML and jsonschema)");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(serde_json::to_string(bag).expect("json").as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("python");
    assert!(
        out.status.success(),
        "python rejected the data: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn python_sdi_reads_the_data_with_the_right_types() {
    let mut sim = Sim::new(state(1));
    sim.deploy(1);
    let rel = sim.relate(0, "kfp-api");
    let key = sim.generated()["secret-key"].clone();
    let out = python_reads(sim.state().local_app_data(&rel).expect("bag"), &key);
    assert_eq!(
        out,
        "{\"access-key\": \"str\", \"namespace\": \"str\", \"port\": \"int\", \"secret-key\": \"str\", \"secure\": \"bool\", \"service\": \"str\"}\nTrue\n"
    );
}

#[test]
fn yaml_ambiguous_values_stay_strings_for_python() {
    // Values YAML 1.1 would read as numbers, booleans or dates must arrive as the same strings.
    for key in ["12345678", "yes-yes-yes-yes", "2001-01-01", "0x1F00000", "1e300000", "null-null"] {
        let mut sim = Sim::new(state(1));
        sim.config("secret-key", json!(key));
        sim.config("access-key", json!("on"));
        sim.deploy(1);
        let rel = sim.relate(0, "kfp-api");
        let out = python_reads(sim.state().local_app_data(&rel).expect("bag"), key);
        assert!(out.ends_with("True\n"), "{key}: {out}");
        assert!(out.contains("\"access-key\": \"str\""), "{out}");
    }
}
