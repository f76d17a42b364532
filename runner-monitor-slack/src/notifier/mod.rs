//! [`SlackNotifier`]: posts each notification to a Slack incoming webhook.

mod classify;
mod redact;

use std::time::Duration;

use async_trait::async_trait;
use runner_monitor_core::{Notification, Notifier, NotifyError};
use secrecy::{ExposeSecret, SecretString};

use crate::messages;

pub use classify::classify_response;

/// The header carrying [`Notification::idempotency_key`] with every post.
pub const IDEMPOTENCY_HEADER: &str = "x-idempotency-key";

/// Default time for a whole request (connect, send, answer).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default time to establish a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Why a [`SlackNotifier`] could not be built. Never contains the webhook URL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SlackConfigError {
    /// The webhook URL is not an absolute `http` or `https` URL.
    #[error("the Slack webhook URL is not a valid http(s) URL")]
    InvalidWebhookUrl,
    /// The HTTP client could not be created.
    #[error("could not create the HTTP client: {0}")]
    Client(String),
}

/// Builds a [`SlackNotifier`]; see [`SlackNotifier::builder`].
pub struct SlackNotifierBuilder {
    webhook_url: SecretString,
    timeout: Duration,
    connect_timeout: Duration,
}

impl std::fmt::Debug for SlackNotifierBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SlackNotifierBuilder")
            .field("webhook_url", &"[redacted]")
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .finish()
    }
}

impl SlackNotifierBuilder {
    /// Time allowed for a whole request (default 10 s). A request that takes longer fails as
    /// transient.
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Time allowed to connect (default 5 s, never more than the request timeout).
    #[must_use]
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The notifier.
    ///
    /// # Errors
    /// [`SlackConfigError::InvalidWebhookUrl`] for a URL that is not absolute http(s);
    /// [`SlackConfigError::Client`] if the HTTP client cannot be created.
    pub fn build(self) -> Result<SlackNotifier, SlackConfigError> {
        let url = reqwest::Url::parse(self.webhook_url.expose_secret())
            .map_err(|_| SlackConfigError::InvalidWebhookUrl)?;
        if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
            return Err(SlackConfigError::InvalidWebhookUrl);
        }
        let client = reqwest::Client::builder()
            .timeout(self.timeout)
            .connect_timeout(self.connect_timeout.min(self.timeout))
            // A redirect would be a misconfiguration, and following it could send the message
            // somewhere else.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("runner-monitor-slack/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| SlackConfigError::Client(redact::describe(&e.without_url(), "")))?;
        Ok(SlackNotifier {
            client,
            webhook_url: self.webhook_url,
            timeout: self.timeout,
        })
    }
}

/// A [`Notifier`] posting one Block Kit message per notification (see [`messages::render`]) to
/// a Slack incoming webhook.
///
/// - The message carries the notification's idempotency key in its footer, and the post carries
///   it in the `X-Idempotency-Key` header.
/// - `200 ok` is success; 429 is transient with Slack's `Retry-After`; other 4xx are permanent
///   and carry Slack's error string (`invalid_payload`, `channel_not_found`, `no_service`...);
///   5xx, timeouts and connection errors are transient.
/// - The webhook URL is a credential: it never appears in errors, logs or `Debug`.
///
/// # Examples
/// ```
/// use runner_monitor_slack::SlackNotifier;
/// use secrecy::SecretString;
/// use std::time::Duration;
///
/// let notifier = SlackNotifier::builder(SecretString::from(
///     "https://hooks.slack.com/services/T000/B000/XXXXXXXX",
/// ))
/// .timeout(Duration::from_secs(5))
/// .build()?;
/// assert!(!format!("{notifier:?}").contains("XXXXXXXX"));
/// # Ok::<(), runner_monitor_slack::SlackConfigError>(())
/// ```
pub struct SlackNotifier {
    client: reqwest::Client,
    webhook_url: SecretString,
    timeout: Duration,
}

impl std::fmt::Debug for SlackNotifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SlackNotifier")
            .field("webhook_url", &"[redacted]")
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl SlackNotifier {
    /// A builder for the webhook at `webhook_url` (tests point it at loopback).
    pub fn builder(webhook_url: SecretString) -> SlackNotifierBuilder {
        SlackNotifierBuilder {
            webhook_url,
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
        }
    }

    /// A notifier for `webhook_url` with the default timeouts.
    ///
    /// # Errors
    /// As for [`SlackNotifierBuilder::build`].
    pub fn new(webhook_url: SecretString) -> Result<Self, SlackConfigError> {
        Self::builder(webhook_url).build()
    }

    /// Posts an already rendered message (JSON) with an idempotency key.
    ///
    /// # Errors
    /// As for [`Notifier::notify`].
    pub async fn post(
        &self,
        message: &serde_json::Value,
        idempotency_key: &str,
    ) -> Result<(), NotifyError> {
        let secret = self.webhook_url.expose_secret();
        let response = self
            .client
            .post(secret)
            .header(IDEMPOTENCY_HEADER, idempotency_key)
            .json(message)
            .send()
            .await
            .map_err(|e| redact::transport_error(e, self.timeout, secret))?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = response
            .text()
            .await
            .map_err(|e| redact::transport_error(e, self.timeout, secret))?;
        classify_response(
            status,
            retry_after.as_deref(),
            &redact::scrub(&body, secret),
        )
    }
}

#[async_trait]
impl Notifier for SlackNotifier {
    async fn notify(&self, notification: &Notification) -> Result<(), NotifyError> {
        let message = messages::render(notification).to_json();
        let key = notification.idempotency_key();
        let result = self.post(&message, &key).await;
        match &result {
            Ok(()) => tracing::debug!(key = %key, "slack message delivered"),
            Err(error) => tracing::warn!(key = %key, %error, "slack message not delivered"),
        }
        result
    }
}
