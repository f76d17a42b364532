//! Orchestration tests: the real `Monitor` over `MemoryStore` with the core's testing fakes.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use runner_monitor_core::testing::{
    CountingStore, RecordingNotifier, ScriptedSource, at, observed,
};
use runner_monitor_core::{
    Change, Claim, ClaimRequest, Delivery, DeliveryId, Monitor, NotifyError, Observation, Outage,
    Policy, Receipt, Scope, ScopeRecord, ScopeState, Settlement, SourceError, Store, StoreError,
    Version,
};
use runner_monitor_memory::MemoryStore;

const MIN: i64 = 60;

/// These tests pin per-delivery dispatch: each notification is sent in the cycle that plans it
/// (grouping has its own tests in `tests/grouping.rs`).
fn ungrouped() -> Policy {
    Policy {
        group_wait: Duration::ZERO,
        ..Policy::default()
    }
}

fn scope() -> Scope {
    Scope::repo("acme", "api")
}

fn listing(online: bool) -> Result<Observation, SourceError> {
    Ok(Observation {
        runners: vec![
            observed("build-1", 1, online, false),
            observed("build-2", 2, true, true),
        ],
    })
}

struct Rig {
    source: Arc<ScriptedSource>,
    store: Arc<CountingStore>,
    memory: MemoryStore,
    notifier: Arc<RecordingNotifier>,
}

impl Rig {
    fn new() -> Self {
        let memory = MemoryStore::new();
        Rig {
            source: Arc::new(ScriptedSource::new()),
            store: Arc::new(CountingStore::new(Arc::new(memory.clone()))),
            memory,
            notifier: Arc::new(RecordingNotifier::new()),
        }
    }

    fn monitor(&self) -> Monitor {
        Monitor::builder(self.source.clone(), self.store.clone())
            .policy(ungrouped())
            .scope(scope())
            .sink("slack", self.notifier.clone())
            .build()
            .expect("valid monitor")
    }

    /// Online at 0, offline from 1 min; the outage opens at 3 min.
    async fn open_outage(&self, monitor: &Monitor) {
        self.source.set(&scope(), listing(true));
        monitor.run_cycle(at(0)).await;
        self.source.set(&scope(), listing(false));
        monitor.run_cycle(at(MIN)).await;
        let report = monitor.run_cycle(at(3 * MIN)).await;
        assert_eq!(report.scopes[0].outages_opened, 1, "{report:?}");
    }
}

#[tokio::test]
async fn outage_opens_and_resolves_with_one_notification_each() {
    let rig = Rig::new();
    let monitor = rig.monitor();
    rig.open_outage(&monitor).await;
    rig.source.set(&scope(), listing(true));
    let report = monitor.run_cycle(at(10 * MIN)).await;
    assert_eq!(report.scopes[0].outages_resolved, 1);
    assert_eq!(report.deliveries.sent, 1);
    assert_eq!(
        rig.notifier.keys(),
        [
            "acme/api/runner:build-1/outage:1/outage_opened",
            "acme/api/runner:build-1/outage:1/outage_resolved"
        ]
    );
    let history = rig
        .memory
        .outages(&scope(), "build-1", 5)
        .await
        .expect("history");
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].resolved_at, Some(at(10 * MIN)));
}

#[tokio::test]
async fn failed_notification_is_retried_next_cycle_and_delivered_once() {
    let rig = Rig::new();
    let monitor = rig.monitor();
    rig.notifier
        .fail_next(1, NotifyError::transient("HTTP 503"));
    rig.open_outage(&monitor).await;
    assert!(rig.notifier.delivered().is_empty());
    let pending = rig.memory.pending_deliveries(10).await.expect("pending");
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].attempts, 1);
    assert_eq!(
        pending[0].last_error.as_deref(),
        Some("temporary failure: HTTP 503")
    );
    assert_eq!(
        pending[0].next_attempt_at,
        at(3 * MIN + 30),
        "first backoff is 30 s"
    );

    let early = monitor.run_cycle(at(3 * MIN + 10)).await;
    assert_eq!(
        (early.deliveries.claimed, early.deliveries.sent),
        (0, 0),
        "not due yet: not even read"
    );
    let report = monitor.run_cycle(at(4 * MIN)).await;
    assert_eq!(report.deliveries.sent, 1);
    monitor.run_cycle(at(5 * MIN)).await;
    assert_eq!(
        rig.notifier.keys(),
        ["acme/api/runner:build-1/outage:1/outage_opened"]
    );
    assert_eq!(rig.notifier.attempts(), 2);
}

