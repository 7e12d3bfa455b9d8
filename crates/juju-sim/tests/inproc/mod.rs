//! In-process tests: closure charms calling hook tools through the runner, one module per row of
//! what the simulator models: 1 environment, 2 unit view, 3 config, 4 relations, 5 secrets, 6 unit
//! state, 7 ports, 8 status, logs and actions, 9 transactions, 10 output formats and exit codes.

mod juju4;
mod row01_env;
mod row02_unit_view;
mod row03_config;
mod row04_relations;
mod row04_relations_broken;
mod row05_secrets;
mod row05_secrets_limits;
mod row05_secrets_owner;
mod row05_user_secrets;
mod row06_unit_state;
mod row07_ports;
mod row08_status_logs_actions;
mod row09_transactions;
mod row10_output_formats;
