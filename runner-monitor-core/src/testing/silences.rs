//! The silence and acknowledgement half of the Store conformance suite (part of
//! [`run_all`](super::store::run_all)): runtime silences round-trip, delete and list;
//! acknowledgements land on the open outage only; a postponed delivery counts no attempt.

use crate::model::{Acknowledgement, Change, Settlement, Silence};
use crate::ports::{Store, StoreError};

use super::fixtures::{at, delivery_notification, outage};
use super::outbox::{claim, request};
use super::store::{commit_ok, load_ok};

/// Runs every clause.
pub async fn run_all(store: &dyn Store) {
    silences_round_trip(store).await;
    acknowledge_marks_the_open_outage(store).await;
    postponed_delivery_counts_no_attempt(store).await;
}

/// A silence `from`..`until` seconds after 2100-01-01: far ahead, so no store's expiry of old
/// silences (StatelyDB's TTL, a week after the end) removes it during the test.
fn silence(id: &str, target: &str, from: i64, until: i64) -> Silence {
    let base = at(0) + chrono::Duration::days(74 * 365 + 18);
    let spec = serde_json::json!({
        "id": id, "target": target,
        "from": base + chrono::Duration::seconds(from),
        "until": base + chrono::Duration::seconds(until),
        "reason": "maintenance", "created_by": "U42", "created_at": at(0),
    });
    serde_json::from_value(spec).unwrap_or_else(|e| panic!("test silence: {e}"))
}

/// Silences are stored, replaced by id, deleted (once) and listed by id.
pub async fn silences_round_trip(store: &dyn Store) {
    let a = silence("conformance-a", "org:conformance", 0, 3_600);
    let b = silence("conformance-b", "label:gpu", 0, 60);
    for s in [&a, &b] {
        store
            .put_silence(s)
            .await
            .unwrap_or_else(|e| panic!("silences: put failed: {e}"));
    }
    let ours = |all: Vec<Silence>| -> Vec<Silence> {
        all.into_iter()
            .filter(|s| s.id.starts_with("conformance-"))
            .collect()
    };
    let listed = ours(store.silences().await.expect("silences: list"));
    assert_eq!(listed, [a.clone(), b.clone()], "silences: listed by id");
    let mut longer = a.clone();
    longer.reason = "extended".into();
    store.put_silence(&longer).await.expect("silences: replace");
    let listed = ours(store.silences().await.expect("silences: list"));
    assert_eq!(listed, [longer, b.clone()], "silences: put replaces by id");
    assert_eq!(store.delete_silence("conformance-a").await, Ok(true));
    assert_eq!(
        store.delete_silence("conformance-a").await,
        Ok(false),
        "silences: deleting twice finds nothing"
    );
    let listed = ours(store.silences().await.expect("silences: list"));
    assert_eq!(listed, [b], "silences: deleted one gone");
    assert_eq!(store.delete_silence("conformance-b").await, Ok(true));
}

/// `acknowledge` marks the open outage (load and history show it), fails for a runner without
/// one, and leaves resolved outages alone.
pub async fn acknowledge_marks_the_open_outage(store: &dyn Store) {
    let scope = crate::model::Scope::repo("conformance", "ack");
    let first = outage("a", 1, at(0));
    let v = commit_ok(store, &scope, 0, &[Change::OpenOutage(first.clone())]).await;
    let v = commit_ok(
        store,
        &scope,
        v,
        &[Change::ResolveOutage {
            runner: "a".into(),
            id: 1,
            resolved_at: at(10),
            resolution: crate::model::Resolution::Removed,
        }],
    )
    .await;
    commit_ok(
        store,
        &scope,
        v,
        &[Change::OpenOutage(outage("a", 2, at(20)))],
    )
    .await;
    let ack = Acknowledgement {
        by: "U42".into(),
        at: at(30),
    };
    let acked = store
        .acknowledge(&scope, "a", &ack)
        .await
        .unwrap_or_else(|e| panic!("ack: acknowledge failed: {e}"));
    assert_eq!(
        (acked.id, acked.acknowledged.as_ref()),
        (2, Some(&ack)),
        "ack: returned"
    );
    let state = load_ok(store, &scope).await;
    assert_eq!(
        state
            .open_outages
            .get("a")
            .and_then(|o| o.acknowledged.as_ref()),
        Some(&ack),
        "ack: load shows it"
    );
    let history = store.outages(&scope, "a", 10).await.expect("ack: outages");
    let acks: Vec<(u64, bool)> = history
        .iter()
        .map(|o| (o.id, o.acknowledged.is_some()))
        .collect();
    assert_eq!(
        acks,
        [(2, true), (1, false)],
        "ack: history shows it on the open one only"
    );
    assert!(
        matches!(
            store.acknowledge(&scope, "nobody", &ack).await,
            Err(StoreError::NotFound { .. })
        ),
        "ack: no open outage is NotFound"
    );
    // A later commit keeps it.
    let state = load_ok(store, &scope).await;
    commit_ok(
        store,
        &scope,
        state.version,
        &[Change::RecordReminder {
            runner: "a".into(),
            id: 2,
            at: at(40),
        }],
    )
    .await;
    let state = load_ok(store, &scope).await;
    assert_eq!(
        state
            .open_outages
            .get("a")
            .and_then(|o| o.acknowledged.as_ref()),
        Some(&ack),
        "ack: kept across commits"
    );
}

/// `Settlement::Postponed` makes a delivery due at `until` with no attempt counted.
pub async fn postponed_delivery_counts_no_attempt(store: &dyn Store) {
    let scope = crate::model::Scope::repo("conformance", "postponed");
    let sink = "postponed-sink";
    commit_ok(
        store,
        &scope,
        0,
        &[Change::Enqueue {
            sink: sink.into(),
            notification: delivery_notification(&scope, "a", 1, at(0)),
        }],
    )
    .await;
    let ours = |all: Vec<crate::model::Delivery>| -> Vec<crate::model::Delivery> {
        all.into_iter().filter(|d| d.id.scope == scope).collect()
    };
    let claimed = ours(claim(store, &request("postponer", &[sink], at(1), 60)).await);
    assert_eq!(claimed.len(), 1, "postponed: claimed");
    let delivery = &claimed[0];
    let claim_token = delivery.claim.clone().expect("postponed: a claim");
    store
        .settle_delivery(
            &delivery.id,
            &claim_token,
            &Settlement::Postponed {
                at: at(1),
                until: at(3_600),
            },
        )
        .await
        .unwrap_or_else(|e| panic!("postponed: settle failed: {e}"));
    let early = ours(claim(store, &request("postponer", &[sink], at(3_599), 60)).await);
    assert!(early.is_empty(), "postponed: not due before until");
    let due = ours(claim(store, &request("postponer", &[sink], at(3_600), 60)).await);
    assert_eq!(due.len(), 1, "postponed: due at until");
    assert_eq!(due[0].attempts, 0, "postponed: no attempt counted");
    assert_eq!(due[0].last_error, None, "postponed: no error recorded");
    let token = due[0].claim.clone().expect("claim");
    store
        .settle_delivery(&due[0].id, &token, &Settlement::Delivered { at: at(3_600) })
        .await
        .expect("postponed: delivered");
}