#[tokio::test]
async fn crash_after_commit_before_dispatch_still_delivers() {
    let rig = Rig::new();
    let monitor = rig.monitor();
    rig.source.set(&scope(), listing(true));
    monitor.run_cycle(at(0)).await;
    rig.source.set(&scope(), listing(false));
    monitor.run_cycle(at(MIN)).await;
    // Commit the outage, then "crash" before the dispatcher runs.
    let report = monitor.run_scope(&scope(), at(3 * MIN)).await;
    assert_eq!(report.outages_opened, 1);
    drop(monitor);
    assert!(rig.notifier.delivered().is_empty());

    let restarted = rig.monitor();
    let report = restarted.run_cycle(at(4 * MIN)).await;
    assert_eq!(
        report.scopes[0].outages_opened, 0,
        "the outage is not opened again"
    );
    assert_eq!(report.deliveries.sent, 1);
    assert_eq!(
        rig.notifier.keys(),
        ["acme/api/runner:build-1/outage:1/outage_opened"]
    );
}

/// How often each idempotency key reached the sink.
fn sends_per_key(notifier: &RecordingNotifier) -> std::collections::BTreeMap<String, usize> {
    let mut counts = std::collections::BTreeMap::new();
    for key in notifier.keys() {
        *counts.entry(key).or_insert(0) += 1;
    }
    counts
}

/// A notifier that takes a while to answer (as Slack does), widening every race window.
#[derive(Debug)]
struct Slow {
    inner: Arc<RecordingNotifier>,
    latency: Duration,
}

