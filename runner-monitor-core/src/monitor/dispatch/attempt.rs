//! One message's attempt and each member's settlement under the dispatcher's claim.

use tracing::{info, warn};

use super::delay::{MIN_DELAY, after, retry_delay};
use super::receipts::SentMessage;
use crate::engine::elapsed;
use crate::model::{Delivery, Message, Settlement, Timestamp};
use crate::monitor::report::DispatchReport;
use crate::monitor::{Monitor, Sink, metrics};
use crate::ports::{MemberOutcome, NotifyError, StoreError};

impl Monitor {
    /// Sends `group` (one sink's deliveries forming one message) to `sink` and settles each
    /// member on its own. Returns whether the sink asked to wait (a retryable failure carrying
    /// a retry-after).
    pub(super) async fn attempt(
        &self,
        sink: &Sink,
        group: &[&Delivery],
        now: Timestamp,
        report: &mut DispatchReport,
    ) -> bool {
        let mut message = Message::new(group.iter().map(|d| d.notification.clone()).collect());
        let receipts = sink.notifier.keeps_receipts();
        let followed = if receipts {
            self.receipts_followed(sink, &message).await
        } else {
            Vec::new()
        };
        message.follows.clone_from(&followed);
        let sent = sink.notifier.send(&message).await;
        let mut pause = false;
        let mut delivered = Vec::new();
        for (index, delivery) in group.iter().enumerate() {
            match sent.outcomes.get(index) {
                Some(MemberOutcome::Sent) => {
                    let key = delivery.notification.idempotency_key();
                    info!(sink = %sink.name, %key, message = %message.key, "delivered");
                    metrics::delivery(&sink.name, "sent");
                    report.sent += 1;
                    delivered.push(delivery.notification.incident_key());
                    self.settle(delivery, &Settlement::Delivered { at: now }, report)
                        .await;
                }
                Some(MemberOutcome::Failed(error)) => {
                    pause |= self.failed(sink, delivery, error, now, report).await;
                }
                Some(MemberOutcome::NotAttempted) | None => {
                    self.release(delivery, now, report).await;
                }
            }
        }
        if !delivered.is_empty() {
            report.messages += 1;
            if receipts {
                let outcome = SentMessage {
                    followed: &followed,
                    delivered: &delivered,
                    handle: sent.handle,
                    at: now,
                };
                self.keep_receipts(sink, &message, outcome, report).await;
            }
        }
        pause
    }

    /// Settles a failed attempt: retry with backoff, or abandon (permanent, or past the TTL).
    /// Returns whether the sink asked to wait.
    async fn failed(
        &self,
        sink: &Sink,
        delivery: &Delivery,
        error: &NotifyError,
        now: Timestamp,
        report: &mut DispatchReport,
    ) -> bool {
        if !error.is_retryable() {
            self.abandon(delivery, now, error.to_string(), report).await;
            return false;
        }
        let key = delivery.notification.idempotency_key();
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
