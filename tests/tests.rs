//! The one integration-test binary (ripgrep's layout): every module runs the compiled
//! `ckf-crypto` the way Juju runs it, under the process-level simulator, or checks its output
//! with tools this project did not write.

mod common;

mod blackbox {
    mod bcrypt_crosscheck;
    mod bcrypt_tools;
    mod certs_openssl;
    mod checksum_cli;
    mod crash_points;
    mod demo;
    mod dex;
    mod events;
    mod fault_sweep;
    mod injection;
    mod isolation;
    mod juju_labels;
    mod lifecycle;
    mod multi_unit;
    mod operator_ca;
    mod pack;
    mod python_sdi;
    mod refusals;
    mod relation_broken;
    mod relation_profile;
    mod resources;
    mod sa_tokens;
    mod secret_limits;
    mod send_ca_cert;
    mod state_transitions;
    mod tls_provider;
    mod tls_requirer;
    mod upgrade;
    mod webhooks;
}