#[async_trait]
impl runner_monitor_core::Notifier for Slow {
    async fn notify(
        &self,
        notification: &runner_monitor_core::Notification,
    ) -> Result<(), NotifyError> {
        tokio::time::sleep(self.latency).await;
        self.inner.notify(notification).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_monitors_sharing_a_store_plan_and_send_each_transition_once() {
    let rig = Rig::new();
    let scopes: Vec<Scope> = (0..20)
        .map(|i| Scope::repo("acme", format!("repo-{i}")))
        .collect();
    let slow = Arc::new(Slow {
        inner: rig.notifier.clone(),
        latency: Duration::from_millis(5),
    });
    let build = || {
        Monitor::builder(rig.source.clone(), rig.store.clone())
            .policy(ungrouped())
            .scopes(scopes.clone())
            .sink("slack", slow.clone())
            .build()
            .expect("monitor")
    };
    let (first, second) = (build(), build());
    assert_ne!(first.holder_id(), second.holder_id());
    let script = [(0, true), (MIN, false), (3 * MIN, false), (10 * MIN, true)];
    for (time, online) in script {
        for scope in &scopes {
            rig.source.set(scope, listing(online));
        }
        // Both monitors run every scope at the same time, then both dispatch at the same time.
        let (a, b) = tokio::join!(
            futures::future::join_all(scopes.iter().map(|s| first.run_scope(s, at(time)))),
            futures::future::join_all(scopes.iter().map(|s| second.run_scope(s, at(time)))),
        );
        for report in a.iter().chain(&b) {
            assert!(!report.has_error(), "{report:?}");
        }
        let (da, db) = tokio::join!(first.dispatch(at(time)), second.dispatch(at(time)));
        assert_eq!((da.lease_lost, db.lease_lost), (0, 0), "{da:?} {db:?}");
    }
    for scope in &scopes {
        let history = rig
            .memory
            .outages(scope, "build-1", 10)
            .await
            .expect("history");
        assert_eq!(history.len(), 1, "{scope}: exactly one outage");
    }
    let counts = sends_per_key(&rig.notifier);
    assert_eq!(counts.len(), 40, "one opened and one resolved per scope");
    let twice: Vec<_> = counts.iter().filter(|(_, n)| **n != 1).collect();
    assert!(twice.is_empty(), "each key sent exactly once: {twice:?}");
}

/// Twelve runners of one scope go offline together and come back; two monitors run full cycles
/// on separate tasks (threads) against one store, their dispatchers racing on a slow sink.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_monitors_racing_full_cycles_send_each_alert_exactly_once() {
    let rig = Rig::new();
    let runners = 12;
    let fleet = |online: bool| -> Result<Observation, SourceError> {
        Ok(Observation {
            runners: (0..runners)
                .map(|i| observed(&format!("build-{i}"), i + 1, online, false))
                .collect(),
        })
    };
    let slow = Arc::new(Slow {
        inner: rig.notifier.clone(),
        latency: Duration::from_millis(15),
    });
    let build = || {
        Arc::new(
            Monitor::builder(rig.source.clone(), rig.store.clone())
                .policy(ungrouped())
                .scope(scope())
                .sink("slack", slow.clone())
                .build()
                .expect("monitor"),
        )
    };
    let (first, second) = (build(), build());
    let mut lost = 0;
    for (time, online) in [
        (0, true),
        (MIN, false),
        (3 * MIN, false),
        (4 * MIN, false),
        (10 * MIN, true),
        (11 * MIN, true),
    ] {
        rig.source.set(&scope(), fleet(online));
        let a = tokio::spawn({
            let m = first.clone();
            async move { m.run_cycle(at(time)).await }
        });
        let b = tokio::spawn({
            let m = second.clone();
            async move { m.run_cycle(at(time)).await }
        });
        let (a, b) = (a.await.expect("join"), b.await.expect("join"));
        assert!(!a.has_errors() && !b.has_errors(), "{a:?} {b:?}");
        lost += a.deliveries.lease_lost + b.deliveries.lease_lost;
    }
    assert_eq!(lost, 0, "no claim expired mid-send");
    let counts = sends_per_key(&rig.notifier);
    let opened = counts
        .keys()
        .filter(|k| k.ends_with("outage_opened"))
        .count();
    let resolved = counts
        .keys()
        .filter(|k| k.ends_with("outage_resolved"))
        .count();
    assert_eq!((opened, resolved), (12, 12), "{counts:?}");
    let twice: Vec<_> = counts.iter().filter(|(_, n)| **n != 1).collect();
    assert!(twice.is_empty(), "each key sent exactly once: {twice:?}");
    assert!(
        rig.memory
            .pending_deliveries(100)
            .await
            .expect("pending")
            .is_empty()
    );
}

#[tokio::test]
async fn failing_source_raises_one_degraded_and_one_restored() {
    let rig = Rig::new();
    let monitor = rig.monitor();
    rig.source.set(&scope(), listing(true));
    monitor.run_cycle(at(0)).await;
    rig.source.set(
        &scope(),
        Err(SourceError::Unauthorized {
            message: "token expired or invalid".into(),
        }),
    );
    for minute in 1..=30 {
        let report = monitor.run_cycle(at(minute * MIN)).await;
        assert!(report.scopes[0].source_error.is_some());
    }
    rig.source.set(&scope(), listing(true));
    monitor.run_cycle(at(31 * MIN)).await;
    monitor.run_cycle(at(32 * MIN)).await;
    assert_eq!(
        rig.notifier.keys(),
        [
            "acme/api/source/incident:1/monitoring_degraded",
            "acme/api/source/incident:1/monitoring_restored"
        ]
    );
    let degraded_at = rig.notifier.delivered()[0].at;
    assert_eq!(
        degraded_at,
        at(16 * MIN),
        "raised once source_alert_after (15 min) had passed"
    );
    let state = rig.memory.load(&scope()).await.expect("load");
    assert_eq!(
        state.runners["build-1"].status,
        runner_monitor_core::RunnerStatus::Idle
    );
    assert!(state.open_outages.is_empty(), "no data is not offline");
}

#[tokio::test]
async fn steady_state_cycle_performs_zero_store_writes() {
    let rig = Rig::new();
    let monitor = rig.monitor();
    rig.source.set(&scope(), listing(true));
    monitor.run_cycle(at(0)).await;
    let before = rig.store.counts();
    for minute in 1..10 {
        let report = monitor.run_cycle(at(minute * MIN)).await;
        assert_eq!(report.scopes[0].changes, 0);
    }
    let after = rig.store.counts();
    assert_eq!(
        after.writes(),
        before.writes(),
        "no commits, no settles in steady state"
    );
    assert_eq!(
        after.loads - before.loads,
        9,
        "one load per scope per cycle"
    );
    // The heartbeat is due after 10 minutes: exactly one commit.
    monitor.run_cycle(at(10 * MIN)).await;
    assert_eq!(rig.store.counts().commits, after.commits + 1);
}

/// A store that lets another writer commit first, once: the monitor must reload and replan.
#[derive(Debug)]
struct RacingStore {
    inner: MemoryStore,
    raced: std::sync::atomic::AtomicBool,
}

#[async_trait]
impl Store for RacingStore {
    async fn load(&self, scope: &Scope) -> Result<ScopeState, StoreError> {
        self.inner.load(scope).await
    }
    async fn commit(
        &self,
        scope: &Scope,
        expected: Version,
        changes: &[Change],
    ) -> Result<Receipt, StoreError> {
        if !self.raced.swap(true, std::sync::atomic::Ordering::SeqCst) {
            let state = self.inner.load(scope).await?;
            let record = ScopeRecord {
                last_incident_id: 0,
                ..state.record
            };
            self.inner
                .commit(scope, state.version, &[Change::PutScope(record)])
                .await?;
        }
        self.inner.commit(scope, expected, changes).await
    }
    async fn pending_deliveries(&self, limit: usize) -> Result<Vec<Delivery>, StoreError> {
        self.inner.pending_deliveries(limit).await
    }
    async fn claim_due(&self, request: &ClaimRequest) -> Result<Vec<Delivery>, StoreError> {
        self.inner.claim_due(request).await
    }
    async fn settle_delivery(
        &self,
        id: &DeliveryId,
        claim: &Claim,
        settlement: &Settlement,
    ) -> Result<(), StoreError> {
        self.inner.settle_delivery(id, claim, settlement).await
    }
    async fn outages(
        &self,
        scope: &Scope,
        runner: &str,
        limit: usize,
    ) -> Result<Vec<Outage>, StoreError> {
        self.inner.outages(scope, runner, limit).await
    }
    async fn scopes(&self) -> Result<Vec<Scope>, StoreError> {
        self.inner.scopes().await
    }

