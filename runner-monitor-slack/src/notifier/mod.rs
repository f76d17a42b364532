//! [`SlackNotifier`]: posts each notification to a Slack incoming webhook.

mod answer;

use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use runner_monitor_core::{Message, Notification, Notifier, NotifyError, Sent};
use runner_monitor_http::{Redactor, UrlRules, check_url, error_chain};
use secrecy::{ExposeSecret, SecretString};

use crate::messages;

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
    /// The webhook URL is not an absolute `https` URL (or `http` to a loopback host) without
    /// user info and query. The URL itself is never quoted.
    #[error("invalid Slack webhook URL: {reason}")]
    InvalidWebhookUrl {
        /// What is wrong with it.
        reason: String,
    },
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
    /// [`SlackConfigError::InvalidWebhookUrl`] for a URL that is not absolute `https` (plain
    /// `http` is accepted for loopback hosts only: tests, a local relay);
    /// [`SlackConfigError::Client`] if the HTTP client cannot be created.
    pub fn build(self) -> Result<SlackNotifier, SlackConfigError> {
        let url = check_url(self.webhook_url.expose_secret(), UrlRules::BASE).map_err(|error| {
            SlackConfigError::InvalidWebhookUrl {
                reason: error.to_string(),
            }
        })?;
        let mut redactor = Redactor::for_url(&url);
        redactor.add(&self.webhook_url);
        let client = reqwest::Client::builder()
            .timeout(self.timeout)
            .connect_timeout(self.connect_timeout.min(self.timeout))
            // A redirect would be a misconfiguration, and following it could send the message
            // somewhere else.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("runner-monitor-slack/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| SlackConfigError::Client(error_chain(&e.without_url())))?;
        Ok(SlackNotifier {
            client,
            url,
            redactor,
            timeout: self.timeout,
        })
    }
}

/// A [`Notifier`] posting one Block Kit message per notification (see [`messages::render`]) to
/// a Slack incoming webhook.
///
/// - The message carries the notification's idempotency key in its footer, and the post carries
///   it in the `X-Idempotency-Key` header.
/// - `200 ok` is success; 429 is transient with Slack's `Retry-After` (60 s without one); other
///   4xx are permanent
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
    /// The webhook URL, a credential: only ever given to reqwest, never formatted.
    url: reqwest::Url,
    redactor: Redactor,
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
        let response = self
            .client
            .post(self.url.clone())
            .header(IDEMPOTENCY_HEADER, idempotency_key)
            .json(message)
            .send()
            .await
            .map_err(|e| self.transport_error(e))?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.text().await.map_err(|e| self.transport_error(e))?;
        answer::classify(status, &headers, &body, SystemTime::now(), &self.redactor)
    }

    /// A transient [`NotifyError`] for a failed request (timeout, connection failure, broken
    /// answer), described without the URL.
    fn transport_error(&self, error: reqwest::Error) -> NotifyError {
        let what = if error.is_timeout() {
            format!(
                "Slack did not answer within {}s",
                self.timeout.as_secs_f64()
            )
        } else if error.is_connect() {
            "could not connect to Slack".to_owned()
        } else {
            "request to Slack failed".to_owned()
        };
        let detail = error_chain(&error.without_url());
        NotifyError::transient(self.redactor.apply(&format!("{what}: {detail}")))
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

    /// One post per message: a group is rendered as one Slack message (see
    /// [`messages::render_group`]) and carries the group's key as its idempotency key.
    async fn send(&self, message: &Message) -> Sent {
        let rendered = messages::render_message(message).to_json();
        let result = self.post(&rendered, &message.key).await;
        match &result {
            Ok(()) => {
                tracing::debug!(key = %message.key, members = message.members.len(), "slack message delivered")
            }
            Err(error) => tracing::warn!(key = %message.key, %error, "slack message not delivered"),
        }
        Sent::all(message.members.len(), result)
    }
}
