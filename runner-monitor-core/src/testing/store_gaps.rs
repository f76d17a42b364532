//! Store conformance clauses for the corners: a fully populated scope record, `ExpireHistory`
//! boundaries, awkward runner names, and commits from several threads at once.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::model::{
    Change, DegradedIncident, FailureClass, Resolution, RunnerStatus, Scope, ScopeRecord,
    Settlement, SourceFailure,
};
use crate::ports::{Store, StoreError};

use super::fixtures::{at, delivery_notification, outage, runner_record};
use super::store::{claim_ours, commit_ok, load_ok, settle_claimed};

/// Runs the clauses that need only `&dyn Store` (part of [`run_all`](super::store::run_all)).
pub async fn run_all(store: &dyn Store) {
    fully_populated_scope_record_round_trips(store).await;
    expire_history_boundaries(store).await;
    awkward_runner_names_round_trip(store).await;
}

/// Every field of a [`ScopeRecord`] set survives a commit and a load.
pub async fn fully_populated_scope_record_round_trips(store: &dyn Store) {
    let scope = Scope::org("conformance-full-record");
    let failure = SourceFailure {
        class: FailureClass::RateLimited,
        message: "GitHub rate limit exhausted until 12:00".into(),
    };
    let record = ScopeRecord {
        last_success_at: Some(at(10)),
        failing_since: Some(at(20)),
        last_failure: Some(failure.clone()),
        degraded: Some(DegradedIncident {
            id: 4,
            since: at(20),
            failure: SourceFailure {
                class: FailureClass::Unauthorized,
                message: "Bad credentials".into(),
            },
        }),
        last_incident_id: 4,
        history_expired_at: Some(at(5)),
        suspect_since: Some(at(15)),
        clock_jump_at: Some(at(25)),
    };
    let v = commit_ok(store, &scope, 0, &[Change::PutScope(record.clone())]).await;
    let state = load_ok(store, &scope).await;
    assert_eq!(state.version, v);
    assert_eq!(
        state.record, record,
        "a fully populated scope record round-trips"
    );
    let cleared = ScopeRecord {
        last_success_at: Some(at(30)),
        last_incident_id: 4,
        ..ScopeRecord::default()
    };
    commit_ok(store, &scope, v, &[Change::PutScope(cleared.clone())]).await;
    assert_eq!(
        load_ok(store, &scope).await.record,
        cleared,
        "cleared fields come back as None"
    );
}

/// `ExpireHistory { before }` removes resolved outages resolved strictly before `before` and
/// deliveries settled strictly before it; keeps those at `before` or later, open outages and
/// pending deliveries (however old), and the outage numbering.
pub async fn expire_history_boundaries(store: &dyn Store) {
    let scope = Scope::repo("conformance", "expire-boundaries");
    let sink = "expire-s";
    let cut = at(10_000);
    let mut changes = vec![];
    for name in ["gone", "kept", "open"] {
        changes.push(Change::PutRunner(runner_record(
            name,
            1,
            RunnerStatus::Offline,
            at(0),
        )));
        changes.push(Change::OpenOutage(outage(name, 1, at(0))));
    }
    for name in ["settled-before", "settled-at", "pending"] {
        changes.push(Change::Enqueue {
            sink: sink.into(),
            notification: delivery_notification(&scope, name, 1, at(0)),
        });
    }
    let v = commit_ok(store, &scope, 0, &changes).await;
    let resolve = |name: &str, when| Change::ResolveOutage {
        runner: name.into(),
        id: 1,
        resolved_at: when,
        resolution: Resolution::Recovered(RunnerStatus::Idle),
    };
    let v = commit_ok(
        store,
        &scope,
        v,
        &[
            resolve("gone", cut - chrono::Duration::milliseconds(1)),
            resolve("kept", cut),
        ],
    )
    .await;
    let claimed = claim_ours(store, &scope, sink, at(1)).await;
    assert_eq!(claimed.len(), 3);
    for delivery in &claimed {
        let subject = delivery.notification.subject();
        if subject == "runner:settled-before" {
            let at = cut - chrono::Duration::milliseconds(1);
            settle_claimed(store, delivery, &Settlement::Delivered { at }).await;
        } else if subject == "runner:settled-at" {
            let settlement = Settlement::Abandoned {
                at: cut,
                reason: "gave up".into(),
            };
            settle_claimed(store, delivery, &settlement).await;
        } else {
            settle_claimed(store, delivery, &Settlement::Released { at: at(1) }).await;
        }
    }
    commit_ok(store, &scope, v, &[Change::ExpireHistory { before: cut }]).await;
    let scope_ref = &scope;
    let history = |name: &'static str| async move {
        store.outages(scope_ref, name, 10).await.expect("outages")
    };
    assert!(
        history("gone").await.is_empty(),
        "resolved just before the cut: gone"
    );
    assert_eq!(
        history("kept").await.len(),
        1,
        "resolved exactly at the cut: kept"
    );
    assert_eq!(
        history("open").await.len(),
        1,
        "open since long before the cut: kept"
    );
    let state = load_ok(store, &scope).await;
    assert_eq!(state.next_outage_id("gone"), 2, "numbering survives expiry");
    assert!(state.open_outages.contains_key("open"));
    // Settled deliveries are not visible as pending either way; what must stay is the pending
    // one, and a settled one must not come back.
    let pending: Vec<String> = store
        .pending_deliveries(100_000)
        .await
        .expect("pending")
        .into_iter()
        .filter(|d| d.id.scope == scope)
        .map(|d| d.notification.subject())
        .collect();
    assert_eq!(
        pending,
        ["runner:pending"],
        "a pending delivery never expires"
    );
}

