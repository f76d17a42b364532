//! The pure engine: `(state, observation, policy, now) -> Plan`. Every rule lives here; no I/O.
//!
//! Rules (see the README's policy reference):
//! - Unhealthy = OFFLINE, or absent from a complete listing (non-ephemeral runners). An outage opens
//!   once a runner has been unhealthy continuously for `open_after` (`new_runner_grace` for a runner
//!   never healthy since registration) and resolves after `resolve_after` healthy. Moving between
//!   unhealthy statuses never opens a second outage.
//! - A re-registered runner (same name, new id) is the same runner: its old id is remembered.
//! - Ephemeral runners that leave are forgotten silently; a non-ephemeral runner absent for
//!   `forget_after` is forgotten and its open outage resolved as removed.
//! - Reminders every `remind_every` while an outage stays open.
//! - A scope whose observations fail for `source_alert_after` raises "monitoring degraded", resolved
//!   by "monitoring restored". A failed observation changes no runner.
//! - Steady state writes nothing but a heartbeat every `heartbeat_every`.

mod plan;
mod runners;
mod source_health;

pub use plan::{Plan, PlanStats};

use crate::model::{Observation, Policy, ScopeState, Timestamp};
use crate::ports::SourceError;

/// Plans what to change and whom to tell, given what the store holds and what was observed.
///
/// Pure and deterministic: the same inputs give the same plan. An unchanged listing in steady state
/// gives an empty plan.
///
/// # Examples
/// ```
/// use runner_monitor_core::*;
/// use chrono::{Duration, TimeZone, Utc};
/// let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0).unwrap();
/// let runner = |status| ObservedRunner {
///     id: 1, name: "build-1".into(), os: "linux".into(), status, busy: false,
///     labels: vec!["self-hosted".into()], ephemeral: false, group_id: None,
/// };
/// let scope: Scope = "acme/api".parse().unwrap();
/// let policy = Policy::default();
/// let mut state = ScopeState::empty(scope);
///
/// // First sight: the runner is recorded, nobody is told.
/// let online = Ok(Observation { runners: vec![runner(ListedStatus::Online)] });
/// let plan = reconcile(&state, &online, &policy, t0);
/// assert!(plan.notifications.is_empty());
/// state.apply(&plan.changes).unwrap();
///
/// // Offline for 3 minutes (> open_after = 2 min): one outage opens.
/// let offline = Ok(Observation { runners: vec![runner(ListedStatus::Offline)] });
/// let plan = reconcile(&state, &offline, &policy, t0 + Duration::minutes(1));
/// state.apply(&plan.changes).unwrap();
/// let plan = reconcile(&state, &offline, &policy, t0 + Duration::minutes(4));
/// assert_eq!(plan.notifications[0].kind_name(), "outage_opened");
/// ```
pub fn reconcile(
    state: &ScopeState,
    observed: &Result<Observation, SourceError>,
    policy: &Policy,
    now: Timestamp,
) -> Plan {
    let mut plan = Plan::default();
    match observed {
        Ok(observation) => {
            runners::reconcile_runners(state, observation, policy, now, &mut plan);
            source_health::observed(state, policy, now, &mut plan);
        }
        Err(error) => source_health::failed(state, error, policy, now, &mut plan),
    }
    plan
}

/// `now - since`, zero when `since` is in the future (clock skew between monitors).
pub(crate) fn elapsed(since: Timestamp, now: Timestamp) -> std::time::Duration {
    (now - since).to_std().unwrap_or_default()
}

#[cfg(test)]
mod tests;
