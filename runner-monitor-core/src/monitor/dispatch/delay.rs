//! When a failed delivery is tried again: exponential backoff, never sooner than the
//! destination's retry-after, never later than `delivery_ttl`, never a panic.

use std::time::Duration;

use crate::model::Timestamp;

use super::super::DeliveryBackoff;

/// The shortest wait before a retry, so a retry is never due again within the same dispatch.
pub(super) const MIN_DELAY: Duration = Duration::from_secs(1);

/// The wait before attempt `attempts + 1`: the backoff, raised to `retry_after`, clamped to
/// `[MIN_DELAY, ttl]` (a destination asking for more than the TTL gets the TTL: the delivery
/// would be abandoned by then anyway, and a huge value must not overflow).
pub(super) fn retry_delay(
    backoff: &DeliveryBackoff,
    attempts: u32,
    retry_after: Option<Duration>,
    ttl: Duration,
) -> Duration {
    let delay = backoff.delay(attempts).max(retry_after.unwrap_or_default());
    delay.min(ttl).max(MIN_DELAY)
}

/// `now + delay`, saturating at the latest representable time instead of panicking.
pub(super) fn after(now: Timestamp, delay: Duration) -> Timestamp {
    chrono::Duration::from_std(delay)
        .ok()
        .and_then(|delay| now.checked_add_signed(delay))
        .unwrap_or(chrono::DateTime::<chrono::Utc>::MAX_UTC)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(secs: i64) -> Timestamp {
        chrono::DateTime::from_timestamp(secs, 0).unwrap_or_default()
    }

    #[test]
    fn retry_after_beats_backoff_and_is_clamped_to_the_ttl() {
        let backoff = DeliveryBackoff::default();
        let ttl = Duration::from_secs(86_400);
        assert_eq!(retry_delay(&backoff, 1, None, ttl), Duration::from_secs(30));
        assert_eq!(
            retry_delay(&backoff, 1, Some(Duration::from_secs(300)), ttl),
            Duration::from_secs(300)
        );
        assert_eq!(retry_delay(&backoff, 1, Some(Duration::MAX), ttl), ttl);
        let zero = DeliveryBackoff {
            base: Duration::ZERO,
            max: Duration::ZERO,
        };
        assert_eq!(retry_delay(&zero, 1, None, ttl), MIN_DELAY);
    }

    #[test]
    fn after_saturates() {
        assert_eq!(
            after(at(0), Duration::MAX),
            chrono::DateTime::<chrono::Utc>::MAX_UTC
        );
        let near_end = chrono::DateTime::<chrono::Utc>::MAX_UTC - chrono::Duration::seconds(5);
        assert_eq!(
            after(near_end, Duration::from_secs(3_600)),
            chrono::DateTime::<chrono::Utc>::MAX_UTC
        );
        assert_eq!(after(at(0), Duration::from_secs(60)), at(60));
    }

    proptest! {
        /// Huge retry-after values, TTLs, attempt counts and clocks never panic, and the
        /// result stays within [now + 1 s, now + ttl] whenever that is representable.
        #[test]
        fn never_panics_and_stays_within_the_ttl(
            retry_after in proptest::option::of(any::<u64>()),
            retry_nanos in any::<u32>(),
            ttl_secs in 1u64..=u64::MAX,
            attempts in any::<u32>(),
            base in any::<u64>(),
            max in any::<u64>(),
            now in -8_000_000_000_000i64..8_000_000_000_000i64,
        ) {
            let backoff = DeliveryBackoff {
                base: Duration::from_millis(base),
                max: Duration::from_millis(max),
            };
            let retry_after = retry_after.map(|s| Duration::new(s, retry_nanos % 1_000_000_000));
            let ttl = Duration::from_secs(ttl_secs);
            let delay = retry_delay(&backoff, attempts, retry_after, ttl);
            prop_assert!(delay >= MIN_DELAY.min(ttl));
            prop_assert!(delay <= ttl.max(MIN_DELAY));
            let now = chrono::DateTime::from_timestamp(now, 0).unwrap_or_default();
            let next = after(now, delay);
            prop_assert!(next > now);
        }
    }
}
