//! The `mock` feature: mockall mocks of every port, driving the Monitor without any adapter.
#![cfg(all(feature = "mock", feature = "testing"))]

use std::sync::Arc;

use runner_monitor_core::testing::at;
use runner_monitor_core::{
    Change, MockNotifier, MockRunnerSource, MockStore, Monitor, Receipt, Scope, ScopeState,
    SourceError,
};

#[tokio::test]
async fn a_failed_observation_commits_only_source_health() {
    let scope = Scope::org("acme");
    let mut source = MockRunnerSource::new();
    source.expect_observe().times(1).returning(|_| {
        Err(SourceError::Unauthorized {
            message: "token expired".into(),
        })
    });
    let mut store = MockStore::new();
    let loaded = scope.clone();
    store
        .expect_load()
        .times(1)
        .returning(move |_| Ok(ScopeState::empty(loaded.clone())));
    store
        .expect_commit()
        .times(1)
        .withf(|_, version, changes| {
            *version == 0 && changes.iter().all(|c| matches!(c, Change::PutScope(_)))
        })
        .returning(|_, _, _| Ok(Receipt { version: 1 }));
    store
        .expect_claim_due()
        .times(2) // one round for this monitor's sinks, one sweep for the others (first cycle)
        .returning(|_| Ok(Vec::new()));
    store.expect_settle_delivery().never();
    let mut notifier = MockNotifier::new();
    notifier.expect_notify().never();

    let monitor = Monitor::builder(Arc::new(source), Arc::new(store))
        .scope(scope)
        .sink("pager", Arc::new(notifier))
        .build()
        .expect("monitor");
    let report = monitor.run_cycle(at(0)).await;
    assert!(report.scopes[0].source_error.is_some());
    assert_eq!(report.scopes[0].changes, 1);
}
