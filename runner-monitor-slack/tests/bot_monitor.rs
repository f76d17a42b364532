//! The real `Monitor` over a `MemoryStore` dispatching to a `SlackBotNotifier` against the fake
//! Slack Web API: 150 runners go down together, the sink is rate limited once, and every outage
//! is still posted exactly once, in red; its recovery once, in green.

use std::sync::Arc;
use std::time::Duration;

use runner_monitor_core::testing::{ScriptedSource, at, observed};
use runner_monitor_core::{Monitor, Observation, Policy, Scope, Store};
use runner_monitor_memory::MemoryStore;
use runner_monitor_slack::SlackBotNotifier;
use runner_monitor_slack::fake::FakeSlackApi;
use runner_monitor_slack::web_api::SlackWebApi;

const MIN: i64 = 60;
const RUNNERS: usize = 150;

fn listing(online: bool) -> Observation {
    Observation {
        runners: (0..RUNNERS)
            .map(|i| observed(&format!("rack-{i:03}"), i as u64 + 1, online, false))
            .collect(),
    }
}

#[tokio::test]
async fn each_outage_is_posted_once_despite_a_rate_limit() {
    let scope = Scope::org("acme");
    let slack = FakeSlackApi::start().await.expect("fake starts");
    let api = SlackWebApi::builder(slack.token(), slack.channel_secret())
        .base_url(slack.base_url())
        .build()
        .expect("client");
    let source = Arc::new(ScriptedSource::new());
    let memory = MemoryStore::new();
    let monitor = Monitor::builder(source.clone(), Arc::new(memory.clone()))
        .scope(scope.clone())
        .sink("slack", Arc::new(SlackBotNotifier::new(api)))
        // Bot mode does not render groups yet: pin per-notification dispatch.
        .policy(Policy {
            group_wait: Duration::ZERO,
            ..Policy::default()
        })
        .delivery_batch(1000)
        .dispatch_budget(Duration::from_secs(120))
        .build()
        .expect("monitor");

    source.set(&scope, Ok(listing(true)));
    monitor.run_cycle(at(0)).await;
    source.set(&scope, Ok(listing(false)));
    monitor.run_cycle(at(MIN)).await;
    // Slack limits posts after the first 100; the rest wait for Retry-After.
    slack.rate_limit("chat.postMessage", 100, Duration::from_secs(30));
    let report = monitor.run_cycle(at(3 * MIN)).await;
    assert_eq!(report.scopes[0].outages_opened, RUNNERS, "{report:?}");
    let after_first = slack.top_level().len();
    assert!((100..RUNNERS).contains(&after_first), "{after_first}");
    assert!(slack.calls().iter().any(|c| c.status == 429));

    // Later cycles (past Retry-After) deliver the rest; none twice.
    slack.rate_limit("chat.postMessage", 10_000, Duration::from_secs(1));
    for minute in [5, 7, 9] {
        monitor.run_cycle(at(minute * MIN)).await;
    }
    let posted = slack.top_level();
    assert_eq!(posted.len(), RUNNERS);
    assert!(posted.iter().all(|m| m.posted.color() == Some("#E01E5A")));
    let texts: std::collections::HashSet<_> =
        posted.iter().map(|m| m.posted.text.clone()).collect();
    assert_eq!(texts.len(), RUNNERS, "one message per runner");
    assert!(
        memory
            .pending_deliveries(10)
            .await
            .expect("pending")
            .is_empty()
    );

    source.set(&scope, Ok(listing(true)));
    monitor.run_cycle(at(30 * MIN)).await;
    monitor.run_cycle(at(32 * MIN)).await;
    let all = slack.top_level();
    assert_eq!(all.len(), 2 * RUNNERS);
    let green = all
        .iter()
        .filter(|m| m.posted.color() == Some("#2EB67D"))
        .count();
    assert_eq!(green, RUNNERS);
    assert!(
        memory
            .pending_deliveries(10)
            .await
            .expect("pending")
            .is_empty()
    );
}
