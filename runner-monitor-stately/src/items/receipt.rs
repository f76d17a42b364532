//! `Receipt` (`/receipts-:sink/receipt-:key`, schema v3, grouping): what a sink remembers about
//! a message it sent (see [`MessageReceipt`]). All of a sink's receipts share one group, so
//! `receipts_following` is one list of it; receipts are deleted once every member they hold
//! is resolved, so the group holds only the messages still open.

use runner_monitor_core::MessageReceipt;

use super::time;
use crate::error::ClientError;
use crate::keys;

/// The `Receipt` item.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct ReceiptItem {
    /// The sink's configured name.
    #[prost(string, tag = "1")]
    pub sink: String,
    /// The message's key.
    #[prost(string, tag = "2")]
    pub key: String,
    /// Incident keys still open, sorted.
    #[prost(string, repeated, tag = "3")]
    pub open: Vec<String>,
    /// The sink's handle for the message.
    #[prost(string, tag = "4")]
    pub handle: String,
    /// When the message was sent (Unix milliseconds).
    #[prost(sint64, tag = "5")]
    pub sent_at: i64,
}

impl ReceiptItem {
    /// The schema's item type name.
    pub const TYPE: &'static str = "Receipt";

    /// The key path.
    pub fn key_path(&self) -> String {
        keys::receipt(&self.sink, &self.key)
    }

    /// The item for a core receipt.
    pub fn from_receipt(receipt: &MessageReceipt) -> Self {
        ReceiptItem {
            sink: receipt.sink.clone(),
            key: receipt.key.clone(),
            open: receipt.open.clone(),
            handle: receipt.handle.clone(),
            sent_at: time::millis(receipt.sent_at),
        }
    }

    /// The core receipt.
    ///
    /// # Errors
    /// [`ClientError::Decode`] for an unreadable time.
    pub fn to_receipt(&self) -> Result<MessageReceipt, ClientError> {
        Ok(MessageReceipt {
            sink: self.sink.clone(),
            key: self.key.clone(),
            open: self.open.clone(),
            handle: self.handle.clone(),
            sent_at: time::timestamp(self.sent_at, "Receipt.sentAt")?,
        })
    }
}
