//! `Retry-After` (RFC 9110 section 10.2.3): delay-seconds or an HTTP-date.

use std::time::{Duration, SystemTime};

use http::HeaderMap;
use http::header::{DATE, RETRY_AFTER};

/// The longest wait an adapter reports when the caller has no tighter bound (one day). The
/// dispatcher clamps further, to its `delivery_ttl`.
pub const DEFAULT_MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 60 * 60);

/// Parses one `Retry-After` value relative to `now`, clamped to `max`.
///
/// - Delay-seconds (`120`): that many seconds; a number too large for `u64` is `max`.
/// - HTTP-date (`Wed, 21 Oct 2015 07:28:00 GMT`, and the obsolete RFC 850 / asctime forms): the
///   time from `now` to it; a date in the past is zero.
/// - Anything else (empty, negative, fractional, `soon`): `None`.
///
/// Never panics, whatever the input.
///
/// # Examples
/// ```
/// use std::time::{Duration, SystemTime, UNIX_EPOCH};
/// use runner_monitor_http::parse_retry_after;
///
/// let now = UNIX_EPOCH + Duration::from_secs(1_445_412_400); // 2015-10-21T07:26:40Z
/// let max = Duration::from_secs(3600);
/// assert_eq!(parse_retry_after(" 30 ", now, max), Some(Duration::from_secs(30)));
/// assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now, max), Some(Duration::from_secs(80)));
/// assert_eq!(parse_retry_after("99999999999999999999999", now, max), Some(max));
/// assert_eq!(parse_retry_after("soon", now, max), None);
/// ```
pub fn parse_retry_after(value: &str, now: SystemTime, max: Duration) -> Option<Duration> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    if value.bytes().all(|b| b.is_ascii_digit()) {
        // All digits: only overflow can fail, and a huge delay means "a long time".
        let seconds = value.parse::<u64>().map_or(max, Duration::from_secs);
        return Some(seconds.min(max));
    }
    let until = httpdate::parse_http_date(value).ok()?;
    Some(until.duration_since(now).unwrap_or(Duration::ZERO).min(max))
}

/// The `Retry-After` of a response, clamped to `max`.
///
/// An HTTP-date is measured against the response's own `Date` header when it has a valid one (so
/// the two clocks need not agree), otherwise against `now`. `None` without the header or when
/// it cannot be understood (see [`parse_retry_after`]).
pub fn retry_after(headers: &HeaderMap, now: SystemTime, max: Duration) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?;
    let reference = headers
        .get(DATE)
        .and_then(|date| date.to_str().ok())
        .and_then(|date| httpdate::parse_http_date(date.trim()).ok())
        .unwrap_or(now);
    parse_retry_after(value, reference, max)
}

#[cfg(test)]
mod tests {
    use std::time::UNIX_EPOCH;

    use http::HeaderValue;
    use proptest::prelude::*;

    use super::*;

    /// 2026-01-01T00:00:00Z.
    fn now() -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_767_225_600)
    }

    const MAX: Duration = Duration::from_secs(3600);

    fn headers(pairs: &[(http::HeaderName, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(name.clone(), HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn delay_seconds() {
        assert_eq!(
            parse_retry_after("17", now(), MAX),
            Some(Duration::from_secs(17))
        );
        assert_eq!(parse_retry_after(" 0 ", now(), MAX), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("7200", now(), MAX), Some(MAX));
        assert_eq!(
            parse_retry_after(&u64::MAX.to_string(), now(), MAX),
            Some(MAX)
        );
        assert_eq!(parse_retry_after(&"9".repeat(400), now(), MAX), Some(MAX));
    }

    #[test]
    fn http_dates_in_every_form() {
        for form in [
            "Thu, 01 Jan 2026 00:02:00 GMT",
            "Thursday, 01-Jan-26 00:02:00 GMT",
            "Thu Jan  1 00:02:00 2026",
        ] {
            assert_eq!(
                parse_retry_after(form, now(), MAX),
                Some(Duration::from_secs(120)),
                "{form}"
            );
        }
        assert_eq!(
            parse_retry_after("Fri, 31 Dec 9999 23:59:59 GMT", now(), MAX),
            Some(MAX)
        );
        assert_eq!(
            parse_retry_after("Wed, 31 Dec 2025 23:00:00 GMT", now(), MAX),
            Some(Duration::ZERO)
        );
    }

    #[test]
    fn garbage_is_none() {
        for value in [
            "",
            "  ",
            "soon",
            "-5",
            "+5",
            "1.5",
            "1e3",
            "5 s",
            "0x10",
            "Thu, 99 Jan",
        ] {
            assert_eq!(parse_retry_after(value, now(), MAX), None, "{value:?}");
        }
    }

    #[test]
    fn header_dates_use_the_response_date() {
        let h = headers(&[
            (RETRY_AFTER, "Thu, 01 Jan 2026 00:02:00 GMT"),
            (DATE, "Thu, 01 Jan 2026 00:01:30 GMT"),
        ]);
        assert_eq!(retry_after(&h, now(), MAX), Some(Duration::from_secs(30)));
        let h = headers(&[
            (RETRY_AFTER, "Thu, 01 Jan 2026 00:02:00 GMT"),
            (DATE, "not a date"),
        ]);
        assert_eq!(retry_after(&h, now(), MAX), Some(Duration::from_secs(120)));
        assert_eq!(retry_after(&HeaderMap::new(), now(), MAX), None);
        let mut opaque = HeaderMap::new();
        opaque.insert(
            RETRY_AFTER,
            HeaderValue::from_bytes(b"\xff12").unwrap_or(HeaderValue::from_static("x")),
        );
        assert_eq!(retry_after(&opaque, now(), MAX), None);
    }

    proptest! {
        #[test]
        fn never_panics_and_never_exceeds_max(value in ".{0,64}", max_secs in 0u64..u64::MAX, now_secs in 0u64..(1u64 << 40)) {
            let max = Duration::from_secs(max_secs);
            let now = UNIX_EPOCH + Duration::from_secs(now_secs);
            if let Some(delay) = parse_retry_after(&value, now, max) {
                prop_assert!(delay <= max);
            }
        }

        #[test]
        fn huge_numbers_clamp(digits in "[0-9]{1,200}") {
            let delay = parse_retry_after(&digits, now(), MAX);
            prop_assert!(delay.is_some_and(|d| d <= MAX));
        }

        #[test]
        fn any_seconds_value_round_trips_or_clamps(seconds in any::<u64>()) {
            let delay = parse_retry_after(&seconds.to_string(), now(), MAX);
            prop_assert_eq!(delay, Some(Duration::from_secs(seconds).min(MAX)));
        }

        #[test]
        fn any_date_is_bounded(secs in 0u64..253_402_300_799u64, now_secs in 0u64..253_402_300_799u64) {
            let date = httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(secs));
            let now = UNIX_EPOCH + Duration::from_secs(now_secs);
            let delay = parse_retry_after(&date, now, MAX);
            prop_assert_eq!(delay, Some(Duration::from_secs(secs.saturating_sub(now_secs)).min(MAX)));
        }

        #[test]
        fn header_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..64), date in proptest::collection::vec(any::<u8>(), 0..64)) {
            let mut map = HeaderMap::new();
            if let Ok(value) = HeaderValue::from_bytes(&bytes) {
                map.insert(RETRY_AFTER, value);
            }
            if let Ok(value) = HeaderValue::from_bytes(&date) {
                map.insert(DATE, value);
            }
            if let Some(delay) = retry_after(&map, now(), MAX) {
                prop_assert!(delay <= MAX);
            }
        }
    }
}
