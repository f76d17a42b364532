//! The Store conformance suite: one `pub async fn` per clause of the [`Store`] contract. Every
//! backend's tests call [`run_all`] (or the clauses one by one). Each clause uses its own scopes,
//! so one store instance can run them all; deliveries are the only shared data and each clause
//! only looks at its own.
//!
//! Every function panics (assert) on a violation, naming the clause.

use crate::model::{Change, Delivery, Resolution, RunnerStatus, Scope, ScopeRecord, Settlement};
use crate::ports::{Store, StoreError};

use super::fixtures::{at, delivery_notification, outage, runner_record};

/// Runs every clause against `store`.
pub async fn run_all(store: &dyn Store) {
    unknown_scope_loads_empty(store).await;
    round_trip(store).await;
    stale_version_conflicts(store).await;
    concurrent_commits_exactly_one_wins(store).await;
    invalid_commit_changes_nothing(store).await;
    outage_ids_contiguous(store).await;
    resolve_and_remind_require_open_outage(store).await;
    history_newest_first_with_limit(store).await;
    history_ttl_keeps_open_outages(store).await;
    outages_between_selects_by_overlap(store).await;
    outbox_order_and_settle(store).await;
    scopes_independent(store).await;
    super::store_gaps::run_all(store).await;
    super::store_flap::flap_state_round_trips(store).await;
    super::outbox::run_all(store).await;
    super::receipts::run_all(store).await;
    super::silences::run_all(store).await;
    super::store_pools::run_all(store).await;
}

fn scope(clause: &str) -> Scope {
    Scope::repo("conformance", clause)
}

pub(crate) async fn commit_ok(
    store: &dyn Store,
    scope: &Scope,
    version: u64,
    changes: &[Change],
) -> u64 {
    match store.commit(scope, version, changes).await {
        Ok(receipt) => {
            assert!(
                receipt.version > version,
                "{scope}: a commit must increase the version ({} -> {})",
                version,
                receipt.version
            );
            receipt.version
        }
        Err(error) => panic!("{scope}: commit at version {version} failed: {error}"),
    }
}

pub(crate) async fn load_ok(store: &dyn Store, scope: &Scope) -> crate::model::ScopeState {
    store
        .load(scope)
        .await
        .unwrap_or_else(|e| panic!("{scope}: load failed: {e}"))
}

async fn our_pending(store: &dyn Store, scope: &Scope) -> Vec<Delivery> {
    store
        .pending_deliveries(10_000)
        .await
        .unwrap_or_else(|e| panic!("pending_deliveries failed: {e}"))
        .into_iter()
        .filter(|d| &d.notification.scope == scope)
        .collect()
}

/// Claims every due head of `scope` for `sink` (as the conformance holder, for an hour).
pub(crate) async fn claim_ours(
    store: &dyn Store,
    scope: &Scope,
    sink: &str,
    now: crate::model::Timestamp,
) -> Vec<Delivery> {
    let request = super::outbox::request("conformance", &[sink], now, 3_600);
    super::outbox::claim(store, &request)
        .await
        .into_iter()
        .filter(|d| &d.id.scope == scope)
        .collect()
}

/// Settles a delivery under the claim it was returned with.
pub(crate) async fn settle_claimed(
    store: &dyn Store,
    delivery: &Delivery,
    settlement: &Settlement,
) {
    let claim = delivery
        .claim
        .clone()
        .unwrap_or_else(|| panic!("{}: claimed without a claim", delivery.id));
    store
        .settle_delivery(&delivery.id, &claim, settlement)
        .await
        .unwrap_or_else(|e| panic!("{}: settle failed: {e}", delivery.id));
}

/// A scope never committed loads as version 0 with nothing in it.
pub async fn unknown_scope_loads_empty(store: &dyn Store) {
    let scope = scope("unknown");
    let state = load_ok(store, &scope).await;
    assert_eq!(state.version, 0, "unknown scope: version must be 0");
    assert_eq!(state.scope, scope);
    assert!(state.runners.is_empty() && state.open_outages.is_empty());
    assert!(state.last_outage_ids.is_empty());
    assert_eq!(state.record, ScopeRecord::default());
    let history = store.outages(&scope, "nobody", 5).await.expect("outages");
    assert!(history.is_empty(), "unknown runner has no history");
}

