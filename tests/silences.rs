//! Silences and acknowledgements end to end: the real `Monitor` over `MemoryStore`, a fleet of
//! runners, configured and runtime silences, counting every message and store call.

use std::sync::Arc;
use std::time::Duration;

use runner_monitor_core::testing::{
    CountingStore, RecordingNotifier, ScriptedSource, at, observed,
};
use runner_monitor_core::{
    Acknowledgement, Monitor, Observation, Policy, Scope, Silence, SourceError, Store,
};
use runner_monitor_memory::MemoryStore;

const MIN: i64 = 60;

fn scope() -> Scope {
    Scope::org("acme")
}

/// `silenced` runners `rack-00..` plus `tail` runners `spare-..`, each up or down.
fn listing(fleet_up: bool, tail_up: bool) -> Result<Observation, SourceError> {
    let mut runners: Vec<_> = (0..50)
        .map(|i| observed(&format!("rack-{i:02}"), i + 1, fleet_up, false))
        .collect();
    runners.push(observed("spare-1", 100, tail_up, false));
    runners.push(observed("healthy-1", 101, true, false));
    Ok(Observation { runners })
}

/// A silence of `target` from minute `from` to minute `until`.
fn silence(id: &str, target: &str, from: i64, until: i64) -> Silence {
    serde_json::from_value(serde_json::json!({
        "id": id, "target": target, "from": at(from * MIN), "until": at(until * MIN),
    }))
    .expect("valid silence")
}

struct Rig {
    source: Arc<ScriptedSource>,
    store: Arc<CountingStore>,
    memory: MemoryStore,
    notifier: Arc<RecordingNotifier>,
    monitor: Monitor,
}

impl Rig {
    fn new(policy: Policy) -> Self {
        let memory = MemoryStore::new();
        let source = Arc::new(ScriptedSource::new());
        let store = Arc::new(CountingStore::new(Arc::new(memory.clone())));
        let notifier = Arc::new(RecordingNotifier::new());
        let monitor = Monitor::builder(source.clone(), store.clone())
            .scope(scope())
            .sink("slack", notifier.clone())
            .policy(policy)
            .build()
            .expect("valid monitor");
        Rig {
            source,
            store,
            memory,
            notifier,
            monitor,
        }
    }

    /// One cycle a minute over `[from, to)` minutes with `answer` as the listing.
    async fn minutes(&self, from: i64, to: i64, answer: Result<Observation, SourceError>) {
        self.source.set(&scope(), answer);
        for minute in from..to {
            let report = self.monitor.run_cycle(at(minute * MIN)).await;
            assert!(report.deliveries.store_error.is_none(), "{report:?}");
        }
    }

    fn kinds(&self) -> Vec<String> {
        self.notifier
            .delivered()
            .iter()
            .map(|n| {
                let who = n.runner().map_or_else(|| n.subject(), |r| r.name.clone());
                format!("{}:{who}", n.kind_name())
            })
            .collect()
    }
}

#[tokio::test]
async fn scope_silence_holds_back_a_fleet_outage_and_sends_only_what_is_still_open() {
    let policy = Policy {
        silences: vec![silence("maintenance", "org:acme", 5, 60)],
        ..Policy::default()
    };
    let rig = Rig::new(policy);
    rig.minutes(0, 10, listing(true, true)).await;
    // 50 runners and the spare go down inside the silence; the 50 come back inside it.
    rig.minutes(10, 30, listing(false, false)).await;
    rig.minutes(30, 60, listing(true, false)).await;
    assert_eq!(
        rig.kinds(),
        Vec::<String>::new(),
        "nothing sent during the silence"
    );
    let history = rig
        .memory
        .outages(&scope(), "rack-07", 5)
        .await
        .expect("history");
    assert_eq!(history.len(), 1, "outages are still recorded");
    assert!(history[0].resolved_at.is_some());
    let pending = rig.memory.pending_deliveries(1_000).await.expect("pending");
    assert_eq!(
        pending.len(),
        101,
        "51 openings postponed, 50 resolutions behind them"
    );
    assert!(
        pending.iter().all(|d| d.attempts == 0),
        "postponing counts no attempt"
    );

    let before = rig.store.counts();
    let report = rig.monitor.run_cycle(at(60 * MIN)).await;
    assert_eq!(
        rig.kinds(),
        ["outage_opened:spare-1"],
        "at the end: exactly the one still down"
    );
    assert_eq!(report.deliveries.sent, 1, "{report:?}");
    assert_eq!(
        report.deliveries.silenced, 100,
        "50 openings + 50 resolutions dropped"
    );
    let after = rig.store.counts();
    assert_eq!(
        after.silence_calls - before.silence_calls,
        1,
        "silences are read once per dispatch"
    );
    assert_eq!(
        after.other_reads - before.other_reads,
        51,
        "one history read per opening whose silence ended"
    );
    assert!(
        rig.memory
            .pending_deliveries(1_000)
            .await
            .expect("pending")
            .is_empty()
    );

    rig.minutes(61, 70, listing(true, true)).await;
    assert_eq!(
        rig.kinds(),
        ["outage_opened:spare-1", "outage_resolved:spare-1"],
        "after the silence everything is sent again, once"
    );
}

