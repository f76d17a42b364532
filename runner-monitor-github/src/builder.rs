//! [`GitHubSourceBuilder`]: where a [`GitHubSource`] is configured and validated.

use std::sync::Arc;
use std::time::Duration;

use runner_monitor_http::{UrlError, UrlRules, check_url};
use url::Url;

use crate::auth::{Auth, Credentials};
use crate::client::Http;
use crate::clock::{Clock, SystemClock};
use crate::config::{Config, DEFAULT_BASE_URL, Defaults};
use crate::source::GitHubSource;

/// Why a [`GitHubSource`] could not be built. Messages never quote a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// Neither a token nor a GitHub App was configured.
    #[error("no credentials: configure a token or a GitHub App")]
    MissingCredentials,
    /// The token is empty.
    #[error("the GitHub token is empty")]
    EmptyToken,
    /// The token has characters an HTTP header cannot carry (a line break, a control character,
    /// non-ASCII): it could never be sent. The token is not quoted.
    #[error(
        "the GitHub token cannot be sent in an Authorization header: it contains a line break,          a control character or a non-ASCII character (check the secret's value)"
    )]
    InvalidToken,
    /// The base URL is unusable.
    #[error("invalid GitHub API base URL: {reason}")]
    InvalidBaseUrl {
        /// What is wrong with it.
        reason: String,
    },
    /// The GitHub App id is malformed.
    #[error("invalid GitHub App id: {reason}")]
    InvalidAppId {
        /// What is wrong with it.
        reason: String,
    },
    /// The installation id is 0.
    #[error("invalid GitHub App installation id: it must be a positive number")]
    InvalidInstallationId,
    /// The GitHub App private key cannot sign RS256 JWTs.
    #[error(
        "invalid GitHub App private key: {reason} (expected the PEM file GitHub generated, \
         `-----BEGIN RSA PRIVATE KEY-----`, or PKCS#8 `-----BEGIN PRIVATE KEY-----`)"
    )]
    InvalidPrivateKey {
        /// What is wrong with it (the key itself is never quoted).
        reason: String,
    },
    /// A numeric setting is out of range.
    #[error("invalid setting `{setting}`: {reason}")]
    InvalidSetting {
        /// The builder method.
        setting: &'static str,
        /// Why.
        reason: &'static str,
    },
    /// The HTTP client could not be created.
    #[error("cannot create the HTTP client: {reason}")]
    HttpClient {
        /// reqwest's reason.
        reason: String,
    },
}

/// Configures a [`GitHubSource`]. Start with [`GitHubSource::builder`]; only credentials are
/// required.
#[derive(Debug)]
#[must_use]
pub struct GitHubSourceBuilder {
    base_url: String,
    credentials: Option<Credentials>,
    user_agent: String,
    request_timeout: Duration,
    connect_timeout: Duration,
    overall_timeout: Duration,
    max_concurrent_requests: usize,
    max_relists: u32,
    etag_cache_pages: usize,
    token_refresh_margin: Duration,
    clock: Arc<dyn Clock>,
}

impl Default for GitHubSourceBuilder {
    fn default() -> Self {
        GitHubSourceBuilder {
            base_url: DEFAULT_BASE_URL.to_owned(),
            credentials: None,
            user_agent: concat!("runner-monitor/", env!("CARGO_PKG_VERSION")).to_owned(),
            request_timeout: Defaults::REQUEST_TIMEOUT,
            connect_timeout: Defaults::CONNECT_TIMEOUT,
            overall_timeout: Defaults::OVERALL_TIMEOUT,
            max_concurrent_requests: Defaults::MAX_CONCURRENT_REQUESTS,
            max_relists: Defaults::MAX_RELISTS,
            etag_cache_pages: Defaults::ETAG_CACHE_PAGES,
            token_refresh_margin: Defaults::TOKEN_REFRESH_MARGIN,
            clock: Arc::new(SystemClock),
        }
    }
}

impl GitHubSourceBuilder {
    /// The API root: `https://api.github.com` (default), `https://HOST/api/v3` for GitHub
    /// Enterprise Server, or a loopback URL for tests. `http` is accepted for loopback hosts only.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// The credentials (required).
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// The `User-Agent` GitHub requires (default `runner-monitor/VERSION`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Timeout of one HTTP request (default 30 s).
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// Timeout for connecting (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Timeout of a whole `observe` call, every page and re-listing included (default 120 s).
    pub fn overall_timeout(mut self, timeout: Duration) -> Self {
        self.overall_timeout = timeout;
        self
    }

