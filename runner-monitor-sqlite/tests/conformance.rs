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
