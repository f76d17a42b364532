//! The outbox: `pending_deliveries` (the index, then the deliveries of scopes that have some)
//! and `settle_delivery` (a transaction on the delivery and the scope's index row).

use futures::{StreamExt as _, TryStreamExt as _};
use runner_monitor_core::{Delivery, DeliveryId, Settlement, StoreError};

use super::StatelyStore;
use super::index;
use super::snapshot::Snapshot;
use crate::client::ListOptions;
use crate::items::{DeliveryItem, ScopeIndex, StoredItem, item};
use crate::keys;
use crate::proto::db::PutItem;

/// Scopes whose outbox is read at once.
const CONCURRENCY: usize = 8;

/// Pending deliveries, oldest first (`created_at`, then scope, then sequence), at most `limit`.
pub(super) async fn pending(
    store: &StatelyStore,
    limit: usize,
) -> Result<Vec<Delivery>, StoreError> {
    let scopes: Vec<_> = index::rows(store)
        .await?
        .into_iter()
        .filter(|(_, row)| row.pending_deliveries > 0)
        .map(|(scope, _)| scope)
        .collect();
    let options = ListOptions {
        item_types: vec![DeliveryItem::TYPE.to_owned()],
        ..ListOptions::default()
    };
    let per_scope: Vec<Vec<Delivery>> = futures::stream::iter(scopes)
        .map(|scope| {
            let options = &options;
            async move {
                let repo_id = store.groups.repo_id(&scope);
                let items = store
                    .client
                    .list_all(&keys::deliveries_prefix(&repo_id), options)
                    .await?;
                let mut deliveries = Vec::new();
                for item in &items {
                    if let StoredItem::Delivery(row) = StoredItem::decode(item)?
                        && row.repo_id == repo_id
                        && row.is_pending()
                    {
                        deliveries.push(row.delivery(&scope)?);
                    }
                }
                Ok::<_, StoreError>(deliveries)
            }
        })
        .buffer_unordered(CONCURRENCY)
        .try_collect()
        .await?;
    let mut pending: Vec<Delivery> = per_scope.into_iter().flatten().collect();
    pending.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
    pending.truncate(limit);
    Ok(pending)
}

/// Records a delivery attempt, in a transaction that also refreshes the scope's index row.
pub(super) async fn settle(
    store: &StatelyStore,
    id: &DeliveryId,
    settlement: &Settlement,
) -> Result<(), StoreError> {
    // The index row is keyed by the scope's canonical id; the delivery lives in its group.
    let scope_id = id.scope.to_string();
    let group = keys::repo(&store.groups.repo_id(&id.scope));
    let (group, scope_id) = (group.as_str(), scope_id.as_str());
    let groups = &store.groups;
    let (index_id, retention) = (store.index_id.as_str(), store.history_ttl);
    let found = store
        .client
        .transaction(move |mut tx| async move {
            // The whole group: its Repository item is read too, so a concurrent commit (which
            // always writes it) makes this transaction retry instead of writing a stale count.
            let items = tx.list_all(group, &ListOptions::default()).await?;
            let snapshot = Snapshot::from_items(groups, &id.scope, &items)?;
            let Some(mut row) = snapshot
                .deliveries
                .iter()
                .find(|d| d.seq == id.seq && d.is_pending())
                .cloned()
            else {
                tx.abort().await;
                return Ok(false);
            };
            row.settle(settlement, retention);
            let pending = snapshot.pending_deliveries() - u64::from(!row.is_pending());
            let index = ScopeIndex {
                index_id: index_id.to_owned(),
                repo_id: scope_id.to_owned(),
                pending_deliveries: pending,
            };
            tx.put(vec![
                PutItem::new(item(DeliveryItem::TYPE, &row)),
                PutItem::new(item(ScopeIndex::TYPE, &index)),
            ])
            .await?;
            tx.commit().await?;
            Ok(true)
        })
        .await?;
    if found {
        Ok(())
    } else {
        Err(StoreError::NotFound {
            message: format!("no pending delivery {id}"),
        })
    }
}
