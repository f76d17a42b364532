//! The webhook URL never reaches Debug output, errors or logs. Its own test binary: a log capture
//! installed with `set_default` misses events whose callsites another test thread registered first.

mod common;

use std::time::Duration;

use runner_monitor_core::Notifier;
use runner_monitor_slack::SlackNotifier;
use runner_monitor_slack::fake::SlackReceiver;

use common::log_capture::LogCapture;

fn assert_no_secret(slack: &SlackReceiver, text: &str) {
    assert!(
        !text.contains(slack.secret_token()),
        "webhook secret leaked: {text}"
    );
    assert!(!text.contains("/services/"), "webhook path leaked: {text}");
}

#[tokio::test]
async fn the_url_never_reaches_debug_errors_or_logs() {
    let capture = LogCapture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    // Another test thread may have hit these callsites first, with no subscriber, and cached
    // "never interested"; recompute interest now that the capture exists.
    tracing::callsite::rebuild_interest_cache();
    let slack = SlackReceiver::start().await.expect("receiver starts");
    let notifier = SlackNotifier::builder(slack.webhook_url())
        .timeout(Duration::from_millis(500))
        .build()
        .expect("notifier builds");
    assert_no_secret(&slack, &format!("{notifier:?}"));
    slack.fail_next(1, 404, "channel_not_found");
    slack.slow_next(1, Duration::from_secs(30));
    slack.rate_limit_next(1, 1);
    let mut errors = String::new();
    for _ in 0..3 {
        let err = notifier.notify(&common::opened()).await.expect_err("fails");
        errors.push_str(&format!("{err} {err:?}\n"));
    }
    notifier.notify(&common::opened()).await.expect("delivered");
    assert_no_secret(&slack, &errors);
    let logs = capture.text();
    assert!(logs.contains("not delivered"), "logs captured: {logs}");
    assert_no_secret(&slack, &logs);
}
