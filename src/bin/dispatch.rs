//! `ckf-crypto-dispatch`: the binary Juju runs, packed into the `.charm` as `dispatch`.
//!
//! It is the charm and nothing else: the `juju-charm` entry point reads the hook's environment
//! and runs [`CkfCrypto`](ckf_crypto::charm::CkfCrypto). The simulator, the demo and the
//! command line live in the `ckf-crypto` binary, so none of them is linked here.

use std::process::ExitCode;

fn main() -> ExitCode {
    juju_charm::main(ckf_crypto::charm::CkfCrypto::from_env)
}
