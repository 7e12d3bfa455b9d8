//! ckf-crypto
fn main() {}
