//! What an HTTP status means for a retry: one table for every adapter.

use std::time::{Duration, SystemTime};

use http::{HeaderMap, StatusCode};
use runner_monitor_core::NotifyError;

use crate::retry_after::{DEFAULT_MAX_RETRY_AFTER, retry_after};

/// How long a sink pauses after a 429 that did not say how long (one minute): retrying at once
/// would only be refused again and deepen the rate limit.
pub const DEFAULT_RATE_LIMIT_PAUSE: Duration = Duration::from_secs(60);

/// The class of an HTTP answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusClass {
    /// 2xx.
    Success,
    /// 429: the destination is rate limiting. Pause for `pause`: its `Retry-After`, or
    /// [`DEFAULT_RATE_LIMIT_PAUSE`] without one, never more than the classifier's maximum.
    RateLimited {
        /// How long to wait before the next request to this destination.
        pause: Duration,
    },
    /// 408, 5xx and anything else unexpected (1xx): may succeed later.
    Retryable {
        /// The response's `Retry-After`, when it had a usable one.
        retry_after: Option<Duration>,
    },
    /// 3xx: redirects are not followed (a redirect would carry signed headers or a token
    /// elsewhere); the configured URL is wrong.
    Redirect,
    /// Other 4xx: a configuration problem that retrying will not fix.
    Permanent,
}

impl StatusClass {
    /// Whether a retry can help.
    pub fn is_retryable(self) -> bool {
        matches!(
            self,
            StatusClass::RateLimited { .. } | StatusClass::Retryable { .. }
        )
    }

    /// The wait the destination asked for (or the default pause of a 429).
    pub fn retry_after(self) -> Option<Duration> {
        match self {
            StatusClass::RateLimited { pause } => Some(pause),
            StatusClass::Retryable { retry_after } => retry_after,
            _ => None,
        }
    }

    /// The [`NotifyError`] for this class with `message` (already free of secrets); `None` for
    /// [`StatusClass::Success`].
    pub fn notify_error(self, message: impl Into<String>) -> Option<NotifyError> {
        let message = message.into();
        match self {
            StatusClass::Success => None,
            StatusClass::RateLimited { .. } | StatusClass::Retryable { .. } => {
                Some(NotifyError::Transient {
                    message,
                    retry_after: self.retry_after(),
                })
            }
            StatusClass::Redirect | StatusClass::Permanent => Some(NotifyError::permanent(message)),
        }
    }
}

/// Classifies answers: the status table plus the `Retry-After` rules.
///
/// # Examples
/// ```
/// use std::time::{Duration, SystemTime};
/// use http::{HeaderMap, StatusCode};
/// use runner_monitor_http::{Classifier, DEFAULT_RATE_LIMIT_PAUSE, StatusClass};
///
/// let classifier = Classifier::default();
/// let now = SystemTime::now();
/// let class = classifier.classify(StatusCode::TOO_MANY_REQUESTS, &HeaderMap::new(), now);
/// assert_eq!(class, StatusClass::RateLimited { pause: DEFAULT_RATE_LIMIT_PAUSE });
/// assert_eq!(classifier.classify(StatusCode::NOT_FOUND, &HeaderMap::new(), now), StatusClass::Permanent);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Classifier {
    max_retry_after: Duration,
    rate_limit_pause: Duration,
}

impl Default for Classifier {
    /// `Retry-After` clamped to [`DEFAULT_MAX_RETRY_AFTER`], 429 pause
    /// [`DEFAULT_RATE_LIMIT_PAUSE`].
    fn default() -> Self {
        Classifier {
            max_retry_after: DEFAULT_MAX_RETRY_AFTER,
            rate_limit_pause: DEFAULT_RATE_LIMIT_PAUSE,
        }
    }
}

impl Classifier {
    /// The longest wait reported (a longer `Retry-After` is cut to it).
    #[must_use]
    pub fn max_retry_after(mut self, max: Duration) -> Self {
        self.max_retry_after = max;
        self
    }

    /// The pause after a 429 without `Retry-After`.
    #[must_use]
    pub fn rate_limit_pause(mut self, pause: Duration) -> Self {
        self.rate_limit_pause = pause;
        self
    }

