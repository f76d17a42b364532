//! Store conformance for capacity pools: a pool's scope `pool:NAME` round-trips like any scope
//! (its record, outages, history, deliveries and `scopes`) and never collides with an
//! organization, enterprise or repository of the same name.

use std::time::Duration;

use crate::model::{
    Change, Notification, NotificationKind, PoolCount, PoolMeasure, Resolution, RunnerStatus,
    Scope, ScopeRecord, Settlement,
};
use crate::ports::Store;

use super::fixtures::{at, outage, runner_record};
use super::store::{claim_ours, commit_ok, load_ok, settle_claimed};

/// Runs the pool clauses (part of [`run_all`](super::store::run_all)).
pub async fn run_all(store: &dyn Store) {
    pool_scope_round_trips(store).await;
}

fn count(count: usize) -> PoolCount {
    PoolCount {
        name: "conformance-gpu".into(),
        measure: PoolMeasure::Online,
        count,
        total: 4,
        minimum: 2,
        labels: vec!["gpu".into()],
    }
}

/// A pool's state, outage, history and messages round-trip, apart from same-named scopes.
pub async fn pool_scope_round_trips(store: &dyn Store) {
    let name = "conformance-gpu";
    let pool = Scope::pool(name);
    let neighbours = [
        Scope::org(name),
        Scope::enterprise(name),
        Scope::repo("pool", name),
    ];
    for scope in &neighbours {
        commit_ok(
            store,
            scope,
            0,
            &[Change::PutRunner(runner_record(
                name,
                9,
                RunnerStatus::Idle,
                at(0),
            ))],
        )
        .await;
    }
    let mut opened = outage(name, 1, at(0));
    opened.runner_id = crate::engine::POOL_RECORD_ID;
    opened.description = "Pool conformance-gpu: 1 of 4 online (minimum 2)".into();
    let below = Notification {
        scope: pool.clone(),
        at: at(300),
        kind: NotificationKind::PoolBelowFloor {
            pool: count(1),
            outage: opened.clone(),
        },
    };
    let record = ScopeRecord {
        last_success_at: Some(at(300)),
        ..ScopeRecord::default()
    };
    let version = commit_ok(
        store,
        &pool,
        0,
        &[
            Change::PutRunner(runner_record(name, 1, RunnerStatus::Offline, at(0))),
            Change::OpenOutage(opened.clone()),
            Change::PutScope(record.clone()),
            Change::Enqueue {
                sink: "pool-s".into(),
                notification: below.clone(),
            },
        ],
    )
    .await;
    let state = load_ok(store, &pool).await;
    assert_eq!(state.scope, pool, "pool: the scope loads as itself");
    assert_eq!(state.record, record, "pool: scope record");
    assert_eq!(state.runners.len(), 1, "pool: only its own record");
    assert_eq!(state.runners[name].status, RunnerStatus::Offline);
    assert_eq!(
        state.open_outages.get(name),
        Some(&opened),
        "pool: open outage"
    );
    let scopes = store.scopes().await.expect("scopes");
    assert!(
        scopes.contains(&pool),
        "pool: listed by `scopes`: {scopes:?}"
    );
    for scope in &neighbours {
        let other = load_ok(store, scope).await;
        assert!(other.open_outages.is_empty(), "{scope} is not {pool}");
        assert_eq!(other.runners[name].id, 9, "{scope} keeps its own runner");
    }
    let claimed = claim_ours(store, &pool, "pool-s", at(301)).await;
    assert_eq!(claimed.len(), 1, "pool: one delivery");
    assert_eq!(
        claimed[0].notification, below,
        "pool: notification round-trips"
    );
    settle_claimed(store, &claimed[0], &Settlement::Delivered { at: at(302) }).await;

    let resolution = Resolution::Recovered(RunnerStatus::Idle);
    let mut resolved = opened.clone();
    resolved.resolved_at = Some(at(720));
    resolved.resolution = Some(resolution);
    let restored = Notification {
        scope: pool.clone(),
        at: at(720),
        kind: NotificationKind::PoolRestored {
            pool: count(3),
            outage: resolved.clone(),
            duration: Duration::from_secs(720),
        },
    };
    commit_ok(
        store,
        &pool,
        version,
        &[
            Change::PutRunner(runner_record(name, 1, RunnerStatus::Idle, at(720))),
            Change::ResolveOutage {
                runner: name.into(),
                id: 1,
                resolved_at: at(720),
                resolution,
            },
            Change::Enqueue {
                sink: "pool-s".into(),
                notification: restored.clone(),
            },
        ],
    )
    .await;
    let state = load_ok(store, &pool).await;
    assert!(state.open_outages.is_empty(), "pool: resolved");
    assert_eq!(state.next_outage_id(name), 2, "pool: numbering continues");
    let history = store.outages(&pool, name, 10).await.expect("outages");
    assert_eq!(history, [resolved], "pool: history");
    let claimed = claim_ours(store, &pool, "pool-s", at(721)).await;
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].notification, restored);
    settle_claimed(store, &claimed[0], &Settlement::Delivered { at: at(722) }).await;
}
