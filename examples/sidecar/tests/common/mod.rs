//! What the test files share: the charm's YAML, split from `charmcraft.yaml` by the packer
//! exactly as it goes into the .charm, and a model to run the charm in.

#![allow(dead_code)]

use cargo_charm::CharmYaml;
use juju_sim::{CharmFiles, CharmMeta, ContainerBuilder, Exec, State};

/// What busybox 1.37 prints first for `busybox --help`.
pub const BUSYBOX_HELP: &str = "BusyBox v1.37.0 (2024-09-26 21:31:42 UTC) multi-call binary.\n\
                                BusyBox is copyrighted by many authors between 1998-2015.\n";

/// metadata.yaml, config.yaml and actions.yaml, as `cargo charm pack` writes them.
pub fn files() -> CharmFiles {
    let yaml = CharmYaml::from_dir(env!("CARGO_MANIFEST_DIR").as_ref()).expect("charmcraft.yaml");
    CharmFiles {
        metadata: yaml.metadata,
        config: yaml.config.unwrap_or_default(),
        actions: yaml.actions.unwrap_or_default(),
    }
}

/// The `workload` container as Kubernetes starts it: Pebble not up yet (`can_connect` false, as
/// before `workload-pebble-ready`), no layer, and busybox's `--help` the one command it runs.
pub fn workload() -> ContainerBuilder {
    ContainerBuilder::new("workload")
        .exec(Exec::new(["/bin/busybox", "--help"]).stdout(BUSYBOX_HELP))
}

/// A model `demo` with one unit of the application `sidecar` (unit 0, the leader) and its `workload`
/// container as `container` says.
pub fn state_with(container: ContainerBuilder) -> State {
    let f = files();
    let meta = CharmMeta::from_yaml(&f.metadata, &f.config, &f.actions).expect("charm metadata");
    State::new(meta, "sidecar", "demo").with_container(container)
}

/// [`state_with`] the container of [`workload`].
pub fn state() -> State {
    state_with(workload())
}