    async fn wake_postponed(
        &self,
        until: runner_monitor_core::Timestamp,
        now: runner_monitor_core::Timestamp,
    ) -> Result<usize, StoreError> {
        self.inner.wake_postponed(until, now).await
    }
}

#[tokio::test]
async fn stale_commit_is_retried_after_reload() {
    let memory = MemoryStore::new();
    let store = Arc::new(RacingStore {
        inner: memory.clone(),
        raced: false.into(),
    });
    let source = Arc::new(ScriptedSource::new());
    source.set(&scope(), listing(true));
    let monitor = Monitor::builder(source, store)
        .policy(ungrouped())
        .scope(scope())
        .build()
        .expect("monitor");
    let report = monitor.run_cycle(at(0)).await;
    assert_eq!(report.scopes[0].conflicts_retried, 1);
    assert!(report.scopes[0].store_error.is_none());
    assert_eq!(memory.load(&scope()).await.expect("load").runners.len(), 2);
}

#[tokio::test]
async fn deliveries_of_one_subject_stay_in_order() {
    let rig = Rig::new();
    let monitor = rig.monitor();
    rig.notifier.fail_next(
        1,
        NotifyError::Transient {
            message: "429".into(),
            retry_after: Some(Duration::from_secs(600)),
        },
    );
    rig.open_outage(&monitor).await; // opened: failed, retry in 10 min
    rig.source.set(&scope(), listing(true));
    let report = monitor.run_cycle(at(4 * MIN)).await; // resolved: must wait behind opened
    assert_eq!(report.scopes[0].outages_resolved, 1);
    assert_eq!(
        report.deliveries.sent, 0,
        "resolved waits behind its opened"
    );
    assert!(rig.notifier.delivered().is_empty());
    let report = monitor.run_cycle(at(13 * MIN)).await;
    assert_eq!(report.deliveries.sent, 2);
    let kinds: Vec<&str> = rig
        .notifier
        .delivered()
        .iter()
        .map(|n| n.kind_name())
        .collect();
    assert_eq!(kinds, ["outage_opened", "outage_resolved"]);
}

#[tokio::test]
async fn retry_after_is_honoured_and_pauses_the_sink() {
    let rig = Rig::new();
    let monitor = rig.monitor();
    rig.notifier.fail_next(
        1,
        NotifyError::Transient {
            message: "429".into(),
            retry_after: Some(Duration::from_secs(300)),
        },
    );
    rig.open_outage(&monitor).await;
    let pending = rig.memory.pending_deliveries(10).await.expect("pending");
    assert_eq!(
        pending[0].next_attempt_at,
        at(3 * MIN + 300),
        "retry-after beats the 30 s backoff"
    );
    monitor.run_cycle(at(4 * MIN)).await;
    assert_eq!(
        rig.notifier.attempts(),
        1,
        "nothing sent before retry-after"
    );
    monitor.run_cycle(at(8 * MIN)).await;
    assert_eq!(rig.notifier.delivered().len(), 1);
}

#[tokio::test]
async fn permanent_failure_is_abandoned_not_retried() {
    let rig = Rig::new();
    let monitor = rig.monitor();
    rig.notifier
        .fail_always(NotifyError::permanent("channel_not_found"));
    rig.open_outage(&monitor).await;
    assert!(
        rig.memory
            .pending_deliveries(10)
            .await
            .expect("pending")
            .is_empty()
    );
    monitor.run_cycle(at(30 * MIN)).await;
    assert_eq!(rig.notifier.attempts(), 1);
}

#[tokio::test]
async fn delivery_ttl_gives_up() {
    let rig = Rig::new();
    let monitor = Monitor::builder(rig.source.clone(), rig.store.clone())
        .policy(ungrouped())
        .scope(scope())
        .sink("slack", rig.notifier.clone())
        .policy(Policy {
            delivery_ttl: Duration::from_secs(3600),
            ..ungrouped()
        })
        .build()
        .expect("monitor");
    rig.notifier.fail_always(NotifyError::transient("HTTP 500"));
    rig.open_outage(&monitor).await;
    let mut attempts_before_ttl = 0;
    for minute in (5..=60).step_by(5) {
        monitor.run_cycle(at(minute * MIN)).await;
        attempts_before_ttl = rig.notifier.attempts();
    }
    assert!(
        attempts_before_ttl >= 3,
        "retried with backoff ({attempts_before_ttl})"
    );
    let report = monitor.run_cycle(at(65 * MIN)).await;
    assert_eq!(report.deliveries.failed, 1, "given up after delivery_ttl");
    assert!(
        rig.memory
            .pending_deliveries(10)
            .await
            .expect("pending")
            .is_empty()
    );
}

#[tokio::test]
async fn one_delivery_per_sink_and_removed_sinks_wait_for_the_ttl() {
    let rig = Rig::new();
    let pager = Arc::new(RecordingNotifier::new());
    let monitor = Monitor::builder(rig.source.clone(), rig.store.clone())
        .policy(ungrouped())
        .scope(scope())
        .sink("slack", rig.notifier.clone())
        .sink("pager", pager.clone())
        .build()
        .expect("monitor");
    pager.fail_always(NotifyError::transient("down"));
    rig.open_outage(&monitor).await;
    assert_eq!(rig.notifier.delivered().len(), 1);
    assert_eq!(pager.delivered().len(), 0);
    // A monitor without the pager (another host, or a new configuration) leaves its delivery to
    // whoever has that sink...
    let without_pager = rig.monitor();
    let report = without_pager.run_cycle(at(10 * MIN)).await;
    assert_eq!(
        (report.deliveries.claimed, report.deliveries.failed),
        (0, 0),
        "another sink's delivery is not even read"
    );
    assert_eq!(
        rig.memory
            .pending_deliveries(10)
            .await
            .expect("pending")
            .len(),
        1
    );
    pager.recover();
    monitor.run_cycle(at(20 * MIN)).await;
    assert_eq!(
        pager.delivered().len(),
        1,
        "the monitor with the pager delivers it"
    );
    // ...and gives it up only after delivery_ttl, so nothing is stuck forever.
    pager.fail_always(NotifyError::transient("down"));
    rig.source.set(&scope(), listing(true));
    monitor.run_cycle(at(30 * MIN)).await; // resolved: slack delivered, pager fails
    assert_eq!(
        rig.memory
            .pending_deliveries(10)
            .await
            .expect("pending")
            .len(),
        1
    );
    // It was attempted (and failed) by the pager's monitor: past the TTL, gone at once.
    let report = without_pager.run_cycle(at(31 * MIN + 24 * 60 * MIN)).await;
    assert_eq!(report.deliveries.failed, 1, "abandoned after delivery_ttl");
    assert!(
        rig.memory
            .pending_deliveries(10)
            .await
            .expect("pending")
            .is_empty()
    );
}

/// A delivery for a sink no monitor has, never attempted: past its TTL a sweep first marks it,
/// and abandons it only a grace period later (a clock jump cannot drop it in one step).
#[tokio::test]
async fn never_attempted_deliveries_for_an_absent_sink_are_abandoned_after_ttl_and_grace() {
    let rig = Rig::new();
    let pager = Arc::new(RecordingNotifier::new());
    let with_pager = Monitor::builder(rig.source.clone(), rig.store.clone())
        .policy(ungrouped())
        .scope(scope())
        .sink("slack", rig.notifier.clone())
        .sink("pager", pager.clone())
        .build()
        .expect("monitor");
    // The outage opens on the monitor with both sinks, which never dispatches.
    rig.source.set(&scope(), listing(true));
    with_pager.run_scope(&scope(), at(0)).await;
    rig.source.set(&scope(), listing(false));
    with_pager.run_scope(&scope(), at(MIN)).await;
    with_pager.run_scope(&scope(), at(3 * MIN)).await;
    let slack_only = rig.monitor();
    let report = slack_only.dispatch(at(4 * MIN)).await;
    assert_eq!((report.sent, report.failed), (1, 0), "{report:?}");
    let overdue = at(4 * MIN + 24 * 60 * MIN);
    let report = slack_only.dispatch(overdue).await;
    assert_eq!(
        (report.failed, report.deferred),
        (0, 1),
        "marked, not yet abandoned"
    );
    let pending = rig.memory.pending_deliveries(10).await.expect("pending");
    assert_eq!(pending.len(), 1);
    assert!(
        pending[0]
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("`pager` is not configured")),
        "{pending:?}"
    );
    let grace =
        chrono::Duration::from_std(runner_monitor_core::monitor::ABSENT_SINK_GRACE).expect("grace");
    assert_eq!(
        pending[0].next_attempt_at,
        overdue + grace,
        "not before the grace has passed"
    );
    let report = slack_only.dispatch(overdue + grace).await;
    assert_eq!(
        report.failed, 1,
        "abandoned after delivery_ttl and the grace"
    );
    assert!(
        rig.memory
            .pending_deliveries(10)
            .await
            .expect("pending")
            .is_empty()
    );
    assert!(pager.delivered().is_empty());
}

