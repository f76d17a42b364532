//! [`SlackBotNotifier`]: the bot-token mode of the Slack sink.

mod follow_up;

use async_trait::async_trait;
use runner_monitor_core::{Message, Notification, Notifier, NotifyError, Sent};

use crate::messages::bot;
use crate::web_api::{Posted, SlackWebApi, WebApiError};

/// A [`Notifier`] keeping one living message per incident in the configured channel: the alert
/// is posted with `chat.postMessage` (red), reminders and recoveries are replied in its thread,
/// and the recovery that ends it turns it green with `chat.update`. The dispatcher stores each
/// alert's [`Posted`] handle in a [`MessageReceipt`](runner_monitor_core::MessageReceipt) (every
/// store) and hands it back with the follow-ups ([`Notifier::keeps_receipts`]).
///
/// Errors are classified like every sink's; the token never appears in them.
#[derive(Debug)]
pub struct SlackBotNotifier {
    api: SlackWebApi,
}

impl SlackBotNotifier {
    /// A notifier over `api`.
    pub fn new(api: SlackWebApi) -> Self {
        SlackBotNotifier { api }
    }

    /// The Web API client.
    pub fn api(&self) -> &SlackWebApi {
        &self.api
    }

    /// Posts `notification` as a new message; the handle to store for its incident.
    ///
    /// # Errors
    /// As for [`SlackWebApi::post`].
    pub async fn post(&self, notification: &Notification) -> Result<Posted, WebApiError> {
        let key = notification.idempotency_key();
        self.api.post(&bot::message(notification), &key).await
    }

    /// Turns the alert at `alert` green for an `outage_resolved` notification (`chat.update`)
    /// and replies "Recovered after 21m" in its thread. A notification of another kind only
    /// gets the reply.
    ///
    /// # Errors
    /// [`WebApiError::MessageNotFound`] when the alert was deleted: post the notification anew
    /// with [`SlackBotNotifier::post`]. Else as for [`SlackWebApi::update`].
    pub async fn resolve_in_place(
        &self,
        alert: &Posted,
        notification: &Notification,
    ) -> Result<Posted, WebApiError> {
        let key = notification.idempotency_key();
        if let Some(green) = bot::resolved_parent(notification) {
            self.api
                .update(&alert.channel, &alert.ts, &green, &key)
                .await?;
        }
        self.reply(alert, notification).await
    }

    /// Posts the short form of `notification` in the thread of `alert` (reminders,
    /// recoveries, and later flapping and acknowledgements).
    ///
    /// # Errors
    /// As for [`SlackWebApi::reply`].
    pub async fn reply(
        &self,
        alert: &Posted,
        notification: &Notification,
    ) -> Result<Posted, WebApiError> {
        let key = notification.idempotency_key();
        self.api
            .reply(
                &alert.channel,
                &alert.ts,
                &bot::thread_reply(notification),
                &key,
            )
            .await
    }
}

#[async_trait]
impl Notifier for SlackBotNotifier {
    async fn notify(&self, notification: &Notification) -> Result<(), NotifyError> {
        let key = notification.idempotency_key();
        match self.post(notification).await {
            Ok(posted) => {
                tracing::debug!(key = %key, ts = %posted.ts, "slack bot message posted");
                Ok(())
            }
            Err(error) => {
                tracing::warn!(key = %key, %error, "slack bot message not posted");
                Err(error.into())
            }
        }
    }

    /// One living message per incident or group (see [`follow_up`]): an opening message is
    /// posted (red, with buttons for one runner's outage) and its `channel` and `ts` become the
    /// receipt's handle; a reminder or recovery goes in the thread of the alert it follows, and
    /// the recovery that closes the alert turns it green. A follow-up whose alert was deleted,
    /// or that follows no stored alert, is posted anew.
    async fn send(&self, message: &Message) -> Sent {
        follow_up::send(self, message).await
    }

    /// Receipts hold each alert's `channel` and `ts` ([`Posted::handle`]).
    fn keeps_receipts(&self) -> bool {
        true
    }
}
