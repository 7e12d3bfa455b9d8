//! Juju versions, as `JUJU_VERSION` gives them.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

/// A Juju version: `major.minor.patch`, optionally with a tag (`3.5-beta1`) or a build number
/// (`3.6.9.1`).
///
/// It is parsed and ordered as ops' `JujuVersion` does (canonical/operator
/// `ops/jujuversion.py`): a tagged version comes before every release of the same
/// `major.minor` (`3.5-beta1 < 3.5.0`), and a build number orders after the patch.
///
/// ```
/// use juju_charm::rules::JujuVersion;
///
/// let v: JujuVersion = "3.6.9".parse()?;
/// assert!(v >= JujuVersion::new(3, 6, 9));
/// assert!("3.5-beta1".parse::<JujuVersion>()? < "3.5.0".parse()?);
/// assert_eq!(v.to_string(), "3.6.9");
/// # Ok::<(), juju_charm::rules::VersionError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct JujuVersion {
    major: u32,
    minor: u32,
    patch: u32,
    tag: Option<String>,
    build: u32,
}

impl JujuVersion {
    /// The release `major.minor.patch`.
    pub const fn new(major: u32, minor: u32, patch: u32) -> Self {
        Self { major, minor, patch, tag: None, build: 0 }
    }

    /// The major version (`3` of `3.6.9`).
    pub fn major(&self) -> u32 {
        self.major
    }

    /// The minor version (`6` of `3.6.9`).
    pub fn minor(&self) -> u32 {
        self.minor
    }

    /// The patch number (`9` of `3.6.9`, `1` of `3.5-beta1`).
    pub fn patch(&self) -> u32 {
        self.patch
    }

    /// The pre-release tag (`beta` of `3.5-beta1`), if any.
    pub fn tag(&self) -> Option<&str> {
        self.tag.as_deref()
    }

    /// The build number (`1` of `3.6.9.1`; 0 when absent).
    pub fn build(&self) -> u32 {
        self.build
    }

    /// Whether `relation-ids` lists the relation whose `<endpoint>-relation-broken` hook is
    /// running (`peer`: whether it is a peer relation).
    ///
    /// - Before 3.4.4, and 3.5.0 to 3.5.1: listed.
    /// - 3.4.4 to 3.4.x and 3.5.2 to 3.5.4: not listed (juju/juju pull request 17464,
    ///   `worker/uniter/runner/context/contextfactory.go` `getContextRelations`).
    /// - 3.5.5 on (3.6, 4.x): not listed, except a peer relation, which is (pull request 18253).
    ///
    /// A charm that reads `relation-ids` itself should drop the broken relation whatever the
    /// version; ops does (`Model.relations`, since ops 2.10).
    pub fn lists_broken_relation(&self, peer: bool) -> bool {
        let before =
            *self < Self::new(3, 4, 4) || (Self::new(3, 5, 0)..Self::new(3, 5, 2)).contains(self);
        before || (peer && *self >= Self::new(3, 5, 5))
    }

    /// The limits on the content of one secret in this version ([`SecretLimits::for_version`]).
    ///
    /// [`SecretLimits::for_version`]: super::SecretLimits::for_version
    pub fn secret_limits(&self) -> super::SecretLimits {
        super::SecretLimits::for_version(self)
    }
}

impl Ord for JujuVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.major
            .cmp(&other.major)
            .then(self.minor.cmp(&other.minor))
            .then_with(|| match (&self.tag, &other.tag) {
                (Some(a), Some(b)) => a.cmp(b),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            })
            .then(self.patch.cmp(&other.patch))
            .then(self.build.cmp(&other.build))
    }
}

impl PartialOrd for JujuVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for JujuVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.tag {
            Some(tag) => write!(f, "{}.{}-{tag}{}", self.major, self.minor, self.patch)?,
            None => write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?,
        }
        if self.build != 0 {
            write!(f, ".{}", self.build)?;
        }
        Ok(())
    }
}