#[tokio::test]
async fn runtime_label_silence_drops_reminders_and_an_ack_stops_them() {
    // Per-cycle timing of reminders: each notification sent by the next cycle, ungrouped.
    let policy = Policy {
        remind_every: Some(Duration::from_secs(10 * 60)),
        group_wait: Duration::ZERO,
        ..Policy::default()
    };
    let rig = Rig::new(policy);
    rig.minutes(0, 5, listing(true, true)).await;
    rig.minutes(5, 8, listing(true, false)).await;
    assert_eq!(rig.kinds(), ["outage_opened:spare-1"]);
    // Silenced from Slack at minute 8 for 30 minutes, by label: reminders are dropped.
    rig.store
        .put_silence(&silence("s1", "label:linux", 8, 38))
        .await
        .expect("put");
    rig.minutes(8, 38, listing(true, false)).await;
    assert_eq!(rig.kinds(), ["outage_opened:spare-1"], "reminders dropped");
    rig.minutes(38, 39, listing(true, false)).await;
    rig.minutes(39, 50, listing(true, false)).await;
    let reminders = rig
        .kinds()
        .iter()
        .filter(|k| k.starts_with("outage_reminder"))
        .count();
    assert_eq!(
        reminders,
        1,
        "reminding resumes after the silence: {:?}",
        rig.kinds()
    );
    let ack = Acknowledgement {
        by: "U42".into(),
        at: at(50 * MIN),
    };
    let acked = rig
        .store
        .acknowledge(&scope(), "spare-1", &ack)
        .await
        .expect("ack");
    assert_eq!(acked.acknowledged, Some(ack));
    rig.minutes(50, 120, listing(true, false)).await;
    assert_eq!(
        rig.kinds()
            .iter()
            .filter(|k| k.starts_with("outage_reminder"))
            .count(),
        1,
        "no reminder after the acknowledgement"
    );
    rig.minutes(120, 121, listing(true, true)).await;
    assert_eq!(
        rig.kinds().last().map(String::as_str),
        Some("outage_resolved:spare-1"),
        "the resolution of an acknowledged outage is sent"
    );
    assert!(rig.store.delete_silence("s1").await.expect("delete"));
}

#[tokio::test]
async fn a_runner_flapping_through_a_silence_sends_nothing() {
    let policy = Policy {
        silences: vec![silence("flap", "spare-1", 0, 200)],
        ..Policy::default()
    };
    let rig = Rig::new(policy);
    rig.minutes(0, 2, listing(true, true)).await;
    // 20 outages of spare-1 inside the silence: down 4 minutes, up 5, and so on.
    for round in 0..20 {
        let start = 2 + round * 9;
        rig.minutes(start, start + 4, listing(true, false)).await;
        rig.minutes(start + 4, start + 9, listing(true, true)).await;
    }
    let history = rig
        .memory
        .outages(&scope(), "spare-1", 100)
        .await
        .expect("history");
    assert_eq!(history.len(), 20, "every outage recorded");
    rig.minutes(182, 240, listing(true, true)).await;
    assert_eq!(
        rig.kinds(),
        Vec::<String>::new(),
        "nothing sent at or after the end"
    );
    assert!(
        rig.memory
            .pending_deliveries(1_000)
            .await
            .expect("pending")
            .is_empty(),
        "every held-back delivery settled"
    );
}

/// A store whose outage-history reads take `latency` (the silence rule's "is it over?" read);
/// everything else is the memory store's, at once.
#[derive(Debug)]
struct SlowHistory {
    inner: MemoryStore,
    latency: Duration,
    reads: std::sync::atomic::AtomicUsize,
}

