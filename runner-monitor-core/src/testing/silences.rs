//! The silence and acknowledgement half of the Store conformance suite (part of
//! [`run_all`](super::store::run_all)): runtime silences round-trip, delete and list;
//! acknowledgements land on the open outage only; a postponed delivery counts no attempt;
//! `wake_postponed` makes what a removed silence held back due now, and nothing else.

use crate::model::{Acknowledgement, Change, Settlement, Silence, Timestamp};
use crate::ports::{Store, StoreError};

use super::fixtures::{at, delivery_notification, outage};
use super::outbox::{claim, request};
use super::store::{commit_ok, load_ok};

/// Runs every clause.
pub async fn run_all(store: &dyn Store) {
    silences_round_trip(store).await;
    acknowledge_marks_the_open_outage(store).await;
    postponed_delivery_counts_no_attempt(store).await;
    wake_postponed_releases_the_window(store).await;
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

/// `wake_postponed(until, now)` makes due at `now` exactly the pending, unclaimed deliveries
/// due after `now` and at or before `until` (the end inclusive), returns how many, and leaves
/// alone those due already, due after `until`, delivered, or under a live claim.
///
/// Its times are in 2200, after every other clause's deliveries, so the count is this
/// clause's alone even on a store the other clauses share.
pub async fn wake_postponed_releases_the_window(store: &dyn Store) {
    use crate::model::{Delivery, Scope};
    let base = at(0) + chrono::Duration::days(174 * 365 + 43);
    let t = |s: i64| base + chrono::Duration::seconds(s);
    let scope = Scope::repo("conformance", "wake");
    let (sink, held) = ("wake-sink", "wake-claimed");
    let enqueue = |sink: &str, runner: &str, when| Change::Enqueue {
        sink: sink.into(),
        notification: delivery_notification(&scope, runner, 1, when),
    };
    // a: postponed inside the window; b: to its end; c: past it; d: delivered; f: due before
    // `now`; e (another sink): claimed, with a lease beyond `now`.
    let runners = ["a", "b", "c", "d", "f"];
    let mut changes: Vec<Change> = runners.iter().map(|r| enqueue(sink, r, t(0))).collect();
    changes.push(enqueue(held, "e", t(120)));
    commit_ok(store, &scope, 0, &changes).await;
    let ours = |all: Vec<Delivery>| -> Vec<Delivery> {
        all.into_iter().filter(|d| d.id.scope == scope).collect()
    };
    let runner_of = |d: &Delivery| d.notification.runner().map(|r| r.name.clone());
    let claimed = ours(claim(store, &request("waker", &[sink], t(0), 60)).await);
    assert_eq!(claimed.len(), runners.len(), "wake: set-up claims");
    for delivery in &claimed {
        let token = delivery.claim.clone().expect("wake: a claim");
        let settlement = match runner_of(delivery).as_deref() {
            Some("a") => Settlement::Postponed {
                at: t(0),
                until: t(600),
            },
            Some("b") => Settlement::Postponed {
                at: t(0),
                until: t(3_600),
            },
            Some("c") => Settlement::Postponed {
                at: t(0),
                until: t(7_200),
            },
            Some("f") => Settlement::Postponed {
                at: t(0),
                until: t(30),
            },
            _ => Settlement::Delivered { at: t(0) },
        };
        store
            .settle_delivery(&delivery.id, &token, &settlement)
            .await
            .unwrap_or_else(|e| panic!("wake: set-up settle failed: {e}"));
    }
    let e = ours(claim(store, &request("holder", &[held], t(120), 3_600)).await);
    assert_eq!(e.len(), 1, "wake: set-up claim of e");

    let woken = store
        .wake_postponed(t(3_600), t(60))
        .await
        .unwrap_or_else(|e| panic!("wake: wake_postponed failed: {e}"));
    assert_eq!(woken, 2, "wake: returns how many it woke (a and b)");
    let pending = ours(
        store
            .pending_deliveries(100_000)
            .await
            .expect("wake: pending"),
    );
    let mut due: Vec<(String, Timestamp, u32, bool)> = pending
        .iter()
        .map(|d| {
            (
                runner_of(d).unwrap_or_default(),
                d.next_attempt_at,
                d.attempts,
                d.claim.as_ref().is_some_and(|c| c.holder == "holder"),
            )
        })
        .collect();
    due.sort();
    assert_eq!(
        due,
        [
            ("a".to_owned(), t(60), 0, false),
            ("b".to_owned(), t(60), 0, false),
            ("c".to_owned(), t(7_200), 0, false),
            ("e".to_owned(), t(120), 0, true),
            ("f".to_owned(), t(30), 0, false),
        ],
        "wake: a and b due now; c (after the window), e (claimed), f (due already) unchanged; \
         d (delivered) stays settled"
    );
    assert_eq!(
        store.wake_postponed(t(3_600), t(60)).await,
        Ok(0),
        "wake: a second wake finds nothing"
    );
    let now_due = ours(claim(store, &request("waker", &[sink], t(60), 60)).await);
    let mut names: Vec<String> = now_due.iter().filter_map(runner_of).collect();
    names.sort();
    assert_eq!(names, ["a", "b", "f"], "wake: claimable at now");

    // Clean up: deliver everything left.
    let deliver = |delivery: Delivery| async move {
        let token = delivery.claim.clone().expect("wake: a claim");
        store
            .settle_delivery(
                &delivery.id,
                &token,
                &Settlement::Delivered { at: t(7_200) },
            )
            .await
            .unwrap_or_else(|e| panic!("wake: clean-up settle failed: {e}"));
    };
    for delivery in now_due.into_iter().chain(e) {
        deliver(delivery).await;
    }
    for delivery in ours(claim(store, &request("waker", &[sink], t(7_200), 60)).await) {
        deliver(delivery).await;
    }
}
