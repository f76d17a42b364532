//! The bot token never reaches Debug output, errors or logs. Its own test binary: a log capture
//! installed with `set_default` misses events whose callsites another test thread registered
//! first.

mod common;

use std::time::Duration;

use runner_monitor_core::Notifier;
use runner_monitor_slack::SlackBotNotifier;
use runner_monitor_slack::fake::{FAKE_BOT_TOKEN, FakeSlackApi};
use runner_monitor_slack::web_api::SlackWebApi;

use common::log_capture::LogCapture;

#[tokio::test]
async fn the_token_never_reaches_debug_errors_or_logs() {
    let capture = LogCapture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    tracing::callsite::rebuild_interest_cache();
    let slack = FakeSlackApi::start().await.expect("fake starts");
    let api = SlackWebApi::builder(slack.token(), slack.channel_secret())
        .base_url(slack.base_url())
        .timeout(Duration::from_secs(10))
        .build()
        .expect("builds");
    let notifier = SlackBotNotifier::new(api);
    let mut seen = format!("{notifier:?}\n");
    slack.fail_next("chat.postMessage", 1, "invalid_auth");
    slack.fail_next("chat.postMessage", 1, "channel_not_found");
    slack.rate_limit_next("chat.postMessage", 1, 1);
    // A server that echoes the token in its error code must not make it leak either.
    slack.fail_next("chat.postMessage", 1, FAKE_BOT_TOKEN);
    for _ in 0..4 {
        let err = notifier.notify(&common::opened()).await.expect_err("fails");
        seen.push_str(&format!("{err} {err:?}\n"));
    }
    notifier.notify(&common::opened()).await.expect("posted");
    let logs = capture.text();
    assert!(logs.contains("not posted"), "logs captured: {logs}");
    seen.push_str(&logs);
    let bare = FAKE_BOT_TOKEN.trim_start_matches("xoxb-");
    assert!(!seen.contains(bare), "token leaked: {seen}");
    assert!(!seen.contains("bot-token-secret"), "token leaked: {seen}");
    assert!(!seen.contains("bottokensecret"), "token leaked: {seen}");
}
