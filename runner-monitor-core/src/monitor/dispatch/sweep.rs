//! Deliveries for sinks this monitor does not have: left to the monitor that has the sink
//! (another host, a configuration rollout), and given up by whoever sees them past their TTL.
//!
//! Guard against a clock jumping ahead: the first sweep that finds one past `delivery_ttl`
//! only marks it (an attempt, with a reason, due again after [`GRACE`]); a later sweep at least
//! that much later abandons it. A jump therefore abandons nothing in one step, and a monitor
//! that has the sink still gets to deliver it meanwhile.

use std::time::Duration;

use tracing::{info, warn};

use super::ROUND;
use super::delay::after;
use crate::model::{ClaimRequest, Settlement, SinkFilter, Timestamp};
use crate::monitor::Monitor;
use crate::monitor::report::DispatchReport;

/// How long a sweep waits between marking an overdue delivery and abandoning it (at most
/// `delivery_ttl`).
pub const GRACE: Duration = Duration::from_secs(10 * 60);

/// A monitor sweeps at most this often (by its `now`): the sweep is a store read that steady
/// state would otherwise pay every cycle.
pub const SWEEP_EVERY: Duration = Duration::from_secs(5 * 60);

impl Monitor {
    /// One sweep round over deliveries for sinks this monitor lacks that are past their TTL.
    pub(super) async fn sweep_absent_sinks(&self, now: Timestamp, report: &mut DispatchReport) {
        {
            let mut last = self
                .last_sweep
                .lock()
                .unwrap_or_else(|poison| poison.into_inner());
            // A clock stepped back sweeps again rather than waiting for the old time.
            if last.is_some_and(|last| now >= last && now < after(last, SWEEP_EVERY)) {
                return;
            }
            *last = Some(now);
        }
        let ttl = self.policy.delivery_ttl;
        let Some(created_before) = chrono::Duration::from_std(ttl)
            .ok()
            .and_then(|ttl| now.checked_sub_signed(ttl))
        else {
            return; // a TTL reaching before the representable past: nothing is that old
        };
        let request = ClaimRequest {
            holder: self.holder.clone(),
            now,
            until: after(now, self.delivery_lease),
            sinks: SinkFilter::Except(self.sinks.iter().map(|s| s.name.clone()).collect()),
            created_before: Some(created_before),
            limit: ROUND,
        };
        let overdue = match self.store.claim_due(&request).await {
            Ok(overdue) => overdue,
            Err(error) => {
                warn!(%error, "cannot sweep the outbox");
                report.store_error.get_or_insert(error);
                return;
            }
        };
        report.claimed += overdue.len();
        let grace = GRACE.min(ttl);
        for delivery in overdue {
            if delivery.attempts == 0 {
                let error = format!(
                    "sink `{}` is not configured on this monitor and nobody delivered it within \
                     delivery_ttl; abandoned after another {} unless a monitor with that sink \
                     delivers it",
                    delivery.sink,
                    humantime::format_duration(grace)
                );
                info!(id = %delivery.id, sink = %delivery.sink, "overdue delivery for an absent sink marked");
                report.deferred += 1;
                let settlement = Settlement::Retry {
                    at: now,
                    next_attempt_at: after(now, grace),
                    error,
                };
                self.settle(&delivery, &settlement, report).await;
            } else {
                let reason = format!(
                    "sink `{}` is not configured on this monitor and nobody delivered it within \
                     delivery_ttl{}",
                    delivery.sink,
                    delivery
                        .last_error
                        .as_ref()
                        .map(|e| format!("; last error: {e}"))
                        .unwrap_or_default()
                );
                self.abandon(&delivery, now, reason, report).await;
            }
        }
    }
}
