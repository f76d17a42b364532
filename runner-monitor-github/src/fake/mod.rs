//! [`FakeGitHub`]: a stateful GitHub runners API on `127.0.0.1:0`, for tests, demos and benches.
//!
//! It serves `GET /repos/{owner}/{repo}/actions/runners`, `/orgs/{org}/actions/runners`,
//! `/enterprises/{slug}/actions/runners` for any number of scopes, and
//! `POST /app/installations/{id}/access_tokens` for GitHub Apps (the JWT's RS256 signature,
//! `iss`, `iat` and `exp` are checked). Like GitHub it pages (`per_page` default 30, max 100,
//! `link` header), sends weak ETags bound to the token and answers `If-None-Match` with free
//! 304s, keeps a rate-limit budget with `x-ratelimit-*` headers, and lists runners in id order.
//! Tests change the fleet at run time, inject faults, add latency to every answer, let a scope
//! churn ([`Churn`]: busy flips and ephemeral runners coming and going between requests), and
//! read request counters.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use runner_monitor_core::{RunnerSource, Scope};
//! use runner_monitor_github::fake::{FakeGitHub, FakeRunner};
//!
//! let github = FakeGitHub::start().await?;
//! let acme = Scope::org("acme");
//! github.add_runner(&acme, FakeRunner::new("gpu-1").label("gpu"));
//! github.add_runner(&acme, FakeRunner::new("gpu-2").label("gpu").offline());
//!
//! let source = github.source_builder().build()?;
//! assert_eq!(source.observe(&acme).await?.runners.len(), 2);
//!
//! github.set_online(&acme, "gpu-2", true);
//! github.remove_runner(&acme, "gpu-1");
//! assert_eq!(source.observe(&acme).await?.runners.len(), 1);
//! assert_eq!(github.requests().listings, 2);
//! # Ok(()) }
//! ```
//!
//! The server runs on the tokio runtime that started it and stops when the last clone of the
//! handle is dropped.

mod apps;
mod budget;
mod churn;
mod clock;
mod faults;
mod fleet;
mod listing;
mod render;
mod rng;
mod routes;
mod runner;
mod state;
mod stats;
mod tokens;

use std::io;
use std::net::SocketAddr;
use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use runner_monitor_core::{ObservedRunner, Scope};
use secrecy::SecretString;
use tokio::task::JoinHandle;

pub use churn::{Churn, ChurnStats};
pub use clock::ManualClock;
pub use faults::{Fault, FaultKind};
pub use fleet::Fleet;
pub use runner::FakeRunner;
pub use stats::RequestStats;

use self::apps::Apps;
use self::budget::Budget;
use self::churn::Churning;
use self::state::{PageHook, State, lock};
use crate::{Credentials, GitHubSource, GitHubSourceBuilder};

/// The token the fake accepts unless configured otherwise. Not a credential of anything real.
pub const DEFAULT_TOKEN: &str = "fake-github-token";

/// A running fake GitHub. Cheap to clone; clones share the server and its state.
#[derive(Clone)]
pub struct FakeGitHub {
    state: Arc<State>,
    addr: SocketAddr,
    prefix: String,
    _server: Arc<Server>,
}

/// Aborts the server task when the last handle goes.
#[derive(Debug)]
struct Server(JoinHandle<()>);

impl Drop for Server {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Configures a [`FakeGitHub`] before it starts.
#[derive(Debug)]
#[must_use]
pub struct FakeGitHubBuilder {
    prefix: String,
    tokens: Vec<String>,
    rate_limit: Option<(u64, Duration)>,
    apps: Vec<(u64, String)>,
    installations: Vec<(u64, u64)>,
    token_ttl: Duration,
    default_per_page: usize,
    latency: Duration,
    clock: Option<ManualClock>,
}

impl Default for FakeGitHubBuilder {
    fn default() -> Self {
        FakeGitHubBuilder {
            prefix: String::new(),
            tokens: vec![DEFAULT_TOKEN.to_owned()],
            rate_limit: Some((5000, Duration::from_secs(3600))),
            apps: Vec::new(),
            installations: Vec::new(),
            token_ttl: Duration::from_secs(3600),
            default_per_page: 30,
            latency: Duration::ZERO,
            clock: None,
        }
    }
}

impl FakeGitHubBuilder {
    /// Serves the API below `prefix`, e.g. `/api/v3` like GitHub Enterprise Server.
    pub fn path_prefix(mut self, prefix: impl Into<String>) -> Self {
        let prefix = prefix.into();
        self.prefix = format!("/{}", prefix.trim_matches('/'));
        if self.prefix == "/" {
            self.prefix.clear();
        }
        self
    }

    /// Accepts `token` as well (the default [`DEFAULT_TOKEN`] stays accepted).
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.tokens.push(token.into());
        self
    }

    /// A rate-limit budget of `limit` requests per `window` (default 5000 per hour).
    pub fn rate_limit(mut self, limit: u64, window: Duration) -> Self {
        self.rate_limit = Some((limit, window));
        self
    }

