//! What a commit writes: the items a list of changes touches, computed from the snapshot read in
//! the transaction and the state after applying the changes.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use runner_monitor_core::{Change, NotificationKind, ScopeState, Timestamp};

use super::snapshot::Snapshot;
use crate::error::ClientError;
use crate::items::time::millis;
use crate::items::{
    DeliveryItem, OutageCounter, OutageEvent, Repository, Runner, ScopeIndex, item,
};
use crate::keys;
use crate::proto::db::PutItem;

/// Puts and deletes of one commit.
#[derive(Debug, Default)]
pub(crate) struct Writes {
    pub puts: Vec<PutItem>,
    pub deletes: Vec<String>,
    /// History expiry: resolved outages and settled deliveries past the cut-off. Unlike the
    /// other writes they need not be atomic with the change, so a commit too large for one
    /// transaction deletes the overflow afterwards ([`Writes::split_expiry`]).
    pub expired: Vec<String>,
}

impl Writes {
    /// Keeps as many expiry deletes in the commit as fit in `max` writes and returns the rest,
    /// to be deleted after the commit in batches of at most `max`.
    pub fn split_expiry(&mut self, max: usize) -> Vec<String> {
        let room = max.saturating_sub(self.puts.len() + self.deletes.len());
        let later = self.expired.split_off(room.min(self.expired.len()));
        self.deletes.append(&mut self.expired);
        later
    }
}

/// Settings a commit needs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct WriteContext<'a> {
    pub index_id: &'a str,
    pub history_ttl: Duration,
}

struct Planner<'a> {
    snapshot: &'a Snapshot,
    repo_id: String,
    ttl: Duration,
    outages: BTreeMap<(String, u64), OutageEvent>,
    counters: BTreeMap<String, OutageCounter>,
    deliveries: Vec<DeliveryItem>,
    runners: BTreeSet<String>,
    expire_before: Option<Timestamp>,
}

/// Plans the writes of `changes` (already validated: `after` is the snapshot's state with the
/// changes applied) committing as `version`.
///
/// # Errors
/// [`ClientError::Decode`] for a stored outage that cannot be read, or a notification that
/// cannot be serialized.
pub(crate) fn plan(
    context: WriteContext<'_>,
    snapshot: &Snapshot,
    after: &ScopeState,
    version: u64,
    changes: &[Change],
) -> Result<Writes, ClientError> {
    let mut planner = Planner {
        snapshot,
        repo_id: snapshot.repo_id.clone(),
        ttl: context.history_ttl,
        outages: BTreeMap::new(),
        counters: BTreeMap::new(),
        deliveries: Vec::new(),
        runners: BTreeSet::new(),
        expire_before: None,
    };
    for change in changes {
        planner.change(change)?;
    }
    Ok(planner.finish(context, after, version))
}

