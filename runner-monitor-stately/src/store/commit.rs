//! `commit`: one transaction that reads the group, checks the version and the outage rules, and
//! writes the changed items, the outbox and the scope index together.

use runner_monitor_core::{Change, Receipt, Scope, StoreError, Version};

use super::StatelyStore;
use super::snapshot::Snapshot;
use super::writes::{self, WriteContext};
use crate::client::ListOptions;
use crate::keys;

enum Outcome {
    /// Committed; the history-expiry deletes that did not fit in the transaction.
    Committed(Version, Vec<String>),
    /// The scope is at another version.
    Stale(Version),
    /// A change broke a rule.
    Rejected(StoreError),
    /// StatelyDB's ConcurrentModification: another writer committed first.
    Lost,
}

/// Applies `changes` if the scope is at `expected`.
pub(super) async fn commit(
    store: &StatelyStore,
    scope: &Scope,
    expected: Version,
    changes: &[Change],
) -> Result<Receipt, StoreError> {
    let group = keys::repo(&store.groups.repo_id(scope));
    let group = group.as_str();
    let groups = &store.groups;
    let context = WriteContext {
        index_id: &store.index_id,
        history_ttl: store.history_ttl,
    };
    let max_writes = store.max_transaction_writes;
    let outcome = store
        .client
        .transaction(move |mut tx| async move {
            let items = tx.list_all(group, &ListOptions::default()).await?;
            let snapshot = Snapshot::from_items(groups, scope, &items)?;
            let actual = snapshot.version();
            if actual != expected {
                tx.abort().await;
                return Ok(Outcome::Stale(actual));
            }
            let mut state = snapshot.state()?;
            if let Err(error) = state.apply(changes) {
                tx.abort().await;
                return Ok(Outcome::Rejected(error));
            }
            let version = expected + 1;
            let mut writes = writes::plan(context, &snapshot, &state, version, changes)?;
            let later = writes.split_expiry(max_writes);
            tx.put(writes.puts).await?;
            tx.delete(&writes.deletes)?;
            match tx.commit().await {
                Ok(_) => Ok(Outcome::Committed(version, later)),
                Err(error) if error.is_concurrent_modification() => Ok(Outcome::Lost),
                Err(error) => Err(error),
            }
        })
        .await?;
    match outcome {
        Outcome::Committed(version, later) => {
            delete_expired(store, &later, max_writes).await;
            Ok(Receipt { version })
        }
        Outcome::Stale(actual) => Err(StoreError::Conflict {
            scope: scope.clone(),
            expected,
            actual,
        }),
        Outcome::Lost => Err(StoreError::Conflict {
            scope: scope.clone(),
            expected,
            actual: expected,
        }),
        Outcome::Rejected(error) => Err(error),
    }
}

/// Deletes history that expired but did not fit in the commit's transaction, in batches the
/// server accepts. These items are already past the retention the engine decided on, so this is
/// best effort: a failure is logged and what is left is deleted by a later expiry.
async fn delete_expired(store: &StatelyStore, keys: &[String], max_writes: usize) {
    for batch in keys.chunks(max_writes.max(1)) {
        if let Err(error) = store.client.delete(batch).await {
            tracing::warn!(%error, left = keys.len(), "deleting expired history failed; a later expiry retries");
            return;
        }
    }
}