/// Runner names with `/`, `:`, `%`, spaces and non-ASCII round-trip through runners, outages,
/// history and deliveries, and never collide with each other.
pub async fn awkward_runner_names_round_trip(store: &dyn Store) {
    let scope = Scope::repo("conformance", "awkward-names");
    let names = [
        "a/b",
        "a:b",
        "100%",
        "%2F",
        "a%/b",
        "runner-ü-日本",
        "a b",
        "a",
        "a/",
    ];
    let mut changes = vec![];
    for (i, name) in names.iter().enumerate() {
        changes.push(Change::PutRunner(runner_record(
            name,
            100 + i as u64,
            RunnerStatus::Offline,
            at(0),
        )));
        changes.push(Change::OpenOutage(outage(name, 1, at(i as i64))));
        changes.push(Change::Enqueue {
            sink: "awkward-s".into(),
            notification: delivery_notification(&scope, name, 1, at(i as i64)),
        });
    }
    commit_ok(store, &scope, 0, &changes).await;
    let state = load_ok(store, &scope).await;
    assert_eq!(state.runners.len(), names.len(), "no two names collide");
    for (i, name) in names.iter().enumerate() {
        assert_eq!(
            state.runners.get(*name).map(|r| r.id),
            Some(100 + i as u64),
            "runner `{name}` round-trips"
        );
        assert_eq!(
            state.open_outages.get(*name),
            Some(&outage(name, 1, at(i as i64)))
        );
        let history = store.outages(&scope, name, 10).await.expect("outages");
        assert_eq!(history.len(), 1, "history of `{name}`");
        assert_eq!(history[0].runner, *name);
    }
    let claimed = claim_ours(store, &scope, "awkward-s", at(100)).await;
    let mut subjects: Vec<String> = claimed.iter().map(|d| d.notification.subject()).collect();
    subjects.sort();
    let mut expected: Vec<String> = names.iter().map(|n| format!("runner:{n}")).collect();
    expected.sort();
    assert_eq!(subjects, expected, "each name is its own queue");
    for delivery in &claimed {
        settle_claimed(store, delivery, &Settlement::Delivered { at: at(101) }).await;
    }
}

/// Runs a future on another thread (e.g. `tokio::spawn` on a multi-threaded runtime) and
/// resolves when it has finished.
pub type Spawner = dyn Fn(Pin<Box<dyn Future<Output = ()> + Send>>) -> Pin<Box<dyn Future<Output = ()> + Send>>
    + Send
    + Sync;

