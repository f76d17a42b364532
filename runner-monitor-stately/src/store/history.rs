//! `outages`: a runner's history across every GitHub id it has had; `outages_between`: a scope's
//! outages overlapping a time range.

use std::collections::BTreeSet;

use futures::{StreamExt as _, TryStreamExt as _};
use runner_monitor_core::{Outage, Scope, StoreError, Timestamp, overlaps};

use super::StatelyStore;
use super::snapshot::Snapshot;
use crate::client::ListOptions;
use crate::items::{OutageEvent, Runner, StoredItem};
use crate::keys;

/// GitHub ids whose history is read at once.
const CONCURRENCY: usize = 4;

/// Outages of `runner`, newest first, at most `limit`: one get of the runner and its outage
/// counter (which know every GitHub id it has had, the counter even after the runner was
/// forgotten), then one list of `history-:runnerId` per id, keeping this name's outages.
pub(super) async fn outages(
    store: &StatelyStore,
    scope: &Scope,
    runner: &str,
    limit: usize,
) -> Result<Vec<Outage>, StoreError> {
    let repo_id = store.groups.repo_id(scope);
    let found = store
        .client
        .get(&[
            keys::runner(&repo_id, runner),
            keys::counter(&repo_id, runner),
        ])
        .await?;
    let mut ids = BTreeSet::new();
    let mut current_ids = BTreeSet::new();
    for item in &found {
        match StoredItem::decode(item)? {
            StoredItem::Runner(r) if r.repo_id == repo_id && r.name == runner => {
                current_ids.extend(r.all_ids());
            }
            StoredItem::Counter(c) if c.repo_id == repo_id && c.runner_name == runner => {
                ids.extend(c.runner_ids.iter().copied());
            }
            _ => {}
        }
    }
    ids.extend(current_ids.iter().copied());
    let options = ListOptions {
        item_types: vec![OutageEvent::TYPE.to_owned()],
        ..ListOptions::default()
    };
    let lists: Vec<Vec<crate::proto::db::Item>> = futures::stream::iter(ids)
        .map(|id| {
            let prefix = keys::history_prefix(&repo_id, id);
            let options = &options;
            async move { store.client.list_all(&prefix, options).await }
        })
        .buffer_unordered(CONCURRENCY)
        .try_collect()
        .await?;
    let mut outages = Vec::new();
    for item in lists.iter().flatten() {
        let StoredItem::Outage(event) = StoredItem::decode(item)? else {
            continue;
        };
        // The original's items all carry runnerName; one without is attributed by its id.
        let ours = event.runner_name == runner
            || (event.runner_name.is_empty() && current_ids.contains(&event.runner_id));
        if event.repo_id == repo_id && ours {
            let mut outage = event.outage()?;
            outage.runner = runner.to_owned();
            outages.push(outage);
        }
    }
    outages.sort_by(|a, b| b.id.cmp(&a.id).then(b.started_at.cmp(&a.started_at)));
    outages.dedup_by(|a, b| a.id == b.id);
    outages.truncate(limit);
    Ok(outages)
}

/// The scope's outages overlapping `[from, to)`, by runner name then id: one list of the group
/// (outages, and runners to name the original's nameless items), filtered here. StatelyDB cannot
/// filter by time; the group holds only what the history TTL kept.
pub(super) async fn between(
    store: &StatelyStore,
    scope: &Scope,
    from: Timestamp,
    to: Timestamp,
) -> Result<Vec<Outage>, StoreError> {
    if from >= to {
        return Ok(Vec::new());
    }
    let options = ListOptions {
        item_types: [Runner::TYPE, OutageEvent::TYPE]
            .map(str::to_owned)
            .to_vec(),
        ..ListOptions::default()
    };
    let items = store
        .client
        .list_all(&keys::repo(&store.groups.repo_id(scope)), &options)
        .await?;
    let snapshot = Snapshot::from_items(&store.groups, scope, &items)?;
    let mut outages = Vec::new();
    for event in &snapshot.outages {
        let Some(name) = snapshot.runner_name(event) else {
            continue;
        };
        let mut outage = event.outage()?;
        outage.runner = name.to_owned();
        if overlaps(&outage, from, to) {
            outages.push(outage);
        }
    }
    outages.sort_by(|a, b| (&a.runner, a.id).cmp(&(&b.runner, b.id)));
    outages.dedup_by(|a, b| a.runner == b.runner && a.id == b.id);
    Ok(outages)
}
