//! PagerDutyNotifier failure classification against a real loopback Events API.

mod common;

use std::time::Duration;

use runner_monitor_core::{Notifier, NotifyError};
use runner_monitor_webhook::PagerDutyNotifier;
use secrecy::SecretString;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

const ROUTING_KEY: &str = "SECRETROUTINGKEY0123456789abcdef";

async fn answering(response: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(response)
        .mount(&server)
        .await;
    server
}

fn notifier_for(base: &str) -> PagerDutyNotifier {
    PagerDutyNotifier::new(SecretString::from(ROUTING_KEY))
        .expect("valid key")
        .with_base_url(base)
        .expect("valid base URL")
}

async fn send(server: &MockServer) -> NotifyError {
    notifier_for(&server.uri())
        .notify(&common::opened())
        .await
        .expect_err("must fail")
}

fn assert_no_key(error: &NotifyError) {
    let text = format!("{error} {error:?}");
    assert!(!text.contains(ROUTING_KEY), "{text}");
}

#[tokio::test]
async fn invalid_event_is_permanent_with_pagerdutys_errors() {
    let server = answering(ResponseTemplate::new(400).set_body_json(serde_json::json!({
        "status": "invalid event",
        "message": "Event object is invalid",
        "errors": [format!("'routing_key' {ROUTING_KEY} is invalid")]
    })))
    .await;
    let error = send(&server).await;
    assert!(matches!(error, NotifyError::Permanent { .. }), "{error}");
    assert_eq!(
        error.to_string(),
        "permanent failure: PagerDuty rejected the notification (400 Bad Request): \
         Event object is invalid: 'routing_key' [redacted] is invalid"
    );
    assert_no_key(&error);
}

#[tokio::test]
async fn other_client_errors_are_permanent() {
    for status in [401, 403, 404, 413] {
        let error = send(&answering(ResponseTemplate::new(status)).await).await;
        assert!(!error.is_retryable(), "{status}: {error}");
    }
}

#[tokio::test]
async fn throttling_is_transient_with_retry_after() {
    let server = answering(
        ResponseTemplate::new(429)
            .insert_header("Retry-After", "12")
            .set_body_string("Too many requests"),
    )
    .await;
    let error = send(&server).await;
    assert!(error.is_retryable(), "{error}");
    assert_eq!(error.retry_after(), Some(Duration::from_secs(12)));

    // Without Retry-After a 429 still pauses the sink (the shared default), never "retry now".
    let without = send(&answering(ResponseTemplate::new(429)).await).await;
    assert!(without.is_retryable());
    assert_eq!(
        without.retry_after(),
        Some(runner_monitor_http::DEFAULT_RATE_LIMIT_PAUSE)
    );
}

#[tokio::test]
async fn server_errors_are_transient() {
    for status in [500, 502, 503, 504] {
        let error = send(&answering(ResponseTemplate::new(status)).await).await;
        assert!(error.is_retryable(), "{status}: {error}");
        assert_no_key(&error);
    }
}

#[tokio::test]
async fn a_slow_events_api_times_out_as_transient() {
    let server = answering(ResponseTemplate::new(202).set_delay(Duration::from_secs(3))).await;
    let error = notifier_for(&server.uri())
        .with_timeout(Duration::from_millis(200))
        .notify(&common::resolved())
        .await
        .expect_err("must time out");
    assert!(error.is_retryable(), "{error}");
    assert!(
        error.to_string().contains("did not answer within"),
        "{error}"
    );
}

#[tokio::test]
async fn connection_refused_is_transient() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    let error = notifier_for(&format!("http://127.0.0.1:{port}"))
        .notify(&common::degraded())
        .await
        .expect_err("nothing listens");
    assert!(error.is_retryable(), "{error}");
    assert_no_key(&error);
}

#[test]
fn plain_http_base_urls_are_refused_except_for_loopback() {
    let key = || PagerDutyNotifier::new(SecretString::from(ROUTING_KEY)).expect("valid key");
    let error = key()
        .with_base_url("http://events.example.com")
        .expect_err("plain http to a remote host")
        .to_string();
    assert!(
        error.contains("plain http:// is allowed only for a loopback host"),
        "{error}"
    );
    assert!(key().with_base_url("http://127.0.0.1:8080").is_ok());
    assert!(key().with_base_url("http://localhost:8080/pd").is_ok());
}

#[tokio::test]
async fn debug_output_shows_no_routing_key() {
    let notifier = notifier_for("https://events.example.com/");
    let debug = format!("{notifier:?}");
    assert!(!debug.contains(ROUTING_KEY), "{debug}");
    assert!(debug.contains("events.example.com/v2/enqueue"), "{debug}");
    // A base URL carrying credentials is refused, without echoing them.
    for base in [
        "https://user:pw-secret@events.example.com/",
        "https://events.example.com/?k=q-secret",
    ] {
        let error = PagerDutyNotifier::new(SecretString::from(ROUTING_KEY))
            .expect("valid key")
            .with_base_url(base)
            .expect_err("refused")
            .to_string();
        assert!(!error.contains("secret"), "{error}");
    }
}