impl Planner<'_> {
    fn change(&mut self, change: &Change) -> Result<(), ClientError> {
        match change {
            Change::PutRunner(runner) => {
                self.runners.insert(runner.name.clone());
            }
            Change::DeleteRunner { name } => {
                self.runners.insert(name.clone());
            }
            Change::OpenOutage(outage) => {
                let item = OutageEvent::new(&self.repo_id, outage, 0, self.ttl);
                self.outages
                    .insert((outage.runner.clone(), outage.id), item);
                self.counter(&outage.runner)
                    .record(outage.id, outage.runner_id);
            }
            Change::ResolveOutage {
                runner,
                id,
                resolved_at,
                resolution,
            } => {
                self.update(runner, *id, |outage| {
                    outage.resolved_at = Some(*resolved_at);
                    outage.resolution = Some(*resolution);
                })?;
            }
            Change::RecordReminder { runner, id, at } => {
                self.update(runner, *id, |outage| {
                    outage.reminders += 1;
                    outage.last_reminded_at = Some(*at);
                })?;
            }
            Change::Enqueue { sink, notification } => {
                if let NotificationKind::OutageOpened { outage, .. } = &notification.kind
                    && let Some(item) = self.touch(&outage.runner, outage.id)
                {
                    item.notification_sent = true;
                }
                self.deliveries
                    .push(DeliveryItem::new(&self.repo_id, sink, notification)?);
            }
            Change::ExpireHistory { before } => {
                self.expire_before = Some(self.expire_before.map_or(*before, |b| b.max(*before)));
            }
            // The scope record is written with every commit (see `finish`).
            _ => {}
        }
        Ok(())
    }

    /// The item of outage `id` of `runner`, from this commit or the snapshot's open outage.
    fn touch(&mut self, runner: &str, id: u64) -> Option<&mut OutageEvent> {
        let key = (runner.to_owned(), id);
        if !self.outages.contains_key(&key) {
            let stored = self
                .snapshot
                .open_outage(runner)
                .filter(|o| o.number() == id)?
                .clone();
            self.outages.insert(key.clone(), stored);
        }
        self.outages.get_mut(&key)
    }

    fn update(
        &mut self,
        runner: &str,
        id: u64,
        edit: impl FnOnce(&mut runner_monitor_core::Outage),
    ) -> Result<(), ClientError> {
        let repo_id = self.repo_id.clone();
        let ttl = self.ttl;
        // `apply` already checked the outage is open, so it is in the commit or the snapshot.
        let Some(item) = self.touch(runner, id) else {
            return Err(ClientError::Decode(format!(
                "outage {id} of runner {runner} is not in the scope's items"
            )));
        };
        let mut outage = item.outage()?;
        outage.runner = runner.to_owned();
        outage.id = id;
        edit(&mut outage);
        let mut updated = OutageEvent::new(&repo_id, &outage, item.outage_id, ttl);
        updated.notification_sent = item.notification_sent;
        *item = updated;
        Ok(())
    }

    fn counter(&mut self, runner: &str) -> &mut OutageCounter {
        let snapshot = self.snapshot;
        let repo_id = &self.repo_id;
        self.counters.entry(runner.to_owned()).or_insert_with(|| {
            snapshot.counters.get(runner).cloned().unwrap_or_else(|| {
                // First counter of this name: remember where its earlier outages (for instance
                // the original monitor's) are recorded.
                let mut counter = OutageCounter {
                    repo_id: repo_id.clone(),
                    runner_name: runner.to_owned(),
                    last_outage_id: 0,
                    runner_ids: Vec::new(),
                };
                for outage in &snapshot.outages {
                    if snapshot.runner_name(outage) == Some(runner) {
                        counter.record(outage.number(), outage.runner_id);
                    }
                }
                counter
            })
        })
    }

    fn finish(mut self, context: WriteContext<'_>, after: &ScopeState, version: u64) -> Writes {
        let mut writes = Writes::default();
        let repo_id = self.repo_id.clone();
        let scope = &self.snapshot.scope;
        writes.puts.push(put_item(
            Repository::TYPE,
            &Repository::new(scope, &repo_id, version, &after.record),
        ));
        for name in &self.runners {
            match after.runners.get(name) {
                Some(record) => writes
                    .puts
                    .push(put_item(Runner::TYPE, &Runner::new(&repo_id, record))),
                None if self.snapshot.runners.contains_key(name) => {
                    writes.deletes.push(keys::runner(&repo_id, name));
                }
                None => {}
            }
        }
        let cutoff = self.expire_before.map(millis);
        let expired = |at: i64| cutoff.is_some_and(|c| at != 0 && at < c);
        for outage in std::mem::take(&mut self.outages).into_values() {
            if !expired(outage.resolved_at) {
                writes.puts.push(put_item(OutageEvent::TYPE, &outage));
            } else if outage.outage_id != 0 {
                writes.expired.push(outage.key_path());
            }
        }
        for counter in self.counters.values() {
            writes.puts.push(put_item(OutageCounter::TYPE, counter));
        }
        for delivery in &self.deliveries {
            writes.puts.push(put_item(DeliveryItem::TYPE, delivery));
        }
        // History expiry: resolved outages and settled deliveries older than the cut-off. Open
        // outages (resolvedAt 0) and pending deliveries (settledAt 0) never qualify.
        for outage in &self.snapshot.outages {
            if expired(outage.resolved_at) {
                writes.expired.push(outage.key_path());
            }
        }
        for delivery in &self.snapshot.deliveries {
            if expired(delivery.settled_at) {
                writes.expired.push(delivery.key_path());
            }
        }
        writes.deletes.sort();
        writes.deletes.dedup();
        writes.expired.sort();
        writes.expired.dedup();
        let deletes = &writes.deletes;
        writes.expired.retain(|k| deletes.binary_search(k).is_err());
        // The index is this project's: it names the scope by its canonical id in every layout.
        let index = ScopeIndex {
            index_id: context.index_id.to_owned(),
            repo_id: scope.to_string(),
            pending_deliveries: self.snapshot.pending_deliveries() + self.deliveries.len() as u64,
        };
        writes.puts.push(put_item(ScopeIndex::TYPE, &index));
        writes
    }
}

