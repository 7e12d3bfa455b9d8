//! Random values, all from one injected source.
//!
//! The Python CKF charms drew their secrets from `random.choices` (Mersenne Twister, not a CSPRNG).
//! Here every random value the charm makes (generated secrets, salts, the Dex `userID`, private
//! keys, certificate serials) is drawn from an [`Entropy`] passed in explicitly. In production that
//! is [`OsEntropy`], getrandom's own `rand_core` adapter over the kernel's CSPRNG (`getrandom(2)`);
//! planning tests pass a seeded source instead, so that a plan is a deterministic function of its
//! inputs and whole plans can be compared. [`Entropy`] *is* `rand_core`'s `TryCryptoRng`, so the
//! same source also feeds the key generators of the `rsa` and `p256` crates without an adapter.

use juju_charm::SecretString;
use rand_core::TryCryptoRng;

/// The kernel's CSPRNG, as getrandom adapts it to `rand_core`: the one production source.
pub use getrandom::SysRng as OsEntropy;

/// Why the random source failed (only the OS CSPRNG can, and practically never does).
pub type EntropyError = getrandom::Error;

/// A source of cryptographically secure random bytes.
pub trait Entropy: TryCryptoRng<Error = EntropyError> + Send {
    /// An independent source for work on another thread (key generation and bcrypt run in
    /// parallel, `cpu`): the OS CSPRNG itself in production; in tests, a source seeded from
    /// this one, so that a plan stays a deterministic function of its seed.
    fn fork(&mut self) -> Result<Box<dyn Entropy>, EntropyError>;
}

impl Entropy for OsEntropy {
    fn fork(&mut self) -> Result<Box<dyn Entropy>, EntropyError> {
        Ok(Box::new(OsEntropy))
    }
}

/// The alphabet of the object-storage key, the OIDC client secret and the config-hash salt
/// (`[A-Z0-9]`, as the Python minio and oidc-gatekeeper charms).
pub const UPPER_ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/// The alphabet of a generated Dex password (`[A-Za-z0-9]`).
pub const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// Length of generated secrets (as in the Python charms).
pub const SECRET_LEN: usize = 30;

/// Fills `buf` from `rng`.
pub fn fill(rng: &mut dyn Entropy, buf: &mut [u8]) -> Result<(), EntropyError> {
    rng.try_fill_bytes(buf)
}

/// `len` characters drawn uniformly from `alphabet` (at most 256 symbols).
///
/// Uniform by rejection sampling: a byte is used only below the largest multiple of the
/// alphabet's size that fits in a byte, so `% size` has no bias.
pub fn string(
    rng: &mut dyn Entropy,
    alphabet: &[u8],
    len: usize,
) -> Result<SecretString, EntropyError> {
    let size = alphabet.len().clamp(1, 256);
    let limit = 256 - 256 % size;
    let mut out = zeroize::Zeroizing::new(String::with_capacity(len));
    let mut buf = zeroize::Zeroizing::new([0u8; 64]);
    while out.len() < len {
        fill(rng, &mut buf[..])?;
        for &b in buf.iter().filter(|&&b| usize::from(b) < limit) {
            if out.len() == len {
                break;
            }
            out.push(char::from(alphabet[usize::from(b) % size]));
        }
    }
    Ok(SecretString::new(out.as_str()))
}

