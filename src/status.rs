//! The unit's status, computed once per hook: the worst problem wins.
//!
//! Every area of the charm adds what it found to a [`StatusReport`]; at the end of the hook
//! [`StatusReport::resolve`] picks the worst level in the order of `contract.md` §8
//! (blocked > maintenance > waiting > active) and, among problems of that level, the first one
//! added. The others are returned too, so the caller can log them all (§11: "the message names
//! one of them and the log names all"). This is ops' collect-status, without a framework.

use juju::tools::StatusName;

/// How bad a problem is. Declared in increasing order of badness, so `max` picks the worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Nothing wrong.
    Active,
    /// Waiting for something outside the charm.
    Waiting,
    /// Busy with something that will finish by itself.
    Maintenance,
    /// Needs the operator.
    Blocked,
}

impl Level {
    /// The Juju status name.
    pub fn status_name(self) -> StatusName {
        match self {
            Self::Active => StatusName::Active,
            Self::Waiting => StatusName::Waiting,
            Self::Maintenance => StatusName::Maintenance,
            Self::Blocked => StatusName::Blocked,
        }
    }
}

/// One thing worth telling the operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// How bad.
    pub level: Level,
    /// The status message (never a secret value).
    pub message: String,
}

/// The problems found during one hook, plus the message shown when there are none.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatusReport {
    problems: Vec<Problem>,
    summary: Vec<String>,
}

impl StatusReport {
    /// Adds a problem.
    pub fn add(&mut self, level: Level, message: impl Into<String>) {
        self.problems.push(Problem { level, message: message.into() });
    }

    /// Adds an informational note shown when the unit is active (`"; "`-joined). Notes added at
    /// `Level::Active` through [`Self::add`] come first.
    pub fn note(&mut self, message: impl Into<String>) {
        self.summary.push(message.into());
    }

    /// Adds everything `other` holds, after what this report holds.
    pub fn extend(&mut self, other: &StatusReport) {
        self.problems.extend(other.problems.iter().cloned());
        self.summary.extend(other.summary.iter().cloned());
    }

    /// All problems, in the order added.
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }

    /// The status to set: the worst level, and the first message of that level.
    pub fn resolve(&self) -> (Level, String) {
        let worst = self.problems.iter().map(|p| p.level).max().unwrap_or(Level::Active);
        if worst == Level::Active {
            let mut parts: Vec<&str> = self.problems.iter().map(|p| p.message.as_str()).collect();
            parts.extend(self.summary.iter().map(String::as_str));
            return (Level::Active, parts.join("; "));
        }
        let first = self.problems.iter().find(|p| p.level == worst).map(|p| p.message.clone());
        (worst, first.unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_is_active_without_message() {
        assert_eq!(StatusReport::default().resolve(), (Level::Active, String::new()));
    }

    #[test]
    fn worst_wins_and_first_of_its_level_is_shown() {
        let mut r = StatusReport::default();
        r.add(Level::Waiting, "w");
        r.add(Level::Blocked, "b1");
        r.add(Level::Maintenance, "m");
        r.add(Level::Blocked, "b2");
        assert_eq!(r.resolve(), (Level::Blocked, "b1".into()));
        assert_eq!(r.problems().len(), 4);
    }

    #[test]
    fn maintenance_beats_waiting() {
        let mut r = StatusReport::default();
        r.add(Level::Waiting, "w");
        r.add(Level::Maintenance, "m");
        assert_eq!(r.resolve(), (Level::Maintenance, "m".into()));
    }

    #[test]
    fn active_notes_are_joined() {
        let mut r = StatusReport::default();
        r.add(Level::Active, "standby");
        r.note("2 relations");
        assert_eq!(r.resolve(), (Level::Active, "standby; 2 relations".into()));
    }
}
