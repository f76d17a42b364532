//! The [`Notifier`] port: where notifications go (Slack, PagerDuty, a webhook, ...).

use std::time::Duration;

use async_trait::async_trait;

use crate::model::Notification;

/// Delivers notifications to one destination.
///
/// # Contract
/// - `notify` returns `Ok(())` only when the destination accepted the notification.
/// - A failure says whether a retry can help ([`NotifyError::is_retryable`]) and may say when
///   ([`NotifyError::retry_after`]). Configuration problems (revoked webhook, bad routing key,
///   rejected payload) are permanent: retrying them forever helps nobody.
/// - The same notification MAY be delivered more than once (at-least-once delivery); receivers
///   deduplicate on [`Notification::idempotency_key`], which implementations SHOULD pass on.
/// - Errors MUST NOT carry secrets (a Slack webhook URL is a secret).
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait Notifier: Send + Sync + std::fmt::Debug {
    /// Sends one notification.
    ///
    /// # Errors
    /// A [`NotifyError`] saying whether to retry.
    async fn notify(&self, notification: &Notification) -> Result<(), NotifyError>;
}

/// Why a notification was not delivered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NotifyError {
    /// May succeed later (5xx, timeout, connection error, 429).
    #[error("temporary failure: {message}")]
    Transient {
        /// Details, free of secrets.
        message: String,
        /// The destination's own advice on when to retry (e.g. `Retry-After`).
        retry_after: Option<Duration>,
    },
    /// Will not succeed without a configuration change (4xx other than 429).
    #[error("permanent failure: {message}")]
    Permanent {
        /// Details, free of secrets (e.g. Slack's `channel_not_found`).
        message: String,
    },
}

impl NotifyError {
    /// A transient failure without retry advice.
    pub fn transient(message: impl Into<String>) -> Self {
        NotifyError::Transient {
            message: message.into(),
            retry_after: None,
        }
    }

    /// A permanent failure.
    pub fn permanent(message: impl Into<String>) -> Self {
        NotifyError::Permanent {
            message: message.into(),
        }
    }

    /// Whether a retry can help.
    pub fn is_retryable(&self) -> bool {
        matches!(self, NotifyError::Transient { .. })
    }

    /// The destination's advice on when to retry.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            NotifyError::Transient { retry_after, .. } => *retry_after,
            NotifyError::Permanent { .. } => None,
        }
    }
}