/// `bytes` random bytes as lowercase hex.
pub fn hex(rng: &mut dyn Entropy, bytes: usize) -> Result<String, EntropyError> {
    let mut buf = zeroize::Zeroizing::new(vec![0u8; bytes]);
    fill(rng, &mut buf)?;
    Ok(::hex::encode(&*buf))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use rand_core::TryRng;
    use sha2::{Digest, Sha256};

    /// A deterministic source for tests of planning code (never used in production): SHA-256
    /// of a seed and a block counter, so that a plan made twice with the same seed is equal.
    #[derive(Debug, Clone)]
    pub(crate) struct Seeded {
        seed: u64,
        block: u64,
        buf: [u8; 32],
        used: usize,
    }

    impl Seeded {
        pub(crate) fn new(seed: u64) -> Self {
            Self { seed, block: 0, buf: [0; 32], used: 32 }
        }
    }

    impl TryRng for Seeded {
        type Error = EntropyError;

        fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
            let mut b = [0u8; 4];
            self.try_fill_bytes(&mut b)?;
            Ok(u32::from_le_bytes(b))
        }

        fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
            let mut b = [0u8; 8];
            self.try_fill_bytes(&mut b)?;
            Ok(u64::from_le_bytes(b))
        }

        fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
            for out in dst {
                if self.used == self.buf.len() {
                    let mut h = Sha256::new();
                    h.update(self.seed.to_le_bytes());
                    h.update(self.block.to_le_bytes());
                    self.buf.copy_from_slice(&h.finalize());
                    self.block += 1;
                    self.used = 0;
                }
                *out = self.buf[self.used];
                self.used += 1;
            }
            Ok(())
        }
    }

    impl TryCryptoRng for Seeded {}

    impl Entropy for Seeded {
        fn fork(&mut self) -> Result<Box<dyn Entropy>, EntropyError> {
            let seed = self.try_next_u64()?;
            Ok(Box::new(Seeded::new(seed)))
        }
    }

    /// Every byte value in turn from `start`, to test rejection sampling.
    pub(crate) struct Counting(pub u8);

    impl TryRng for Counting {
        type Error = EntropyError;

        fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
            Ok(u32::from(self.next()))
        }

        fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
            Ok(u64::from(self.next()))
        }

        fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
            dst.iter_mut().for_each(|b| *b = self.next());
            Ok(())
        }
    }

    impl Counting {
        fn next(&mut self) -> u8 {
            let b = self.0;
            self.0 = self.0.wrapping_add(1);
            b
        }
    }

    impl TryCryptoRng for Counting {}

    impl Entropy for Counting {
        fn fork(&mut self) -> Result<Box<dyn Entropy>, EntropyError> {
            Ok(Box::new(Counting(self.next())))
        }
    }

    #[test]
    fn os_secret_has_the_python_format() {
        let s = string(&mut OsEntropy, UPPER_ALNUM, SECRET_LEN).expect("getrandom");
        assert_eq!(s.len(), 30);
        assert!(s.expose().bytes().all(|b| UPPER_ALNUM.contains(&b)));
        let t = string(&mut OsEntropy, UPPER_ALNUM, SECRET_LEN).expect("getrandom");
        assert_ne!(s, t, "two draws of 155 bits collided");
    }

    #[test]
    fn rejection_sampling_skips_biased_bytes() {
        // 36 symbols: bytes 250, 251 are used ('8', '9'); 252..=255 are skipped; 0 → 'A'.
        let s = string(&mut Counting(250), UPPER_ALNUM, 3).expect("counting");
        assert_eq!(s.expose(), "89A");
        // 62 symbols: 246, 247 used ('8', '9'), 248..=255 skipped.
        let s = string(&mut Counting(246), ALNUM, 3).expect("counting");
        assert_eq!(s.expose(), "89A");
    }

    #[test]
    fn all_symbols_appear() {
        for alphabet in [UPPER_ALNUM, ALNUM] {
            let s = string(&mut OsEntropy, alphabet, 4000).expect("getrandom");
            for c in alphabet {
                assert!(s.expose().as_bytes().contains(c), "{} never drawn", char::from(*c));
            }
        }
    }

    #[test]
    fn a_seeded_source_repeats_itself_and_seeds_differ() {
        let draw = |seed| string(&mut Seeded::new(seed), ALNUM, 40).expect("seeded");
        assert_eq!(draw(1), draw(1));
        assert_ne!(draw(1), draw(2));
        assert_eq!(hex(&mut Seeded::new(3), 16).expect("hex").len(), 32);
    }
}