/// What a commit writes, a load returns; deletes and resolves are visible.
pub async fn round_trip(store: &dyn Store) {
    let scope = scope("round-trip");
    let record = ScopeRecord {
        last_success_at: Some(at(10)),
        last_incident_id: 2,
        ..ScopeRecord::default()
    };
    let mut a = runner_record("a", 1, RunnerStatus::Idle, at(0));
    a.previous_ids = vec![41, 42];
    a.labels = vec!["self-hosted".into(), "gpu".into()];
    a.group_id = Some(3);
    let mut b = runner_record("b", 2, RunnerStatus::Offline, at(0));
    b.ever_healthy = false;
    b.ephemeral = true;
    let v1 = commit_ok(
        store,
        &scope,
        0,
        &[
            Change::PutScope(record.clone()),
            Change::PutRunner(a.clone()),
            Change::PutRunner(b.clone()),
            Change::OpenOutage(outage("b", 1, at(5))),
        ],
    )
    .await;
    let state = load_ok(store, &scope).await;
    assert_eq!(state.version, v1);
    assert_eq!(state.record, record, "scope record round trip");
    assert_eq!(state.runners.get("a"), Some(&a), "runner a round trip");
    assert_eq!(state.runners.get("b"), Some(&b), "runner b round trip");
    assert_eq!(state.open_outages.get("b"), Some(&outage("b", 1, at(5))));
    assert_eq!(state.last_outage_ids.get("b"), Some(&1));

    let v2 = commit_ok(
        store,
        &scope,
        v1,
        &[
            Change::DeleteRunner { name: "b".into() },
            Change::ResolveOutage {
                runner: "b".into(),
                id: 1,
                resolved_at: at(50),
                resolution: Resolution::Removed,
            },
        ],
    )
    .await;
    let state = load_ok(store, &scope).await;
    assert_eq!(state.version, v2);
    assert!(!state.runners.contains_key("b"), "deleted runner is gone");
    assert!(
        state.open_outages.is_empty(),
        "resolved outage is no longer open"
    );
    assert_eq!(
        state.last_outage_ids.get("b"),
        Some(&1),
        "outage numbering survives forgetting the runner"
    );
    let history = store.outages(&scope, "b", 10).await.expect("outages");
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].resolved_at, Some(at(50)));
    assert_eq!(history[0].resolution, Some(Resolution::Removed));
}

/// A commit against a stale version fails with `Conflict` and changes nothing.
pub async fn stale_version_conflicts(store: &dyn Store) {
    let scope = scope("stale");
    let v1 = commit_ok(
        store,
        &scope,
        0,
        &[Change::PutRunner(runner_record(
            "a",
            1,
            RunnerStatus::Idle,
            at(0),
        ))],
    )
    .await;
    let stale = store
        .commit(
            &scope,
            0,
            &[Change::PutRunner(runner_record(
                "x",
                9,
                RunnerStatus::Idle,
                at(0),
            ))],
        )
        .await;
    assert!(
        matches!(stale, Err(StoreError::Conflict { .. })),
        "stale commit must conflict, got {stale:?}"
    );
    assert!(stale.as_ref().err().is_some_and(StoreError::is_retryable));
    let state = load_ok(store, &scope).await;
    assert_eq!(state.version, v1, "a conflict changes nothing");
    assert!(
        !state.runners.contains_key("x"),
        "a conflict writes nothing"
    );
}

