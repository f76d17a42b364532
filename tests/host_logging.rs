//! Secrets never reach the hosts' logs, even with `RUST_LOG=trace`: deliveries through reqwest
//! (success, rejection, rate limit, timeout) with the hosts' own subscriber at `trace`, written to
//! a buffer. Its own test binary: the subscriber is global.
#![cfg(feature = "host")]
#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use runner_monitor::core::testing::{at, delivery_notification};
use runner_monitor::core::{Notification, Notifier, Scope};
use runner_monitor::host::logging;
use runner_monitor::slack::SlackNotifier;
use runner_monitor::slack::fake::SlackReceiver;
use runner_monitor::webhook::WebhookNotifier;
use secrecy::SecretString;

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Buffer {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

fn notification() -> Notification {
    delivery_notification(&Scope::org("acme"), "build-1", 1, at(0))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deliveries_at_trace_level_log_no_url_or_token() {
    let buffer = Buffer::default();
    let writer = buffer.clone();
    assert!(logging::install(
        Some("trace"),
        tracing::Level::TRACE,
        move || writer.clone(),
        true,
    ));

    let slack = SlackReceiver::start().await.unwrap();
    let notifier = SlackNotifier::builder(slack.webhook_url())
        .timeout(Duration::from_millis(500))
        .build()
        .unwrap();
    notifier.notify(&notification()).await.unwrap();
    slack.fail_next(1, 404, "channel_not_found");
    slack.rate_limit_next(1, 5);
    slack.slow_next(1, Duration::from_secs(5));
    for _ in 0..3 {
        notifier.notify(&notification()).await.unwrap_err();
    }

    // A generic webhook with its token in the path and the query (the receiver answers 404).
    let base = slack.url();
    let origin = base.split("/services/").next().unwrap();
    let webhook_url = format!("{origin}/hooks/WebhookPathToken123?token=WebhookQueryToken456");
    let webhook = WebhookNotifier::new(SecretString::from(webhook_url.clone())).unwrap();
    webhook.notify(&notification()).await.unwrap_err();

    // A `log` record (what reqwest emits) is not bridged into the output.
    log::error!("log record carrying {webhook_url}");

    let logs = buffer.text();
    assert!(
        logs.contains("slack message delivered") && logs.contains("not delivered"),
        "the capture works at trace level: {logs}"
    );
    for secret in [
        slack.secret_token(),
        "/services/",
        "WebhookPathToken123",
        "WebhookQueryToken456",
    ] {
        assert!(
            !logs.contains(secret),
            "{secret:?} leaked into the logs:\n{logs}"
        );
    }
}
