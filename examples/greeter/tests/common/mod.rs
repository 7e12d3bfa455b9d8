//! What both test files share: the charm's YAML, split from `charmcraft.yaml` by the packer
//! exactly as it goes into the .charm, and a model to run the charm in.

#![allow(dead_code)]

use cargo_charm::CharmYaml;
use juju_sim::{CharmFiles, CharmMeta, State};

/// metadata.yaml, config.yaml and actions.yaml, as `cargo charm pack` writes them.
pub fn files() -> CharmFiles {
    let yaml = CharmYaml::from_dir(env!("CARGO_MANIFEST_DIR").as_ref()).expect("charmcraft.yaml");
    CharmFiles {
        metadata: yaml.metadata,
        config: yaml.config.unwrap_or_default(),
        actions: yaml.actions.unwrap_or_default(),
    }
}

/// A model `demo` with `units` units of the application `greeter`; unit 0 leads.
pub fn state(units: u32) -> State {
    let f = files();
    let meta = CharmMeta::from_yaml(&f.metadata, &f.config, &f.actions).expect("charm metadata");
    State::new(meta, "greeter", "demo").with_units(units).with_leader(Some(0))
}
