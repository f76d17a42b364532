//! Bot-token mode against the fake Slack Web API on loopback: post, update red -> green, replies
//! in the thread, every Web API error class, and a fleet-sized run with exact call counts.

mod common;

use std::time::Duration;

use runner_monitor_core::testing::at;
use runner_monitor_core::{Notification, NotificationKind, Notifier, NotifyError, RunnerStatus};
use runner_monitor_slack::fake::{FakeSlackApi, render_plain};
use runner_monitor_slack::web_api::{SlackWebApi, WebApiConfigError, WebApiError};
use runner_monitor_slack::{Posted, SlackBotNotifier};
use secrecy::SecretString;

const RED: &str = "#E01E5A";
const GREEN: &str = "#2EB67D";

fn api_for(slack: &FakeSlackApi, token: SecretString, channel: &str) -> SlackWebApi {
    SlackWebApi::builder(token, SecretString::from(channel.to_owned()))
        .base_url(slack.base_url())
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client builds")
}

async fn setup() -> (FakeSlackApi, SlackBotNotifier) {
    let slack = FakeSlackApi::start().await.expect("fake starts");
    let notifier = SlackBotNotifier::new(api_for(&slack, slack.token(), slack.channel()));
    (slack, notifier)
}

/// `outage_resolved` for outage 3 after 21 minutes.
fn resolved_after_21_min() -> Notification {
    let mut n = common::resolved();
    if let NotificationKind::OutageResolved {
        outage, duration, ..
    } = &mut n.kind
    {
        outage.resolved_at = Some(at(21 * 60));
        *duration = Duration::from_secs(21 * 60);
    }
    n.at = at(21 * 60 + 5);
    n
}

fn assert_no_token(text: &str) {
    assert!(!text.contains("bot-token-secret"), "token leaked: {text}");
    assert!(!text.contains("wrong-bot-token"), "token leaked: {text}");
}

#[tokio::test]
async fn an_outage_is_one_message_turned_green_with_follow_ups_in_its_thread() {
    let (slack, notifier) = setup().await;
    let alert = notifier.post(&common::opened()).await.expect("posted");
    assert_eq!(alert.channel, slack.channel());
    let posted = slack.message(&alert.channel, &alert.ts).expect("stored");
    assert_eq!(posted.posted.color(), Some(RED));
    assert!(render_plain(&posted.posted.as_message()).contains("GitHub Runner Alert: Offline"));

    let reminder = notifier
        .reply(&alert, &common::reminder())
        .await
        .expect("reply");
    assert_ne!(reminder.ts, alert.ts);
    notifier
        .resolve_in_place(&alert, &resolved_after_21_min())
        .await
        .expect("resolved");

    // One message in the channel, edited once, from red to green.
    assert_eq!(slack.top_level().len(), 1);
    let message = slack.message(&alert.channel, &alert.ts).expect("stored");
    assert_eq!(message.edits.len(), 1);
    let green = message.current();
    assert_eq!(green.color(), Some(GREEN));
    let text = render_plain(&green.as_message());
    assert!(text.contains("Resolved after 21m"), "{text}");
    assert!(green.text.contains("Resolved after 21m"), "{}", green.text);
    assert!(!text.contains("GitHub Runner Alert"), "{text}");

    // The reminder and the recovery are replies in its thread.
    let thread = slack.thread(&alert.channel, &alert.ts);
    assert_eq!(thread.len(), 2);
    assert!(render_plain(&thread[0].posted.as_message()).contains("Still down after 2h 5m"));
    assert!(render_plain(&thread[1].posted.as_message()).contains("Recovered after 21m"));
    assert_eq!(slack.calls_of("chat.postMessage"), 3);
    assert_eq!(slack.calls_of("chat.update"), 1);
    // Every call carried the notification's idempotency key.
    let keys: Vec<_> = slack
        .calls()
        .into_iter()
        .map(|c| c.idempotency_key.unwrap_or_default())
        .collect();
    assert_eq!(keys[0], common::opened().idempotency_key());
    assert_eq!(keys[2], resolved_after_21_min().idempotency_key());
}

