//! [`SlackWebApi`]: the bot-token client of Slack's Web API (`chat.postMessage`, `chat.update`,
//! thread replies), for one channel.
//!
//! Answers are classified like every sink's (see [`answer`]): `ratelimited` (HTTP 429 with
//! `Retry-After`) and Slack's own failures are transient; `invalid_auth`, `channel_not_found`,
//! `not_in_channel` and other configuration problems permanent; `message_not_found` on an update
//! or a reply is [`WebApiError::MessageNotFound`], which the caller handles by posting anew. The
//! bot token never appears in `Debug`, errors or logs.

mod answer;
mod payload;

use std::time::{Duration, SystemTime};

use runner_monitor_core::NotifyError;
use runner_monitor_http::{Redactor, UrlRules, check_url, error_chain};
use secrecy::{ExposeSecret, SecretString};

pub use payload::{BotMessage, Tone};

use crate::notifier::{DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT, IDEMPOTENCY_HEADER};

/// Slack's Web API root; methods are `{base}/api/{method}`.
pub const DEFAULT_BASE_URL: &str = "https://slack.com";

/// Longest channel id accepted (Slack's are 9 to 11 characters).
const MAX_CHANNEL_CHARS: usize = 32;

/// A message Slack accepted: where it is, and its `ts`, which identifies it for `chat.update`
/// and as the `thread_ts` of replies. This is the handle a caller stores.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Posted {
    /// The channel id (`C0123ABCD`).
    pub channel: String,
    /// The message's timestamp id (`1700000000.000100`).
    pub ts: String,
}

/// Prefix of a [`Posted`] stored as a receipt handle.
const HANDLE_PREFIX: &str = "slack:";

impl Posted {
    /// The handle to store for it: `slack:<channel>:<ts>`.
    ///
    /// # Examples
    /// ```
    /// use runner_monitor_slack::web_api::Posted;
    ///
    /// let posted = Posted { channel: "C0123ABCD".into(), ts: "1700000000.000100".into() };
    /// assert_eq!(posted.handle(), "slack:C0123ABCD:1700000000.000100");
    /// assert_eq!(Posted::from_handle(&posted.handle()), Some(posted));
    /// assert_eq!(Posted::from_handle("acme/api/runner:x/outage:1/outage_opened"), None);
    /// ```
    pub fn handle(&self) -> String {
        format!("{HANDLE_PREFIX}{}:{}", self.channel, self.ts)
    }

    /// Parses a handle written by [`handle`](Self::handle); `None` for anything else (a
    /// receipt written before bot mode, or by another sink).
    pub fn from_handle(handle: &str) -> Option<Self> {
        let (channel, ts) = handle.strip_prefix(HANDLE_PREFIX)?.split_once(':')?;
        let valid_channel = !channel.is_empty()
            && channel.len() <= MAX_CHANNEL_CHARS
            && channel.chars().all(|c| c.is_ascii_alphanumeric());
        let valid_ts = !ts.is_empty() && ts.chars().all(|c| c.is_ascii_digit() || c == '.');
        (valid_channel && valid_ts).then(|| Posted {
            channel: channel.to_owned(),
            ts: ts.to_owned(),
        })
    }
}

/// Why a Web API call failed. Messages never contain the bot token.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum WebApiError {
    /// `message_not_found` (or `thread_not_found`): the message to update or reply to was
    /// deleted. Post a new message instead.
    #[error("{message}")]
    MessageNotFound {
        /// Details, free of secrets.
        message: String,
    },
    /// Any other failure, classified like every sink's (transient with `retry_after`, or
    /// permanent).
    #[error(transparent)]
    Notify(#[from] NotifyError),
}

impl WebApiError {
    /// Whether a retry of the same call can help.
    pub fn is_retryable(&self) -> bool {
        matches!(self, WebApiError::Notify(error) if error.is_retryable())
    }

    /// The wait Slack asked for.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            WebApiError::Notify(error) => error.retry_after(),
            WebApiError::MessageNotFound { .. } => None,
        }
    }
}

impl From<WebApiError> for NotifyError {
    /// A missing message is permanent for the call that needed it.
    fn from(error: WebApiError) -> Self {
        match error {
            WebApiError::Notify(error) => error,
            WebApiError::MessageNotFound { message } => NotifyError::permanent(message),
        }
    }
}

