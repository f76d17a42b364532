//! What a Slack Web API answer means. Slack answers most errors with HTTP 200 and
//! `{"ok": false, "error": "<code>"}`; `ratelimited` comes as HTTP 429 with `Retry-After`.
//! Non-2xx statuses go through `runner-monitor-http`'s one table; the `error` codes through
//! [`classify_code`].

use std::time::SystemTime;

use http::{HeaderMap, StatusCode};
use runner_monitor_core::NotifyError;
use runner_monitor_http::{Classifier, DEFAULT_RATE_LIMIT_PAUSE, Redactor, StatusClass};
use serde::Deserialize;

use super::{Posted, WebApiError};

/// Characters of an unknown error code kept in a message.
const MAX_CODE_CHARS: usize = 80;

/// The fields of an answer the client reads.
#[derive(Debug, Default, Deserialize)]
struct Answer {
    #[serde(default)]
    ok: bool,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    channel: Option<String>,
    #[serde(default)]
    ts: Option<String>,
}

/// What an `error` code calls for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CodeClass {
    /// Slack asks to slow down.
    RateLimited,
    /// Slack had a problem of its own: may succeed later.
    Transient,
    /// The message to update (or the thread to reply in) is gone.
    MessageNotFound,
    /// Configuration or payload problem: retrying will not help.
    Permanent,
}

/// The class of a Slack Web API `error` code, with what to do about it.
pub(crate) fn classify_code(code: &str) -> (CodeClass, &'static str) {
    match code {
        "ratelimited" | "rate_limited" => (CodeClass::RateLimited, "Slack rate limited the app"),
        "internal_error"
        | "fatal_error"
        | "service_unavailable"
        | "request_timeout"
        | "team_added_to_org" => (CodeClass::Transient, "Slack failed, try again later"),
        "message_not_found" | "thread_not_found" => (
            CodeClass::MessageNotFound,
            "the message no longer exists; post a new one",
        ),
        "invalid_auth" | "not_authed" | "token_revoked" | "token_expired" | "account_inactive" => (
            CodeClass::Permanent,
            "the bot token is invalid or revoked: renew SLACK_BOT_TOKEN (xoxb-...)",
        ),
        "missing_scope" | "no_permission" | "not_allowed_token_type" => (
            CodeClass::Permanent,
            "the bot token lacks the chat:write scope: add it and reinstall the app",
        ),
        "channel_not_found" => (
            CodeClass::Permanent,
            "the channel id is wrong or the bot cannot see the channel (private channel: invite the bot)",
        ),
        "not_in_channel" => (
            CodeClass::Permanent,
            "the bot is not a member of the channel: /invite @runner-monitor there",
        ),
        "is_archived" => (CodeClass::Permanent, "the channel is archived"),
        "cant_update_message" | "edit_window_closed" => (
            CodeClass::Permanent,
            "Slack does not let the bot edit this message",
        ),
        _ => (CodeClass::Permanent, "Slack refused the request"),
    }
}

/// Classifies the answer of `method` (status, headers, body) received at `now`.
///
/// # Errors
/// The [`WebApiError`] the answer calls for; its message is redacted and never carries the
/// token.
pub(super) fn classify(
    method: &str,
    status: StatusCode,
    headers: &HeaderMap,
    body: &str,
    now: SystemTime,
    redactor: &Redactor,
) -> Result<Posted, WebApiError> {
    let answer: Option<Answer> = serde_json::from_str(body).ok();
    let class = Classifier::default().classify(status, headers, now);
    let code = answer
        .as_ref()
        .and_then(|a| a.error.as_deref())
        // Redact before cutting: a server echoing the token must not get it out in pieces.
        .map(|code| short_code(&redactor.apply(code)));
    match class {
        StatusClass::Success => {}
        StatusClass::RateLimited { pause } => {
            return Err(WebApiError::Notify(NotifyError::Transient {
                message: format!(
                    "Slack rate limited {method} ({} {})",
                    status.as_u16(),
                    code.as_deref().unwrap_or("ratelimited")
                ),
                retry_after: Some(pause),
            }));
        }
        other => {
            let message = redactor.apply(&format!(
                "Slack answered {method} with HTTP {} ({})",
                status.as_u16(),
                code.as_deref().unwrap_or("no error code")
            ));
            return Err(WebApiError::Notify(
                other
                    .notify_error(message.clone())
                    .unwrap_or_else(|| NotifyError::transient(message)),
            ));
        }
    }
    let Some(answer) = answer else {
        return Err(WebApiError::Notify(NotifyError::transient(format!(
            "Slack answered {method} with a body that is not JSON"
        ))));
    };
    if answer.ok {
        return match (answer.channel, answer.ts) {
            (Some(channel), Some(ts)) if !channel.is_empty() && !ts.is_empty() => {
                Ok(Posted { channel, ts })
            }
            _ => Err(WebApiError::Notify(NotifyError::transient(format!(
                "Slack answered {method} ok without channel and ts"
            )))),
        };
    }
    let code = code.unwrap_or_else(|| "no error code".to_owned());
    let (class, advice) = classify_code(&code);
    let message = redactor.apply(&format!("Slack refused {method}: {code} ({advice})"));
    Err(match class {
        CodeClass::RateLimited => WebApiError::Notify(NotifyError::Transient {
            message,
            retry_after: Some(DEFAULT_RATE_LIMIT_PAUSE),
        }),
        CodeClass::Transient => WebApiError::Notify(NotifyError::transient(message)),
        CodeClass::MessageNotFound => WebApiError::MessageNotFound { message },
        CodeClass::Permanent => WebApiError::Notify(NotifyError::permanent(message)),
    })
}