#[tokio::test]
async fn the_notifier_posts_every_kind_as_a_new_valid_message() {
    let (slack, notifier) = setup().await;
    for (name, notification) in common::every_kind() {
        notifier.notify(&notification).await.expect(name);
    }
    let kinds = common::every_kind().len();
    assert_eq!(slack.top_level().len(), kinds);
    assert_eq!(slack.calls().len(), kinds);
    assert!(
        slack
            .calls()
            .iter()
            .all(|c| c.status == 200 && c.error.is_none())
    );
    let colors: Vec<_> = slack
        .top_level()
        .iter()
        .map(|m| m.posted.color().map(str::to_owned))
        .collect();
    assert_eq!(colors[0].as_deref(), Some(RED), "outage opened is red");
    assert_eq!(colors[2].as_deref(), Some(GREEN), "resolved is green");
}

#[tokio::test]
async fn a_deleted_alert_is_message_not_found_and_the_caller_posts_anew() {
    let (slack, notifier) = setup().await;
    let alert = notifier.post(&common::opened()).await.expect("posted");
    assert!(slack.delete_message(&alert.channel, &alert.ts));
    let err = notifier
        .resolve_in_place(&alert, &resolved_after_21_min())
        .await
        .expect_err("gone");
    assert!(
        matches!(err, WebApiError::MessageNotFound { .. }),
        "{err:?}"
    );
    assert!(!err.is_retryable());
    // A reply to the deleted message is the same distinct error.
    let err = notifier
        .reply(&alert, &common::reminder())
        .await
        .expect_err("gone");
    assert!(
        matches!(err, WebApiError::MessageNotFound { .. }),
        "{err:?}"
    );
    // Posting anew works and is a second top-level message.
    let again = notifier
        .post(&resolved_after_21_min())
        .await
        .expect("posted");
    assert_ne!(again.ts, alert.ts);
    assert_eq!(slack.top_level().len(), 2);
    // Through the Notifier port the distinct error is permanent for that call.
    let as_notify: NotifyError = WebApiError::MessageNotFound {
        message: "x".into(),
    }
    .into();
    assert!(!as_notify.is_retryable());
}

#[tokio::test]
async fn ratelimited_is_transient_with_slacks_retry_after_per_method() {
    let (slack, notifier) = setup().await;
    slack.rate_limit("chat.postMessage", 2, Duration::from_secs(30));
    let alert = notifier.post(&common::opened()).await.expect("first");
    notifier.post(&common::opened()).await.expect("second");
    let err = notifier
        .notify(&common::opened())
        .await
        .expect_err("limited");
    assert!(err.is_retryable(), "{err}");
    let wait = err.retry_after().expect("retry after");
    assert!(
        wait >= Duration::from_secs(25) && wait <= Duration::from_secs(30),
        "{wait:?}"
    );
    // The limit is per method: chat.update still works.
    notifier
        .api()
        .update(
            &alert.channel,
            &alert.ts,
            &runner_monitor_slack::messages::bot::message(&common::opened()),
            "k",
        )
        .await
        .expect("update is not limited");
    assert_eq!(slack.top_level().len(), 2);
    let limited: Vec<_> = slack
        .calls()
        .into_iter()
        .filter(|c| c.status == 429)
        .collect();
    assert_eq!(limited.len(), 1);
    assert_eq!(limited[0].error.as_deref(), Some("ratelimited"));

    slack.rate_limit_next("chat.update", 1, 7);
    let err = notifier
        .resolve_in_place(&alert, &resolved_after_21_min())
        .await
        .expect_err("limited");
    assert_eq!(err.retry_after(), Some(Duration::from_secs(7)));
}

#[tokio::test]
async fn configuration_errors_are_permanent_with_a_clear_message_and_no_token() {
    let slack = FakeSlackApi::start().await.expect("fake starts");
    slack.add_channel("C0NOTMEMBER", false);
    let wrong_token = api_for(
        &slack,
        SecretString::from("xoxb-wrong-bot-token-secret"),
        slack.channel(),
    );
    let unknown_channel = api_for(&slack, slack.token(), "C0NOSUCH");
    let not_member = api_for(&slack, slack.token(), "C0NOTMEMBER");
    for (api, code, hint) in [
        (wrong_token, "invalid_auth", "renew SLACK_BOT_TOKEN"),
        (unknown_channel, "channel_not_found", "channel id is wrong"),
        (not_member, "not_in_channel", "/invite"),
    ] {
        let notifier = SlackBotNotifier::new(api);
        let err = notifier.notify(&common::opened()).await.expect_err(code);
        assert!(
            matches!(&err, NotifyError::Permanent { message } if message.contains(code) && message.contains(hint)),
            "{code}: {err}"
        );
        assert_no_token(&format!("{err} {err:?} {notifier:?}"));
    }
    assert_eq!(slack.top_level().len(), 0);
    assert_eq!(slack.calls().len(), 3);
}

