//! The silence rule: a due delivery whose notification an active silence covers is not sent.
//!
//! - `outage_opened` (and `monitoring_degraded`, under a scope silence) is postponed to the end
//!   of the silenced stretch ([`Settlement::Postponed`]: no attempt counted). At the end it is
//!   sent if the outage is still open, and dropped if it ended inside the silence.
//! - `outage_reminder` (`pool_reminder`) during a silence is dropped.
//! - `outage_resolved` (`monitoring_restored`) of an outage that opened and ended inside one
//!   silenced stretch is dropped (its opening was never sent); one of an outage opened before
//!   the silence is postponed to the end like an opening.
//! - `runner_flapping` is held like an opening (sent at the end only if the runner still
//!   flaps), `runner_stable` like a resolution (dropped when the flapping began and ended in
//!   one silenced stretch).
//! - `pool_below_floor` is held like an opening, `pool_restored` like a resolution.
//! - `runners_removed` is never held back.
//!
//! What a silence covers: [`Silence::covers_in`] with the policy's pools, so a `pool:NAME`
//! silence covers the pool's own notifications and those of the runners in the pool.
//!
//! Dropped deliveries settle as abandoned with a reason starting `silenced`, so history and
//! status still show them. [`decide`] is the pure rule; [`Monitor::silence`] applies it.

use tracing::{info, warn};

use crate::model::{
    Delivery, Notification, NotificationKind, Policy, Settlement, Silence, Timestamp,
    silenced_until,
};
use crate::monitor::report::DispatchReport;
use crate::monitor::{Monitor, metrics};

/// Outages read to tell whether a postponed opening's outage is over.
const HISTORY_READ: usize = 16;

/// What the silence rule makes of one due delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Not silenced: send it.
    Send,
    /// Hold it back until this time.
    Postpone(Timestamp),
    /// Never send it; the reason is recorded.
    Drop(&'static str),
    /// Its incident opened inside a silenced stretch that ended at this time: drop it if the
    /// incident was over by then, send it if it is still open (a store read says which).
    UnlessOverBy(Timestamp),
}

/// The silence rule for `notification` at `now` among `silences` (config and store), with the
/// `policy` (its `source_alert_after` dates a degraded notice from its failures).
pub(crate) fn decide(
    notification: &Notification,
    silences: &[Silence],
    policy: &Policy,
    now: Timestamp,
) -> Verdict {
    let covering: Vec<&Silence> = silences
        .iter()
        .filter(|s| s.covers_in(&notification.scope, notification.runner(), &policy.pools))
        .collect();
    if covering.is_empty() {
        return Verdict::Send;
    }
    let during = |at: Timestamp| silenced_until(covering.iter().copied(), at);
    match &notification.kind {
        NotificationKind::OutageReminder { .. } | NotificationKind::PoolReminder { .. } => {
            match during(now) {
                Some(_) => Verdict::Drop("silenced: reminder during a silence"),
                None => Verdict::Send,
            }
        }
        NotificationKind::OutageOpened { .. }
        | NotificationKind::PoolBelowFloor { .. }
        | NotificationKind::MonitoringDegraded { .. }
        | NotificationKind::RunnerFlapping { .. } => match (during(now), during(notification.at)) {
            (Some(end), _) => Verdict::Postpone(end),
            (None, Some(end)) => Verdict::UnlessOverBy(end),
            (None, None) => Verdict::Send,
        },
        NotificationKind::OutageResolved { outage, .. }
        | NotificationKind::PoolRestored { outage, .. } => {
            // The opening time: exact while no reminder was planned, else the outage's start.
            let opened_at = match outage.last_reminded_at {
                Some(at) if outage.reminders == 0 => at,
                _ => outage.started_at,
            };
            let ended = outage.resolved_at.unwrap_or(notification.at);
            resolution(during(opened_at), ended, during(now))
        }
        NotificationKind::RunnerStable { since, .. } => {
            resolution(during(*since), notification.at, during(now))
        }
        NotificationKind::MonitoringRestored {
            since, duration, ..
        } => {
            let opened_at = after(*since, policy.source_alert_after);
            let ended = after(*since, *duration);
            resolution(during(opened_at), ended, during(now))
        }
        _ => Verdict::Send,
    }
}

/// A resolution: dropped when the incident opened and ended in one silenced stretch,
/// postponed while silenced otherwise.
fn resolution(
    opened_in: Option<Timestamp>,
    ended: Timestamp,
    now_in: Option<Timestamp>,
) -> Verdict {
    match (opened_in, now_in) {
        (Some(end), _) if ended <= end => {
            Verdict::Drop("silenced: the incident began and ended inside a silence")
        }
        (_, Some(end)) => Verdict::Postpone(end),
        _ => Verdict::Send,
    }
}

