//! [`Silence`]: a window during which matching notifications are recorded but not sent
//! (maintenance windows from the configuration, or silences set at run time from Slack).
//!
//! The rule that uses it lives in the dispatcher (`monitor/dispatch/silence.rs`); this module
//! only says what a silence covers and when.

mod spec;
mod target;
mod window;

#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

pub use spec::{SilenceError, SilenceSpec};
pub use target::{SilenceTarget, TargetParseError};
pub use window::{SilenceWindow, Weekly};

use super::{Scope, Timestamp};
use crate::model::RunnerSnapshot;

/// A silence: notifications about `target` are held back while `window` is active.
///
/// In TOML (`[[policy.silences]]`) or JSON it is written flat, see [`SilenceSpec`]:
///
/// # Examples
/// ```
/// use chrono::{TimeZone, Utc};
/// use runner_monitor_core::Silence;
/// let s: Silence = serde_json::from_str(
///     r#"{"target": "label:gpu", "days": ["sat"], "start": "22:00", "length": "4h",
///         "time_zone": "Europe/Berlin", "reason": "driver updates"}"#,
/// )?;
/// // Saturday 2026-01-03 22:30 in Berlin is 21:30 UTC.
/// assert!(s.is_active(Utc.with_ymd_and_hms(2026, 1, 3, 21, 30, 0).unwrap()));
/// assert!(!s.is_active(Utc.with_ymd_and_hms(2026, 1, 4, 3, 0, 0).unwrap()));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "SilenceSpec", into = "SilenceSpec")]
pub struct Silence {
    /// Unique id (runtime silences get a short generated one; configured ones their `id` or
    /// `config-N`).
    pub id: String,
    /// What it covers.
    pub target: SilenceTarget,
    /// When.
    pub window: SilenceWindow,
    /// Why (shown in listings and status), possibly empty.
    pub reason: String,
    /// Who set it: `config`, or the Slack user.
    pub created_by: String,
    /// When it was set (`None` for configured silences).
    pub created_at: Option<Timestamp>,
}

impl Silence {
    /// Whether the silence is in force at `at`.
    pub fn is_active(&self, at: Timestamp) -> bool {
        self.window.active_until(at).is_some()
    }

    /// When the occurrence in force at `at` ends (`None` when not active at `at`).
    pub fn active_until(&self, at: Timestamp) -> Option<Timestamp> {
        self.window.active_until(at)
    }

    /// Whether the silence is or will again be in force after `at` (a one-off silence that
    /// ended by `at` is expired; a weekly one never is).
    pub fn ends_after(&self, at: Timestamp) -> bool {
        match &self.window {
            SilenceWindow::Once { until, .. } => *until > at,
            SilenceWindow::Weekly(_) => true,
        }
    }

    /// Whether it covers a notification of `scope` about `runner` (`None`: about the scope
    /// itself, which only a scope silence covers).
    pub fn covers(&self, scope: &Scope, runner: Option<&RunnerSnapshot>) -> bool {
        self.target.covers(scope, runner)
    }

    /// Whether it covers a notification of `scope` about `runner`, knowing the configured
    /// `pools` (a `pool:NAME` silence also covers the pool's runners): see
    /// [`SilenceTarget::covers_in`].
    pub fn covers_in(
        &self,
        scope: &Scope,
        runner: Option<&RunnerSnapshot>,
        pools: &[super::Pool],
    ) -> bool {
        self.target.covers_in(scope, runner, pools)
    }
}

/// The end of the continuous silenced stretch containing `at` among the silences covering a
/// notification: overlapping or back-to-back silences extend each other. `None` when none is
/// active at `at`.
pub fn silenced_until<'a>(
    silences: impl IntoIterator<Item = &'a Silence> + Clone,
    at: Timestamp,
) -> Option<Timestamp> {
    let mut end = silences
        .clone()
        .into_iter()
        .filter_map(|s| s.active_until(at))
        .max()?;
    // Bounded: each step must move the end forward, and a weekly chain stops after a year.
    for _ in 0..64 {
        let next = silences
            .clone()
            .into_iter()
            .filter_map(|s| s.active_until(end))
            .max();
        match next {
            Some(next) if next > end => end = next,
            _ => break,
        }
    }
    Some(end)
}
