//! The outbox: `pending_deliveries` (the index, then the deliveries of scopes that have some),
//! `claim_due` (per scope with a due head: one transaction that re-reads the scope's deliveries
//! and writes the claims, so of two racing claimers the optimistic check lets one win and the
//! other retry and see the claim) and `settle_delivery` (a transaction on the delivery and the
//! scope's index row, checking the claim).

use std::collections::HashSet;

use futures::{StreamExt as _, TryStreamExt as _};
use runner_monitor_core::{
    Claim, ClaimRequest, Delivery, DeliveryId, Scope, Settlement, StoreError, Timestamp,
};

use super::StatelyStore;
use super::index;
use super::snapshot::Snapshot;
use crate::client::ListOptions;
use crate::error::ClientError;
use crate::items::time::millis;
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
    let scopes = pending_scopes(store).await?;
    let options = deliveries_only();
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

/// The items among `items` (one scope's deliveries) that `request` would claim: pending, the
/// first of their queue, admitted (due, unclaimed, sink, created before), in sequence order.
fn due_heads(
    scope: &Scope,
    items: &[DeliveryItem],
    request: &ClaimRequest,
) -> Result<Vec<DeliveryItem>, ClientError> {
    let mut pending: Vec<&DeliveryItem> = items.iter().filter(|d| d.is_pending()).collect();
    pending.sort_by_key(|d| d.seq);
    let mut queues = HashSet::new();
    let mut heads = Vec::new();
    for row in pending {
        let delivery = row.delivery(scope)?;
        if queues.insert((delivery.sink.clone(), delivery.notification.subject()))
            && request.admits(&delivery)
        {
            heads.push(row.clone());
        }
    }
    Ok(heads)
}

/// One scope's deliveries, decoded.
fn decode_deliveries(
    repo_id: &str,
    items: &[crate::proto::db::Item],
) -> Result<Vec<DeliveryItem>, ClientError> {
    let mut rows = Vec::new();
    for item in items {
        if let StoredItem::Delivery(row) = StoredItem::decode(item)?
            && row.repo_id == repo_id
        {
            rows.push(row);
        }
    }
    Ok(rows)
}

/// Claims the due heads `request` admits, scope by scope (scopes in id order, at most `limit`).
pub(super) async fn claim_due(
    store: &StatelyStore,
    request: &ClaimRequest,
) -> Result<Vec<Delivery>, StoreError> {
    let scopes = pending_scopes(store).await?;
    let options = deliveries_only();
    let mut claimed = Vec::new();
    for scope in scopes {
        if claimed.len() >= request.limit {
            break;
        }
        let repo_id = store.groups.repo_id(&scope);
        let prefix = keys::deliveries_prefix(&repo_id);
        // A plain read first: most scopes have nothing due, and need no transaction.
        let items = store.client.list_all(&prefix, &options).await?;
        if due_heads(&scope, &decode_deliveries(&repo_id, &items)?, request)?.is_empty() {
            continue;
        }
        let room = request.limit - claimed.len();
        let claim = request.claim();
        let (scope_ref, repo_ref, prefix_ref, options_ref, claim_ref) =
            (&scope, repo_id.as_str(), prefix.as_str(), &options, &claim);
        let rows = store
            .client
            .transaction(move |mut tx| async move {
                // The prefix read is tracked: a concurrent claim, settle or enqueue in this
                // scope makes one of the two transactions retry on fresh data.
                let items = tx.list_all(prefix_ref, options_ref).await?;
                let rows = decode_deliveries(repo_ref, &items)?;
                let mut heads = due_heads(scope_ref, &rows, request)?;
                heads.truncate(room);
                if heads.is_empty() {
                    tx.abort().await;
                    return Ok(heads);
                }
                for head in &mut heads {
                    head.set_claim(claim_ref);
                }
                tx.put(
                    heads
                        .iter()
                        .map(|h| PutItem::new(item(DeliveryItem::TYPE, h)))
                        .collect(),
                )
                .await?;
                tx.commit().await?;
                Ok(heads)
            })
            .await?;
        for row in rows {
            claimed.push(row.delivery(&scope)?);
        }
    }
    Ok(claimed)
}

