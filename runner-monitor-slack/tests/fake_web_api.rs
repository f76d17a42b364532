//! The fake Slack Web API refuses what Slack refuses, over raw HTTP (no client of ours).

use std::time::Duration;

use runner_monitor_slack::fake::{FAKE_BOT_TOKEN, FakeSlackApi};
use serde_json::{Value, json};

async fn call(
    slack: &FakeSlackApi,
    method: &str,
    token: Option<&str>,
    body: &Value,
) -> (u16, Option<String>, Value) {
    let mut request = reqwest::Client::new()
        .post(format!("{}/api/{method}", slack.base_url()))
        .json(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("answered");
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    (status, retry_after, response.json().await.expect("json"))
}

fn error(answer: &Value) -> &str {
    answer["error"].as_str().unwrap_or("ok")
}

#[tokio::test]
async fn auth_channels_threads_and_payloads_are_checked() {
    let slack = FakeSlackApi::start().await.expect("starts");
    slack.add_channel("C0OUTSIDE", false);
    let post = |channel: &str| json!({ "channel": channel, "text": "hello" });
    let token = Some(FAKE_BOT_TOKEN);

    let (status, _, answer) = call(&slack, "chat.postMessage", None, &post("C0FAKEALERT")).await;
    assert_eq!((status, error(&answer)), (200, "not_authed"));
    let (_, _, answer) = call(
        &slack,
        "chat.postMessage",
        Some("xoxb-other"),
        &post("C0FAKEALERT"),
    )
    .await;
    assert_eq!(error(&answer), "invalid_auth");
    let (_, _, answer) = call(&slack, "chat.postMessage", token, &post("C0NOSUCH")).await;
    assert_eq!(error(&answer), "channel_not_found");
    let (_, _, answer) = call(&slack, "chat.postMessage", token, &post("C0OUTSIDE")).await;
    assert_eq!(error(&answer), "not_in_channel");
    let (_, _, answer) = call(
        &slack,
        "chat.postMessage",
        token,
        &json!({ "channel": "C0FAKEALERT" }),
    )
    .await;
    assert_eq!(error(&answer), "no_text");
    let too_many: Vec<Value> = (0..51).map(|_| json!({ "type": "divider" })).collect();
    let (_, _, answer) = call(
        &slack,
        "chat.postMessage",
        token,
        &json!({ "channel": "C0FAKEALERT", "text": "x", "attachments": [{ "color": "#000000", "blocks": too_many }] }),
    )
    .await;
    assert_eq!(
        error(&answer),
        "invalid_blocks",
        "attachment blocks are checked too"
    );
    let (_, _, answer) = call(
        &slack,
        "chat.postMessage",
        token,
        &json!({ "channel": "C0FAKEALERT", "text": "x", "thread_ts": "1.1" }),
    )
    .await;
    assert_eq!(error(&answer), "thread_not_found");
    let (status, _, answer) = call(&slack, "chat.delete", token, &post("C0FAKEALERT")).await;
    assert_eq!((status, error(&answer)), (404, "unknown_method"));

    let (_, _, posted) = call(&slack, "chat.postMessage", token, &post("C0FAKEALERT")).await;
    assert_eq!(posted["ok"], true);
    let ts = posted["ts"].as_str().expect("ts").to_owned();
    assert_eq!(posted["channel"], "C0FAKEALERT");
    let (_, _, answer) = call(
        &slack,
        "chat.update",
        token,
        &json!({ "channel": "C0FAKEALERT", "ts": "9.9", "text": "x" }),
    )
    .await;
    assert_eq!(error(&answer), "message_not_found");
    let (_, _, answer) = call(
        &slack,
        "chat.update",
        token,
        &json!({ "channel": "C0FAKEALERT", "ts": ts, "text": "edited" }),
    )
    .await;
    assert_eq!(answer["ok"], true);
    let (_, _, reply) = call(
        &slack,
        "chat.postMessage",
        token,
        &json!({ "channel": "C0FAKEALERT", "text": "in thread", "thread_ts": ts }),
    )
    .await;
    assert_eq!(reply["ok"], true);
    let message = slack.message("C0FAKEALERT", &ts).expect("held");
    assert_eq!(message.current().text, "edited");
    assert_eq!(message.posted.text, "hello");
    assert_eq!(slack.thread("C0FAKEALERT", &ts).len(), 1);
    assert_eq!(slack.top_level().len(), 1);
    assert_eq!(slack.calls().len(), 12);
}

#[tokio::test]
async fn rate_limits_are_per_method_with_retry_after() {
    let slack = FakeSlackApi::start().await.expect("starts");
    slack.rate_limit("chat.postMessage", 3, Duration::from_secs(60));
    let body = json!({ "channel": "C0FAKEALERT", "text": "x" });
    for _ in 0..3 {
        let (status, _, _) = call(&slack, "chat.postMessage", Some(FAKE_BOT_TOKEN), &body).await;
        assert_eq!(status, 200);
    }
    let (status, retry_after, answer) =
        call(&slack, "chat.postMessage", Some(FAKE_BOT_TOKEN), &body).await;
    assert_eq!((status, error(&answer)), (429, "ratelimited"));
    let secs: u64 = retry_after.expect("retry-after").parse().expect("seconds");
    assert!((55..=60).contains(&secs), "{secs}");
    // chat.update has its own window.
    let (status, _, answer) = call(
        &slack,
        "chat.update",
        Some(FAKE_BOT_TOKEN),
        &json!({ "channel": "C0FAKEALERT", "ts": "1700000000.000001", "text": "y" }),
    )
    .await;
    assert_eq!((status, error(&answer)), (200, "ok"));
    slack.fail_next("chat.update", 2, "internal_error");
    for _ in 0..2 {
        let (_, _, answer) = call(&slack, "chat.update", Some(FAKE_BOT_TOKEN), &json!({})).await;
        assert_eq!(error(&answer), "internal_error");
    }
    assert_eq!(slack.top_level().len(), 3);
}
