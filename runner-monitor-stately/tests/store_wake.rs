//! `wake_postponed` on the emulator: only scopes with deliveries to wake get a transaction, and
//! one with more than a transaction may write takes several.
#![cfg(feature = "emulator")]

mod on_emulator;

use runner_monitor_core::testing::{at, delivery_notification};
use runner_monitor_core::{Change, ClaimRequest, Scope, Settlement, SinkFilter, Store};
use runner_monitor_stately::StatelyStore;
use runner_monitor_stately::emulator::Method;

/// Enqueues one delivery per runner in `scope`, claims them at minute 0 and settles each as
/// `settlement`.
async fn seed(store: &StatelyStore, scope: &Scope, runners: &[&str], settlement: &Settlement) {
    let changes: Vec<Change> = runners
        .iter()
        .map(|r| Change::Enqueue {
            sink: "slack".into(),
            notification: delivery_notification(scope, r, 1, at(0)),
        })
        .collect();
    store.commit(scope, 0, &changes).await.expect("enqueue");
    let claimed = store
        .claim_due(&ClaimRequest {
            holder: "seed".into(),
            now: at(0),
            until: at(30),
            sinks: SinkFilter::Only(vec!["slack".into()]),
            created_before: None,
            limit: 100,
        })
        .await
        .expect("claim");
    let ours: Vec<_> = claimed.iter().filter(|d| &d.id.scope == scope).collect();
    assert_eq!(ours.len(), runners.len());
    for delivery in ours {
        let claim = delivery.claim.clone().expect("claim");
        store
            .settle_delivery(&delivery.id, &claim, settlement)
            .await
            .expect("settle");
    }
}

#[tokio::test]
async fn wakes_scope_by_scope_in_transactions_within_the_write_limit() {
    let emulator = on_emulator::builder().start().await.expect("emulator");
    let config = on_emulator::config(&emulator).max_transaction_writes(2);
    let store = StatelyStore::new(&config).expect("store");
    let postponed = |minutes: i64| Settlement::Postponed {
        at: at(0),
        until: at(minutes * 60),
    };
    let wake: Scope = "acme/wake".parse().expect("scope");
    let later: Scope = "acme/later".parse().expect("scope");
    let done: Scope = "acme/done".parse().expect("scope");
    seed(&store, &wake, &["a", "b", "c", "d", "e"], &postponed(10)).await;
    seed(&store, &later, &["a"], &postponed(120)).await;
    seed(&store, &done, &["a"], &Settlement::Delivered { at: at(0) }).await;
    emulator.reset_stats();

    let woken = store.wake_postponed(at(3_600), at(60)).await.expect("wake");
    assert_eq!(woken, 5);
    let stats = emulator.stats();
    assert_eq!(
        stats.calls(Method::BeginList),
        3,
        "the index, then the two scopes with pending deliveries (not the settled one)"
    );
    assert_eq!(
        (
            stats.calls(Method::Transaction),
            stats.commits,
            stats.aborts
        ),
        (3, 3, 0),
        "only the scope with deliveries to wake: 2 + 2 + 1 writes"
    );
    assert_eq!(stats.items_put, 5, "only the woken deliveries are written");

    let pending = store.pending_deliveries(100).await.expect("pending");
    let mut due: Vec<_> = pending
        .iter()
        .map(|d| (d.id.scope.to_string(), d.next_attempt_at))
        .collect();
    let mut expected = vec![("acme/wake".to_owned(), at(60)); 5];
    expected.push(("acme/later".to_owned(), at(7_200)));
    due.sort();
    expected.sort();
    assert_eq!(due, expected);

    emulator.reset_stats();
    assert_eq!(store.wake_postponed(at(3_600), at(60)).await, Ok(0));
    assert_eq!(
        emulator.stats().calls(Method::Transaction),
        0,
        "nothing left to wake: plain reads only"
    );
}
