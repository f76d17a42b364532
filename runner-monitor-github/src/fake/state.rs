//! The fake's shared state. Locks are never held across an `.await`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::{Duration, SystemTime};

use axum::http::{HeaderMap, StatusCode, header};

use super::apps::Apps;
use super::budget::Budget;
use super::churn::Churning;
use super::clock::ManualClock;
use super::faults::Fault;
use super::fleet::Fleet;
use super::stats::RequestStats;
use runner_monitor_core::Scope;

/// A fleet change to run once, right after page `page` of `scope` has been served.
pub(crate) struct PageHook {
    pub(crate) scope: Scope,
    pub(crate) page: usize,
    pub(crate) action: Box<dyn FnOnce(&mut Fleet) + Send>,
}

impl std::fmt::Debug for PageHook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PageHook")
            .field("scope", &self.scope)
            .field("page", &self.page)
            .finish_non_exhaustive()
    }
}

#[derive(Debug)]
pub(crate) struct State {
    pub(crate) fleet: Mutex<Fleet>,
    pub(crate) faults: Mutex<Vec<Fault>>,
    pub(crate) hooks: Mutex<Vec<PageHook>>,
    pub(crate) stats: Mutex<RequestStats>,
    pub(crate) in_flight: AtomicUsize,
    /// `None`: no rate limiting and no `x-ratelimit-*` headers (GHES with limits off).
    pub(crate) budget: Mutex<Option<Budget>>,
    pub(crate) apps: Mutex<Apps>,
    pub(crate) tokens: Vec<String>,
    pub(crate) base_url: OnceLock<String>,
    pub(crate) default_per_page: usize,
    /// Added to every answer (a page from api.github.com takes ~150 ms).
    pub(crate) latency: Mutex<Duration>,
    pub(crate) churn: Mutex<Option<Churning>>,
    /// The clock for tokens (JWT checks, expiry); `None`: the system clock.
    pub(crate) clock: Option<ManualClock>,
}

/// Locks, recovering from a panicked holder (the fake is a test tool).
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl State {
    pub(crate) fn base_url(&self) -> &str {
        self.base_url.get().map_or("", String::as_str)
    }

    /// The time for tokens: the manual clock if one was given.
    pub(crate) fn now(&self) -> SystemTime {
        self.clock
            .as_ref()
            .map_or_else(SystemTime::now, crate::Clock::now)
    }

    /// The request's bearer token (`Bearer X` or `token X`), if any.
    pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
        let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
        value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("token "))
            .filter(|token| !token.is_empty())
    }

    /// Whether the request's bearer token is a configured token or a live installation token.
    pub(crate) fn authorized(&self, headers: &HeaderMap) -> bool {
        State::bearer(headers).is_some_and(|token| {
            self.tokens.iter().any(|known| known == token)
                || lock(&self.apps).valid(token, self.now())
        })
    }

    /// The configured latency.
    pub(crate) fn latency(&self) -> Duration {
        *lock(&self.latency)
    }

    /// Applies the churn due by now (between the previous request and this one).
    pub(crate) fn churn(&self) {
        let mut churn = lock(&self.churn);
        if let Some(churn) = churn.as_mut() {
            churn.apply(&mut lock(&self.fleet), tokio::time::Instant::now());
        }
    }

    /// Counts an answered request.
    pub(crate) fn count(&self, status: StatusCode, listing: bool, conditional: bool) {
        let mut stats = lock(&self.stats);
        stats.total += 1;
        if listing {
            stats.listings += 1;
        } else {
            stats.token_requests += 1;
        }
        if conditional {
            stats.conditional += 1;
        }
        *stats.by_status.entry(status.as_u16()).or_default() += 1;
    }

    /// Marks a listing request in flight until the guard drops.
    pub(crate) fn enter(&self) -> InFlight<'_> {
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        let mut stats = lock(&self.stats);
        stats.max_in_flight = stats.max_in_flight.max(now);
        InFlight(&self.in_flight)
    }

    /// Runs (and drops) the hooks registered for page `page` of `scope`.
    pub(crate) fn run_hooks(&self, scope: &Scope, page: usize) {
        let due: Vec<PageHook> = {
            let mut hooks = lock(&self.hooks);
            let (due, keep) = std::mem::take(&mut *hooks)
                .into_iter()
                .partition(|hook| &hook.scope == scope && hook.page == page);
            *hooks = keep;
            due
        };
        if due.is_empty() {
            return;
        }
        let mut fleet = lock(&self.fleet);
        for hook in due {
            (hook.action)(&mut fleet);
        }
    }
}

/// Decrements the in-flight count on drop.
#[derive(Debug)]
pub(crate) struct InFlight<'a>(&'a AtomicUsize);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}
