//! # runner-monitor-memory
//!
//! [`MemoryStore`]: the whole [`Store`] contract in process memory. Cheap to clone (clones share
//! the data), safe under concurrent use. Nothing survives the process: use it for tests, the replay
//! tool and embedding where restarts may forget; the daemon defaults to SQLite.
//!
//! # Examples
//! ```
//! use runner_monitor_core::{Scope, Store};
//! use runner_monitor_memory::MemoryStore;
//! # futures_executor(async {
//! let store = MemoryStore::new();
//! let state = store.load(&"acme/api".parse::<Scope>().unwrap()).await.unwrap();
//! assert_eq!(state.version, 0);
//! # });
//! # fn futures_executor(f: impl std::future::Future<Output = ()>) {
//! #     tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
//! # }
//! ```

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};

use async_trait::async_trait;
use runner_monitor_core::{
    Acknowledgement, Change, Claim, ClaimRequest, Delivery, DeliveryId, MessageReceipt, Outage,
    Receipt, Scope, ScopeState, Settlement, Silence, Store, StoreError, Timestamp, Version,
    overlaps,
};

/// One scope's data.
#[derive(Debug, Clone)]
struct ScopeData {
    state: ScopeState,
    /// Every outage still kept, by runner name then id.
    history: BTreeMap<String, BTreeMap<u64, Outage>>,
    /// The last delivery sequence number used in this scope.
    last_delivery_seq: u64,
}

/// A delivery and, once settled for good, when.
#[derive(Debug, Clone)]
struct OutboxRow {
    delivery: Delivery,
    settled_at: Option<Timestamp>,
}

#[derive(Debug, Default)]
struct Inner {
    scopes: HashMap<Scope, ScopeData>,
    outbox: BTreeMap<DeliveryId, OutboxRow>,
    /// Message receipts by (sink, key).
    receipts: BTreeMap<(String, String), MessageReceipt>,
    /// (sink, open incident key) -> receipt keys holding it open: the lookup index.
    receipts_by_member: HashMap<(String, String), HashSet<String>>,
    silences: BTreeMap<String, Silence>,
}

impl Inner {
    fn put_receipt(&mut self, receipt: &MessageReceipt) {
        let id = (receipt.sink.clone(), receipt.key.clone());
        if let Some(old) = self.receipts.remove(&id) {
            for member in old.open {
                let entry = (old.sink.clone(), member);
                if let Some(keys) = self.receipts_by_member.get_mut(&entry) {
                    keys.remove(&old.key);
                    if keys.is_empty() {
                        self.receipts_by_member.remove(&entry);
                    }
                }
            }
        }
        if receipt.open.is_empty() {
            return;
        }
        for member in &receipt.open {
            self.receipts_by_member
                .entry((receipt.sink.clone(), member.clone()))
                .or_default()
                .insert(receipt.key.clone());
        }
        self.receipts.insert(id, receipt.clone());
    }

    fn receipts_following(&self, sink: &str, incident_keys: &[String]) -> Vec<MessageReceipt> {
        let keys: std::collections::BTreeSet<&String> = incident_keys
            .iter()
            .filter_map(|member| {
                self.receipts_by_member
                    .get(&(sink.to_owned(), member.clone()))
            })
            .flatten()
            .collect();
        keys.into_iter()
            .filter_map(|key| self.receipts.get(&(sink.to_owned(), key.clone())))
            .cloned()
            .collect()
    }
}

/// An in-process [`Store`]. Clones share the same data.
#[derive(Debug, Clone, Default)]
pub struct MemoryStore {
    inner: Arc<Mutex<Inner>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave a half-applied commit (commits are built
        // on copies and swapped in), so a poisoned lock is safe to keep using.
        self.inner
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }
}

