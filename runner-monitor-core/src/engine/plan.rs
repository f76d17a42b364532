//! [`Plan`]: what one reconciliation decided.

use crate::model::{Change, Notification, SourceFailure, Timestamp};

/// What the engine decided for one scope: the changes to commit and the notifications to enqueue
/// (in the same commit, one delivery per sink).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// Changes to the scope's stored state, in order.
    pub changes: Vec<Change>,
    /// Notifications, in the order they happened.
    pub notifications: Vec<Notification>,
    /// Counts for reports and metrics.
    pub stats: PlanStats,
    /// Set when a time guard kept the observation from changing anything.
    pub hold: Option<Hold>,
    /// Set when the listing was not believed (suspect listing): the failure it counted as.
    pub suspect: Option<SourceFailure>,
}

/// Why a time guard held an observation back (it changed no runner and told nobody).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case", tag = "reason")]
pub enum Hold {
    /// The observation is older than what the scope recorded (a commit race lost to a newer
    /// observation, or this monitor's clock stepped back).
    Stale {
        /// The newest time the scope recorded.
        recorded: Timestamp,
    },
    /// The observation is more than `clock_jump` past what the scope recorded: believed once a
    /// second observation confirms the new time.
    ClockJump {
        /// The newest time the scope recorded.
        recorded: Timestamp,
    },
}

impl Hold {
    /// `stale` or `clock_jump`, for metrics.
    pub fn as_str(&self) -> &'static str {
        match self {
            Hold::Stale { .. } => "stale",
            Hold::ClockJump { .. } => "clock_jump",
        }
    }
}

impl std::fmt::Display for Hold {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Hold::Stale { recorded } => write!(
                f,
                "observation older than the state (recorded {}): nothing changed",
                recorded.to_rfc3339()
            ),
            Hold::ClockJump { recorded } => write!(
                f,
                "clock jumped far past the state (recorded {}): waiting for a second observation",
                recorded.to_rfc3339()
            ),
        }
    }
}

/// Counts describing a [`Plan`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PlanStats {
    /// Runners in the observation (0 when it failed).
    pub runners_seen: usize,
    /// Outages opened.
    pub outages_opened: usize,
    /// Outages resolved (recovered or removed).
    pub outages_resolved: usize,
    /// Reminders planned.
    pub reminders: usize,
    /// Runners forgotten.
    pub runners_forgotten: usize,
}

impl Plan {
    /// Nothing to write and nobody to tell.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty() && self.notifications.is_empty()
    }
}
