//! The dispatcher: claims the due heads of the outbox's queues, sends them (sinks in parallel,
//! each sink in order), settles each one under its claim, and stops when its time budget is
//! spent so a backlog never starves polling.
//!
//! Rules, each in its own module: [`delay`] (retry backoff, clamped, no overflow), [`attempt`]
//! (one message's send and each member's settlement; TTL abandonment only after a real failed
//! attempt), [`group`] (which deliveries form one message), [`receipts`] (what sinks that
//! follow their messages up remember), [`sweep`]
//! (deliveries for sinks this monitor lacks, abandoned after `delivery_ttl` plus a grace),
//! [`silence`] (deliveries an active silence covers are postponed or dropped, not sent).

mod attempt;
mod delay;
mod group;
mod receipts;
mod silence;
mod sweep;

pub use sweep::{GRACE as ABSENT_SINK_GRACE, SWEEP_EVERY};

use std::collections::HashSet;
use std::time::Instant;

use tracing::warn;

use super::report::DispatchReport;
use super::{Monitor, Sink};
use crate::model::{ClaimRequest, Delivery, Silence, SinkFilter, Timestamp};

/// Deliveries claimed per round: small, so a budget running out leaves few claims to release.
const ROUND: usize = 64;

/// Deliveries claimed per round while grouping: enough that a host's or a fleet's outages
/// land in one round and so in one message per scope.
const GROUP_ROUND: usize = 1_000;

impl Monitor {
    /// Sends due deliveries at time `now`.
    ///
    /// In rounds until nothing is due, `delivery_batch` deliveries were claimed, or the dispatch
    /// budget is spent: claim (in the store, for this monitor's holder id, until `now` +
    /// `delivery_lease`) the due deliveries at the head of their queue (one scope, sink and
    /// subject; sequence order) for the sinks this monitor has and, unless `group_wait` is 0,
    /// created at least `group_wait` before `now`, together with the younger ones that join
    /// their groups ([`join_young`](Self::join_young)); group each sink's deliveries into messages
    /// ([`group`]: one kind and one scope or cause) and send them, sinks in parallel and each
    /// sink in order; settle each member under its own claim. Success settles as delivered; a
    /// retryable failure is scheduled again with exponential backoff (never sooner than the
    /// destination's retry-after, which also pauses that sink for the rest of the dispatch;
    /// never later than `delivery_ttl` after it was created); a permanent failure, or a
    /// retryable one after `delivery_ttl`, abandons it with a warning. A delivery is never
    /// abandoned for its age without a real attempt, so a clock jumping far ahead sends the
    /// outbox rather than dropping it. Claimed deliveries not attempted (budget spent, sink
    /// paused) are released at once. Then one sweep round handles deliveries for sinks this
    /// monitor does not have (see [`sweep`]). Deliveries an active silence covers (the policy's
    /// and the store's, read once per dispatch) are postponed or dropped (see [`silence`]);
    /// that rule runs within the budget too (checked before each delivery), so a silenced
    /// backlog cannot hold polling up either.
    pub async fn dispatch(&self, now: Timestamp) -> DispatchReport {
        self.dispatch_held(now, true).await
    }

    /// [`dispatch`](Self::dispatch) without holding young deliveries back for `group_wait`:
    /// everything due goes now, still grouped as far as it falls due together. For a host that
    /// stops (a daemon's graceful shutdown), so what it planned last is not left for whoever
    /// runs next.
    pub async fn flush(&self, now: Timestamp) -> DispatchReport {
        self.dispatch_held(now, false).await
    }

    /// The dispatch loop; `hold`: claim only deliveries `group_wait` old (and what joins them).
    async fn dispatch_held(&self, now: Timestamp, hold: bool) -> DispatchReport {
        let started = Instant::now();
        let mut report = DispatchReport::default();
        let mut paused: HashSet<String> = HashSet::new();
        // Read once per dispatch, and only when something is due.
        let mut silences: Option<Vec<Silence>> = None;
        loop {
            if started.elapsed() >= self.dispatch_budget {
                report.budget_exhausted = true;
                break;
            }
            let remaining = self.delivery_batch.saturating_sub(report.claimed);
            let active: Vec<String> = self
                .sinks
                .iter()
                .filter(|s| !paused.contains(&s.name))
                .map(|s| s.name.clone())
                .collect();
            if remaining == 0 || active.is_empty() {
                break;
            }
            let grouping = !self.policy.group_wait.is_zero();
            let request = ClaimRequest {
                holder: self.holder.clone(),
                now,
                until: delay::after(now, self.delivery_lease),
                sinks: SinkFilter::Only(active),
                // Held back until `group_wait` old, so what falls due together goes together.
                created_before: (grouping && hold).then(|| before(now, self.policy.group_wait)),
                limit: remaining.min(if grouping { GROUP_ROUND } else { ROUND }),
            };
            let mut claimed = match self.store.claim_due(&request).await {
                Ok(claimed) => claimed,
                Err(error) => {
                    warn!(%error, "cannot claim from the outbox");
                    report.store_error.get_or_insert(error);
                    break;
                }
            };
            if claimed.is_empty() {
                break;
            }
            if grouping && hold {
                let joined = self.join_young(&request, &claimed, now, &mut report).await;
                claimed.extend(joined);
            }
            report.claimed += claimed.len();
            if silences.is_none() {
                silences = Some(self.load_silences(&mut report).await);
            }
            let silences = silences.as_deref().unwrap_or_default();
            let per_sink = self.sinks.iter().filter_map(|sink| {
                let queue: Vec<&Delivery> =
                    claimed.iter().filter(|d| d.sink == sink.name).collect();
                (!queue.is_empty()).then(|| self.dispatch_sink(sink, queue, silences, now, started))
            });
            for (sink_report, pause) in futures::future::join_all(per_sink).await {
                report.absorb(sink_report);
                if let Some(name) = pause {
                    paused.insert(name);
                }
            }
        }
        self.sweep_absent_sinks(now, &mut report).await;
        report
    }

