//! How both notifiers turn HTTP outcomes into [`NotifyError`]s.
//!
//! The classes are `runner-monitor-http`'s [`Classifier`]: 2xx success; 429 transient with its
//! `Retry-After` or the default 60 s pause; 408 and 5xx transient (with `Retry-After` when
//! given); 3xx and other 4xx permanent. Timeouts, connection failures and other transport errors
//! are transient. This module only words the messages.
//!
//! Every message goes through the notifier's [`Redactor`] and reqwest errors are stripped of their
//! URL, so nothing here can carry a secret.

use std::time::{Duration, SystemTime};

use reqwest::{Response, StatusCode};
use runner_monitor_core::NotifyError;
use runner_monitor_http::{Classifier, Redactor, StatusClass, error_chain};

use crate::message::truncate_chars;

/// Most characters of a response body quoted in an error.
pub(crate) const EXCERPT_CHARS: usize = 200;

/// Most bytes of a response body read to build an error message.
const MAX_BODY_BYTES: usize = 8 * 1024;

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
    let class = Classifier::default().classify(status, headers, SystemTime::now());
    let message = match class {
        StatusClass::RateLimited { .. } => format!("{service} is rate limiting ({status}){detail}"),
        StatusClass::Retryable { .. } | StatusClass::Success => {
            format!("{service} answered {status}{detail}")
        }
        StatusClass::Redirect => format!(
            "{service} answered {status}{detail}; redirects are not followed, configure the final URL"
        ),
        StatusClass::Permanent => {
            format!("{service} rejected the notification ({status}){detail}")
        }
    };
    class
        .notify_error(redactor.apply(&message))
        .unwrap_or_else(|| NotifyError::transient(redactor.apply(&message)))
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
        format!("cannot connect to {service}: {}", error_chain(&error))
    } else if error.is_builder() {
        return NotifyError::permanent(redactor.apply(&format!(
            "cannot build the request to {service}: {}",
            error_chain(&error)
        )));
    } else {
        format!("request to {service} failed: {}", error_chain(&error))
    };
    NotifyError::transient(redactor.apply(&message))
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
        let silent = status_error(
            "svc",
            StatusCode::TOO_MANY_REQUESTS,
            &HeaderMap::new(),
            "",
            &r,
        );
        assert_eq!(
            silent.retry_after(),
            Some(runner_monitor_http::DEFAULT_RATE_LIMIT_PAUSE)
        );
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
