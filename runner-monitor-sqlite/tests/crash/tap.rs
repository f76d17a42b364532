//! A Store that delegates to SqliteStore and journals what it has committed.

use std::path::PathBuf;

use async_trait::async_trait;
use runner_monitor_core::{
    Change, Claim, ClaimRequest, Delivery, DeliveryId, MessageReceipt, Outage, Receipt, Scope,
    ScopeState, Settlement, Store, StoreError, Timestamp, Version,
};
use runner_monitor_sqlite::SqliteStore;

use super::journal;

#[derive(Debug)]
pub struct Tap {
    pub inner: SqliteStore,
    pub log: PathBuf,
}

#[async_trait]
impl Store for Tap {
    async fn load(&self, scope: &Scope) -> Result<ScopeState, StoreError> {
        self.inner.load(scope).await
    }

    async fn commit(
        &self,
        scope: &Scope,
        expected: Version,
        changes: &[Change],
    ) -> Result<Receipt, StoreError> {
        let receipt = self.inner.commit(scope, expected, changes).await?;
        let lines: Vec<String> = changes
            .iter()
            .filter_map(|change| match change {
                Change::OpenOutage(o) => Some(format!("O\t{scope}\t{}\t{}", o.runner, o.id)),
                Change::ResolveOutage { runner, id, .. } => {
                    Some(format!("R\t{scope}\t{runner}\t{id}"))
                }
                Change::Enqueue { sink, notification } => Some(format!(
                    "D\t{scope}\t{sink}\t{}",
                    notification.idempotency_key()
                )),
                _ => None,
            })
            .collect();
        journal::append(&self.log, &lines);
        Ok(receipt)
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
        self.inner.settle_delivery(id, claim, settlement).await?;
        if matches!(
            settlement,
            Settlement::Delivered { .. } | Settlement::Abandoned { .. }
        ) {
            journal::append(&self.log, &[format!("S\t{}\t{}", id.scope, id.seq)]);
        }
        Ok(())
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
        self.inner.outages(scope, runner, limit).await
    }

    async fn scopes(&self) -> Result<Vec<Scope>, StoreError> {
        self.inner.scopes().await
    }

    async fn wake_postponed(&self, until: Timestamp, now: Timestamp) -> Result<usize, StoreError> {
        self.inner.wake_postponed(until, now).await
    }
}
