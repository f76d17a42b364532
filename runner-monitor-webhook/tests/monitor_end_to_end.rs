//! Both notifiers as sinks of the real `Monitor` (MemoryStore, scripted GitHub), delivering to
//! loopback receivers: the engine's notifications arrive, a 429 is retried by the dispatcher, and
//! PagerDuty's trigger and resolve share one dedup key.

use std::sync::Arc;

use runner_monitor_core::testing::{ScriptedSource, at, observed};
use runner_monitor_core::{Monitor, Observation, Policy, Scope, SourceError};
use runner_monitor_memory::MemoryStore;
use runner_monitor_webhook::{PagerDutyNotifier, SecretString, WebhookNotifier};
use serde_json::Value;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

const MIN: i64 = 60;

fn scope() -> Scope {
    Scope::repo("acme", "api")
}

fn listing(online: bool) -> Result<Observation, SourceError> {
    Ok(Observation {
        runners: vec![observed("build-1", 1, online, false)],
    })
}

async fn bodies(server: &MockServer) -> Vec<Value> {
    server
        .received_requests()
        .await
        .expect("recording")
        .iter()
        .map(|r| serde_json::from_slice(&r.body).expect("JSON"))
        .collect()
}

#[tokio::test]
async fn outage_reaches_both_sinks_with_retry_and_matching_dedup_keys() {
    let hook = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "60"))
        .up_to_n_times(1)
        .mount(&hook)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&hook)
        .await;
    let pagerduty = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(202))
        .mount(&pagerduty)
        .await;

    let webhook = WebhookNotifier::new(SecretString::from(format!("{}/hook", hook.uri())))
        .expect("valid URL")
        .with_signing_secret(SecretString::from("whsec_e2e"));
    let pd = PagerDutyNotifier::new(SecretString::from("ROUTINGKEY000000000000000000000E"))
        .expect("valid key")
        .with_base_url(&pagerduty.uri())
        .expect("valid base URL");
    let source = Arc::new(ScriptedSource::new());
    let monitor = Monitor::builder(source.clone(), Arc::new(MemoryStore::new()))
        // Per-notification timing (grouping has its own tests in `groups.rs`).
        .policy(Policy {
            group_wait: std::time::Duration::ZERO,
            ..Policy::default()
        })
        .scope(scope())
        .sink("webhook", Arc::new(webhook))
        .sink("pagerduty", Arc::new(pd))
        .build()
        .expect("valid monitor");

    source.set(&scope(), listing(true));
    monitor.run_cycle(at(0)).await;
    source.set(&scope(), listing(false));
    monitor.run_cycle(at(MIN)).await;
    let opened = monitor.run_cycle(at(3 * MIN)).await;
    assert_eq!(opened.scopes[0].outages_opened, 1, "{opened:?}");
    assert_eq!(
        (opened.deliveries.sent, opened.deliveries.retried),
        (1, 1),
        "PagerDuty accepted, the webhook was rate limited: {opened:?}"
    );

    source.set(&scope(), listing(true));
    let resolved = monitor.run_cycle(at(10 * MIN)).await;
    assert_eq!(resolved.scopes[0].outages_resolved, 1, "{resolved:?}");
    let settle = monitor.run_cycle(at(11 * MIN)).await;
    assert_eq!(
        resolved.deliveries.sent + settle.deliveries.sent,
        3,
        "webhook opened (retried) + webhook resolved + PagerDuty resolve"
    );

    let hook_kinds: Vec<Value> = bodies(&hook)
        .await
        .iter()
        .map(|b| b["kind"].clone())
        .collect();
    assert_eq!(
        hook_kinds,
        ["outage_opened", "outage_opened", "outage_resolved"],
        "the rate-limited delivery is repeated, then the resolve follows in order"
    );
    let events = bodies(&pagerduty).await;
    assert_eq!(events.len(), 2);
    assert_eq!(events[0]["event_action"], "trigger");
    assert_eq!(events[1]["event_action"], "resolve");
    assert_eq!(events[0]["dedup_key"], events[1]["dedup_key"]);
    assert_eq!(events[0]["dedup_key"], "acme/api/runner:build-1/outage:1");
}
