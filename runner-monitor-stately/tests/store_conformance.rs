//! The core Store conformance suite against StatelyStore on the emulator.
#![cfg(feature = "emulator")]

mod on_emulator;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance_suite_passes() {
    let (_emulator, store) = on_emulator::start().await;
    runner_monitor_core::testing::store::run_all(&store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance_suite_passes_with_tiny_pages() {
    // Every list (plain and inside transactions) needs several pages and several messages.
    let (emulator, store) =
        on_emulator::start_with(on_emulator::builder().page_cap(2).stream_chunk(1)).await;
    runner_monitor_core::testing::store::run_all(&store).await;
    let stats = emulator.stats();
    assert!(
        stats.calls(runner_monitor_stately::emulator::Method::ContinueList) > 0,
        "continuation was exercised"
    );
}

fn spawner() -> &'static runner_monitor_core::testing::store_gaps::Spawner {
    &|future| {
        Box::pin(async move {
            tokio::spawn(future).await.expect("a spawned task panicked");
        })
    }
}

/// Commits and claims from several threads, through two clients (as two processes would be):
/// the optimistic transactions let one of each race win.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn commits_and_claims_from_several_threads_and_clients() {
    use runner_monitor_core::testing::{RoundRobinStore, store_gaps};
    use std::sync::Arc;
    let (emulator, store) = on_emulator::start().await;
    let second = runner_monitor_stately::StatelyStore::new(&on_emulator::config(&emulator))
        .expect("second client");
    let shared: Arc<dyn runner_monitor_core::Store> = Arc::new(RoundRobinStore::new(vec![
        Arc::new(store),
        Arc::new(second),
    ]));
    store_gaps::commits_from_threads(shared.clone(), 3, 4, spawner()).await;
    store_gaps::claims_from_threads(shared, 3, 60, spawner()).await;
}
