//! The HTTP layer: GitHub's headers, the concurrency bound, the rate-limit gate and reading
//! answers. Every request to GitHub goes through [`Http::send`].

mod answer;

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderValue, IF_NONE_MATCH};
use reqwest::{RequestBuilder, StatusCode};
use runner_monitor_core::SourceError;
use secrecy::SecretString;
use tokio::sync::Semaphore;
use url::Url;

pub(crate) use answer::Answer;

use crate::auth::bearer_header;
use crate::clock::Clock;
use crate::errors::{from_transport, github_message};
use crate::rate_limit::{RateGate, RateLimitStatus, is_rate_limited};

/// GitHub's media type.
const MEDIA_TYPE: &str = "application/vnd.github+json";
/// The REST API version this crate speaks.
const API_VERSION: &str = "2022-11-28";

/// A configured HTTP client for one GitHub API (one credential).
#[derive(Debug)]
pub(crate) struct Http {
    client: reqwest::Client,
    base: Url,
    permits: Semaphore,
    gate: RateGate,
    clock: Arc<dyn Clock>,
    request_timeout: Duration,
}

impl Http {
    pub(crate) fn new(
        client: reqwest::Client,
        base: Url,
        max_concurrent_requests: usize,
        clock: Arc<dyn Clock>,
        request_timeout: Duration,
    ) -> Self {
        Http {
            client,
            base,
            permits: Semaphore::new(max_concurrent_requests),
            gate: RateGate::default(),
            clock,
            request_timeout,
        }
    }

    /// The API's base URL (`https://api.github.com`, `https://HOST/api/v3`, ...).
    pub(crate) fn base(&self) -> &Url {
        &self.base
    }

    /// `base` followed by `segments`, each percent-encoded.
    pub(crate) fn api_url(&self, segments: &[&str]) -> Url {
        let mut url = self.base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        url
    }

    /// The latest rate-limit figures.
    pub(crate) fn rate_limit(&self) -> Option<RateLimitStatus> {
        self.gate.latest()
    }

    fn authorize(&self, request: RequestBuilder, bearer: &SecretString) -> RequestBuilder {
        let request = request
            .header(ACCEPT, MEDIA_TYPE)
            .header("x-github-api-version", API_VERSION)
            .timeout(self.request_timeout);
        match bearer_header(bearer) {
            Some(value) => request.header(AUTHORIZATION, value),
            // Unreachable: configured tokens are checked when the source is built and minted
            // ones when they arrive. Sent without it, GitHub answers 401, which names the cause.
            None => {
                tracing::error!("the bearer token cannot be sent as a header; sending without it");
                request
            }
        }
    }

    /// A GET, conditional on `etag` when given.
    pub(crate) fn get(
        &self,
        url: Url,
        bearer: &SecretString,
        etag: Option<&str>,
    ) -> RequestBuilder {
        let request = self.authorize(self.client.get(url), bearer);
        match etag.and_then(|etag| HeaderValue::from_str(etag).ok()) {
            Some(etag) => request.header(IF_NONE_MATCH, etag),
            None => request,
        }
    }

    /// A POST without a body.
    pub(crate) fn post(&self, url: Url, bearer: &SecretString) -> RequestBuilder {
        self.authorize(self.client.post(url), bearer)
    }

    /// Sends `request` unless the rate-limit gate is closed, holding one of the concurrency
    /// permits; records the rate-limit headers; turns a limited answer into
    /// [`SourceError::RateLimited`] and closes the gate. Other answers are returned as they are.
    ///
    /// # Errors
    /// Rate limited (now or still), or no answer (connection, timeout): `what` says what was
    /// being done.
    pub(crate) async fn send(
        &self,
        request: RequestBuilder,
        what: &str,
    ) -> Result<Answer, SourceError> {
        if let Err(wait) = self.gate.check(self.clock.now()) {
            return Err(SourceError::RateLimited { retry_after: wait });
        }
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| SourceError::Unavailable {
                message: format!("{what}: the source is shutting down"),
            })?;
        // Another request may have hit the limit while this one waited for a permit.
        if let Err(wait) = self.gate.check(self.clock.now()) {
            return Err(SourceError::RateLimited { retry_after: wait });
        }
        let response = request
            .send()
            .await
            .map_err(|error| from_transport(error, what, self.request_timeout))?;
        let answer = Answer::read(response)
            .await
            .map_err(|error| from_transport(error, what, self.request_timeout))?;
        let status = RateLimitStatus::from_headers(&answer.headers);
        metrics::counter!(
            "runner_monitor_github_requests_total",
            "status" => answer.status.as_str().to_owned()
        )
        .increment(1);
        tracing::debug!(
            status = answer.status.as_u16(),
            remaining = status.as_ref().map(|s| s.remaining),
            "{what}"
        );
        if matches!(
            answer.status,
            StatusCode::FORBIDDEN | StatusCode::TOO_MANY_REQUESTS
        ) && is_rate_limited(
            answer.status,
            &answer.headers,
            &github_message(&answer.body),
        ) {
            let wait = self.gate.limited(
                self.clock.now(),
                runner_monitor_http::retry_after(
                    &answer.headers,
                    self.clock.now(),
                    runner_monitor_http::DEFAULT_MAX_RETRY_AFTER,
                ),
                status.as_ref(),
            );
            tracing::warn!(
                status = answer.status.as_u16(),
                wait_seconds = wait.as_secs(),
                "{what}: rate limited by GitHub; sending nothing until the wait is over"
            );
            self.gate.record(status);
            return Err(SourceError::RateLimited { retry_after: wait });
        }
        self.gate.record(status);
        self.gate.answered();
        Ok(answer)
    }
}
