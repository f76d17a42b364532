//! [`Notification`]: what happened, with everything a message needs and a stable idempotency key.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{FailureClass, Outage, PoolCount, RunnerStatus, Scope, SourceFailure, Timestamp};

/// The runner as it was when a notification was planned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunnerSnapshot {
    /// Name (identity).
    pub name: String,
    /// GitHub id.
    pub id: u64,
    /// Status at that moment.
    pub status: RunnerStatus,
    /// Running a job.
    pub busy: bool,
    /// Operating system.
    pub os: String,
    /// Label names.
    pub labels: Vec<String>,
    /// Ephemeral runner.
    pub ephemeral: bool,
}

/// What a notification reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
#[non_exhaustive]
pub enum NotificationKind {
    /// A runner has been unhealthy for longer than the policy allows.
    OutageOpened {
        /// The runner.
        runner: RunnerSnapshot,
        /// The outage as opened.
        outage: Outage,
    },
    /// An outage is still open (`remind_every`).
    OutageReminder {
        /// The runner.
        runner: RunnerSnapshot,
        /// The outage (with the reminder counted).
        outage: Outage,
        /// How long it has been down.
        #[serde(with = "humantime_serde")]
        down_for: Duration,
    },
    /// An outage ended.
    OutageResolved {
        /// The runner (with its new status; UNKNOWN when removed).
        runner: RunnerSnapshot,
        /// The outage as resolved.
        outage: Outage,
        /// How long it lasted.
        #[serde(with = "humantime_serde")]
        duration: Duration,
    },
    /// The scope could not be observed for longer than `source_alert_after`.
    MonitoringDegraded {
        /// Incident number, contiguous per scope from 1.
        incident: u64,
        /// Why.
        failure: SourceFailure,
        /// Since when observations have failed.
        since: Timestamp,
    },
    /// Observation works again after a degraded incident.
    MonitoringRestored {
        /// The incident that ended.
        incident: u64,
        /// When failures began.
        since: Timestamp,
        /// How long monitoring was degraded.
        #[serde(with = "humantime_serde")]
        duration: Duration,
        /// The class of the failure that raised the incident (groups restorations by cause);
        /// `None` in notifications stored before it was recorded.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cause: Option<FailureClass>,
    },
    /// Runners forgotten together, told once for the scope (not one outage per runner):
    /// - `deregistered: false`: listings lacked most of the scope's known runners for
    ///   `suspect_drop.accept_after` and the drop was accepted as real. Runners that had an open
    ///   outage also get their `outage_resolved`.
    /// - `deregistered: true` (`removed_runners = "notice"`): complete listings stopped showing
    ///   these runners (with no outage open), so they were deregistered on purpose.
    RunnersRemoved {
        /// The runners removed, in name order, as last listed.
        runners: Vec<RunnerSnapshot>,
        /// How many known runners the scope had before the drop.
        known: usize,
        /// Since when the listings lacked them (the first suspect listing), or for a
        /// deregistration the cycle that removed them.
        since: Timestamp,
        /// Deregistered runners (a routine notice) rather than an accepted suspect drop.
        #[serde(default)]
        deregistered: bool,
    },
    /// A runner opened `outages` outages within `window` (`flap_count` in `flap_window`): sent
    /// instead of the `outage_opened` that made it flap. Its outages are recorded but not told
    /// until it settles (`runner_stable`, or the `outage_opened` of the outage it settled in).
    RunnerFlapping {
        /// The runner (as it went down again).
        runner: RunnerSnapshot,
        /// The outage whose opening made it flap (recorded, not told).
        outage: u64,
        /// How many outages opened within the window, this one included.
        outages: u32,
        /// The window (`flap_window`).
        #[serde(with = "humantime_serde")]
        window: Duration,
        /// Since when it is flapping (this notification's `at`); the incident's id.
        since: Timestamp,
    },
    /// A flapping runner stayed healthy for `flap_settle`: stable again. Ends the incident of
    /// the `runner_flapping` with the same `since`.
    RunnerStable {
        /// The runner (healthy).
        runner: RunnerSnapshot,
        /// When it started flapping.
        since: Timestamp,
        /// How long it was flapping.
        #[serde(with = "humantime_serde")]
        duration: Duration,
    },
    /// A capacity pool (`[[policy.pools]]`) has been below its floor for its `for`: "Pool gpu:
    /// 1 of 4 online (minimum 2)". The notification's scope is the pool's (`pool:NAME`).
    PoolBelowFloor {
        /// The count that opened the outage.
        pool: PoolCount,
        /// The pool's outage as opened (its `runner` is the pool's name).
        outage: Outage,
    },
    /// A pool is back at or above its floor: "Pool gpu back: 3 of 4 online after 12 min".
    PoolRestored {
        /// The count that resolved the outage.
        pool: PoolCount,
        /// The outage as resolved.
        outage: Outage,
        /// How long it lasted.
        #[serde(with = "humantime_serde")]
        duration: Duration,
    },
    /// A pool's outage is still open `remind_every` after it opened (or after the last
    /// reminder), unacknowledged: "Pool gpu still below its floor after 4 h: 1 of 4 online
    /// (minimum 2)".
    PoolReminder {
        /// The count now.
        pool: PoolCount,
        /// The pool's outage (with the reminder counted).
        outage: Outage,
        /// How long the pool has been below its floor.
        #[serde(with = "humantime_serde")]
        down_for: Duration,
    },
}

