//! The outbox half of the Store conformance suite: claims (exclusive, leased, taken over when
//! expired), due heads only, settlement under a claim. Each clause uses its own scopes and sink
//! names, so clauses never claim each other's deliveries.

use std::collections::BTreeMap;

use crate::model::{
    Change, Claim, ClaimRequest, Delivery, DeliveryId, Notification, NotificationKind, Scope,
    Settlement, SinkFilter, SourceFailure, Timestamp,
};
use crate::ports::{Store, StoreError};

use super::fixtures::{at, delivery_notification};
use super::store::commit_ok;

/// Runs every outbox clause against `store` (part of [`run_all`](super::store::run_all)).
pub async fn run_all(store: &dyn Store) {
    claim_returns_due_heads_in_sequence_order(store).await;
    claims_are_exclusive_and_expired_ones_are_taken_over(store).await;
    settle_requires_the_claim(store).await;
    settling_twice(store).await;
    racing_dispatchers_claim_each_delivery_once(store).await;
    due_heads_ignore_a_backlog(store, 1_000).await;
}

/// A claim request for `holder` on `sinks` at `now`, leased for `lease` seconds.
pub fn request(holder: &str, sinks: &[&str], now: Timestamp, lease: i64) -> ClaimRequest {
    ClaimRequest {
        holder: holder.to_owned(),
        now,
        until: now + chrono::Duration::seconds(lease),
        sinks: SinkFilter::Only(sinks.iter().map(|s| (*s).to_owned()).collect()),
        created_before: None,
        limit: 10_000,
    }
}

/// `claim_due`, or a panic naming the clause.
pub async fn claim(store: &dyn Store, request: &ClaimRequest) -> Vec<Delivery> {
    let claimed = store
        .claim_due(request)
        .await
        .unwrap_or_else(|e| panic!("claim_due failed: {e}"));
    for delivery in &claimed {
        assert_eq!(
            delivery.claim.as_ref().map(|c| c.holder.as_str()),
            Some(request.holder.as_str()),
            "{}: a claimed delivery carries its claim",
            delivery.id
        );
    }
    claimed
}

fn claim_of(delivery: &Delivery) -> Claim {
    delivery
        .claim
        .clone()
        .unwrap_or_else(|| panic!("{}: claimed delivery without a claim", delivery.id))
}

async fn settle_ok(store: &dyn Store, delivery: &Delivery, settlement: &Settlement) {
    store
        .settle_delivery(&delivery.id, &claim_of(delivery), settlement)
        .await
        .unwrap_or_else(|e| panic!("{}: settle failed: {e}", delivery.id));
}

fn ids(deliveries: &[Delivery]) -> Vec<(String, u64)> {
    deliveries
        .iter()
        .map(|d| (d.id.scope.to_string(), d.id.seq))
        .collect()
}

fn degraded(scope: &Scope, when: Timestamp) -> Notification {
    Notification {
        scope: scope.clone(),
        at: when,
        kind: NotificationKind::MonitoringDegraded {
            incident: 1,
            failure: SourceFailure {
                class: crate::model::FailureClass::Unavailable,
                message: "GitHub answered 502".into(),
            },
            since: when,
        },
    }
}

fn enqueue(sink: &str, notification: Notification) -> Change {
    Change::Enqueue {
        sink: sink.to_owned(),
        notification,
    }
}

