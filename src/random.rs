//! Random values, all from the OS CSPRNG.
//!
//! The Python CKF charms drew their secrets from `random.choices` (Mersenne Twister, not a
//! CSPRNG; `ckf-reference.md` §13 flaw 2). Here every random byte comes from `getrandom`, the
//! kernel's CSPRNG, behind the [`Entropy`] trait so that planning code can be tested with a
//! deterministic source without ever using one in production.

use juju::SecretString;

/// The alphabet of the object-storage key, the OIDC client secret and the config-hash salt.
pub const UPPER_ALNUM: &[u8; 36] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/// Length of generated secrets (as in the Python charms).
pub const SECRET_LEN: usize = 30;

/// A source of random bytes.
pub trait Entropy {
    /// Fills `buf` with random bytes.
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), EntropyError>;
}

/// The OS CSPRNG could not be read.
#[derive(Debug, thiserror::Error)]
#[error("the OS random number generator failed: {0}")]
pub struct EntropyError(String);

/// The kernel's CSPRNG (`getrandom(2)`).
#[derive(Debug, Default, Clone, Copy)]
pub struct OsEntropy;

impl Entropy for OsEntropy {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), EntropyError> {
        getrandom::fill(buf).map_err(|e| EntropyError(e.to_string()))
    }
}

/// `len` characters drawn uniformly from `[A-Z0-9]`.
///
/// Uniform by rejection sampling: a byte is used only if it is below 252 (= 7 × 36), so `% 36`
/// has no bias.
pub fn upper_alnum(rng: &mut dyn Entropy, len: usize) -> Result<SecretString, EntropyError> {
    const LIMIT: u8 = 252;
    let mut out = zeroize::Zeroizing::new(String::with_capacity(len));
    let mut buf = zeroize::Zeroizing::new([0u8; 64]);
    while out.len() < len {
        rng.fill(&mut buf[..])?;
        for &b in buf.iter().filter(|&&b| b < LIMIT) {
            if out.len() == len {
                break;
            }
            out.push(char::from(UPPER_ALNUM[usize::from(b % 36)]));
        }
    }
    Ok(SecretString::new(out.as_str()))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A deterministic source for tests of planning code (never used in production).
    pub(crate) struct CountingEntropy(pub u8);

    impl Entropy for CountingEntropy {
        fn fill(&mut self, buf: &mut [u8]) -> Result<(), EntropyError> {
            for b in buf {
                *b = self.0;
                self.0 = self.0.wrapping_add(1);
            }
            Ok(())
        }
    }

    #[test]
    fn os_secret_has_the_python_format() {
        let s = upper_alnum(&mut OsEntropy, SECRET_LEN).expect("getrandom");
        assert_eq!(s.len(), 30);
        assert!(s.expose().bytes().all(|b| UPPER_ALNUM.contains(&b)));
        let t = upper_alnum(&mut OsEntropy, SECRET_LEN).expect("getrandom");
        assert_ne!(s, t, "two draws of 155 bits collided");
    }

    #[test]
    fn rejection_sampling_skips_biased_bytes() {
        // Bytes 250, 251 are used (A+34, A+35 → '8', '9'); 252..=255 are skipped; 0 → 'A'.
        let s = upper_alnum(&mut CountingEntropy(250), 3).expect("counting");
        assert_eq!(s.expose(), "89A");
    }

    #[test]
    fn all_symbols_appear() {
        let s = upper_alnum(&mut OsEntropy, 2000).expect("getrandom");
        for c in UPPER_ALNUM {
            assert!(s.expose().as_bytes().contains(c), "{} never drawn", char::from(*c));
        }
    }
}
