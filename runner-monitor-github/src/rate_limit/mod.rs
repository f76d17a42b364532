//! GitHub's rate limits: the `x-ratelimit-*` headers ([`RateLimitStatus`]), how a limited answer
//! is recognised (its `retry-after` is read by `runner-monitor-http`'s one parser), and the gate that keeps the source quiet until the limit lifts.

mod gate;
mod headers;
mod metrics;

pub(crate) use gate::RateGate;
pub(crate) use headers::is_rate_limited;

use std::time::SystemTime;

/// The latest rate-limit figures GitHub reported (`x-ratelimit-limit`, `-remaining`, `-used`,
/// `-reset`, `-resource`). Servers that send no such headers (GitHub Enterprise Server with rate
/// limiting off) never produce one.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RateLimitStatus {
    /// Requests allowed per window.
    pub limit: u64,
    /// Requests left in the current window.
    pub remaining: u64,
    /// Requests used in the current window, when reported.
    pub used: Option<u64>,
    /// When the window resets.
    pub reset: SystemTime,
    /// Which limit this is (`core`, `search`, ...), when reported.
    pub resource: Option<String>,
}
