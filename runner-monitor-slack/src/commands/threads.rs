//! Bot mode's replies in alert threads for what a command did (`/runner-ack`): the alert of an
//! incident is found through the `slack_bot` sink's message receipts.

use runner_monitor_core::Store;

use super::Threads;
use crate::blocks::Message;
use crate::web_api::{BotMessage, Posted, Tone};

impl Threads {
    /// Replies `message` in the thread of the alert that announced `incident_key` (a
    /// [`Notification::incident_key`](runner_monitor_core::Notification::incident_key)).
    /// Whether it was posted: `false` when no stored alert follows the incident (the webhook
    /// sink announced it, or its receipt is gone), or the store or Slack failed (logged).
    pub(crate) async fn tell(
        &self,
        store: &dyn Store,
        incident_key: &str,
        message: &Message,
    ) -> bool {
        let keys = [incident_key.to_owned()];
        let receipts = match store.receipts_following(&self.sink, &keys).await {
            Ok(receipts) => receipts,
            Err(error) => {
                tracing::warn!(%error, "cannot read the alert receipts; answering in the channel");
                return false;
            }
        };
        let Some(alert) = receipts
            .iter()
            .find_map(|receipt| Posted::from_handle(&receipt.handle))
        else {
            return false;
        };
        let reply = BotMessage::new(message.clone(), Tone::Plain);
        let key = format!("{incident_key}/ack-command");
        match self
            .api
            .reply(&alert.channel, &alert.ts, &reply, &key)
            .await
        {
            Ok(_) => true,
            Err(error) => {
                tracing::warn!(%error, "thread reply not posted; answering in the channel");
                false
            }
        }
    }
}
