//! Scripted answers: what the fake answers the next requests.

use std::time::Duration;

/// How the [`SlackReceiver`](super::SlackReceiver) answers one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// `200 ok`, after validating the payload against Slack's limits (`400 invalid_blocks` or
    /// `400 no_text` when it breaks them, as Slack would).
    Accept,
    /// `429` with `Retry-After: secs` and body `rate_limited`.
    RateLimited {
        /// The `Retry-After` value, seconds.
        retry_after_secs: u64,
    },
    /// Any status with Slack's error string as the body, e.g. `404 channel_not_found`,
    /// `403 invalid_token`, `500 rollup_error`.
    Error {
        /// The HTTP status.
        status: u16,
        /// The body.
        error: String,
    },
    /// Waits, then answers as [`Reply::Accept`] (a client with a shorter timeout gives up first).
    Slow(Duration),
}
