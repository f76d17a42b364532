//! How both notifiers turn HTTP outcomes into [`NotifyError`]s.
//!
//! - 2xx: success.
//! - 408, 429, 5xx: transient, with `Retry-After` (seconds or HTTP-date) when the response has one.
//! - Timeouts, connection failures and other transport errors: transient.
//! - Any other status (4xx, and 3xx since redirects are not followed): permanent.
//!
//! Every message goes through the notifier's [`Redactor`] and reqwest errors are stripped of their
//! URL, so nothing here can carry a secret.

use std::error::Error as _;
use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::{Response, StatusCode};
use runner_monitor_core::NotifyError;

use crate::message::truncate_chars;
use crate::redact::Redactor;
use crate::retry_after::retry_after;

/// Most characters of a response body quoted in an error.
pub(crate) const EXCERPT_CHARS: usize = 200;

/// Most bytes of a response body read to build an error message.
const MAX_BODY_BYTES: usize = 8 * 1024;

/// Whether a status is worth retrying.
pub(crate) fn is_transient(status: StatusCode) -> bool {
    status == StatusCode::REQUEST_TIMEOUT
        || status == StatusCode::TOO_MANY_REQUESTS
        || status.is_server_error()
}

/// The error for a non-2xx response; `detail` says what the destination answered.
pub(crate) fn status_error(
    service: &str,
    status: StatusCode,
    headers: &http::HeaderMap,
    detail: &str,
    redactor: &Redactor,
) -> NotifyError {
    let detail = if detail.is_empty() {
        String::new()
    } else {
        format!(": {detail}")
    };
    if is_transient(status) {
        let message = if status == StatusCode::TOO_MANY_REQUESTS {
            format!("{service} is rate limiting ({status}){detail}")
        } else {
            format!("{service} answered {status}{detail}")
        };
        NotifyError::Transient {
            message: redactor.apply(&message),
            retry_after: retry_after(headers, DateTime::<Utc>::from(std::time::SystemTime::now())),
        }
    } else if status.is_redirection() {
        NotifyError::permanent(redactor.apply(&format!(
            "{service} answered {status}{detail}; redirects are not followed, configure the final URL"
        )))
    } else {
        NotifyError::permanent(redactor.apply(&format!(
            "{service} rejected the notification ({status}){detail}"
        )))
    }
}

/// The error for a request that got no response.
pub(crate) fn transport_error(
    service: &str,
    error: reqwest::Error,
    timeout: Duration,
    redactor: &Redactor,
) -> NotifyError {
    let error = error.without_url();
    let message = if error.is_timeout() {
        format!("{service} did not answer within {timeout:?}")
    } else if error.is_connect() {
        format!("cannot connect to {service}: {}", chain(&error))
    } else if error.is_builder() {
        return NotifyError::permanent(redactor.apply(&format!(
            "cannot build the request to {service}: {}",
            chain(&error)
        )));
    } else {
        format!("request to {service} failed: {}", chain(&error))
    };
    NotifyError::transient(redactor.apply(&message))
}

/// An error and its sources, `outer: inner: innermost`.
fn chain(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// Reads at most 8 KiB of a response body as text (lossy); a body that fails midway gives what
/// was read.
pub(crate) async fn read_body_prefix(mut response: Response) -> String {
    let mut bytes = Vec::new();
    while bytes.len() < MAX_BODY_BYTES {
        match response.chunk().await {
            Ok(Some(chunk)) => bytes.extend_from_slice(&chunk),
            Ok(None) | Err(_) => break,
        }
    }
    bytes.truncate(MAX_BODY_BYTES);
    String::from_utf8_lossy(&bytes).into_owned()
}

/// A short, single-line quote of a body: whitespace runs collapsed, at most 200 characters.
pub(crate) fn excerpt(body: &str) -> String {
    let single_line = body.split_whitespace().collect::<Vec<_>>().join(" ");
    truncate_chars(&single_line, EXCERPT_CHARS)
}

#[cfg(test)]
mod tests {
    use http::{HeaderMap, HeaderValue};

    use super::*;

    fn classify(code: u16) -> NotifyError {
        let status = StatusCode::from_u16(code).unwrap_or(StatusCode::IM_A_TEAPOT);
        status_error("svc", status, &HeaderMap::new(), "x", &Redactor::default())
    }

    #[test]
    fn classification_table() {
        for code in [408, 429, 500, 502, 503, 504, 599] {
            assert!(classify(code).is_retryable(), "{code}");
        }
        for code in [300, 301, 307, 400, 401, 403, 404, 410, 413, 422] {
            assert!(!classify(code).is_retryable(), "{code}");
        }
    }

    #[test]
    fn retry_after_is_kept_on_transient_errors_only() {
        let mut headers = HeaderMap::new();
        headers.insert(http::header::RETRY_AFTER, HeaderValue::from_static("9"));
        let r = Redactor::default();
        let limited = status_error("svc", StatusCode::TOO_MANY_REQUESTS, &headers, "", &r);
        assert_eq!(limited.retry_after(), Some(Duration::from_secs(9)));
        assert_eq!(
            limited.to_string(),
            "temporary failure: svc is rate limiting (429 Too Many Requests)"
        );
        let unavailable = status_error("svc", StatusCode::SERVICE_UNAVAILABLE, &headers, "", &r);
        assert_eq!(unavailable.retry_after(), Some(Duration::from_secs(9)));
        let bad = status_error("svc", StatusCode::BAD_REQUEST, &headers, "nope", &r);
        assert_eq!(bad.retry_after(), None);
        assert_eq!(
            bad.to_string(),
            "permanent failure: svc rejected the notification (400 Bad Request): nope"
        );
    }

    #[test]
    fn excerpts_are_short_single_lines() {
        assert_eq!(excerpt("  a\n\n b\tc "), "a b c");
        let long = "x".repeat(1000);
        assert_eq!(excerpt(&long).chars().count(), EXCERPT_CHARS);
    }

    #[test]
    fn messages_are_redacted() {
        let mut r = Redactor::default();
        r.add_str("s3cr3t-token");
        let e = status_error(
            "svc",
            StatusCode::FORBIDDEN,
            &HeaderMap::new(),
            "bad key s3cr3t-token",
            &r,
        );
        assert!(!e.to_string().contains("s3cr3t-token"), "{e}");
    }
}
