//! Authentication: an access key is exchanged for a short-lived bearer token with
//! `GetAuthToken`. One fetch at a time (concurrent callers wait for and share it), refreshed at
//! 90% of its lifetime, invalidated when a call using it gets a 401.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use backon::Retryable as _;
use reqwest::header::HeaderMap;
use secrecy::{ExposeSecret as _, SecretString};
use tokio::sync::Mutex;

use crate::config::RetryPolicy;
use crate::connect::errors::Code;
use crate::connect::unary;
use crate::error::ClientError;
use crate::proto::auth::{GetAuthTokenRequest, GetAuthTokenResponse, get_auth_token_request};

/// Path of the token call under the endpoint.
pub(crate) const GET_AUTH_TOKEN_PATH: &str = "/stately.auth.AuthService/GetAuthToken";

/// When a token that lives `expires_in` should be replaced: at 90% of its lifetime.
pub(crate) fn refresh_after(expires_in: Duration) -> Duration {
    expires_in.mul_f64(0.9)
}

/// A token to put in `Authorization`, or none (no-auth mode).
#[derive(Clone)]
pub(crate) struct Token {
    value: Option<SecretString>,
    generation: u64,
}

impl Token {
    /// The bearer token, if any.
    pub(crate) fn bearer(&self) -> Option<&str> {
        self.value.as_ref().map(|v| v.expose_secret())
    }
}

struct Cached {
    token: SecretString,
    refresh_at: Instant,
    generation: u64,
}

/// Hands out tokens; see the module docs.
pub(crate) struct TokenSource {
    key: Option<SecretString>,
    http: reqwest::Client,
    url: String,
    headers: HeaderMap,
    timeout: Duration,
    retry: RetryPolicy,
    cached: Mutex<Option<Cached>>,
    generations: AtomicU64,
    fetches: AtomicU64,
}

impl std::fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSource")
            .field("access_key", &self.key.as_ref().map(|_| "[REDACTED]"))
            .field("url", &self.url)
            .field("fetches", &self.fetches.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl TokenSource {
    pub(crate) fn new(
        key: Option<SecretString>,
        http: reqwest::Client,
        endpoint: &str,
        headers: HeaderMap,
        timeout: Duration,
        retry: RetryPolicy,
    ) -> Self {
        TokenSource {
            key,
            http,
            url: format!("{}{GET_AUTH_TOKEN_PATH}", endpoint.trim_end_matches('/')),
            headers,
            timeout,
            retry,
            cached: Mutex::new(None),
            generations: AtomicU64::new(0),
            fetches: AtomicU64::new(0),
        }
    }

    /// Whether tokens come from an access key (so a 401 is worth a refresh).
    pub(crate) fn uses_key(&self) -> bool {
        self.key.is_some()
    }

    /// `GetAuthToken` calls made so far.
    pub(crate) fn fetches(&self) -> u64 {
        self.fetches.load(Ordering::Relaxed)
    }

    /// A valid token: the shared one, or a fresh one if it is due for refresh.
    ///
    /// # Errors
    /// The token call's error once retries are exhausted (never containing the key).
    pub(crate) async fn token(&self) -> Result<Token, ClientError> {
        let Some(key) = &self.key else {
            return Ok(Token {
                value: None,
                generation: 0,
            });
        };
        // Holding the lock across the fetch makes concurrent callers wait for this one fetch.
        let mut cached = self.cached.lock().await;
        if let Some(current) = cached.as_ref().filter(|c| Instant::now() < c.refresh_at) {
            return Ok(Token {
                value: Some(current.token.clone()),
                generation: current.generation,
            });
        }
        let started = Instant::now();
        let response = self.fetch(key).await?;
        let generation = self.generations.fetch_add(1, Ordering::Relaxed) + 1;
        let token = SecretString::from(response.auth_token);
        *cached = Some(Cached {
            token: token.clone(),
            refresh_at: started + refresh_after(Duration::from_secs(response.expires_in_s)),
            generation,
        });
        Ok(Token {
            value: Some(token),
            generation,
        })
    }

    /// Drops `token` if it is still the shared one (a call using it got a 401), so the next
    /// [`token`](Self::token) fetches a new one. Concurrent callers that saw the same 401 cause
    /// one fetch, not one each.
    pub(crate) async fn invalidate(&self, token: &Token) {
        let mut cached = self.cached.lock().await;
        if cached
            .as_ref()
            .is_some_and(|c| c.generation == token.generation)
        {
            *cached = None;
        }
    }

    async fn fetch(&self, key: &SecretString) -> Result<GetAuthTokenResponse, ClientError> {
        let attempt = || async {
            self.fetches.fetch_add(1, Ordering::Relaxed);
            let request = GetAuthTokenRequest {
                identity: Some(get_auth_token_request::Identity::AccessKey(
                    key.expose_secret().to_owned(),
                )),
            };
            let response: Result<GetAuthTokenResponse, ClientError> = unary::call(
                &self.http,
                &self.url,
                self.headers.clone(),
                self.timeout,
                &request,
            )
            .await;
            response.map_err(|e| e.scrub(key.expose_secret()))
        };
        attempt
            .retry(self.retry.backoff())
            .when(|error: &ClientError| {
                !matches!(
                    error.code(),
                    Some(
                        Code::Unauthenticated
                            | Code::PermissionDenied
                            | Code::NotFound
                            | Code::InvalidArgument
                    )
                ) && !matches!(error, ClientError::Config(_))
            })
            .notify(|error, delay| {
                tracing::debug!(%error, ?delay, "StatelyDB token fetch failed; retrying");
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refreshes_at_ninety_percent() {
        assert_eq!(
            refresh_after(Duration::from_secs(3600)),
            Duration::from_secs(3240)
        );
        assert_eq!(
            refresh_after(Duration::from_secs(10)),
            Duration::from_secs(9)
        );
        assert_eq!(refresh_after(Duration::ZERO), Duration::ZERO);
    }

    #[test]
    fn debug_hides_the_key() {
        let source = TokenSource::new(
            Some(SecretString::from("sk-very-secret")),
            reqwest::Client::new(),
            "http://127.0.0.1:1",
            HeaderMap::new(),
            Duration::from_secs(1),
            RetryPolicy::none(),
        );
        let debug = format!("{source:?}");
        assert!(!debug.contains("sk-very-secret"), "{debug}");
        assert!(debug.contains("REDACTED"));
        let request = GetAuthTokenRequest {
            identity: Some(get_auth_token_request::Identity::AccessKey(
                "sk-very-secret".into(),
            )),
        };
        assert!(!format!("{request:?}").contains("sk-very-secret"));
    }
}
