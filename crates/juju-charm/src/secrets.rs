//! Application-owned secrets found by label: the place for what a charm must keep.
//!
//! Anything a charm generates and must keep (a password, a key, a salt) belongs in a Juju
//! secret owned by the application, found again by a label the charm chooses: a file or a
//! unit's state is lost when a Kubernetes pod is replaced, and only the application's secret is
//! shared by every unit. Only the leader may create or change it; every unit may read it.
//!
//! [`AppSecret`] is one such secret, with get-or-create. [`SpreadSecret`] is content that may
//! grow past what one secret may hold under the running Juju's limits
//! ([`SecretLimits`]): it is laid out over the secret `<label>` and,
//! only when needed, `<label>-2`, `<label>-3`, ..., and read back as one map.
//!
//! Values never reach a command line: the hook-tool client writes them to private files that
//! `secret-add` and `secret-set` read ([`HookTools::secret_add`]).
//!
//! Content read or written during a hook should be kept in memory for the rest of the hook:
//! `secret-get` right after `secret-add` in the same hook is not reliable across Juju versions
//! (canonical/operator issue 857).

use std::collections::BTreeMap;

use crate::error::{ErrorKind, HookToolError};
use crate::rules::{SecretLimits, SecretUri};
use crate::secret::SecretString;
use crate::tools::{
    HookTools, SecretAddOptions, SecretContent, SecretOwner, SecretRead, SecretRef,
    SecretSetOptions,
};

/// One application-owned secret, found by its label.
///
/// ```no_run
/// use juju_charm::secrets::AppSecret;
/// use juju_charm::{HookTools, ProcessRunner, SecretString};
///
/// let tools = HookTools::new(&ProcessRunner);
/// let secret = AppSecret::new("admin-password").description("the web UI's admin password");
/// // The leader creates it on the first hook; every other unit reads it once it exists.
/// match secret.get_or_create(&tools, || {
///     [("password".to_owned(), SecretString::new("generated"))].into_iter().collect()
/// })? {
///     Some(content) => { /* use content["password"] */ }
///     None => { /* not created yet, and this unit is not the leader */ }
/// }
/// # Ok::<(), juju_charm::HookToolError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppSecret {
    label: String,
    description: Option<String>,
}

impl AppSecret {
    /// The secret labelled `label`.
    pub fn new(label: impl Into<String>) -> Self {
        Self { label: label.into(), description: None }
    }

