//! What Slack's answer to a webhook post means for retries.

use std::time::Duration;

use runner_monitor_core::NotifyError;

/// Characters of Slack's error body kept in an error message.
const MAX_ERROR_CHARS: usize = 200;

/// Classifies an incoming-webhook answer: 2xx is success (Slack answers `200 ok`); 429 is
/// transient with `Retry-After` (seconds); other 4xx are permanent and carry Slack's error string;
/// 5xx (and anything else unexpected, except a redirect) are transient; a 3xx is permanent (the
/// URL is wrong).
///
/// # Errors
/// The [`NotifyError`] the answer calls for.
pub fn classify_response(
    status: u16,
    retry_after: Option<&str>,
    body: &str,
) -> Result<(), NotifyError> {
    let error = error_string(body);
    match status {
        200..=299 => Ok(()),
        429 => Err(NotifyError::Transient {
            message: format!("Slack rate limited the webhook (429 {error})"),
            retry_after: retry_after.and_then(parse_retry_after),
        }),
        300..=399 => Err(NotifyError::permanent(format!(
            "Slack webhook answered a redirect ({status}): check the webhook URL"
        ))),
        400..=499 => Err(NotifyError::permanent(format!(
            "Slack rejected the message ({status} {error})"
        ))),
        _ => Err(NotifyError::transient(format!(
            "Slack failed to accept the message ({status} {error})"
        ))),
    }
}

/// Slack's error string (`channel_not_found`...): the body's first line, shortened.
fn error_string(body: &str) -> String {
    let line = body.trim().lines().next().unwrap_or_default().trim();
    if line.is_empty() {
        return "no error string".to_owned();
    }
    let mut text: String = line.chars().take(MAX_ERROR_CHARS).collect();
    if line.chars().count() > MAX_ERROR_CHARS {
        text.push('…');
    }
    text
}

/// `Retry-After` as seconds (Slack sends whole seconds).
fn parse_retry_after(value: &str) -> Option<Duration> {
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ok_is_success() {
        assert_eq!(classify_response(200, None, "ok"), Ok(()));
    }

    #[test]
    fn rate_limit_is_transient_with_retry_after() {
        let err = classify_response(429, Some("30"), "rate_limited").expect_err("an error");
        assert!(err.is_retryable());
        assert_eq!(err.retry_after(), Some(Duration::from_secs(30)));
        let err = classify_response(429, Some("soon"), "").expect_err("an error");
        assert_eq!(err.retry_after(), None);
    }

    #[test]
    fn client_errors_are_permanent_and_carry_slacks_string() {
        for (status, body) in [
            (400, "invalid_payload"),
            (403, "action_prohibited"),
            (404, "channel_not_found"),
            (410, "channel_is_archived"),
            (404, "no_service"),
        ] {
            let err = classify_response(status, None, body).expect_err("an error");
            assert!(!err.is_retryable(), "{status}");
            assert!(err.to_string().contains(body), "{err}");
        }
    }

    #[test]
    fn server_errors_are_transient() {
        let err = classify_response(500, None, "rollup_error").expect_err("an error");
        assert!(err.is_retryable());
        assert!(err.to_string().contains("rollup_error"));
        assert!(
            classify_response(503, None, "")
                .expect_err("an error")
                .is_retryable()
        );
    }

    #[test]
    fn redirects_are_permanent() {
        assert!(
            !classify_response(302, None, "")
                .expect_err("an error")
                .is_retryable()
        );
    }

    #[test]
    fn long_bodies_are_cut() {
        let err = classify_response(400, None, &"x".repeat(5000)).expect_err("an error");
        assert!(err.to_string().len() < 300);
    }
}
