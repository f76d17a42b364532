//! What Slack's answer to a webhook post means, in words: the classes themselves are
//! `runner-monitor-http`'s one table (429 pauses for `Retry-After`, 60 s without one; 5xx and 408
//! are transient; 3xx and other 4xx permanent).

use std::time::SystemTime;

use http::{HeaderMap, StatusCode};
use runner_monitor_core::NotifyError;
use runner_monitor_http::{Classifier, Redactor, StatusClass};

/// Characters of Slack's error body kept in an error message.
const MAX_ERROR_CHARS: usize = 200;

/// Classifies an incoming-webhook answer: `Ok` for 2xx (Slack answers `200 ok`), else the
/// [`NotifyError`] carrying Slack's error string (`channel_not_found`...), redacted.
///
/// # Errors
/// The [`NotifyError`] the answer calls for.
pub(super) fn classify(
    status: StatusCode,
    headers: &HeaderMap,
    body: &str,
    now: SystemTime,
    redactor: &Redactor,
) -> Result<(), NotifyError> {
    let class = Classifier::default().classify(status, headers, now);
    let error = error_string(body);
    let code = status.as_u16();
    let message = match class {
        StatusClass::Success => return Ok(()),
        StatusClass::RateLimited { .. } => {
            format!("Slack rate limited the webhook ({code} {error})")
        }
        StatusClass::Redirect => {
            format!("Slack webhook answered a redirect ({code}): check the webhook URL")
        }
        StatusClass::Permanent => format!("Slack rejected the message ({code} {error})"),
        StatusClass::Retryable { .. } => {
            format!("Slack failed to accept the message ({code} {error})")
        }
    };
    let message = redactor.apply(&message);
    Err(class
        .notify_error(message.clone())
        .unwrap_or_else(|| NotifyError::transient(message)))
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

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use http::HeaderValue;
    use http::header::RETRY_AFTER;

    use super::*;

    fn answer(
        status: u16,
        retry_after: Option<&'static str>,
        body: &str,
    ) -> Result<(), NotifyError> {
        let mut headers = HeaderMap::new();
        if let Some(value) = retry_after {
            headers.insert(RETRY_AFTER, HeaderValue::from_static(value));
        }
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::IM_A_TEAPOT);
        classify(
            status,
            &headers,
            body,
            SystemTime::now(),
            &Redactor::default(),
        )
    }

    #[test]
    fn ok_is_success() {
        assert_eq!(answer(200, None, "ok"), Ok(()));
    }

    #[test]
    fn rate_limit_is_transient_with_retry_after_or_the_default_pause() {
        let err = answer(429, Some("30"), "rate_limited").expect_err("an error");
        assert!(err.is_retryable());
        assert_eq!(err.retry_after(), Some(Duration::from_secs(30)));
        let err = answer(429, Some("soon"), "").expect_err("an error");
        assert_eq!(
            err.retry_after(),
            Some(runner_monitor_http::DEFAULT_RATE_LIMIT_PAUSE)
        );
        let err = answer(429, None, "").expect_err("an error");
        assert_eq!(
            err.retry_after(),
            Some(runner_monitor_http::DEFAULT_RATE_LIMIT_PAUSE)
        );
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
            let err = answer(status, None, body).expect_err("an error");
            assert!(!err.is_retryable(), "{status}");
            assert!(err.to_string().contains(body), "{err}");
        }
    }

    #[test]
    fn server_errors_are_transient() {
        let err = answer(500, None, "rollup_error").expect_err("an error");
        assert!(err.is_retryable());
        assert!(err.to_string().contains("rollup_error"));
        assert!(answer(503, None, "").expect_err("an error").is_retryable());
    }

    #[test]
    fn redirects_are_permanent() {
        assert!(!answer(302, None, "").expect_err("an error").is_retryable());
    }

    #[test]
    fn long_bodies_are_cut() {
        let err = answer(400, None, &"x".repeat(5000)).expect_err("an error");
        assert!(err.to_string().len() < 300);
    }
}
