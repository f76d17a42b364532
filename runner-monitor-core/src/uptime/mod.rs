//! Uptime from outage history: how much of a time range a runner could take jobs. Pure arithmetic
//! on [`Outage`]s (no clock, no I/O): the hosts load outages with
//! [`Store::outages_between`](crate::Store::outages_between) and pass `now` in.
//!
//! Rules:
//! - A runner is *down* while one of its outages is open: from `started_at` (when it became
//!   unhealthy) to `resolved_at`, or to `now` while still open. Overlapping outages count once.
//! - Only *known* time is measured ([`Basis`]): not before the runner was first seen, not before
//!   the retention edge `now - history_ttl` (older resolved outages may have been expired, so
//!   uptime there would be a guess), and not after `now`.
//! - *Silenced* time (issue 11, not built yet) will be reported in [`Uptime::silenced`] and left
//!   out of the ratio; it is zero today.
//!
//! # Examples
//! ```
//! use std::time::Duration;
//! use chrono::{TimeZone, Utc};
//! use runner_monitor_core::uptime::{self, Basis};
//! let t = |h| Utc.with_ymd_and_hms(2026, 1, 1, h, 0, 0).unwrap();
//! let basis = Basis::new(Some(t(0)), t(10), Duration::from_secs(30 * 86_400));
//! let up = uptime::measure(&[], t(0), t(10), basis);
//! assert_eq!(up.ratio(), Some(1.0));
//! assert_eq!(up.observed, Duration::from_secs(10 * 3600));
//! ```

mod daily;
mod measure;
#[cfg(test)]
mod tests;

pub use daily::{Day, days, days_silenced};
pub use measure::{Basis, Uptime, mean_time_to_recovery, measure, measure_silenced};