#[async_trait::async_trait]
impl Store for SlowHistory {
    async fn load(
        &self,
        scope: &Scope,
    ) -> Result<runner_monitor_core::ScopeState, runner_monitor_core::StoreError> {
        self.inner.load(scope).await
    }
    async fn commit(
        &self,
        scope: &Scope,
        expected: runner_monitor_core::Version,
        changes: &[runner_monitor_core::Change],
    ) -> Result<runner_monitor_core::Receipt, runner_monitor_core::StoreError> {
        self.inner.commit(scope, expected, changes).await
    }
    async fn pending_deliveries(
        &self,
        limit: usize,
    ) -> Result<Vec<runner_monitor_core::Delivery>, runner_monitor_core::StoreError> {
        self.inner.pending_deliveries(limit).await
    }
    async fn claim_due(
        &self,
        request: &runner_monitor_core::ClaimRequest,
    ) -> Result<Vec<runner_monitor_core::Delivery>, runner_monitor_core::StoreError> {
        self.inner.claim_due(request).await
    }
    async fn settle_delivery(
        &self,
        id: &runner_monitor_core::DeliveryId,
        claim: &runner_monitor_core::Claim,
        settlement: &runner_monitor_core::Settlement,
    ) -> Result<(), runner_monitor_core::StoreError> {
        self.inner.settle_delivery(id, claim, settlement).await
    }
    async fn outages(
        &self,
        scope: &Scope,
        runner: &str,
        limit: usize,
    ) -> Result<Vec<runner_monitor_core::Outage>, runner_monitor_core::StoreError> {
        self.reads.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        tokio::time::sleep(self.latency).await;
        self.inner.outages(scope, runner, limit).await
    }
    async fn put_receipt(
        &self,
        receipt: &runner_monitor_core::MessageReceipt,
    ) -> Result<(), runner_monitor_core::StoreError> {
        self.inner.put_receipt(receipt).await
    }
    async fn receipts_following(
        &self,
        sink: &str,
        incident_keys: &[String],
    ) -> Result<Vec<runner_monitor_core::MessageReceipt>, runner_monitor_core::StoreError> {
        self.inner.receipts_following(sink, incident_keys).await
    }
    async fn scopes(&self) -> Result<Vec<Scope>, runner_monitor_core::StoreError> {
        self.inner.scopes().await
    }
    async fn outages_between(
        &self,
        scope: &Scope,
        from: runner_monitor_core::Timestamp,
        to: runner_monitor_core::Timestamp,
    ) -> Result<Vec<runner_monitor_core::Outage>, runner_monitor_core::StoreError> {
        self.inner.outages_between(scope, from, to).await
    }
    async fn put_silence(&self, silence: &Silence) -> Result<(), runner_monitor_core::StoreError> {
        self.inner.put_silence(silence).await
    }
    async fn delete_silence(&self, id: &str) -> Result<bool, runner_monitor_core::StoreError> {
        self.inner.delete_silence(id).await
    }
    async fn silences(&self) -> Result<Vec<Silence>, runner_monitor_core::StoreError> {
        self.inner.silences().await
    }
    async fn acknowledge(
        &self,
        scope: &Scope,
        runner: &str,
        ack: &Acknowledgement,
    ) -> Result<runner_monitor_core::Outage, runner_monitor_core::StoreError> {
        self.inner.acknowledge(scope, runner, ack).await
    }

    async fn wake_postponed(
        &self,
        until: runner_monitor_core::Timestamp,
        now: runner_monitor_core::Timestamp,
    ) -> Result<usize, runner_monitor_core::StoreError> {
        self.inner.wake_postponed(until, now).await
    }
}