/// A clock that jumps a year ahead sends the outbox instead of abandoning it for age.
#[tokio::test]
async fn a_clock_jump_far_ahead_sends_instead_of_abandoning() {
    let rig = Rig::new();
    let monitor = rig.monitor();
    let scopes: Vec<Scope> = (0..5)
        .map(|i| Scope::repo("acme", format!("jump-{i}")))
        .collect();
    for scope in &scopes {
        let notification =
            runner_monitor_core::testing::delivery_notification(scope, "r", 1, at(0));
        rig.memory
            .commit(
                scope,
                0,
                &[Change::Enqueue {
                    sink: "slack".into(),
                    notification,
                }],
            )
            .await
            .expect("commit");
    }
    let report = monitor.dispatch(at(365 * 24 * 60 * MIN)).await;
    assert_eq!((report.sent, report.failed), (5, 0), "{report:?}");
}

/// A sink failing past the TTL is abandoned on the attempt that fails, and the last retry is
/// scheduled on the TTL, not past it; a huge retry-after neither panics nor outlives the TTL.
#[tokio::test]
async fn a_huge_retry_after_is_clamped_to_the_ttl_without_panicking() {
    let rig = Rig::new();
    let monitor = rig.monitor();
    rig.notifier.fail_always(NotifyError::Transient {
        message: "429".into(),
        retry_after: Some(Duration::MAX),
    });
    rig.open_outage(&monitor).await;
    let pending = rig.memory.pending_deliveries(10).await.expect("pending");
    assert_eq!(pending.len(), 1);
    assert_eq!(
        pending[0].next_attempt_at,
        at(3 * MIN + 24 * 60 * MIN),
        "clamped to created_at + delivery_ttl"
    );
    let report = monitor.run_cycle(at(3 * MIN + 24 * 60 * MIN)).await;
    assert_eq!(report.deliveries.failed, 1, "{report:?}");
    assert_eq!(rig.notifier.attempts(), 2);
}

