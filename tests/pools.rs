//! Pool capacity through the real `Monitor` over `MemoryStore`: 3 scopes, 300 runners, a GPU pool
//! of 40 spanning two of them; counts of messages and store round trips.

use std::sync::Arc;
use std::time::Duration;

use runner_monitor_core::testing::{CountingStore, RecordingNotifier, ScriptedSource, at};
use runner_monitor_core::{
    ListedStatus, Monitor, NotificationKind, Observation, ObservedRunner, Policy, Pool, Scope,
    Silence, SourceError, Store,
};
use runner_monitor_memory::MemoryStore;

const MIN: i64 = 60;

fn scopes() -> [Scope; 3] {
    [
        Scope::repo("acme", "ml"),
        Scope::repo("acme", "render"),
        Scope::org("acme"),
    ]
}

fn gpu_pool() -> Pool {
    Pool {
        name: "gpu".into(),
        labels: vec!["gpu".into()],
        scopes: Vec::new(),
        min_online: Some(4),
        min_idle: None,
        below_for: Duration::from_secs(5 * 60),
    }
}

/// What runner `i` of scope `s` does: online with its busy flag churning, offline, or busy.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Is {
    Churning,
    Offline,
    Busy,
}

type Shape = dyn Fn(usize, usize) -> Is;

/// 100 runners per scope; in the two repositories the first 20 carry `gpu`. `shape(scope, i)`
/// says what each does; churning busy flags change with `cycle`.
fn listing(scope_index: usize, cycle: i64, shape: &Shape) -> Result<Observation, SourceError> {
    let runners = (0..100)
        .map(|i| {
            let gpu = scope_index < 2 && i < 20;
            let mut labels = vec!["self-hosted".to_owned(), "linux".to_owned()];
            if gpu {
                labels.push("gpu".to_owned());
            }
            let is = shape(scope_index, i);
            let online = is != Is::Offline;
            ObservedRunner {
                id: 1000 * scope_index as u64 + i as u64,
                name: format!("{}-{i:03}", if gpu { "gpu" } else { "cpu" }),
                os: "linux".into(),
                status: if online {
                    ListedStatus::Online
                } else {
                    ListedStatus::Offline
                },
                busy: is == Is::Busy || (online && (i as i64 + cycle) % 3 != 0),
                labels,
                ephemeral: false,
                group_id: Some(1),
            }
        })
        .collect();
    Ok(Observation { runners })
}

struct Rig {
    source: Arc<ScriptedSource>,
    store: Arc<CountingStore>,
    notifier: Arc<RecordingNotifier>,
    monitor: Monitor,
}

impl Rig {
    fn new(pool: Pool) -> Self {
        Self::with_policy(Policy {
            pools: vec![pool],
            ..Policy::default()
        })
    }

    fn with_policy(policy: Policy) -> Self {
        let source = Arc::new(ScriptedSource::new());
        let store = Arc::new(CountingStore::new(Arc::new(MemoryStore::new())));
        let notifier = Arc::new(RecordingNotifier::new());
        let monitor = Monitor::builder(source.clone(), store.clone())
            .scopes(scopes())
            .sink("slack", notifier.clone())
            .policy(policy)
            .build()
            .expect("valid monitor");
        Rig {
            source,
            store,
            notifier,
            monitor,
        }
    }

    /// One cycle at minute `minute` with every scope listed.
    async fn cycle(&self, minute: i64, shape: &Shape) -> runner_monitor_core::CycleReport {
        for (index, scope) in scopes().iter().enumerate() {
            self.source.set(scope, listing(index, minute, shape));
        }
        let report = self.monitor.run_cycle(at(minute * MIN)).await;
        assert!(!report.has_errors(), "{report:?}");
        report
    }

    fn pool_messages(&self) -> Vec<String> {
        self.notifier
            .delivered()
            .iter()
            .filter(|n| n.scope.is_pool())
            .map(|n| n.idempotency_key())
            .collect()
    }
}

const NONE: &Shape = &|_, _| Is::Churning;
/// 37 of the 40 GPU runners offline: 18 in acme/ml and 19 in acme/render.
const MOST_GPU: &Shape = &|scope, i| match scope {
    0 if i < 18 => Is::Offline,
    1 if i < 19 => Is::Offline,
    _ => Is::Churning,
};
/// Every GPU runner of acme/ml offline.
const ML_GPU: &Shape = &|scope, i| {
    if scope == 0 && i < 20 {
        Is::Offline
    } else {
        Is::Churning
    }
};

