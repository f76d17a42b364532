//! The fake's primary rate limit: a budget per window; 304s are free.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The rate-limit window.
#[derive(Debug)]
pub(crate) struct Budget {
    pub(crate) limit: u64,
    pub(crate) remaining: u64,
    pub(crate) window: Duration,
    pub(crate) reset: SystemTime,
}

impl Budget {
    pub(crate) fn new(limit: u64, window: Duration) -> Self {
        Budget {
            limit,
            remaining: limit,
            window,
            reset: SystemTime::now() + window,
        }
    }

    /// Starts a new window if the old one is over.
    pub(crate) fn roll(&mut self, now: SystemTime) {
        if now >= self.reset {
            self.remaining = self.limit;
            self.reset = now + self.window;
        }
    }

    pub(crate) fn reset_epoch(&self) -> u64 {
        self.reset
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_secs())
    }

    /// The `x-ratelimit-*` headers.
    pub(crate) fn headers(&self) -> [(&'static str, String); 5] {
        [
            ("x-ratelimit-limit", self.limit.to_string()),
            ("x-ratelimit-remaining", self.remaining.to_string()),
            (
                "x-ratelimit-used",
                (self.limit - self.remaining).to_string(),
            ),
            ("x-ratelimit-reset", self.reset_epoch().to_string()),
            ("x-ratelimit-resource", "core".to_owned()),
        ]
    }
}
