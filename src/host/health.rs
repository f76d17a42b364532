//! [`Health`]: what `/healthz` answers. Healthy while cycles complete on time and the store works.
//!
//! - 503 when no cycle has completed for `stale_after` (none since start, or the last one too
//!   long ago; a cycle stuck in progress shows up this way).
//! - 503 when the last cycle could not use the store (nothing can be recorded or sent).
//! - 200 otherwise, also while GitHub fails: that is reported to people as "monitoring degraded"
//!   and shown in the body, but restarting the monitor would not help.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use runner_monitor_core::CycleReport;
use serde_json::{Value, json};

/// Shared health state: the daemon loop writes, `/healthz` reads.
#[derive(Debug, Clone)]
pub struct Health {
    inner: Arc<Mutex<State>>,
    stale_after: Duration,
}

#[derive(Debug)]
struct State {
    started: Instant,
    running_since: Option<Instant>,
    last_completed: Option<Instant>,
    last: Option<Summary>,
    cycles: u64,
}

#[derive(Debug, Clone)]
struct Summary {
    at: String,
    scopes: usize,
    scope_errors: usize,
    open_outages: usize,
    store_error: Option<String>,
    first_source_error: Option<String>,
}

/// The answer of a health check.
#[derive(Debug, Clone, PartialEq)]
pub struct HealthStatus {
    /// 200 or 503.
    pub healthy: bool,
    /// Why not healthy (or degraded).
    pub reason: Option<String>,
    /// The JSON body.
    pub body: Value,
}

impl Health {
    /// Health of a host whose cycles must complete at least every `stale_after`.
    pub fn new(stale_after: Duration) -> Self {
        Health {
            inner: Arc::new(Mutex::new(State {
                started: Instant::now(),
                running_since: None,
                last_completed: None,
                last: None,
                cycles: 0,
            })),
            stale_after,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A cycle starts.
    pub fn cycle_started(&self) {
        self.lock().running_since = Some(Instant::now());
    }

    /// A cycle completed with `report`.
    pub fn cycle_finished(&self, report: &CycleReport) {
        self.cycle_finished_at(report, Instant::now());
    }

    /// [`cycle_finished`](Self::cycle_finished) at a given instant (tests).
    pub fn cycle_finished_at(&self, report: &CycleReport, now: Instant) {
        let store_error = report
            .scopes
            .iter()
            .find_map(|s| s.store_error.as_ref().map(|e| format!("{}: {e}", s.scope)))
            .or_else(|| {
                report
                    .deliveries
                    .store_error
                    .as_ref()
                    .map(|e| format!("outbox: {e}"))
            });
        let summary = Summary {
            at: report.at.to_rfc3339(),
            scopes: report.scopes.len(),
            scope_errors: report.scopes.iter().filter(|s| s.has_error()).count(),
            open_outages: report.open_outages(),
            store_error,
            first_source_error: report
                .scopes
                .iter()
                .find_map(|s| s.source_error.as_ref().map(|e| format!("{}: {e}", s.scope))),
        };
        let mut state = self.lock();
        state.running_since = None;
        state.last_completed = Some(now);
        state.last = Some(summary);
        state.cycles += 1;
    }

    /// The status now.
    pub fn status(&self) -> HealthStatus {
        self.status_at(Instant::now())
    }

    /// The status at `now` (tests).
    pub fn status_at(&self, now: Instant) -> HealthStatus {
        let state = self.lock();
        let since_start = now.saturating_duration_since(state.started);
        let secs = |d: Duration| d.as_secs();
        let mut reason = None;
        let mut healthy = true;
        match state.last_completed {
            None if since_start > self.stale_after => {
                healthy = false;
                reason = Some(format!(
                    "no cycle has completed in the {} s since start (limit {} s)",
                    secs(since_start),
                    secs(self.stale_after)
                ));
            }
            Some(at) if now.saturating_duration_since(at) > self.stale_after => {
                healthy = false;
                reason = Some(format!(
                    "the last cycle completed {} s ago (limit {} s){}",
                    secs(now.saturating_duration_since(at)),
                    secs(self.stale_after),
                    state
                        .running_since
                        .map(|s| format!(
                            "; a cycle has been running for {} s",
                            secs(now.saturating_duration_since(s))
                        ))
                        .unwrap_or_default()
                ));
            }
            _ => {}
        }
        if healthy && let Some(last) = &state.last {
            if let Some(error) = &last.store_error {
                healthy = false;
                reason = Some(format!("the last cycle could not use the store: {error}"));
            } else if let Some(error) = &last.first_source_error {
                reason = Some(format!(
                    "degraded: {} of {} scopes could not be observed ({error})",
                    last.scope_errors, last.scopes
                ));
            }
        }
        let last = state.last.as_ref().map(|last| {
            json!({
                "at": last.at,
                "scopes": last.scopes,
                "scope_errors": last.scope_errors,
                "open_outages": last.open_outages,
            })
        });
        let body = json!({
            "status": if healthy { "ok" } else { "unhealthy" },
            "reason": reason,
            "cycles": state.cycles,
            "cycle_running": state.running_since.is_some(),
            "last_cycle": last,
        });
        HealthStatus {
            healthy,
            reason,
            body,
        }
    }
}
