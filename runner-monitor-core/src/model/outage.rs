//! [`Outage`]: a period during which a runner could not take jobs.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{RunnerStatus, Timestamp};

/// How an outage ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "status")]
pub enum Resolution {
    /// The runner came back with this (healthy) status.
    Recovered(RunnerStatus),
    /// The runner was absent for `forget_after` (or was ephemeral and left) and was forgotten.
    Removed,
}

/// A period during which one runner was unhealthy long enough to be reported.
///
/// Ids are contiguous per runner name within a scope, starting at 1. At most one outage per runner
/// is open (has no `resolved_at`) at any time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outage {
    /// The runner's name.
    pub runner: String,
    /// Contiguous per runner from 1.
    pub id: u64,
    /// The runner's GitHub id when the outage opened.
    pub runner_id: u64,
    /// The unhealthy status that opened it (OFFLINE or UNKNOWN).
    pub trigger: RunnerStatus,
    /// When the runner became unhealthy (not when the outage was confirmed).
    pub started_at: Timestamp,
    /// When it ended; `None` while ongoing.
    pub resolved_at: Option<Timestamp>,
    /// How it ended; `None` while ongoing.
    pub resolution: Option<Resolution>,
    /// Human description, e.g. "Runner build-1 entered Offline state".
    pub description: String,
    /// Reminders sent so far.
    #[serde(default)]
    pub reminders: u32,
    /// When people were last told about it: the opening, then each reminder. Reminders are due
    /// `remind_every` after it.
    #[serde(default)]
    pub last_reminded_at: Option<Timestamp>,
    /// Who acknowledged it and when (`/runner-ack`): no more reminders; its resolution is still
    /// sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acknowledged: Option<Acknowledgement>,
}

/// Someone took an open outage on: reminders stop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Acknowledgement {
    /// Who (a Slack user id or name).
    pub by: String,
    /// When.
    pub at: Timestamp,
}

impl Outage {
    /// Whether it is still ongoing.
    pub fn is_open(&self) -> bool {
        self.resolved_at.is_none()
    }

    /// Its length: until `resolved_at`, or until `now` while ongoing (zero if `now` is earlier).
    pub fn duration(&self, now: Timestamp) -> Duration {
        let end = self.resolved_at.unwrap_or(now);
        (end - self.started_at).to_std().unwrap_or_default()
    }
}
