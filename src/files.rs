//! The charm's YAML files, carried in the binary from build time.
//!
//! `ckf-crypto pack` writes them into the `.charm` next to the binary itself, and the demo
//! writes them into the simulated charm directory, so a release binary alone is enough to make
//! the charm.

/// `metadata.yaml`
pub const METADATA: &str = include_str!("../metadata.yaml");
/// `config.yaml`
pub const CONFIG: &str = include_str!("../config.yaml");
/// `actions.yaml`
pub const ACTIONS: &str = include_str!("../actions.yaml");

/// `manifest.yaml`, as charmcraft writes it for `base: ubuntu@24.04` on `arch`.
pub fn manifest(arch: &str) -> String {
    format!(
        "# Written by `ckf-crypto pack`.\nbases:\n- name: ubuntu\n  channel: \"24.04\"\n  architectures:\n  - {arch}\n"
    )
}