fn put_item<M: prost::Message>(item_type: &str, message: &M) -> PutItem {
    PutItem::new(item(item_type, message))
}

#[cfg(test)]
mod tests {
    use runner_monitor_core::testing::{at, delivery_notification, outage, runner_record};
    use runner_monitor_core::{RunnerStatus, Scope, ScopeState};

    use super::*;
    use crate::items::StoredItem;

    const CONTEXT: WriteContext<'static> = WriteContext {
        index_id: "default",
        history_ttl: Duration::from_secs(86_400),
    };

    fn decoded(writes: &Writes) -> Vec<StoredItem> {
        writes
            .puts
            .iter()
            .map(|p| StoredItem::decode(p.item.as_ref().expect("item")).expect("decodes"))
            .collect()
    }

    fn empty(scope: &Scope) -> Snapshot {
        Snapshot::from_items(&crate::layout::GroupMap::default(), scope, &[]).expect("empty")
    }

    #[test]
    fn opening_an_outage_writes_it_its_counter_its_delivery_and_the_index() {
        let scope: Scope = "o/r".parse().expect("scope");
        let snapshot = empty(&scope);
        let changes = [
            Change::PutRunner(runner_record("a", 1, RunnerStatus::Offline, at(0))),
            Change::OpenOutage(outage("a", 1, at(0))),
            Change::Enqueue {
                sink: "slack".into(),
                notification: delivery_notification(&scope, "a", 1, at(0)),
            },
        ];
        let mut after = ScopeState::empty(scope.clone());
        after.apply(&changes).expect("valid");
        let writes = plan(CONTEXT, &snapshot, &after, 1, &changes).expect("plan");
        assert!(writes.deletes.is_empty());
        let items = decoded(&writes);
        let outage = items.iter().find_map(|i| match i {
            StoredItem::Outage(o) => Some(o),
            _ => None,
        });
        let outage = outage.expect("outage put");
        assert_eq!(outage.outage_id, 0, "the server assigns the key id");
        assert_eq!(outage.number, 1);
        assert!(
            outage.notification_sent,
            "its opened delivery is in the same commit"
        );
        assert!(items.iter().any(|i| matches!(i,
            StoredItem::Counter(c) if c.last_outage_id == 1 && c.runner_ids == [7])));
        assert!(items.iter().any(|i| matches!(i,
            StoredItem::Delivery(d) if d.seq == 0 && d.sink == "slack" && d.is_pending())));
        assert!(items.iter().any(|i| matches!(i,
            StoredItem::ScopeIndex(x) if x.pending_deliveries == 1)));
        assert!(items.iter().any(|i| matches!(i,
            StoredItem::Repository(r) if r.version == 1 && r.scope_kind == "repo")));
    }

    #[test]
    fn expiring_history_deletes_old_resolved_outages_and_settled_deliveries_only() {
        let scope: Scope = "o/r".parse().expect("scope");
        let mut old = OutageEvent::new("o/r", &outage("a", 1, at(0)), 5, CONTEXT.history_ttl);
        old.resolved_at = millis(at(10));
        let open = OutageEvent::new("o/r", &outage("b", 1, at(0)), 6, CONTEXT.history_ttl);
        let mut settled =
            DeliveryItem::new("o/r", "s", &delivery_notification(&scope, "a", 1, at(0)))
                .expect("delivery");
        settled.seq = 1;
        settled.settled_at = millis(at(20));
        let mut pending = settled.clone();
        pending.seq = 2;
        pending.settled_at = 0;
        let items: Vec<_> = [
            item(OutageEvent::TYPE, &old),
            item(OutageEvent::TYPE, &open),
            item(DeliveryItem::TYPE, &settled),
            item(DeliveryItem::TYPE, &pending),
        ]
        .into();
        let snapshot = Snapshot::from_items(&crate::layout::GroupMap::default(), &scope, &items)
            .expect("snapshot");
        let changes = [Change::ExpireHistory { before: at(1_000) }];
        let mut after = snapshot.state().expect("state");
        after.apply(&changes).expect("valid");
        let writes = plan(CONTEXT, &snapshot, &after, 1, &changes).expect("plan");
        assert!(writes.deletes.is_empty());
        assert_eq!(
            writes.expired,
            ["/repo-o%/r/delivery-1", "/repo-o%/r/history-7/outage-5"]
        );
        let index = decoded(&writes).into_iter().find_map(|i| match i {
            StoredItem::ScopeIndex(x) => Some(x),
            _ => None,
        });
        assert_eq!(index.expect("index").pending_deliveries, 1);
    }
}
