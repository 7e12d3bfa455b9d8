//! ckf-crypto: a Juju charm, in Rust, that owns the cryptographic material of Charmed Kubeflow.
//!
//! The binary is the charm's `dispatch` when Juju runs it, a command-line tool otherwise
//! (`ckf-crypto --help`), and the hook tools of its own simulator in `ckf-crypto demo`.
//! Layout, from the top:
//!
//! * [`charm`]: the dispatcher, one event in, one exit code out;
//! * [`reconcile`]: observe, plan (pure), apply, status once;
//! * one module per cryptographic process: [`generated`] (generated secrets),
//!   [`config_hash`] (the salted config hash), [`object_storage`] (the relation);
//! * infrastructure: [`config`], [`status`], [`store`] (Juju secrets), [`databag`],
//!   [`random`] (the OS CSPRNG), [`actions`];
//! * around the charm: [`files`] (the YAML it carries), [`pack`], [`demo`].

pub mod actions;
pub mod certs;
pub mod charm;
pub mod checksums;
pub mod config;
pub mod config_hash;
pub mod databag;
pub mod delivery;
pub mod demo;
pub mod dex;
pub mod files;
pub mod generated;
pub mod k8s;
pub mod object_storage;
pub mod pack;
pub mod random;
pub mod reconcile;
pub mod resources;
pub mod sa_tokens;
pub mod status;
pub mod store;
pub mod tls_provider;
pub mod webhooks;