#[tokio::test]
async fn thirty_seven_of_forty_gpu_runners_down_open_one_pool_outage_and_resolve_it_once() {
    let rig = Rig::new(gpu_pool());
    // Busy flags churn every cycle (every scope commits): a min_online pool stays quiet.
    for minute in 0..10 {
        let report = rig.cycle(minute, NONE).await;
        let pool = &report.pools[0];
        let count = pool.count.as_ref().expect("judged");
        assert_eq!((count.count, count.total), (40, 40), "minute {minute}");
    }
    assert!(rig.pool_messages().is_empty());

    // Store round trips of a steady cycle: one load per scope and one for the pool; the pool
    // reuses the states the scopes just committed and writes nothing.
    let before = rig.store.counts();
    let report = rig.cycle(10, NONE).await;
    let after = rig.store.counts();
    assert_eq!(after.loads - before.loads, 4, "3 scopes + 1 pool");
    assert_eq!(
        after.commits - before.commits,
        3,
        "the scopes' busy churn only"
    );
    assert_eq!(report.pools[0].changes, 0);

    for minute in 11..30 {
        let report = rig.cycle(minute, MOST_GPU).await;
        let count = report.pools[0].count.as_ref().expect("judged");
        assert_eq!((count.count, count.total), (3, 40));
    }
    assert_eq!(
        rig.pool_messages(),
        ["pool:gpu/pool/outage:1/pool_below_floor"]
    );
    let below = rig
        .notifier
        .delivered()
        .into_iter()
        .find(|n| n.scope.is_pool())
        .expect("pool message");
    match &below.kind {
        NotificationKind::PoolBelowFloor { pool, outage } => {
            assert_eq!(outage.description, "Pool gpu: 3 of 40 online (minimum 4)");
            assert_eq!(outage.started_at, at(11 * MIN));
            assert_eq!(below.at, at(16 * MIN), "`for` = 5 min after the drop");
            assert_eq!(pool.minimum, 4);
        }
        other => panic!("{other:?}"),
    }

    for minute in 30..40 {
        rig.cycle(minute, NONE).await;
    }
    assert_eq!(
        rig.pool_messages(),
        [
            "pool:gpu/pool/outage:1/pool_below_floor",
            "pool:gpu/pool/outage:1/pool_restored"
        ]
    );
    let history = rig
        .store
        .outages(&Scope::pool("gpu"), "gpu", 10)
        .await
        .expect("history");
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].resolved_at, Some(at(30 * MIN)));
    // Each runner's own outages opened and resolved too (37 each), once.
    let kinds = |kind: &str| {
        rig.notifier
            .delivered()
            .iter()
            .filter(|n| n.kind_name() == kind)
            .count()
    };
    assert_eq!((kinds("outage_opened"), kinds("outage_resolved")), (37, 37));
}

#[tokio::test]
async fn a_scope_whose_token_fails_holds_the_pool_instead_of_opening_it() {
    let rig = Rig::new(gpu_pool());
    for minute in 0..3 {
        rig.cycle(minute, NONE).await;
    }
    // acme/render's token expires while acme/ml's GPU runners are all down: the pool cannot be
    // judged (20 known GPU runners in render are not evidence either way).
    for minute in 3..40 {
        for (index, scope) in scopes().iter().enumerate() {
            let answer = if index == 1 {
                Err(SourceError::Unauthorized {
                    message: "401 Bad credentials".into(),
                })
            } else {
                listing(index, minute, ML_GPU)
            };
            rig.source.set(scope, answer);
        }
        let report = rig.monitor.run_cycle(at(minute * MIN)).await;
        let pool = &report.pools[0];
        assert!(pool.held.is_some(), "minute {minute}: {pool:?}");
        assert_eq!(pool.changes, 0);
    }
    assert!(rig.pool_messages().is_empty(), "{:?}", rig.pool_messages());
    // Credentials fixed, render's GPU runners all online: 20 of 40, above the floor.
    for minute in 40..50 {
        rig.cycle(minute, ML_GPU).await;
    }
    assert!(rig.pool_messages().is_empty(), "{:?}", rig.pool_messages());
}

#[tokio::test]
async fn a_min_idle_pool_opens_when_every_member_is_busy() {
    let mut pool = gpu_pool();
    pool.min_online = None;
    pool.min_idle = Some(1);
    pool.below_for = Duration::from_secs(2 * 60);
    pool.scopes = vec![Scope::repo("acme", "ml")];
    let rig = Rig::new(pool);
    // Churn leaves a third of the runners idle each cycle.
    for minute in 0..10 {
        rig.cycle(minute, NONE).await;
    }
    assert!(rig.pool_messages().is_empty());
    // Every GPU runner of acme/ml busy (acme/render's are idle but not in this pool): jobs
    // will queue.
    let all_busy: &Shape = &|scope, i| {
        if scope == 0 && i < 20 {
            Is::Busy
        } else {
            Is::Churning
        }
    };
    for minute in 10..15 {
        let report = rig.cycle(minute, all_busy).await;
        let count = report.pools[0].count.as_ref().expect("judged");
        assert_eq!((count.count, count.total), (0, 20), "only acme/ml counts");
    }
    assert_eq!(
        rig.pool_messages(),
        ["pool:gpu/pool/outage:1/pool_below_floor"]
    );
    for minute in 15..17 {
        rig.cycle(minute, NONE).await;
    }
    assert_eq!(
        rig.pool_messages(),
        [
            "pool:gpu/pool/outage:1/pool_below_floor",
            "pool:gpu/pool/outage:1/pool_restored"
        ]
    );
}

