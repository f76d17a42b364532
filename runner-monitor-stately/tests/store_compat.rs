//! Compatibility with the original TypeScript monitor's store, on the emulator: its items load,
//! numbering continues, history by name spans GitHub ids, the original can read what we write,
//! open outages never expire while resolved ones do.
#![cfg(feature = "emulator")]

mod on_emulator;

use std::sync::Arc;
use std::time::Duration;

use prost::Message;
use runner_monitor_core::testing::{at, outage, runner_record};
use runner_monitor_core::{Change, Resolution, RunnerStatus, Scope, Store};

/// The original's Runner message (schema v2 fields only).
#[derive(Clone, PartialEq, Message)]
struct OriginalRunner {
    #[prost(uint64, tag = "1")]
    runner_id: u64,
    #[prost(string, tag = "2")]
    repo_id: String,
    #[prost(string, tag = "3")]
    name: String,
    #[prost(int32, tag = "4")]
    status: i32,
    #[prost(bool, tag = "5")]
    enabled: bool,
    #[prost(string, tag = "6")]
    os: String,
    #[prost(sint64, tag = "8")]
    last_seen_at: i64,
    #[prost(sint64, tag = "9")]
    first_seen_at: i64,
}

/// The original's OutageEvent message (schema v2 fields only).
#[derive(Clone, PartialEq, Message)]
struct OriginalOutage {
    #[prost(uint64, tag = "1")]
    outage_id: u64,
    #[prost(string, tag = "2")]
    repo_id: String,
    #[prost(uint64, tag = "3")]
    runner_id: u64,
    #[prost(int32, tag = "4")]
    status: i32,
    #[prost(sint64, tag = "5")]
    started_at: i64,
    #[prost(sint64, tag = "6")]
    resolved_at: i64,
    #[prost(string, tag = "7")]
    description: String,
    #[prost(bool, tag = "8")]
    notification_sent: bool,
    #[prost(string, tag = "11")]
    runner_name: String,
}

/// The original's Repository message.
#[derive(Clone, PartialEq, Message)]
struct OriginalRepository {
    #[prost(string, tag = "1")]
    repo_id: String,
    #[prost(string, tag = "2")]
    owner: String,
    #[prost(string, tag = "3")]
    name: String,
    #[prost(bool, tag = "4")]
    is_active: bool,
    #[prost(sint64, tag = "6")]
    last_synced_at: i64,
}

fn ms(seconds: i64) -> i64 {
    at(seconds).timestamp_millis()
}

fn original_outage(outage_id: u64, resolved_at: i64) -> OriginalOutage {
    OriginalOutage {
        outage_id,
        repo_id: "acme/api".into(),
        runner_id: 23,
        status: 2,
        started_at: ms(outage_id as i64 * 100),
        resolved_at,
        description: "Runner mbp entered Offline state".into(),
        notification_sent: true,
        runner_name: "mbp".into(),
    }
}

