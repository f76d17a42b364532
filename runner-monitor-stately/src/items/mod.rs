//! This store's item types, field for field as `schema/ITEMS.md` (the original's fields keep
//! their numbers; v3 appends), and their conversions to and from the core model.

mod counter;
mod delivery;
mod outage;
mod receipt;
mod repository;
mod runner;
mod scope_index;
mod silence;
pub mod time;

#[cfg(test)]
pub(crate) mod golden_tests;

pub use counter::OutageCounter;
pub use delivery::DeliveryItem;
pub use outage::OutageEvent;
pub use receipt::ReceiptItem;
pub use repository::Repository;
pub use runner::{Label, Runner};
pub use scope_index::ScopeIndex;
pub use silence::{KEEP_AFTER_END as SILENCE_KEPT_AFTER_END, SilenceItem};

use prost::Message;

use crate::error::ClientError;
use crate::proto::db::Item;

/// A decoded item of any of this schema's types.
#[derive(Debug, Clone, PartialEq)]
pub enum StoredItem {
    /// `Repository`.
    Repository(Repository),
    /// `Runner`.
    Runner(Runner),
    /// `OutageEvent`.
    Outage(OutageEvent),
    /// `OutageCounter`.
    Counter(OutageCounter),
    /// `Delivery`.
    Delivery(DeliveryItem),
    /// `ScopeIndex`.
    ScopeIndex(ScopeIndex),
    /// `Receipt`.
    Receipt(ReceiptItem),
    /// `Silence`.
    Silence(SilenceItem),
    /// A type this version does not know (left alone).
    Other(String),
}

impl StoredItem {
    /// Decodes an item by its type name.
    ///
    /// # Errors
    /// [`ClientError::Decode`] for a payload that does not decode as its type.
    pub fn decode(item: &Item) -> Result<Self, ClientError> {
        fn parse<M: Message + Default>(item: &Item) -> Result<M, ClientError> {
            M::decode(item.proto())
                .map_err(|e| ClientError::Decode(format!("{} item: {e}", item.item_type)))
        }
        Ok(match item.item_type.as_str() {
            Repository::TYPE => StoredItem::Repository(parse(item)?),
            Runner::TYPE => StoredItem::Runner(parse(item)?),
            OutageEvent::TYPE => StoredItem::Outage(parse(item)?),
            OutageCounter::TYPE => StoredItem::Counter(parse(item)?),
            DeliveryItem::TYPE => StoredItem::Delivery(parse(item)?),
            ScopeIndex::TYPE => StoredItem::ScopeIndex(parse(item)?),
            ReceiptItem::TYPE => StoredItem::Receipt(parse(item)?),
            SilenceItem::TYPE => StoredItem::Silence(parse(item)?),
            other => StoredItem::Other(other.to_owned()),
        })
    }

    /// The scope id the item belongs to (`None` for receipts and unknown types).
    pub fn repo_id(&self) -> Option<&str> {
        Some(match self {
            StoredItem::Repository(i) => &i.repo_id,
            StoredItem::Runner(i) => &i.repo_id,
            StoredItem::Outage(i) => &i.repo_id,
            StoredItem::Counter(i) => &i.repo_id,
            StoredItem::Delivery(i) => &i.repo_id,
            StoredItem::ScopeIndex(i) => &i.repo_id,
            StoredItem::Receipt(_) | StoredItem::Silence(_) | StoredItem::Other(_) => return None,
        })
    }
}

/// Wraps a message as an [`Item`] of `item_type`.
pub fn item<M: Message>(item_type: &str, message: &M) -> Item {
    Item::new(item_type, message.encode_to_vec())
}
