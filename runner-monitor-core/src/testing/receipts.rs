//! Conformance clauses for message receipts ([`Store::put_receipt`],
//! [`Store::receipts_following`]). Each clause uses its own sink name.

use crate::model::MessageReceipt;
use crate::ports::Store;

use super::fixtures::at;

/// Runs every receipt clause against `store`.
pub async fn run_all(store: &dyn Store) {
    receipts_round_trip_and_are_found_by_any_open_member(store).await;
    receipts_shrink_and_an_empty_one_is_deleted(store).await;
}

fn receipt(sink: &str, key: &str, open: &[&str]) -> MessageReceipt {
    MessageReceipt {
        sink: sink.to_owned(),
        key: key.to_owned(),
        open: open.iter().map(|s| (*s).to_owned()).collect(),
        handle: format!("handle of {key}"),
        sent_at: at(60),
    }
}

fn keys(keys: &[&str]) -> Vec<String> {
    keys.iter().map(|s| (*s).to_owned()).collect()
}

/// A stored receipt comes back whole, found by any of its open members, once, ordered by key;
/// other sinks' receipts and other members find nothing.
pub async fn receipts_round_trip_and_are_found_by_any_open_member(store: &dyn Store) {
    let sink = "conformance-receipts-a";
    let b = receipt(
        sink,
        "group:b",
        &["s/runner:r1/outage:1", "s/runner:r2/outage:1"],
    );
    let a = receipt(sink, "group:a", &["s/runner:r3/outage:1"]);
    let other = receipt(
        "conformance-receipts-other",
        "group:b",
        &["s/runner:r1/outage:1"],
    );
    for r in [&b, &a, &other] {
        store.put_receipt(r).await.expect("put_receipt");
    }
    let found = store
        .receipts_following(sink, &keys(&["s/runner:r1/outage:1"]))
        .await
        .expect("receipts_following");
    assert_eq!(found, vec![b.clone()], "receipts: found by a member, whole");
    let found = store
        .receipts_following(
            sink,
            &keys(&[
                "s/runner:r2/outage:1",
                "s/runner:r3/outage:1",
                "s/runner:r1/outage:1",
                "s/runner:none/outage:9",
            ]),
        )
        .await
        .expect("receipts_following");
    assert_eq!(found, vec![a, b], "receipts: each once, ordered by key");
    let none = store
        .receipts_following(sink, &keys(&["s/runner:none/outage:9"]))
        .await
        .expect("receipts_following");
    assert!(none.is_empty(), "receipts: unknown member finds nothing");
    let none = store
        .receipts_following(sink, &[])
        .await
        .expect("receipts_following");
    assert!(none.is_empty(), "receipts: no keys, no receipts");
}

/// Putting a receipt again replaces it (members taken out are no longer found); an empty
/// `open` deletes it, and deleting a missing one is fine.
pub async fn receipts_shrink_and_an_empty_one_is_deleted(store: &dyn Store) {
    let sink = "conformance-receipts-b";
    let full = receipt(
        sink,
        "group:x",
        &["s/runner:r1/outage:1", "s/runner:r2/outage:1"],
    );
    store.put_receipt(&full).await.expect("put_receipt");
    let shrunk = receipt(sink, "group:x", &["s/runner:r2/outage:1"]);
    store.put_receipt(&shrunk).await.expect("put_receipt again");
    let gone = store
        .receipts_following(sink, &keys(&["s/runner:r1/outage:1"]))
        .await
        .expect("receipts_following");
    assert!(gone.is_empty(), "receipts: a member taken out is not found");
    let kept = store
        .receipts_following(sink, &keys(&["s/runner:r2/outage:1"]))
        .await
        .expect("receipts_following");
    assert_eq!(kept, vec![shrunk], "receipts: replaced");
    store
        .put_receipt(&receipt(sink, "group:x", &[]))
        .await
        .expect("delete by empty open");
    let gone = store
        .receipts_following(sink, &keys(&["s/runner:r2/outage:1"]))
        .await
        .expect("receipts_following");
    assert!(gone.is_empty(), "receipts: an empty receipt is deleted");
    store
        .put_receipt(&receipt(sink, "group:missing", &[]))
        .await
        .expect("deleting a missing receipt is fine");
}