fn after(at: Timestamp, by: std::time::Duration) -> Timestamp {
    super::delay::after(at, by)
}

impl Monitor {
    /// Applies the silence rule to a claimed `delivery`. Returns `true` when it was settled
    /// (postponed, dropped or released) and must not be sent now.
    pub(super) async fn silence(
        &self,
        delivery: &Delivery,
        silences: &[Silence],
        now: Timestamp,
        report: &mut DispatchReport,
    ) -> bool {
        let verdict = match decide(&delivery.notification, silences, &self.policy, now) {
            Verdict::UnlessOverBy(end) => match self.incident_over_by(delivery, end).await {
                Ok(true) => {
                    Verdict::Drop("silenced: the incident began and ended inside a silence")
                }
                Ok(false) => Verdict::Send,
                Err(error) => {
                    warn!(id = %delivery.id, %error, "cannot tell whether a silenced incident is over; trying later");
                    report.store_error.get_or_insert(error);
                    self.release(delivery, now, report).await;
                    return true;
                }
            },
            verdict => verdict,
        };
        let key = delivery.notification.idempotency_key();
        match verdict {
            Verdict::Send | Verdict::UnlessOverBy(_) => false,
            Verdict::Postpone(until) => {
                info!(sink = %delivery.sink, %key, %until, "silenced; postponed to the silence's end");
                metrics::delivery(&delivery.sink, "postponed");
                report.silenced += 1;
                let settlement = Settlement::Postponed { at: now, until };
                self.settle(delivery, &settlement, report).await;
                true
            }
            Verdict::Drop(reason) => {
                info!(sink = %delivery.sink, %key, reason, "silenced; not sent");
                metrics::delivery(&delivery.sink, "silenced");
                report.silenced += 1;
                let settlement = Settlement::Abandoned {
                    at: now,
                    reason: reason.to_owned(),
                };
                self.settle(delivery, &settlement, report).await;
                true
            }
        }
    }

    /// Whether the incident of `delivery` (an opening) was over by `end`: the outage resolved
    /// at or before it, or the degraded incident no longer open. An outage history no longer
    /// holds counts as not over (the safe side: people are told).
    async fn incident_over_by(
        &self,
        delivery: &Delivery,
        end: Timestamp,
    ) -> Result<bool, crate::ports::StoreError> {
        let n = &delivery.notification;
        match &n.kind {
            NotificationKind::OutageOpened { outage, .. }
            | NotificationKind::PoolBelowFloor { outage, .. } => {
                let history = self
                    .store
                    .outages(&n.scope, &outage.runner, HISTORY_READ)
                    .await?;
                if let Some(found) = history.iter().find(|o| o.id == outage.id) {
                    return Ok(found.resolved_at.is_some_and(|resolved| resolved <= end));
                }
                // Beyond the read (a runner flapping through the silence): it resolved before
                // the next outage started, so a later one that started by `end` proves it over.
                Ok(history
                    .iter()
                    .filter(|o| o.id > outage.id)
                    .min_by_key(|o| o.id)
                    .is_some_and(|next| next.started_at <= end))
            }
            NotificationKind::MonitoringDegraded { incident, .. } => {
                let state = self.store.load(&n.scope).await?;
                Ok(state.record.degraded.is_none_or(|d| d.id != *incident))
            }
            NotificationKind::RunnerFlapping { runner, since, .. } => {
                // Over when the runner no longer flaps since then (stable again, or gone).
                let state = self.store.load(&n.scope).await?;
                Ok(state
                    .runners
                    .get(&runner.name)
                    .is_none_or(|r| r.flapping_since != Some(*since)))
            }
            _ => Ok(false),
        }
    }

    /// The silences in force for one dispatch: the policy's and the store's. A store that
    /// cannot be read leaves the configured ones (a warning; deliveries are not held hostage).
    pub(super) async fn load_silences(&self, report: &mut DispatchReport) -> Vec<Silence> {
        let mut all = self.policy.silences.clone();
        match self.store.silences().await {
            Ok(stored) => all.extend(stored),
            Err(error) => {
                warn!(%error, "cannot read silences from the store; using the configured ones");
                report.store_error.get_or_insert(error);
            }
        }
        all
    }
}

#[cfg(test)]
#[path = "silence_tests.rs"]
mod tests;