    /// Sets the description given to it when it is created (`juju secrets` shows it).
    #[must_use]
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Its label.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// Its latest content (`secret-get --label <label> --refresh`, which also moves this unit's
    /// tracking to it), or `None` when no such secret exists.
    pub fn get(&self, tools: &HookTools<'_>) -> Result<Option<SecretContent>, HookToolError> {
        match tools.secret_get(SecretRef::Label(&self.label), SecretRead::Refresh) {
            Ok(content) => Ok(Some(content)),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Its content; when it does not exist yet and this unit is the leader, creates it with
    /// `make()` first. `None` when it does not exist and this unit is not the leader (which
    /// cannot create it): wait for the leader.
    pub fn get_or_create(
        &self,
        tools: &HookTools<'_>,
        make: impl FnOnce() -> SecretContent,
    ) -> Result<Option<SecretContent>, HookToolError> {
        self.try_get_or_create(tools, || Ok(make()))
    }

    /// [`Self::get_or_create`] with a `make` that may fail (generating content can): its error
    /// is returned, and nothing is created.
    pub fn try_get_or_create<E: From<HookToolError>>(
        &self,
        tools: &HookTools<'_>,
        make: impl FnOnce() -> Result<SecretContent, E>,
    ) -> Result<Option<SecretContent>, E> {
        if let Some(content) = self.get(tools)? {
            return Ok(Some(content));
        }
        if !tools.is_leader()? {
            return Ok(None);
        }
        let content = make()?;
        self.create(tools, &content)?;
        Ok(Some(content))
    }

    /// Creates it with `content` (leader only); returns its URI.
    pub fn create(
        &self,
        tools: &HookTools<'_>,
        content: &SecretContent,
    ) -> Result<SecretUri, HookToolError> {
        let opts = SecretAddOptions {
            label: Some(self.label.clone()),
            description: self.description.clone(),
            owner: SecretOwner::Application,
            ..SecretAddOptions::default()
        };
        tools.secret_add(content, &opts)
    }

    /// Writes `content` as its new revision (leader only).
    pub fn set(&self, tools: &HookTools<'_>, content: &SecretContent) -> Result<(), HookToolError> {
        let uri = self.uri(tools)?;
        tools.secret_set(&uri, Some(content), &SecretSetOptions::default())
    }

    /// Removes it and every revision (leader only).
    pub fn remove(&self, tools: &HookTools<'_>) -> Result<(), HookToolError> {
        let uri = self.uri(tools)?;
        tools.secret_remove(&uri, None)
    }

    /// Its URI, from `secret-info-get --label` (owners only).
    pub fn uri(&self, tools: &HookTools<'_>) -> Result<SecretUri, HookToolError> {
        Ok(tools.secret_info_get(SecretRef::Label(&self.label))?.uri)
    }
}

/// Content kept in application-owned secrets, spread over as many as Juju's limits need.
///
/// The primary secret `<label>` holds the first keys, the *header* keys given to
/// [`Self::write`] (a format version, say) and, when there are extra secrets, their number under
/// the count key; `<label>-2`, `<label>-3`, ... hold the rest, filled in key order. Content that
/// fits in one secret is one secret, so a hook that only reads costs one `secret-get`.
///
/// ```
/// use juju_charm::rules::SecretLimits;
/// use juju_charm::secrets::SpreadSecret;
/// use juju_charm::tools::SecretContent;
/// use juju_charm::SecretString;
///
/// let spread = SpreadSecret::new("material", "material-shards");
/// let content: SecretContent = (0..20)
///     .map(|i| (format!("crt-{i:02}"), SecretString::new("x".repeat(6000))))
///     .collect();
/// let layout = spread.layout(&content, &SecretContent::new(), &SecretLimits::BEFORE_3_6_9)?;
/// let labels: Vec<&str> = layout.iter().map(|(label, _)| label.as_str()).collect();
/// assert_eq!(labels, ["material", "material-2"]);
/// let one = spread.layout(&content, &SecretContent::new(), &SecretLimits::SINCE_3_6_9)?;
/// assert_eq!(one.len(), 1);
/// # Ok::<(), juju_charm::secrets::TooLarge>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpreadSecret {
    label: String,
    count_key: String,
    description: Option<String>,
}

/// Spread content as read: every content key merged (without the count key), and each secret's
/// content as it is, by label.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Spread {
    /// Every key of every secret, but the count key.
    pub content: SecretContent,
    /// Each secret's content as stored, by label; the primary's label first in key order.
    pub secrets: BTreeMap<String, SecretContent>,
}

/// What [`SpreadSecret::write`] did to one secret.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SecretWrite {
    /// Created the secret with this label.
    Created(String),
    /// Wrote a new revision of it.
    Updated(String),
    /// Removed it: its content now fits in the others.
    Removed(String),
}

impl std::fmt::Display for SecretWrite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Created(l) => write!(f, "created the Juju secret '{l}'"),
            Self::Updated(l) => write!(f, "updated the Juju secret '{l}'"),
            Self::Removed(l) => write!(f, "removed the Juju secret '{l}' (no longer needed)"),
        }
    }
}

/// A value Juju would not store in any secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot store the secret content: {0}")]
pub struct TooLarge(pub String);

