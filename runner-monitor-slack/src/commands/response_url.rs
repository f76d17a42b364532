//! Slack's `response_url`: where an answer goes when it is not ready within the 3 seconds Slack
//! waits for the HTTP response (a "delayed response", up to 5 posts within 30 minutes).

use std::time::{Duration, SystemTime};

use runner_monitor_http::{Redactor, UrlRules, check_url, error_chain, is_loopback};
use serde_json::Value;

/// The only host Slack's response URLs live on.
pub const RESPONSE_URL_HOST: &str = "hooks.slack.com";

/// Attempts of one delayed post (Slack accepts up to 5 per response URL).
const ATTEMPTS: u32 = 3;

/// The URL to post a delayed answer to, if `text` is one: `https://hooks.slack.com/...`, or with
/// `allow_loopback` (tests, the demo) any URL on a loopback host. Anything else is refused: the
/// URL comes from the (signed) request, and posting elsewhere would make the handler a relay.
pub(crate) fn validate(text: &str, allow_loopback: bool) -> Option<reqwest::Url> {
    let url = check_url(text, UrlRules::BASE).ok()?;
    let slack = url.scheme() == "https"
        && url.host_str() == Some(RESPONSE_URL_HOST)
        && url.port().is_none();
    (slack || (allow_loopback && is_loopback(&url))).then_some(url)
}

/// Posts `message` (a Block Kit JSON body) to `url`, retrying transient failures (waiting for
/// `Retry-After`, at most 5 s) up to 3 attempts. Returns a description of the failure, free of the
/// URL (it is a credential for the channel for 30 minutes).
pub(crate) async fn post(
    client: &reqwest::Client,
    url: &reqwest::Url,
    message: &Value,
) -> Result<(), String> {
    let redactor = Redactor::for_url(url);
    let classifier = runner_monitor_http::Classifier::default();
    let mut last = String::new();
    for attempt in 1..=ATTEMPTS {
        let (retryable, wait) = match client.post(url.clone()).json(message).send().await {
            Ok(response) => {
                let status = response.status();
                let class = classifier.classify(status, response.headers(), SystemTime::now());
                if status.is_success() {
                    return Ok(());
                }
                let body = response.text().await.unwrap_or_default();
                let excerpt: String = body.trim().chars().take(200).collect();
                last = redactor.apply(&format!("Slack answered {status}: {excerpt}"));
                (class.is_retryable(), class.retry_after())
            }
            Err(error) => {
                last = redactor.apply(&error_chain(&error.without_url()));
                (true, None)
            }
        };
        if !retryable || attempt == ATTEMPTS {
            break;
        }
        let wait = wait.unwrap_or(Duration::from_millis(500) * attempt);
        tokio::time::sleep(wait.min(Duration::from_secs(5))).await;
    }
    Err(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_slack_or_opted_in_loopback() {
        let slack = "https://hooks.slack.com/commands/T1/123/abc";
        assert!(validate(slack, false).is_some());
        for bad in [
            "http://hooks.slack.com/commands/T1/123/abc",
            "https://hooks.slack.com.evil.example/commands/x",
            "https://evil.example/commands/x",
            "https://hooks.slack.com:8443/commands/x",
            "https://hooks.slack.com/commands/x?redirect=1",
            "http://127.0.0.1:9/commands/x",
            "",
            "not a url",
        ] {
            assert!(validate(bad, false).is_none(), "{bad}");
        }
        assert!(validate("http://127.0.0.1:9/commands/x", true).is_some());
        assert!(validate("http://10.0.0.1/commands/x", true).is_none());
    }
}
