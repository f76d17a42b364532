//! Runtime silences (items beside the scope index) and acknowledgements of open outages.

use runner_monitor_core::{Acknowledgement, Outage, Scope, Silence, StoreError};

use super::StatelyStore;
use super::snapshot::Snapshot;
use crate::client::ListOptions;
use crate::items::{OutageEvent, Repository, SilenceItem, StoredItem, item};
use crate::keys;
use crate::proto::db::PutItem;

/// How often an acknowledgement retries a transaction another writer beat.
const ACK_ATTEMPTS: usize = 5;

/// Puts `silence` (replacing one with its id).
pub(super) async fn put(store: &StatelyStore, silence: &Silence) -> Result<(), StoreError> {
    let row = SilenceItem::new(&store.index_id, silence)?;
    store
        .client
        .put(vec![PutItem::new(item(SilenceItem::TYPE, &row))])
        .await?;
    Ok(())
}

/// Deletes silence `id`; whether it existed.
pub(super) async fn delete(store: &StatelyStore, id: &str) -> Result<bool, StoreError> {
    let key = keys::silence(&store.index_id, id);
    let found = store.client.get(std::slice::from_ref(&key)).await?;
    if found.is_empty() {
        return Ok(false);
    }
    store.client.delete(&[key]).await?;
    Ok(true)
}

/// Every stored silence, by id (one list of the index group, silences only).
pub(super) async fn list(store: &StatelyStore) -> Result<Vec<Silence>, StoreError> {
    let options = ListOptions {
        item_types: vec![SilenceItem::TYPE.to_owned()],
        ..ListOptions::default()
    };
    let items = store
        .client
        .list_all(&keys::index(&store.index_id), &options)
        .await?;
    let mut silences = Vec::with_capacity(items.len());
    for raw in &items {
        let StoredItem::Silence(row) = StoredItem::decode(raw)? else {
            continue;
        };
        if row.index_id != store.index_id {
            continue;
        }
        match row.silence() {
            Ok(silence) => silences.push(silence),
            Err(error) => {
                // One unreadable silence must not hide the others (or stop dispatch).
                tracing::warn!(id = %row.silence_id, %error, "unreadable silence item; skipped");
            }
        }
    }
    silences.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(silences)
}

enum Outcome {
    Acknowledged(Box<Outage>),
    NoOpenOutage,
    Lost,
}

/// Marks the open outage of `runner` acknowledged and bumps the scope's version, in one
/// transaction over the scope's group (retried when another writer commits first).
pub(super) async fn acknowledge(
    store: &StatelyStore,
    scope: &Scope,
    runner: &str,
    ack: &Acknowledgement,
) -> Result<Outage, StoreError> {
    let group = keys::repo(&store.groups.repo_id(scope));
    let group = group.as_str();
    let groups = &store.groups;
    let ttl = store.history_ttl;
    for _ in 0..ACK_ATTEMPTS {
        let outcome = store
            .client
            .transaction(move |mut tx| async move {
                let items = tx.list_all(group, &ListOptions::default()).await?;
                let snapshot = Snapshot::from_items(groups, scope, &items)?;
                let Some(stored) = snapshot.open_outage(runner).cloned() else {
                    tx.abort().await;
                    return Ok(Outcome::NoOpenOutage);
                };
                let state = snapshot.state()?;
                let mut outage = stored.outage()?;
                outage.runner = runner.to_owned();
                outage.id = stored.number();
                outage.acknowledged = Some(ack.clone());
                let mut updated =
                    OutageEvent::new(&snapshot.repo_id, &outage, stored.outage_id, ttl);
                updated.notification_sent = stored.notification_sent;
                let version = snapshot.version() + 1;
                let repository = Repository::new(scope, &snapshot.repo_id, version, &state.record);
                tx.put(vec![
                    PutItem::new(item(OutageEvent::TYPE, &updated)),
                    PutItem::new(item(Repository::TYPE, &repository)),
                ])
                .await?;
                match tx.commit().await {
                    Ok(_) => Ok(Outcome::Acknowledged(Box::new(outage))),
                    Err(error) if error.is_concurrent_modification() => Ok(Outcome::Lost),
                    Err(error) => Err(error),
                }
            })
            .await?;
        match outcome {
            Outcome::Acknowledged(outage) => return Ok(*outage),
            Outcome::NoOpenOutage => {
                return Err(StoreError::NotFound {
                    message: format!("runner {runner} of {scope} has no open outage"),
                });
            }
            Outcome::Lost => {}
        }
    }
    Err(StoreError::Unavailable {
        message: format!(
            "acknowledging {runner} of {scope}: other writers kept committing first ({ACK_ATTEMPTS} attempts)"
        ),
    })
}
