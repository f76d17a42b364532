//! The [`Notifier`] port: where notifications go (Slack, PagerDuty, a webhook, ...).

use std::time::Duration;

use async_trait::async_trait;

use crate::model::{Message, Notification};

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

    /// Sends one message: a single notification or a group (see [`Message`]). Returns one
    /// [`MemberOutcome`] per member, in order, and for a sink that keeps receipts the handle
    /// to remember it by.
    ///
    /// The default sends the members one by one with [`notify`](Self::notify), so a sink that
    /// does not render groups still works; after a failure that carries a retry-after the rest
    /// are not attempted. Sinks that render groups send one request and answer the same outcome
    /// for every member. Receivers deduplicate a group on [`Message::key`].
    ///
    /// # Errors
    /// None of its own: each member's failure is in its outcome.
    async fn send(&self, message: &Message) -> Sent {
        let mut outcomes = Vec::with_capacity(message.members.len());
        let mut waiting = false;
        for member in &message.members {
            if waiting {
                outcomes.push(MemberOutcome::NotAttempted);
                continue;
            }
            match self.notify(member).await {
                Ok(()) => outcomes.push(MemberOutcome::Sent),
                Err(error) => {
                    waiting = error.retry_after().is_some();
                    outcomes.push(MemberOutcome::Failed(error));
                }
            }
        }
        Sent {
            outcomes,
            handle: None,
        }
    }

    /// Whether the dispatcher keeps [`MessageReceipt`](crate::MessageReceipt)s for this sink:
    /// after each successful message with open outages it stores one (with [`Sent::handle`]),
    /// and hands the receipts a message follows up to [`send`](Self::send) in
    /// [`Message::follows`]. Default `false` (no store round trips for receipts).
    fn keeps_receipts(&self) -> bool {
        false
    }
}

/// What became of each member of a [`Message`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MemberOutcome {
    /// The destination accepted it.
    Sent,
    /// It was not delivered.
    Failed(NotifyError),
    /// It was not tried (an earlier member's retry-after asked to wait).
    NotAttempted,
}

/// The answer of [`Notifier::send`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    /// One per member, in order. Missing entries count as [`MemberOutcome::NotAttempted`].
    pub outcomes: Vec<MemberOutcome>,
    /// What to remember the message by, for sinks that keep receipts (`None`: the message key).
    pub handle: Option<String>,
}

impl Sent {
    /// The same outcome for all `members` members (a sink that sends a group in one request).
    pub fn all(members: usize, result: Result<(), NotifyError>) -> Self {
        let outcome = match result {
            Ok(()) => MemberOutcome::Sent,
            Err(error) => MemberOutcome::Failed(error),
        };
        Sent {
            outcomes: vec![outcome; members],
            handle: None,
        }
    }
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
