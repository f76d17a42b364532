//! Wall-clock time, injectable so rate-limit and token-expiry behaviour can be tested without
//! waiting.

use std::fmt::Debug;
use std::time::SystemTime;

/// Tells the time. [`SystemClock`] in production; tests may pass their own.
pub trait Clock: Send + Sync + Debug {
    /// The current wall-clock time.
    fn now(&self) -> SystemTime;
}

/// The operating system's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}