/// Of several commits against the same version, exactly one succeeds.
pub async fn concurrent_commits_exactly_one_wins(store: &dyn Store) {
    let scope = scope("concurrent");
    let v1 = commit_ok(
        store,
        &scope,
        0,
        &[Change::PutScope(ScopeRecord::default())],
    )
    .await;
    let attempts = (0..6u64).map(|i| {
        let scope = scope.clone();
        async move {
            let name = format!("r{i}");
            let changes = [
                // GitHub runner ids start at 1 (StatelyDB requires Runner.runnerId non-zero)
                Change::PutRunner(runner_record(&name, i + 1, RunnerStatus::Offline, at(0))),
                Change::OpenOutage(outage("shared", 1, at(i as i64))),
                Change::Enqueue {
                    sink: "s".into(),
                    notification: delivery_notification(&scope, "shared", 1, at(0)),
                },
            ];
            store.commit(&scope, v1, &changes).await
        }
    });
    let results = futures::future::join_all(attempts).await;
    let wins = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(wins, 1, "exactly one concurrent commit wins: {results:?}");
    for result in &results {
        if let Err(error) = result {
            assert!(
                matches!(error, StoreError::Conflict { .. }),
                "losers fail with Conflict, got {error}"
            );
        }
    }
    let state = load_ok(store, &scope).await;
    assert_eq!(state.runners.len(), 1, "only the winner's runner is stored");
    assert_eq!(state.open_outages.len(), 1, "only one outage is open");
    assert_eq!(
        our_pending(store, &scope).await.len(),
        1,
        "one delivery enqueued"
    );
}

/// A commit that breaks a rule is rejected whole.
pub async fn invalid_commit_changes_nothing(store: &dyn Store) {
    let scope = scope("atomic");
    let v1 = commit_ok(
        store,
        &scope,
        0,
        &[Change::PutScope(ScopeRecord::default())],
    )
    .await;
    let result = store
        .commit(
            &scope,
            v1,
            &[
                Change::PutRunner(runner_record("a", 1, RunnerStatus::Offline, at(0))),
                Change::Enqueue {
                    sink: "s".into(),
                    notification: delivery_notification(&scope, "a", 2, at(0)),
                },
                Change::OpenOutage(outage("a", 2, at(0))),
            ],
        )
        .await;
    assert!(
        matches!(result, Err(StoreError::Invalid { .. })),
        "outage 2 before outage 1 must be Invalid, got {result:?}"
    );
    let state = load_ok(store, &scope).await;
    assert_eq!(state.version, v1, "a rejected commit leaves the version");
    assert!(
        state.runners.is_empty(),
        "a rejected commit writes no runner"
    );
    assert!(
        our_pending(store, &scope).await.is_empty(),
        "nor any delivery"
    );
}

/// Outage ids are contiguous per runner from 1; at most one is open; numbering survives deletes.
pub async fn outage_ids_contiguous(store: &dyn Store) {
    let scope = scope("contiguous");
    let mut v = commit_ok(
        store,
        &scope,
        0,
        &[Change::PutRunner(runner_record(
            "a",
            1,
            RunnerStatus::Offline,
            at(0),
        ))],
    )
    .await;
    for bad in [0, 2] {
        let result = store
            .commit(&scope, v, &[Change::OpenOutage(outage("a", bad, at(0)))])
            .await;
        assert!(
            matches!(result, Err(StoreError::Invalid { .. })),
            "first outage id {bad} must be rejected"
        );
    }
    v = commit_ok(
        store,
        &scope,
        v,
        &[Change::OpenOutage(outage("a", 1, at(1)))],
    )
    .await;
    let second_open = store
        .commit(&scope, v, &[Change::OpenOutage(outage("a", 2, at(2)))])
        .await;
    assert!(
        matches!(second_open, Err(StoreError::Invalid { .. })),
        "a second open outage must be rejected"
    );
    let resolve = |id| Change::ResolveOutage {
        runner: "a".into(),
        id,
        resolved_at: at(100),
        resolution: Resolution::Recovered(RunnerStatus::Idle),
    };
    v = commit_ok(store, &scope, v, &[resolve(1)]).await;
    let skip = store
        .commit(&scope, v, &[Change::OpenOutage(outage("a", 3, at(3)))])
        .await;
    assert!(
        matches!(skip, Err(StoreError::Invalid { .. })),
        "id 3 after 1 is rejected"
    );
    v = commit_ok(
        store,
        &scope,
        v,
        &[Change::OpenOutage(outage("a", 2, at(200)))],
    )
    .await;
    v = commit_ok(
        store,
        &scope,
        v,
        &[resolve(2), Change::DeleteRunner { name: "a".into() }],
    )
    .await;
    let state = load_ok(store, &scope).await;
    assert_eq!(
        state.next_outage_id("a"),
        3,
        "a returning name continues at 3"
    );
    commit_ok(
        store,
        &scope,
        v,
        &[
            Change::PutRunner(runner_record("a", 5, RunnerStatus::Offline, at(300))),
            Change::OpenOutage(outage("a", 3, at(300))),
        ],
    )
    .await;
    let ids: Vec<u64> = store
        .outages(&scope, "a", 10)
        .await
        .expect("outages")
        .iter()
        .map(|o| o.id)
        .collect();
    assert_eq!(ids, [3, 2, 1]);
}