/// The items among `items` (one scope's deliveries) that `wake_postponed(until, now)` wakes:
/// pending, not under a live claim at `now`, due after `now` and at or before `until`.
fn to_wake(
    scope: &Scope,
    items: &[DeliveryItem],
    until: Timestamp,
    now: Timestamp,
) -> Result<Vec<DeliveryItem>, ClientError> {
    let mut found = Vec::new();
    for row in items.iter().filter(|d| d.is_pending()) {
        let delivery = row.delivery(scope)?;
        if !delivery.is_claimed_at(now)
            && delivery.next_attempt_at > now
            && delivery.next_attempt_at <= until
        {
            found.push(row.clone());
        }
    }
    found.sort_by_key(|d| d.seq);
    Ok(found)
}

/// Wakes the deliveries held back until at most `until`: the index names the scopes with
/// pending deliveries, a plain read of each says whether it has any to wake, and only such a
/// scope gets a transaction (list, put, commit) that re-reads its deliveries and writes the
/// woken ones due at `now` (at most `max_transaction_writes` per transaction; more take another).
/// A concurrent claim or settle in the scope makes one of the two transactions retry.
pub(super) async fn wake_postponed(
    store: &StatelyStore,
    until: Timestamp,
    now: Timestamp,
) -> Result<usize, StoreError> {
    if until <= now {
        return Ok(0);
    }
    let scopes = pending_scopes(store).await?;
    let options = deliveries_only();
    let max_writes = store.max_transaction_writes;
    let mut woken = 0;
    for scope in scopes {
        let repo_id = store.groups.repo_id(&scope);
        let prefix = keys::deliveries_prefix(&repo_id);
        let items = store.client.list_all(&prefix, &options).await?;
        if to_wake(&scope, &decode_deliveries(&repo_id, &items)?, until, now)?.is_empty() {
            continue;
        }
        let (scope_ref, repo_ref, prefix_ref, options_ref) =
            (&scope, repo_id.as_str(), prefix.as_str(), &options);
        loop {
            let (count, more) = store
                .client
                .transaction(move |mut tx| async move {
                    let items = tx.list_all(prefix_ref, options_ref).await?;
                    let rows = decode_deliveries(repo_ref, &items)?;
                    let mut rows = to_wake(scope_ref, &rows, until, now)?;
                    let more = rows.len() > max_writes;
                    rows.truncate(max_writes);
                    if rows.is_empty() {
                        tx.abort().await;
                        return Ok((0, false));
                    }
                    for row in &mut rows {
                        row.next_attempt_at = millis(now);
                    }
                    tx.put(
                        rows.iter()
                            .map(|r| PutItem::new(item(DeliveryItem::TYPE, r)))
                            .collect(),
                    )
                    .await?;
                    tx.commit().await?;
                    Ok((rows.len(), more))
                })
                .await?;
            woken += count;
            if !more {
                break;
            }
        }
    }
    Ok(woken)
}

/// Records a delivery attempt under `claim`, in a transaction that also refreshes the scope's
/// index row.
pub(super) async fn settle(
    store: &StatelyStore,
    id: &DeliveryId,
    claim: &Claim,
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
                return Ok(Found::No);
            };
            if !row.is_claimed_by(claim) {
                tx.abort().await;
                let holder = if row.claim_holder.is_empty() {
                    "nobody".to_owned()
                } else {
                    row.claim_holder.clone()
                };
                return Ok(Found::ClaimedBy(holder));
            }
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
            Ok(Found::Settled)
        })
        .await?;
    match found {
        Found::Settled => Ok(()),
        Found::No => Err(StoreError::NotFound {
            message: format!("no pending delivery {id}"),
        }),
        Found::ClaimedBy(holder) => Err(StoreError::LeaseLost {
            message: format!("delivery {id} is claimed by {holder}"),
        }),
    }
}

/// What a settle transaction found.
enum Found {
    Settled,
    No,
    ClaimedBy(String),
}

/// The scopes the index says have pending deliveries, in scope order (one index read).
async fn pending_scopes(store: &StatelyStore) -> Result<Vec<Scope>, StoreError> {
    let mut scopes: Vec<Scope> = index::rows(store)
        .await?
        .into_iter()
        .filter(|(_, row)| row.pending_deliveries > 0)
        .map(|(scope, _)| scope)
        .collect();
    scopes.sort();
    Ok(scopes)
}

/// List options reading a scope's deliveries only.
fn deliveries_only() -> ListOptions {
    ListOptions {
        item_types: vec![DeliveryItem::TYPE.to_owned()],
        ..ListOptions::default()
    }
}
