//! Message receipts: one group per sink (`/receipts-:sink`), one item per message still open.

use runner_monitor_core::{MessageReceipt, StoreError};

use super::StatelyStore;
use crate::client::ListOptions;
use crate::items::{ReceiptItem, StoredItem, item};
use crate::keys;
use crate::proto::db::PutItem;

/// Puts the receipt (one write), or deletes it when nothing is open any more.
pub(super) async fn put(store: &StatelyStore, receipt: &MessageReceipt) -> Result<(), StoreError> {
    let row = ReceiptItem::from_receipt(receipt);
    if receipt.open.is_empty() {
        store.client.delete(&[row.key_path()]).await?;
    } else {
        store
            .client
            .put(vec![PutItem::new(item(ReceiptItem::TYPE, &row))])
            .await?;
    }
    Ok(())
}

/// The sink's receipts holding any of `members` open, by key: one list of the sink's group
/// (which holds only receipts still open).
pub(super) async fn following(
    store: &StatelyStore,
    sink: &str,
    members: &[String],
) -> Result<Vec<MessageReceipt>, StoreError> {
    if members.is_empty() {
        return Ok(Vec::new());
    }
    let options = ListOptions {
        item_types: vec![ReceiptItem::TYPE.to_owned()],
        ..ListOptions::default()
    };
    let items = store
        .client
        .list_all(&keys::receipts(sink), &options)
        .await?;
    let mut found = Vec::new();
    for listed in &items {
        let StoredItem::Receipt(row) = StoredItem::decode(listed)? else {
            continue;
        };
        if row.sink == sink && row.open.iter().any(|k| members.contains(k)) {
            found.push(row.to_receipt()?);
        }
    }
    found.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(found)
}
