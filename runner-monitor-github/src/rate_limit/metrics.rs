//! The rate-limit gauges, through the `metrics` facade (the host installs an exporter).

use super::RateLimitStatus;

/// Requests left in the current window.
pub(crate) const REMAINING: &str = "runner_monitor_github_rate_limit_remaining";
/// Unix time (seconds) at which the window resets.
pub(crate) const RESET_SECONDS: &str = "runner_monitor_github_rate_limit_reset_seconds";
/// Requests allowed per window.
pub(crate) const LIMIT: &str = "runner_monitor_github_rate_limit_limit";

#[allow(clippy::cast_precision_loss)] // rate-limit figures are far below 2^52
pub(crate) fn record(status: &RateLimitStatus) {
    metrics::gauge!(REMAINING).set(status.remaining as f64);
    metrics::gauge!(RESET_SECONDS).set(status.reset_epoch_seconds() as f64);
    metrics::gauge!(LIMIT).set(status.limit as f64);
}
