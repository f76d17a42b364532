//! A Monitor end to end on StatelyStore + the emulator: outages open and resolve, notifications
//! go out once, steady state costs one read per scope and no writes, racing monitors agree.
#![cfg(feature = "emulator")]

mod on_emulator;

use std::sync::Arc;

use runner_monitor_core::testing::{RecordingNotifier, ScriptedSource, at, observed};
use runner_monitor_core::{
    Monitor, NotificationKind, NotifyError, Observation, Policy, Scope, Store,
};
use runner_monitor_stately::StatelyStore;
use runner_monitor_stately::emulator::Method;

fn listing(r2_online: bool) -> Observation {
    Observation {
        runners: vec![
            observed("r1", 1, true, false),
            observed("r2", 2, r2_online, false),
        ],
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outage_opens_notifies_and_resolves() {
    let (emulator, store) = on_emulator::start().await;
    let store: Arc<dyn Store> = Arc::new(store);
    let scope: Scope = "acme/api".parse().expect("scope");
    let source = Arc::new(ScriptedSource::new());
    let notifier = Arc::new(RecordingNotifier::new());
    let monitor = Monitor::builder(source.clone(), store.clone())
        // Per-notification timing: each cycle sends what it planned.
        .policy(Policy {
            group_wait: std::time::Duration::ZERO,
            ..Policy::default()
        })
        .scope(scope.clone())
        .sink("slack", notifier.clone())
        .build()
        .expect("monitor");

    source.set(&scope, Ok(listing(true)));
    let first = monitor.run_cycle(at(0)).await;
    assert!(!first.has_errors(), "{first:?}");
    assert!(first.scopes[0].changes > 0, "new runners are written");

    // Steady state: one list of the scope, one list of the index, nothing written.
    emulator.reset_stats();
    let steady = monitor.run_cycle(at(60)).await;
    assert!(!steady.has_errors(), "{steady:?}");
    let stats = emulator.stats();
    assert_eq!(stats.round_trips(), 2, "{stats:?}");
    assert_eq!(stats.calls(Method::BeginList), 2);
    assert_eq!((stats.writes(), stats.commits), (0, 0));

    // r2 goes offline; after open_after (2 min) the outage opens and is delivered.
    source.set(&scope, Ok(listing(false)));
    monitor.run_cycle(at(120)).await;
    let opened = monitor.run_cycle(at(300)).await;
    assert_eq!(opened.scopes[0].outages_opened, 1, "{opened:?}");
    assert_eq!(opened.deliveries.sent, 1);
    let delivered = notifier.delivered();
    assert_eq!(delivered.len(), 1);
    assert!(matches!(
        &delivered[0].kind,
        NotificationKind::OutageOpened { runner, outage } if runner.name == "r2" && outage.id == 1
    ));
    assert!(
        store
            .pending_deliveries(10)
            .await
            .expect("outbox")
            .is_empty()
    );

    // Back online: resolved and delivered; history has it.
    source.set(&scope, Ok(listing(true)));
    let resolved = monitor.run_cycle(at(600)).await;
    assert_eq!(resolved.scopes[0].outages_resolved, 1, "{resolved:?}");
    assert_eq!(notifier.delivered().len(), 2);
    let history = store.outages(&scope, "r2", 10).await.expect("history");
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].resolved_at, Some(at(600)));
    assert_eq!(store.scopes().await.expect("scopes"), vec![scope.clone()]);

    // A settled outbox keeps the dispatcher to one index list (the sweep for other sinks ran
    // at 600 and waits SWEEP_EVERY).
    emulator.reset_stats();
    monitor.run_cycle(at(660)).await;
    assert_eq!(emulator.stats().round_trips(), 2);
    assert_eq!(emulator.stats().writes(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_monitors_open_one_outage_and_enqueue_one_alert() {
    let (emulator, first_store) = on_emulator::start().await;
    // A second process: its own client, connections and token.
    let second_store = StatelyStore::new(&on_emulator::config(&emulator)).expect("second store");
    let scope: Scope = "acme/race".parse().expect("scope");
    let source = Arc::new(ScriptedSource::new());
    source.set(&scope, Ok(listing(true)));
    let failing = Arc::new(RecordingNotifier::new());
    failing.fail_always(NotifyError::transient("keep the outbox as it is"));
    let build = |store: StatelyStore| {
        Monitor::builder(source.clone(), Arc::new(store))
            .scope(scope.clone())
            .sink("slack", failing.clone())
            .build()
            .expect("monitor")
    };
    let (a, b) = (build(first_store.clone()), build(second_store));

    a.run_scope(&scope, at(0)).await;
    source.set(&scope, Ok(listing(false)));
    a.run_scope(&scope, at(60)).await;
    for round in 0..3 {
        let now = at(300 + round * 60);
        let (ra, rb) = tokio::join!(a.run_scope(&scope, now), b.run_scope(&scope, now));
        assert!(
            ra.store_error.is_none() && rb.store_error.is_none(),
            "{ra:?} {rb:?}"
        );
    }
    let outages = first_store
        .outages(&scope, "r2", 10)
        .await
        .expect("history");
    assert_eq!(outages.len(), 1, "one outage, however the race went");
    let pending = first_store.pending_deliveries(100).await.expect("outbox");
    assert_eq!(pending.len(), 1, "one alert enqueued: {pending:?}");
}
