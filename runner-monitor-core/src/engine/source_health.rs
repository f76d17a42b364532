//! Scope-level rules: monitoring degraded / restored, the heartbeat and history expiry.

use super::{Plan, elapsed};
use crate::model::{
    Change, DegradedIncident, Notification, NotificationKind, Policy, ScopeRecord, ScopeState,
    Timestamp,
};
use crate::ports::SourceError;

/// After a successful observation: close a degraded incident, keep the heartbeat.
pub(super) fn observed(state: &ScopeState, policy: &Policy, now: Timestamp, plan: &mut Plan) {
    let mut record = state.record.clone();
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

/// After a failed observation: no runner changes; maybe raise "monitoring degraded".
pub(super) fn failed(
    state: &ScopeState,
    error: &SourceError,
    policy: &Policy,
    now: Timestamp,
    plan: &mut Plan,
) {
    let mut record = state.record.clone();
    let failure = error.to_failure();
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

fn put_if_changed(state: &ScopeState, record: ScopeRecord, plan: &mut Plan) {
    if record != state.record {
        plan.changes.push(Change::PutScope(record));
    }
}
