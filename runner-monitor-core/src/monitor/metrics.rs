//! Metrics emitted through the `metrics` facade (the host installs an exporter).
//!
//! Names are stable; label sets are bounded (scope, sink, class, status, outcome; runner names only
//! on the per-runner gauges [`RUNNER_UP`] and [`RUNNER_BUSY`]).

use metrics::{counter, gauge};

use super::report::CycleReport;
use crate::engine::{Hold, Plan};
use crate::model::{FailureClass, RunnerStatus, Scope, ScopeState};

/// Counter: outages opened, label `scope`.
pub const OUTAGES_OPENED: &str = "runner_monitor_outages_opened_total";
/// Counter: outages resolved, label `scope`.
pub const OUTAGES_RESOLVED: &str = "runner_monitor_outages_resolved_total";
/// Gauge: open outages, label `scope`.
pub const OPEN_OUTAGES: &str = "runner_monitor_open_outages";
/// Gauge: runners by status, labels `scope`, `status`.
pub const RUNNERS: &str = "runner_monitor_runners";
/// Counter: failed observations, labels `scope`, `class`.
pub const SOURCE_ERRORS: &str = "runner_monitor_source_errors_total";
/// Counter: delivery attempts by outcome, labels `sink`, `outcome` (`sent`, `retried`, `failed`).
pub const DELIVERIES: &str = "runner_monitor_deliveries_total";
/// Counter: cycles run.
pub const CYCLES: &str = "runner_monitor_cycles_total";
/// Gauge: deliveries left pending after the last dispatch.
pub const DELIVERIES_DEFERRED: &str = "runner_monitor_deliveries_deferred";
/// Gauge: deliveries still to be sent after the last dispatch (deferred plus scheduled for a
/// retry), within the dispatch batch.
pub const DELIVERIES_PENDING: &str = "runner_monitor_deliveries_pending";
/// Gauge: 1 while a runner's status is healthy (online, idle or busy), 0 while offline or absent;
/// labels `scope`, `runner`. Set every cycle; hosts expire series of forgotten runners.
pub const RUNNER_UP: &str = "runner_monitor_runner_up";
/// Gauge: 1 while a runner runs a job; labels `scope`, `runner`.
pub const RUNNER_BUSY: &str = "runner_monitor_runner_busy";

/// Counter: observations a time guard held back, labels `scope`, `reason` (`stale`, `clock_jump`).
pub const OBSERVATIONS_HELD: &str = "runner_monitor_observations_held_total";

pub(super) fn held(scope: &Scope, hold: &Hold) {
    counter!(OBSERVATIONS_HELD, "scope" => scope.to_string(), "reason" => hold.as_str())
        .increment(1);
}

pub(super) fn source_error(scope: &Scope, class: FailureClass) {
    counter!(SOURCE_ERRORS, "scope" => scope.to_string(), "class" => class.as_str()).increment(1);
}

pub(super) fn committed(scope: &Scope, plan: &Plan) {
    let scope = scope.to_string();
    counter!(OUTAGES_OPENED, "scope" => scope.clone()).increment(plan.stats.outages_opened as u64);
    counter!(OUTAGES_RESOLVED, "scope" => scope).increment(plan.stats.outages_resolved as u64);
}

/// Runner gauges as of the plan, recorded once it is known to hold (committed, or nothing to
/// commit).
pub(super) fn runners(scope: &Scope, state: &ScopeState, plan: &Plan) {
    if plan.stats.runners_seen == 0 && state.runners.is_empty() {
        return;
    }
    let applied;
    let next = if plan.changes.is_empty() {
        state
    } else {
        let mut next = state.clone();
        if next.apply(&plan.changes).is_err() {
            return;
        }
        applied = next;
        &applied
    };
    let scope_label = scope.to_string();
    for status in [
        RunnerStatus::Online,
        RunnerStatus::Offline,
        RunnerStatus::Busy,
        RunnerStatus::Unknown,
        RunnerStatus::Idle,
    ] {
        let count = next.runners.values().filter(|r| r.status == status).count();
        gauge!(RUNNERS, "scope" => scope_label.clone(), "status" => status.label())
            .set(count as f64);
    }
    gauge!(OPEN_OUTAGES, "scope" => scope_label.clone()).set(next.open_outages.len() as f64);
    for (name, runner) in &next.runners {
        let up = if runner.is_healthy() { 1.0 } else { 0.0 };
        let busy = if runner.busy && runner.is_healthy() {
            1.0
        } else {
            0.0
        };
        gauge!(RUNNER_UP, "scope" => scope_label.clone(), "runner" => name.clone()).set(up);
        gauge!(RUNNER_BUSY, "scope" => scope_label.clone(), "runner" => name.clone()).set(busy);
    }
}

pub(super) fn delivery(sink: &str, outcome: &'static str) {
    counter!(DELIVERIES, "sink" => sink.to_owned(), "outcome" => outcome).increment(1);
}

pub(super) fn record_cycle(report: &CycleReport) {
    counter!(CYCLES).increment(1);
    gauge!(DELIVERIES_DEFERRED).set(report.deliveries.deferred as f64);
    gauge!(DELIVERIES_PENDING).set((report.deliveries.deferred + report.deliveries.retried) as f64);
}