/// 10,000 deliveries that are not due or are for a sink this monitor lacks do not delay a new
/// due one: the first dispatch sends it, reading only the rows it claims.
#[tokio::test]
async fn ten_thousand_stuck_deliveries_do_not_delay_a_new_one() {
    let rig = Rig::new();
    let monitor = rig.monitor();
    let backlog = Scope::org("backlog");
    let mut changes = Vec::new();
    for i in 0..5_000 {
        let runner = format!("r{i}");
        let mut later =
            runner_monitor_core::testing::delivery_notification(&backlog, &runner, 1, at(0));
        later.at = at(1_000_000); // planned in the future: not due
        changes.push(Change::Enqueue {
            sink: "slack".into(),
            notification: later,
        });
        let other =
            runner_monitor_core::testing::delivery_notification(&backlog, &runner, 1, at(0));
        changes.push(Change::Enqueue {
            sink: "elsewhere".into(),
            notification: other,
        });
    }
    rig.memory
        .commit(&backlog, 0, &changes)
        .await
        .expect("backlog");
    let before = rig.store.counts();
    rig.open_outage(&monitor).await;
    assert_eq!(
        rig.notifier.keys(),
        ["acme/api/runner:build-1/outage:1/outage_opened"]
    );
    let after = rig.store.counts();
    assert!(
        after.outbox_rows - before.outbox_rows <= 2,
        "only the due delivery is read: {} rows",
        after.outbox_rows - before.outbox_rows
    );
}