impl Inner {
    fn commit(
        &mut self,
        scope: &Scope,
        expected: Version,
        changes: &[Change],
    ) -> Result<Receipt, StoreError> {
        let current = self.scopes.get(scope);
        let actual = current.map_or(0, |data| data.state.version);
        if actual != expected {
            return Err(StoreError::Conflict {
                scope: scope.clone(),
                expected,
                actual,
            });
        }
        let mut data = current.cloned().unwrap_or_else(|| ScopeData {
            state: ScopeState::empty(scope.clone()),
            history: BTreeMap::new(),
            last_delivery_seq: 0,
        });
        // Rules first (this changes nothing on error), then history and outbox.
        data.state.apply(changes)?;
        let mut outbox = Vec::new();
        for change in changes {
            match change {
                Change::OpenOutage(outage) => {
                    data.history
                        .entry(outage.runner.clone())
                        .or_default()
                        .insert(outage.id, outage.clone());
                }
                Change::ResolveOutage {
                    runner,
                    id,
                    resolved_at,
                    resolution,
                } => {
                    if let Some(outage) = data.history.get_mut(runner).and_then(|h| h.get_mut(id)) {
                        outage.resolved_at = Some(*resolved_at);
                        outage.resolution = Some(*resolution);
                    }
                }
                Change::RecordReminder { runner, id, at } => {
                    if let Some(outage) = data.history.get_mut(runner).and_then(|h| h.get_mut(id)) {
                        outage.reminders += 1;
                        outage.last_reminded_at = Some(*at);
                    }
                }
                Change::Enqueue { sink, notification } => outbox.push((sink, notification)),
                Change::ExpireHistory { before } => {
                    for outages in data.history.values_mut() {
                        outages.retain(|_, o| o.resolved_at.is_none_or(|r| r >= *before));
                    }
                    data.history.retain(|_, outages| !outages.is_empty());
                    self.outbox.retain(|_, row| {
                        &row.delivery.notification.scope != scope
                            || row.settled_at.is_none_or(|s| s >= *before)
                    });
                }
                _ => {}
            }
        }
        for (sink, notification) in outbox {
            data.last_delivery_seq += 1;
            let id = DeliveryId {
                scope: scope.clone(),
                seq: data.last_delivery_seq,
            };
            self.outbox.insert(
                id.clone(),
                OutboxRow {
                    delivery: Delivery {
                        id,
                        sink: sink.clone(),
                        notification: notification.clone(),
                        created_at: notification.at,
                        attempts: 0,
                        next_attempt_at: notification.at,
                        last_error: None,
                        claim: None,
                    },
                    settled_at: None,
                },
            );
        }
        data.state.version = expected + 1;
        let version = data.state.version;
        self.scopes.insert(scope.clone(), data);
        Ok(Receipt { version })
    }
}

#[async_trait]
impl Store for MemoryStore {
    async fn load(&self, scope: &Scope) -> Result<ScopeState, StoreError> {
        Ok(self.lock().scopes.get(scope).map_or_else(
            || ScopeState::empty(scope.clone()),
            |data| data.state.clone(),
        ))
    }

    async fn commit(
        &self,
        scope: &Scope,
        expected: Version,
        changes: &[Change],
    ) -> Result<Receipt, StoreError> {
        self.lock().commit(scope, expected, changes)
    }

    async fn pending_deliveries(&self, limit: usize) -> Result<Vec<Delivery>, StoreError> {
        let inner = self.lock();
        let mut pending: Vec<&Delivery> = inner
            .outbox
            .values()
            .filter(|row| row.settled_at.is_none())
            .map(|row| &row.delivery)
            .collect();
        pending.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
        Ok(pending.into_iter().take(limit).cloned().collect())
    }

    async fn claim_due(&self, request: &ClaimRequest) -> Result<Vec<Delivery>, StoreError> {
        let mut inner = self.lock();
        // One pass in (scope, seq) order: the first pending delivery of each queue is its head;
        // a head that is not claimable blocks its queue.
        let mut seen: HashSet<(Scope, String, String)> = HashSet::new();
        let mut heads = Vec::new();
        for (id, row) in &inner.outbox {
            if row.settled_at.is_some() {
                continue;
            }
            let d = &row.delivery;
            let queue = (id.scope.clone(), d.sink.clone(), d.notification.subject());
            if seen.insert(queue) && request.admits(d) {
                heads.push(id.clone());
                if heads.len() == request.limit {
                    break;
                }
            }
        }
        let claim = request.claim();
        let mut claimed = Vec::with_capacity(heads.len());
        for id in heads {
            if let Some(row) = inner.outbox.get_mut(&id) {
                row.delivery.claim = Some(claim.clone());
                claimed.push(row.delivery.clone());
            }
        }
        Ok(claimed)
    }