/// Only due heads of their queues (scope, sink, subject) come back, ordered by scope then
/// sequence, each claimed; not due, other sinks, `created_before` and `limit` filter.
pub async fn claim_returns_due_heads_in_sequence_order(store: &dyn Store) {
    let first = Scope::repo("conformance", "heads-b");
    let second = Scope::repo("conformance", "heads-a");
    let (sink, other) = ("heads-slack", "heads-pager");
    // Created out of wall-clock order on purpose: sequence order must win.
    let v = commit_ok(
        store,
        &first,
        0,
        &[
            enqueue(sink, delivery_notification(&first, "a", 1, at(50))), // 1: head of a
            enqueue(sink, delivery_notification(&first, "a", 2, at(10))), // 2: behind 1
            enqueue(sink, delivery_notification(&first, "b", 1, at(5))),  // 3: head of b
            enqueue(sink, degraded(&first, at(1))),                       // 4: head of source
            enqueue(other, delivery_notification(&first, "a", 1, at(0))), // 5: other sink
            enqueue(sink, delivery_notification(&first, "c", 1, at(9_000))), // 6: not due
            enqueue(sink, delivery_notification(&first, "c", 2, at(0))),  // 7: behind 6
        ],
    )
    .await;
    commit_ok(
        store,
        &second,
        0,
        &[enqueue(
            sink,
            delivery_notification(&second, "a", 1, at(100)),
        )],
    )
    .await;
    let now = at(1_000);
    let limited = claim(store, &{
        let mut r = request("h1", &[sink], now, 60);
        r.limit = 2;
        r
    })
    .await;
    assert_eq!(limited.len(), 2, "limit is respected");
    let rest = claim(store, &request("h1", &[sink], now, 60)).await;
    let mut all = limited.clone();
    all.extend(rest.iter().cloned());
    let f = first.to_string();
    let s = second.to_string();
    let mut expected = vec![
        (f.clone(), 1),
        (f.clone(), 3),
        (f.clone(), 4),
        (s.clone(), 1),
    ];
    expected.sort();
    let mut got = ids(&all);
    got.sort();
    assert_eq!(
        got, expected,
        "due heads only: behind-the-head, not-due and other-sink deliveries stay"
    );
    for pair in [&limited[..], &rest[..]] {
        let order = ids(pair);
        let mut sorted = order.clone();
        sorted.sort();
        assert_eq!(order, sorted, "ordered by scope, then sequence");
    }
    assert!(
        claim(store, &request("h2", &[sink], now, 60))
            .await
            .is_empty(),
        "claimed deliveries are skipped"
    );
    let pending = store.pending_deliveries(100_000).await.expect("pending");
    let held = pending
        .iter()
        .find(|d| d.id.scope == first && d.id.seq == 1)
        .expect("pending");
    assert_eq!(
        held.claim.as_ref().map(|c| (c.holder.as_str(), c.until)),
        Some(("h1", at(1_060))),
        "pending_deliveries shows the claim"
    );
    // Settle the head of a: its successor becomes the head.
    let head_a = all.iter().find(|d| d.id == held.id).expect("head a");
    settle_ok(store, head_a, &Settlement::Delivered { at: now }).await;
    let next = claim(store, &request("h1", &[sink], now, 60)).await;
    assert_eq!(ids(&next), [(f.clone(), 2)], "the next of the queue");
    // The other sink's queue is its own; created_before filters; Except selects the rest.
    let mut sweep = request("h3", &[], now, 60);
    sweep.sinks = SinkFilter::Except(vec![sink.to_owned()]);
    sweep.created_before = Some(at(0));
    assert!(
        claim(store, &sweep).await.is_empty(),
        "created_before is strict"
    );
    sweep.created_before = Some(at(1));
    // Other clauses' deliveries for other sinks are swept too; only ours are looked at.
    let swept: Vec<Delivery> = claim(store, &sweep)
        .await
        .into_iter()
        .filter(|d| d.id.scope == first || d.id.scope == second)
        .collect();
    assert_eq!(
        ids(&swept),
        [(f.clone(), 5)],
        "Except(sinks) claims the others"
    );
    // Not due: due once its time comes, with its queue behind it.
    let later = claim(store, &request("h1", &[sink], at(9_000), 60)).await;
    assert!(
        ids(&later).contains(&(f.clone(), 6)) && !ids(&later).contains(&(f.clone(), 7)),
        "a not-due head blocks its queue until due: {:?}",
        ids(&later)
    );
    let _ = v;
}

/// Another holder skips a live claim; a claim whose lease has passed is taken over.
pub async fn claims_are_exclusive_and_expired_ones_are_taken_over(store: &dyn Store) {
    let scope = Scope::repo("conformance", "lease");
    let sink = "lease-slack";
    commit_ok(
        store,
        &scope,
        0,
        &[enqueue(sink, delivery_notification(&scope, "a", 1, at(0)))],
    )
    .await;
    let a = claim(store, &request("holder-a", &[sink], at(100), 60)).await;
    assert_eq!(a.len(), 1);
    assert_eq!(claim_of(&a[0]).until, at(160));
    let during = claim(store, &request("holder-b", &[sink], at(159), 60)).await;
    assert!(during.is_empty(), "a live claim is skipped");
    let b = claim(store, &request("holder-b", &[sink], at(160), 60)).await;
    assert_eq!(
        ids(&b),
        ids(&a),
        "an expired claim is taken over (until <= now)"
    );
    assert_eq!(b[0].attempts, 0, "a takeover is not an attempt");
    let lost = store
        .settle_delivery(
            &a[0].id,
            &claim_of(&a[0]),
            &Settlement::Delivered { at: at(170) },
        )
        .await;
    assert!(
        matches!(lost, Err(StoreError::LeaseLost { .. })),
        "the old holder's settle must be refused, got {lost:?}"
    );
    let pending = store.pending_deliveries(100_000).await.expect("pending");
    let row = pending
        .iter()
        .find(|d| d.id == a[0].id)
        .expect("still pending");
    assert_eq!(
        row.claim.as_ref().map(|c| c.holder.as_str()),
        Some("holder-b"),
        "the new holder's claim stands"
    );
    settle_ok(store, &b[0], &Settlement::Delivered { at: at(171) }).await;
}