/// One thing to tell people about, planned by the engine and delivered by notifiers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    /// The scope it concerns.
    pub scope: Scope,
    /// When it was planned (the cycle's `now`).
    pub at: Timestamp,
    /// What happened.
    #[serde(flatten)]
    pub kind: NotificationKind,
}

/// Defines [`Notification::kind_name`] and [`NOTIFICATION_KINDS`] from one table, so that no
/// kind can be missing from the list: `kind_name`'s `match` is exhaustive, so a new
/// [`NotificationKind`] variant does not compile until it has a row here, and its row is the
/// list's entry.
macro_rules! notification_kinds {
    ($($variant:ident => $name:literal),* $(,)?) => {
        /// Every notification kind, as [`Notification::kind_name`] spells it (and as routes
        /// (`[sinks.route] kinds`) name them), in declaration order.
        pub const NOTIFICATION_KINDS: &[&str] = &[$($name),*];

        /// The [`Notification::incident_key`] of outage `id` of `runner` in `scope`, or of the pool's
/// own outage when `scope` is a pool: what finds an outage's alert (its message receipt) from an
/// outage record.
///
/// # Examples
/// ```
/// # use runner_monitor_core::{outage_incident_key, Scope};
/// let scope: Scope = "acme/api".parse()?;
/// assert_eq!(outage_incident_key(&scope, "build-1", 3), "acme/api/runner:build-1/outage:3");
/// let pool: Scope = "pool:gpu".parse()?;
/// assert_eq!(outage_incident_key(&pool, "gpu", 1), "pool:gpu/pool/outage:1");
/// # Ok::<(), runner_monitor_core::ScopeParseError>(())
/// ```
pub fn outage_incident_key(scope: &Scope, runner: &str, id: u64) -> String {
    if scope.is_pool() {
        format!("{scope}/pool/outage:{id}")
    } else {
        format!("{scope}/runner:{runner}/outage:{id}")
    }
}

impl Notification {
            /// A short stable name of the kind (one of [`NOTIFICATION_KINDS`]): `outage_opened`,
            /// `outage_reminder`, `outage_resolved`, `monitoring_degraded`,
            /// `monitoring_restored`, `runners_removed`, `runner_flapping`, `runner_stable`,
            /// `pool_below_floor`, `pool_restored`, `pool_reminder`; the same as the JSON tag
            /// `kind`.
            pub fn kind_name(&self) -> &'static str {
                match &self.kind {
                    $(NotificationKind::$variant { .. } => $name,)*
                }
            }
        }
    };
}

notification_kinds! {
    OutageOpened => "outage_opened",
    OutageReminder => "outage_reminder",
    OutageResolved => "outage_resolved",
    MonitoringDegraded => "monitoring_degraded",
    MonitoringRestored => "monitoring_restored",
    RunnersRemoved => "runners_removed",
    RunnerFlapping => "runner_flapping",
    RunnerStable => "runner_stable",
    PoolBelowFloor => "pool_below_floor",
    PoolRestored => "pool_restored",
    PoolReminder => "pool_reminder",
}

impl Notification {
    /// What the notification is about within its scope: `runner:<name>`, `source`, `removal` or
    /// `pool`. Deliveries for one subject are sent in order.
    pub fn subject(&self) -> String {
        match (&self.kind, self.runner()) {
            (NotificationKind::RunnersRemoved { .. }, _) => "removal".to_owned(),
            (
                NotificationKind::PoolBelowFloor { .. }
                | NotificationKind::PoolRestored { .. }
                | NotificationKind::PoolReminder { .. },
                _,
            ) => "pool".to_owned(),
            (_, Some(runner)) => format!("runner:{}", runner.name),
            (_, None) => "source".to_owned(),
        }
    }

