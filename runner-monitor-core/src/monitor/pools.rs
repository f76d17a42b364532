//! The pools' part of a cycle: after the scopes, each pool is judged from the states the scopes
//! just committed (no extra read of them), then its own scope `pool:NAME` is loaded and committed
//! once, with the same optimistic-concurrency retries as a scope.

use futures::StreamExt;
use tracing::{debug, info, warn};

use super::cycle::Observed;
use super::report::{CycleReport, PoolReport};
use super::{Monitor, metrics};
use crate::engine::{PoolMember, evaluate_pool};
use crate::model::{Pool, ScopeState, Timestamp};
use crate::ports::StoreError;

impl Monitor {
    /// Judges the pools alone at `now`, from the stored states of the watched scopes they span
    /// (one load each; a scope whose record shows failing observations holds its pools), then
    /// dispatches the outbox. For hosts that observe scopes in separate runs (the replay, one
    /// scope per invocation); [`run_cycle`](Self::run_cycle) judges pools itself from the
    /// states it just committed. The report's `scopes` is empty.
    pub async fn run_pools_cycle(&self, now: Timestamp) -> CycleReport {
        let mut observed = Vec::new();
        for scope in &self.scopes {
            if !self.policy.pools.iter().any(|pool| pool.spans(scope)) {
                continue;
            }
            observed.push(match self.store.load(scope).await {
                Ok(state) => Observed {
                    state,
                    trusted: true,
                },
                Err(error) => {
                    warn!(scope = %scope, %error, "load for pools failed");
                    Observed {
                        state: ScopeState::empty(scope.clone()),
                        trusted: false,
                    }
                }
            });
        }
        let pools = self.run_pools(&observed, now).await;
        drop(observed);
        let deliveries = self.dispatch(now).await;
        CycleReport {
            at: now,
            scopes: Vec::new(),
            pools,
            deliveries,
        }
    }

    /// Judges every pool of the policy, at most `concurrency` at once; reports in policy order.
    /// `observed` holds the cycle's watched scopes that some pool spans.
    pub(super) async fn run_pools(&self, observed: &[Observed], now: Timestamp) -> Vec<PoolReport> {
        if self.policy.pools.is_empty() {
            return Vec::new();
        }
        let members: Vec<PoolMember<'_>> = observed
            .iter()
            .map(|o| PoolMember {
                state: &o.state,
                observed: o.trusted,
            })
            .collect();
        let members = &members;
        let pools: Vec<_> = self
            .policy
            .pools
            .iter()
            .enumerate()
            .map(|(index, pool)| async move { (index, self.run_pool(pool, members, now).await) })
            .collect();
        let mut reports: Vec<(usize, PoolReport)> = futures::stream::iter(pools)
            .buffer_unordered(self.concurrency)
            .collect()
            .await;
        reports.sort_by_key(|(index, _)| *index);
        reports.into_iter().map(|(_, report)| report).collect()
    }

    /// Loads the pool's scope, evaluates it and commits the plan; a version conflict reloads and
    /// evaluates again, at most `max_conflict_retries` times.
    #[tracing::instrument(level = "debug", skip_all, fields(pool = %pool.name))]
    async fn run_pool(
        &self,
        pool: &Pool,
        members: &[PoolMember<'_>],
        now: Timestamp,
    ) -> PoolReport {
        let scope = pool.scope();
        let mut report = PoolReport::new(scope.clone());
        let mut attempt = 0;
        loop {
            let state = match self.store.load(&scope).await {
                Ok(state) => state,
                Err(error) => {
                    warn!(scope = %scope, %error, "pool load failed");
                    report.store_error = Some(error);
                    return report;
                }
            };
            let out = evaluate_pool(&state, members, pool, &self.policy, now);
            let stats = out.plan.stats;
            report.count = out.count;
            report.open_outages =
                state.open_outages.len() + stats.outages_opened - stats.outages_resolved;
            if let Some(hold) = &out.held {
                debug!(scope = %scope, %hold, "pool held");
            }
            report.held = out.held;
            if out.plan.is_empty() {
                return report;
            }
            let changes = self.with_deliveries(&out.plan);
            match self.store.commit(&scope, state.version, &changes).await {
                Ok(_) => {
                    report.changes = changes.len();
                    report.outages_opened = stats.outages_opened;
                    report.outages_resolved = stats.outages_resolved;
                    report.notifications = out.plan.notifications.len();
                    metrics::committed(&scope, &out.plan);
                    for notification in &out.plan.notifications {
                        info!(
                            scope = %scope,
                            kind = notification.kind_name(),
                            key = %notification.idempotency_key(),
                            "notification enqueued"
                        );
                    }
                    return report;
                }
                Err(StoreError::Conflict { .. }) if attempt < self.max_conflict_retries => {
                    attempt += 1;
                    report.conflicts_retried = attempt;
                    debug!(scope = %scope, attempt, "pool version conflict: reloading");
                }
                Err(error) => {
                    warn!(scope = %scope, %error, "pool commit failed");
                    report.store_error = Some(error);
                    return report;
                }
            }
        }
    }
}
