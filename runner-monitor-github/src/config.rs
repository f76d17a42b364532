//! Tunables of a [`GitHubSource`](crate::GitHubSource) and their defaults.

use std::time::Duration;

/// The public GitHub API.
pub const DEFAULT_BASE_URL: &str = "https://api.github.com";

/// Default values of every tunable, for documentation and hosts' configuration files.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct Defaults;

impl Defaults {
    /// One HTTP request (connect, send, read the body).
    pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
    /// Connecting to GitHub.
    pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
    /// A whole `observe` call: every page, re-listings, token refresh, waiting for a permit.
    pub const OVERALL_TIMEOUT: Duration = Duration::from_secs(120);
    /// Concurrent requests to GitHub from one source (GitHub asks for few).
    pub const MAX_CONCURRENT_REQUESTS: usize = 4;
    /// Re-reads (last page, then the others) of a scope whose membership shifted while being
    /// paged, before giving up with `Incomplete`.
    pub const MAX_RELISTS: u32 = 5;
    /// Pages kept for conditional requests (etag + parsed body), across all scopes.
    pub const ETAG_CACHE_PAGES: usize = 4096;
    /// Refresh an App installation token this long before it expires.
    pub const TOKEN_REFRESH_MARGIN: Duration = Duration::from_secs(5 * 60);
    /// Runners per page (GitHub's maximum).
    pub const PER_PAGE: u32 = 100;
    /// Pages followed in one listing before the `link` chain is judged broken.
    pub const MAX_PAGES: u32 = 10_000;
}

/// The resolved configuration of a source.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub overall_timeout: Duration,
    pub max_relists: u32,
    pub per_page: u32,
    pub max_pages: u32,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            overall_timeout: Defaults::OVERALL_TIMEOUT,
            max_relists: Defaults::MAX_RELISTS,
            per_page: Defaults::PER_PAGE,
            max_pages: Defaults::MAX_PAGES,
        }
    }
}
