//! Two stores on one file: optimistic commits across connections; reads never write.

use runner_monitor_core::testing::{at, delivery_notification, outage, runner_record};
use runner_monitor_core::{Change, RunnerStatus, Scope, Store, StoreError};
use runner_monitor_sqlite::SqliteStore;

fn attempt(scope: &Scope, round: u64, who: &str, outage_id: u64) -> Vec<Change> {
    vec![
        Change::PutRunner(runner_record(
            &format!("{who}-{round}"),
            round,
            RunnerStatus::Offline,
            at(0),
        )),
        Change::OpenOutage(outage("shared", outage_id, at(round as i64))),
        Change::Enqueue {
            sink: "slack".into(),
            notification: delivery_notification(scope, "shared", outage_id, at(round as i64)),
        },
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_stores_on_one_file_exactly_one_commit_wins() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("state.db");
    let a = SqliteStore::open(&path).expect("open a");
    let b = SqliteStore::open(&path).expect("open b");
    let scope: Scope = "acme/race".parse().expect("scope");
    let rounds = 25u64;
    let mut wins = (0, 0);
    for round in 1..=rounds {
        let state = a.load(&scope).await.expect("load");
        assert_eq!(b.load(&scope).await.expect("load").version, state.version);
        let id = state.next_outage_id("shared");
        let mut changes_a = attempt(&scope, round, "a", id);
        let mut changes_b = attempt(&scope, round, "b", id);
        if let Some(open) = state.open_outages.get("shared") {
            let resolve = Change::ResolveOutage {
                runner: "shared".into(),
                id: open.id,
                resolved_at: at(round as i64),
                resolution: runner_monitor_core::Resolution::Removed,
            };
            changes_a.insert(0, resolve.clone());
            changes_b.insert(0, resolve);
        }
        let (ra, rb) = futures::join!(
            a.commit(&scope, state.version, &changes_a),
            b.commit(&scope, state.version, &changes_b)
        );
        match (&ra, &rb) {
            (Ok(_), Err(StoreError::Conflict { .. })) => wins.0 += 1,
            (Err(StoreError::Conflict { .. }), Ok(_)) => wins.1 += 1,
            other => panic!("round {round}: exactly one must win, got {other:?}"),
        }
        let after = b.load(&scope).await.expect("load");
        assert_eq!(after.version, state.version + 1);
        let winner = if ra.is_ok() { "a" } else { "b" };
        let loser = if ra.is_ok() { "b" } else { "a" };
        assert!(after.runners.contains_key(&format!("{winner}-{round}")));
        assert!(!after.runners.contains_key(&format!("{loser}-{round}")));
    }
    assert_eq!(wins.0 + wins.1, rounds);
    let history = a.outages(&scope, "shared", 1_000).await.expect("history");
    let ids: Vec<u64> = history.iter().rev().map(|o| o.id).collect();
    assert_eq!(
        ids,
        (1..=rounds).collect::<Vec<_>>(),
        "one outage per round"
    );
    assert_eq!(history.iter().filter(|o| o.is_open()).count(), 1);
    let pending = b.pending_deliveries(1_000).await.expect("pending");
    assert_eq!(pending.len() as u64, rounds, "one delivery per round");
    let seqs: Vec<u64> = pending.iter().map(|d| d.id.seq).collect();
    assert_eq!(seqs, (1..=rounds).collect::<Vec<_>>());
}

#[tokio::test]
async fn reads_write_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("state.db");
    let store = SqliteStore::open(&path).expect("open");
    let scope: Scope = "acme/api".parse().expect("scope");
    let mut changes: Vec<Change> = (0..10u64)
        .map(|i| {
            Change::PutRunner(runner_record(
                &format!("r{i}"),
                i,
                RunnerStatus::Idle,
                at(0),
            ))
        })
        .collect();
    changes.push(Change::OpenOutage(outage("r1", 1, at(0))));
    changes.push(Change::Enqueue {
        sink: "s".into(),
        notification: delivery_notification(&scope, "r1", 1, at(0)),
    });
    store.commit(&scope, 0, &changes).await.expect("commit");

    // PRAGMA data_version changes when another connection commits to the file.
    let watcher = rusqlite::Connection::open(&path).expect("watcher");
    let data_version = || -> i64 {
        watcher
            .pragma_query_value(None, "data_version", |row| row.get(0))
            .expect("data_version")
    };
    let before = data_version();
    for _ in 0..50 {
        let state = store.load(&scope).await.expect("load");
        assert_eq!(state.runners.len(), 10);
        store.pending_deliveries(100).await.expect("pending");
        store.outages(&scope, "r1", 10).await.expect("outages");
        store.scopes().await.expect("scopes");
    }
    assert_eq!(data_version(), before, "steady-state reads must not write");
    store
        .commit(&scope, 1, &[Change::DeleteRunner { name: "r9".into() }])
        .await
        .expect("commit");
    assert_ne!(data_version(), before, "the watcher does see commits");
}