/// A backlog larger than the dispatch budget allows: the dispatch stops on time, says so, and
/// leaves the rest unclaimed for the next dispatch (or another monitor) at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dispatch_budget_stops_a_backlog_and_releases_the_rest() {
    let rig = Rig::new();
    let slow = Arc::new(Slow {
        inner: rig.notifier.clone(),
        latency: Duration::from_millis(100),
    });
    let monitor = Monitor::builder(rig.source.clone(), rig.store.clone())
        .policy(ungrouped())
        .sink("slack", slow)
        .dispatch_budget(Duration::from_millis(500))
        .delivery_lease(Duration::from_secs(60))
        .build()
        .expect("monitor");
    let backlog = Scope::org("budget");
    let changes: Vec<Change> = (0..40)
        .map(|i| Change::Enqueue {
            sink: "slack".into(),
            notification: runner_monitor_core::testing::delivery_notification(
                &backlog,
                &format!("r{i}"),
                1,
                at(0),
            ),
        })
        .collect();
    rig.memory
        .commit(&backlog, 0, &changes)
        .await
        .expect("backlog");
    let started = std::time::Instant::now();
    let report = monitor.dispatch(at(10)).await;
    let took = started.elapsed();
    assert!(report.budget_exhausted, "{report:?}");
    assert!(report.sent >= 1 && report.sent < 40, "{report:?}");
    assert_eq!(report.sent + report.deferred, report.claimed, "{report:?}");
    // The budget is checked before each send: at most one send past it (generous on a loaded
    // machine, far below the 4 s the backlog takes).
    assert!(took < Duration::from_secs(3), "took {took:?}");
    let other = rig.monitor();
    let rest = other.dispatch(at(11)).await;
    assert_eq!(
        rest.claimed,
        40 - report.sent,
        "released deliveries are claimable at once"
    );
    assert_eq!(rig.notifier.keys().len(), 40);
}

