//! Timestamps as fixed-width RFC 3339 text (`2026-01-01T00:00:00.000000000Z`): exact to the
//! nanosecond, readable in the `sqlite3` shell, and ordered the same as text and as time, so SQL can
//! compare and sort them.

use chrono::{DateTime, Datelike, Utc};
use runner_monitor_core::{StoreError, Timestamp};

use crate::error::{corrupt, invalid};

const FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.9fZ";

/// Encodes `at`; years outside 0..=9999 would not sort as text and are rejected.
pub(crate) fn encode(at: Timestamp) -> Result<String, StoreError> {
    if !(0..=9999).contains(&at.year()) {
        return Err(invalid(format!("timestamp {at} is outside years 0-9999")));
    }
    Ok(at.format(FORMAT).to_string())
}

/// Encodes `at`, saturating at the last instant of year 9999 (for "not before" times and lease
/// expiries, which a dispatcher may push arbitrarily far: later than 9999 means "never" here).
pub(crate) fn encode_saturating(at: Timestamp) -> Result<String, StoreError> {
    if at.year() > 9999 {
        return Ok("9999-12-31T23:59:59.999999999Z".to_owned());
    }
    encode(at)
}

/// Encodes an optional timestamp.
pub(crate) fn encode_opt(at: Option<Timestamp>) -> Result<Option<String>, StoreError> {
    at.map(encode).transpose()
}

/// Decodes a stored timestamp.
pub(crate) fn decode(text: &str) -> Result<Timestamp, StoreError> {
    DateTime::parse_from_rfc3339(text)
        .map(|at| at.with_timezone(&Utc))
        .map_err(|e| corrupt(format!("stored timestamp `{text}` is unreadable: {e}")))
}

/// Decodes an optional stored timestamp.
pub(crate) fn decode_opt(text: Option<&str>) -> Result<Option<Timestamp>, StoreError> {
    text.map(decode).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn round_trips_exactly_and_sorts_as_text() {
        let base = Utc
            .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
            .single()
            .expect("time");
        let times = [
            base,
            base + chrono::Duration::nanoseconds(1),
            base + chrono::Duration::milliseconds(500),
            base + chrono::Duration::seconds(1),
            Utc.with_ymd_and_hms(2100, 12, 31, 23, 59, 59)
                .single()
                .expect("time"),
        ];
        let texts: Vec<String> = times.iter().map(|t| encode(*t).expect("encode")).collect();
        for (time, text) in times.iter().zip(&texts) {
            assert_eq!(decode(text).expect("decode"), *time);
            assert_eq!(text.len(), 30, "fixed width: {text}");
        }
        assert!(texts.windows(2).all(|w| w[0] < w[1]), "{texts:?}");
    }

    #[test]
    fn rejects_unsortable_years_and_garbage() {
        let far = Utc
            .with_ymd_and_hms(10_000, 1, 1, 0, 0, 0)
            .single()
            .expect("time");
        assert!(matches!(encode(far), Err(StoreError::Invalid { .. })));
        assert!(matches!(
            decode("yesterday"),
            Err(StoreError::Corrupt { .. })
        ));
    }
}