/// Why a [`SlackWebApi`] could not be built. Never contains the token or the channel.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WebApiConfigError {
    /// The bot token is empty or not usable in an HTTP header.
    #[error("invalid Slack bot token: {reason}")]
    InvalidToken {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The channel is not a Slack channel id.
    #[error("invalid Slack channel id: {reason}")]
    InvalidChannel {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The base URL is not an absolute `https` URL (or `http` to loopback).
    #[error("invalid Slack API URL: {reason}")]
    InvalidBaseUrl {
        /// What is wrong with it.
        reason: String,
    },
    /// The HTTP client could not be created.
    #[error("could not create the HTTP client: {0}")]
    Client(String),
}

/// Builds a [`SlackWebApi`]; see [`SlackWebApi::builder`].
pub struct SlackWebApiBuilder {
    token: SecretString,
    channel: SecretString,
    base_url: String,
    timeout: Duration,
    connect_timeout: Duration,
}

impl std::fmt::Debug for SlackWebApiBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SlackWebApiBuilder")
            .field("token", &"[redacted]")
            .field("channel", &"[redacted]")
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl SlackWebApiBuilder {
    /// The API root (default `https://slack.com`; tests point it at the fake).
    #[must_use]
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// Time allowed for a whole call (default 10 s).
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Time allowed to connect (default 5 s, never more than the call timeout).
    #[must_use]
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The client.
    ///
    /// # Errors
    /// [`WebApiConfigError`] for an empty or malformed token or channel id, a base URL that is
    /// not `https` (plain `http` only to loopback), or an HTTP client that cannot be created.
    pub fn build(self) -> Result<SlackWebApi, WebApiConfigError> {
        let token = self.token.expose_secret().trim();
        if token.is_empty() {
            return Err(WebApiConfigError::InvalidToken {
                reason: "it is empty",
            });
        }
        if !token.chars().all(|c| c.is_ascii_graphic()) {
            return Err(WebApiConfigError::InvalidToken {
                reason: "it contains spaces or characters a header cannot carry",
            });
        }
        let channel = self.channel.expose_secret().trim().to_owned();
        if channel.is_empty() {
            return Err(WebApiConfigError::InvalidChannel {
                reason: "it is empty",
            });
        }
        if channel.len() > MAX_CHANNEL_CHARS || !channel.chars().all(|c| c.is_ascii_alphanumeric())
        {
            return Err(WebApiConfigError::InvalidChannel {
                reason: "expected an id such as C0123ABCD (channel details -> About -> Channel ID), not a #name",
            });
        }
        let mut base = check_url(&self.base_url, UrlRules::BASE).map_err(|error| {
            WebApiConfigError::InvalidBaseUrl {
                reason: error.to_string(),
            }
        })?;
        // `join` replaces a last segment without a slash: `https://proxy/slack` + `api/...`.
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        let mut redactor = Redactor::default();
        redactor.add(&self.token);
        redactor.add_str(token);
        let client = reqwest::Client::builder()
            .timeout(self.timeout)
            .connect_timeout(self.connect_timeout.min(self.timeout))
            // A redirect would carry the bearer token elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("runner-monitor-slack/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| WebApiConfigError::Client(error_chain(&e.without_url())))?;
        Ok(SlackWebApi {
            client,
            base,
            authorization: SecretString::from(format!("Bearer {token}")),
            channel,
            redactor,
            timeout: self.timeout,
        })
    }
}

/// A Slack Web API client posting as a bot to one channel.
///
/// # Examples
/// ```
/// use runner_monitor_slack::web_api::SlackWebApi;
/// use secrecy::SecretString;
///
/// let api = SlackWebApi::builder(
///     SecretString::from("xoxb-0000-secret-token"),
///     SecretString::from("C0123ABCD"),
/// )
/// .build()?;
/// assert!(!format!("{api:?}").contains("secret-token"));
/// # Ok::<(), runner_monitor_slack::web_api::WebApiConfigError>(())
/// ```
pub struct SlackWebApi {
    client: reqwest::Client,
    base: reqwest::Url,
    /// `Bearer <token>`: only ever given to reqwest as a sensitive header.
    authorization: SecretString,
    channel: String,
    redactor: Redactor,
    timeout: Duration,
}

impl std::fmt::Debug for SlackWebApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SlackWebApi")
            .field("base_url", &self.base.as_str())
            .field("token", &"[redacted]")
            .field("channel", &"[redacted]")
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl SlackWebApi {
    /// A builder for a client posting with `token` (a bot token, `xoxb-...`) to `channel` (a
    /// channel id). Both are secret references in the host config.
    pub fn builder(token: SecretString, channel: SecretString) -> SlackWebApiBuilder {
        SlackWebApiBuilder {
            token,
            channel,
            base_url: DEFAULT_BASE_URL.to_owned(),
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
        }
    }

    /// The configured channel id.
    pub fn channel(&self) -> &str {
        &self.channel
    }

    /// Posts a new message to the configured channel (`chat.postMessage`).
    ///
    /// # Errors
    /// [`WebApiError::Notify`], classified (see the module documentation).
    pub async fn post(
        &self,
        message: &BotMessage,
        idempotency_key: &str,
    ) -> Result<Posted, WebApiError> {
        let body = message.post_payload(&self.channel, None);
        self.call("chat.postMessage", &body, idempotency_key).await
    }

    /// Replaces the message `ts` in `channel` (`chat.update`), e.g. red -> green on recovery.
    ///
    /// # Errors
    /// [`WebApiError::MessageNotFound`] when the message was deleted (post anew); else
    /// [`WebApiError::Notify`].
    pub async fn update(
        &self,
        channel: &str,
        ts: &str,
        message: &BotMessage,
        idempotency_key: &str,
    ) -> Result<Posted, WebApiError> {
        let body = message.update_payload(channel, ts);
        self.call("chat.update", &body, idempotency_key).await
    }

    /// Replaces the message `ts` in `channel` with `message` as given: the `text`, `blocks`
    /// and `attachments` of a message Slack sent back (e.g. the clicked alert of a button
    /// payload, after [`after_click`](crate::interactions::after_click)). Other keys are
    /// ignored.
    ///
    /// # Errors
    /// As for [`update`](Self::update).
    pub async fn replace(
        &self,
        channel: &str,
        ts: &str,
        message: &serde_json::Value,
        idempotency_key: &str,
    ) -> Result<Posted, WebApiError> {
        let mut body = serde_json::Map::new();
        for key in ["text", "blocks", "attachments"] {
            if let Some(value) = message.get(key) {
                body.insert(key.to_owned(), value.clone());
            }
        }
        body.insert("channel".to_owned(), channel.into());
        body.insert("ts".to_owned(), ts.into());
        self.call(
            "chat.update",
            &serde_json::Value::Object(body),
            idempotency_key,
        )
        .await
    }

    /// Posts `message` as a reply in the thread of `thread_ts` in `channel`.
    ///
    /// # Errors
    /// [`WebApiError::MessageNotFound`] when the thread's parent is gone (post anew); else
    /// [`WebApiError::Notify`].
    pub async fn reply(
        &self,
        channel: &str,
        thread_ts: &str,
        message: &BotMessage,
        idempotency_key: &str,
    ) -> Result<Posted, WebApiError> {
        let body = message.post_payload(channel, Some(thread_ts));
        self.call("chat.postMessage", &body, idempotency_key).await
    }

    async fn call(
        &self,
        method: &str,
        body: &serde_json::Value,
        idempotency_key: &str,
    ) -> Result<Posted, WebApiError> {
        let url = self
            .base
            .join(&format!("api/{method}"))
            .map_err(|_| NotifyError::permanent(format!("cannot build the URL of {method}")))?;
        let mut authorization = http::HeaderValue::from_str(self.authorization.expose_secret())
            .map_err(|_| {
                NotifyError::permanent("the Slack bot token cannot be sent in a header")
            })?;
        authorization.set_sensitive(true);
        let response = self
            .client
            .post(url)
            .header(http::header::AUTHORIZATION, authorization)
            .header(IDEMPOTENCY_HEADER, idempotency_key)
            .json(body)
            .send()
            .await
            .map_err(|e| self.transport_error(method, e))?;
        let status = response.status();
        let headers = response.headers().clone();
        let text = response
            .text()
            .await
            .map_err(|e| self.transport_error(method, e))?;
        answer::classify(
            method,
            status,
            &headers,
            &text,
            SystemTime::now(),
            &self.redactor,
        )
    }

    /// A transient error for a failed request, without URL or token.
    fn transport_error(&self, method: &str, error: reqwest::Error) -> WebApiError {
        let what = if error.is_timeout() {
            format!(
                "Slack did not answer {method} within {}s",
                self.timeout.as_secs_f64()
            )
        } else if error.is_connect() {
            format!("could not connect to Slack for {method}")
        } else {
            format!("{method} request to Slack failed")
        };
        let detail = error_chain(&error.without_url());
        WebApiError::Notify(NotifyError::transient(
            self.redactor.apply(&format!("{what}: {detail}")),
        ))
    }
}
