//! [`MonitorBuilder`]: validated construction of a [`Monitor`].

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use super::{DeliveryBackoff, Monitor, Sink};
use crate::model::{Policy, PolicyError, Route, RouteError, Scope};
use crate::ports::{Notifier, RunnerSource, Store};

/// Why a [`Monitor`] could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MonitorConfigError {
    /// The policy is inconsistent.
    #[error(transparent)]
    Policy(#[from] PolicyError),
    /// Two sinks share a name (deliveries are stored by sink name).
    #[error("two sinks are named `{0}`; sink names must be unique")]
    DuplicateSink(String),
    /// A sink has an empty name.
    #[error("a sink has an empty name")]
    EmptySinkName,
    /// A sink's route cannot match what it says.
    #[error("sink `{sink}`: {error}")]
    BadRoute {
        /// The sink.
        sink: String,
        /// What is wrong.
        error: RouteError,
    },
    /// A scope is listed twice.
    #[error("scope `{0}` is listed twice")]
    DuplicateScope(Scope),
    /// A setting that must be positive is zero.
    #[error("`{0}` must be at least 1")]
    Zero(&'static str),
    /// The delivery lease does not outlast the dispatch budget: a claim could expire while its
    /// holder is still sending, and another monitor would send it too.
    #[error(
        "delivery_lease ({lease:?}) must be longer than dispatch_budget ({budget:?}) plus the slowest send"
    )]
    LeaseTooShort {
        /// The lease.
        lease: std::time::Duration,
        /// The budget.
        budget: std::time::Duration,
    },
    /// The holder id is empty.
    #[error("the dispatcher's holder id must not be empty")]
    EmptyHolderId,
    /// A `pool:` scope among the watched scopes: pools are judged, never listed at GitHub.
    #[error("scope `{0}` is a pool: configure it in the policy's `pools`, not as a watched scope")]
    PoolWatched(Scope),
    /// A pool names a scope that is not watched: its runners would never be counted.
    #[error("pool `{pool}` spans `{scope}`, which is not a watched scope")]
    UnwatchedPoolScope {
        /// The pool's name.
        pool: String,
        /// The scope it names.
        scope: Scope,
    },
}

/// Builds a [`Monitor`]; defaults: concurrency 8, 5 conflict retries, 1,000 deliveries per
/// dispatch, delivery backoff 30 s doubling to 30 min, dispatch budget 20 s, delivery lease
/// 5 min, a holder id unique to this instance, [`Policy::default`].
#[derive(Debug)]
pub struct MonitorBuilder {
    source: Arc<dyn RunnerSource>,
    store: Arc<dyn Store>,
    sinks: Vec<Sink>,
    scopes: Vec<Scope>,
    policy: Policy,
    concurrency: usize,
    max_conflict_retries: u32,
    delivery_batch: usize,
    backoff: DeliveryBackoff,
    holder: Option<String>,
    delivery_lease: Duration,
    dispatch_budget: Duration,
}

/// Default [`MonitorBuilder::dispatch_budget`].
pub const DEFAULT_DISPATCH_BUDGET: Duration = Duration::from_secs(20);
/// Default [`MonitorBuilder::delivery_lease`].
pub const DEFAULT_DELIVERY_LEASE: Duration = Duration::from_secs(5 * 60);

/// A holder id unique to this monitor instance: the process id and 64 random bits (std's
/// randomly keyed hasher), so two processes, two hosts or two monitors in one process differ.
fn unique_holder_id() -> String {
    use std::hash::{BuildHasher as _, Hasher as _};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u32(std::process::id());
    format!("monitor-{}-{:016x}", std::process::id(), hasher.finish())
}

impl MonitorBuilder {
    pub(super) fn new(source: Arc<dyn RunnerSource>, store: Arc<dyn Store>) -> Self {
        MonitorBuilder {
            source,
            store,
            sinks: Vec::new(),
            scopes: Vec::new(),
            policy: Policy::default(),
            concurrency: 8,
            max_conflict_retries: 5,
            delivery_batch: 1_000,
            backoff: DeliveryBackoff::default(),
            holder: None,
            delivery_lease: DEFAULT_DELIVERY_LEASE,
            dispatch_budget: DEFAULT_DISPATCH_BUDGET,
        }
    }

    /// Adds a named sink that receives every notification.
    pub fn sink(self, name: impl Into<String>, notifier: Arc<dyn Notifier>) -> Self {
        self.routed_sink(name, notifier, Route::default())
    }

    /// Adds a named sink that receives only what `route` accepts (checked by [`build`](Self::build)).
    pub fn routed_sink(
        mut self,
        name: impl Into<String>,
        notifier: Arc<dyn Notifier>,
        route: Route,
    ) -> Self {
        self.sinks.push(Sink {
            name: name.into(),
            notifier,
            route,
        });
        self
    }

