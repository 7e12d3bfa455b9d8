//! Workload status, collected from the parts of a charm and set once.
//!
//! A holistic charm has several parts, each of which may find something to tell the operator.
//! Setting the status from each part makes the last writer win (canonical/operator issue 665:
//! one handler's blocked overwritten by another's active). Instead each part adds a [`Status`]
//! to a [`StatusCollector`], and the worst one is set once, at the end of the dispatch, in the
//! order ops uses: blocked > maintenance > waiting > active ([`StatusName`] orders this way).
//! Among statuses of the worst kind, the first one added wins; when all are active, their
//! messages are joined with `"; "`, followed by any [`StatusCollector::note`].
//!
//! ```
//! use juju_charm::status::{Status, StatusCollector, StatusName};
//!
//! let mut statuses = StatusCollector::default();
//! statuses.add(Status::waiting("waiting for the database"));
//! statuses.add(Status::blocked("set the 'port' option"));
//! statuses.add(Status::active(""));
//! assert_eq!(statuses.resolve(), Status::blocked("set the 'port' option"));
//! assert!(StatusName::Blocked > StatusName::Maintenance);
//! ```

use std::fmt;

/// A workload status `status-set` accepts, ordered by priority: `Active < Waiting <
/// Maintenance < Blocked`, so the worst of several is their maximum.
///
/// Juju also shows `error` (a failed hook) and `unknown` (nothing set yet), which a charm
/// cannot set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum StatusName {
    /// `active`: ready, nothing wrong.
    Active,
    /// `waiting`: waiting for something outside the charm (another application, a retry).
    Waiting,
    /// `maintenance`: busy with something that will finish by itself.
    Maintenance,
    /// `blocked`: needs the operator.
    Blocked,
}

impl StatusName {
    /// The word `status-set` takes.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Waiting => "waiting",
            Self::Maintenance => "maintenance",
            Self::Blocked => "blocked",
        }
    }
}

impl fmt::Display for StatusName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A status and its message (which must never hold a secret value: `juju status` shows it).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Status {
    /// Which status.
    pub name: StatusName,
    /// The message shown beside it.
    pub message: String,
}

impl Status {
    /// A status named `name` with `message`.
    pub fn new(name: StatusName, message: impl Into<String>) -> Self {
        Self { name, message: message.into() }
    }

    /// `active` with `message`.
    pub fn active(message: impl Into<String>) -> Self {
        Self::new(StatusName::Active, message)
    }

    /// `waiting` with `message`.
    pub fn waiting(message: impl Into<String>) -> Self {
        Self::new(StatusName::Waiting, message)
    }

    /// `maintenance` with `message`.
    pub fn maintenance(message: impl Into<String>) -> Self {
        Self::new(StatusName::Maintenance, message)
    }

    /// `blocked` with `message`.
    pub fn blocked(message: impl Into<String>) -> Self {
        Self::new(StatusName::Blocked, message)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.message.is_empty() {
            f.write_str(self.name.as_str())
        } else {
            write!(f, "{}: {}", self.name, self.message)
        }
    }
}

/// The statuses the parts of a charm found during one dispatch; [`Self::resolve`] picks the
/// one to set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatusCollector {
    statuses: Vec<Status>,
    notes: Vec<String>,
}

impl StatusCollector {
    /// Adds a status.
    pub fn add(&mut self, status: Status) {
        self.statuses.push(status);
    }

    /// Adds an informational note, shown after the active messages when every status is active
    /// (`"2 relations served"`).
    pub fn note(&mut self, message: impl Into<String>) {
        self.notes.push(message.into());
    }

    /// Adds what `other` collected, after what this one holds.
    pub fn extend(&mut self, other: &StatusCollector) {
        self.statuses.extend(other.statuses.iter().cloned());
        self.notes.extend(other.notes.iter().cloned());
    }

    /// Every status added, in order.
    pub fn statuses(&self) -> &[Status] {
        &self.statuses
    }

    /// Whether nothing was added (then the framework leaves the status as it is).
    pub fn is_empty(&self) -> bool {
        self.statuses.is_empty() && self.notes.is_empty()
    }

    /// The status to set: the worst added, the first of its kind; when all are active (or none
    /// was added), `active` with the active messages and then the notes, joined by `"; "`.
    pub fn resolve(&self) -> Status {
        let worst = self.statuses.iter().map(|s| s.name).max().unwrap_or(StatusName::Active);
        if worst == StatusName::Active {
            let parts: Vec<&str> = self
                .statuses
                .iter()
                .map(|s| s.message.as_str())
                .chain(self.notes.iter().map(String::as_str))
                .filter(|m| !m.is_empty())
                .collect();
            return Status::active(parts.join("; "));
        }
        self.statuses.iter().find(|s| s.name == worst).cloned().unwrap_or(Status::active(""))
    }

    /// The statuses other than active, in order: what to log when there are several.
    pub fn problems(&self) -> impl Iterator<Item = &Status> {
        self.statuses.iter().filter(|s| s.name > StatusName::Active)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_is_active_without_message() {
        assert_eq!(StatusCollector::default().resolve(), Status::active(""));
        assert!(StatusCollector::default().is_empty());
    }

    #[test]
    fn worst_wins_and_first_of_its_kind_is_shown() {
        let mut c = StatusCollector::default();
        c.add(Status::waiting("w"));
        c.add(Status::blocked("b1"));
        c.add(Status::maintenance("m"));
        c.add(Status::blocked("b2"));
        assert_eq!(c.resolve(), Status::blocked("b1"));
        assert_eq!(c.problems().count(), 4);
        let mut c = StatusCollector::default();
        c.add(Status::waiting("w"));
        c.add(Status::maintenance("m"));
        assert_eq!(c.resolve(), Status::maintenance("m"));
    }

    #[test]
    fn active_messages_and_notes_are_joined() {
        let mut c = StatusCollector::default();
        c.note("2 relations");
        c.add(Status::active("standby"));
        c.add(Status::active(""));
        assert_eq!(c.resolve(), Status::active("standby; 2 relations"));
        assert_eq!(Status::blocked("x").to_string(), "blocked: x");
    }

    #[test]
    fn priority_order() {
        use StatusName::*;
        let mut names = [Blocked, Active, Maintenance, Waiting];
        names.sort();
        assert_eq!(names, [Active, Waiting, Maintenance, Blocked]);
    }
}
