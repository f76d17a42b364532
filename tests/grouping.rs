//! Dispatcher grouping (`group_wait`): the real `Monitor` over `MemoryStore`, counting the
//! messages each sink received (what users pay attention to), not only the deliveries.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use runner_monitor_core::testing::{
    CountingStore, RecordingNotifier, ScriptedSource, at, observed,
};
use runner_monitor_core::{
    Change, Claim, ClaimRequest, Delivery, DeliveryId, Message, MessageReceipt, Monitor,
    NotifyError, Observation, Outage, Policy, Receipt, Scope, ScopeState, Settlement, SourceError,
    Store, StoreError, Version,
};
use runner_monitor_memory::MemoryStore;

const MIN: i64 = 60;

fn policy(group_wait: Duration) -> Policy {
    Policy {
        open_after: Duration::ZERO,
        new_runner_grace: Duration::ZERO,
        source_alert_after: Duration::ZERO,
        group_wait,
        ..Policy::default()
    }
}

fn host(count: usize, online: bool) -> Result<Observation, SourceError> {
    Ok(Observation {
        runners: (0..count)
            .map(|i| observed(&format!("rack1-{i:02}"), i as u64 + 1, online, false))
            .collect(),
    })
}

fn build(
    source: &Arc<ScriptedSource>,
    store: Arc<dyn Store>,
    scopes: Vec<Scope>,
    sinks: &[(&str, Arc<RecordingNotifier>)],
    group_wait: Duration,
) -> Monitor {
    let mut builder = Monitor::builder(source.clone(), store)
        .policy(policy(group_wait))
        .scopes(scopes);
    for (name, notifier) in sinks {
        builder = builder.sink(*name, notifier.clone());
    }
    builder.build().expect("monitor")
}

fn kinds(messages: &[Message]) -> Vec<(String, usize)> {
    messages
        .iter()
        .map(|m| (m.kind_name().to_owned(), m.members.len()))
        .collect()
}

/// A host of 24 runners goes down and comes back 30 min later: two messages per sink.
async fn host_down_for_30_min(group_wait: Duration, notifier: Arc<RecordingNotifier>) {
    let scope = Scope::org("acme");
    let source = Arc::new(ScriptedSource::new());
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let monitor = build(
        &source,
        store.clone(),
        vec![scope.clone()],
        &[("slack", notifier.clone())],
        group_wait,
    );
    source.set(&scope, host(24, true));
    monitor.run_cycle(at(0)).await;
    source.set(&scope, host(24, false));
    let mut time = MIN;
    while time <= 30 * MIN {
        monitor.run_cycle(at(time)).await;
        time += MIN;
    }
    source.set(&scope, host(24, true));
    while time <= 35 * MIN {
        monitor.run_cycle(at(time)).await;
        time += MIN;
    }
    assert_eq!(store.pending_deliveries(100).await.unwrap_or_default(), []);
}

#[tokio::test]
async fn a_host_of_24_runners_is_one_opened_and_one_resolved_message() {
    let notifier = Arc::new(RecordingNotifier::grouping(false));
    host_down_for_30_min(Duration::from_secs(30), notifier.clone()).await;
    let messages = notifier.messages();
    assert_eq!(
        kinds(&messages),
        [
            ("outage_opened".to_owned(), 24),
            ("outage_resolved".to_owned(), 24)
        ]
    );
    assert_eq!(notifier.attempts(), 2, "one request per message");
    assert_eq!(
        notifier.delivered().len(),
        48,
        "every runner's outage is in them"
    );
    assert!(messages[0].key.starts_with("group:outage_opened/org:acme/"));
}

#[tokio::test]
async fn group_wait_zero_sends_each_notification_alone_at_once() {
    let notifier = Arc::new(RecordingNotifier::grouping(false));
    host_down_for_30_min(Duration::ZERO, notifier.clone()).await;
    let messages = notifier.messages();
    assert_eq!(messages.len(), 48);
    assert!(messages.iter().all(|m| m.members.len() == 1));
    assert_eq!(
        messages[0].key,
        messages[0].members[0].idempotency_key(),
        "a message of one keeps its notification's key"
    );
}

