//! Juju's rules, written once.
//!
//! Juju checks several things a charm sends it: the syntax of secret content keys and action
//! result keys, the size of secret content (which depends on the Juju version), the form of a
//! secret URI. A charm that checks them first can tell its operator what is wrong instead of
//! failing a hook with Juju's error; a simulator has to refuse what Juju refuses. Both use this
//! module, so the rules cannot drift apart.
//!
//! * [`JujuVersion`]: `JUJU_VERSION` parsed and ordered as Juju (and ops) order versions, with the
//!   version-dependent rules as methods;
//! * [`SecretUri`]: a secret's URI, parsed once and printed in its canonical form;
//! * [`SecretLimits`]: how much content one secret may hold, by Juju version;
//! * [`is_secret_key`] and [`check_action_key`]: the key syntaxes.
//!
//! Each rule names the juju/juju source it restates.

mod action;
mod secret;
mod version;

pub use action::{RESERVED_ACTION_KEYS, check_action_key, is_action_key_part};
pub use secret::{SecretLimits, SecretUri, SecretUriError, is_secret_key};
pub use version::{JujuVersion, VersionError};
