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
    let stores: Vec<Arc<dyn runner_monitor_core::Store>> = (0..3)
        .map(|_| Arc::new(SqliteStore::open(&other).expect("open")) as _)
        .collect();
    let shared: Arc<dyn runner_monitor_core::Store> =
        Arc::new(runner_monitor_core::testing::RoundRobinStore::new(stores));
    store_gaps::commits_from_threads(shared.clone(), 3, 8, spawner()).await;
    store_gaps::claims_from_threads(shared, 3, 150, spawner()).await;
}

#[tokio::test]
async fn ten_thousand_backlog_deliveries_do_not_delay_a_due_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqliteStore::open(dir.path().join("state.db")).expect("open");
    runner_monitor_core::testing::outbox::due_heads_ignore_a_backlog(&store, 10_000).await;
}
