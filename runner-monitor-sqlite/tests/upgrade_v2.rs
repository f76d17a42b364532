//! Upgrading a schema-2 file (before the flapping rule) keeps every runner and outage, loads them
//! as not flapping, and then stores flap state.

use std::path::Path;

use runner_monitor_core::testing::{at, runner_record};
use runner_monitor_core::{Change, RunnerStatus, Scope, ScopeRecord, Store};
use runner_monitor_sqlite::SqliteStore;

const V1: &str = include_str!("../src/schema/v1.sql");
const V2: &str = include_str!("../src/schema/v2.sql");
/// `PRAGMA application_id` of a runner-monitor file ("RMON").
const APPLICATION_ID: i32 = 0x524D_4F4E;

/// A schema-2 file as the previous release wrote it: one scope, two runners, one open outage.
fn write_v2(path: &Path) {
    let conn = rusqlite::Connection::open(path).expect("open raw");
    conn.execute_batch(V1).expect("v1");
    conn.execute_batch(V2).expect("v2");
    conn.pragma_update(None, "user_version", 2)
        .expect("version");
    conn.pragma_update(None, "application_id", APPLICATION_ID)
        .expect("application id");
    let record = serde_json::to_string(&ScopeRecord {
        last_success_at: Some(at(100)),
        ..ScopeRecord::default()
    })
    .expect("record");
    conn.execute(
        "INSERT INTO scopes (scope, version, record) VALUES ('acme/api', 4, ?1)",
        [record],
    )
    .expect("scope");
    conn.execute_batch(
        "INSERT INTO runners VALUES ('acme/api', 'a', 1, '[]', 2, 0, 'linux', '[\"self-hosted\"]',
             0, NULL, '2026-01-01T00:00:00.000000000Z', '2026-01-01T00:00:00.000000000Z',
             '2026-01-01T00:00:00.000000000Z', 1);
         INSERT INTO runners VALUES ('acme/api', 'b', 2, '[7]', 5, 0, 'linux', '[\"self-hosted\"]',
             0, 3, '2026-01-01T00:00:00.000000000Z', '2026-01-01T00:00:00.000000000Z',
             '2026-01-01T00:00:00.000000000Z', 1);
         INSERT INTO outages (scope, runner, id, runner_id, trigger_status, started_at,
             description, reminders) VALUES ('acme/api', 'a', 1, 1, 2,
             '2026-01-01T00:00:10.000000000Z', 'Runner a entered Offline state', 0);
         INSERT INTO outage_counters VALUES ('acme/api', 'a', 1);",
    )
    .expect("rows");
}

#[tokio::test]
async fn a_v2_file_upgrades_without_losing_data_and_then_stores_flap_state() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("state.db");
    write_v2(&path);

    let store = SqliteStore::open(&path).expect("upgrade");
    let scope: Scope = "acme/api".parse().expect("scope");
    let state = store.load(&scope).await.expect("load");
    assert_eq!(state.version, 4, "version kept");
    assert_eq!(state.record.last_success_at, Some(at(100)));
    let a = runner_record("a", 1, RunnerStatus::Offline, at(0));
    assert_eq!(
        state.runners.get("a"),
        Some(&a),
        "runner a kept, not flapping"
    );
    let b = &state.runners["b"];
    assert_eq!((b.previous_ids.as_slice(), b.group_id), (&[7][..], Some(3)));
    assert!(b.flap_opens.is_empty() && b.flapping_since.is_none());
    assert_eq!(state.open_outages["a"].id, 1, "open outage kept");
    assert_eq!(state.next_outage_id("a"), 2, "numbering kept");

    let mut flapping = a.clone();
    flapping.flap_opens = vec![at(200)];
    flapping.flapping_since = Some(at(300));
    store
        .commit(
            &scope,
            state.version,
            &[Change::PutRunner(flapping.clone())],
        )
        .await
        .expect("commit");
    drop(store);
    let store = SqliteStore::open(&path).expect("reopen");
    let state = store.load(&scope).await.expect("load");
    assert_eq!(state.runners.get("a"), Some(&flapping), "flap state stored");
}
