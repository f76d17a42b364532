//! Transactions stay within the server's write limit: a history expiry larger than one
//! transaction commits the change with what fits and deletes the rest in batches afterwards.
#![cfg(feature = "emulator")]

mod on_emulator;

use prost::Message;
use runner_monitor_core::testing::at;
use runner_monitor_core::{Change, Scope, Store, StoreError};
use runner_monitor_stately::StatelyStore;
use runner_monitor_stately::emulator::{DEFAULT_MAX_WRITES, Emulator, Method};

/// An OutageEvent with the v2 fields, resolved.
#[derive(Clone, PartialEq, Message)]
struct Outage {
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
    #[prost(string, tag = "11")]
    runner_name: String,
}

const OLD: u64 = 250;

fn seed(emulator: &Emulator) {
    for id in 1..=OLD {
        let o = Outage {
            outage_id: id,
            repo_id: "acme/big".into(),
            runner_id: 23,
            status: 2,
            started_at: at(id as i64).timestamp_millis(),
            resolved_at: at(id as i64 + 1).timestamp_millis(),
            runner_name: "mbp".into(),
        };
        emulator
            .insert("OutageEvent", &o.encode_to_vec())
            .expect("seed");
    }
}

fn history(emulator: &Emulator) -> usize {
    emulator
        .key_paths()
        .iter()
        .filter(|k| k.contains("/history-"))
        .count()
}

#[tokio::test]
async fn a_large_history_expiry_is_split_to_stay_within_the_transaction_limit() {
    let emulator = on_emulator::builder().start().await.expect("emulator");
    seed(&emulator);
    let store = StatelyStore::new(&on_emulator::config(&emulator)).expect("store");
    let scope: Scope = "acme/big".parse().expect("scope");
    assert_eq!(history(&emulator), OLD as usize);
    emulator.reset_stats();

    let expire = [Change::ExpireHistory { before: at(10_000) }];
    store.commit(&scope, 0, &expire).await.expect("commit");

    assert_eq!(history(&emulator), 0, "every expired outage is deleted");
    let stats = emulator.stats();
    assert_eq!(stats.commits, 1);
    // 250 deletes + 3 puts (Repository, counter, index): the commit takes 97 of the deletes, the
    // remaining 153 go in two Delete calls of at most 100.
    assert_eq!(stats.calls(Method::Delete), 2);
    assert_eq!(stats.items_deleted, OLD);
    assert_eq!(store.load(&scope).await.expect("load").version, 1);
}

#[tokio::test]
async fn without_the_split_the_server_refuses_the_commit() {
    let emulator = on_emulator::builder().start().await.expect("emulator");
    seed(&emulator);
    let config = on_emulator::config(&emulator).max_transaction_writes(10 * DEFAULT_MAX_WRITES);
    let store = StatelyStore::new(&config).expect("store");
    let scope: Scope = "acme/big".parse().expect("scope");
    let expire = [Change::ExpireHistory { before: at(10_000) }];
    let error = store
        .commit(&scope, 0, &expire)
        .await
        .expect_err("too large");
    assert!(
        matches!(&error, StoreError::Other { .. })
            && error.to_string().contains("exceed the limit"),
        "{error:?}"
    );
    assert_eq!(history(&emulator), OLD as usize, "nothing was written");
}
