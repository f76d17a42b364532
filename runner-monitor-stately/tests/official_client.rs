//! The official `@stately-cloud/client` (npm, driven by `tests/official_client/run.mjs`) against
//! the emulator: its own checks, then a scope it seeded with the original monitor's fields is
//! taken over by `StatelyStore` (runner established, outage ids continue, the open outage is
//! resolved), and the official client reads back what Rust wrote.
//!
//! Needs `node` and `npm ci` in `tests/official_client`; without them the test is skipped with a
//! message, unless `RUNNER_MONITOR_REQUIRE_NODE=1` (set by `.ci/run`), where it fails.
#![cfg(feature = "emulator")]

mod on_emulator;

use std::path::{Path, PathBuf};
use std::process::Stdio;

use runner_monitor_core::testing::outage;
use runner_monitor_core::{Change, Resolution, RunnerStatus, Scope, Store};
use runner_monitor_stately::StatelyStore;
use runner_monitor_stately::emulator::Emulator;

fn project() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/official_client")
}

/// Whether node and the installed client are present; panics in CI when they are not.
fn node_ready() -> bool {
    let node = std::process::Command::new("node")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    let installed = project()
        .join("node_modules/@stately-cloud/client")
        .is_dir();
    if node && installed {
        return true;
    }
    let why = if node {
        "run `npm ci` in runner-monitor-stately/tests/official_client"
    } else {
        "node is not installed"
    };
    assert!(
        std::env::var_os("RUNNER_MONITOR_REQUIRE_NODE").is_none(),
        "official client test cannot run: {why}"
    );
    eprintln!("skipping the official client test: {why}");
    false
}

async fn node(phase: &str, emulator: &Emulator) {
    let out = tokio::process::Command::new("node")
        .arg("run.mjs")
        .arg(phase)
        .arg(emulator.endpoint())
        .arg(emulator.store_id().to_string())
        .current_dir(project())
        .output();
    let out = tokio::time::timeout(std::time::Duration::from_secs(120), out)
        .await
        .expect("node finished in time")
        .expect("node runs");
    assert!(
        out.status.success(),
        "node {phase} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_official_client_and_statelystore_read_each_others_items() {
    if !node_ready() {
        return;
    }
    // The system clock: the official client stamps items with Date.now().
    let emulator = Emulator::start().await.expect("emulator");
    node("checks", &emulator).await;
    node("seed", &emulator).await;

    let store = StatelyStore::new(&on_emulator::config(&emulator)).expect("store");
    let scope: Scope = "acme/api".parse().expect("scope");
    let state = store.load(&scope).await.expect("load");
    assert_eq!(state.version, 0, "never committed by runner-monitor");
    let mbp = &state.runners["mbp"];
    assert_eq!((mbp.id, mbp.status), (23, RunnerStatus::Offline));
    assert!(mbp.ever_healthy, "an original runner loads as established");
    assert_eq!(state.open_outages["mbp"].id, 2);
    assert_eq!(state.next_outage_id("mbp"), 3, "outage ids continue");

    let now = chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now());
    let v1 = store
        .commit(
            &scope,
            0,
            &[Change::ResolveOutage {
                runner: "mbp".into(),
                id: 2,
                resolved_at: now,
                resolution: Resolution::Recovered(RunnerStatus::Idle),
            }],
        )
        .await
        .expect("resolve")
        .version;
    let mut third = outage("mbp", 3, now);
    third.runner_id = 23;
    store
        .commit(&scope, v1, &[Change::OpenOutage(third)])
        .await
        .expect("open");
    let ids: Vec<u64> = store
        .outages(&scope, "mbp", 10)
        .await
        .expect("history")
        .iter()
        .map(|o| o.id)
        .collect();
    assert_eq!(ids, [3, 2, 1]);

    node("verify", &emulator).await;
}