    /// Requests in flight to GitHub at once, across all scopes (default 4).
    pub fn max_concurrent_requests(mut self, limit: usize) -> Self {
        self.max_concurrent_requests = limit;
        self
    }

    /// Re-listings of a scope that shifted while being paged, before
    /// [`SourceError::Incomplete`](runner_monitor_core::SourceError::Incomplete) (default 3).
    pub fn max_relists(mut self, relists: u32) -> Self {
        self.max_relists = relists;
        self
    }

    /// Pages remembered for conditional requests (default 4096; 0 turns them off).
    pub fn etag_cache_pages(mut self, pages: usize) -> Self {
        self.etag_cache_pages = pages;
        self
    }

    /// How long before expiry an App installation token is replaced (default 5 min).
    pub fn token_refresh_margin(mut self, margin: Duration) -> Self {
        self.token_refresh_margin = margin;
        self
    }

    /// The clock for rate-limit waits and token expiry (default the system clock).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Validates everything and builds the source. No request is sent.
    ///
    /// # Errors
    /// [`BuildError`]: missing or malformed credentials (an App's id and key are checked here),
    /// an unusable base URL, a zero limit, or an HTTP client that cannot be created.
    pub fn build(self) -> Result<GitHubSource, BuildError> {
        let base = parse_base_url(&self.base_url)?;
        let setting = |ok: bool, setting, reason| {
            if ok {
                Ok(())
            } else {
                Err(BuildError::InvalidSetting { setting, reason })
            }
        };
        setting(
            self.max_concurrent_requests > 0,
            "max_concurrent_requests",
            "must be at least 1",
        )?;
        setting(
            !self.request_timeout.is_zero(),
            "request_timeout",
            "must be positive",
        )?;
        setting(
            !self.overall_timeout.is_zero(),
            "overall_timeout",
            "must be positive",
        )?;
        setting(
            !self.connect_timeout.is_zero(),
            "connect_timeout",
            "must be positive",
        )?;
        let credentials = self.credentials.ok_or(BuildError::MissingCredentials)?;
        let auth = Auth::new(
            credentials,
            self.token_refresh_margin,
            Arc::clone(&self.clock),
        )?;
        let client = reqwest::Client::builder()
            .user_agent(self.user_agent)
            .connect_timeout(self.connect_timeout)
            .redirect(reqwest::redirect::Policy::limited(5))
            .build()
            .map_err(|error| BuildError::HttpClient {
                reason: error.to_string(),
            })?;
        let http = Http::new(
            client,
            base,
            self.max_concurrent_requests,
            self.clock,
            self.request_timeout,
        );
        let config = Config {
            overall_timeout: self.overall_timeout,
            max_relists: self.max_relists,
            ..Config::default()
        };
        Ok(GitHubSource::new(http, auth, config, self.etag_cache_pages))
    }
}

/// Parses and checks a base URL with the workspace's one rule (`https`, or `http` to a loopback
/// host; no credentials, query or fragment); the URL is never echoed (it could carry a password).
fn parse_base_url(text: &str) -> Result<Url, BuildError> {
    check_url(text, UrlRules::BASE).map_err(|error| BuildError::InvalidBaseUrl {
        reason: match error {
            UrlError::Credentials => {
                "it must not carry credentials; configure a token instead".to_owned()
            }
            other => other.to_string(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls() {
        for ok in [
            "https://api.github.com",
            "https://ghe.example/api/v3",
            "https://ghe.example/api/v3/",
            "http://127.0.0.1:8080",
            "http://localhost:1/api/v3",
            "http://[::1]:99",
        ] {
            assert!(parse_base_url(ok).is_ok(), "{ok}");
        }
        for bad in [
            "api.github.com",
            "http://ghe.example/api/v3",
            "ftp://x.example",
            "https://user:hunter2@ghe.example/api/v3",
            "https://ghe.example/api/v3?x=1",
        ] {
            let error = parse_base_url(bad).expect_err(bad);
            assert!(!error.to_string().contains("hunter2"), "{error}");
        }
    }
}
