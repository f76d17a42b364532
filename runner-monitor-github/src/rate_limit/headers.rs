//! Reading rate-limit facts from a response's headers.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::StatusCode;
use reqwest::header::{HeaderMap, RETRY_AFTER};

use super::RateLimitStatus;

fn number(headers: &HeaderMap, name: &str) -> Option<u64> {
    headers.get(name)?.to_str().ok()?.trim().parse().ok()
}

impl RateLimitStatus {
    /// Parses `x-ratelimit-*`; `None` unless limit, remaining and reset are all present.
    pub(crate) fn from_headers(headers: &HeaderMap) -> Option<Self> {
        let limit = number(headers, "x-ratelimit-limit")?;
        let remaining = number(headers, "x-ratelimit-remaining")?;
        let reset = number(headers, "x-ratelimit-reset")?;
        Some(RateLimitStatus {
            limit,
            remaining,
            used: number(headers, "x-ratelimit-used"),
            reset: UNIX_EPOCH + Duration::from_secs(reset),
            resource: headers
                .get("x-ratelimit-resource")
                .and_then(|value| value.to_str().ok())
                .map(str::to_owned),
        })
    }

    /// Seconds since the Unix epoch of the reset.
    pub(crate) fn reset_epoch_seconds(&self) -> u64 {
        self.reset
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_secs())
    }

    /// How long until the reset, if it lies ahead of `now`.
    pub(crate) fn until_reset(&self, now: SystemTime) -> Option<Duration> {
        self.reset.duration_since(now).ok().filter(|d| !d.is_zero())
    }
}

/// Whether an answer is GitHub refusing because of a rate limit (primary or secondary) rather
/// than a permission: any 429, or a 403 with `retry-after`, with `x-ratelimit-remaining: 0`, or
/// whose message mentions a rate limit.
pub(crate) fn is_rate_limited(status: StatusCode, headers: &HeaderMap, message: &str) -> bool {
    if status == StatusCode::TOO_MANY_REQUESTS {
        return true;
    }
    status == StatusCode::FORBIDDEN
        && (headers.contains_key(RETRY_AFTER)
            || number(headers, "x-ratelimit-remaining") == Some(0)
            || message.to_ascii_lowercase().contains("rate limit"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn parses_all_headers() {
        let map = headers(&[
            ("x-ratelimit-limit", "5000"),
            ("x-ratelimit-remaining", "4990"),
            ("x-ratelimit-used", "10"),
            ("x-ratelimit-reset", "1700000000"),
            ("x-ratelimit-resource", "core"),
        ]);
        let status = RateLimitStatus::from_headers(&map).expect("complete headers");
        assert_eq!(status.limit, 5000);
        assert_eq!(status.remaining, 4990);
        assert_eq!(status.used, Some(10));
        assert_eq!(status.reset_epoch_seconds(), 1_700_000_000);
        assert_eq!(status.resource.as_deref(), Some("core"));
    }

    #[test]
    fn missing_or_garbled_headers_give_none() {
        assert_eq!(RateLimitStatus::from_headers(&HeaderMap::new()), None);
        let map = headers(&[
            ("x-ratelimit-limit", "5000"),
            ("x-ratelimit-remaining", "lots"),
            ("x-ratelimit-reset", "1700000000"),
        ]);
        assert_eq!(RateLimitStatus::from_headers(&map), None);
    }

    #[test]
    fn recognises_limited_answers() {
        let empty = HeaderMap::new();
        assert!(is_rate_limited(StatusCode::TOO_MANY_REQUESTS, &empty, ""));
        assert!(!is_rate_limited(
            StatusCode::FORBIDDEN,
            &empty,
            "Resource not accessible by integration"
        ));
        assert!(is_rate_limited(
            StatusCode::FORBIDDEN,
            &empty,
            "You have exceeded a secondary rate limit"
        ));
        assert!(is_rate_limited(
            StatusCode::FORBIDDEN,
            &headers(&[("x-ratelimit-remaining", "0")]),
            ""
        ));
        assert!(is_rate_limited(
            StatusCode::FORBIDDEN,
            &headers(&[("retry-after", "30")]),
            ""
        ));
        assert!(!is_rate_limited(
            StatusCode::OK,
            &headers(&[("retry-after", "30")]),
            ""
        ));
    }
}
