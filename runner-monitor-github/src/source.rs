//! [`GitHubSource`]: the [`RunnerSource`] itself.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use runner_monitor_core::{Observation, RunnerSource, Scope, SourceError};

use crate::auth::Auth;
use crate::builder::GitHubSourceBuilder;
use crate::client::Http;
use crate::config::Config;
use crate::etag_cache::EtagCache;
use crate::listing::{self, Fingerprints, Page};
use crate::rate_limit::RateLimitStatus;

/// Scopes whose last accepted runner set is remembered (beyond that, one is forgotten and gets
/// its pages re-checked once more).
const MAX_SCOPES: usize = 10_000;

/// Lists the self-hosted runners of repositories, organizations and enterprises from the GitHub
/// REST API. Cheap to clone (clones share the cache, rate-limit gate and token).
///
/// Build one with [`GitHubSource::builder`]. See the crate documentation for the behaviour.
#[derive(Clone)]
pub struct GitHubSource {
    inner: Arc<Inner>,
}

#[derive(Debug)]
pub(crate) struct Inner {
    pub(crate) http: Http,
    pub(crate) auth: Auth,
    pub(crate) config: Config,
    pub(crate) pages: EtagCache<Page>,
    pub(crate) fingerprints: Fingerprints,
}

impl GitHubSource {
    /// A builder with the defaults (github.com, 4 concurrent requests, 30 s per request, ...).
    pub fn builder() -> GitHubSourceBuilder {
        GitHubSourceBuilder::default()
    }

    pub(crate) fn new(http: Http, auth: Auth, config: Config, cache_pages: usize) -> Self {
        GitHubSource {
            inner: Arc::new(Inner {
                http,
                auth,
                config,
                pages: EtagCache::new(cache_pages),
                fingerprints: Fingerprints::new(MAX_SCOPES),
            }),
        }
    }

    /// The latest rate-limit figures GitHub reported (`None` before the first answer, or from a
    /// server that sends none).
    pub fn rate_limit(&self) -> Option<RateLimitStatus> {
        self.inner.http.rate_limit()
    }

    /// The API base URL in use.
    pub fn base_url(&self) -> &str {
        self.inner.http.base().as_str()
    }
}

impl fmt::Debug for GitHubSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GitHubSource")
            .field("base_url", &self.inner.http.base().as_str())
            .field("auth", &self.inner.auth)
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl RunnerSource for GitHubSource {
    async fn observe(&self, scope: &Scope) -> Result<Observation, SourceError> {
        let limit = self.inner.config.overall_timeout;
        let result = tokio::time::timeout(limit, listing::list(&self.inner, scope)).await;
        let result = result.unwrap_or_else(|_| {
            Err(SourceError::Unavailable {
                message: format!(
                    "listing runners of {scope} did not finish within the overall timeout of {}s",
                    limit.as_secs_f64()
                ),
            })
        });
        match &result {
            Ok(observation) => tracing::debug!(
                %scope,
                runners = observation.runners.len(),
                auth = self.inner.auth.kind(),
                "listed runners"
            ),
            Err(error) => tracing::info!(%scope, %error, "listing runners failed"),
        }
        result
    }
}
