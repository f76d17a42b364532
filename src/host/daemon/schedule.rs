//! When the next cycle starts: a fixed rate from the start of the previous cycle plus random
//! jitter; a cycle that overran its interval is followed at once (missed ticks are not caught up).

use std::hash::{BuildHasher, Hasher, RandomState};
use std::time::Duration;

/// The daemon's cycle schedule.
#[derive(Debug, Clone)]
pub struct Schedule {
    interval: Duration,
    jitter: Duration,
    random: RandomState,
    draws: u64,
}

impl Schedule {
    /// Cycles every `interval` plus up to `jitter`.
    pub fn new(interval: Duration, jitter: Duration) -> Self {
        Schedule {
            interval,
            jitter,
            random: RandomState::new(),
            draws: 0,
        }
    }

    /// How long to wait after a cycle that took `elapsed`.
    pub fn delay_after(&mut self, elapsed: Duration) -> Duration {
        (self.interval + self.draw_jitter()).saturating_sub(elapsed)
    }

    fn draw_jitter(&mut self) -> Duration {
        if self.jitter.is_zero() {
            return Duration::ZERO;
        }
        self.draws += 1;
        let mut hasher = self.random.build_hasher();
        hasher.write_u64(self.draws);
        let fraction = (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64;
        self.jitter.mul_f64(fraction)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn delays_stay_within_interval_plus_jitter() {
        let mut schedule = Schedule::new(Duration::from_secs(60), Duration::from_secs(6));
        let delays: Vec<Duration> = (0..200)
            .map(|_| schedule.delay_after(Duration::from_secs(10)))
            .collect();
        assert!(
            delays
                .iter()
                .all(|d| *d >= Duration::from_secs(50) && *d <= Duration::from_secs(56))
        );
        let distinct: std::collections::BTreeSet<_> = delays.iter().collect();
        assert!(distinct.len() > 100, "jitter varies");
    }

    #[test]
    fn an_overrun_cycle_is_followed_at_once() {
        let mut schedule = Schedule::new(Duration::from_secs(1), Duration::ZERO);
        assert_eq!(schedule.delay_after(Duration::from_secs(5)), Duration::ZERO);
        assert_eq!(
            schedule.delay_after(Duration::from_millis(300)),
            Duration::from_millis(700)
        );
    }
}
