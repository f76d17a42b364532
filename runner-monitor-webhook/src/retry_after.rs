//! `Retry-After`: delay-seconds or an HTTP-date (RFC 9110 section 10.2.3).

use std::time::Duration;

use chrono::{DateTime, Utc};
use http::HeaderMap;
use http::header::{DATE, RETRY_AFTER};

/// The delay a response asks for, if it has a `Retry-After` header that can be understood.
///
/// An HTTP-date is measured against the response's own `Date` header when it has one (so the
/// two clocks need not agree), otherwise against `now`. A date in the past means "now" (zero).
pub(crate) fn retry_after(headers: &HeaderMap, now: DateTime<Utc>) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let until = parse_http_date(value)?;
    let reference = headers
        .get(DATE)
        .and_then(|d| d.to_str().ok())
        .and_then(parse_http_date)
        .unwrap_or(now);
    Some((until - reference).to_std().unwrap_or(Duration::ZERO))
}

/// IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), the form senders must use.
fn parse_http_date(value: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc2822(value)
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use http::HeaderValue;

    use super::*;

    fn headers(pairs: &[(http::HeaderName, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(name.clone(), HeaderValue::from_static(value));
        }
        map
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
            .single()
            .unwrap_or_default()
    }

    #[test]
    fn seconds() {
        let h = headers(&[(RETRY_AFTER, " 17 ")]);
        assert_eq!(retry_after(&h, now()), Some(Duration::from_secs(17)));
    }

    #[test]
    fn http_date_against_now() {
        let h = headers(&[(RETRY_AFTER, "Thu, 01 Jan 2026 00:02:00 GMT")]);
        assert_eq!(retry_after(&h, now()), Some(Duration::from_secs(120)));
    }

    #[test]
    fn http_date_against_the_response_date() {
        let h = headers(&[
            (RETRY_AFTER, "Thu, 01 Jan 2026 00:02:00 GMT"),
            (DATE, "Thu, 01 Jan 2026 00:01:30 GMT"),
        ]);
        assert_eq!(retry_after(&h, now()), Some(Duration::from_secs(30)));
    }

    #[test]
    fn past_date_is_zero_and_garbage_is_none() {
        let past = headers(&[(RETRY_AFTER, "Wed, 31 Dec 2025 23:00:00 GMT")]);
        assert_eq!(retry_after(&past, now()), Some(Duration::ZERO));
        assert_eq!(retry_after(&headers(&[(RETRY_AFTER, "soon")]), now()), None);
        assert_eq!(retry_after(&headers(&[(RETRY_AFTER, "-5")]), now()), None);
        assert_eq!(retry_after(&HeaderMap::new(), now()), None);
    }
}