#[tokio::test]
async fn a_store_written_by_the_original_is_read_and_continued() {
    let (emulator, store) = on_emulator::start().await;
    let scope: Scope = "acme/api".parse().expect("scope");
    let insert =
        |item_type: &str, payload: Vec<u8>| emulator.insert(item_type, &payload).expect("insert");
    insert(
        "Repository",
        OriginalRepository {
            repo_id: "acme/api".into(),
            owner: "acme".into(),
            name: "api".into(),
            is_active: true,
            last_synced_at: ms(0),
        }
        .encode_to_vec(),
    );
    insert(
        "Runner",
        OriginalRunner {
            runner_id: 23,
            repo_id: "acme/api".into(),
            name: "mbp".into(),
            status: 2,
            enabled: true,
            os: "macos".into(),
            last_seen_at: ms(0),
            first_seen_at: ms(0),
        }
        .encode_to_vec(),
    );
    // Outage 1 resolved, outage 2 ongoing, ids from the original's sequence in history-23.
    let resolved_key = insert("OutageEvent", original_outage(1, ms(150)).encode_to_vec());
    assert_eq!(resolved_key, "/repo-acme%/api/history-23/outage-1");
    insert("OutageEvent", original_outage(2, 0).encode_to_vec());

    let state = store.load(&scope).await.expect("load");
    assert_eq!(state.version, 0);
    assert_eq!(state.runners["mbp"].status, RunnerStatus::Offline);
    assert_eq!(state.open_outages["mbp"].id, 2);
    assert_eq!(state.next_outage_id("mbp"), 3);
    assert_eq!(state.record.last_success_at, Some(at(0)));

    // Resolve the original's outage, then the runner re-registers (id 99) and goes down again.
    let mut reregistered = runner_record("mbp", 99, RunnerStatus::Offline, at(0));
    reregistered.previous_ids = vec![23];
    let mut third = outage("mbp", 3, at(1_000));
    third.runner_id = 99;
    let v1 = store
        .commit(
            &scope,
            0,
            &[
                Change::ResolveOutage {
                    runner: "mbp".into(),
                    id: 2,
                    resolved_at: at(500),
                    resolution: Resolution::Recovered(RunnerStatus::Idle),
                },
                Change::PutRunner(reregistered),
                Change::OpenOutage(third),
            ],
        )
        .await
        .expect("commit")
        .version;

    let history = store.outages(&scope, "mbp", 10).await.expect("history");
    let ids: Vec<u64> = history.iter().map(|o| o.id).collect();
    assert_eq!(
        ids,
        [3, 2, 1],
        "history spans both GitHub ids, newest first"
    );
    assert_eq!(history[1].resolved_at, Some(at(500)));

    // The original reads what we wrote: the resolved outage kept its key and its fields.
    let view = emulator
        .item("/repo-acme%/api/history-23/outage-2")
        .expect("still at its key");
    let seen = OriginalOutage::decode(view.payload.as_ref()).expect("the original decodes it");
    assert_eq!((seen.outage_id, seen.runner_name.as_str()), (2, "mbp"));
    assert_eq!(seen.resolved_at, ms(500));
    let new_key = emulator
        .key_paths()
        .into_iter()
        .find(|k| k.contains("/history-99/"))
        .expect("the new outage is under the new id");
    let view = emulator.item(&new_key).expect("item");
    let seen = OriginalOutage::decode(view.payload.as_ref()).expect("decodes");
    assert!(seen.outage_id > 0, "the server assigned its key id");
    assert_eq!((seen.runner_id, seen.resolved_at), (99, 0));

    // Forgotten: the history is still found by name (through the outage counter).
    store
        .commit(&scope, v1, &[Change::DeleteRunner { name: "mbp".into() }])
        .await
        .expect("forget");
    let history = store.outages(&scope, "mbp", 2).await.expect("history");
    let ids: Vec<u64> = history.iter().map(|o| o.id).collect();
    assert_eq!(ids, [3, 2]);
}

#[tokio::test]
async fn open_outages_never_expire_and_resolved_ones_do() {
    let clock = on_emulator::fixture_clock();
    let (_emulator, store) = on_emulator::start_with(
        runner_monitor_stately::emulator::Emulator::builder().clock(Arc::new(clock.clone())),
    )
    .await;
    let scope: Scope = "acme/ttl".parse().expect("scope");
    let v1 = store
        .commit(
            &scope,
            0,
            &[
                Change::PutRunner(runner_record("a", 1, RunnerStatus::Offline, at(0))),
                Change::PutRunner(runner_record("b", 2, RunnerStatus::Offline, at(0))),
                Change::OpenOutage(outage("a", 1, at(0))),
                Change::OpenOutage(outage("b", 1, at(0))),
            ],
        )
        .await
        .expect("open")
        .version;
    store
        .commit(
            &scope,
            v1,
            &[Change::ResolveOutage {
                runner: "b".into(),
                id: 1,
                resolved_at: at(60),
                resolution: Resolution::Recovered(RunnerStatus::Idle),
            }],
        )
        .await
        .expect("resolve");

    // 31 days later (the default history TTL is 30 days).
    clock.advance(Duration::from_secs(31 * 86_400));
    let state = store.load(&scope).await.expect("load");
    assert!(
        state.open_outages.contains_key("a"),
        "an ongoing outage never expires"
    );
    assert_eq!(
        store.outages(&scope, "a", 10).await.expect("history").len(),
        1
    );
    assert!(
        store
            .outages(&scope, "b", 10)
            .await
            .expect("history")
            .is_empty(),
        "a resolved outage expires after the history TTL"
    );
    assert_eq!(state.next_outage_id("b"), 2, "numbering survives expiry");
}
