//! ckf-crypto: a Juju charm, in Rust, that owns the cryptographic material of Charmed Kubeflow.
//!
//! The binary is the charm's `dispatch` when Juju runs it, a command-line tool otherwise
//! (`ckf-crypto --help`), and the hook tools of its own simulator in `ckf-crypto demo`.
//! Layout, from the top:
//!
//! * [`charm`]: the charm on the `juju-charm` framework, which dispatches each event to it;
//!   [`actions`];
//! * [`reconcile`]: observe, plan (pure), apply, status once, composing the areas generically;
//! * [`areas`]: one module per area of the charm's job, each with its own observation, material,
//!   plan and status: [`areas::webhooks`] (webhook certificates), [`areas::dex`] (the Dex
//!   password), [`areas::generated`] (generated secrets, with the [`areas::object_storage`]
//!   relation), [`areas::tls_provider`] (the `certificates` relation), [`areas::sa_tokens`]
//!   (service-account tokens), [`areas::resources`] (resource checksums, extra CAs);
//! * cryptographic mechanism: [`certs`] (X.509), [`checksums`], [`config_hash`], [`random`] (the
//!   injected random source);
//! * infrastructure: [`config`], [`material`] (the typed material) and [`store`] (its Juju
//!   secret), [`k8s`] (Kubernetes); the status roll-up, relation databags and secret storage
//!   are the framework's (`juju_charm::status`, `juju_charm::databag`, `juju_charm::secrets`);
//! * around the charm: [`files`] (the YAML it carries), [`pack`], [`demo`].

pub mod actions;
pub mod areas;
pub mod certs;
pub mod charm;
pub mod checksums;
pub mod config;
pub mod config_hash;
pub mod cpu;
pub mod demo;
pub mod files;
pub mod k8s;
pub mod material;
pub mod pack;
pub mod random;
pub mod reconcile;
pub mod store;