    /// The class of an answer with `status` and `headers`, received at `now`.
    pub fn classify(
        &self,
        status: StatusCode,
        headers: &HeaderMap,
        now: SystemTime,
    ) -> StatusClass {
        let advice = || retry_after(headers, now, self.max_retry_after);
        if status.is_success() {
            StatusClass::Success
        } else if status == StatusCode::TOO_MANY_REQUESTS {
            StatusClass::RateLimited {
                pause: advice().unwrap_or(self.rate_limit_pause.min(self.max_retry_after)),
            }
        } else if status.is_redirection() {
            StatusClass::Redirect
        } else if status == StatusCode::REQUEST_TIMEOUT || !status.is_client_error() {
            StatusClass::Retryable {
                retry_after: advice(),
            }
        } else {
            StatusClass::Permanent
        }
    }
}

#[cfg(test)]
mod tests {
    use http::HeaderValue;
    use http::header::RETRY_AFTER;

    use super::*;

    fn class(code: u16, retry_after: Option<&'static str>) -> StatusClass {
        let mut headers = HeaderMap::new();
        if let Some(value) = retry_after {
            headers.insert(RETRY_AFTER, HeaderValue::from_static(value));
        }
        let status = StatusCode::from_u16(code).unwrap_or(StatusCode::IM_A_TEAPOT);
        Classifier::default().classify(status, &headers, SystemTime::now())
    }

    #[test]
    fn the_table() {
        for code in [200, 201, 202, 204, 299] {
            assert_eq!(class(code, None), StatusClass::Success, "{code}");
        }
        for code in [408, 500, 502, 503, 504, 599, 100] {
            assert_eq!(
                class(code, None),
                StatusClass::Retryable { retry_after: None },
                "{code}"
            );
        }
        for code in [300, 301, 302, 307, 308] {
            assert_eq!(class(code, Some("5")), StatusClass::Redirect, "{code}");
        }
        for code in [400, 401, 403, 404, 410, 413, 422, 499] {
            assert_eq!(class(code, Some("5")), StatusClass::Permanent, "{code}");
            assert!(!class(code, None).is_retryable());
        }
    }

    #[test]
    fn rate_limits_always_pause() {
        assert_eq!(
            class(429, None),
            StatusClass::RateLimited {
                pause: DEFAULT_RATE_LIMIT_PAUSE
            }
        );
        assert_eq!(
            class(429, Some("garbage")),
            StatusClass::RateLimited {
                pause: DEFAULT_RATE_LIMIT_PAUSE
            }
        );
        assert_eq!(
            class(429, Some("7")),
            StatusClass::RateLimited {
                pause: Duration::from_secs(7)
            }
        );
        assert_eq!(
            class(429, Some("999999999999999999999999")),
            StatusClass::RateLimited {
                pause: DEFAULT_MAX_RETRY_AFTER
            }
        );
        let tight = Classifier::default().max_retry_after(Duration::from_secs(10));
        assert_eq!(
            tight.classify(
                StatusCode::TOO_MANY_REQUESTS,
                &HeaderMap::new(),
                SystemTime::now()
            ),
            StatusClass::RateLimited {
                pause: Duration::from_secs(10)
            }
        );
        assert_eq!(
            class(503, Some("9")).retry_after(),
            Some(Duration::from_secs(9))
        );
    }

    #[test]
    fn notify_errors() {
        assert_eq!(StatusClass::Success.notify_error("x"), None);
        let limited = class(429, None).notify_error("limited");
        assert_eq!(
            limited.as_ref().and_then(NotifyError::retry_after),
            Some(DEFAULT_RATE_LIMIT_PAUSE)
        );
        assert!(limited.is_some_and(|e| e.is_retryable()));
        assert!(
            StatusClass::Redirect
                .notify_error("r")
                .is_some_and(|e| !e.is_retryable())
        );
        assert!(
            StatusClass::Permanent
                .notify_error("p")
                .is_some_and(|e| !e.is_retryable())
        );
    }
}
