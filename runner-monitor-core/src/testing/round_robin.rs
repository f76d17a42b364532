//! [`RoundRobinStore`]: spreads calls over several stores on one backend (several connections
//! or clients, as several processes would be), to test cross-connection atomicity.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;

use crate::model::{
    Acknowledgement, Change, Claim, ClaimRequest, Delivery, DeliveryId, MessageReceipt, Outage,
    Scope, ScopeState, Settlement, Silence, Timestamp, Version,
};
use crate::ports::{Receipt, Store, StoreError};

/// A [`Store`] that sends each call to the next of `stores` in turn.
#[derive(Debug)]
pub struct RoundRobinStore {
    stores: Vec<Arc<dyn Store>>,
    next: AtomicUsize,
}

impl RoundRobinStore {
    /// Over `stores` (at least one).
    ///
    /// # Panics
    /// If `stores` is empty (a test setup error).
    pub fn new(stores: Vec<Arc<dyn Store>>) -> Self {
        assert!(!stores.is_empty(), "RoundRobinStore needs a store");
        RoundRobinStore {
            stores,
            next: AtomicUsize::new(0),
        }
    }

    fn pick(&self) -> &dyn Store {
        let i = self.next.fetch_add(1, Ordering::Relaxed);
        self.stores[i % self.stores.len()].as_ref()
    }
}

#[async_trait]
impl Store for RoundRobinStore {
    async fn load(&self, scope: &Scope) -> Result<ScopeState, StoreError> {
        self.pick().load(scope).await
    }

    async fn commit(
        &self,
        scope: &Scope,
        expected: Version,
        changes: &[Change],
    ) -> Result<Receipt, StoreError> {
        self.pick().commit(scope, expected, changes).await
    }

    async fn pending_deliveries(&self, limit: usize) -> Result<Vec<Delivery>, StoreError> {
        self.pick().pending_deliveries(limit).await
    }

    async fn claim_due(&self, request: &ClaimRequest) -> Result<Vec<Delivery>, StoreError> {
        self.pick().claim_due(request).await
    }

    async fn settle_delivery(
        &self,
        id: &DeliveryId,
        claim: &Claim,
        settlement: &Settlement,
    ) -> Result<(), StoreError> {
        self.pick().settle_delivery(id, claim, settlement).await
    }

    async fn put_receipt(&self, receipt: &MessageReceipt) -> Result<(), StoreError> {
        self.pick().put_receipt(receipt).await
    }

    async fn receipts_following(
        &self,
        sink: &str,
        incident_keys: &[String],
    ) -> Result<Vec<MessageReceipt>, StoreError> {
        self.pick().receipts_following(sink, incident_keys).await
    }

    async fn outages(
        &self,
        scope: &Scope,
        runner: &str,
        limit: usize,
    ) -> Result<Vec<Outage>, StoreError> {
        self.pick().outages(scope, runner, limit).await
    }

    async fn outages_between(
        &self,
        scope: &Scope,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<Outage>, StoreError> {
        self.pick().outages_between(scope, from, to).await
    }

    async fn scopes(&self) -> Result<Vec<Scope>, StoreError> {
        self.pick().scopes().await
    }

    async fn put_silence(&self, silence: &Silence) -> Result<(), StoreError> {
        self.pick().put_silence(silence).await
    }

    async fn delete_silence(&self, id: &str) -> Result<bool, StoreError> {
        self.pick().delete_silence(id).await
    }

    async fn silences(&self) -> Result<Vec<Silence>, StoreError> {
        self.pick().silences().await
    }

    async fn acknowledge(
        &self,
        scope: &Scope,
        runner: &str,
        ack: &Acknowledgement,
    ) -> Result<Outage, StoreError> {
        self.pick().acknowledge(scope, runner, ack).await
    }

    async fn wake_postponed(&self, until: Timestamp, now: Timestamp) -> Result<usize, StoreError> {
        self.pick().wake_postponed(until, now).await
    }
}
