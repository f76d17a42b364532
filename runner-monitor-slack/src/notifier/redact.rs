//! Transport errors described without the webhook URL (a credential).

use std::error::Error as _;
use std::time::Duration;

use runner_monitor_core::NotifyError;

/// A transient [`NotifyError`] for a failed request: timeouts, connection failures and broken
/// answers, described without any URL.
pub(super) fn transport_error(
    error: reqwest::Error,
    timeout: Duration,
    secret: &str,
) -> NotifyError {
    let what = if error.is_timeout() {
        format!("Slack did not answer within {}s", timeout.as_secs_f64())
    } else if error.is_connect() {
        "could not connect to Slack".to_owned()
    } else {
        "request to Slack failed".to_owned()
    };
    let detail = describe(&error.without_url(), secret);
    NotifyError::transient(format!("{what}: {detail}"))
}

/// The error and its sources, joined, with `secret` (and its path and query) scrubbed out.
pub(super) fn describe(error: &reqwest::Error, secret: &str) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    scrub(&text, secret)
}

/// `text` with every occurrence of the URL `secret`, of its path and of its query replaced by
/// `[redacted]`.
pub(super) fn scrub(text: &str, secret: &str) -> String {
    let mut out = text.to_owned();
    if secret.is_empty() {
        return out;
    }
    let mut needles = vec![secret.to_owned()];
    if let Ok(url) = reqwest::Url::parse(secret) {
        if url.path().len() > 1 {
            needles.push(url.path().to_owned());
        }
        if let Some(query) = url.query().filter(|q| !q.is_empty()) {
            needles.push(query.to_owned());
        }
    }
    for needle in needles {
        out = out.replace(&needle, "[redacted]");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrubs_the_url_and_its_path() {
        let secret = "https://hooks.slack.com/services/T0/B0/SECRET";
        let text = format!("error for {secret} and /services/T0/B0/SECRET");
        let scrubbed = scrub(&text, secret);
        assert!(!scrubbed.contains("SECRET"), "{scrubbed}");
    }
}
