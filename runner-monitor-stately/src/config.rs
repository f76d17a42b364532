//! [`StatelyConfig`]: where the store is, which schema it speaks, how to authenticate.

use std::collections::BTreeMap;
use std::time::Duration;

use secrecy::SecretString;

use crate::layout::Layout;

/// The schema id of the original TypeScript monitor's store.
pub const ORIGINAL_SCHEMA_ID: u64 = 3_168_601_782_134_171;
/// The schema version this crate's items follow (the original's was 2).
pub const SCHEMA_VERSION: u32 = 3;
/// StatelyDB's endpoint when no region is given.
pub const DEFAULT_ENDPOINT: &str = "https://api.stately.cloud";

/// The endpoint of a region: `us-west-2` (or `aws-us-west-2`) ->
/// `https://us-west-2.aws.api.stately.cloud`; no region -> [`DEFAULT_ENDPOINT`].
///
/// # Examples
/// ```
/// use runner_monitor_stately::endpoint_for_region;
/// assert_eq!(endpoint_for_region(Some("aws-us-west-2")), "https://us-west-2.aws.api.stately.cloud");
/// assert_eq!(endpoint_for_region(Some("us-east-1")), "https://us-east-1.aws.api.stately.cloud");
/// assert_eq!(endpoint_for_region(None), "https://api.stately.cloud");
/// ```
pub fn endpoint_for_region(region: Option<&str>) -> String {
    match region.map(str::trim).filter(|r| !r.is_empty()) {
        None => DEFAULT_ENDPOINT.to_owned(),
        Some(region) => {
            let region = region.strip_prefix("aws-").unwrap_or(region);
            format!("https://{region}.aws.api.stately.cloud")
        }
    }
}

/// How the client authenticates.
#[derive(Debug, Clone, Default)]
pub enum Credentials {
    /// No `Authorization` header: a local data plane or the emulator.
    #[default]
    None,
    /// A StatelyDB access key, exchanged for short-lived tokens with `GetAuthToken`.
    AccessKey(SecretString),
}

/// How retryable failures are retried: exponential backoff with jitter between `min_delay` and
/// `max_delay`, at most `max_attempts` attempts and at most `max_elapsed` of waiting in total.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// First delay. Default 100 ms.
    pub min_delay: Duration,
    /// Largest delay. Default 2 s.
    pub max_delay: Duration,
    /// Attempts in total, the first included. Default 5.
    pub max_attempts: usize,
    /// Upper bound on the time spent waiting between attempts. Default 10 s.
    pub max_elapsed: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            min_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(2),
            max_attempts: 5,
            max_elapsed: Duration::from_secs(10),
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    pub(crate) fn backoff(&self) -> backon::ExponentialBuilder {
        backon::ExponentialBuilder::default()
            .with_min_delay(self.min_delay)
            .with_max_delay(self.max_delay)
            .with_max_times(self.max_attempts.saturating_sub(1))
            .with_total_delay(Some(self.max_elapsed))
            .with_jitter()
    }
}

