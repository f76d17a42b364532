//! [`Policy`]: the timing rules of the engine.

use std::time::Duration;

use serde::{Deserialize, Serialize};

const MINUTE: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(3600);
const DAY: Duration = Duration::from_secs(86_400);

/// When outages open and resolve, when runners are forgotten, when people are reminded.
///
/// Every field has a documented default ([`Policy::default`]). In TOML or JSON durations are written
/// the humantime way (`"2m"`, `"10min"`, `"14days"`, `"1h 30m"`); missing fields keep their default.
///
/// # Examples
/// ```
/// use runner_monitor_core::Policy;
/// use std::time::Duration;
/// let policy: Policy = serde_json::from_str(r#"{"open_after": "5m", "remind_every": "4h"}"#)?;
/// assert_eq!(policy.open_after, Duration::from_secs(300));
/// assert_eq!(policy.new_runner_grace, Duration::from_secs(600)); // default kept
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Policy {
    /// How long a runner must stay unhealthy before an outage opens (flap damping: a self-update
    /// restart stays below it). Default 2 min.
    #[serde(with = "humantime_serde")]
    pub open_after: Duration,
    /// The same for a runner that has never been healthy since it was registered (GitHub lists new
    /// runners offline for a moment). Default 10 min.
    #[serde(with = "humantime_serde")]
    pub new_runner_grace: Duration,
    /// How long a runner must stay healthy before its outage resolves. Default 0 (at once).
    #[serde(with = "humantime_serde")]
    pub resolve_after: Duration,
    /// A non-ephemeral runner absent this long is forgotten, any open outage resolved as removed.
    /// Default 14 days (GitHub itself removes runners after 14 days without contact).
    #[serde(with = "humantime_serde")]
    pub forget_after: Duration,
    /// Remind about an open outage this often. Default off (`None`).
    #[serde(with = "humantime_serde")]
    pub remind_every: Option<Duration>,
    /// Report "monitoring degraded" when a scope's observations have failed this long.
    /// Default 15 min.
    #[serde(with = "humantime_serde")]
    pub source_alert_after: Duration,
    /// Give up delivering a notification this long after it was planned. Default 24 h.
    #[serde(with = "humantime_serde")]
    pub delivery_ttl: Duration,
    /// Keep resolved outages this long (open outages are kept forever). Default 30 days.
    #[serde(with = "humantime_serde")]
    pub history_ttl: Duration,
    /// In steady state, write a scope heartbeat (last successful observation) at most this often.
    /// Default 10 min.
    #[serde(with = "humantime_serde")]
    pub heartbeat_every: Duration,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            open_after: 2 * MINUTE,
            new_runner_grace: 10 * MINUTE,
            resolve_after: Duration::ZERO,
            forget_after: 14 * DAY,
            remind_every: None,
            source_alert_after: 15 * MINUTE,
            delivery_ttl: 24 * HOUR,
            history_ttl: 30 * DAY,
            heartbeat_every: 10 * MINUTE,
        }
    }
}

/// A [`Policy`] that cannot work.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid policy: `{field}` {problem}")]
pub struct PolicyError {
    /// The offending field.
    pub field: &'static str,
    /// What is wrong with it.
    pub problem: &'static str,
}

impl Policy {
    /// Checks the settings make sense together.
    ///
    /// # Errors
    /// A [`PolicyError`] naming the field: a zero `remind_every`, `heartbeat_every` or
    /// `delivery_ttl`, or a `forget_after` shorter than `open_after`.
    pub fn validate(&self) -> Result<(), PolicyError> {
        if self.remind_every == Some(Duration::ZERO) {
            return Err(PolicyError {
                field: "remind_every",
                problem: "must be positive (leave it out to turn reminders off)",
            });
        }
        if self.heartbeat_every.is_zero() {
            return Err(PolicyError {
                field: "heartbeat_every",
                problem: "must be positive",
            });
        }
        if self.delivery_ttl.is_zero() {
            return Err(PolicyError {
                field: "delivery_ttl",
                problem: "must be positive",
            });
        }
        if self.forget_after < self.open_after || self.forget_after < self.new_runner_grace {
            return Err(PolicyError {
                field: "forget_after",
                problem: "must be at least open_after and new_runner_grace",
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_documented_ones() {
        let p = Policy::default();
        assert_eq!(p.open_after, Duration::from_secs(120));
        assert_eq!(p.new_runner_grace, Duration::from_secs(600));
        assert_eq!(p.resolve_after, Duration::ZERO);
        assert_eq!(p.forget_after, Duration::from_secs(14 * 86_400));
        assert_eq!(p.remind_every, None);
        assert_eq!(p.source_alert_after, Duration::from_secs(900));
        assert_eq!(p.delivery_ttl, Duration::from_secs(86_400));
        assert_eq!(p.history_ttl, Duration::from_secs(30 * 86_400));
        assert_eq!(p.heartbeat_every, Duration::from_secs(600));
        assert_eq!(p.validate(), Ok(()));
    }

    #[test]
    fn unknown_fields_and_bad_values_are_rejected() {
        let err = serde_json::from_str::<Policy>(r#"{"open_afterr": "1m"}"#).expect_err("typo");
        assert!(err.to_string().contains("open_afterr"), "{err}");
        let err = serde_json::from_str::<Policy>(r#"{"open_after": "soon"}"#).expect_err("value");
        assert!(!err.to_string().is_empty());
        let zero = Policy {
            remind_every: Some(Duration::ZERO),
            ..Policy::default()
        };
        assert_eq!(zero.validate().map_err(|e| e.field), Err("remind_every"));
    }
}