    async fn settle_delivery(
        &self,
        id: &DeliveryId,
        claim: &Claim,
        settlement: &Settlement,
    ) -> Result<(), StoreError> {
        let mut inner = self.lock();
        let Some(row) = inner
            .outbox
            .get_mut(id)
            .filter(|row| row.settled_at.is_none())
        else {
            return Err(StoreError::NotFound {
                message: format!("no pending delivery {id}"),
            });
        };
        if row.delivery.claim.as_ref() != Some(claim) {
            return Err(StoreError::LeaseLost {
                message: format!(
                    "delivery {id} is claimed by {}",
                    row.delivery
                        .claim
                        .as_ref()
                        .map_or("nobody", |c| c.holder.as_str())
                ),
            });
        }
        row.delivery.claim = None;
        match settlement {
            Settlement::Delivered { at } | Settlement::Abandoned { at, .. } => {
                row.settled_at = Some(*at);
            }
            Settlement::Retry {
                next_attempt_at,
                error,
                ..
            } => {
                row.delivery.attempts = row.delivery.attempts.saturating_add(1);
                row.delivery.next_attempt_at = *next_attempt_at;
                row.delivery.last_error = Some(error.clone());
            }
            Settlement::Postponed { until, .. } => row.delivery.next_attempt_at = *until,
            Settlement::Released { .. } => {}
        }
        Ok(())
    }

    async fn outages(
        &self,
        scope: &Scope,
        runner: &str,
        limit: usize,
    ) -> Result<Vec<Outage>, StoreError> {
        Ok(self
            .lock()
            .scopes
            .get(scope)
            .and_then(|data| data.history.get(runner))
            .map(|outages| outages.values().rev().take(limit).cloned().collect())
            .unwrap_or_default())
    }

    async fn put_receipt(&self, receipt: &MessageReceipt) -> Result<(), StoreError> {
        self.lock().put_receipt(receipt);
        Ok(())
    }

    async fn receipts_following(
        &self,
        sink: &str,
        incident_keys: &[String],
    ) -> Result<Vec<MessageReceipt>, StoreError> {
        Ok(self.lock().receipts_following(sink, incident_keys))
    }

    async fn scopes(&self) -> Result<Vec<Scope>, StoreError> {
        let mut scopes: Vec<Scope> = self.lock().scopes.keys().cloned().collect();
        scopes.sort();
        Ok(scopes)
    }

    async fn outages_between(
        &self,
        scope: &Scope,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<Outage>, StoreError> {
        // History is keyed by runner name then id: iteration order is the contract's order.
        Ok(self
            .lock()
            .scopes
            .get(scope)
            .map(|data| {
                data.history
                    .values()
                    .flat_map(BTreeMap::values)
                    .filter(|o| overlaps(o, from, to))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default())
    }

    async fn put_silence(&self, silence: &Silence) -> Result<(), StoreError> {
        self.lock()
            .silences
            .insert(silence.id.clone(), silence.clone());
        Ok(())
    }

    async fn delete_silence(&self, id: &str) -> Result<bool, StoreError> {
        Ok(self.lock().silences.remove(id).is_some())
    }

    async fn silences(&self) -> Result<Vec<Silence>, StoreError> {
        Ok(self.lock().silences.values().cloned().collect())
    }

    async fn acknowledge(
        &self,
        scope: &Scope,
        runner: &str,
        ack: &Acknowledgement,
    ) -> Result<Outage, StoreError> {
        let not_found = || StoreError::NotFound {
            message: format!("runner {runner} of {scope} has no open outage"),
        };
        let mut inner = self.lock();
        let data = inner.scopes.get_mut(scope).ok_or_else(not_found)?;
        let open = data
            .state
            .open_outages
            .get_mut(runner)
            .ok_or_else(not_found)?;
        open.acknowledged = Some(ack.clone());
        let acknowledged = open.clone();
        if let Some(kept) = data
            .history
            .get_mut(runner)
            .and_then(|h| h.get_mut(&acknowledged.id))
        {
            kept.acknowledged = Some(ack.clone());
        }
        // A cycle planned before the acknowledgement conflicts and replans (no stale reminder).
        data.state.version += 1;
        Ok(acknowledged)
    }

    async fn wake_postponed(&self, until: Timestamp, now: Timestamp) -> Result<usize, StoreError> {
        let mut inner = self.lock();
        let mut woken = 0;
        for row in inner.outbox.values_mut() {
            let d = &mut row.delivery;
            if row.settled_at.is_none()
                && !d.is_claimed_at(now)
                && d.next_attempt_at > now
                && d.next_attempt_at <= until
            {
                d.next_attempt_at = now;
                woken += 1;
            }
        }
        Ok(woken)
    }
}
