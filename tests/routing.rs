//! Routing (`[sinks.route]`): three sinks with different routes over a fleet of three scopes; each
//! receives exactly what its route accepts (grouped per sink as usual), and a refused notification
//! leaves no delivery behind.

use std::collections::BTreeMap;
use std::sync::Arc;

use runner_monitor::core::testing::{RecordingNotifier, ScriptedSource, at, observed};
use runner_monitor::core::{Monitor, Observation, Route, Scope, Store};
use runner_monitor_memory::MemoryStore;

const MIN: i64 = 60;

/// `count` runners named `<prefix>-NN`; the first `gpu` carry the `gpu` label; the first
/// `down` are offline.
fn fleet(prefix: &str, count: usize, gpu: usize, down: usize) -> Observation {
    let runners = (0..count)
        .map(|i| {
            let mut runner = observed(&format!("{prefix}-{i:03}"), i as u64 + 1, i >= down, false);
            if i < gpu {
                runner.labels.push("gpu".to_owned());
            }
            runner
        })
        .collect();
    Observation { runners }
}

fn route(kinds: &[&str], scopes: &[&str], labels: &[&str]) -> Route {
    let owned = |items: &[&str]| items.iter().map(|s| (*s).to_owned()).collect();
    Route {
        kinds: owned(kinds),
        scopes: owned(scopes),
        labels: owned(labels),
    }
}

fn kinds(sink: &RecordingNotifier) -> BTreeMap<&'static str, usize> {
    let mut counts = BTreeMap::new();
    for n in sink.delivered() {
        *counts.entry(n.kind_name()).or_default() += 1;
    }
    counts
}

#[tokio::test]
async fn each_sink_receives_what_its_route_accepts() {
    let org = Scope::org("acme");
    let api = Scope::repo("acme", "api");
    let web = Scope::repo("beta", "web");
    let source = Arc::new(ScriptedSource::new());
    let store = Arc::new(MemoryStore::new());
    let everything = Arc::new(RecordingNotifier::grouping(false));
    let pager = Arc::new(RecordingNotifier::grouping(false));
    let acme = Arc::new(RecordingNotifier::grouping(false));
    let monitor = Monitor::builder(source.clone(), store.clone())
        .scopes([org.clone(), api.clone(), web.clone()])
        .sink("slack", everything.clone())
        .routed_sink(
            "pagerduty",
            pager.clone(),
            route(&["outage_opened", "outage_resolved"], &[], &["gpu"]),
        )
        .routed_sink(
            "acme",
            acme.clone(),
            route(&[], &["org:acme", "acme/*"], &[]),
        )
        .build()
        .expect("valid monitor");

    // 200 runners in the organization (40 gpu), 50 + 30 in two repositories: all online.
    source.set(&org, Ok(fleet("org", 200, 40, 0)));
    source.set(&api, Ok(fleet("api", 50, 0, 0)));
    source.set(&web, Ok(fleet("web", 30, 5, 0)));
    monitor.run_cycle(at(0)).await;
    // 20 of the organization's go down (10 of them gpu), 5 of api, 5 of web (all 5 gpu).
    source.set(&org, Ok(fleet("org", 200, 10, 20)));
    source.set(&api, Ok(fleet("api", 50, 0, 5)));
    source.set(&web, Ok(fleet("web", 30, 5, 5)));
    monitor.run_cycle(at(MIN)).await;
    let report = monitor.run_cycle(at(4 * MIN)).await;
    let opened: usize = report.scopes.iter().map(|s| s.outages_opened).sum();
    assert_eq!(opened, 30, "{report:?}");
    // Past group_wait (30 s): the openings go out, grouped per scope and sink.
    monitor.run_cycle(at(5 * MIN)).await;
    // A reminder-free recovery.
    source.set(&org, Ok(fleet("org", 200, 10, 0)));
    source.set(&api, Ok(fleet("api", 50, 0, 0)));
    source.set(&web, Ok(fleet("web", 30, 5, 0)));
    let report = monitor.run_cycle(at(10 * MIN)).await;
    let resolved: usize = report.scopes.iter().map(|s| s.outages_resolved).sum();
    assert_eq!(resolved, 30);
    monitor.run_cycle(at(11 * MIN)).await;

    assert_eq!(
        kinds(&everything),
        BTreeMap::from([("outage_opened", 30), ("outage_resolved", 30)])
    );
    // Only the gpu runners: 10 of the organization, 5 of beta/web.
    assert_eq!(
        kinds(&pager),
        BTreeMap::from([("outage_opened", 15), ("outage_resolved", 15)])
    );
    assert!(pager.delivered().iter().all(|n| {
        n.runner()
            .is_some_and(|r| r.labels.iter().any(|l| l == "gpu"))
    }));
    // Only acme's scopes: 20 + 5.
    assert_eq!(
        kinds(&acme),
        BTreeMap::from([("outage_opened", 25), ("outage_resolved", 25)])
    );
    assert!(acme.delivered().iter().all(|n| n.scope != web));
    // Every notification was sent exactly once per accepting sink; none is left in the outbox.
    assert_eq!(
        store
            .pending_deliveries(1_000)
            .await
            .expect("pending")
            .len(),
        0
    );
    // What people received: one message per kind and scope the route lets through.
    let messages = |sink: &RecordingNotifier| sink.messages().len();
    assert_eq!(messages(&everything), 6, "3 scopes x opened/resolved");
    assert_eq!(
        messages(&pager),
        4,
        "org:acme and beta/web have gpu runners"
    );
    assert_eq!(messages(&acme), 4, "org:acme and acme/api");
}