/// An error code as Slack sends it (`channel_not_found`), cut to a sane length and reduced to
/// the characters codes are made of, so an odd body cannot inject text into logs.
fn short_code(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .take(MAX_CODE_CHARS)
        .collect()
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
    ) -> Result<Posted, WebApiError> {
        let mut headers = HeaderMap::new();
        if let Some(value) = retry_after {
            headers.insert(RETRY_AFTER, HeaderValue::from_static(value));
        }
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::IM_A_TEAPOT);
        classify(
            "chat.postMessage",
            status,
            &headers,
            body,
            SystemTime::now(),
            &Redactor::default(),
        )
    }

    #[test]
    fn ok_gives_channel_and_ts() {
        let posted = answer(200, None, r#"{"ok":true,"channel":"C1","ts":"1.2"}"#).expect("posted");
        assert_eq!(
            posted,
            Posted {
                channel: "C1".into(),
                ts: "1.2".into()
            }
        );
        assert!(answer(200, None, r#"{"ok":true}"#).is_err());
        assert!(
            answer(200, None, "ok")
                .expect_err("not json")
                .is_retryable()
        );
    }

    #[test]
    fn ratelimited_is_transient_with_retry_after() {
        let err = answer(429, Some("7"), r#"{"ok":false,"error":"ratelimited"}"#).expect_err("err");
        assert!(err.is_retryable());
        assert_eq!(err.retry_after(), Some(Duration::from_secs(7)));
        let err = answer(200, None, r#"{"ok":false,"error":"ratelimited"}"#).expect_err("err");
        assert_eq!(err.retry_after(), Some(DEFAULT_RATE_LIMIT_PAUSE));
    }

    #[test]
    fn configuration_errors_are_permanent() {
        for code in [
            "invalid_auth",
            "channel_not_found",
            "not_in_channel",
            "missing_scope",
            "is_archived",
            "something_new",
        ] {
            let err =
                answer(200, None, &format!(r#"{{"ok":false,"error":"{code}"}}"#)).expect_err("err");
            assert!(!err.is_retryable(), "{code}");
            assert!(
                matches!(err, WebApiError::Notify(NotifyError::Permanent { .. })),
                "{code}"
            );
            assert!(err.to_string().contains(code), "{err}");
        }
    }

    #[test]
    fn message_not_found_is_its_own_error() {
        let err =
            answer(200, None, r#"{"ok":false,"error":"message_not_found"}"#).expect_err("err");
        assert!(matches!(err, WebApiError::MessageNotFound { .. }));
        assert!(!err.is_retryable());
    }

    #[test]
    fn server_errors_are_transient() {
        assert!(answer(500, None, "").expect_err("err").is_retryable());
        assert!(
            answer(200, None, r#"{"ok":false,"error":"internal_error"}"#)
                .expect_err("err")
                .is_retryable()
        );
        assert!(!answer(404, None, "").expect_err("err").is_retryable());
    }

    #[test]
    fn odd_codes_are_sanitized() {
        let err = answer(
            200,
            None,
            &format!(r#"{{"ok":false,"error":"a\nb {}"}}"#, "x".repeat(500)),
        )
        .expect_err("err");
        let text = err.to_string();
        assert!(!text.contains('\n'));
        assert!(text.len() < 300, "{text}");
    }
}