    /// No rate limiting and no `x-ratelimit-*` headers, like a GitHub Enterprise Server with
    /// rate limits off.
    pub fn without_rate_limit(mut self) -> Self {
        self.rate_limit = None;
        self
    }

    /// Registers GitHub App `app_id` with its public key (PEM, `BEGIN PUBLIC KEY`).
    pub fn app(mut self, app_id: u64, public_key_pem: impl Into<String>) -> Self {
        self.apps.push((app_id, public_key_pem.into()));
        self
    }

    /// Installs app `app_id` as installation `installation_id`.
    pub fn installation(mut self, installation_id: u64, app_id: u64) -> Self {
        self.installations.push((installation_id, app_id));
        self
    }

    /// Lifetime of minted installation tokens (default one hour, like GitHub).
    pub fn token_ttl(mut self, ttl: Duration) -> Self {
        self.token_ttl = ttl;
        self
    }

    /// `per_page` when a request names none (default 30, like GitHub).
    pub fn default_per_page(mut self, per_page: usize) -> Self {
        self.default_per_page = per_page.clamp(1, 100);
        self
    }

    /// Delays every answer by `latency` (default none; api.github.com takes ~150 ms a page).
    /// Requests in flight at once are delayed side by side, not one after another.
    pub fn latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }

    /// Checks JWTs and installation-token expiry against `clock` instead of the system clock,
    /// so a test moves time for the fake and a source sharing the clock alike (an hourly
    /// token refresh without waiting an hour).
    pub fn clock(mut self, clock: ManualClock) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Binds `127.0.0.1:0` and starts serving on the current tokio runtime.
    ///
    /// # Errors
    /// Binding failed, or an app's public key is not an RSA public key.
    pub async fn start(self) -> io::Result<FakeGitHub> {
        let mut apps = Apps::new(self.token_ttl);
        for (app_id, pem) in &self.apps {
            apps.add_app(*app_id, pem)
                .map_err(|reason| io::Error::new(io::ErrorKind::InvalidInput, reason))?;
        }
        for (installation_id, app_id) in &self.installations {
            apps.add_installation(*installation_id, *app_id);
        }
        let state = Arc::new(State {
            fleet: Mutex::new(Fleet::default()),
            faults: Mutex::new(Vec::new()),
            hooks: Mutex::new(Vec::new()),
            stats: Mutex::new(RequestStats::default()),
            in_flight: AtomicUsize::new(0),
            budget: Mutex::new(
                self.rate_limit
                    .map(|(limit, window)| Budget::new(limit, window)),
            ),
            apps: Mutex::new(apps),
            tokens: self.tokens,
            base_url: OnceLock::new(),
            default_per_page: self.default_per_page,
            latency: Mutex::new(self.latency),
            churn: Mutex::new(None),
            clock: self.clock,
        });
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let _ = state.base_url.set(format!("http://{addr}{}", self.prefix));
        let app = routes::router(Arc::clone(&state), &self.prefix);
        let task = tokio::spawn(async move {
            if let Err(error) = axum::serve(listener, app).await {
                tracing::warn!(%error, "fake GitHub stopped");
            }
        });
        Ok(FakeGitHub {
            state,
            addr,
            prefix: self.prefix,
            _server: Arc::new(Server(task)),
        })
    }
}

impl std::fmt::Debug for FakeGitHub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeGitHub")
            .field("base_url", &self.state.base_url())
            .finish_non_exhaustive()
    }
}

impl FakeGitHub {
    /// A builder (path prefix, tokens, rate limit, apps).
    pub fn builder() -> FakeGitHubBuilder {
        FakeGitHubBuilder::default()
    }

    /// Starts a fake with the defaults: accepts [`DEFAULT_TOKEN`], 5000 requests per hour.
    ///
    /// # Errors
    /// Binding `127.0.0.1:0` failed.
    pub async fn start() -> io::Result<FakeGitHub> {
        FakeGitHub::builder().start().await
    }

    /// The API base URL to give a source: `http://127.0.0.1:PORT` (plus the path prefix).
    pub fn base_url(&self) -> String {
        self.state.base_url().to_owned()
    }

    /// The socket address served.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The path prefix (empty, or e.g. `/api/v3`).
    pub fn path_prefix(&self) -> &str {
        &self.prefix
    }

    /// The token the fake accepts ([`DEFAULT_TOKEN`]).
    pub fn token(&self) -> SecretString {
        SecretString::from(DEFAULT_TOKEN)
    }

    /// Credentials the fake accepts.
    pub fn credentials(&self) -> Credentials {
        Credentials::token(self.token())
    }

    /// A [`GitHubSource`] builder already pointed at the fake with accepted credentials.
    pub fn source_builder(&self) -> GitHubSourceBuilder {
        GitHubSource::builder()
            .base_url(self.base_url())
            .credentials(self.credentials())
    }

    // ----- fleet -----

    /// Runs `change` on the fleet under one lock (several changes at once).
    pub fn edit<R>(&self, change: impl FnOnce(&mut Fleet) -> R) -> R {
        change(&mut lock(&self.state.fleet))
    }

