//! `commit`: one transaction that reads the group, checks the version and the outage rules, and
//! writes the changed items, the outbox and the scope index together.

use runner_monitor_core::{Change, Receipt, Scope, StoreError, Version};

use super::StatelyStore;
use super::snapshot::Snapshot;
use super::writes::{self, WriteContext};
use crate::client::ListOptions;
use crate::keys;

enum Outcome {
    Committed(Version),
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
    let group = keys::repo(&scope.to_string());
    let group = group.as_str();
    let context = WriteContext {
        index_id: &store.index_id,
        history_ttl: store.history_ttl,
    };
    let outcome = store
        .client
        .transaction(move |mut tx| async move {
            let items = tx.list_all(group, &ListOptions::default()).await?;
            let snapshot = Snapshot::from_items(scope, &items)?;
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
            let writes = writes::plan(context, &snapshot, &state, version, changes)?;
            tx.put(writes.puts).await?;
            tx.delete(&writes.deletes)?;
            match tx.commit().await {
                Ok(_) => Ok(Outcome::Committed(version)),
                Err(error) if error.is_concurrent_modification() => Ok(Outcome::Lost),
                Err(error) => Err(error),
            }
        })
        .await?;
    match outcome {
        Outcome::Committed(version) => Ok(Receipt { version }),
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