#[tokio::test]
async fn a_sink_without_group_rendering_still_gets_every_notification_once() {
    let notifier = Arc::new(RecordingNotifier::new());
    host_down_for_30_min(Duration::from_secs(30), notifier.clone()).await;
    let mut keys = notifier.keys();
    assert_eq!(keys.len(), 48);
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), 48, "no notification twice");
}

#[tokio::test]
async fn nothing_is_sent_before_group_wait_and_what_falls_due_together_goes_together() {
    let scope = Scope::org("acme");
    let source = Arc::new(ScriptedSource::new());
    let notifier = Arc::new(RecordingNotifier::grouping(false));
    let monitor = build(
        &source,
        Arc::new(MemoryStore::new()),
        vec![scope.clone()],
        &[("slack", notifier.clone())],
        Duration::from_secs(30),
    );
    source.set(&scope, host(3, true));
    monitor.run_cycle(at(0)).await;
    // Two runners go down at 60 s, the third at 70 s: all within one group_wait.
    source.set(
        &scope,
        Ok(Observation {
            runners: vec![
                observed("rack1-00", 1, false, false),
                observed("rack1-01", 2, false, false),
                observed("rack1-02", 3, true, false),
            ],
        }),
    );
    let report = monitor.run_cycle(at(MIN)).await;
    assert_eq!(report.deliveries.claimed, 0, "held back for group_wait");
    source.set(&scope, host(3, false));
    let report = monitor.run_cycle(at(MIN + 10)).await;
    assert_eq!(report.deliveries.claimed, 0);
    let report = monitor.dispatch(at(MIN + 29)).await;
    assert_eq!(report.claimed, 0, "the first is 29 s old");
    let report = monitor.dispatch(at(MIN + 41)).await;
    assert_eq!((report.sent, report.messages), (3, 1));
    assert_eq!(
        kinds(&notifier.messages()),
        [("outage_opened".to_owned(), 3)]
    );
}

#[tokio::test]
async fn younger_members_join_the_group_of_the_first_once_it_is_group_wait_old() {
    let acme = Scope::org("acme");
    let other = Scope::org("other");
    let source = Arc::new(ScriptedSource::new());
    let notifier = Arc::new(RecordingNotifier::grouping(false));
    let store = Arc::new(CountingStore::new(Arc::new(MemoryStore::new())));
    let monitor = build(
        &source,
        store.clone(),
        vec![acme.clone(), other.clone()],
        &[("slack", notifier.clone())],
        Duration::from_secs(30),
    );
    source.set(&acme, host(24, true));
    source.set(&other, host(2, true));
    monitor.run_cycle(at(0)).await;
    // A host loses power: GitHub lists 12 of its runners offline at 60 s, the other 12 at 80 s,
    // when a runner of another scope goes down too.
    let half = |down: usize| {
        Ok(Observation {
            runners: (0..24)
                .map(|i| observed(&format!("rack1-{i:02}"), i as u64 + 1, i >= down, false))
                .collect(),
        })
    };
    source.set(&acme, half(12));
    monitor.run_cycle(at(MIN)).await;
    source.set(&acme, host(24, false));
    source.set(
        &other,
        Ok(Observation {
            runners: vec![
                observed("rack1-00", 1, false, false),
                observed("rack1-01", 2, true, false),
            ],
        }),
    );
    monitor.run_cycle(at(MIN + 20)).await;
    assert!(notifier.messages().is_empty());
    // At 91 s the first 12 are 31 s old: the 12 younger ones of the same host join them; the
    // other scope's outage is its own group, 11 s old, and waits.
    let report = monitor.dispatch(at(MIN + 31)).await;
    assert_eq!((report.sent, report.messages), (24, 1), "{report:?}");
    assert_eq!(
        report.deferred, 1,
        "the other scope's young opening, released"
    );
    assert_eq!(
        kinds(&notifier.messages()),
        [("outage_opened".to_owned(), 24)]
    );
    let report = monitor.dispatch(at(MIN + 51)).await;
    assert_eq!((report.sent, report.messages), (1, 1), "{report:?}");
    // Nothing young is claimed while nothing is old enough: no extra store work.
    let claims = store.counts().outbox_reads;
    let report = monitor.dispatch(at(MIN + 52)).await;
    assert_eq!(report.claimed, 0);
    assert_eq!(
        store.counts().outbox_reads - claims,
        1,
        "one claim, no join claim"
    );
}

