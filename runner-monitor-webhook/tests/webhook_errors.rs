//! WebhookNotifier failure classification against real loopback receivers, and secret hygiene.

mod common;

use std::time::Duration;

use runner_monitor_core::{Notifier, NotifyError};
use runner_monitor_webhook::WebhookNotifier;
use secrecy::SecretString;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

const URL_TOKEN: &str = "T0KEN-IN-PATH-9f8e7d";
const QUERY_TOKEN: &str = "query-secret-5a4b3c";
const SIGNING_SECRET: &str = "signing-secret-1a2b3c";
const AUTH_VALUE: &str = "Bearer auth-secret-6d5e4f";

fn secrets() -> [&'static str; 4] {
    [URL_TOKEN, QUERY_TOKEN, SIGNING_SECRET, AUTH_VALUE]
}

async fn answering(response: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(response)
        .mount(&server)
        .await;
    server
}

fn secret_url(base: &str) -> SecretString {
    SecretString::from(format!("{base}/hooks/{URL_TOKEN}?token={QUERY_TOKEN}"))
}

fn notifier_for(base: &str) -> WebhookNotifier {
    WebhookNotifier::new(secret_url(base))
        .expect("valid URL")
        .with_signing_secret(SecretString::from(SIGNING_SECRET))
        .with_header("Authorization", SecretString::from(AUTH_VALUE))
        .expect("valid header")
}

async fn send(server: &MockServer) -> NotifyError {
    notifier_for(&server.uri())
        .notify(&common::opened())
        .await
        .expect_err("must fail")
}

fn assert_no_secret(error: &NotifyError) {
    let text = format!("{error} {error:?}");
    assert!(common::leaked(&text, &secrets()).is_empty(), "{text}");
}

#[tokio::test]
async fn rate_limit_is_transient_with_retry_after_seconds() {
    let server = answering(ResponseTemplate::new(429).insert_header("Retry-After", "30")).await;
    let error = send(&server).await;
    assert!(error.is_retryable(), "{error}");
    assert_eq!(error.retry_after(), Some(Duration::from_secs(30)));
    assert!(error.to_string().contains("429"), "{error}");
}

#[tokio::test]
async fn rate_limit_without_retry_after_pauses_for_the_default() {
    for retry_after in [None, Some("soon"), Some("-1")] {
        let mut response = ResponseTemplate::new(429);
        if let Some(value) = retry_after {
            response = response.insert_header("Retry-After", value);
        }
        let error = send(&answering(response).await).await;
        assert!(error.is_retryable(), "{error}");
        assert_eq!(
            error.retry_after(),
            Some(runner_monitor_http::DEFAULT_RATE_LIMIT_PAUSE),
            "{retry_after:?}"
        );
    }
}

#[tokio::test]
async fn a_huge_retry_after_is_clamped_not_a_panic() {
    let server = answering(
        ResponseTemplate::new(503).insert_header("Retry-After", "99999999999999999999999999"),
    )
    .await;
    let error = send(&server).await;
    assert_eq!(
        error.retry_after(),
        Some(runner_monitor_http::DEFAULT_MAX_RETRY_AFTER)
    );
}

#[tokio::test]
async fn rate_limit_with_an_http_date_is_measured_against_the_response_date() {
    let server = answering(
        ResponseTemplate::new(429)
            .insert_header("Date", "Thu, 01 Jan 2026 00:00:00 GMT")
            .insert_header("Retry-After", "Thu, 01 Jan 2026 00:01:30 GMT"),
    )
    .await;
    let error = send(&server).await;
    assert!(error.is_retryable());
    assert_eq!(error.retry_after(), Some(Duration::from_secs(90)));
}

#[tokio::test]
async fn client_errors_are_permanent_with_a_short_redacted_excerpt() {
    let echo = format!(
        "invalid token {URL_TOKEN} / {QUERY_TOKEN} for {AUTH_VALUE}\n{}",
        "x".repeat(5000)
    );
    for status in [400, 401, 403, 404, 410, 422] {
        let server = answering(ResponseTemplate::new(status).set_body_string(echo.clone())).await;
        let error = send(&server).await;
        assert!(
            matches!(error, NotifyError::Permanent { .. }),
            "{status}: {error}"
        );
        let text = error.to_string();
        assert!(text.contains(&status.to_string()), "{text}");
        assert!(text.contains("invalid token [redacted]"), "{text}");
        assert!(text.len() < 400, "{} chars: {text}", text.len());
        assert_no_secret(&error);
    }
}

#[tokio::test]
async fn server_errors_and_request_timeout_are_transient() {
    for status in [408, 500, 502, 503, 504] {
        let server = answering(ResponseTemplate::new(status).set_body_string("busy")).await;
        let error = send(&server).await;
        assert!(error.is_retryable(), "{status}: {error}");
        assert_eq!(error.retry_after(), None);
        assert_no_secret(&error);
    }
}

#[tokio::test]
async fn redirects_are_not_followed_and_are_permanent() {
    let server = answering(
        ResponseTemplate::new(302).insert_header("Location", "http://127.0.0.1:9/elsewhere"),
    )
    .await;
    let error = send(&server).await;
    assert!(!error.is_retryable(), "{error}");
    assert!(error.to_string().contains("redirect"), "{error}");
    assert_eq!(server.received_requests().await.map(|r| r.len()), Some(1));
}

#[tokio::test]
async fn a_slow_receiver_times_out_as_transient() {
    let server = answering(ResponseTemplate::new(200).set_delay(Duration::from_secs(3))).await;
    let error = notifier_for(&server.uri())
        .with_timeout(Duration::from_millis(200))
        .notify(&common::opened())
        .await
        .expect_err("must time out");
    assert!(error.is_retryable(), "{error}");
    assert!(
        error.to_string().contains("did not answer within"),
        "{error}"
    );
    assert_no_secret(&error);
}

#[tokio::test]
async fn connection_refused_is_transient_and_hides_the_url() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    let error = notifier_for(&format!("http://127.0.0.1:{port}"))
        .notify(&common::opened())
        .await
        .expect_err("nothing listens");
    assert!(error.is_retryable(), "{error}");
    assert!(error.to_string().contains("cannot connect"), "{error}");
    assert_no_secret(&error);
}

#[tokio::test]
async fn debug_output_shows_no_secret() {
    let notifier = notifier_for("https://hooks.example.com");
    let debug = format!("{notifier:?}");
    assert!(common::leaked(&debug, &secrets()).is_empty(), "{debug}");
    assert!(
        debug.contains("authorization"),
        "header names are shown: {debug}"
    );
}
