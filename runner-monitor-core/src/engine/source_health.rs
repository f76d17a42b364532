//! Scope-level rules: monitoring degraded / restored, the heartbeat and history expiry.
//!
//! Every record this module writes also clears a clock-jump marker that the record's new time has
//! caught up with (see `time_guard`).

use super::{Plan, elapsed};
use crate::model::{
    Change, DegradedIncident, Notification, NotificationKind, Policy, ScopeRecord, ScopeState,
    SourceFailure, Timestamp,
};

/// After a believed observation: end a suspect period, close a degraded incident, keep the
/// heartbeat.
pub(super) fn observed(state: &ScopeState, policy: &Policy, now: Timestamp, plan: &mut Plan) {
    let mut record = fresh(state, now);
    record.suspect_since = None;
    if record.failing_since.take().is_some() {
        record.last_failure = None;
        if let Some(incident) = record.degraded.take() {
            plan.notifications.push(Notification {
                scope: state.scope.clone(),
                at: now,
                kind: NotificationKind::MonitoringRestored {
                    incident: incident.id,
                    since: incident.since,
                    duration: elapsed(incident.since, now),
                    cause: Some(incident.failure.class),
                },
            });
        }
    }

    let heartbeat_due = record
        .last_success_at
        .is_none_or(|at| elapsed(at, now) >= policy.heartbeat_every);
    let expiry_due = record
        .history_expired_at
        .is_none_or(|at| elapsed(at, now) >= policy.heartbeat_every);
    if expiry_due {
        expire_history(&mut record, policy, now, plan);
    }
    // Writing anyway: refresh the heartbeat for free.
    if heartbeat_due || !plan.changes.is_empty() || record != state.record {
        record.last_success_at = Some(now);
    }
    put_if_changed(state, record, plan);
}

/// How a failed observation failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Failed {
    /// The source returned an error (a suspect period, if any, goes on).
    Source,
    /// The engine did not believe a complete listing: a suspect period starts or goes on.
    Suspect,
}

/// After a failed observation: no runner changes; maybe raise "monitoring degraded".
pub(super) fn failed(
    state: &ScopeState,
    failure: SourceFailure,
    how: Failed,
    policy: &Policy,
    now: Timestamp,
    plan: &mut Plan,
) {
    let mut record = fresh(state, now);
    if how == Failed::Suspect {
        record.suspect_since.get_or_insert(now);
    }
    let since = *record.failing_since.get_or_insert(now);
    // Keep the first failure of each class; messages vary (retry-after seconds) and must not
    // cause a write every cycle.
    if record
        .last_failure
        .as_ref()
        .is_none_or(|last| last.class != failure.class)
    {
        record.last_failure = Some(failure.clone());
    }
    if record.degraded.is_none() && elapsed(since, now) >= policy.source_alert_after {
        record.last_incident_id += 1;
        let incident = DegradedIncident {
            id: record.last_incident_id,
            since,
            failure: failure.clone(),
        };
        plan.notifications.push(Notification {
            scope: state.scope.clone(),
            at: now,
            kind: NotificationKind::MonitoringDegraded {
                incident: incident.id,
                failure,
                since,
            },
        });
        record.degraded = Some(incident);
    }
    put_if_changed(state, record, plan);
}

fn expire_history(record: &mut ScopeRecord, policy: &Policy, now: Timestamp, plan: &mut Plan) {
    let before = chrono::Duration::from_std(policy.history_ttl)
        .ok()
        .and_then(|ttl| now.checked_sub_signed(ttl));
    if let Some(before) = before {
        record.history_expired_at = Some(now);
        plan.changes.push(Change::ExpireHistory { before });
    }
}

/// The record to update; a clock-jump marker later than this admitted observation was a glitch
/// that no observation confirmed: dropped.
fn fresh(state: &ScopeState, now: Timestamp) -> ScopeRecord {
    let mut record = state.record.clone();
    if record.clock_jump_at.is_some_and(|at| at > now) {
        record.clock_jump_at = None;
    }
    record
}

fn put_if_changed(state: &ScopeState, mut record: ScopeRecord, plan: &mut Plan) {
    if record
        .clock_jump_at
        .is_some_and(|at| record.recorded_at().is_some_and(|rec| rec >= at))
    {
        record.clock_jump_at = None;
    }
    if record != state.record {
        plan.changes.push(Change::PutScope(record));
    }
}