    /// Makes `scope` exist, empty if new (an unknown scope answers 404).
    pub fn add_scope(&self, scope: &Scope) -> bool {
        self.edit(|fleet| fleet.add_scope(scope))
    }

    /// Registers a runner; returns its id. Same name again = re-registration.
    pub fn add_runner(&self, scope: &Scope, runner: FakeRunner) -> u64 {
        self.edit(|fleet| fleet.add(scope, runner))
    }

    /// Registers `count` online idle runners `{prefix}-00001`...; returns their ids.
    pub fn add_runners(&self, scope: &Scope, prefix: &str, count: usize) -> Vec<u64> {
        self.edit(|fleet| fleet.add_many(scope, prefix, count))
    }

    /// Deregisters runner `name`.
    pub fn remove_runner(&self, scope: &Scope, name: &str) -> bool {
        self.edit(|fleet| fleet.remove(scope, name))
    }

    /// Re-registers runner `name` under a new id; returns it.
    pub fn reregister(&self, scope: &Scope, name: &str) -> Option<u64> {
        self.edit(|fleet| fleet.reregister(scope, name))
    }

    /// Sets runner `name` online or offline.
    pub fn set_online(&self, scope: &Scope, name: &str, online: bool) -> bool {
        self.edit(|fleet| fleet.set_online(scope, name, online))
    }

    /// Sets whether runner `name` is busy.
    pub fn set_busy(&self, scope: &Scope, name: &str, busy: bool) -> bool {
        self.edit(|fleet| fleet.set_busy(scope, name, busy))
    }

    /// The runners of `scope` as GitHub would list them (empty for an unknown scope).
    pub fn runners(&self, scope: &Scope) -> Vec<ObservedRunner> {
        self.edit(|fleet| fleet.runners(scope).map(<[_]>::to_vec).unwrap_or_default())
    }

    /// Runs `change` once, right after page `page` (1-based) of `scope` is next served, before
    /// the client can ask for the following page: a fleet that shifts mid-listing.
    pub fn after_page(
        &self,
        scope: &Scope,
        page: usize,
        change: impl FnOnce(&mut Fleet) + Send + 'static,
    ) {
        lock(&self.state.hooks).push(PageHook {
            scope: scope.clone(),
            page,
            action: Box::new(change),
        });
    }

    // ----- latency and churn -----

    /// Delays every answer from now on by `latency`.
    pub fn set_latency(&self, latency: Duration) {
        *lock(&self.state.latency) = latency;
    }

    /// Starts churning a scope (replacing any churn in progress): from now on, before each
    /// listing request is answered, the membership changes due since the previous request and
    /// one request's busy flips are applied. See [`Churn`].
    pub fn start_churn(&self, churn: Churn) {
        let churning =
            Churning::start(churn, &lock(&self.state.fleet), tokio::time::Instant::now());
        *lock(&self.state.churn) = Some(churning);
    }

    /// Stops churning; returns what it did (`None` if there was no churn).
    pub fn stop_churn(&self) -> Option<ChurnStats> {
        lock(&self.state.churn).take().map(|churn| churn.stats)
    }

    /// What churn has done so far (`None` without churn).
    pub fn churn_stats(&self) -> Option<ChurnStats> {
        lock(&self.state.churn).as_ref().map(|churn| churn.stats)
    }

    // ----- faults -----

    /// Injects a fault into upcoming listing requests.
    pub fn inject(&self, fault: Fault) {
        lock(&self.state.faults).push(fault);
    }

    /// Removes every pending fault and page hook.
    pub fn clear_faults(&self) {
        lock(&self.state.faults).clear();
        lock(&self.state.hooks).clear();
    }

    // ----- rate limit -----

    /// Sets the requests left in the current window.
    pub fn set_rate_limit_remaining(&self, remaining: u64) {
        if let Some(budget) = lock(&self.state.budget).as_mut() {
            budget.remaining = remaining.min(budget.limit);
        }
    }

    /// Requests left in the current window (`None` without rate limiting).
    pub fn rate_limit_remaining(&self) -> Option<u64> {
        lock(&self.state.budget)
            .as_ref()
            .map(|budget| budget.remaining)
    }

    // ----- apps -----

    /// Sets the lifetime of installation tokens minted from now on.
    pub fn set_token_ttl(&self, ttl: Duration) {
        lock(&self.state.apps).ttl = ttl;
    }

    /// Expires every installation token minted so far (GitHub then answers 401).
    pub fn expire_tokens(&self) {
        lock(&self.state.apps).expire_all();
    }

    /// Installation tokens minted so far.
    pub fn tokens_minted(&self) -> u64 {
        lock(&self.state.apps).minted
    }

    // ----- counters -----

    /// The request counters.
    pub fn requests(&self) -> RequestStats {
        lock(&self.state.stats).clone()
    }

    /// Zeroes the request counters.
    pub fn reset_requests(&self) {
        *lock(&self.state.stats) = RequestStats::default();
    }
}
