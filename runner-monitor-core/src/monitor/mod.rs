//! The [`Monitor`]: runs cycles over the ports. Observe, load, reconcile, commit (with conflict
//! retries), then dispatch the outbox.

mod builder;
mod cycle;
pub(crate) mod dispatch;
pub mod metrics;
mod pools;
mod report;

use std::sync::Arc;
use std::time::Duration;

pub use builder::{
    DEFAULT_DELIVERY_LEASE, DEFAULT_DISPATCH_BUDGET, MonitorBuilder, MonitorConfigError,
};
pub use dispatch::{ABSENT_SINK_GRACE, SWEEP_EVERY};
pub use report::{CycleReport, DispatchReport, PoolReport, ScopeReport};

use crate::model::{Policy, Scope, Timestamp};
use crate::ports::{Notifier, RunnerSource, Store};

/// A named notification destination. Every notification is delivered once to every sink.
#[derive(Debug, Clone)]
pub struct Sink {
    /// Unique name; stored with each delivery, so keep it stable across restarts.
    pub name: String,
    /// Where to send.
    pub notifier: Arc<dyn Notifier>,
    /// Which notifications it receives (default: all). Applied when a plan is committed: a
    /// notification the route refuses gets no delivery for this sink.
    pub route: crate::model::Route,
}

/// How failed deliveries are retried: exponential backoff from `base`, at most `max` between
/// attempts, never sooner than the destination's retry-after.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeliveryBackoff {
    /// Delay after the first failure. Default 30 s.
    pub base: Duration,
    /// Upper bound on the delay. Default 30 min.
    pub max: Duration,
}

impl Default for DeliveryBackoff {
    fn default() -> Self {
        DeliveryBackoff {
            base: Duration::from_secs(30),
            max: Duration::from_secs(30 * 60),
        }
    }
}

impl DeliveryBackoff {
    /// The delay before attempt `attempts + 1`, after `attempts` failures (1 -> `base`).
    pub fn delay(&self, attempts: u32) -> Duration {
        let exponent = attempts.saturating_sub(1).min(30);
        self.base.saturating_mul(1 << exponent).min(self.max)
    }
}

/// Watches a set of scopes: built once, then `run_cycle` is called on every tick (daemon) or
/// invocation (Lambda).
///
/// # Examples
/// See `examples/replay.rs` and the crate README.
#[derive(Debug)]
pub struct Monitor {
    source: Arc<dyn RunnerSource>,
    store: Arc<dyn Store>,
    sinks: Vec<Sink>,
    scopes: Vec<Scope>,
    policy: Policy,
    concurrency: usize,
    max_conflict_retries: u32,
    delivery_batch: usize,
    backoff: DeliveryBackoff,
    holder: String,
    delivery_lease: Duration,
    dispatch_budget: Duration,
    /// The `now` of the last sweep for absent sinks.
    last_sweep: std::sync::Mutex<Option<Timestamp>>,
}

impl Monitor {
    /// Starts building a monitor over a source and a store.
    pub fn builder(source: Arc<dyn RunnerSource>, store: Arc<dyn Store>) -> MonitorBuilder {
        MonitorBuilder::new(source, store)
    }

    /// The scopes watched, in configuration order.
    pub fn scopes(&self) -> &[Scope] {
        &self.scopes
    }

    /// The policy in force.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The store (hosts share it with the slash-command handler).
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// The id this monitor's dispatcher claims deliveries under (unique per instance unless set
    /// with [`MonitorBuilder::holder_id`]).
    pub fn holder_id(&self) -> &str {
        &self.holder
    }

    /// The configured sinks.
    pub fn sinks(&self) -> &[Sink] {
        &self.sinks
    }

    /// One full cycle at time `now`: every scope (at most `concurrency` at once), then every pool
    /// of the policy (judged from the states the scopes just committed, one commit per pool that
    /// changed), then one dispatch of the outbox. Never fails as a whole: each scope's error is in
    /// its [`ScopeReport`], each pool's in its [`PoolReport`].
    pub async fn run_cycle(&self, now: Timestamp) -> CycleReport {
        let (scopes, observed): (Vec<_>, Vec<_>) = self.run_scopes(now).await.into_iter().unzip();
        let observed: Vec<_> = observed.into_iter().flatten().collect();
        let pools = self.run_pools(&observed, now).await;
        drop(observed);
        let deliveries = self.dispatch(now).await;
        let report = CycleReport {
            at: now,
            scopes,
            pools,
            deliveries,
        };
        metrics::record_cycle(&report);
        report
    }
}