/// 51 postponed openings fall due when a silence ends, each needing a slow history read: the
/// dispatch stops at its budget (not after 51 reads), releases the rest untouched, and the
/// next dispatches finish the job with exactly one message.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silenced_backlog_stops_at_the_dispatch_budget() {
    let policy = Policy {
        silences: vec![silence("maintenance", "org:acme", 5, 60)],
        ..Policy::default()
    };
    let rig = Rig::new(policy.clone());
    rig.minutes(0, 10, listing(true, true)).await;
    rig.minutes(10, 30, listing(false, false)).await;
    rig.minutes(30, 60, listing(true, false)).await;
    assert!(rig.kinds().is_empty());

    let slow = Arc::new(SlowHistory {
        inner: rig.memory.clone(),
        latency: Duration::from_millis(50),
        reads: std::sync::atomic::AtomicUsize::new(0),
    });
    let monitor = Monitor::builder(rig.source.clone(), slow.clone())
        .scope(scope())
        .sink("slack", rig.notifier.clone())
        .policy(policy)
        .dispatch_budget(Duration::from_millis(300))
        .delivery_lease(Duration::from_secs(60))
        .build()
        .expect("valid monitor");
    let started = std::time::Instant::now();
    let report = monitor.dispatch(at(60 * MIN)).await;
    let took = started.elapsed();
    let reads = slow.reads.load(std::sync::atomic::Ordering::SeqCst);
    assert!(report.budget_exhausted, "{report:?}");
    assert_eq!(report.claimed, 51, "the 51 openings are the queues' heads");
    assert!(
        reads < 20,
        "the budget (300 ms) stops the 50 ms reads long before all 51: {reads}"
    );
    assert!(report.deferred > 30, "the rest is released: {report:?}");
    assert_eq!(
        report.claimed,
        report.silenced + report.sent + report.deferred,
        "{report:?}"
    );
    assert!(took < Duration::from_secs(2), "took {took:?}");

    // Later dispatches (the budget per dispatch still holds) finish it: one opening in all.
    for round in 0..20 {
        if rig
            .memory
            .pending_deliveries(1_000)
            .await
            .expect("pending")
            .is_empty()
        {
            break;
        }
        monitor.dispatch(at(60 * MIN + round)).await;
    }
    assert!(
        rig.memory
            .pending_deliveries(1_000)
            .await
            .expect("pending")
            .is_empty()
    );
    assert_eq!(rig.kinds(), ["outage_opened:spare-1"]);
}

/// A runtime silence of `target` (as `/runner-silence` stores it) from minute `from` to `until`.
fn runtime_silence(id: &str, target: &str, from: i64, until: i64) -> Silence {
    let mut silence = silence(id, target, from, until);
    silence.created_by = "U42".into();
    silence.created_at = Some(at(from * MIN));
    silence
}

#[tokio::test]
async fn unsilencing_releases_a_held_back_opening_at_the_next_dispatch() {
    use runner_monitor_slack::commands::actions;
    let rig = Rig::new(Policy::default());
    rig.minutes(0, 5, listing(true, true)).await;
    rig.store
        .put_silence(&runtime_silence("s-2h", "org:acme", 5, 125))
        .await
        .expect("put");
    // spare-1 goes down inside the 2 h silence: its opening is held back to minute 125.
    rig.minutes(5, 10, listing(true, false)).await;
    assert_eq!(rig.kinds(), Vec::<String>::new(), "held back");
    let pending = rig.memory.pending_deliveries(10).await.expect("pending");
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].next_attempt_at, at(125 * MIN), "due at the end");

    // Removed after 5 minutes: the next dispatch sends it.
    let done = actions::unsilence(rig.store.as_ref(), "s-2h", at(10 * MIN))
        .await
        .expect("unsilence");
    assert_eq!((done.removed.len(), done.woken), (1, 1), "{done:?}");
    assert!(done.not_woken.is_empty());
    rig.minutes(10, 11, listing(true, false)).await;
    assert_eq!(rig.kinds(), ["outage_opened:spare-1"], "exactly one, now");
    // And not again at the silence's original end.
    rig.minutes(11, 130, listing(true, false)).await;
    assert_eq!(rig.kinds(), ["outage_opened:spare-1"], "sent once");
}

#[tokio::test]
async fn unsilencing_keeps_what_another_silence_still_covers_held() {
    use runner_monitor_slack::commands::actions;
    let rig = Rig::new(Policy::default());
    rig.minutes(0, 5, listing(true, true)).await;
    for s in [
        runtime_silence("s-2h", "label:linux", 5, 125),
        runtime_silence("s-1h", "org:acme", 5, 65),
    ] {
        rig.store.put_silence(&s).await.expect("put");
    }
    rig.minutes(5, 10, listing(true, false)).await;
    let done = actions::unsilence(rig.store.as_ref(), "s-2h", at(10 * MIN))
        .await
        .expect("unsilence");
    assert_eq!(done.woken, 1, "{done:?}");
    // The dispatcher applies the silence rule again: the scope silence holds it to minute 65.
    rig.minutes(10, 65, listing(true, false)).await;
    assert_eq!(rig.kinds(), Vec::<String>::new(), "still held by s-1h");
    let pending = rig.memory.pending_deliveries(10).await.expect("pending");
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].next_attempt_at, at(65 * MIN), "postponed again");
    assert_eq!(pending[0].attempts, 0);
    rig.minutes(65, 66, listing(true, false)).await;
    assert_eq!(
        rig.kinds(),
        ["outage_opened:spare-1"],
        "sent at the end of s-1h"
    );
}