#[tokio::test]
async fn injected_errors_are_classified() {
    let (slack, notifier) = setup().await;
    for (code, retryable) in [
        ("invalid_auth", false),
        ("channel_not_found", false),
        ("not_in_channel", false),
        ("internal_error", true),
        ("ratelimited", true),
    ] {
        slack.fail_next("chat.postMessage", 1, code);
        let err = notifier.notify(&common::opened()).await.expect_err(code);
        assert_eq!(err.is_retryable(), retryable, "{code}: {err}");
        assert!(err.to_string().contains(code), "{err}");
    }
    let alert = notifier.post(&common::opened()).await.expect("posted");
    slack.fail_next("chat.update", 1, "message_not_found");
    let err = notifier
        .resolve_in_place(&alert, &resolved_after_21_min())
        .await
        .expect_err("injected");
    assert!(matches!(err, WebApiError::MessageNotFound { .. }));
    // Nothing was replied after the failed update.
    assert!(slack.thread(&alert.channel, &alert.ts).is_empty());
}

#[tokio::test]
async fn a_fleet_of_outages_is_one_message_each_updated_once() {
    let (slack, notifier) = setup().await;
    let runners = 200_u64;
    let mut alerts: Vec<(Posted, Notification)> = Vec::new();
    for i in 0..runners {
        let mut opened = common::opened();
        let mut resolved = resolved_after_21_min();
        for n in [&mut opened, &mut resolved] {
            if let NotificationKind::OutageOpened { runner, .. }
            | NotificationKind::OutageResolved { runner, .. } = &mut n.kind
            {
                runner.name = format!("rack-{i:03}");
            }
        }
        alerts.push((notifier.post(&opened).await.expect("posted"), resolved));
    }
    for (alert, resolved) in &alerts {
        notifier
            .resolve_in_place(alert, resolved)
            .await
            .expect("resolved");
    }
    let top = slack.top_level();
    assert_eq!(top.len() as u64, runners);
    assert!(
        top.iter()
            .all(|m| m.edits.len() == 1 && m.current().color() == Some(GREEN))
    );
    for (alert, _) in &alerts {
        assert_eq!(slack.thread(&alert.channel, &alert.ts).len(), 1);
    }
    assert_eq!(slack.calls_of("chat.postMessage") as u64, 2 * runners);
    assert_eq!(slack.calls_of("chat.update") as u64, runners);
    let distinct: std::collections::HashSet<_> = top.iter().map(|m| m.ts.clone()).collect();
    assert_eq!(distinct.len() as u64, runners);
}

#[tokio::test]
async fn transport_failures_are_transient_without_the_token() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    let api = SlackWebApi::builder(
        SecretString::from("xoxb-fake-0000-bot-token-secret"),
        SecretString::from("C0FAKEALERT"),
    )
    .base_url(format!("http://{addr}"))
    .build()
    .expect("builds");
    let notifier = SlackBotNotifier::new(api);
    let err = notifier
        .notify(&common::opened())
        .await
        .expect_err("refused");
    assert!(err.is_retryable(), "{err}");
    assert!(err.to_string().contains("could not connect"), "{err}");
    assert_no_token(&format!("{err} {err:?}"));
}

#[test]
fn bad_configuration_is_refused_without_echoing_it() {
    let build = |token: &str, channel: &str, url: &str| {
        SlackWebApi::builder(
            SecretString::from(token.to_owned()),
            SecretString::from(channel.to_owned()),
        )
        .base_url(url)
        .build()
        .map(|_| ())
    };
    let cases = [
        build("", "C0FAKE", "https://slack.com"),
        build("xoxb-bot token-secret", "C0FAKE", "https://slack.com"),
        build("xoxb-bot-token-secret", "", "https://slack.com"),
        build("xoxb-bot-token-secret", "#alerts", "https://slack.com"),
        build(
            "xoxb-bot-token-secret",
            "C0FAKE",
            "http://slack.example.com",
        ),
        build(
            "xoxb-bot-token-secret",
            "C0FAKE",
            "https://slack.com/?token=xoxb-bot-token-secret",
        ),
    ];
    for result in cases {
        let err: WebApiConfigError = result.expect_err("refused");
        assert_no_token(&format!("{err} {err:?}"));
        assert!(!err.to_string().contains("alerts"), "{err}");
    }
    assert!(build("xoxb-bot-token-secret", "C0FAKE", "https://slack.com").is_ok());
    let _ = RunnerStatus::Idle;
}
