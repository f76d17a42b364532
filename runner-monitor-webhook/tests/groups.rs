//! Grouped messages through the real `Monitor` (MemoryStore, scripted GitHub) to loopback
//! receivers: a host's outages are ONE webhook document and ONE PagerDuty incident, whose
//! `dedup_key` is the group's, resolved only when all its runners are back.

use std::sync::Arc;
use std::time::Duration;

use runner_monitor_core::testing::{ScriptedSource, at, observed};
use runner_monitor_core::{Monitor, Observation, Policy, Scope, SourceError};
use runner_monitor_memory::MemoryStore;
use runner_monitor_webhook::{PagerDutyNotifier, SecretString, WebhookNotifier};
use serde_json::Value;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

const MIN: i64 = 60;
const RUNNERS: usize = 300;

fn scope() -> Scope {
    Scope::org("acme")
}

/// `RUNNERS` runners; those with index `< down` are offline.
fn listing(down: usize) -> Result<Observation, SourceError> {
    Ok(Observation {
        runners: (0..RUNNERS)
            .map(|i| observed(&format!("rack-{i:03}"), i as u64 + 1, i >= down, false))
            .collect(),
    })
}

async fn bodies(server: &MockServer) -> Vec<Value> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter_map(|r| serde_json::from_slice(&r.body).ok())
        .collect()
}

async fn accepting(status: u16) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(status))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn hundreds_of_runners_down_at_once_are_one_document_and_one_incident() {
    let hook = accepting(200).await;
    let pagerduty = accepting(202).await;
    let webhook = WebhookNotifier::new(SecretString::from(format!("{}/hook", hook.uri())))
        .expect("valid URL");
    let pd = PagerDutyNotifier::new(SecretString::from("ROUTINGKEY000000000000000000000E"))
        .expect("valid key")
        .with_base_url(&pagerduty.uri())
        .expect("valid base URL");
    let source = Arc::new(ScriptedSource::new());
    let monitor = Monitor::builder(source.clone(), Arc::new(MemoryStore::new()))
        .policy(Policy {
            open_after: Duration::ZERO,
            group_wait: Duration::from_secs(30),
            ..Policy::default()
        })
        .scope(scope())
        .sink("webhook", Arc::new(webhook))
        .sink("pagerduty", Arc::new(pd))
        .build()
        .expect("valid monitor");

    source.set(&scope(), listing(0));
    monitor.run_cycle(at(0)).await;
    source.set(&scope(), listing(RUNNERS));
    monitor.run_cycle(at(MIN)).await;
    let report = monitor.run_cycle(at(2 * MIN)).await;
    assert_eq!(report.deliveries.sent, 2 * RUNNERS, "{report:?}");
    assert_eq!(report.deliveries.messages, 2, "one message per sink");

    let documents = bodies(&hook).await;
    assert_eq!(documents.len(), 1, "one webhook POST for {RUNNERS} runners");
    let doc = &documents[0];
    assert_eq!(doc["kind"], "outage_opened");
    assert_eq!(doc["count"], RUNNERS);
    assert_eq!(doc["scope"], "org:acme");
    assert_eq!(doc["members"].as_array().map(Vec::len), Some(RUNNERS));
    assert!(
        doc["message"]
            .as_str()
            .unwrap_or_default()
            .starts_with("300 runners of org:acme offline: rack-000, rack-001"),
        "{}",
        doc["message"]
    );

    let events = bodies(&pagerduty).await;
    assert_eq!(events.len(), 1, "one PagerDuty incident");
    assert_eq!(events[0]["event_action"], "trigger");
    let dedup = events[0]["dedup_key"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        dedup.starts_with("group:outage_opened/org:acme/"),
        "{dedup}"
    );
    assert_eq!(events[0]["payload"]["custom_details"]["count"], RUNNERS);

    // Half come back: the webhook hears of them, PagerDuty keeps the incident open.
    source.set(&scope(), listing(RUNNERS / 2));
    monitor.run_cycle(at(3 * MIN)).await;
    monitor.run_cycle(at(4 * MIN)).await;
    assert_eq!(bodies(&hook).await.len(), 2);
    assert_eq!(bodies(&pagerduty).await.len(), 1, "still some runners down");

    // The rest come back: one resolve with the group's dedup_key.
    source.set(&scope(), listing(0));
    monitor.run_cycle(at(5 * MIN)).await;
    let report = monitor.run_cycle(at(6 * MIN)).await;
    assert_eq!(report.deliveries.sent, RUNNERS, "{report:?}");
    let documents = bodies(&hook).await;
    assert_eq!(documents.len(), 3, "opened, half back, the rest back");
    assert_eq!(documents[2]["kind"], "outage_resolved");
    assert_eq!(documents[2]["count"], RUNNERS / 2);
    let events = bodies(&pagerduty).await;
    assert_eq!(events.len(), 2, "{events:?}");
    assert_eq!(events[1]["event_action"], "resolve");
    assert_eq!(events[1]["dedup_key"], dedup.as_str());
}

#[tokio::test]
async fn a_failed_group_post_is_retried_whole_with_the_same_key() {
    let hook = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&hook)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&hook)
        .await;
    let webhook = WebhookNotifier::new(SecretString::from(format!("{}/hook", hook.uri())))
        .expect("valid URL");
    let source = Arc::new(ScriptedSource::new());
    let monitor = Monitor::builder(source.clone(), Arc::new(MemoryStore::new()))
        .policy(Policy {
            open_after: Duration::ZERO,
            ..Policy::default()
        })
        .scope(scope())
        .sink("webhook", Arc::new(webhook))
        .build()
        .expect("valid monitor");
    source.set(&scope(), listing(0));
    monitor.run_cycle(at(0)).await;
    source.set(&scope(), listing(24));
    monitor.run_cycle(at(MIN)).await;
    let report = monitor.run_cycle(at(2 * MIN)).await;
    assert_eq!(report.deliveries.retried, 24, "{report:?}");
    let report = monitor.run_cycle(at(4 * MIN)).await;
    assert_eq!(
        (report.deliveries.sent, report.deliveries.messages),
        (24, 1)
    );
    let requests = hook.received_requests().await.unwrap_or_default();
    assert_eq!(requests.len(), 2);
    let keys: Vec<_> = requests
        .iter()
        .map(|r| r.headers.get("Idempotency-Key").cloned())
        .collect();
    assert_eq!(keys[0], keys[1], "the retry carries the group's key");
}
