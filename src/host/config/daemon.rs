//! `[daemon]`, `[http]`, `[monitor]` and `[slash_commands]`: how the host runs.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::SecretRef;

/// `[daemon]`: the polling loop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DaemonConfig {
    /// Time from the start of one cycle to the start of the next. Default 60 s.
    #[serde(with = "humantime_serde")]
    pub interval: Duration,
    /// Up to this much random delay is added to each interval so that monitors started together
    /// spread out. Default a tenth of `interval`.
    #[serde(with = "humantime_serde", skip_serializing_if = "Option::is_none")]
    pub jitter: Option<Duration>,
    /// `/healthz` answers 503 when no cycle has completed for this long. Default three intervals
    /// plus the jitter plus 2 minutes (a slow GitHub listing).
    #[serde(with = "humantime_serde", skip_serializing_if = "Option::is_none")]
    pub stale_after: Option<Duration>,
}

impl Default for DaemonConfig {
    fn default() -> Self {
        DaemonConfig {
            interval: Duration::from_secs(60),
            jitter: None,
            stale_after: None,
        }
    }
}

impl DaemonConfig {
    /// The jitter in force.
    pub fn jitter(&self) -> Duration {
        self.jitter.unwrap_or(self.interval / 10)
    }

    /// The staleness limit of `/healthz` in force.
    pub fn stale_after(&self) -> Duration {
        self.stale_after.unwrap_or_else(|| {
            self.interval.saturating_mul(3) + self.jitter() + Duration::from_secs(120)
        })
    }
}

/// `[http]`: the endpoints `/healthz`, `/metrics` and `/slack/commands`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HttpConfig {
    /// Serve the endpoints at all. Default true.
    pub enabled: bool,
    /// Address to listen on. Default `127.0.0.1:9184`; `0.0.0.0:9184` in a container.
    pub listen: String,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            enabled: true,
            listen: "127.0.0.1:9184".to_owned(),
        }
    }
}

/// `[monitor]`: tunables of the cycle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MonitorConfig {
    /// Scopes observed and committed at once. Default 8.
    pub concurrency: usize,
    /// Commit retries after a version conflict (another monitor wrote first). Default 5.
    pub max_conflict_retries: u32,
    /// Pending deliveries considered per dispatch. Default 1000.
    pub delivery_batch: usize,
    /// Delay before retrying a failed delivery, doubling per attempt. Default 30 s.
    #[serde(with = "humantime_serde")]
    pub delivery_retry_base: Duration,
    /// Longest delay between delivery attempts. Default 30 min.
    #[serde(with = "humantime_serde")]
    pub delivery_retry_max: Duration,
    /// How long one dispatch may send before it leaves the rest for the next cycle (a backlog
    /// never starves polling). Default 20 s.
    #[serde(with = "humantime_serde")]
    pub dispatch_budget: Duration,
    /// How long a claim on a delivery keeps other monitors on the same store from sending it;
    /// must outlast `dispatch_budget` plus the slowest send. Default 5 min.
    #[serde(with = "humantime_serde")]
    pub delivery_lease: Duration,
}

impl Default for MonitorConfig {
    fn default() -> Self {
        MonitorConfig {
            concurrency: 8,
            max_conflict_retries: 5,
            delivery_batch: 1_000,
            delivery_retry_base: Duration::from_secs(30),
            delivery_retry_max: Duration::from_secs(30 * 60),
            dispatch_budget: runner_monitor_core::monitor::DEFAULT_DISPATCH_BUDGET,
            delivery_lease: runner_monitor_core::monitor::DEFAULT_DELIVERY_LEASE,
        }
    }
}

/// `[slash_commands]`: answer Slack slash commands at `/slack/commands` (daemon) or through the
/// API Gateway Lambda. Absent: the route answers 404.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlashCommandsConfig {
    /// The Slack app's signing secret.
    pub signing_secret: SecretRef,
}