/// Everything [`StatelyStore`](crate::StatelyStore) and [`StatelyClient`](crate::StatelyClient)
/// need. `Debug` never shows the access key.
///
/// # Examples
/// ```
/// use runner_monitor_stately::{Credentials, StatelyConfig};
/// let config = StatelyConfig::new(4_242)
///     .region("us-west-2")
///     .credentials(Credentials::AccessKey("key".to_owned().into()));
/// assert_eq!(config.endpoint, "https://us-west-2.aws.api.stately.cloud");
/// assert!(!format!("{config:?}").contains("key\""));
/// ```
#[derive(Debug, Clone)]
pub struct StatelyConfig {
    /// Base URL: `https://...` (TLS, HTTP/2 by ALPN) or `http://...` (h2c prior knowledge).
    pub endpoint: String,
    /// The store id.
    pub store_id: u64,
    /// The schema id ([`ORIGINAL_SCHEMA_ID`] for a store shared with the original monitor).
    pub schema_id: u64,
    /// The schema version published with this crate's items ([`SCHEMA_VERSION`]).
    pub schema_version: u32,
    /// How to authenticate.
    pub credentials: Credentials,
    /// Name of the scope index (`/index-:indexId`); monitors sharing a store and an index see
    /// each other's scopes. Default `default`.
    pub index_id: String,
    /// How long resolved outages and settled deliveries are kept (their `expiresAt`). Default
    /// 30 days, as the original.
    pub history_ttl: Duration,
    /// Timeout of one unary or list call. Default 30 s.
    pub request_timeout: Duration,
    /// Timeout of one whole transaction. Default 60 s.
    pub transaction_timeout: Duration,
    /// Page size of list calls. Default 1,000.
    pub page_size: u32,
    /// Puts and deletes per transaction the server accepts. Default 100 (see the README's
    /// real-service checklist). A commit whose history expiry would exceed it deletes the
    /// overflow of expired items after the commit, in batches of this size.
    pub max_transaction_writes: usize,
    /// Retries of retryable failures.
    pub retry: RetryPolicy,
    /// `User-Agent` header.
    pub user_agent: String,
    /// Which group holds a scope ([`Layout`]). Default [`Layout::V3`]; [`Layout::Original`]
    /// reads and writes a store the original TypeScript monitor wrote, in place.
    pub layout: Layout,
    /// Original layout only: organization -> the repository name whose group holds its runners
    /// (where the original stored them). Unmapped organizations get their own group.
    pub org_groups: BTreeMap<String, String>,
}

impl StatelyConfig {
    /// A configuration for `store_id` on the default endpoint, with the original schema id,
    /// schema version [`SCHEMA_VERSION`] and no credentials.
    pub fn new(store_id: u64) -> Self {
        StatelyConfig {
            endpoint: DEFAULT_ENDPOINT.to_owned(),
            store_id,
            schema_id: ORIGINAL_SCHEMA_ID,
            schema_version: SCHEMA_VERSION,
            credentials: Credentials::None,
            index_id: "default".to_owned(),
            history_ttl: Duration::from_secs(30 * 86_400),
            request_timeout: Duration::from_secs(30),
            transaction_timeout: Duration::from_secs(60),
            page_size: 1_000,
            max_transaction_writes: 100,
            retry: RetryPolicy::default(),
            user_agent: concat!("runner-monitor-stately/", env!("CARGO_PKG_VERSION")).to_owned(),
            layout: Layout::V3,
            org_groups: BTreeMap::new(),
        }
    }

    /// Uses the region's endpoint ([`endpoint_for_region`]).
    pub fn region(mut self, region: &str) -> Self {
        self.endpoint = endpoint_for_region(Some(region));
        self
    }

    /// Uses an explicit endpoint (overrides the region), e.g. the emulator's `http://127.0.0.1:PORT`.
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = endpoint.into();
        self
    }

    /// Sets the credentials.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = credentials;
        self
    }

    /// Sets schema id and version.
    pub fn schema(mut self, schema_id: u64, schema_version: u32) -> Self {
        self.schema_id = schema_id;
        self.schema_version = schema_version;
        self
    }

    /// Sets the scope index name.
    pub fn index_id(mut self, index_id: impl Into<String>) -> Self {
        self.index_id = index_id.into();
        self
    }

    /// Sets how long resolved outages and settled deliveries are kept.
    pub fn history_ttl(mut self, ttl: Duration) -> Self {
        self.history_ttl = ttl;
        self
    }

    /// Sets the retry policy.
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Sets the maximum puts and deletes per transaction.
    pub fn max_transaction_writes(mut self, max: usize) -> Self {
        self.max_transaction_writes = max.max(1);
        self
    }

    /// Sets the layout ([`Layout::Original`] to take over the original monitor's store).
    pub fn layout(mut self, layout: Layout) -> Self {
        self.layout = layout;
        self
    }

    /// Original layout: keeps organization `org`'s runners in the group of repository `repo_name`.
    pub fn org_group(mut self, org: impl Into<String>, repo_name: impl Into<String>) -> Self {
        self.org_groups.insert(org.into(), repo_name.into());
        self
    }

    /// Sets the list page size.
    pub fn page_size(mut self, page_size: u32) -> Self {
        self.page_size = page_size;
        self
    }
}
