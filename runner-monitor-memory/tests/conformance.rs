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
