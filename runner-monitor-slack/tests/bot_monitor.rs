//! The real `Monitor` over a `MemoryStore` dispatching to a `SlackBotNotifier` against the fake
//! Slack Web API: 150 runners go down together, the sink is rate limited once, and every outage
//! is still posted exactly once, in red; on recovery each alert is turned green once and gets
//! one reply in its thread.

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
        // One message per runner here (grouping has its own tests).
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
    assert!(
        (100..RUNNERS).contains(&after_first),
        "{after_first} {:?}",
        slack.calls().first()
    );
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
    assert_eq!(all.len(), RUNNERS, "recoveries are not new messages");
    for alert in &all {
        assert_eq!(alert.edits.len(), 1, "turned green once: {}", alert.ts);
        assert_eq!(alert.current().color(), Some("#2EB67D"));
        let thread = slack.thread(&alert.channel, &alert.ts);
        assert_eq!(thread.len(), 1, "one reply in the thread of {}", alert.ts);
        assert!(
            thread[0].posted.text.contains("back") || thread[0].posted.text.contains("Recovered"),
            "{}",
            thread[0].posted.text
        );
    }
    assert!(
        memory
            .pending_deliveries(10)
            .await
            .expect("pending")
            .is_empty()
    );
}
