//! The charm's `Config` type against the schema in `charmcraft.yaml`: the defaults load, and
//! every option the type reads is declared there with a matching type.

use juju_charm::config::ConfigValues;
use juju_sim::{CharmMeta, OptionType};
use sidecar_charm::{Config, Port};

fn meta() -> CharmMeta {
    CharmMeta::from_dir(env!("CARGO_MANIFEST_DIR").as_ref()).expect("charmcraft.yaml")
}

#[test]
fn the_defaults_of_charmcraft_yaml_are_a_valid_config() {
    let defaults = ConfigValues::from(meta().config_defaults());
    let config: Config = defaults.parse().expect("the defaults are valid");
    let expected =
        Config { port: Port(8080), message: "hello from a Rust charm".into(), api_token: None };
    assert_eq!(config, expected);
}

#[test]
fn the_options_have_the_types_the_charm_reads() {
    let meta = meta();
    assert_eq!(meta.options["port"].kind, OptionType::Int);
    assert_eq!(meta.options["message"].kind, OptionType::String);
    assert_eq!(meta.options["api-token"].kind, OptionType::Secret);
    assert!(meta.containers.contains_key("workload"));
}