    /// The younger deliveries that join the groups of `old` (claimed once `group_wait` old):
    /// what falls due for a sink within `group_wait` of a group's first member goes in its
    /// message, as Alertmanager's `group_wait` does, so a host whose runners are seen offline
    /// over two cycles is still one message. One more claim, only in a round that sends
    /// something; the young deliveries that join no group are released at once (not attempted).
    async fn join_young(
        &self,
        request: &ClaimRequest,
        old: &[Delivery],
        now: Timestamp,
        report: &mut DispatchReport,
    ) -> Vec<Delivery> {
        let groups: HashSet<(&str, (&'static str, String))> = old
            .iter()
            .filter_map(|d| group::key(d).map(|key| (d.sink.as_str(), key)))
            .collect();
        let limit = request.limit.saturating_sub(old.len());
        if groups.is_empty() || limit == 0 {
            return Vec::new();
        }
        let young = ClaimRequest {
            created_before: None,
            limit,
            ..request.clone()
        };
        let candidates = match self.store.claim_due(&young).await {
            Ok(candidates) => candidates,
            Err(error) => {
                warn!(%error, "cannot claim the deliveries that would join a group");
                report.store_error.get_or_insert(error);
                return Vec::new();
            }
        };
        let cutoff = request.created_before;
        let mut joined = Vec::with_capacity(candidates.len());
        for delivery in candidates {
            let old_enough = cutoff.is_some_and(|t| delivery.created_at < t);
            let joins = group::key(&delivery)
                .is_some_and(|key| groups.contains(&(delivery.sink.as_str(), key)));
            if old_enough || joins {
                joined.push(delivery);
            } else {
                self.release(&delivery, now, report).await;
            }
        }
        joined
    }

    /// One round's deliveries for one sink, in order, less those a silence holds back
    /// ([`silence`]), grouped into messages ([`group`]). Returns the sink's name if it asked to
    /// wait (retry-after): it gets nothing more in this dispatch.
    ///
    /// The budget is checked before each delivery's silence rule as before each send: the rule
    /// may read the store (is a postponed incident over?) and settles what it holds back, so a
    /// large silenced backlog stops on time too; what is left is released untouched for the
    /// next dispatch.
    async fn dispatch_sink(
        &self,
        sink: &Sink,
        queue: Vec<&Delivery>,
        silences: &[Silence],
        now: Timestamp,
        started: Instant,
    ) -> (DispatchReport, Option<String>) {
        let mut report = DispatchReport::default();
        let mut paused = false;
        // Silenced deliveries are postponed or dropped before grouping: a silence covering some
        // runners of a host leaves the others' message intact.
        let mut sendable = Vec::with_capacity(queue.len());
        for (index, delivery) in queue.iter().enumerate() {
            if started.elapsed() >= self.dispatch_budget {
                report.budget_exhausted = true;
                for rest in &queue[index..] {
                    self.release(rest, now, &mut report).await;
                }
                return (report, None);
            }
            if !self.silence(delivery, silences, now, &mut report).await {
                sendable.push(*delivery);
            }
        }
        for message in group::groups(&sendable, !self.policy.group_wait.is_zero()) {
            let out_of_time = started.elapsed() >= self.dispatch_budget;
            if paused || out_of_time {
                report.budget_exhausted |= out_of_time;
                for delivery in message {
                    self.release(delivery, now, &mut report).await;
                }
                continue;
            }
            paused |= self.attempt(sink, &message, now, &mut report).await;
        }
        (report, paused.then(|| sink.name.clone()))
    }
}

/// `now - wait`, saturating at the earliest representable time.
fn before(now: Timestamp, wait: std::time::Duration) -> Timestamp {
    chrono::Duration::from_std(wait)
        .ok()
        .and_then(|wait| now.checked_sub_signed(wait))
        .unwrap_or(chrono::DateTime::<chrono::Utc>::MIN_UTC)
}