/// Why [`SpreadSecret::write`] failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SpreadWriteError {
    /// A value over Juju's limit: nothing was written.
    #[error(transparent)]
    TooLarge(#[from] TooLarge),
    /// A hook tool failed.
    #[error(transparent)]
    Tool(#[from] HookToolError),
}

impl SpreadSecret {
    /// Room kept in the primary secret for the header and count keys, in bytes.
    const RESERVE: usize = 256;

    /// Content spread from the secret `label`, counting its extra secrets under `count_key`
    /// (a valid secret key that the content never uses).
    pub fn new(label: impl Into<String>, count_key: impl Into<String>) -> Self {
        Self { label: label.into(), count_key: count_key.into(), description: None }
    }

    /// Sets the description given to each secret when it is created.
    #[must_use]
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// The primary secret's label.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// The label of extra secret `n` (2, 3, ...).
    pub fn extra_label(&self, n: usize) -> String {
        format!("{}-{n}", self.label)
    }

    /// Whether `label` is the label of one of these secrets (the primary or an extra one).
    pub fn owns_label(&self, label: &str) -> bool {
        label == self.label
            || label
                .strip_prefix(self.label.as_str())
                .and_then(|rest| rest.strip_prefix('-'))
                .is_some_and(|n| n.parse::<usize>().is_ok_and(|n| n >= 2))
    }

    /// Reads the content: the primary secret and, when it counts extra ones, those. `None` when
    /// the primary does not exist.
    ///
    /// # Errors
    /// A hook tool's failure, or an extra secret the primary counts that does not exist (the
    /// content would be incomplete).
    pub fn read(&self, tools: &HookTools<'_>) -> Result<Option<Spread>, HookToolError> {
        let Some(primary) = AppSecret::new(&self.label).get(tools)? else { return Ok(None) };
        let extra: usize =
            primary.get(&self.count_key).and_then(|v| v.expose().parse().ok()).unwrap_or_default();
        let mut spread = Spread::default();
        let mut merge = |content: &SecretContent| {
            for (k, v) in content {
                if *k != self.count_key {
                    spread.content.insert(k.clone(), v.clone());
                }
            }
        };
        merge(&primary);
        let mut secrets = BTreeMap::from([(self.label.clone(), primary)]);
        for n in 2..extra + 2 {
            let label = self.extra_label(n);
            let content =
                AppSecret::new(&label).get(tools)?.ok_or_else(|| HookToolError::Parse {
                    tool: "secret-get".into(),
                    why: format!(
                        "the secret '{}' names '{label}', which does not exist",
                        self.label
                    ),
                })?;
            merge(&content);
            secrets.insert(label, content);
        }
        spread.secrets = secrets;
        Ok(Some(spread))
    }

    /// How `content` is spread under `limits`: the primary first (with `header` and, if there
    /// are extra secrets, the count key), then as many extra secrets as needed, each filled in
    /// key order up to the limit.
    ///
    /// # Errors
    /// [`TooLarge`] naming the first key whose value alone is over the per-value limit.
    pub fn layout(
        &self,
        content: &SecretContent,
        header: &SecretContent,
        limits: &SecretLimits,
    ) -> Result<Vec<(String, SecretContent)>, TooLarge> {
        // Keys are not counted by Juju; counting them keeps a margin.
        let size = |k: &str, v: &SecretString| k.len() + limits.measure(v.expose());
        let header_size: usize = header.iter().map(|(k, v)| size(k, v)).sum();
        let mut bins: Vec<SecretContent> = vec![SecretContent::new()];
        let mut used = vec![Self::RESERVE.max(header_size + 64)];
        for (k, v) in content {
            limits.check_value(v.expose()).map_err(|why| TooLarge(format!("'{k}': {why}")))?;
            let need = size(k, v);
            if used[bins.len() - 1] + need > limits.total {
                bins.push(SecretContent::new());
                used.push(0);
            }
            let last = bins.len() - 1;
            bins[last].insert(k.clone(), v.clone());
            used[last] += need;
        }
        let extra = bins.len() - 1;
        bins[0].extend(header.iter().map(|(k, v)| (k.clone(), v.clone())));
        if extra > 0 {
            bins[0].insert(self.count_key.clone(), SecretString::new(extra.to_string()));
        }
        Ok(bins
            .into_iter()
            .enumerate()
            .map(|(i, c)| (if i == 0 { self.label.clone() } else { self.extra_label(i + 1) }, c))
            .collect())
    }

    /// Writes `content` (with `header` in the primary), secret by secret: creates the ones that
    /// do not exist, sets the ones whose content differs, removes extra ones no longer needed.
    /// Nothing is written when `stored` holds the same content keys and values, whatever its
    /// header and layout (leader only).
    pub fn write(
        &self,
        tools: &HookTools<'_>,
        stored: Option<&Spread>,
        content: &SecretContent,
        header: &SecretContent,
        limits: &SecretLimits,
    ) -> Result<Vec<SecretWrite>, SpreadWriteError> {
        let unchanged = stored.is_some_and(|s| {
            let have = s.content.iter().filter(|(k, _)| !header.contains_key(*k));
            have.eq(content.iter())
        });
        if unchanged {
            return Ok(Vec::new());
        }
        let target = self.layout(content, header, limits)?;
        let mut written = Vec::new();
        let existing = stored.map(|s| &s.secrets);
        // Extra secrets first, the primary (which counts them) last: a hook that fails half-way
        // commits nothing anyway, but the order keeps the primary's view consistent.
        for (label, want) in target.iter().rev() {
            let secret = AppSecret { label: label.clone(), description: self.description.clone() };
            match existing.and_then(|e| e.get(label)) {
                Some(have) if have == want => continue,
                Some(_) => {
                    secret.set(tools, want)?;
                    written.push(SecretWrite::Updated(label.clone()));
                }
                None => {
                    secret.create(tools, want)?;
                    written.push(SecretWrite::Created(label.clone()));
                }
            }
        }
        for label in existing.into_iter().flat_map(|e| e.keys()) {
            if !target.iter().any(|(l, _)| l == label) {
                AppSecret::new(label).remove(tools)?;
                written.push(SecretWrite::Removed(label.clone()));
            }
        }
        Ok(written)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content(pairs: &[(&str, usize)]) -> SecretContent {
        pairs.iter().map(|(k, n)| ((*k).to_owned(), SecretString::new("x".repeat(*n)))).collect()
    }

    #[test]
    fn the_layout_fills_the_primary_then_extra_secrets_in_key_order() {
        let spread = SpreadSecret::new("material", "material-shards");
        let header = content(&[("format-version", 1)]);
        let small = content(&[("a-key", 100), ("b-key", 100)]);
        let one = spread.layout(&small, &header, &SecretLimits::BEFORE_3_6_9).expect("fits");
        assert_eq!(one.len(), 1);
        assert!(one[0].1.contains_key("format-version"));
        assert!(!one[0].1.contains_key("material-shards"));
        // 20 values of 6000 bytes: 10 to a 64 KiB secret.
        let names: Vec<String> = (0..20).map(|i| format!("crt-{i:02}")).collect();
        let big = content(&names.iter().map(|n| (n.as_str(), 6000)).collect::<Vec<_>>());
        let two = spread.layout(&big, &header, &SecretLimits::BEFORE_3_6_9).expect("fits");
        let labels: Vec<&str> = two.iter().map(|(l, _)| l.as_str()).collect();
        assert_eq!(labels, ["material", "material-2"]);
        assert_eq!(two[0].1["material-shards"].expose(), "1");
        for (_, c) in &two {
            let total: usize = c.values().map(|v| v.expose().len()).sum();
            assert!(total <= SecretLimits::BEFORE_3_6_9.total, "{total}");
        }
        let err = spread
            .layout(&content(&[("crt-huge", 9000)]), &header, &SecretLimits::BEFORE_3_6_9)
            .expect_err("too large");
        assert!(err.0.contains("'crt-huge': it is 9000 bytes"), "{err}");
        assert!(spread.owns_label("material-3") && spread.owns_label("material"));
        assert!(!spread.owns_label("material-x") && !spread.owns_label("material-1"));
        assert!(!spread.owns_label("other"));
    }
}