/// A policy with the GPU pool and a silence of `pool:gpu` from minute `from` to `until`.
fn pool_silenced(from: i64, until: i64) -> Policy {
    let silence: Silence = serde_json::from_value(serde_json::json!({
        "id": "gpu-maintenance", "target": "pool:gpu",
        "from": at(from * MIN), "until": at(until * MIN),
    }))
    .expect("valid silence");
    Policy {
        pools: vec![gpu_pool()],
        silences: vec![silence],
        ..Policy::default()
    }
}

impl Rig {
    fn count(&self, kind: &str) -> usize {
        self.notifier
            .delivered()
            .iter()
            .filter(|n| n.kind_name() == kind)
            .count()
    }
}

#[tokio::test]
async fn a_pool_silence_holds_the_pool_and_its_runners_and_sends_what_is_still_open_once() {
    let rig = Rig::with_policy(pool_silenced(10, 35));
    for minute in 0..11 {
        rig.cycle(minute, NONE).await;
    }
    // 37 of the 40 GPU runners down from minute 11: the pool opens at 16, the runners at 13,
    // all inside the silence of pool:gpu (minutes 10-35): nothing is sent.
    for minute in 11..35 {
        rig.cycle(minute, MOST_GPU).await;
    }
    assert_eq!(rig.notifier.delivered().len(), 0, "silenced: nothing sent");
    let history = rig
        .store
        .outages(&Scope::pool("gpu"), "gpu", 10)
        .await
        .expect("history");
    assert_eq!(history.len(), 1, "the pool outage is recorded");
    // Still down when the silence ends: the pool's opening once, and each runner's once.
    for minute in 35..40 {
        rig.cycle(minute, MOST_GPU).await;
    }
    assert_eq!(
        rig.pool_messages(),
        ["pool:gpu/pool/outage:1/pool_below_floor"]
    );
    assert_eq!(rig.count("outage_opened"), 37);
    assert_eq!(rig.notifier.delivered().len(), 38);
    // Back after the silence: told normally.
    for minute in 40..45 {
        rig.cycle(minute, NONE).await;
    }
    assert_eq!(rig.count("pool_restored"), 1);
    assert_eq!(rig.count("outage_resolved"), 37);
    assert_eq!(rig.notifier.delivered().len(), 76);
}

#[tokio::test]
async fn a_pool_outage_that_begins_and_ends_inside_its_silence_sends_nothing() {
    let rig = Rig::with_policy(pool_silenced(5, 60));
    for minute in 0..11 {
        rig.cycle(minute, NONE).await;
    }
    for minute in 11..30 {
        rig.cycle(minute, MOST_GPU).await;
    }
    for minute in 30..70 {
        rig.cycle(minute, NONE).await;
    }
    assert_eq!(
        rig.notifier.delivered().len(),
        0,
        "{:?}",
        rig.pool_messages()
    );
    let history = rig
        .store
        .outages(&Scope::pool("gpu"), "gpu", 10)
        .await
        .expect("history");
    assert_eq!(history.len(), 1);
    assert!(history[0].resolved_at.is_some(), "recorded and resolved");
}

#[tokio::test]
async fn an_open_pool_outage_is_reminded_about_until_acknowledged_and_its_restoration_is_sent() {
    let rig = Rig::with_policy(Policy {
        pools: vec![gpu_pool()],
        remind_every: Some(Duration::from_secs(10 * 60)),
        ..Policy::default()
    });
    for minute in 0..11 {
        rig.cycle(minute, NONE).await;
    }
    // Below from minute 11, opened at 16: reminders at 26, 36, 46.
    for minute in 11..50 {
        rig.cycle(minute, MOST_GPU).await;
    }
    assert_eq!(rig.count("pool_below_floor"), 1);
    assert_eq!(rig.count("pool_reminder"), 3);
    let keys: Vec<String> = rig
        .pool_messages()
        .into_iter()
        .filter(|k| k.contains("pool_reminder"))
        .collect();
    assert_eq!(
        keys,
        [
            "pool:gpu/pool/outage:1/pool_reminder-1",
            "pool:gpu/pool/outage:1/pool_reminder-2",
            "pool:gpu/pool/outage:1/pool_reminder-3"
        ]
    );
    // Acknowledged: no more pool reminders; the runners' own reminders are not affected by it.
    let ack = runner_monitor_core::Acknowledgement {
        by: "U1".into(),
        at: at(50 * MIN),
    };
    rig.store
        .acknowledge(&Scope::pool("gpu"), "gpu", &ack)
        .await
        .expect("ack");
    for minute in 50..90 {
        rig.cycle(minute, MOST_GPU).await;
    }
    assert_eq!(rig.count("pool_reminder"), 3, "none after the ack");
    for minute in 90..95 {
        rig.cycle(minute, NONE).await;
    }
    assert_eq!(rig.count("pool_restored"), 1);
}
