//! SlackNotifier against a real HTTP receiver on loopback (the crate's fake Slack).

mod common;

use std::time::Duration;

use runner_monitor_core::{Notifier, NotifyError};
use runner_monitor_slack::fake::SlackReceiver;
use runner_monitor_slack::messages::render;
use runner_monitor_slack::{SlackConfigError, SlackNotifier};
use secrecy::SecretString;

async fn setup() -> (SlackReceiver, SlackNotifier) {
    let slack = SlackReceiver::start().await.expect("receiver starts");
    let notifier = SlackNotifier::builder(slack.webhook_url())
        .timeout(Duration::from_millis(500))
        .build()
        .expect("notifier builds");
    (slack, notifier)
}

fn assert_no_secret(slack: &SlackReceiver, text: &str) {
    assert!(
        !text.contains(slack.secret_token()),
        "webhook secret leaked: {text}"
    );
    assert!(!text.contains("/services/"), "webhook path leaked: {text}");
}

#[tokio::test]
async fn every_kind_is_delivered_with_its_idempotency_key() {
    let (slack, notifier) = setup().await;
    for (name, notification) in common::every_kind() {
        notifier.notify(&notification).await.expect(name);
    }
    let received = slack.received();
    assert_eq!(received.len(), common::every_kind().len());
    for ((name, notification), got) in common::every_kind().iter().zip(&received) {
        assert_eq!(got.status, 200, "{name}: {:?}", got.problem);
        assert_eq!(got.payload, render(notification).to_json(), "{name}");
        assert_eq!(
            got.idempotency_key.as_deref(),
            Some(notification.idempotency_key().as_str())
        );
    }
}

#[tokio::test]
async fn rate_limit_is_transient_with_retry_after() {
    let (slack, notifier) = setup().await;
    slack.rate_limit_next(1, 7);
    let err = notifier
        .notify(&common::opened())
        .await
        .expect_err("rate limited");
    assert!(err.is_retryable(), "{err}");
    assert_eq!(err.retry_after(), Some(Duration::from_secs(7)));
    assert_no_secret(&slack, &format!("{err} {err:?}"));
    // the next post goes through
    notifier.notify(&common::opened()).await.expect("accepted");
    assert_eq!(slack.messages().len(), 1);
}

#[tokio::test]
async fn client_errors_are_permanent_and_name_slacks_error() {
    let (slack, notifier) = setup().await;
    for (status, error) in [
        (400, "invalid_payload"),
        (403, "invalid_token"),
        (404, "channel_not_found"),
        (410, "channel_is_archived"),
        (404, "no_service"),
    ] {
        slack.fail_next(1, status, error);
        let err = notifier
            .notify(&common::resolved())
            .await
            .expect_err("rejected");
        assert!(
            matches!(&err, NotifyError::Permanent { message } if message.contains(error)),
            "{status}: {err:?}"
        );
        assert_no_secret(&slack, &format!("{err} {err:?}"));
    }
}

#[tokio::test]
async fn revoked_webhook_is_permanent() {
    let slack = SlackReceiver::start().await.expect("receiver starts");
    // A path the receiver does not serve answers 404 no_service, like a deleted webhook.
    let url = slack
        .url()
        .replace("fake-webhook-secret-token", "revoked-token");
    let notifier = SlackNotifier::new(SecretString::from(url)).expect("builds");
    let err = notifier
        .notify(&common::opened())
        .await
        .expect_err("revoked");
    assert!(!err.is_retryable());
    assert!(err.to_string().contains("no_service"), "{err}");
    assert!(!err.to_string().contains("revoked-token"), "{err}");
}

#[tokio::test]
async fn server_errors_are_transient() {
    let (slack, notifier) = setup().await;
    for (status, error) in [(500, "rollup_error"), (502, "bad gateway"), (503, "")] {
        slack.fail_next(1, status, error);
        let err = notifier
            .notify(&common::degraded())
            .await
            .expect_err("failed");
        assert!(err.is_retryable(), "{status}: {err}");
        assert_eq!(err.retry_after(), None);
        assert_no_secret(&slack, &format!("{err} {err:?}"));
    }
}

#[tokio::test]
async fn timeout_is_transient_and_says_so() {
    let (slack, notifier) = setup().await;
    slack.slow_next(1, Duration::from_secs(30));
    let err = notifier
        .notify(&common::opened())
        .await
        .expect_err("times out");
    assert!(err.is_retryable(), "{err}");
    assert!(err.to_string().contains("did not answer"), "{err}");
    assert_no_secret(&slack, &format!("{err} {err:?}"));
}

#[tokio::test]
async fn connection_refused_is_transient_without_the_url() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    let url = format!("http://{addr}/services/T1/B1/refused-secret");
    let notifier = SlackNotifier::new(SecretString::from(url)).expect("builds");
    let err = notifier
        .notify(&common::opened())
        .await
        .expect_err("refused");
    assert!(err.is_retryable(), "{err}");
    let text = format!("{err} {err:?}");
    assert!(!text.contains("refused-secret"), "{text}");
    assert!(!text.contains("/services/"), "{text}");
}

#[tokio::test]
async fn invalid_urls_are_rejected_without_echoing_them() {
    for url in [
        "not a url secret-123",
        "ftp://host/secret-123",
        "/relative/secret-123",
    ] {
        let err = SlackNotifier::new(SecretString::from(url)).expect_err(url);
        assert!(
            matches!(err, SlackConfigError::InvalidWebhookUrl { .. }),
            "{err:?}"
        );
        assert!(!format!("{err} {err:?}").contains("secret-123"));
    }
}

#[test]
fn plain_http_is_refused_except_for_loopback() {
    let err = SlackNotifier::new(SecretString::from(
        "http://example.com/services/T1/B1/plain-secret-123",
    ))
    .expect_err("plain http to a remote host");
    let text = format!("{err} {err:?}");
    assert!(
        text.contains("plain http:// is allowed only for a loopback host"),
        "{text}"
    );
    assert!(
        !text.contains("plain-secret-123") && !text.contains("example.com"),
        "{text}"
    );
    for ok in [
        "http://127.0.0.1:9/services/T1/B1/x",
        "http://localhost:9/services/T1/B1/x",
        "https://hooks.slack.com/services/T1/B1/x",
    ] {
        assert!(SlackNotifier::new(SecretString::from(ok)).is_ok(), "{ok}");
    }
}

#[tokio::test]
async fn rate_limit_without_retry_after_pauses_for_the_default() {
    let (slack, notifier) = setup().await;
    // A 429 with no Retry-After header at all.
    slack.fail_next(1, 429, "rate_limited");
    let err = notifier
        .notify(&common::opened())
        .await
        .expect_err("rate limited");
    assert!(err.is_retryable(), "{err}");
    assert_eq!(
        err.retry_after(),
        Some(runner_monitor_http::DEFAULT_RATE_LIMIT_PAUSE),
        "{err:?}"
    );
}
