//! What a cycle did: [`CycleReport`], [`ScopeReport`], [`DispatchReport`].

use serde::Serialize;

use crate::engine::{Hold, PoolHold};
use crate::model::{PoolCount, Scope, Timestamp};
use crate::ports::{SourceError, StoreError};

/// What one cycle did, for logs, metrics, exit codes and the Lambda's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CycleReport {
    /// The cycle's `now`.
    pub at: Timestamp,
    /// One report per scope, in configuration order.
    pub scopes: Vec<ScopeReport>,
    /// One report per pool of the policy (`pools`), in policy order; judged after the scopes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub pools: Vec<PoolReport>,
    /// The dispatch that followed.
    pub deliveries: DispatchReport,
}

impl CycleReport {
    /// Open outages across all scopes and pools after the cycle (scopes that failed count what
    /// they had).
    pub fn open_outages(&self) -> usize {
        self.scopes.iter().map(|s| s.open_outages).sum::<usize>()
            + self.pools.iter().map(|p| p.open_outages).sum::<usize>()
    }

    /// Whether any scope could not be observed or committed, a pool could not be stored, or the
    /// outbox could not be read.
    pub fn has_errors(&self) -> bool {
        self.scopes.iter().any(ScopeReport::has_error)
            || self.pools.iter().any(|p| p.store_error.is_some())
            || self.deliveries.store_error.is_some()
    }

    /// Whether the cycle could not do its job at all: every scope failed (and there was one).
    pub fn failed_entirely(&self) -> bool {
        !self.scopes.is_empty() && self.scopes.iter().all(ScopeReport::has_error)
    }
}

/// What a cycle did for one scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScopeReport {
    /// The scope.
    pub scope: Scope,
    /// Runners in the observation.
    pub runners_seen: usize,
    /// Changes committed (0 in steady state).
    pub changes: usize,
    /// Outages opened.
    pub outages_opened: usize,
    /// Outages resolved.
    pub outages_resolved: usize,
    /// Notifications enqueued (before the fan-out to sinks).
    pub notifications: usize,
    /// Open outages after the cycle.
    pub open_outages: usize,
    /// Commits retried after a version conflict.
    pub conflicts_retried: u32,
    /// The observation failed (state then changes only in source health).
    #[serde(serialize_with = "display_opt")]
    pub source_error: Option<SourceError>,
    /// The store failed; nothing was committed for this scope.
    #[serde(serialize_with = "display_opt")]
    pub store_error: Option<StoreError>,
    /// A time guard held the observation back (older than the state, or an unconfirmed clock
    /// jump): nothing changed. Not an error by itself.
    #[serde(serialize_with = "display_opt")]
    pub held: Option<Hold>,
}

impl ScopeReport {
    pub(super) fn new(scope: Scope) -> Self {
        ScopeReport {
            scope,
            runners_seen: 0,
            changes: 0,
            outages_opened: 0,
            outages_resolved: 0,
            notifications: 0,
            open_outages: 0,
            conflicts_retried: 0,
            source_error: None,
            store_error: None,
            held: None,
        }
    }

    /// Whether observing or storing failed.
    pub fn has_error(&self) -> bool {
        self.source_error.is_some() || self.store_error.is_some()
    }
}

/// What a cycle did for one pool (its scope `pool:NAME`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PoolReport {
    /// The pool's scope.
    pub scope: Scope,
    /// The count it was judged on (`None` when held or not loaded).
    pub count: Option<PoolCount>,
    /// Changes committed (0 unless the pool crossed its floor).
    pub changes: usize,
    /// Pool outages opened (0 or 1).
    pub outages_opened: usize,
    /// Pool outages resolved (0 or 1).
    pub outages_resolved: usize,
    /// Notifications enqueued (before the fan-out to sinks).
    pub notifications: usize,
    /// Open pool outages after the cycle (0 or 1).
    pub open_outages: usize,
    /// Commits retried after a version conflict.
    pub conflicts_retried: u32,
    /// Why nothing was judged (a spanned scope not observed, or a newer pool state).
    #[serde(serialize_with = "display_opt")]
    pub held: Option<PoolHold>,
    /// The store failed; nothing was committed for this pool.
    #[serde(serialize_with = "display_opt")]
    pub store_error: Option<StoreError>,
}

impl PoolReport {
    pub(super) fn new(scope: Scope) -> Self {
        PoolReport {
            scope,
            count: None,
            changes: 0,
            outages_opened: 0,
            outages_resolved: 0,
            notifications: 0,
            open_outages: 0,
            conflicts_retried: 0,
            held: None,
            store_error: None,
        }
    }
}

/// What one dispatch of the outbox did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DispatchReport {
    /// Deliveries claimed in the store (the due heads this monitor took on).
    pub claimed: usize,
    /// Delivered.
    pub sent: usize,
    /// Messages sinks accepted: a group of deliveries sent together counts once (with
    /// `group_wait` 0, equal to `sent`).
    pub messages: usize,
    /// Failed and scheduled again.
    pub retried: usize,
    /// Given up (permanent failure, or `delivery_ttl` passed).
    pub failed: usize,
    /// Claimed but given back without an attempt (the budget ran out, or the sink asked to
    /// wait), or, for a sink this monitor lacks, marked overdue and left for the grace period.
    /// Deliveries not due, waiting behind an earlier one of their subject or claimed by another
    /// monitor are not read at all, so not counted.
    pub deferred: usize,
    /// Settlements refused because another dispatcher had taken the claim over (this monitor
    /// held it past its lease); that holder's state stands.
    pub lease_lost: usize,
    /// Held back by a silence: postponed to its end, or dropped for good.
    pub silenced: usize,
    /// The dispatch stopped because its time budget was spent; the rest waits for the next.
    pub budget_exhausted: bool,
    /// Reading or settling the outbox failed.
    #[serde(serialize_with = "display_opt")]
    pub store_error: Option<StoreError>,
}

impl DispatchReport {
    /// Adds another part's counts (one sink's share of a round).
    pub(super) fn absorb(&mut self, other: DispatchReport) {
        self.claimed += other.claimed;
        self.sent += other.sent;
        self.messages += other.messages;
        self.retried += other.retried;
        self.failed += other.failed;
        self.deferred += other.deferred;
        self.lease_lost += other.lease_lost;
        self.silenced += other.silenced;
        self.budget_exhausted |= other.budget_exhausted;
        if self.store_error.is_none() {
            self.store_error = other.store_error;
        }
    }
}

fn display_opt<T: std::fmt::Display, S: serde::Serializer>(
    value: &Option<T>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(value) => serializer.collect_str(value),
        None => serializer.serialize_none(),
    }
}