#[tokio::test]
async fn flush_sends_what_group_wait_holds_back_still_grouped() {
    let scope = Scope::org("acme");
    let source = Arc::new(ScriptedSource::new());
    let notifier = Arc::new(RecordingNotifier::grouping(false));
    let monitor = build(
        &source,
        Arc::new(MemoryStore::new()),
        vec![scope.clone()],
        &[("slack", notifier.clone())],
        Duration::from_secs(30),
    );
    source.set(&scope, host(24, true));
    monitor.run_cycle(at(0)).await;
    source.set(&scope, host(24, false));
    let report = monitor.run_cycle(at(MIN)).await;
    assert_eq!(report.deliveries.claimed, 0, "held back for group_wait");
    let report = monitor.flush(at(MIN + 1)).await;
    assert_eq!((report.sent, report.messages), (24, 1), "{report:?}");
    assert_eq!(
        kinds(&notifier.messages()),
        [("outage_opened".to_owned(), 24)]
    );
    assert_eq!(monitor.flush(at(MIN + 2)).await.claimed, 0, "nothing twice");
}

#[tokio::test]
async fn an_expired_credential_over_20_repositories_is_one_degraded_and_one_restored() {
    let scopes: Vec<Scope> = (0..20)
        .map(|i| Scope::repo("acme", format!("repo-{i:02}")))
        .collect();
    let other = Scope::repo("other", "rate-limited");
    let source = Arc::new(ScriptedSource::new());
    let notifier = Arc::new(RecordingNotifier::grouping(false));
    let mut all = scopes.clone();
    all.push(other.clone());
    let monitor = build(
        &source,
        Arc::new(MemoryStore::new()),
        all,
        &[("slack", notifier.clone())],
        Duration::from_secs(30),
    );
    for scope in &scopes {
        source.set(scope, host(1, true));
    }
    source.set(&other, host(1, true));
    monitor.run_cycle(at(0)).await;
    for scope in &scopes {
        source.set(
            scope,
            Err(SourceError::Unauthorized {
                message: "Bad credentials".into(),
            }),
        );
    }
    source.set(
        &other,
        Err(SourceError::RateLimited {
            retry_after: Duration::from_secs(60),
        }),
    );
    for minute in 1..=10 {
        monitor.run_cycle(at(minute * MIN)).await;
    }
    for scope in &scopes {
        source.set(scope, host(1, true));
    }
    source.set(&other, host(1, true));
    for minute in 11..=15 {
        monitor.run_cycle(at(minute * MIN)).await;
    }
    let mut got = kinds(&notifier.messages());
    got.sort();
    assert_eq!(
        got,
        [
            ("monitoring_degraded".to_owned(), 1),
            ("monitoring_degraded".to_owned(), 20),
            ("monitoring_restored".to_owned(), 1),
            ("monitoring_restored".to_owned(), 20),
        ],
        "one message per cause, in each direction"
    );
}

#[tokio::test]
async fn a_runner_s_resolved_never_goes_before_its_opened() {
    let scope = Scope::org("acme");
    let source = Arc::new(ScriptedSource::new());
    let notifier = Arc::new(RecordingNotifier::grouping(false));
    let monitor = build(
        &source,
        Arc::new(MemoryStore::new()),
        vec![scope.clone()],
        &[("slack", notifier.clone())],
        Duration::from_secs(30),
    );
    source.set(&scope, host(5, true));
    monitor.run_cycle(at(0)).await;
    source.set(&scope, host(5, false));
    let report = monitor.run_cycle(at(MIN)).await;
    assert_eq!(report.deliveries.claimed, 0);
    source.set(&scope, host(5, true));
    let report = monitor.run_cycle(at(MIN + 20)).await;
    assert_eq!(report.deliveries.claimed, 0);
    // Both the opened and the resolved are due now; the resolved waits for its opened.
    let report = monitor.dispatch(at(3 * MIN)).await;
    assert_eq!((report.sent, report.messages), (10, 2));
    assert_eq!(
        kinds(&notifier.messages()),
        [
            ("outage_opened".to_owned(), 5),
            ("outage_resolved".to_owned(), 5)
        ]
    );
}

