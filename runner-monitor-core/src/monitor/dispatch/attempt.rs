//! One delivery attempt and its settlement under the dispatcher's claim.

use tracing::{info, warn};

use super::delay::{MIN_DELAY, after, retry_delay};
use crate::engine::elapsed;
use crate::model::{Delivery, Settlement, Timestamp};
use crate::monitor::report::DispatchReport;
use crate::monitor::{Monitor, Sink, metrics};
use crate::ports::{NotifyError, StoreError};

impl Monitor {
    /// Sends `delivery` to `sink` and settles it. Returns whether the sink asked to wait
    /// (a retryable failure carrying a retry-after).
    pub(super) async fn attempt(
        &self,
        sink: &Sink,
        delivery: &Delivery,
        now: Timestamp,
        report: &mut DispatchReport,
    ) -> bool {
        let key = delivery.notification.idempotency_key();
        match sink.notifier.notify(&delivery.notification).await {
            Ok(()) => {
                info!(sink = %sink.name, %key, "delivered");
                metrics::delivery(&sink.name, "sent");
                report.sent += 1;
                self.settle(delivery, &Settlement::Delivered { at: now }, report)
                    .await;
                false
            }
            Err(error @ NotifyError::Transient { .. }) => {
                let attempts = delivery.attempts.saturating_add(1);
                let ttl = self.policy.delivery_ttl;
                if elapsed(delivery.created_at, now) >= ttl {
                    // Abandoned for age only here, after a real attempt failed: a clock that
                    // jumped ahead sends what it can instead of dropping the whole outbox.
                    let reason = format!(
                        "not delivered within delivery_ttl ({}) after {attempts} attempts; \
                         last error: {error}",
                        humantime::format_duration(ttl),
                    );
                    self.abandon(delivery, now, reason, report).await;
                    return false;
                }
                let delay = retry_delay(&self.backoff, attempts, error.retry_after(), ttl);
                // The last retry falls on the TTL, so an outage never waits past it unseen.
                let deadline = after(delivery.created_at, ttl);
                let next_attempt_at = after(now, delay).min(deadline).max(after(now, MIN_DELAY));
                warn!(sink = %sink.name, %key, attempts, %error, %next_attempt_at, "delivery failed; will retry");
                metrics::delivery(&sink.name, "retried");
                report.retried += 1;
                let settlement = Settlement::Retry {
                    at: now,
                    next_attempt_at,
                    error: error.to_string(),
                };
                self.settle(delivery, &settlement, report).await;
                error.retry_after().is_some()
            }
            Err(error) => {
                self.abandon(delivery, now, error.to_string(), report).await;
                false
            }
        }
    }

    /// Gives `delivery` up, with a warning.
    pub(super) async fn abandon(
        &self,
        delivery: &Delivery,
        now: Timestamp,
        reason: String,
        report: &mut DispatchReport,
    ) {
        warn!(
            sink = %delivery.sink,
            key = %delivery.notification.idempotency_key(),
            %reason,
            "delivery abandoned"
        );
        metrics::delivery(&delivery.sink, "failed");
        report.failed += 1;
        let settlement = Settlement::Abandoned { at: now, reason };
        self.settle(delivery, &settlement, report).await;
    }

    /// Gives a claimed delivery back without an attempt.
    pub(super) async fn release(
        &self,
        delivery: &Delivery,
        now: Timestamp,
        report: &mut DispatchReport,
    ) {
        report.deferred += 1;
        self.settle(delivery, &Settlement::Released { at: now }, report)
            .await;
    }

    /// Settles under the delivery's claim. A lost lease is counted, not an error: the holder
    /// that took over owns the delivery now and its state stands.
    pub(super) async fn settle(
        &self,
        delivery: &Delivery,
        settlement: &Settlement,
        report: &mut DispatchReport,
    ) {
        let Some(claim) = &delivery.claim else {
            warn!(id = %delivery.id, "the store returned a delivery without a claim; not settled");
            report.lease_lost += 1;
            return;
        };
        match self
            .store
            .settle_delivery(&delivery.id, claim, settlement)
            .await
        {
            Ok(()) => {}
            Err(error @ StoreError::LeaseLost { .. }) => {
                warn!(id = %delivery.id, %error, "lease lost before settling; the new holder's state stands");
                metrics::delivery(&delivery.sink, "lease_lost");
                report.lease_lost += 1;
            }
            Err(error) => {
                warn!(id = %delivery.id, %error, "cannot settle delivery; it may be sent again");
                report.store_error.get_or_insert(error);
            }
        }
    }
}
