//! [`Plan`]: what one reconciliation decided.

use crate::model::{Change, Notification};

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