/// Settling needs the delivery's current claim; an expired claim nobody took over settles;
/// every settlement spends the claim; `Released` gives it back at once.
pub async fn settle_requires_the_claim(store: &dyn Store) {
    let scope = Scope::repo("conformance", "settle-claim");
    let sink = "settle-claim-slack";
    commit_ok(
        store,
        &scope,
        0,
        &[
            enqueue(sink, delivery_notification(&scope, "a", 1, at(0))),
            enqueue(sink, delivery_notification(&scope, "b", 1, at(0))),
        ],
    )
    .await;
    let claimed = claim(store, &request("h", &[sink], at(10), 60)).await;
    assert_eq!(claimed.len(), 2);
    let forged = Claim {
        holder: "someone-else".into(),
        until: claim_of(&claimed[0]).until,
    };
    let refused = store
        .settle_delivery(
            &claimed[0].id,
            &forged,
            &Settlement::Delivered { at: at(11) },
        )
        .await;
    assert!(
        matches!(refused, Err(StoreError::LeaseLost { .. })),
        "a claim that is not the delivery's is refused, got {refused:?}"
    );
    // Expired but not taken over: still the holder's to settle.
    store
        .settle_delivery(
            &claimed[0].id,
            &claim_of(&claimed[0]),
            &Settlement::Retry {
                at: at(500),
                next_attempt_at: at(600),
                error: "HTTP 503".into(),
            },
        )
        .await
        .expect("an expired claim nobody took over settles");
    let spent = store
        .settle_delivery(
            &claimed[0].id,
            &claim_of(&claimed[0]),
            &Settlement::Delivered { at: at(501) },
        )
        .await;
    assert!(
        matches!(spent, Err(StoreError::LeaseLost { .. })),
        "a Retry spends the claim, got {spent:?}"
    );
    settle_ok(store, &claimed[1], &Settlement::Released { at: at(11) }).await;
    let again = claim(store, &request("other", &[sink], at(12), 60)).await;
    assert_eq!(
        ids(&again),
        ids(&claimed[1..]),
        "a released delivery is claimable at once, by anyone"
    );
    assert_eq!(again[0].attempts, 0, "a release is not an attempt");
    settle_ok(store, &again[0], &Settlement::Delivered { at: at(13) }).await;
    let retried = claim(store, &request("h", &[sink], at(600), 60)).await;
    assert_eq!(ids(&retried), ids(&claimed[..1]));
    assert_eq!(retried[0].attempts, 1);
    assert_eq!(retried[0].last_error.as_deref(), Some("HTTP 503"));
    assert_eq!(retried[0].next_attempt_at, at(600));
    settle_ok(store, &retried[0], &Settlement::Delivered { at: at(601) }).await;
}

/// Settling a delivered or abandoned delivery again is `NotFound` and changes nothing.
pub async fn settling_twice(store: &dyn Store) {
    let scope = Scope::repo("conformance", "settle-twice");
    let sink = "settle-twice-slack";
    commit_ok(
        store,
        &scope,
        0,
        &[
            enqueue(sink, delivery_notification(&scope, "a", 1, at(0))),
            enqueue(sink, delivery_notification(&scope, "b", 1, at(0))),
        ],
    )
    .await;
    let claimed = claim(store, &request("h", &[sink], at(10), 60)).await;
    assert_eq!(claimed.len(), 2);
    settle_ok(store, &claimed[0], &Settlement::Delivered { at: at(11) }).await;
    settle_ok(
        store,
        &claimed[1],
        &Settlement::Abandoned {
            at: at(11),
            reason: "channel_not_found".into(),
        },
    )
    .await;
    for delivery in &claimed {
        for settlement in [
            Settlement::Delivered { at: at(12) },
            Settlement::Abandoned {
                at: at(12),
                reason: "again".into(),
            },
            Settlement::Retry {
                at: at(12),
                next_attempt_at: at(13),
                error: "again".into(),
            },
            Settlement::Released { at: at(12) },
        ] {
            let twice = store
                .settle_delivery(&delivery.id, &claim_of(delivery), &settlement)
                .await;
            assert!(
                matches!(twice, Err(StoreError::NotFound { .. })),
                "{}: settling a settled delivery again is NotFound, got {twice:?}",
                delivery.id
            );
        }
    }
    let unknown = DeliveryId {
        scope: scope.clone(),
        seq: u64::MAX,
    };
    let result = store
        .settle_delivery(
            &unknown,
            &claim_of(&claimed[0]),
            &Settlement::Delivered { at: at(1) },
        )
        .await;
    assert!(matches!(result, Err(StoreError::NotFound { .. })));
    let pending = store.pending_deliveries(100_000).await.expect("pending");
    assert!(
        !pending.iter().any(|d| d.id.scope == scope),
        "nothing came back to life"
    );
}