    /// Adds a scope to watch.
    pub fn scope(mut self, scope: Scope) -> Self {
        self.scopes.push(scope);
        self
    }

    /// Adds scopes to watch.
    pub fn scopes(mut self, scopes: impl IntoIterator<Item = Scope>) -> Self {
        self.scopes.extend(scopes);
        self
    }

    /// Sets the policy.
    pub fn policy(mut self, policy: Policy) -> Self {
        self.policy = policy;
        self
    }

    /// At most this many scopes are observed and committed at once.
    pub fn concurrency(mut self, concurrency: usize) -> Self {
        self.concurrency = concurrency;
        self
    }

    /// How often a scope's commit is retried (reload, replan) after a conflict.
    pub fn max_conflict_retries(mut self, retries: u32) -> Self {
        self.max_conflict_retries = retries;
        self
    }

    /// At most this many deliveries are claimed per dispatch.
    pub fn delivery_batch(mut self, batch: usize) -> Self {
        self.delivery_batch = batch;
        self
    }

    /// Sets the delivery retry backoff.
    pub fn delivery_backoff(mut self, backoff: DeliveryBackoff) -> Self {
        self.backoff = backoff;
        self
    }

    /// How long one dispatch may keep sending before it stops (checked before each send) and
    /// lets the next cycle poll; what is left waits for the next dispatch.
    pub fn dispatch_budget(mut self, budget: Duration) -> Self {
        self.dispatch_budget = budget;
        self
    }

    /// How long a claim on a delivery lasts. Must be longer than the dispatch budget plus the
    /// slowest send (the notifiers' HTTP timeout): only a holder that stops (crash, kill) before
    /// settling lets a claim expire, and only then may another monitor send it a second time.
    pub fn delivery_lease(mut self, lease: Duration) -> Self {
        self.delivery_lease = lease;
        self
    }

    /// The id this monitor claims deliveries under. Every monitor sharing a store needs its own;
    /// the default is unique per instance.
    pub fn holder_id(mut self, holder: impl Into<String>) -> Self {
        self.holder = Some(holder.into());
        self
    }

    /// Checks the configuration and builds the monitor.
    ///
    /// # Errors
    /// A [`MonitorConfigError`] naming the problem.
    pub fn build(self) -> Result<Monitor, MonitorConfigError> {
        self.policy.validate()?;
        let mut names = BTreeSet::new();
        for sink in &self.sinks {
            if sink.name.trim().is_empty() {
                return Err(MonitorConfigError::EmptySinkName);
            }
            if !names.insert(sink.name.as_str()) {
                return Err(MonitorConfigError::DuplicateSink(sink.name.clone()));
            }
            sink.route
                .validate()
                .map_err(|error| MonitorConfigError::BadRoute {
                    sink: sink.name.clone(),
                    error,
                })?;
        }
        let mut scopes = BTreeSet::new();
        for scope in &self.scopes {
            if !scopes.insert(scope) {
                return Err(MonitorConfigError::DuplicateScope(scope.clone()));
            }
            if scope.is_pool() {
                return Err(MonitorConfigError::PoolWatched(scope.clone()));
            }
        }
        for pool in &self.policy.pools {
            if let Some(scope) = pool.scopes.iter().find(|s| !scopes.contains(s)) {
                return Err(MonitorConfigError::UnwatchedPoolScope {
                    pool: pool.name.clone(),
                    scope: scope.clone(),
                });
            }
        }
        if self.concurrency == 0 {
            return Err(MonitorConfigError::Zero("concurrency"));
        }
        if self.delivery_batch == 0 {
            return Err(MonitorConfigError::Zero("delivery_batch"));
        }
        if self.dispatch_budget.is_zero() {
            return Err(MonitorConfigError::Zero("dispatch_budget"));
        }
        if self.delivery_lease <= self.dispatch_budget {
            return Err(MonitorConfigError::LeaseTooShort {
                lease: self.delivery_lease,
                budget: self.dispatch_budget,
            });
        }
        let holder = self.holder.unwrap_or_else(unique_holder_id);
        if holder.trim().is_empty() {
            return Err(MonitorConfigError::EmptyHolderId);
        }
        Ok(Monitor {
            source: self.source,
            store: self.store,
            sinks: self.sinks,
            scopes: self.scopes,
            policy: self.policy,
            concurrency: self.concurrency,
            max_conflict_retries: self.max_conflict_retries,
            delivery_batch: self.delivery_batch,
            backoff: self.backoff,
            holder,
            delivery_lease: self.delivery_lease,
            dispatch_budget: self.dispatch_budget,
            last_sweep: std::sync::Mutex::new(None),
        })
    }
}
