//! The gate: after a rate-limited answer nothing is sent to GitHub until the wait is over.

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use super::{RateLimitStatus, metrics};

/// The wait after a limited answer that says neither `retry-after` nor a usable reset.
const FLOOR: Duration = Duration::from_secs(60);
/// The longest wait the exponential floor grows to.
const CEILING: Duration = Duration::from_secs(60 * 60);

#[derive(Debug, Default)]
struct State {
    blocked_until: Option<SystemTime>,
    consecutive_limited: u32,
    latest: Option<RateLimitStatus>,
}

/// Shared by every request of one source (one credential).
#[derive(Debug, Default)]
pub(crate) struct RateGate {
    state: Mutex<State>,
}

impl RateGate {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// `Err(wait)` while the gate is closed.
    pub(crate) fn check(&self, now: SystemTime) -> Result<(), Duration> {
        match self.lock().blocked_until {
            Some(until) => match until.duration_since(now) {
                Ok(wait) if !wait.is_zero() => Err(wait),
                _ => Ok(()),
            },
            None => Ok(()),
        }
    }

    /// Remembers the figures of a response that carried them and records the gauges.
    pub(crate) fn record(&self, status: Option<RateLimitStatus>) {
        if let Some(status) = status {
            metrics::record(&status);
            self.lock().latest = Some(status);
        }
    }

    /// The latest reported figures.
    pub(crate) fn latest(&self) -> Option<RateLimitStatus> {
        self.lock().latest.clone()
    }

    /// An answer that was not rate-limited: the exponential floor starts over.
    pub(crate) fn answered(&self) {
        self.lock().consecutive_limited = 0;
    }

    /// A limited answer: closes the gate and returns how long it stays closed. The wait is
    /// `retry-after` when given, else the time to the reset when nothing remains, else a 60 s
    /// floor doubling with each limited answer in a row (at most an hour).
    pub(crate) fn limited(
        &self,
        now: SystemTime,
        retry_after: Option<Duration>,
        status: Option<&RateLimitStatus>,
    ) -> Duration {
        let mut state = self.lock();
        state.consecutive_limited = state.consecutive_limited.saturating_add(1);
        let wait = retry_after
            .map(|wait| wait.max(Duration::from_secs(1)))
            .or_else(|| {
                status
                    .filter(|status| status.remaining == 0)
                    .and_then(|status| status.until_reset(now))
                    .map(|wait| wait + Duration::from_secs(1))
            })
            .unwrap_or_else(|| {
                let doublings = state.consecutive_limited.saturating_sub(1).min(6);
                (FLOOR * 2u32.pow(doublings)).min(CEILING)
            });
        let until = now + wait;
        state.blocked_until = Some(state.blocked_until.map_or(until, |old| old.max(until)));
        wait
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(remaining: u64, reset: SystemTime) -> RateLimitStatus {
        RateLimitStatus {
            limit: 5000,
            remaining,
            used: None,
            reset,
            resource: None,
        }
    }

    #[test]
    fn retry_after_wins() {
        let gate = RateGate::default();
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000);
        let reset = now + Duration::from_secs(500);
        let wait = gate.limited(now, Some(Duration::from_secs(30)), Some(&status(0, reset)));
        assert_eq!(wait, Duration::from_secs(30));
        assert_eq!(gate.check(now), Err(Duration::from_secs(30)));
        assert_eq!(
            gate.check(now + Duration::from_secs(10)),
            Err(Duration::from_secs(20))
        );
        assert_eq!(gate.check(now + Duration::from_secs(30)), Ok(()));
    }

    #[test]
    fn reset_when_nothing_remains() {
        let gate = RateGate::default();
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000);
        let wait = gate.limited(now, None, Some(&status(0, now + Duration::from_secs(500))));
        assert_eq!(wait, Duration::from_secs(501));
    }

    #[test]
    fn floor_grows_exponentially_and_starts_over_after_an_answer() {
        let gate = RateGate::default();
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000);
        let waits: Vec<u64> = (0..8)
            .map(|_| gate.limited(now, None, Some(&status(10, now))).as_secs())
            .collect();
        assert_eq!(waits, [60, 120, 240, 480, 960, 1920, 3600, 3600]);
        gate.answered();
        assert_eq!(gate.limited(now, None, None).as_secs(), 60);
    }

    #[test]
    fn a_reset_in_the_past_falls_back_to_the_floor() {
        let gate = RateGate::default();
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000);
        let past = now - Duration::from_secs(5);
        assert_eq!(
            gate.limited(now, None, Some(&status(0, past))).as_secs(),
            60
        );
    }
}
