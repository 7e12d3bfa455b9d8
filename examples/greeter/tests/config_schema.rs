//! The charm's `Config` type against the schema in `charmcraft.yaml`: the defaults load, and
//! every option the type reads is declared there with a matching type.

use greeter_charm::{Config, Port};
use juju_charm::config::ConfigValues;
use juju_sim::{CharmMeta, OptionType};

fn meta() -> CharmMeta {
    CharmMeta::from_dir(env!("CARGO_MANIFEST_DIR").as_ref()).expect("charmcraft.yaml")
}

#[test]
fn the_defaults_of_charmcraft_yaml_are_a_valid_config() {
    let defaults = ConfigValues::from(meta().config_defaults());
    let config: Config = defaults.parse().expect("the defaults are valid");
    assert_eq!(config, Config { greeting: "hello".into(), port: Port(8080) });
}

#[test]
fn the_options_have_the_types_the_charm_reads() {
    let meta = meta();
    assert_eq!(meta.options["greeting"].kind, OptionType::String);
    assert_eq!(meta.options["port"].kind, OptionType::Int);
}