#[tokio::test]
async fn a_crashed_holders_claim_is_taken_over_only_after_its_lease() {
    let rig = Rig::new();
    let monitor = rig.monitor();
    rig.source.set(&scope(), listing(true));
    monitor.run_scope(&scope(), at(0)).await;
    rig.source.set(&scope(), listing(false));
    monitor.run_scope(&scope(), at(MIN)).await;
    monitor.run_scope(&scope(), at(3 * MIN)).await;
    // Another monitor claimed it and died mid-send.
    let mut request =
        runner_monitor_core::testing::outbox::request("crashed", &["slack"], at(3 * MIN), 300);
    request.limit = 10;
    assert_eq!(
        rig.memory.claim_due(&request).await.expect("claim").len(),
        1
    );
    let report = monitor.dispatch(at(3 * MIN + 299)).await;
    assert_eq!(
        (report.claimed, report.sent),
        (0, 0),
        "a live claim is skipped"
    );
    let report = monitor.dispatch(at(8 * MIN)).await;
    assert_eq!(report.sent, 1, "taken over once the lease expired");
    assert_eq!(rig.notifier.keys().len(), 1);
}

#[tokio::test]
async fn builder_rejects_bad_configuration() {
    let rig = Rig::new();
    let dup = Monitor::builder(rig.source.clone(), rig.store.clone())
        .policy(ungrouped())
        .sink("slack", rig.notifier.clone())
        .sink("slack", rig.notifier.clone())
        .build();
    assert!(dup.expect_err("duplicate").to_string().contains("slack"));
    let scopes = Monitor::builder(rig.source.clone(), rig.store.clone())
        .policy(ungrouped())
        .scope(scope())
        .scope(scope())
        .build();
    assert!(
        scopes
            .expect_err("duplicate scope")
            .to_string()
            .contains("acme/api")
    );
    let policy = Monitor::builder(rig.source.clone(), rig.store.clone())
        .policy(ungrouped())
        .policy(Policy {
            remind_every: Some(Duration::ZERO),
            ..Policy::default()
        })
        .build();
    assert!(
        policy
            .expect_err("policy")
            .to_string()
            .contains("remind_every")
    );
    let lease = Monitor::builder(rig.source.clone(), rig.store.clone())
        .policy(ungrouped())
        .dispatch_budget(Duration::from_secs(60))
        .delivery_lease(Duration::from_secs(30))
        .build();
    assert!(
        lease
            .expect_err("lease")
            .to_string()
            .contains("delivery_lease")
    );
    let budget = Monitor::builder(rig.source.clone(), rig.store.clone())
        .policy(ungrouped())
        .dispatch_budget(Duration::ZERO)
        .build();
    assert!(budget.is_err());
}

#[tokio::test]
async fn store_failure_is_reported_per_scope_and_other_scopes_continue() {
    let rig = Rig::new();
    let other = Scope::org("acme");
    rig.source.set(&scope(), listing(true));
    rig.source.set(&other, listing(true));
    #[derive(Debug)]
    struct Broken;
    #[async_trait]
    impl runner_monitor_core::RunnerSource for Broken {
        async fn observe(&self, _: &Scope) -> Result<Observation, SourceError> {
            Err(SourceError::Unavailable {
                message: "down".into(),
            })
        }
    }
    let monitor = Monitor::builder(rig.source.clone(), rig.store.clone())
        .policy(ungrouped())
        .scopes([scope(), other.clone()])
        .build()
        .expect("monitor");
    let report = monitor.run_cycle(at(0)).await;
    assert_eq!(report.scopes.len(), 2);
    assert_eq!(
        report.scopes[0].scope,
        scope(),
        "reports in configuration order"
    );
    assert!(!report.has_errors());
    let failing = Monitor::builder(Arc::new(Broken), rig.store.clone())
        .policy(ungrouped())
        .scope(other)
        .build()
        .expect("monitor");
    let report = failing.run_cycle(at(MIN)).await;
    assert!(report.has_errors() && report.failed_entirely());
}

/// Hosts spawn cycles on multi-threaded runtimes: the futures must be `Send`.
#[tokio::test]
async fn cycle_futures_are_send() {
    fn assert_send<T: Send>(value: T) -> T {
        value
    }
    let rig = Rig::new();
    let monitor = Arc::new(rig.monitor());
    rig.source.set(&scope(), listing(true));
    let spawned = tokio::spawn({
        let monitor = monitor.clone();
        async move { monitor.run_cycle(at(0)).await }
    });
    let report = spawned.await.expect("join");
    assert!(!report.has_errors());
    assert_send(monitor.dispatch(at(1))).await;
    assert_send(monitor.run_scope(&scope(), at(2))).await;
}