/// Resolving or reminding an outage that is not open is rejected; reminders are counted.
pub async fn resolve_and_remind_require_open_outage(store: &dyn Store) {
    let scope = scope("resolve-remind");
    let v = commit_ok(
        store,
        &scope,
        0,
        &[
            Change::PutRunner(runner_record("a", 1, RunnerStatus::Offline, at(0))),
            Change::OpenOutage(outage("a", 1, at(0))),
        ],
    )
    .await;
    let wrong = store
        .commit(
            &scope,
            v,
            &[Change::ResolveOutage {
                runner: "a".into(),
                id: 7,
                resolved_at: at(9),
                resolution: Resolution::Removed,
            }],
        )
        .await;
    assert!(
        matches!(wrong, Err(StoreError::Invalid { .. })),
        "resolve of a closed outage"
    );
    let v = commit_ok(
        store,
        &scope,
        v,
        &[
            Change::RecordReminder {
                runner: "a".into(),
                id: 1,
                at: at(60),
            },
            Change::RecordReminder {
                runner: "a".into(),
                id: 1,
                at: at(120),
            },
        ],
    )
    .await;
    let state = load_ok(store, &scope).await;
    let open = state.open_outages.get("a").expect("open outage");
    assert_eq!(open.reminders, 2);
    assert_eq!(open.last_reminded_at, Some(at(120)));
    let v = commit_ok(
        store,
        &scope,
        v,
        &[Change::ResolveOutage {
            runner: "a".into(),
            id: 1,
            resolved_at: at(200),
            resolution: Resolution::Recovered(RunnerStatus::Busy),
        }],
    )
    .await;
    let remind_closed = store
        .commit(
            &scope,
            v,
            &[Change::RecordReminder {
                runner: "a".into(),
                id: 1,
                at: at(300),
            }],
        )
        .await;
    assert!(
        matches!(remind_closed, Err(StoreError::Invalid { .. })),
        "reminder on a resolved outage must be rejected"
    );
    let history = store.outages(&scope, "a", 1).await.expect("outages");
    assert_eq!(history[0].reminders, 2, "history keeps the reminder count");
    assert_eq!(
        history[0].resolution,
        Some(Resolution::Recovered(RunnerStatus::Busy))
    );
}

/// `outages` returns newest first, at most `limit`, open ones included, per runner.
pub async fn history_newest_first_with_limit(store: &dyn Store) {
    let scope = scope("history");
    let mut v = commit_ok(
        store,
        &scope,
        0,
        &[
            Change::PutRunner(runner_record("a", 1, RunnerStatus::Offline, at(0))),
            Change::PutRunner(runner_record("b", 2, RunnerStatus::Offline, at(0))),
            Change::OpenOutage(outage("b", 1, at(0))),
        ],
    )
    .await;
    for id in 1..=3u64 {
        let start = at(id as i64 * 1000);
        v = commit_ok(
            store,
            &scope,
            v,
            &[Change::OpenOutage(outage("a", id, start))],
        )
        .await;
        if id < 3 {
            v = commit_ok(
                store,
                &scope,
                v,
                &[Change::ResolveOutage {
                    runner: "a".into(),
                    id,
                    resolved_at: start + chrono::Duration::seconds(60),
                    resolution: Resolution::Recovered(RunnerStatus::Idle),
                }],
            )
            .await;
        }
    }
    let history = store.outages(&scope, "a", 2).await.expect("outages");
    let ids: Vec<u64> = history.iter().map(|o| o.id).collect();
    assert_eq!(ids, [3, 2], "newest first, limited");
    assert!(history[0].is_open(), "open outages are part of the history");
    assert!(
        history.iter().all(|o| o.runner == "a"),
        "only this runner's outages"
    );
    let all = store.outages(&scope, "a", 100).await.expect("outages");
    assert_eq!(all.len(), 3);
}

