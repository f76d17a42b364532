//! The dispatcher: sends the outbox in order, settles each delivery, backs off on failure.

use std::collections::HashSet;

use tracing::{info, warn};

use super::report::DispatchReport;
use super::{Monitor, Sink, metrics};
use crate::engine::elapsed;
use crate::model::{Delivery, Settlement, Timestamp};
use crate::ports::NotifyError;

/// What became of one delivery in this dispatch.
enum Outcome {
    Sent,
    Retried { pause_sink: bool },
    Failed,
    Deferred,
}

impl Monitor {
    /// Sends due deliveries at time `now`: oldest first; for each sink and subject strictly in
    /// order (a delivery waits while an earlier one of the same subject is pending); sinks in
    /// parallel. Success settles as delivered; a retryable failure is scheduled again with
    /// exponential backoff (never sooner than the destination's retry-after, which also pauses that
    /// sink for the rest of the dispatch); a permanent failure or an expired `delivery_ttl`
    /// abandons the delivery, with a warning. Deliveries for a sink this monitor does not have are
    /// left to the monitor that has it, and abandoned only after `delivery_ttl`.
    pub async fn dispatch(&self, now: Timestamp) -> DispatchReport {
        let mut report = DispatchReport::default();
        let pending = match self.store.pending_deliveries(self.delivery_batch).await {
            Ok(pending) => pending,
            Err(error) => {
                warn!(%error, "cannot read the outbox");
                report.store_error = Some(error);
                return report;
            }
        };

        let (known, unknown): (Vec<_>, Vec<_>) = pending
            .into_iter()
            .partition(|d| self.sinks.iter().any(|s| s.name == d.sink));
        // Another monitor sharing this store may have that sink (a configuration rollout, two
        // hosts): leave its deliveries alone until `delivery_ttl`, then give them up.
        for delivery in unknown {
            if elapsed(delivery.created_at, now) >= self.policy.delivery_ttl {
                let reason = format!(
                    "sink `{}` is not configured here and nobody delivered it within delivery_ttl",
                    delivery.sink
                );
                self.abandon(&delivery, now, reason, &mut report).await;
                report.failed += 1;
            } else {
                report.deferred += 1;
            }
        }

        let per_sink = self.sinks.iter().map(|sink| {
            let queue: Vec<&Delivery> = known.iter().filter(|d| d.sink == sink.name).collect();
            self.dispatch_sink(sink, queue, now)
        });
        for sink_report in futures::future::join_all(per_sink).await {
            report.sent += sink_report.sent;
            report.retried += sink_report.retried;
            report.failed += sink_report.failed;
            report.deferred += sink_report.deferred;
            if report.store_error.is_none() {
                report.store_error = sink_report.store_error;
            }
        }
        report
    }

    async fn dispatch_sink(
        &self,
        sink: &Sink,
        queue: Vec<&Delivery>,
        now: Timestamp,
    ) -> DispatchReport {
        let mut report = DispatchReport::default();
        let mut blocked: HashSet<(String, String)> = HashSet::new();
        let mut paused = false;
        for delivery in queue {
            let subject = (
                delivery.notification.scope.to_string(),
                delivery.notification.subject(),
            );
            let outcome = if paused || blocked.contains(&subject) {
                Outcome::Deferred
            } else {
                self.attempt(sink, delivery, now, &mut report).await
            };
            match outcome {
                Outcome::Sent => report.sent += 1,
                Outcome::Failed => report.failed += 1,
                Outcome::Deferred => {
                    report.deferred += 1;
                    blocked.insert(subject);
                }
                Outcome::Retried { pause_sink } => {
                    report.retried += 1;
                    paused |= pause_sink;
                    blocked.insert(subject);
                }
            }
        }
        report
    }

    async fn attempt(
        &self,
        sink: &Sink,
        delivery: &Delivery,
        now: Timestamp,
        report: &mut DispatchReport,
    ) -> Outcome {
        if elapsed(delivery.created_at, now) >= self.policy.delivery_ttl {
            let reason = format!(
                "not delivered within delivery_ttl ({}) after {} attempts{}",
                humantime::format_duration(self.policy.delivery_ttl),
                delivery.attempts,
                delivery
                    .last_error
                    .as_ref()
                    .map(|e| format!("; last error: {e}"))
                    .unwrap_or_default()
            );
            self.abandon(delivery, now, reason, report).await;
            return Outcome::Failed;
        }
        if delivery.next_attempt_at > now {
            return Outcome::Deferred;
        }
        let key = delivery.notification.idempotency_key();
        match sink.notifier.notify(&delivery.notification).await {
            Ok(()) => {
                info!(sink = %sink.name, %key, "delivered");
                metrics::delivery(&sink.name, "sent");
                self.settle(delivery, &Settlement::Delivered { at: now }, report)
                    .await;
                Outcome::Sent
            }
            Err(error @ NotifyError::Transient { .. }) => {
                let attempts = delivery.attempts + 1;
                let mut delay = self.backoff.delay(attempts);
                if let Some(retry_after) = error.retry_after() {
                    delay = delay.max(retry_after);
                }
                let next_attempt_at =
                    now + chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::MAX);
                warn!(sink = %sink.name, %key, attempts, %error, "delivery failed; will retry");
                metrics::delivery(&sink.name, "retried");
                let settlement = Settlement::Retry {
                    at: now,
                    next_attempt_at,
                    error: error.to_string(),
                };
                self.settle(delivery, &settlement, report).await;
                Outcome::Retried {
                    pause_sink: error.retry_after().is_some(),
                }
            }
            Err(error) => {
                self.abandon(delivery, now, error.to_string(), report).await;
                Outcome::Failed
            }
        }
    }

    async fn abandon(
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
        let settlement = Settlement::Abandoned { at: now, reason };
        self.settle(delivery, &settlement, report).await;
    }

    async fn settle(
        &self,
        delivery: &Delivery,
        settlement: &Settlement,
        report: &mut DispatchReport,
    ) {
        if let Err(error) = self.store.settle_delivery(&delivery.id, settlement).await {
            warn!(id = %delivery.id, %error, "cannot settle delivery; it may be sent again");
            if report.store_error.is_none() {
                report.store_error = Some(error);
            }
        }
    }
}
