//! The fake Slack itself: it must refuse what Slack refuses, or the other tests prove nothing.

use std::time::Duration;

use runner_monitor_core::Notifier;
use runner_monitor_slack::SlackNotifier;
use runner_monitor_slack::fake::{Reply, SlackReceiver, render_plain};
use serde_json::json;

async fn post(url: &str, body: serde_json::Value) -> (u16, String) {
    let response = reqwest::Client::new()
        .post(url)
        .json(&body)
        .send()
        .await
        .expect("post");
    let status = response.status().as_u16();
    (status, response.text().await.expect("body"))
}

#[tokio::test]
async fn refuses_payloads_slack_would_refuse() {
    let slack = SlackReceiver::start().await.expect("start");
    let too_many: Vec<_> = (0..51).map(|_| json!({"type": "divider"})).collect();
    let long_header =
        json!({"type": "header", "text": {"type": "plain_text", "text": "h".repeat(151)}});
    let eleven_fields: Vec<_> = (0..11)
        .map(|i| json!({"type": "mrkdwn", "text": i.to_string()}))
        .collect();
    for (body, error) in [
        (json!({"blocks": [{"type": "divider"}]}), "no_text"),
        (json!({"text": "x", "blocks": too_many}), "invalid_blocks"),
        (
            json!({"text": "x", "blocks": [long_header]}),
            "invalid_blocks",
        ),
        (
            json!({"text": "x", "blocks": [{"type": "section", "fields": eleven_fields}]}),
            "invalid_blocks",
        ),
        (
            json!({"text": "x", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": ""}}]}),
            "invalid_blocks",
        ),
    ] {
        assert_eq!(post(&slack.url(), body).await, (400, error.to_owned()));
    }
    assert!(slack.messages().is_empty());
    assert_eq!(slack.received().len(), 5);
    assert!(slack.received().iter().all(|r| r.problem.is_some()));
}

#[tokio::test]
async fn follows_its_script_then_accepts() {
    let slack = SlackReceiver::start().await.expect("start");
    slack.script([
        Reply::Error {
            status: 410,
            error: "channel_is_archived".to_owned(),
        },
        Reply::RateLimited {
            retry_after_secs: 3,
        },
    ]);
    let body = json!({"text": "hello"});
    assert_eq!(
        post(&slack.url(), body.clone()).await,
        (410, "channel_is_archived".to_owned())
    );
    assert_eq!(
        post(&slack.url(), body.clone()).await,
        (429, "rate_limited".to_owned())
    );
    assert_eq!(
        post(&slack.url(), body.clone()).await,
        (200, "ok".to_owned())
    );
    assert_eq!(slack.messages(), vec![body]);
}

#[tokio::test]
async fn waits_for_messages_and_renders_them() {
    let slack = SlackReceiver::start().await.expect("start");
    assert!(!slack.wait_for(1, Duration::from_millis(50)).await);
    let notifier = SlackNotifier::new(slack.webhook_url()).expect("notifier");
    let notification = runner_monitor_core::testing::delivery_notification(
        &"acme/api".parse().expect("scope"),
        "build-1",
        1,
        runner_monitor_core::testing::at(0),
    );
    let sending = tokio::spawn(async move { notifier.notify(&notification).await });
    assert!(slack.wait_for(1, Duration::from_secs(10)).await);
    sending.await.expect("join").expect("delivered");
    let text = render_plain(&slack.messages()[0]);
    assert!(text.starts_with("GitHub Runner Alert: Offline\n"), "{text}");
}