/// `ExpireHistory` removes old resolved outages and old settled deliveries, never open outages
/// or pending deliveries.
pub async fn history_ttl_keeps_open_outages(store: &dyn Store) {
    let scope = scope("ttl");
    let v = commit_ok(
        store,
        &scope,
        0,
        &[
            Change::PutRunner(runner_record("old", 1, RunnerStatus::Offline, at(0))),
            Change::PutRunner(runner_record("recent", 2, RunnerStatus::Offline, at(0))),
            Change::OpenOutage(outage("old", 1, at(0))),
            Change::OpenOutage(outage("recent", 1, at(0))),
            Change::Enqueue {
                sink: "ttl-s".into(),
                notification: delivery_notification(&scope, "old", 1, at(0)),
            },
            Change::Enqueue {
                sink: "ttl-s".into(),
                notification: delivery_notification(&scope, "recent", 1, at(0)),
            },
        ],
    )
    .await;
    let pending = our_pending(store, &scope).await;
    assert_eq!(pending.len(), 2);
    let claimed = claim_ours(store, &scope, "ttl-s", at(10)).await;
    let first = claimed
        .iter()
        .find(|d| d.id == pending[0].id)
        .expect("claimed");
    settle_claimed(store, first, &Settlement::Delivered { at: at(10) }).await;
    let v = commit_ok(
        store,
        &scope,
        v,
        &[Change::ResolveOutage {
            runner: "recent".into(),
            id: 1,
            resolved_at: at(5_000),
            resolution: Resolution::Recovered(RunnerStatus::Idle),
        }],
    )
    .await;
    // "old" has been open since at(0): far older than the cut-off, and must stay.
    commit_ok(
        store,
        &scope,
        v,
        &[Change::ExpireHistory { before: at(10_000) }],
    )
    .await;
    let old = store.outages(&scope, "old", 10).await.expect("outages");
    assert_eq!(old.len(), 1, "an open outage never expires");
    let recent = store.outages(&scope, "recent", 10).await.expect("outages");
    assert!(recent.is_empty(), "a resolved outage past the TTL expires");
    let state = load_ok(store, &scope).await;
    assert!(state.open_outages.contains_key("old"));
    assert_eq!(
        state.next_outage_id("recent"),
        2,
        "numbering survives expiry"
    );
    let pending = our_pending(store, &scope).await;
    assert_eq!(pending.len(), 1, "a pending delivery never expires");
}