/// Two dispatchers claiming from one store at once: every delivery is claimed exactly once.
pub async fn racing_dispatchers_claim_each_delivery_once(store: &dyn Store) {
    let scope = Scope::repo("conformance", "racing");
    let sink = "racing-slack";
    let changes: Vec<Change> = (0..60u64)
        .map(|i| {
            enqueue(
                sink,
                delivery_notification(&scope, &format!("r{i}"), 1, at(0)),
            )
        })
        .collect();
    commit_ok(store, &scope, 0, &changes).await;
    // Under contention a store may give up on its own retries (`Unavailable`, retryable): a
    // dispatcher then tries again, as it would next cycle. Nothing else may fail.
    let dispatcher = |holder: &'static str| async move {
        let mut mine = Vec::new();
        let mut retries = 0;
        loop {
            let mut r = request(holder, &[sink], at(10), 600);
            r.limit = 7;
            let claimed = match store.claim_due(&r).await {
                Ok(claimed) => claimed,
                Err(e) if e.is_retryable() && retries < 200 => {
                    retries += 1;
                    continue;
                }
                Err(e) => panic!("claim_due failed: {e}"),
            };
            if claimed.is_empty() {
                break;
            }
            for delivery in claimed {
                loop {
                    let settled = store
                        .settle_delivery(
                            &delivery.id,
                            &claim_of(&delivery),
                            &Settlement::Delivered { at: at(11) },
                        )
                        .await;
                    match settled {
                        Ok(()) => break,
                        Err(e) if e.is_retryable() && retries < 200 => retries += 1,
                        Err(e) => panic!("{}: settle failed: {e}", delivery.id),
                    }
                }
                mine.push(delivery.id.seq);
            }
        }
        mine
    };
    let (a, b) = futures::join!(dispatcher("racer-a"), dispatcher("racer-b"));
    let mut counts: BTreeMap<u64, usize> = BTreeMap::new();
    for seq in a.iter().chain(&b) {
        *counts.entry(*seq).or_default() += 1;
    }
    assert_eq!(counts.len(), 60, "every delivery is claimed");
    assert!(
        counts.values().all(|n| *n == 1),
        "no delivery is claimed twice: a={a:?} b={b:?}"
    );
}

/// Changes per commit when the suite builds a large outbox: below StatelyDB's write limit per
/// transaction (100, the emulator's default), since the enqueue count is not what is tested.
const COMMIT_CHUNK: usize = 40;

/// `backlog` deliveries that are not due, plus `backlog` for a sink the dispatcher lacks, do not
/// delay a new due one: the claim returns exactly it.
pub async fn due_heads_ignore_a_backlog(store: &dyn Store, backlog: usize) {
    let scope = Scope::repo("conformance", format!("backlog-{backlog}"));
    let (sink, absent) = ("backlog-slack", "backlog-absent");
    let mut changes = Vec::with_capacity(2 * backlog);
    for i in 0..backlog {
        let runner = format!("r{i}");
        // Planned in the future: not due (each the head of its own queue).
        changes.push(enqueue(
            sink,
            delivery_notification(&scope, &runner, 1, at(1_000_000)),
        ));
        changes.push(enqueue(
            absent,
            delivery_notification(&scope, &runner, 1, at(0)),
        ));
    }
    // In commits of a size every backend takes (StatelyDB limits writes per transaction).
    let mut v = 0;
    for chunk in changes.chunks(COMMIT_CHUNK) {
        v = commit_ok(store, &scope, v, chunk).await;
    }
    commit_ok(
        store,
        &scope,
        v,
        &[enqueue(
            sink,
            delivery_notification(&scope, "new", 1, at(50)),
        )],
    )
    .await;
    let mut r = request("backlog", &[sink], at(100), 60);
    r.limit = 5;
    let claimed = claim(store, &r).await;
    assert_eq!(
        claimed.len(),
        1,
        "only the new due delivery is returned, not the backlog"
    );
    assert_eq!(claimed[0].notification.subject(), "runner:new");
    settle_ok(store, &claimed[0], &Settlement::Delivered { at: at(101) }).await;
}
