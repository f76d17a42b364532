//! The scope record's trust fields (`suspect_since`, `clock_jump_at`) round-trip in every store:
//! memory, SQLite (file) and StatelyDB (emulator). (Deliveries are stored as the notification's
//! JSON everywhere; the core tests round-trip `runners_removed` through serde.)
#![cfg(all(feature = "sqlite", feature = "stately"))]

use std::sync::Arc;
use std::time::Duration;

use runner_monitor::core::testing::at;
use runner_monitor::core::{
    Change, DegradedIncident, FailureClass, Scope, ScopeRecord, SourceFailure, Store,
};
use runner_monitor::memory::MemoryStore;
use runner_monitor::sqlite::SqliteStore;
use runner_monitor_stately::emulator::{Emulator, ManualClock};
use runner_monitor_stately::{Credentials, RetryPolicy, StatelyConfig, StatelyStore};

fn populated() -> ScopeRecord {
    let failure = SourceFailure {
        class: FailureClass::SuspectListing,
        message: "GitHub listed 0 of 250 known runners of org:acme; the token may have lost access to them".into(),
    };
    ScopeRecord {
        last_success_at: Some(at(10)),
        failing_since: Some(at(20)),
        last_failure: Some(failure.clone()),
        degraded: Some(DegradedIncident {
            id: 3,
            since: at(20),
            failure,
        }),
        last_incident_id: 3,
        history_expired_at: Some(at(5)),
        suspect_since: Some(at(20)),
        clock_jump_at: Some(at(86_400 * 40)),
    }
}

async fn round_trip(store: &dyn Store, name: &str) {
    let scope = Scope::org("acme");
    let record = populated();
    store
        .commit(&scope, 0, &[Change::PutScope(record.clone())])
        .await
        .unwrap_or_else(|e| panic!("{name}: commit: {e}"));
    let state = store.load(&scope).await.expect("load");
    assert_eq!(state.record, record, "{name}: scope record round trip");

    // Clearing the fields writes them back as None.
    let cleared = ScopeRecord {
        suspect_since: None,
        clock_jump_at: None,
        ..record
    };
    store
        .commit(&scope, state.version, &[Change::PutScope(cleared.clone())])
        .await
        .expect("commit");
    assert_eq!(
        store.load(&scope).await.expect("load").record,
        cleared,
        "{name}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trust_fields_round_trip_in_every_store() {
    round_trip(&MemoryStore::new(), "memory").await;

    let dir = tempfile::tempdir().expect("tempdir");
    let sqlite = SqliteStore::open(dir.path().join("state.db")).expect("sqlite");
    round_trip(&sqlite, "sqlite").await;

    let emulator = Emulator::builder()
        .clock(Arc::new(ManualClock::new(at(0).timestamp_millis())))
        .start()
        .await
        .expect("emulator");
    let config = StatelyConfig::new(emulator.store_id())
        .endpoint(emulator.endpoint())
        .schema(emulator.schema_id(), emulator.schema_version())
        .credentials(Credentials::None)
        .retry(RetryPolicy {
            min_delay: Duration::from_millis(2),
            max_delay: Duration::from_millis(20),
            max_attempts: 5,
            max_elapsed: Duration::from_secs(5),
        });
    let stately = StatelyStore::new(&config).expect("stately");
    round_trip(&stately, "stately").await;
}