/// `JUJU_VERSION` (or another version string) is not of the form Juju uses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{0:?} is not a Juju version (expected major.minor.patch, major.minor-tagN or \
     major.minor.patch.build)"
)]
pub struct VersionError(String);

impl FromStr for JujuVersion {
    type Err = VersionError;

    /// Parses `3.6`, `3.6.9`, `3.5-beta1` or `3.6.9.1`, as ops' regular expression
    /// `^(\d{1,9})\.(\d{1,9})((?:\.|-([a-z]+))(\d{1,9}))?(\.(\d{1,9}))?$` does.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || VersionError(s.to_owned());
        let number = |t: &str| -> Option<u32> {
            (!t.is_empty() && t.len() <= 9 && t.bytes().all(|b| b.is_ascii_digit()))
                .then(|| t.parse().ok())
                .flatten()
        };
        let (major, rest) = s.split_once('.').ok_or_else(bad)?;
        let major = number(major).ok_or_else(bad)?;
        // The minor number runs up to the first '.' or '-'.
        let end = rest.find(['.', '-']).unwrap_or(rest.len());
        let minor = number(&rest[..end]).ok_or_else(bad)?;
        let mut version = Self { major, minor, patch: 0, tag: None, build: 0 };
        let rest = &rest[end..];
        if rest.is_empty() {
            return Ok(version);
        }
        let (patch_part, build) = if let Some(tagged) = rest.strip_prefix('-') {
            let letters = tagged.bytes().take_while(u8::is_ascii_lowercase).count();
            if letters == 0 {
                return Err(bad());
            }
            version.tag = Some(tagged[..letters].to_owned());
            let tail = &tagged[letters..];
            match tail.split_once('.') {
                Some((patch, build)) => (patch, Some(build)),
                None => (tail, None),
            }
        } else {
            let tail = &rest[1..];
            match tail.split_once('.') {
                Some((patch, build)) => (patch, Some(build)),
                None => (tail, None),
            }
        };
        version.patch = number(patch_part).ok_or_else(bad)?;
        if let Some(build) = build {
            version.build = number(build).ok_or_else(bad)?;
        }
        Ok(version)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> JujuVersion {
        s.parse().unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn parses_the_forms_juju_prints() {
        assert_eq!(v("3.6.8"), JujuVersion::new(3, 6, 8));
        assert_eq!(v("3.6"), JujuVersion::new(3, 6, 0));
        let beta = v("3.5-beta1");
        assert_eq!((beta.major(), beta.minor(), beta.patch(), beta.tag()), (3, 5, 1, Some("beta")));
        assert_eq!(v("3.6.9.1").build(), 1);
        for s in ["3.6.9", "3.5-beta1", "3.6.9.1", "4.0.0"] {
            assert_eq!(v(s).to_string(), s);
        }
        for bad in ["", "4", "3.", "3.6.", "3.6.x", "a.b.c", "3.6-1", "3.6.9.1.2", "-3.6.1"] {
            assert!(bad.parse::<JujuVersion>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn orders_as_ops_does() {
        assert!(v("3.6.10") > v("3.6.9"));
        assert!(v("3.5-beta1") < v("3.5.0"));
        assert!(v("3.5-alpha2") < v("3.5-beta1"));
        assert!(v("3.6.9.1") > v("3.6.9"));
        assert!(v("4.0.0") > v("3.6.99"));
    }

    #[test]
    fn broken_relation_listing_by_version() {
        for (version, regular, peer) in [
            ("3.1.7", true, true),
            ("3.4.3", true, true),
            ("3.4.4", false, false),
            ("3.5.1", true, true),
            ("3.5.2", false, false),
            ("3.5.5", false, true),
            ("3.6.8", false, true),
            ("4.0.0", false, true),
        ] {
            assert_eq!(v(version).lists_broken_relation(false), regular, "{version}");
            assert_eq!(v(version).lists_broken_relation(true), peer, "{version} peer");
        }
    }
}
