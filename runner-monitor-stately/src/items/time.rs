//! Timestamps as the schema stores them: `sint64` milliseconds since the epoch, 0 for "none".

use chrono::DateTime;
use runner_monitor_core::Timestamp;

use crate::error::ClientError;

/// "Never" for an `expiresAt`: 9999-12-31T23:59:59.999Z, so a server that treats 0 as "expire at
/// once" still keeps the item.
pub const NEVER_MS: i64 = 253_402_300_799_999;

/// Milliseconds since the epoch (sub-millisecond precision is dropped).
pub fn millis(at: Timestamp) -> i64 {
    at.timestamp_millis()
}

/// Milliseconds, or 0 for `None`.
pub fn opt_millis(at: Option<Timestamp>) -> i64 {
    at.map_or(0, millis)
}

/// A stored timestamp.
///
/// # Errors
/// [`ClientError::Decode`] when out of range.
pub fn timestamp(ms: i64, field: &str) -> Result<Timestamp, ClientError> {
    DateTime::from_timestamp_millis(ms)
        .ok_or_else(|| ClientError::Decode(format!("{field}: timestamp {ms} out of range")))
}

/// A stored optional timestamp (0 = none).
///
/// # Errors
/// [`ClientError::Decode`] when out of range.
pub fn opt_timestamp(ms: i64, field: &str) -> Result<Option<Timestamp>, ClientError> {
    if ms == 0 {
        Ok(None)
    } else {
        timestamp(ms, field).map(Some)
    }
}

/// `at + ttl` in milliseconds, saturating at [`NEVER_MS`].
pub fn expiry(at: Timestamp, ttl: std::time::Duration) -> i64 {
    let ttl_ms = i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX);
    millis(at).saturating_add(ttl_ms).min(NEVER_MS)
}
