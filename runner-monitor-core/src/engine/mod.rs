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
//! - Suspect listings (`suspect`): a complete listing that lost most known runners at once changes
//!   no runner and counts as a failure until the drop lasts `suspect_drop.accept_after`; then
//!   the missing runners are removed with one `runners_removed`.
//! - Time guards (`time_guard`): an observation older than the state changes nothing; one far in
//!   the future waits for a second observation to confirm it.
//! - Removed runners (`deregistered`): under `removed_runners = "notice"` (the default) a
//!   non-ephemeral runner missing from two listings for `open_after`, with no outage open, is
//!   forgotten with one `runners_removed` notice per scope and cycle, not an outage.
//! - Flapping (`flapping`): a runner that opens `flap_count` outages within `flap_window` gets
//!   one `runner_flapping` instead of that opening; its outages are then recorded but not told
//!   until its health is unchanged for `flap_settle`: one `runner_stable` (healthy) or the
//!   `outage_opened` of its open outage (down).
//! - A name listed twice (GitHub forbids it): the entry with the highest id stands for it.
//! - Pool capacity (`pools`, [`evaluate_pool`]): after the scopes of a cycle, a pool whose
//!   matching runners stay below its floor (`min_online` or `min_idle`) for its `for` opens an
//!   outage in its own scope `pool:NAME`, resolved once back at the floor; held while a scope it
//!   spans was not observed.

mod deregistered;
mod flapping;
mod plan;
mod pools;
mod runners;
mod source_health;
mod suspect;
mod time_guard;

pub use plan::{Hold, Plan, PlanStats};
pub use pools::{POOL_RECORD_ID, PoolHold, PoolMember, PoolPlan, evaluate_pool};

use crate::model::{Observation, Policy, ScopeState, Timestamp};
use crate::ports::SourceError;
use source_health::Failed;
use suspect::Verdict;

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
    if !time_guard::admit(state, policy, now, &mut plan) {
        return plan;
    }
    let observation = match observed {
        Ok(observation) => observation,
        Err(error) => {
            let failure = error.to_failure();
            source_health::failed(state, failure, Failed::Source, policy, now, &mut plan);
            return plan;
        }
    };
    let listed = runners::index(observation);
    let usual = runners::Absence::Usual;
    let loss =
        runners::reconcile_runners(state, observation, &listed, policy, now, usual, &mut plan);
    match suspect::judge(state, loss, policy, now) {
        Verdict::Believed => {}
        Verdict::Suspect(failure) => {
            // Not believed: drop every runner change planned from it.
            let seen = plan.stats.runners_seen;
            plan = Plan::default();
            plan.stats.runners_seen = seen;
            plan.suspect = Some(failure.clone());
            source_health::failed(state, failure, Failed::Suspect, policy, now, &mut plan);
            return plan;
        }
        Verdict::Accepted => {
            // Rare (once per accepted drop): plan again, removing the missing known runners.
            plan = Plan::default();
            let removed = runners::Absence::Removed;
            runners::reconcile_runners(
                state,
                observation,
                &listed,
                policy,
                now,
                removed,
                &mut plan,
            );
        }
    }
    source_health::observed(state, policy, now, &mut plan);
    plan
}

/// `now - since`, zero when `since` is in the future (clock skew between monitors).
pub(crate) fn elapsed(since: Timestamp, now: Timestamp) -> std::time::Duration {
    (now - since).to_std().unwrap_or_default()
}

#[cfg(test)]
mod tests;
