//! `load`: one list of the scope's group.

use runner_monitor_core::{Scope, ScopeState, StoreError};

use super::StatelyStore;
use super::snapshot::Snapshot;
use crate::client::ListOptions;
use crate::items::{OutageCounter, OutageEvent, Repository, Runner};
use crate::keys;

/// Reads the group `/repo-:repoId` (the outbox excluded by an item-type filter) and decodes it.
pub(super) async fn load(store: &StatelyStore, scope: &Scope) -> Result<ScopeState, StoreError> {
    let options = ListOptions {
        item_types: [
            Repository::TYPE,
            Runner::TYPE,
            OutageEvent::TYPE,
            OutageCounter::TYPE,
        ]
        .map(str::to_owned)
        .to_vec(),
        ..ListOptions::default()
    };
    let items = store
        .client
        .list_all(&keys::repo(&store.groups.repo_id(scope)), &options)
        .await?;
    Ok(Snapshot::from_items(&store.groups, scope, &items)?.state()?)
}