    /// The runner, for runner notifications.
    pub fn runner(&self) -> Option<&RunnerSnapshot> {
        match &self.kind {
            NotificationKind::OutageOpened { runner, .. }
            | NotificationKind::OutageReminder { runner, .. }
            | NotificationKind::OutageResolved { runner, .. }
            | NotificationKind::RunnerFlapping { runner, .. }
            | NotificationKind::RunnerStable { runner, .. } => Some(runner),
            _ => None,
        }
    }

    /// The outage, for runner and pool notifications.
    pub fn outage(&self) -> Option<&Outage> {
        match &self.kind {
            NotificationKind::OutageOpened { outage, .. }
            | NotificationKind::OutageReminder { outage, .. }
            | NotificationKind::OutageResolved { outage, .. }
            | NotificationKind::PoolBelowFloor { outage, .. }
            | NotificationKind::PoolRestored { outage, .. }
            | NotificationKind::PoolReminder { outage, .. } => Some(outage),
            _ => None,
        }
    }

    /// The incident (outage id, also for pools, degraded-incident number, or for
    /// `runners_removed`, `runner_flapping` and `runner_stable` the Unix seconds of its `since`)
    /// the notification belongs to.
    pub fn incident_id(&self) -> u64 {
        match &self.kind {
            NotificationKind::OutageOpened { outage, .. }
            | NotificationKind::OutageReminder { outage, .. }
            | NotificationKind::OutageResolved { outage, .. }
            | NotificationKind::PoolBelowFloor { outage, .. }
            | NotificationKind::PoolRestored { outage, .. }
            | NotificationKind::PoolReminder { outage, .. } => outage.id,
            NotificationKind::MonitoringDegraded { incident, .. }
            | NotificationKind::MonitoringRestored { incident, .. } => *incident,
            NotificationKind::RunnersRemoved { since, .. }
            | NotificationKind::RunnerFlapping { since, .. }
            | NotificationKind::RunnerStable { since, .. } => {
                u64::try_from(since.timestamp()).unwrap_or_default()
            }
        }
    }

    /// A key that identifies the incident across its notifications (`scope + subject + id`), e.g.
    /// `acme/api/runner:build-1/outage:3`, `org:acme/source/incident:2` or
    /// `org:acme/removal/since:1767225600`, `pool:gpu/pool/outage:1`, and for a flapping episode
    /// (its `runner_flapping` and `runner_stable`) `acme/api/runner:build-1/flapping:1767225600`;
    /// PagerDuty's `dedup_key` is built from it.
    pub fn incident_key(&self) -> String {
        let noun = match (&self.kind, self.runner()) {
            (NotificationKind::RunnersRemoved { .. }, _) => "since",
            (
                NotificationKind::RunnerFlapping { .. } | NotificationKind::RunnerStable { .. },
                _,
            ) => "flapping",
            (
                NotificationKind::PoolBelowFloor { .. }
                | NotificationKind::PoolRestored { .. }
                | NotificationKind::PoolReminder { .. },
                _,
            ) => "outage",
            (_, Some(_)) => "outage",
            (_, None) => "incident",
        };
        format!(
            "{}/{}/{}:{}",
            self.scope,
            self.subject(),
            noun,
            self.incident_id()
        )
    }

    /// A stable idempotency key (`scope + subject + id + kind`) that receivers can deduplicate on:
    /// the same notification redelivered after a crash has the same key.
    ///
    /// # Examples
    /// ```
    /// # use runner_monitor_core::*;
    /// # use chrono::{TimeZone, Utc};
    /// let at = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    /// let n = Notification {
    ///     scope: "acme/api".parse().unwrap(),
    ///     at,
    ///     kind: NotificationKind::MonitoringRestored {
    ///         incident: 2,
    ///         since: at,
    ///         duration: std::time::Duration::from_secs(60),
    ///         cause: None,
    ///     },
    /// };
    /// assert_eq!(n.idempotency_key(), "acme/api/source/incident:2/monitoring_restored");
    /// ```
    pub fn idempotency_key(&self) -> String {
        match &self.kind {
            NotificationKind::OutageReminder { outage, .. }
            | NotificationKind::PoolReminder { outage, .. } => {
                format!(
                    "{}/{}-{}",
                    self.incident_key(),
                    self.kind_name(),
                    outage.reminders
                )
            }
            _ => format!("{}/{}", self.incident_key(), self.kind_name()),
        }
    }
}
