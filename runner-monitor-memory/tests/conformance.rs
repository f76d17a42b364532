//! MemoryStore passes the Store conformance suite.

use runner_monitor_core::testing::store;
use runner_monitor_memory::MemoryStore;

#[tokio::test]
async fn conformance_suite() {
    store::run_all(&MemoryStore::new()).await;
}

#[tokio::test]
async fn clones_share_data() {
    use runner_monitor_core::{Change, ScopeRecord, Store};
    let a = MemoryStore::new();
    let b = a.clone();
    let scope = "acme/api".parse().expect("scope");
    a.commit(&scope, 0, &[Change::PutScope(ScopeRecord::default())])
        .await
        .expect("commit");
    assert_eq!(b.load(&scope).await.expect("load").version, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_commits_from_threads_exactly_one_wins() {
    use runner_monitor_core::{Change, ScopeRecord, Store};
    let store = MemoryStore::new();
    let scope: runner_monitor_core::Scope = "acme/race".parse().expect("scope");
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let store = store.clone();
            let scope = scope.clone();
            tokio::spawn(async move {
                store
                    .commit(&scope, 0, &[Change::PutScope(ScopeRecord::default())])
                    .await
            })
        })
        .collect();
    let mut wins = 0;
    for task in tasks {
        if task.await.expect("join").is_ok() {
            wins += 1;
        }
    }
    assert_eq!(wins, 1);
}

fn spawner() -> &'static runner_monitor_core::testing::store_gaps::Spawner {
    &|future| {
        Box::pin(async move {
            tokio::spawn(future).await.expect("a spawned task panicked");
        })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn commits_and_claims_from_several_threads() {
    use runner_monitor_core::testing::store_gaps;
    let store = std::sync::Arc::new(MemoryStore::new());
    store_gaps::commits_from_threads(store.clone(), 4, 25, spawner()).await;
    store_gaps::claims_from_threads(store, 4, 400, spawner()).await;
}

#[tokio::test]
async fn ten_thousand_backlog_deliveries_do_not_delay_a_due_one() {
    runner_monitor_core::testing::outbox::due_heads_ignore_a_backlog(&MemoryStore::new(), 10_000)
        .await;
}

/// A store that leaves `outages_between` to the trait's default (load + `outages` per name).
#[derive(Debug)]
struct DefaultRange(MemoryStore);

#[async_trait::async_trait]
impl runner_monitor_core::Store for DefaultRange {
    async fn load(
        &self,
        scope: &runner_monitor_core::Scope,
    ) -> Result<runner_monitor_core::ScopeState, runner_monitor_core::StoreError> {
        self.0.load(scope).await
    }
    async fn commit(
        &self,
        scope: &runner_monitor_core::Scope,
        expected: u64,
        changes: &[runner_monitor_core::Change],
    ) -> Result<runner_monitor_core::Receipt, runner_monitor_core::StoreError> {
        self.0.commit(scope, expected, changes).await
    }
    async fn pending_deliveries(
        &self,
        limit: usize,
    ) -> Result<Vec<runner_monitor_core::Delivery>, runner_monitor_core::StoreError> {
        self.0.pending_deliveries(limit).await
    }
    async fn claim_due(
        &self,
        request: &runner_monitor_core::ClaimRequest,
    ) -> Result<Vec<runner_monitor_core::Delivery>, runner_monitor_core::StoreError> {
        self.0.claim_due(request).await
    }
    async fn settle_delivery(
        &self,
        id: &runner_monitor_core::DeliveryId,
        claim: &runner_monitor_core::Claim,
        settlement: &runner_monitor_core::Settlement,
    ) -> Result<(), runner_monitor_core::StoreError> {
        self.0.settle_delivery(id, claim, settlement).await
    }
    async fn outages(
        &self,
        scope: &runner_monitor_core::Scope,
        runner: &str,
        limit: usize,
    ) -> Result<Vec<runner_monitor_core::Outage>, runner_monitor_core::StoreError> {
        self.0.outages(scope, runner, limit).await
    }
    async fn scopes(
        &self,
    ) -> Result<Vec<runner_monitor_core::Scope>, runner_monitor_core::StoreError> {
        self.0.scopes().await
    }

    async fn wake_postponed(
        &self,
        until: runner_monitor_core::Timestamp,
        now: runner_monitor_core::Timestamp,
    ) -> Result<usize, runner_monitor_core::StoreError> {
        self.0.wake_postponed(until, now).await
    }
}

#[tokio::test]
async fn the_default_outages_between_meets_the_contract() {
    store::outages_between_selects_by_overlap(&DefaultRange(MemoryStore::new())).await;
}
