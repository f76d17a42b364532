//! [`CountingStore`]: wraps a [`Store`] and counts calls, to assert costs (not timings) in tests.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;

use crate::model::{
    Acknowledgement, Change, Claim, ClaimRequest, Delivery, DeliveryId, MessageReceipt, Outage,
    Scope, ScopeState, Settlement, Silence, Timestamp, Version,
};
use crate::ports::{Receipt, Store, StoreError};

/// Calls made through a [`CountingStore`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StoreCounts {
    /// `load` calls.
    pub loads: usize,
    /// `commit` calls (successful or not).
    pub commits: usize,
    /// Changes passed to `commit`.
    pub changes: usize,
    /// `pending_deliveries` and `claim_due` calls.
    pub outbox_reads: usize,
    /// Deliveries returned by `pending_deliveries` and `claim_due`.
    pub outbox_rows: usize,
    /// `settle_delivery` calls.
    pub settles: usize,
    /// `outages`, `outages_between` and `scopes` calls.
    pub other_reads: usize,
    /// `put_receipt` and `receipts_following` calls.
    pub receipts: usize,
    /// `silences`, `put_silence`, `delete_silence` and `acknowledge` calls.
    pub silence_calls: usize,
    /// `wake_postponed` calls.
    pub wakes: usize,
}

impl StoreCounts {
    /// Calls that write to the state and the outbox: commits, settles and wake-ups.
    pub fn writes(&self) -> usize {
        self.commits + self.settles + self.wakes
    }
}

/// A [`Store`] that forwards to another and counts each call.
#[derive(Debug)]
pub struct CountingStore {
    inner: Arc<dyn Store>,
    loads: AtomicUsize,
    commits: AtomicUsize,
    changes: AtomicUsize,
    outbox_reads: AtomicUsize,
    outbox_rows: AtomicUsize,
    settles: AtomicUsize,
    other_reads: AtomicUsize,
    receipts: AtomicUsize,
    silence_calls: AtomicUsize,
    wakes: AtomicUsize,
}

impl CountingStore {
    /// Wraps `inner`.
    pub fn new(inner: Arc<dyn Store>) -> Self {
        CountingStore {
            inner,
            loads: AtomicUsize::new(0),
            commits: AtomicUsize::new(0),
            changes: AtomicUsize::new(0),
            outbox_reads: AtomicUsize::new(0),
            outbox_rows: AtomicUsize::new(0),
            settles: AtomicUsize::new(0),
            other_reads: AtomicUsize::new(0),
            receipts: AtomicUsize::new(0),
            silence_calls: AtomicUsize::new(0),
            wakes: AtomicUsize::new(0),
        }
    }

    /// The counts so far.
    pub fn counts(&self) -> StoreCounts {
        StoreCounts {
            loads: self.loads.load(Ordering::SeqCst),
            commits: self.commits.load(Ordering::SeqCst),
            changes: self.changes.load(Ordering::SeqCst),
            outbox_reads: self.outbox_reads.load(Ordering::SeqCst),
            outbox_rows: self.outbox_rows.load(Ordering::SeqCst),
            settles: self.settles.load(Ordering::SeqCst),
            other_reads: self.other_reads.load(Ordering::SeqCst),
            receipts: self.receipts.load(Ordering::SeqCst),
            silence_calls: self.silence_calls.load(Ordering::SeqCst),
            wakes: self.wakes.load(Ordering::SeqCst),
        }
    }
}

#[async_trait]
impl Store for CountingStore {
    async fn load(&self, scope: &Scope) -> Result<ScopeState, StoreError> {
        self.loads.fetch_add(1, Ordering::SeqCst);
        self.inner.load(scope).await
    }

    async fn commit(
        &self,
        scope: &Scope,
        expected: Version,
        changes: &[Change],
    ) -> Result<Receipt, StoreError> {
        self.commits.fetch_add(1, Ordering::SeqCst);
        self.changes.fetch_add(changes.len(), Ordering::SeqCst);
        self.inner.commit(scope, expected, changes).await
    }

    async fn pending_deliveries(&self, limit: usize) -> Result<Vec<Delivery>, StoreError> {
        self.outbox_reads.fetch_add(1, Ordering::SeqCst);
        let rows = self.inner.pending_deliveries(limit).await?;
        self.outbox_rows.fetch_add(rows.len(), Ordering::SeqCst);
        Ok(rows)
    }

    async fn claim_due(&self, request: &ClaimRequest) -> Result<Vec<Delivery>, StoreError> {
        self.outbox_reads.fetch_add(1, Ordering::SeqCst);
        let rows = self.inner.claim_due(request).await?;
        self.outbox_rows.fetch_add(rows.len(), Ordering::SeqCst);
        Ok(rows)
    }

    async fn settle_delivery(
        &self,
        id: &DeliveryId,
        claim: &Claim,
        settlement: &Settlement,
    ) -> Result<(), StoreError> {
        self.settles.fetch_add(1, Ordering::SeqCst);
        self.inner.settle_delivery(id, claim, settlement).await
    }

    async fn outages(
        &self,
        scope: &Scope,
        runner: &str,
        limit: usize,
    ) -> Result<Vec<Outage>, StoreError> {
        self.other_reads.fetch_add(1, Ordering::SeqCst);
        self.inner.outages(scope, runner, limit).await
    }

    async fn put_receipt(&self, receipt: &MessageReceipt) -> Result<(), StoreError> {
        self.receipts.fetch_add(1, Ordering::SeqCst);
        self.inner.put_receipt(receipt).await
    }

    async fn receipts_following(
        &self,
        sink: &str,
        incident_keys: &[String],
    ) -> Result<Vec<MessageReceipt>, StoreError> {
        self.receipts.fetch_add(1, Ordering::SeqCst);
        self.inner.receipts_following(sink, incident_keys).await
    }

    async fn scopes(&self) -> Result<Vec<Scope>, StoreError> {
        self.other_reads.fetch_add(1, Ordering::SeqCst);
        self.inner.scopes().await
    }

    async fn outages_between(
        &self,
        scope: &Scope,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<Outage>, StoreError> {
        self.other_reads.fetch_add(1, Ordering::SeqCst);
        self.inner.outages_between(scope, from, to).await
    }

    async fn put_silence(&self, silence: &Silence) -> Result<(), StoreError> {
        self.silence_calls.fetch_add(1, Ordering::SeqCst);
        self.inner.put_silence(silence).await
    }

    async fn delete_silence(&self, id: &str) -> Result<bool, StoreError> {
        self.silence_calls.fetch_add(1, Ordering::SeqCst);
        self.inner.delete_silence(id).await
    }

    async fn silences(&self) -> Result<Vec<Silence>, StoreError> {
        self.silence_calls.fetch_add(1, Ordering::SeqCst);
        self.inner.silences().await
    }

    async fn acknowledge(
        &self,
        scope: &Scope,
        runner: &str,
        ack: &Acknowledgement,
    ) -> Result<Outage, StoreError> {
        self.silence_calls.fetch_add(1, Ordering::SeqCst);
        self.inner.acknowledge(scope, runner, ack).await
    }

    async fn wake_postponed(&self, until: Timestamp, now: Timestamp) -> Result<usize, StoreError> {
        self.wakes.fetch_add(1, Ordering::SeqCst);
        self.inner.wake_postponed(until, now).await
    }
}
