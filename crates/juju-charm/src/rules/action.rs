//! Action result keys.

/// Result keys Juju keeps for the action's own output; `action-set` refuses them with `cannot
/// set reserved action key` (juju/juju `internal/worker/uniter/runner/jujuc/action-set.go`).
pub const RESERVED_ACTION_KEYS: &[&str] =
    &["stdout", "stdout-encoding", "stderr", "stderr-encoding"];

/// Why `key` cannot be an `action-set` key, if it cannot.
///
/// A key is one or more parts separated by dots (a dotted key nests the result); each part must
/// match `^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$` (juju/juju `action-set.go`, with the charm
/// package's action name rule), and the first part must not be one of
/// [`RESERVED_ACTION_KEYS`].
///
/// ```
/// use juju_charm::rules::check_action_key;
///
/// assert!(check_action_key("ca-certificate").is_ok());
/// assert!(check_action_key("db.password").is_ok());
/// assert!(check_action_key("Password").is_err());
/// assert!(check_action_key("stdout").is_err());
/// ```
pub fn check_action_key(key: &str) -> Result<(), String> {
    if !key.split('.').all(is_action_key_part) {
        return Err(format!(
            "action result key {key:?} must start and end with a lowercase letter or digit and \
             contain only lowercase letters, digits, hyphens and (between parts) dots"
        ));
    }
    let top = key.split('.').next().unwrap_or(key);
    if RESERVED_ACTION_KEYS.contains(&top) {
        return Err(format!("action result key {key:?} is reserved by Juju"));
    }
    Ok(())
}

/// Whether `part` may be one dot-separated part of an `action-set` key:
/// `^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$`.
pub fn is_action_key_part(part: &str) -> bool {
    let b = part.as_bytes();
    let alnum = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    match (b.first(), b.last()) {
        (Some(first), Some(last)) => {
            alnum(first) && alnum(last) && b.iter().all(|c| alnum(c) || *c == b'-')
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_keys() {
        for good in ["a", "0", "ca-cert", "a.b", "client-secret.x-1", "a1", "1a", "a-b-c"] {
            assert_eq!(check_action_key(good), Ok(()), "{good}");
        }
        for bad in ["", "A", "-a", "a-", "a..b", ".a", "a.", "a_b", "a b", "a.-b", "ä"] {
            assert!(check_action_key(bad).is_err(), "{bad}");
        }
        for reserved in ["stdout", "stderr", "stdout-encoding", "stderr-encoding", "stdout.x"] {
            let why = check_action_key(reserved).expect_err("refused");
            assert!(why.contains("reserved"), "{reserved}");
        }
        assert_eq!(check_action_key("stdouts"), Ok(()));
        assert_eq!(check_action_key("x.stdout"), Ok(()));
    }
}