#[tokio::test]
async fn members_settle_on_their_own_when_a_sink_fails_part_way() {
    let scope = Scope::org("acme");
    let source = Arc::new(ScriptedSource::new());
    let memory = MemoryStore::new();
    let slack = Arc::new(RecordingNotifier::grouping(false));
    // The pager sends member by member (the port's default): its second request fails for
    // good, its third is throttled (retry-after: the rest is not attempted).
    let pager = Arc::new(FailingAt::new(vec![
        (2, NotifyError::permanent("rejected")),
        (
            3,
            NotifyError::Transient {
                message: "slow down".into(),
                retry_after: Some(Duration::from_secs(60)),
            },
        ),
    ]));
    let mut builder = Monitor::builder(source.clone(), Arc::new(memory.clone()))
        .policy(policy(Duration::from_secs(30)))
        .scope(scope.clone())
        .sink("slack", slack.clone());
    builder = builder.sink("pager", pager.clone());
    let monitor = builder.build().expect("monitor");
    source.set(&scope, host(5, true));
    monitor.run_cycle(at(0)).await;
    source.set(&scope, host(5, false));
    monitor.run_cycle(at(MIN)).await;
    let report = monitor.dispatch(at(2 * MIN)).await;
    // slack: 5 in one message; pager: #1 sent, #2 abandoned, #3 retried, #4 and #5 released.
    assert_eq!(report.claimed, 10);
    assert_eq!(report.sent, 6);
    assert_eq!((report.failed, report.retried, report.deferred), (1, 1, 2));
    assert_eq!(report.messages, 2);
    let pending = memory.pending_deliveries(100).await.unwrap_or_default();
    assert_eq!(pending.len(), 3, "{pending:?}");
    assert!(pending.iter().all(|d| d.sink == "pager"));
    // After the retry-after, the three left go out as one message of three (still grouped),
    // through the default one-by-one send.
    let report = monitor.dispatch(at(4 * MIN)).await;
    assert_eq!((report.sent, report.messages), (3, 1));
    assert_eq!(
        pager.accepted(),
        4,
        "1 earlier, 3 now; the abandoned one not again"
    );
    assert_eq!(memory.pending_deliveries(100).await.unwrap_or_default(), []);
    assert_eq!(slack.messages().len(), 1);
}

/// Fails the listed attempts (1-based, counted over all `notify` calls), accepts the others.
#[derive(Debug)]
struct FailingAt {
    failures: Vec<(usize, NotifyError)>,
    calls: AtomicUsize,
    accepted: AtomicUsize,
}

impl FailingAt {
    fn new(failures: Vec<(usize, NotifyError)>) -> Self {
        FailingAt {
            failures,
            calls: AtomicUsize::new(0),
            accepted: AtomicUsize::new(0),
        }
    }

    fn accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }
}

