//! PagerDutyNotifier against a real loopback Events API: the events it sends.

mod common;

use runner_monitor_core::testing::at;
use runner_monitor_core::{Notification, NotificationKind, Notifier};
use runner_monitor_webhook::{PagerDutyNotifier, Severity, dedup_key};
use secrecy::SecretString;
use serde_json::Value;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const ROUTING_KEY: &str = "R0UTINGKEYR0UTINGKEYR0UTINGKEY12";

async fn events_api() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/enqueue"))
        .and(header("content-type", "application/json"))
        .respond_with(ResponseTemplate::new(202).set_body_json(serde_json::json!({
            "status": "success", "message": "Event processed", "dedup_key": "ignored"
        })))
        .mount(&server)
        .await;
    server
}

fn notifier(server: &MockServer) -> PagerDutyNotifier {
    PagerDutyNotifier::new(SecretString::from(ROUTING_KEY))
        .expect("valid key")
        .with_base_url(&server.uri())
        .expect("valid base URL")
}

async fn sent(server: &MockServer) -> Vec<Value> {
    server
        .received_requests()
        .await
        .expect("recording")
        .iter()
        .map(|r| serde_json::from_slice(&r.body).expect("JSON body"))
        .collect()
}

async fn send_one(notification: &Notification) -> Value {
    let server = events_api().await;
    notifier(&server)
        .notify(notification)
        .await
        .expect("accepted");
    let mut bodies = sent(&server).await;
    assert_eq!(bodies.len(), 1);
    bodies.remove(0)
}

#[tokio::test]
async fn every_sent_kind_matches_its_golden_event() {
    for (kind, notification) in common::every_kind() {
        if kind == "outage_reminder" || kind == "pool_reminder" {
            continue;
        }
        let body = send_one(&notification).await;
        common::assert_golden(&format!("pagerduty_{kind}"), &body);
    }
}

#[tokio::test]
async fn runners_removed_is_one_info_trigger_listing_the_runners() {
    let body = send_one(&common::runners_removed()).await;
    assert_eq!(body["event_action"], "trigger");
    assert_eq!(body["payload"]["severity"], "info");
    assert_eq!(body["dedup_key"], "org:acme/removal/since:1767225600");
    assert_eq!(
        body["payload"]["custom_details"]["runners_removed"],
        serde_json::json!(["rack1-00", "rack1-01", "rack1-02"])
    );
    assert_eq!(body["payload"]["custom_details"]["known_runners"], 250);
}

#[tokio::test]
async fn a_pool_outage_triggers_and_resolves_under_one_dedup_key() {
    let below = send_one(&common::pool_below()).await;
    assert_eq!(below["event_action"], "trigger");
    assert_eq!(below["dedup_key"], "pool:gpu/pool/outage:1");
    assert_eq!(
        below["payload"]["summary"],
        "Pool gpu: 1 of 4 online (minimum 2), outage #1"
    );
    assert_eq!(below["payload"]["component"], "gpu");
    assert_eq!(below["payload"]["group"], "pool:gpu");
    let details = &below["payload"]["custom_details"];
    assert_eq!(
        (
            &details["pool_count"],
            &details["pool_total"],
            &details["pool_minimum"]
        ),
        (
            &serde_json::json!(1),
            &serde_json::json!(4),
            &serde_json::json!(2)
        )
    );
    let back = send_one(&common::pool_restored()).await;
    assert_eq!(back["event_action"], "resolve");
    assert_eq!(back["dedup_key"], below["dedup_key"]);
}

#[tokio::test]
async fn opened_triggers_and_resolved_resolves_with_the_same_dedup_key() {
    let server = events_api().await;
    let notifier = notifier(&server);
    notifier.notify(&common::opened()).await.expect("trigger");
    notifier.notify(&common::resolved()).await.expect("resolve");
    let bodies = sent(&server).await;
    assert_eq!(bodies[0]["event_action"], "trigger");
    assert_eq!(bodies[1]["event_action"], "resolve");
    assert_eq!(bodies[0]["routing_key"], ROUTING_KEY);
    assert_eq!(bodies[1]["routing_key"], ROUTING_KEY);
    assert_eq!(bodies[0]["dedup_key"], bodies[1]["dedup_key"]);
    assert_eq!(bodies[0]["dedup_key"], "acme/api/runner:build-1/outage:3");
    assert!(
        bodies[1].get("payload").is_none(),
        "resolve carries no payload"
    );
}

#[tokio::test]
async fn a_resolve_after_a_restart_matches_the_trigger() {
    // Two independent notifiers (as before and after a restart) on two servers.
    let first = events_api().await;
    notifier(&first)
        .notify(&common::opened())
        .await
        .expect("trigger");
    let second = events_api().await;
    notifier(&second)
        .notify(&common::resolved())
        .await
        .expect("resolve");
    assert_eq!(
        sent(&first).await[0]["dedup_key"],
        sent(&second).await[0]["dedup_key"]
    );
}