/// The outbox: enqueue order, increasing ids, settle outcomes, limit, unknown ids.
pub async fn outbox_order_and_settle(store: &dyn Store) {
    let scope = scope("outbox");
    let enqueue = |runner: &str, id, sink: &str| Change::Enqueue {
        sink: sink.into(),
        notification: delivery_notification(&scope, runner, id, at(id as i64)),
    };
    let v = commit_ok(
        store,
        &scope,
        0,
        &[
            enqueue("a", 1, "outbox-slack"),
            enqueue("a", 1, "outbox-pager"),
            enqueue("b", 2, "outbox-slack"),
        ],
    )
    .await;
    commit_ok(store, &scope, v, &[enqueue("a", 3, "outbox-slack")]).await;
    let pending = our_pending(store, &scope).await;
    let order: Vec<(String, u64)> = pending
        .iter()
        .map(|d| (d.sink.clone(), d.notification.incident_id()))
        .collect();
    assert_eq!(
        order,
        [
            ("outbox-slack".to_owned(), 1),
            ("outbox-pager".to_owned(), 1),
            ("outbox-slack".to_owned(), 2),
            ("outbox-slack".to_owned(), 3)
        ],
        "pending deliveries come in enqueue order"
    );
    assert!(
        pending.windows(2).all(|w| w[0].id < w[1].id),
        "ids increase"
    );
    assert!(
        pending
            .iter()
            .all(|d| d.attempts == 0 && d.last_error.is_none())
    );
    assert_eq!(pending[0].created_at, at(1));
    assert!(
        pending[0].next_attempt_at <= pending[0].created_at,
        "new deliveries are due"
    );

    let claimed = claim_ours(store, &scope, "outbox-slack", at(100)).await;
    let claimed_pager = claim_ours(store, &scope, "outbox-pager", at(100)).await;
    assert_eq!(
        claimed.iter().map(|d| d.id.seq).collect::<Vec<_>>(),
        [pending[0].id.seq, pending[2].id.seq],
        "the second delivery of runner a waits behind the first"
    );
    settle_claimed(
        store,
        &claimed[0],
        &Settlement::Retry {
            at: at(100),
            next_attempt_at: at(160),
            error: "HTTP 503".into(),
        },
    )
    .await;
    settle_claimed(
        store,
        &claimed_pager[0],
        &Settlement::Delivered { at: at(100) },
    )
    .await;
    settle_claimed(
        store,
        &claimed[1],
        &Settlement::Abandoned {
            at: at(100),
            reason: "channel_not_found".into(),
        },
    )
    .await;
    let after = our_pending(store, &scope).await;
    assert_eq!(
        after.len(),
        2,
        "delivered and abandoned leave the pending set"
    );
    assert_eq!(
        after[0].id, pending[0].id,
        "a retried delivery keeps its place"
    );
    assert_eq!(after[0].attempts, 1);
    assert_eq!(after[0].next_attempt_at, at(160));
    assert_eq!(after[0].last_error.as_deref(), Some("HTTP 503"));
    assert_eq!(
        after[0].notification, pending[0].notification,
        "payload round trip"
    );

    let limited = store.pending_deliveries(1).await.expect("pending");
    assert_eq!(limited.len(), 1, "limit is respected");
    let unknown_id = crate::model::DeliveryId {
        scope: scope.clone(),
        seq: u64::MAX,
    };
    let unknown = store
        .settle_delivery(
            &unknown_id,
            &crate::model::Claim {
                holder: "conformance".into(),
                until: at(1),
            },
            &Settlement::Delivered { at: at(1) },
        )
        .await;
    assert!(
        matches!(unknown, Err(StoreError::NotFound { .. })),
        "settling an unknown delivery is NotFound, got {unknown:?}"
    );
    for _ in 0..2 {
        for delivery in claim_ours(store, &scope, "outbox-slack", at(200)).await {
            settle_claimed(store, &delivery, &Settlement::Delivered { at: at(200) }).await;
        }
    }
    assert!(our_pending(store, &scope).await.is_empty());
}

/// Scopes are independent: versions, conflicts and data do not cross; `scopes` lists them.
pub async fn scopes_independent(store: &dyn Store) {
    let first = Scope::org("conformance-independent");
    let second = Scope::enterprise("conformance-independent");
    let v1 = commit_ok(
        store,
        &first,
        0,
        &[Change::PutRunner(runner_record(
            "same-name",
            1,
            RunnerStatus::Idle,
            at(0),
        ))],
    )
    .await;
    commit_ok(
        store,
        &second,
        0,
        &[Change::PutRunner(runner_record(
            "same-name",
            2,
            RunnerStatus::Busy,
            at(0),
        ))],
    )
    .await;
    let conflict = store
        .commit(&first, 0, &[Change::PutScope(ScopeRecord::default())])
        .await;
    assert!(matches!(conflict, Err(StoreError::Conflict { .. })));
    let a = load_ok(store, &first).await;
    let b = load_ok(store, &second).await;
    assert_eq!(a.version, v1);
    assert_eq!(a.runners["same-name"].id, 1);
    assert_eq!(
        b.runners["same-name"].id, 2,
        "same runner name in two scopes do not collide"
    );
    let scopes = store.scopes().await.expect("scopes");
    assert!(
        scopes.contains(&first) && scopes.contains(&second),
        "{scopes:?}"
    );
}