/// Commits from several threads at once: `threads` tasks, spawned with `spawn`, each commit
/// `rounds` runners to each of 4 scopes, retrying on conflict. Every commit lands exactly once:
/// each scope ends with every runner and a version equal to the commits that succeeded.
///
/// # Examples
/// ```ignore
/// store_gaps::commits_from_threads(store, 4, 10, &|f| Box::pin(async move {
///     tokio::spawn(f).await.expect("join")
/// })).await;
/// ```
pub async fn commits_from_threads(
    store: Arc<dyn Store>,
    threads: usize,
    rounds: usize,
    spawn: &Spawner,
) {
    let scopes: Vec<Scope> = (0..4)
        .map(|i| Scope::repo("conformance", format!("threads-{i}")))
        .collect();
    let tasks = (0..threads).map(|t| {
        let store = store.clone();
        let scopes = scopes.clone();
        spawn(Box::pin(async move {
            for round in 0..rounds {
                for scope in &scopes {
                    let name = format!("t{t}-r{round}");
                    loop {
                        let state = match store.load(scope).await {
                            Ok(state) => state,
                            Err(e) if e.is_retryable() => continue,
                            Err(e) => panic!("{scope}: load failed: {e}"),
                        };
                        let change =
                            Change::PutRunner(runner_record(&name, 1, RunnerStatus::Idle, at(0)));
                        match store.commit(scope, state.version, &[change]).await {
                            Ok(_) => break,
                            Err(StoreError::Conflict { .. } | StoreError::Unavailable { .. }) => {}
                            Err(e) => panic!("{scope}: commit failed: {e}"),
                        }
                    }
                }
            }
        }))
    });
    futures::future::join_all(tasks).await;
    for scope in &scopes {
        let state = load_ok(store.as_ref(), scope).await;
        assert_eq!(
            state.runners.len(),
            threads * rounds,
            "{scope}: every thread's every commit landed"
        );
        assert_eq!(
            state.version as usize,
            threads * rounds,
            "{scope}: one version per successful commit"
        );
    }
}

/// Dispatchers on several threads claiming from one store: `deliveries` deliveries, each
/// claimed (and settled) exactly once.
pub async fn claims_from_threads(
    store: Arc<dyn Store>,
    threads: usize,
    deliveries: usize,
    spawn: &Spawner,
) {
    let scope = Scope::repo("conformance", "claim-threads");
    let sink = "claim-threads-s";
    let changes: Vec<Change> = (0..deliveries)
        .map(|i| Change::Enqueue {
            sink: sink.into(),
            notification: delivery_notification(&scope, &format!("r{i}"), 1, at(0)),
        })
        .collect();
    commit_ok(store.as_ref(), &scope, 0, &changes).await;
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let tasks = (0..threads).map(|t| {
        let store = store.clone();
        let seen = seen.clone();
        spawn(Box::pin(async move {
            let holder = format!("thread-{t}");
            loop {
                let mut request = super::outbox::request(&holder, &[sink], at(10), 3_600);
                request.limit = 5;
                let claimed = match store.claim_due(&request).await {
                    Ok(claimed) => claimed,
                    Err(e) if e.is_retryable() => continue,
                    Err(e) => panic!("claim_due failed: {e}"),
                };
                if claimed.is_empty() {
                    break;
                }
                for delivery in claimed {
                    let claim = delivery
                        .claim
                        .clone()
                        .expect("a claimed delivery has a claim");
                    loop {
                        let settlement = Settlement::Delivered { at: at(11) };
                        match store
                            .settle_delivery(&delivery.id, &claim, &settlement)
                            .await
                        {
                            Ok(()) => break,
                            Err(e) if e.is_retryable() => {}
                            Err(e) => panic!("{}: settle failed: {e}", delivery.id),
                        }
                    }
                    seen.lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .push(delivery.id.seq);
                }
            }
        }))
    });
    futures::future::join_all(tasks).await;
    let mut seen = seen.lock().unwrap_or_else(|p| p.into_inner()).clone();
    seen.sort_unstable();
    let total = seen.len();
    seen.dedup();
    assert_eq!(
        total,
        deliveries,
        "claimed exactly once each (no duplicates: {})",
        total - seen.len()
    );
    assert_eq!(seen.len(), deliveries, "every delivery claimed");
}
