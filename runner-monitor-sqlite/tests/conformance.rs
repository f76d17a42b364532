//! SqliteStore passes the Store conformance suite, in memory and on a file.

use runner_monitor_core::testing::store;
use runner_monitor_sqlite::SqliteStore;

#[tokio::test]
async fn conformance_suite_in_memory() {
    let store = SqliteStore::open_in_memory().expect("open");
    store::run_all(&store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance_suite_on_a_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqliteStore::open(dir.path().join("state.db")).expect("open");
    store::run_all(&store).await;
}

fn spawner() -> &'static runner_monitor_core::testing::store_gaps::Spawner {
    &|future| {
        Box::pin(async move {
            tokio::spawn(future).await.expect("a spawned task panicked");
        })
    }
}

/// Several threads on one store, and several stores (connections) on one file.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn commits_and_claims_from_several_threads_and_connections() {
    use runner_monitor_core::testing::store_gaps;
    use std::sync::Arc;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("state.db");
    let one = Arc::new(SqliteStore::open(&path).expect("open"));
    store_gaps::commits_from_threads(one.clone(), 4, 10, spawner()).await;
    store_gaps::claims_from_threads(one, 4, 200, spawner()).await;

    let other = dir.path().join("other.db");
    let stores: Vec<Arc<SqliteStore>> = (0..3)
        .map(|_| Arc::new(SqliteStore::open(&other).expect("open")))
        .collect();
    let shared: Arc<dyn runner_monitor_core::Store> = Arc::new(RoundRobin {
        stores,
        next: std::sync::atomic::AtomicUsize::new(0),
    });
    store_gaps::commits_from_threads(shared.clone(), 3, 8, spawner()).await;
    store_gaps::claims_from_threads(shared, 3, 150, spawner()).await;
}

#[tokio::test]
async fn ten_thousand_backlog_deliveries_do_not_delay_a_due_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqliteStore::open(dir.path().join("state.db")).expect("open");
    runner_monitor_core::testing::outbox::due_heads_ignore_a_backlog(&store, 10_000).await;
}

/// Each call goes to the next of several connections to one file (as several processes would).
#[derive(Debug)]
struct RoundRobin {
    stores: Vec<std::sync::Arc<SqliteStore>>,
    next: std::sync::atomic::AtomicUsize,
}

impl RoundRobin {
    fn pick(&self) -> &SqliteStore {
        let i = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        &self.stores[i % self.stores.len()]
    }
}

#[async_trait::async_trait]
impl runner_monitor_core::Store for RoundRobin {
    async fn load(
        &self,
        scope: &runner_monitor_core::Scope,
    ) -> Result<runner_monitor_core::ScopeState, runner_monitor_core::StoreError> {
        self.pick().load(scope).await
    }
    async fn commit(
        &self,
        scope: &runner_monitor_core::Scope,
        expected: runner_monitor_core::Version,
        changes: &[runner_monitor_core::Change],
    ) -> Result<runner_monitor_core::Receipt, runner_monitor_core::StoreError> {
        self.pick().commit(scope, expected, changes).await
    }
    async fn pending_deliveries(
        &self,
        limit: usize,
    ) -> Result<Vec<runner_monitor_core::Delivery>, runner_monitor_core::StoreError> {
        self.pick().pending_deliveries(limit).await
    }
    async fn claim_due(
        &self,
        request: &runner_monitor_core::ClaimRequest,
    ) -> Result<Vec<runner_monitor_core::Delivery>, runner_monitor_core::StoreError> {
        self.pick().claim_due(request).await
    }
    async fn settle_delivery(
        &self,
        id: &runner_monitor_core::DeliveryId,
        claim: &runner_monitor_core::Claim,
        settlement: &runner_monitor_core::Settlement,
    ) -> Result<(), runner_monitor_core::StoreError> {
        self.pick().settle_delivery(id, claim, settlement).await
    }
    async fn outages(
        &self,
        scope: &runner_monitor_core::Scope,
        runner: &str,
        limit: usize,
    ) -> Result<Vec<runner_monitor_core::Outage>, runner_monitor_core::StoreError> {
        self.pick().outages(scope, runner, limit).await
    }
    async fn scopes(
        &self,
    ) -> Result<Vec<runner_monitor_core::Scope>, runner_monitor_core::StoreError> {
        self.pick().scopes().await
    }
}