#[tokio::test]
async fn degraded_and_restored_share_a_key_distinct_from_outages() {
    let (d, r) = (common::degraded(), common::restored());
    assert_eq!(dedup_key(&d), dedup_key(&r));
    assert_eq!(dedup_key(&d), "org:acme/source/incident:2");
    assert_ne!(
        dedup_key(&common::opened()),
        dedup_key(&common::opened_with_id(4))
    );
    let trigger = send_one(&d).await;
    let resolve = send_one(&r).await;
    assert_eq!(trigger["event_action"], "trigger");
    assert_eq!(trigger["payload"]["severity"], "warning");
    assert_eq!(resolve["event_action"], "resolve");
    assert_eq!(trigger["dedup_key"], resolve["dedup_key"]);
}

#[tokio::test]
async fn flapping_is_one_warning_per_runner_resolved_when_stable() {
    let server = events_api().await;
    let notifier = notifier(&server);
    let flapping = common::flapping();
    // A second episode of the same runner (after it settled down, say) joins the same alert.
    let mut again = common::flapping();
    again.at = at(86_400);
    if let NotificationKind::RunnerFlapping { since, .. } = &mut again.kind {
        *since = again.at;
    }
    notifier.notify(&flapping).await.expect("trigger");
    notifier.notify(&again).await.expect("trigger again");
    notifier.notify(&common::stable()).await.expect("resolve");
    notifier.notify(&common::opened()).await.expect("outage");
    let bodies = sent(&server).await;
    assert_eq!(bodies.len(), 4, "one event per notification");
    let actions: Vec<_> = bodies.iter().map(|b| b["event_action"].clone()).collect();
    assert_eq!(actions, ["trigger", "trigger", "resolve", "trigger"]);
    assert_eq!(bodies[0]["payload"]["severity"], "warning");
    for body in &bodies[..3] {
        assert_eq!(body["dedup_key"], "acme/api/runner:build-1/flapping");
    }
    assert_eq!(
        bodies[3]["dedup_key"], "acme/api/runner:build-1/outage:3",
        "an outage is its own incident"
    );
    assert_eq!(
        bodies[0]["payload"]["custom_details"]["flapping_outages"],
        3
    );
    assert!(
        bodies[0]["payload"]["summary"]
            .as_str()
            .is_some_and(|s| s.contains("is flapping: 3 outages in 30m")),
        "{}",
        bodies[0]
    );
}

#[tokio::test]
async fn reminders_send_nothing() {
    let server = events_api().await;
    notifier(&server)
        .notify(&common::reminder())
        .await
        .expect("a reminder is not an error");
    assert!(sent(&server).await.is_empty());
}

#[tokio::test]
async fn severities_and_source_are_configurable() {
    let server = events_api().await;
    let notifier = notifier(&server)
        .with_outage_severity(Severity::Error)
        .with_degraded_severity(Severity::Info)
        .with_source("runners.acme.internal");
    notifier.notify(&common::opened()).await.expect("trigger");
    notifier.notify(&common::degraded()).await.expect("trigger");
    let bodies = sent(&server).await;
    assert_eq!(bodies[0]["payload"]["severity"], "error");
    assert_eq!(bodies[1]["payload"]["severity"], "info");
    assert_eq!(bodies[0]["payload"]["source"], "runners.acme.internal");
}

#[tokio::test]
async fn long_names_keep_summary_and_dedup_key_within_limits() {
    let mut notification = common::opened();
    let long = "r".repeat(2000);
    if let runner_monitor_core::NotificationKind::OutageOpened { runner, outage } =
        &mut notification.kind
    {
        runner.name.clone_from(&long);
        outage.runner.clone_from(&long);
    }
    let body = send_one(&notification).await;
    let summary = body["payload"]["summary"].as_str().expect("summary");
    assert!(summary.chars().count() <= 1024, "{}", summary.len());
    assert!(summary.ends_with("..."));
    let key = body["dedup_key"].as_str().expect("dedup_key");
    assert!(key.len() <= 255, "{}", key.len());
    assert_eq!(key, dedup_key(&notification));
}

#[tokio::test]
async fn a_base_url_path_prefix_is_kept() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/proxy/pagerduty/v2/enqueue"))
        .respond_with(ResponseTemplate::new(202))
        .expect(1)
        .mount(&server)
        .await;
    PagerDutyNotifier::new(SecretString::from(ROUTING_KEY))
        .expect("valid key")
        .with_base_url(&format!("{}/proxy/pagerduty/", server.uri()))
        .expect("valid base URL")
        .notify(&common::opened())
        .await
        .expect("accepted");
}
