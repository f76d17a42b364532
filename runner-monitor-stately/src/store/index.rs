//! The scope index (`/index-:indexId`): `scopes`, and the scopes with pending deliveries.

use runner_monitor_core::{Scope, StoreError};

use super::StatelyStore;
use crate::client::ListOptions;
use crate::items::{ScopeIndex, StoredItem};
use crate::keys;

/// Every row of the index, in one list (paged only for very many scopes).
pub(super) async fn rows(store: &StatelyStore) -> Result<Vec<(Scope, ScopeIndex)>, StoreError> {
    let options = ListOptions {
        item_types: vec![ScopeIndex::TYPE.to_owned()],
        ..ListOptions::default()
    };
    let items = store
        .client
        .list_all(&keys::index(&store.index_id), &options)
        .await?;
    let mut rows = Vec::with_capacity(items.len());
    for item in &items {
        let StoredItem::ScopeIndex(row) = StoredItem::decode(item)? else {
            continue;
        };
        if row.index_id != store.index_id {
            continue;
        }
        match row.repo_id.parse::<Scope>() {
            Ok(scope) => rows.push((scope, row)),
            Err(error) => {
                tracing::warn!(repo_id = %row.repo_id, %error, "scope index row with an unreadable scope id; skipped");
            }
        }
    }
    Ok(rows)
}

/// `scopes`: every scope in the index, sorted.
pub(super) async fn scopes(store: &StatelyStore) -> Result<Vec<Scope>, StoreError> {
    let mut scopes: Vec<Scope> = rows(store).await?.into_iter().map(|(s, _)| s).collect();
    scopes.sort();
    scopes.dedup();
    Ok(scopes)
}