#[async_trait]
impl runner_monitor_core::Notifier for FailingAt {
    async fn notify(
        &self,
        _notification: &runner_monitor_core::Notification,
    ) -> Result<(), NotifyError> {
        let call = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
        if let Some((_, error)) = self.failures.iter().find(|(n, _)| *n == call) {
            return Err(error.clone());
        }
        self.accepted.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

/// A store whose settlements fail while `down` is set: the dispatcher "crashes" after the
/// send and before anything is settled.
#[derive(Debug)]
struct SettleFails {
    inner: MemoryStore,
    down: std::sync::atomic::AtomicBool,
}

#[async_trait]
impl Store for SettleFails {
    async fn load(&self, scope: &Scope) -> Result<ScopeState, StoreError> {
        self.inner.load(scope).await
    }
    async fn commit(
        &self,
        scope: &Scope,
        expected: Version,
        changes: &[Change],
    ) -> Result<Receipt, StoreError> {
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
        if self.down.load(Ordering::SeqCst) {
            return Err(StoreError::Unavailable {
                message: "crashed".into(),
            });
        }
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
    async fn put_receipt(&self, receipt: &MessageReceipt) -> Result<(), StoreError> {
        self.inner.put_receipt(receipt).await
    }
    async fn receipts_following(
        &self,
        sink: &str,
        keys: &[String],
    ) -> Result<Vec<MessageReceipt>, StoreError> {
        self.inner.receipts_following(sink, keys).await
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
async fn a_crash_mid_group_resends_the_same_key_and_loses_nothing() {
    let scope = Scope::org("acme");
    let source = Arc::new(ScriptedSource::new());
    let store = Arc::new(SettleFails {
        inner: MemoryStore::new(),
        down: false.into(),
    });
    let notifier = Arc::new(RecordingNotifier::grouping(false));
    let monitor = build(
        &source,
        store.clone(),
        vec![scope.clone()],
        &[("slack", notifier.clone())],
        Duration::from_secs(30),
    );
    source.set(&scope, host(24, true));
    monitor.run_cycle(at(0)).await;
    source.set(&scope, host(24, false));
    monitor.run_cycle(at(MIN)).await;
    store.down.store(true, Ordering::SeqCst);
    let report = monitor.dispatch(at(2 * MIN)).await;
    assert_eq!(report.sent, 24);
    assert!(report.store_error.is_some(), "nothing settled");
    store.down.store(false, Ordering::SeqCst);
    // Still claimed (the lease of the "crashed" dispatcher): nothing is sent meanwhile.
    let report = monitor.dispatch(at(3 * MIN)).await;
    assert_eq!(report.claimed, 0);
    // A monitor with another holder id takes over after the lease (5 min by default).
    let successor = build(
        &source,
        store.clone(),
        vec![scope.clone()],
        &[("slack", notifier.clone())],
        Duration::from_secs(30),
    );
    let report = successor.dispatch(at(8 * MIN)).await;
    assert_eq!((report.sent, report.messages), (24, 1));
    let messages = notifier.messages();
    assert_eq!(messages.len(), 2, "sent twice: at least once");
    assert_eq!(messages[0].key, messages[1].key, "with the same key");
    assert_eq!(messages[0].members, messages[1].members);
    assert_eq!(store.pending_deliveries(100).await.unwrap_or_default(), []);
}

#[tokio::test]
async fn receipts_follow_a_group_until_all_its_runners_are_back() {
    let scope = Scope::org("acme");
    let source = Arc::new(ScriptedSource::new());
    let memory = MemoryStore::new();
    let counting = Arc::new(CountingStore::new(Arc::new(memory.clone())));
    let pager = Arc::new(RecordingNotifier::grouping(true));
    let monitor = build(
        &source,
        counting.clone(),
        vec![scope.clone()],
        &[("pager", pager.clone())],
        Duration::from_secs(30),
    );
    let listing = |down: &[usize]| {
        Ok(Observation {
            runners: (0..3)
                .map(|i| observed(&format!("r{i}"), i as u64 + 1, !down.contains(&i), false))
                .collect(),
        })
    };
    source.set(&scope, listing(&[]));
    monitor.run_cycle(at(0)).await;
    source.set(&scope, listing(&[0, 1, 2]));
    monitor.run_cycle(at(MIN)).await;
    monitor.run_cycle(at(2 * MIN)).await;
    let opened = pager.messages();
    assert_eq!(opened.len(), 1);
    let group = opened[0].key.clone();
    assert_eq!(
        counting.counts().receipts,
        1,
        "one receipt written per message"
    );
    // r0 comes back: the resolved message follows the group, two still open.
    source.set(&scope, listing(&[1, 2]));
    monitor.run_cycle(at(3 * MIN)).await;
    monitor.run_cycle(at(4 * MIN)).await;
    let messages = pager.messages();
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[1].follows.len(), 1);
    assert_eq!(messages[1].follows[0].key, group);
    assert_eq!(messages[1].follows[0].open.len(), 3, "as stored before it");
    assert!(!messages[1].follows[0].closed_by(&messages[1]));
    // The other two come back: the group closes.
    source.set(&scope, listing(&[]));
    monitor.run_cycle(at(5 * MIN)).await;
    monitor.run_cycle(at(6 * MIN)).await;
    let messages = pager.messages();
    assert_eq!(messages.len(), 3);
    assert_eq!(messages[2].members.len(), 2);
    assert_eq!(messages[2].follows.len(), 1);
    assert_eq!(messages[2].follows[0].open.len(), 2);
    assert!(
        messages[2].follows[0].closed_by(&messages[2]),
        "all its runners are back"
    );
    let keys: Vec<String> = opened[0].member_keys();
    assert_eq!(
        memory
            .receipts_following("pager", &keys)
            .await
            .unwrap_or_default(),
        [],
        "a closed receipt is deleted"
    );
}
