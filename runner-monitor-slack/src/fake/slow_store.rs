//! [`SlowStore`]: a [`Store`] that takes its time to load, to test Slack's 3-second rule.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use runner_monitor_core::{
    Acknowledgement, Change, Claim, ClaimRequest, Delivery, DeliveryId, MessageReceipt, Outage,
    Receipt, Scope, ScopeState, Settlement, Silence, Store, StoreError, Timestamp, Version,
};

/// Wraps a store; `load` and `outages` sleep for the configured delay first. Counts the loads.
#[derive(Debug)]
pub struct SlowStore {
    inner: Arc<dyn Store>,
    delay: Duration,
    loads: AtomicU64,
}

impl SlowStore {
    /// `inner`, with `delay` before every read a slash command makes.
    pub fn new(inner: Arc<dyn Store>, delay: Duration) -> Self {
        SlowStore {
            inner,
            delay,
            loads: AtomicU64::new(0),
        }
    }

    /// `load` and `outages` calls so far.
    pub fn reads(&self) -> u64 {
        self.loads.load(Ordering::Relaxed)
    }
}

#[async_trait]
impl Store for SlowStore {
    async fn load(&self, scope: &Scope) -> Result<ScopeState, StoreError> {
        self.loads.fetch_add(1, Ordering::Relaxed);
        tokio::time::sleep(self.delay).await;
        self.inner.load(scope).await
    }
    async fn commit(
        &self,
        scope: &Scope,
        expected: Version,
        changes: &[Change],
    ) -> Result<Receipt, StoreError> {
        self.inner.commit(scope, expected, changes).await
    }
    async fn pending_deliveries(&self, limit: usize) -> Result<Vec<Delivery>, StoreError> {
        self.inner.pending_deliveries(limit).await
    }
    async fn claim_due(&self, request: &ClaimRequest) -> Result<Vec<Delivery>, StoreError> {
        self.inner.claim_due(request).await
    }
    async fn settle_delivery(
        &self,
        id: &DeliveryId,
        claim: &Claim,
        settlement: &Settlement,
    ) -> Result<(), StoreError> {
        self.inner.settle_delivery(id, claim, settlement).await
    }
    async fn put_receipt(&self, receipt: &MessageReceipt) -> Result<(), StoreError> {
        self.inner.put_receipt(receipt).await
    }

    async fn receipts_following(
        &self,
        sink: &str,
        incident_keys: &[String],
    ) -> Result<Vec<MessageReceipt>, StoreError> {
        self.inner.receipts_following(sink, incident_keys).await
    }

    async fn outages(
        &self,
        scope: &Scope,
        runner: &str,
        limit: usize,
    ) -> Result<Vec<Outage>, StoreError> {
        self.loads.fetch_add(1, Ordering::Relaxed);
        tokio::time::sleep(self.delay).await;
        self.inner.outages(scope, runner, limit).await
    }
    async fn outages_between(
        &self,
        scope: &Scope,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<Outage>, StoreError> {
        self.inner.outages_between(scope, from, to).await
    }
    async fn scopes(&self) -> Result<Vec<Scope>, StoreError> {
        self.inner.scopes().await
    }

    async fn put_silence(&self, silence: &Silence) -> Result<(), StoreError> {
        self.inner.put_silence(silence).await
    }

    async fn delete_silence(&self, id: &str) -> Result<bool, StoreError> {
        self.inner.delete_silence(id).await
    }

    async fn silences(&self) -> Result<Vec<Silence>, StoreError> {
        self.inner.silences().await
    }

    async fn acknowledge(
        &self,
        scope: &Scope,
        runner: &str,
        ack: &Acknowledgement,
    ) -> Result<Outage, StoreError> {
        self.inner.acknowledge(scope, runner, ack).await
    }

    async fn wake_postponed(&self, until: Timestamp, now: Timestamp) -> Result<usize, StoreError> {
        self.inner.wake_postponed(until, now).await
    }
}
