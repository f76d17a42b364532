//! The official `@stately-cloud/client` (npm, driven by `tests/official_client/run.mjs`) against
//! the emulator: its own checks, then a scope it seeded with the original monitor's fields is
//! taken over by `StatelyStore` (runner established, outage ids continue, the open outage is
//! resolved), and the official client reads back what Rust wrote.
//!
//! A second test has the official client seed a store exactly as the original monitor wrote it
//! (original layout: `/repo-<name>`, org runners in the repository's group, schema version 2),
//! which a `Monitor` on `StatelyStore` with `Layout::Original` takes over; then the official
//! client reads it the way the original's Slack commands do.
//!
//! Needs `node` and `npm ci` in `tests/official_client`; without them the test is skipped with a
//! message, unless `RUNNER_MONITOR_REQUIRE_NODE=1` (set by `.ci/run`), where it fails.
#![cfg(feature = "emulator")]

mod on_emulator;

use std::path::{Path, PathBuf};
use std::process::Stdio;

use std::sync::Arc;

use runner_monitor_core::testing::{RecordingNotifier, ScriptedSource, observed, outage};
use runner_monitor_core::{
    Change, Monitor, NotificationKind, Observation, Resolution, RunnerStatus, Scope, Store,
};
use runner_monitor_stately::emulator::Emulator;
use runner_monitor_stately::{Layout, StatelyStore};

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

/// The original's deployment: repositories `["acme/api"]`, organizations `["acme"]`; the
/// repository has no runners of its own, so the org's runners (listed by the org endpoint) are
/// what the original stored in `/repo-api`. The team watches `org:acme` with
/// `org_groups = { acme = "api" }`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_the_original_wrote_is_taken_over_in_place() {
    if !node_ready() {
        return;
    }
    let emulator = Emulator::start().await.expect("emulator");
    node("seed-original", &emulator).await;

    let config = on_emulator::config(&emulator)
        .layout(Layout::Original)
        .org_group("acme", "api");
    let store = StatelyStore::new(&config).expect("store");
    let scope: Scope = "org:acme".parse().expect("scope");
    store
        .check_scopes(std::slice::from_ref(&scope))
        .expect("one scope per group");
    let state = store.load(&scope).await.expect("load");
    assert_eq!(state.version, 0, "never committed by runner-monitor");
    let names: Vec<&str> = state.runners.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        ["lnx", "mbp", "org-1"],
        "the org's runners, where the original put them"
    );
    assert!(
        state.runners.values().all(|r| r.ever_healthy),
        "established"
    );
    assert_eq!(
        state.open_outages["mbp"].id, 2,
        "the original's open outage"
    );
    assert_eq!(state.next_outage_id("mbp"), 3);

    let store: Arc<dyn Store> = Arc::new(store);
    let source = Arc::new(ScriptedSource::new());
    let notifier = Arc::new(RecordingNotifier::new());
    let monitor = Monitor::builder(source.clone(), store.clone())
        .scope(scope.clone())
        .sink("slack", notifier.clone())
        // Each notification sent by the cycle that planned it (no grouping hold-back).
        .policy(runner_monitor_core::Policy {
            group_wait: std::time::Duration::ZERO,
            ..runner_monitor_core::Policy::default()
        })
        .build()
        .expect("monitor");
    let listing = |mbp_online: bool| {
        Ok(Observation {
            runners: vec![
                observed("lnx", 24, true, false),
                observed("mbp", 23, mbp_online, false),
                observed("org-1", 31, true, false),
            ],
        })
    };
    // System time: the official client stamped the items with Date.now().
    let t0 = chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now());
    let at = |s: i64| t0 + chrono::Duration::seconds(s);

    // mbp is back: the original's outage 2 resolves; nobody else is alerted (established).
    source.set(&scope, listing(true));
    let first = monitor.run_cycle(at(0)).await;
    assert!(!first.has_errors(), "{first:?}");
    assert_eq!(first.scopes[0].outages_resolved, 1, "{first:?}");
    assert_eq!(first.scopes[0].outages_opened, 0, "{first:?}");
    let delivered = notifier.delivered();
    assert_eq!(delivered.len(), 1, "{delivered:?}");
    assert!(matches!(&delivered[0].kind,
        NotificationKind::OutageResolved { runner, outage, .. } if runner.name == "mbp" && outage.id == 2));

    // mbp goes offline again: after open_after the next outage continues the original's ids.
    source.set(&scope, listing(false));
    monitor.run_cycle(at(60)).await;
    let opened = monitor.run_cycle(at(300)).await;
    assert!(!opened.has_errors(), "{opened:?}");
    assert_eq!(opened.scopes[0].outages_opened, 1, "{opened:?}");
    let delivered = notifier.delivered();
    assert_eq!(delivered.len(), 2, "exactly one alert more: {delivered:?}");
    assert!(matches!(&delivered[1].kind,
        NotificationKind::OutageOpened { runner, outage } if runner.name == "mbp" && outage.id == 3));
    let ids: Vec<u64> = store
        .outages(&scope, "mbp", 10)
        .await
        .expect("history")
        .iter()
        .map(|o| o.id)
        .collect();
    assert_eq!(ids, [3, 2, 1]);

    // What Rust wrote is what the original's Slack commands and probe read.
    node("verify-original", &emulator).await;
}
