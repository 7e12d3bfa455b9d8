//! Durable material in application-owned Juju secrets, found by label.
//!
//! Salts and generated secrets must survive pod replacement and leader changes, so they live in
//! Juju secrets owned by the application, never in files or unit state (`style.md` point 8).
//! Only the leader writes. Content read or written during a hook is kept in memory by the
//! caller for the rest of the hook, since `secret-get` right after `secret-add` in the same hook
//! is not reliable across Juju versions (canonical/operator#857).

use juju::tools::{
    SecretAddOptions, SecretContent, SecretOwner, SecretRead, SecretRef, SecretSetOptions,
};

/// Label of the one application-owned Juju secret holding all the charm's material: the
/// generated secrets, the config-hash salt, the CA with its key and the webhook certificates.
/// One secret, not one per area, because every leader hook reads it and each `secret-get` is a
/// process; the areas own disjoint content keys.
pub const LABEL: &str = "ckf-crypto-material";

/// Its description, shown by `juju secrets`.
pub const DESCRIPTION: &str = "ckf-crypto material: generated secrets, CA and certificates";
use juju::{ErrorKind, HookToolError, HookTools};

/// Reads the latest content of the secret labelled `label`, or `None` if there is none.
///
/// `--refresh` makes this unit track the latest revision, so Juju can let go of older ones.
pub fn read(tools: &HookTools<'_>, label: &str) -> Result<Option<SecretContent>, HookToolError> {
    match tools.secret_get(SecretRef::Label(label), SecretRead::Refresh) {
        Ok(content) => Ok(Some(content)),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Creates an application-owned secret labelled `label` (leader only); returns its URI.
pub fn create(
    tools: &HookTools<'_>,
    label: &str,
    description: &str,
    content: &SecretContent,
) -> Result<String, HookToolError> {
    let opts = SecretAddOptions {
        label: Some(label.to_owned()),
        description: Some(description.to_owned()),
        owner: SecretOwner::Application,
        ..SecretAddOptions::default()
    };
    tools.secret_add(content, &opts)
}

/// Writes a new revision of the secret labelled `label` (leader only).
pub fn update(
    tools: &HookTools<'_>,
    label: &str,
    content: &SecretContent,
) -> Result<(), HookToolError> {
    let info = tools.secret_info_get(SecretRef::Label(label))?;
    tools.secret_set(&canonical_uri(&info.id), Some(content), &SecretSetOptions::default())
}

/// `secret:<id>` for a bare id; URIs are returned as they are (ops' `_canonicalize_id`).
pub fn canonical_uri(id: &str) -> String {
    if id.starts_with("secret:") { id.to_owned() } else { format!("secret:{id}") }
}

/// The bare id at the end of a secret URI (`secret:<id>`, `secret://<model>/<id>` or `<id>`).
pub fn bare_id(uri: &str) -> &str {
    uri.rsplit('/').next().unwrap_or(uri).trim_start_matches("secret:")
}

/// The content key of the primary secret that records the stored format. Absent: format 1, the
/// format of the revisions before it (one secret, the same content keys).
pub const FORMAT_KEY: &str = "format-version";
/// The format this revision writes: format 1's content keys, plus [`FORMAT_KEY`] and
/// [`SHARDS_KEY`], spread over more secrets when one would be over Juju's limit.
pub const FORMAT: u32 = 2;
/// The content key of the primary secret that counts the extra secrets (`<LABEL>-2`, ...).
pub const SHARDS_KEY: &str = "material-shards";

/// Juju's secret content limits (`core/secrets/createsecret.go`, checked by `secret-add` and
/// `secret-set` when they parse their arguments; keys are not counted).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bytes of one value.
    pub per_value: usize,
    /// Bytes of a secret's whole content.
    pub total: usize,
    /// Whether values are measured base64-encoded (since 3.6.9) or as given (before).
    pub base64: bool,
    /// The Juju versions they are of, for messages.
    pub juju: &'static str,
}

impl Limits {
    /// Juju 3.6 releases before 3.6.9: 8192 bytes a value and 65536 in all, measured on the
    /// values as given (juju/juju pull request 16943, since 3.3.3 and 3.4.1; the charm assumes
    /// Juju 3.6).
    pub const SMALL: Limits =
        Limits { per_value: 8192, total: 65536, base64: false, juju: "before 3.6.9" };
    /// Since 3.6.9 (pull requests 20287 and 20314): 1000000 bytes of base64 a value and in all.
    pub const LARGE: Limits =
        Limits { per_value: 1_000_000, total: 1_000_000, base64: true, juju: "3.6.9 and later" };

    /// The limits of the Juju version in `JUJU_VERSION` (the small ones when it is unknown).
    pub fn for_juju(version: Option<&str>) -> Self {
        let parts: Vec<u32> =
            version.unwrap_or_default().split(['.', '-']).map_while(|p| p.parse().ok()).collect();
        if parts.len() >= 3 && parts[..3] >= [3, 6, 9][..] { Self::LARGE } else { Self::SMALL }
    }

    /// A value's size as Juju measures it.
    pub fn measure(&self, value: &str) -> usize {
        if self.base64 { encoded_len(value) } else { value.len() }
    }

    /// Why `value` cannot be one secret value, if it cannot (`it is N bytes ...`).
    pub fn check_value(&self, value: &str) -> Result<(), String> {
        self.check_size(self.measure(value), "")
    }

    /// Why a value of `size` bytes as Juju measures it (`at_least`: or more) cannot be one
    /// secret value, if it cannot.
    pub fn check_size(&self, size: usize, at_least: &str) -> Result<(), String> {
        if size > self.per_value {
            let encoded = if self.base64 { " base64-encoded" } else { "" };
            return Err(format!(
                "it is {at_least}{size} bytes{encoded}, over the {} bytes a Juju secret value \
                 may hold (Juju {})",
                self.per_value, self.juju
            ));
        }
        Ok(())
    }
}

/// The base64-encoded length of `value`, as Juju 3.6.9 and later measure a secret value.
pub fn encoded_len(value: &str) -> usize {
    value.len().div_ceil(3) * 4
}

/// The material as stored: its content keys merged from every secret that holds them, and each
/// secret's content as it is, by label.
#[derive(Debug, Clone, Default)]
pub struct Stored {
    /// The content keys of the material, without the layout keys.
    pub content: SecretContent,
    /// Every secret of the material, by label, as stored.
    pub secrets: std::collections::BTreeMap<String, SecretContent>,
    /// The stored format.
    pub format: u32,
}

/// The label of extra secret `n` (2, 3, ...).
pub fn shard_label(n: usize) -> String {
    format!("{LABEL}-{n}")
}

/// Whether `label` is one of the material's secrets.
pub fn is_material_label(label: &str) -> bool {
    label == LABEL
        || label
            .strip_prefix(LABEL)
            .and_then(|rest| rest.strip_prefix('-'))
            .is_some_and(|n| n.parse::<usize>().is_ok())
}

/// Reads the material: the primary secret and, when it records extra ones, those. One
/// `secret-get` when everything fits in one secret.
pub fn read_material(tools: &HookTools<'_>) -> Result<Option<Stored>, HookToolError> {
    let Some(primary) = read(tools, LABEL)? else { return Ok(None) };
    let format = primary.get(FORMAT_KEY).and_then(|v| v.expose().parse().ok()).unwrap_or(1);
    let shards: usize =
        primary.get(SHARDS_KEY).and_then(|v| v.expose().parse().ok()).unwrap_or_default();
    let mut stored = Stored { format, ..Stored::default() };
    let mut merge = |content: &SecretContent| {
        for (k, v) in content {
            if k != FORMAT_KEY && k != SHARDS_KEY {
                stored.content.insert(k.clone(), v.clone());
            }
        }
    };
    merge(&primary);
    let mut secrets = std::collections::BTreeMap::from([(LABEL.to_owned(), primary)]);
    for n in 2..shards + 2 {
        let label = shard_label(n);
        // A shard the primary names but Juju does not have: fail rather than lose its keys.
        let content = read(tools, &label)?.ok_or_else(|| HookToolError::Parse {
            tool: "secret-get".into(),
            why: format!("the material secret names '{label}', which does not exist"),
        })?;
        merge(&content);
        secrets.insert(label, content);
    }
    stored.secrets = secrets;
    Ok(Some(stored))
}

/// A content key whose value Juju would not store.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot store the material: {0}")]
pub struct TooLarge(pub String);

/// How `content` is spread over secrets under `limits`: the primary secret first (with the layout
/// keys), then as many extra ones as needed, each filled in content-key order up to the limit.
pub fn layout(
    content: &SecretContent,
    limits: &Limits,
) -> Result<Vec<(String, SecretContent)>, TooLarge> {
    // Room for the layout keys in the primary secret.
    const RESERVE: usize = 256;
    // Keys are not counted by Juju; counting them keeps a margin.
    let size = |k: &str, v: &juju::SecretString| k.len() + limits.measure(v.expose());
    let mut bins: Vec<SecretContent> = vec![SecretContent::new()];
    let mut used = vec![RESERVE];
    for (k, v) in content {
        limits.check_value(v.expose()).map_err(|why| TooLarge(format!("'{k}': {why}")))?;
        let need = size(k, v);
        let last = bins.len() - 1;
        if used[last] + need > limits.total {
            bins.push(SecretContent::new());
            used.push(0);
        }
        let last = bins.len() - 1;
        bins[last].insert(k.clone(), v.clone());
        used[last] += need;
    }
    let extra = bins.len() - 1;
    bins[0].insert(FORMAT_KEY.into(), juju::SecretString::new(FORMAT.to_string()));
    if extra > 0 {
        bins[0].insert(SHARDS_KEY.into(), juju::SecretString::new(extra.to_string()));
    }
    Ok(bins
        .into_iter()
        .enumerate()
        .map(|(i, c)| (if i == 0 { LABEL.to_owned() } else { shard_label(i + 1) }, c))
        .collect())
}

/// Writes `content` as the material, secret by secret: creates the ones that do not exist,
/// sets the ones whose content differs, removes extra ones no longer needed; returns what it
/// did, one line each. Nothing is written when the content keys are those stored (whatever
/// format they are stored in).
pub fn write_material(
    tools: &HookTools<'_>,
    stored: Option<&Stored>,
    content: &SecretContent,
    limits: &Limits,
) -> Result<Vec<String>, MaterialWriteError> {
    if stored.is_some_and(|s| &s.content == content) {
        return Ok(Vec::new());
    }
    let target = layout(content, limits)?;
    let mut written = Vec::new();
    let existing = stored.map(|s| &s.secrets);
    // Extra secrets first, the primary (which names them) last: a hook that fails half-way has
    // nothing committed anyway, but the order keeps the primary's view consistent.
    for (label, want) in target.iter().rev() {
        match existing.and_then(|e| e.get(label)) {
            Some(have) if have == want => continue,
            Some(_) => {
                update(tools, label, want)?;
                written.push(format!("updated the Juju secret '{label}'"));
            }
            None => {
                create(tools, label, DESCRIPTION, want)?;
                written.push(format!("created the Juju secret '{label}'"));
            }
        }
    }
    for label in existing.into_iter().flat_map(|e| e.keys()) {
        if !target.iter().any(|(l, _)| l == label) {
            let info = tools.secret_info_get(SecretRef::Label(label))?;
            tools.secret_remove(&canonical_uri(&info.id), None)?;
            written.push(format!("removed the Juju secret '{label}' (no longer needed)"));
        }
    }
    Ok(written)
}

/// Why the material could not be written.
#[derive(Debug, thiserror::Error)]
pub enum MaterialWriteError {
    /// A value over Juju's limit.
    #[error(transparent)]
    TooLarge(#[from] TooLarge),
    /// A hook tool failed.
    #[error(transparent)]
    Tool(#[from] HookToolError),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content(pairs: &[(&str, usize)]) -> SecretContent {
        pairs
            .iter()
            .map(|(k, n)| ((*k).to_owned(), juju::SecretString::new("x".repeat(*n))))
            .collect()
    }

    #[test]
    fn limits_follow_the_juju_version() {
        assert_eq!(Limits::for_juju(Some("3.6.0")), Limits::SMALL);
        assert_eq!(Limits::for_juju(Some("3.6.8")), Limits::SMALL);
        assert_eq!(Limits::for_juju(Some("3.6.9")), Limits::LARGE);
        assert_eq!(Limits::for_juju(Some("3.6.12-beta1")), Limits::LARGE);
        assert_eq!(Limits::for_juju(Some("4.0.0")), Limits::LARGE);
        assert_eq!(Limits::for_juju(None), Limits::SMALL, "unknown: the small ones");
        assert_eq!(encoded_len("abc"), 4);
        assert_eq!(encoded_len("abcd"), 8);
        assert!(Limits::SMALL.check_value(&"x".repeat(8192)).is_ok(), "as given");
        let err = Limits::SMALL.check_value(&"x".repeat(8193)).expect_err("over");
        assert!(err.starts_with("it is 8193 bytes, over the 8192 bytes"), "{err}");
        assert!(Limits::LARGE.check_value(&"x".repeat(750_000)).is_ok(), "1000000 encoded");
        let err = Limits::LARGE.check_value(&"x".repeat(750_001)).expect_err("over");
        assert!(err.starts_with("it is 1000004 bytes base64-encoded, over the 1000000"), "{err}");
    }

    #[test]
    fn the_layout_fills_the_primary_then_extra_secrets_in_key_order() {
        // What fits stays in one secret, with the format recorded.
        let small = content(&[("a-key", 100), ("b-key", 100)]);
        let one = layout(&small, &Limits::SMALL).expect("fits");
        assert_eq!(one.len(), 1);
        assert_eq!(one[0].0, LABEL);
        assert_eq!(one[0].1.get(FORMAT_KEY).map(|v| v.expose().to_owned()), Some("2".into()));
        assert!(!one[0].1.contains_key(SHARDS_KEY));
        // 20 values of 6000 bytes: 10 to a 64 KiB secret.
        let names: Vec<String> = (0..20).map(|i| format!("crt-{i:02}")).collect();
        let big = content(&names.iter().map(|n| (n.as_str(), 6000)).collect::<Vec<_>>());
        let spread = layout(&big, &Limits::SMALL).expect("fits when spread");
        let labels: Vec<&str> = spread.iter().map(|(l, _)| l.as_str()).collect();
        assert_eq!(labels, [LABEL, "ckf-crypto-material-2"]);
        assert_eq!(spread[0].1[SHARDS_KEY].expose(), "1");
        for (_, c) in &spread {
            let total: usize = c.values().map(|v| v.expose().len()).sum();
            assert!(total <= Limits::SMALL.total, "{total}");
        }
        let mut merged: Vec<&String> = spread.iter().flat_map(|(_, c)| c.keys()).collect();
        merged.retain(|k| *k != FORMAT_KEY && *k != SHARDS_KEY);
        merged.sort();
        assert_eq!(merged, names.iter().collect::<Vec<_>>());
        // The same content at the raised limits: one secret.
        assert_eq!(layout(&big, &Limits::LARGE).expect("fits").len(), 1);
        // One value over the limit: refused, naming it.
        let too_big = content(&[("crt-huge", 9000)]);
        let err = layout(&too_big, &Limits::SMALL).expect_err("too large");
        assert!(err.0.contains("'crt-huge': it is 9000 bytes"), "{err}");
        assert!(is_material_label("ckf-crypto-material-3") && is_material_label(LABEL));
        assert!(!is_material_label("ckf-crypto-material-x") && !is_material_label("other"));
    }

    #[test]
    fn ids_and_uris() {
        assert_eq!(canonical_uri("cr1bm4s3vnv5q0u0ghcg"), "secret:cr1bm4s3vnv5q0u0ghcg");
        assert_eq!(canonical_uri("secret:abc"), "secret:abc");
        assert_eq!(bare_id("secret:cr1bm4s3vnv5q0u0ghcg"), "cr1bm4s3vnv5q0u0ghcg");
        assert_eq!(bare_id("secret://uuid-1/cr1bm4s3vnv5q0u0ghcg"), "cr1bm4s3vnv5q0u0ghcg");
        assert_eq!(bare_id("cr1bm4s3vnv5q0u0ghcg"), "cr1bm4s3vnv5q0u0ghcg");
    }
}