// ---- outages_between (uptime history) -------------------------------------------------------

/// `outages_between`: every runner's outages overlapping `[from, to)` (boundaries exclusive),
/// open ones and forgotten runners' included, by runner then id, other scopes excluded, only what
/// expiry kept.
pub async fn outages_between_selects_by_overlap(store: &dyn Store) {
    let scope = scope("outages-between");
    let other = scope_between_other();
    let resolved = |runner: &str, id, from, to| {
        let mut o = outage(runner, id, at(from));
        o.resolved_at = Some(at(to));
        o.resolution = Some(Resolution::Recovered(RunnerStatus::Idle));
        o
    };
    let day = 86_400;
    // Written out of name order, so the order of the answer is the store's doing.
    let c1 = resolved("c", 1, 1_500, day + 100); // across midnight
    let b1 = resolved("b", 1, 0, 500);
    let b2 = resolved("b", 2, 3_000, 4_000);
    let a1 = resolved("a", 1, 1_000, 2_000);
    let mut a2 = outage("a", 2, at(5_000)); // still open
    a2.reminders = 1;
    a2.last_reminded_at = Some(at(5_060));
    let mut v = 0;
    for o in [&c1, &b1, &b2, &a1] {
        let mut open = o.clone();
        open.resolved_at = None;
        open.resolution = None;
        v = commit_ok(
            store,
            &scope,
            v,
            &[
                Change::PutRunner(runner_record(&o.runner, 1, RunnerStatus::Offline, at(0))),
                Change::OpenOutage(open),
            ],
        )
        .await;
        v = commit_ok(
            store,
            &scope,
            v,
            &[Change::ResolveOutage {
                runner: o.runner.clone(),
                id: o.id,
                resolved_at: o.resolved_at.unwrap_or_else(|| at(0)),
                resolution: Resolution::Recovered(RunnerStatus::Idle),
            }],
        )
        .await;
    }
    let mut a2_open = a2.clone();
    a2_open.reminders = 0;
    a2_open.last_reminded_at = None;
    v = commit_ok(
        store,
        &scope,
        v,
        &[
            Change::OpenOutage(a2_open),
            Change::RecordReminder {
                runner: "a".into(),
                id: 2,
                at: at(5_060),
            },
            // Forgotten runners keep their history.
            Change::DeleteRunner { name: "b".into() },
        ],
    )
    .await;
    commit_ok(
        store,
        &other,
        0,
        &[
            Change::PutRunner(runner_record("a", 1, RunnerStatus::Offline, at(0))),
            Change::OpenOutage(outage("a", 1, at(1_000))),
        ],
    )
    .await;

    let between = |from: i64, to: i64| {
        let scope = scope.clone();
        async move {
            store
                .outages_between(&scope, at(from), at(to))
                .await
                .unwrap_or_else(|e| panic!("outages_between failed: {e}"))
        }
    };
    assert_eq!(
        between(600, 4_500).await,
        [a1.clone(), b2.clone(), c1.clone()],
        "overlapping outages of every runner (forgotten too), by runner then id, whole"
    );
    assert_eq!(
        between(2_000, 3_000).await,
        std::slice::from_ref(&c1),
        "an outage ending at `from` or starting at `to` is outside"
    );
    assert_eq!(
        between(6_000, 7_000).await,
        [a2.clone(), c1.clone()],
        "open outages reach to now"
    );
    assert!(
        between(7_000, 7_000).await.is_empty() && between(7_000, 6_000).await.is_empty(),
        "an empty range has no outages"
    );
    assert_eq!(
        between(-day, 10 * day).await,
        [a1.clone(), a2.clone(), b1.clone(), b2.clone(), c1.clone()],
        "the whole history, and no other scope's"
    );
    commit_ok(
        store,
        &scope,
        v,
        &[Change::ExpireHistory { before: at(2_500) }],
    )
    .await;
    assert_eq!(
        between(-day, 10 * day).await,
        [a2, b2, c1],
        "expired outages are gone from the range too"
    );
}

fn scope_between_other() -> Scope {
    Scope::org("conformance-outages-between")
}
