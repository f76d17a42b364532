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
