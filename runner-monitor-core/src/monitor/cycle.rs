//! One scope's part of a cycle: observe, load, reconcile, commit with conflict retries.

use futures::StreamExt;
use tracing::{debug, info, warn};

use super::report::ScopeReport;
use super::{Monitor, metrics};
use crate::engine::{Hold, Plan, reconcile};
use crate::model::{Change, Scope, ScopeState, Timestamp};
use crate::ports::{SourceError, StoreError};

impl Monitor {
    /// Runs every scope, at most `concurrency` at once; reports in configuration order, each
    /// with the scope's state after the cycle when a pool spans the scope (see [`Observed`]).
    pub(super) async fn run_scopes(&self, now: Timestamp) -> Vec<(ScopeReport, Option<Observed>)> {
        // The futures are built eagerly (they do nothing until polled): a closure inside the
        // stream would make the cycle's future non-`Send` (rustc's higher-ranked closure issue).
        let scopes: Vec<_> = self
            .scopes
            .iter()
            .enumerate()
            .map(|(index, scope)| async move { (index, self.observe_scope(scope, now).await) })
            .collect();
        let mut reports: Vec<(usize, (ScopeReport, Option<Observed>))> =
            futures::stream::iter(scopes)
                .buffer_unordered(self.concurrency)
                .collect()
                .await;
        reports.sort_by_key(|(index, _)| *index);
        reports.into_iter().map(|(_, report)| report).collect()
    }

    /// Observes, reconciles and commits one scope at time `now`. A version conflict (another
    /// monitor committed first) reloads and replans with the same observation, at most
    /// `max_conflict_retries` times.
    #[tracing::instrument(level = "debug", skip(self), fields(scope = %scope))]
    pub async fn run_scope(&self, scope: &Scope, now: Timestamp) -> ScopeReport {
        self.observe_scope(scope, now).await.0
    }

    /// [`run_scope`](Self::run_scope), also returning the scope's state as committed (or as
    /// loaded, when there was nothing to commit) for the pools that span it. No extra store
    /// read: the state is the loaded one with the committed changes applied.
    async fn observe_scope(
        &self,
        scope: &Scope,
        now: Timestamp,
    ) -> (ScopeReport, Option<Observed>) {
        let spanned = self.policy.pools.iter().any(|pool| pool.spans(scope));
        let keep = |report: &ScopeReport, state: ScopeState| {
            spanned.then(|| Observed {
                trusted: report.source_error.is_none()
                    && report.store_error.is_none()
                    && report.held.is_none(),
                state,
            })
        };
        // A scope that could not be loaded or committed still holds the pools that span it.
        let failed = || {
            spanned.then(|| Observed {
                state: ScopeState::empty(scope.clone()),
                trusted: false,
            })
        };
        let mut report = ScopeReport::new(scope.clone());
        let observed = self.source.observe(scope).await;
        if let Err(error) = &observed {
            warn!(scope = %scope, class = error.class().as_str(), %error, "observation failed");
            metrics::source_error(scope, error.class());
            report.source_error = Some(error.clone());
        }

        let mut attempt = 0;
        loop {
            let state = match self.store.load(scope).await {
                Ok(state) => state,
                Err(error) => {
                    warn!(scope = %scope, %error, "load failed");
                    report.store_error = Some(error);
                    return (report, failed());
                }
            };
            let plan = reconcile(&state, &observed, &self.policy, now);
            report.runners_seen = plan.stats.runners_seen;
            self.note_distrust(scope, &plan, attempt, &mut report);
            report.open_outages =
                state.open_outages.len() + plan.stats.outages_opened - plan.stats.outages_resolved;
            if plan.is_empty() {
                metrics::runners(scope, &state, &plan);
                debug!(scope = %scope, "steady state: nothing to write");
                let observed = keep(&report, state);
                return (report, observed);
            }
            let changes = self.with_deliveries(&plan);
            match self.store.commit(scope, state.version, &changes).await {
                Ok(receipt) => {
                    report.changes = changes.len();
                    report.outages_opened = plan.stats.outages_opened;
                    report.outages_resolved = plan.stats.outages_resolved;
                    report.notifications = plan.notifications.len();
                    metrics::committed(scope, &plan);
                    metrics::runners(scope, &state, &plan);
                    for notification in &plan.notifications {
                        info!(
                            scope = %scope,
                            kind = notification.kind_name(),
                            key = %notification.idempotency_key(),
                            "notification enqueued"
                        );
                    }
                    debug!(scope = %scope, version = receipt.version, "committed");
                    let mut next = state;
                    let observed = match next.apply(&plan.changes) {
                        Ok(()) => {
                            next.version = receipt.version;
                            keep(&report, next)
                        }
                        // The store accepted what the reference rules refuse: not evidence.
                        Err(_) => failed(),
                    };
                    return (report, observed);
                }
                Err(StoreError::Conflict { .. }) if attempt < self.max_conflict_retries => {
                    attempt += 1;
                    report.conflicts_retried = attempt;
                    debug!(scope = %scope, attempt, "version conflict: reloading");
                }
                Err(error) => {
                    warn!(scope = %scope, %error, "commit failed");
                    report.store_error = Some(error);
                    return (report, failed());
                }
            }
        }
    }

    /// Reports a listing the engine did not believe, or an observation a time guard held back.
    fn note_distrust(&self, scope: &Scope, plan: &Plan, attempt: u32, report: &mut ScopeReport) {
        if let Some(failure) = &plan.suspect
            && report.source_error.is_none()
        {
            warn!(scope = %scope, class = failure.class.as_str(), message = %failure.message, "listing not believed");
            metrics::source_error(scope, failure.class);
            report.source_error = Some(SourceError::SuspectListing {
                message: failure.message.clone(),
            });
        }
        report.held = plan.hold;
        if let Some(hold) = &plan.hold {
            metrics::held(scope, hold);
            if attempt > 0 && matches!(hold, Hold::Stale { .. }) {
                // Another monitor committed a newer observation: the expected end of a race.
                debug!(scope = %scope, %hold, "observation held");
            } else {
                warn!(scope = %scope, %hold, "observation held");
            }
        }
    }

    /// The plan's changes plus one outbox entry per notification per sink whose route accepts
    /// it, in the same commit.
    pub(super) fn with_deliveries(&self, plan: &Plan) -> Vec<Change> {
        let mut changes = plan.changes.clone();
        for notification in &plan.notifications {
            for sink in self.sinks.iter().filter(|s| s.route.accepts(notification)) {
                changes.push(Change::Enqueue {
                    sink: sink.name.clone(),
                    notification: notification.clone(),
                });
            }
        }
        changes
    }
}

/// A watched scope's state after its part of the cycle, kept for the pools that span it.
#[derive(Debug)]
pub(super) struct Observed {
    /// The state as committed (or loaded, in steady state).
    pub(super) state: ScopeState,
    /// The cycle believed and stored the scope's observation (no source error, suspect listing,
    /// time-guard hold or store error).
    pub(super) trusted: bool,
}
