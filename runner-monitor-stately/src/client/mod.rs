//! [`StatelyClient`]: StatelyDB's data API (Put, Get, Delete, BeginList, ContinueList,
//! Transaction) with authentication, retries and call counters.

mod calls;
mod transaction;

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use backon::Retryable as _;
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue};

pub use calls::{ListOptions, ListPage};
pub use transaction::Transaction;

use crate::auth::{Token, TokenSource};
use crate::config::{Credentials, RetryPolicy, StatelyConfig};
use crate::connect::http_client;
use crate::error::ClientError;

/// Calls made by a [`StatelyClient`] (and its clones) so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClientStats {
    /// Request/response exchanges with the database: one per unary call, per list page, and per
    /// answered transaction message (`begin` travels with the first command). Token fetches and
    /// retried attempts are included.
    pub round_trips: u64,
    /// Write operations: unary Put and Delete calls, and committed transactions that wrote.
    pub writes: u64,
    /// Transactions started.
    pub transactions: u64,
    /// Attempts repeated after a retryable failure.
    pub retries: u64,
    /// `GetAuthToken` calls.
    pub token_fetches: u64,
}

#[derive(Debug, Default)]
struct Counters {
    round_trips: AtomicU64,
    writes: AtomicU64,
    transactions: AtomicU64,
    retries: AtomicU64,
}

#[derive(Debug)]
struct Inner {
    http: reqwest::Client,
    endpoint: String,
    store_id: u64,
    schema_id: u64,
    schema_version: u32,
    timeout: Duration,
    transaction_timeout: Duration,
    page_size: u32,
    retry: RetryPolicy,
    store_header: HeaderValue,
    auth: TokenSource,
    counters: Counters,
}

/// A StatelyDB client over the Connect protocol. Cheap to clone (clones share connections, the
/// token and the counters). `Debug` never shows credentials.
#[derive(Debug, Clone)]
pub struct StatelyClient {
    inner: Arc<Inner>,
}

impl StatelyClient {
    /// A client for `config`.
    ///
    /// # Errors
    /// [`ClientError::Config`] for an endpoint that is not `http://` or `https://`, or a zero
    /// schema version.
    pub fn new(config: &StatelyConfig) -> Result<Self, ClientError> {
        if config.schema_version == 0 {
            return Err(ClientError::Config(
                "schema_version must be non-zero".to_owned(),
            ));
        }
        let endpoint = config.endpoint.trim_end_matches('/').to_owned();
        let http = http_client(&endpoint, &config.user_agent)?;
        let key = match &config.credentials {
            Credentials::None => None,
            Credentials::AccessKey(key) => Some(key.clone()),
        };
        let auth = TokenSource::new(
            key,
            http.clone(),
            &endpoint,
            HeaderMap::new(),
            config.request_timeout,
            config.retry,
        );
        Ok(StatelyClient {
            inner: Arc::new(Inner {
                http,
                endpoint,
                store_id: config.store_id,
                schema_id: config.schema_id,
                schema_version: config.schema_version,
                timeout: config.request_timeout,
                transaction_timeout: config.transaction_timeout,
                page_size: config.page_size.max(1),
                retry: config.retry,
                store_header: HeaderValue::from(config.store_id),
                auth,
                counters: Counters::default(),
            }),
        })
    }

    /// Counters of the calls made so far.
    pub fn stats(&self) -> ClientStats {
        let c = &self.inner.counters;
        ClientStats {
            round_trips: c.round_trips.load(Ordering::Relaxed) + self.inner.auth.fetches(),
            writes: c.writes.load(Ordering::Relaxed),
            transactions: c.transactions.load(Ordering::Relaxed),
            retries: c.retries.load(Ordering::Relaxed),
            token_fetches: self.inner.auth.fetches(),
        }
    }

    /// The list page size in force.
    pub fn page_size(&self) -> u32 {
        self.inner.page_size
    }

    fn url(&self, method: &str) -> String {
        format!(
            "{}/stately.db.DatabaseService/{method}",
            self.inner.endpoint
        )
    }

    fn headers(&self, token: &Token) -> Result<HeaderMap, ClientError> {
        let mut headers = HeaderMap::new();
        headers.insert("x-stately-storeid", self.inner.store_header.clone());
        if let Some(bearer) = token.bearer() {
            let mut value = HeaderValue::from_str(&format!("Bearer {bearer}")).map_err(|_| {
                ClientError::Protocol("the auth token is not a valid header value".to_owned())
            })?;
            value.set_sensitive(true);
            headers.insert(AUTHORIZATION, value);
        }
        Ok(headers)
    }

    fn count_round_trip(&self) {
        self.inner
            .counters
            .round_trips
            .fetch_add(1, Ordering::Relaxed);
    }

    fn count_write(&self) {
        self.inner.counters.writes.fetch_add(1, Ordering::Relaxed);
    }

    /// Runs `op` with auth headers: on a 401 with an access key, refreshes the token once and
    /// runs it once more; retryable failures are retried with backoff within the retry policy.
    async fn run<T, F, Fut>(&self, op: F) -> Result<T, ClientError>
    where
        F: Fn(HeaderMap) -> Fut,
        Fut: Future<Output = Result<T, ClientError>>,
    {
        let attempt = || async {
            let token = self.inner.auth.token().await?;
            match op(self.headers(&token)?).await {
                Err(error) if error.is_unauthenticated() && self.inner.auth.uses_key() => {
                    tracing::debug!("StatelyDB rejected the token; refreshing it once");
                    self.inner.auth.invalidate(&token).await;
                    let token = self.inner.auth.token().await?;
                    op(self.headers(&token)?).await
                }
                other => other,
            }
        };
        attempt
            .retry(self.inner.retry.backoff())
            .when(ClientError::is_retryable)
            .notify(|error, delay| {
                self.inner.counters.retries.fetch_add(1, Ordering::Relaxed);
                tracing::debug!(%error, ?delay, "StatelyDB call failed; retrying");
            })
            .await
    }
}
