//! [`WebhookDocument`]: the versioned JSON document the webhook notifier POSTs.
//!
//! These structs are the wire contract, independent of the core model's own serde: version 1
//! only ever gains fields; a rename, removal or change of meaning bumps [`DOCUMENT_VERSION`].

use runner_monitor_core::{
    Notification, NotificationKind, Resolution, RunnerSnapshot, RunnerStatus, SourceFailure,
    Timestamp,
};
use serde::{Deserialize, Serialize};

use crate::message::{one_line, rfc3339};

/// The `version` of documents this crate sends.
pub const DOCUMENT_VERSION: u32 = 1;

/// Whether the incident a document belongs to is still going on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IncidentState {
    /// Outage opened, reminder, monitoring degraded.
    Open,
    /// Outage resolved, monitoring restored, runners removed (a notice), runner stable, pool
    /// restored.
    Resolved,
}

/// One notification as the webhook sends it. Every field is documented in the README; timestamps
/// are RFC 3339 UTC strings with whole seconds (`2026-01-01T00:00:00Z`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookDocument {
    /// Document format version, [`DOCUMENT_VERSION`].
    pub version: u32,
    /// `outage_opened`, `outage_reminder`, `outage_resolved`, `monitoring_degraded`,
    /// `monitoring_restored`, `runners_removed`, `runner_flapping`, `runner_stable`,
    /// `pool_below_floor` or `pool_restored` (more may be added).
    pub kind: String,
    /// Same for every redelivery of this notification; also sent as the `Idempotency-Key` header.
    pub idempotency_key: String,
    /// Same for every notification of one incident (opened, reminders, resolved).
    pub incident_key: String,
    /// Scope id: `owner/name`, `org:NAME`, `enterprise:SLUG` or `pool:NAME`.
    pub scope: String,
    /// `repo`, `org`, `enterprise` or `pool`.
    pub scope_kind: String,
    /// `runner:<name>`, `source`, `removal` or `pool`.
    pub subject: String,
    /// When runner-monitor planned the notification.
    pub at: String,
    /// `open` or `resolved` (`runners_removed` is a notice: `resolved`; `runner_flapping` is
    /// `open` until its `runner_stable`).
    pub state: IncidentState,
    /// Outage id (runner kinds), monitoring incident number (monitoring kinds), or the Unix
    /// seconds of `removal.since` (`runners_removed`) or `flapping.since` (flapping kinds).
    pub incident_id: u64,
    /// The runner's status at `at` (`online`, `offline`, `busy`, `unknown`, `idle`); `null` for
    /// monitoring kinds.
    pub status: Option<String>,
    /// When the runner became unhealthy, or when observations began to fail.
    pub started_at: String,
    /// When the incident ended; `null` while open.
    pub resolved_at: Option<String>,
    /// How long the incident has lasted as of `at` (its full length once resolved).
    pub duration_seconds: u64,
    /// One human-readable line.
    pub message: String,
    /// The runner, for runner kinds.
    pub runner: Option<RunnerInfo>,
    /// The outage, for runner kinds.
    pub outage: Option<OutageInfo>,
    /// The monitoring incident, for monitoring kinds.
    pub monitoring: Option<MonitoringInfo>,
    /// The runners removed together, for `runners_removed`; absent for other kinds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub removal: Option<RemovalInfo>,
    /// The flapping episode, for `runner_flapping` and `runner_stable`; absent for other kinds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flapping: Option<FlappingInfo>,
    /// The pool's count, for `pool_below_floor` and `pool_restored` (whose `outage` is the
    /// pool's); absent for other kinds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pool: Option<PoolInfo>,
}

/// A flapping episode: the runner opened `outages` outages within `window_seconds`; its outage
/// messages are held from `runner_flapping` until `runner_stable` (or, if it settles down, the
/// `outage_opened` of the outage it stayed down in).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlappingInfo {
    /// When it started flapping (also `started_at`).
    pub since: String,
    /// Outages opened within the window (`runner_flapping` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outages: Option<u32>,
    /// The window, `flap_window` (`runner_flapping` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_seconds: Option<u64>,
    /// The outage whose opening made it flap (recorded, not alerted; `runner_flapping` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outage_id: Option<u64>,
}

/// A capacity pool's count when a pool notification was planned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolInfo {
    /// The pool's name (the scope is `pool:NAME`).
    pub name: String,
    /// `online` or `idle`: what the floor counts.
    pub measure: String,
    /// Members counted (online or idle).
    pub count: usize,
    /// Members known (carrying every label of the pool).
    pub total: usize,
    /// The floor.
    pub minimum: usize,
    /// The labels a member carries.
    pub labels: Vec<String>,
}

/// Runners accepted as removed after listings lacked them for `suspect_drop.accept_after`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemovalInfo {
    /// How many known runners the scope had before the drop.
    pub known: usize,
    /// Since when the listings lacked them (also `started_at`).
    pub since: String,
    /// The runners removed, in name order, as last listed.
    pub runners: Vec<RunnerInfo>,
    /// `true` when GitHub stopped listing them (deregistered on purpose, a routine notice);
    /// absent for an accepted suspect drop.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deregistered: bool,
}

/// The runner a runner notification is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunnerInfo {
    /// Name (its identity within the scope).
    pub name: String,
    /// Current GitHub id.
    pub id: u64,
    /// Status at `at`, as the top-level `status`.
    pub status: String,
    /// Running a job.
    pub busy: bool,
    /// Operating system as GitHub reports it.
    pub os: String,
    /// Label names.
    pub labels: Vec<String>,
    /// Ephemeral runner.
    pub ephemeral: bool,
}

/// The outage a runner notification is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutageInfo {
    /// Contiguous per runner from 1 (same as `incident_id`).
    pub id: u64,
    /// The unhealthy status that opened it: `offline` or `unknown` (absent from the listing).
    pub trigger: String,
    /// Human description, e.g. `Runner build-1 entered Offline state`.
    pub description: String,
    /// Reminders sent so far.
    pub reminders: u32,
    /// `recovered` or `removed` once resolved; `null` while open.
    pub resolution: Option<String>,
}

/// The monitoring incident a monitoring notification is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonitoringInfo {
    /// Incident number, contiguous per scope from 1 (same as `incident_id`).
    pub incident: u64,
    /// Why observations fail (`monitoring_degraded` only; `null` on `monitoring_restored`).
    pub failure: Option<FailureInfo>,
}

/// Why a scope cannot be observed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailureInfo {
    /// `unauthorized`, `forbidden`, `not_found`, `rate_limited`, `unavailable`,
    /// `invalid_response` or `incomplete` (more may be added).
    pub class: String,
    /// What went wrong (free of secrets).
    pub message: String,
    /// What to do about it, one sentence.
    pub advice: String,
}

/// The stable wire name of a runner status.
pub(crate) fn status_name(status: RunnerStatus) -> &'static str {
    match status {
        RunnerStatus::Online => "online",
        RunnerStatus::Offline => "offline",
        RunnerStatus::Busy => "busy",
        RunnerStatus::Unknown => "unknown",
        RunnerStatus::Idle => "idle",
    }
}

fn resolution_name(resolution: Resolution) -> &'static str {
    match resolution {
        Resolution::Recovered(_) => "recovered",
        Resolution::Removed => "removed",
    }
}

fn runner_info(runner: &RunnerSnapshot) -> RunnerInfo {
    RunnerInfo {
        name: runner.name.clone(),
        id: runner.id,
        status: status_name(runner.status).to_owned(),
        busy: runner.busy,
        os: runner.os.clone(),
        labels: runner.labels.clone(),
        ephemeral: runner.ephemeral,
    }
}

fn failure_info(failure: &SourceFailure) -> FailureInfo {
    FailureInfo {
        class: failure.class.as_str().to_owned(),
        message: failure.message.clone(),
        advice: failure.class.advice().to_owned(),
    }
}

/// `(started_at, resolved_at, duration)` of the incident.
fn timing(n: &Notification) -> (Timestamp, Option<Timestamp>, std::time::Duration) {
    let span = |start: Timestamp| (n.at - start).to_std().unwrap_or_default();
    match &n.kind {
        NotificationKind::OutageReminder {
            outage, down_for, ..
        } => (outage.started_at, None, *down_for),
        NotificationKind::OutageResolved {
            outage, duration, ..
        } => (
            outage.started_at,
            outage.resolved_at.or(Some(n.at)),
            *duration,
        ),
        NotificationKind::MonitoringDegraded { since, .. } => (*since, None, span(*since)),
        NotificationKind::MonitoringRestored {
            since, duration, ..
        } => {
            let end = chrono::Duration::from_std(*duration)
                .ok()
                .and_then(|d| since.checked_add_signed(d))
                .unwrap_or(n.at);
            (*since, Some(end), *duration)
        }
        NotificationKind::RunnersRemoved { since, .. } => (*since, Some(n.at), span(*since)),
        NotificationKind::RunnerFlapping { since, .. } => (*since, None, span(*since)),
        NotificationKind::RunnerStable {
            since, duration, ..
        } => (*since, Some(n.at), *duration),
        _ => match n.outage() {
            Some(outage) => (outage.started_at, outage.resolved_at, outage.duration(n.at)),
            None => (n.at, None, std::time::Duration::ZERO),
        },
    }
}

impl WebhookDocument {
    /// The document for a notification.
    pub fn from_notification(n: &Notification) -> Self {
        let (started_at, resolved_at, duration) = timing(n);
        let state = match &n.kind {
            NotificationKind::OutageResolved { .. }
            | NotificationKind::MonitoringRestored { .. }
            | NotificationKind::RunnersRemoved { .. }
            | NotificationKind::RunnerStable { .. } => IncidentState::Resolved,
            NotificationKind::PoolRestored { .. } => IncidentState::Resolved,
            _ => IncidentState::Open,
        };
        let monitoring = match &n.kind {
            NotificationKind::MonitoringDegraded {
                incident, failure, ..
            } => Some(MonitoringInfo {
                incident: *incident,
                failure: Some(failure_info(failure)),
            }),
            NotificationKind::MonitoringRestored { incident, .. } => Some(MonitoringInfo {
                incident: *incident,
                failure: None,
            }),
            _ => None,
        };
        let runner = n.runner().map(runner_info);
        let removal = match &n.kind {
            NotificationKind::RunnersRemoved {
                runners,
                known,
                since,
                deregistered,
            } => Some(RemovalInfo {
                known: *known,
                since: rfc3339(*since),
                deregistered: *deregistered,
                runners: runners.iter().map(runner_info).collect(),
            }),
            _ => None,
        };
        let flapping = match &n.kind {
            NotificationKind::RunnerFlapping {
                outage,
                outages,
                window,
                since,
                ..
            } => Some(FlappingInfo {
                since: rfc3339(*since),
                outages: Some(*outages),
                window_seconds: Some(window.as_secs()),
                outage_id: Some(*outage),
            }),
            NotificationKind::RunnerStable { since, .. } => Some(FlappingInfo {
                since: rfc3339(*since),
                outages: None,
                window_seconds: None,
                outage_id: None,
            }),
            _ => None,
        };
        let pool = match &n.kind {
            NotificationKind::PoolBelowFloor { pool, .. }
            | NotificationKind::PoolReminder { pool, .. }
            | NotificationKind::PoolRestored { pool, .. } => Some(PoolInfo {
                name: pool.name.clone(),
                measure: pool.measure.as_str().to_owned(),
                count: pool.count,
                total: pool.total,
                minimum: pool.minimum,
                labels: pool.labels.clone(),
            }),
            _ => None,
        };
        WebhookDocument {
            version: DOCUMENT_VERSION,
            kind: n.kind_name().to_owned(),
            idempotency_key: n.idempotency_key(),
            incident_key: n.incident_key(),
            scope: n.scope.to_string(),
            scope_kind: n.scope.kind().to_owned(),
            subject: n.subject(),
            at: rfc3339(n.at),
            state,
            incident_id: n.incident_id(),
            status: runner.as_ref().map(|r| r.status.clone()),
            started_at: rfc3339(started_at),
            resolved_at: resolved_at.map(rfc3339),
            duration_seconds: duration.as_secs(),
            message: one_line(n),
            runner,
            outage: n.outage().map(|o| OutageInfo {
                id: o.id,
                trigger: status_name(o.trigger).to_owned(),
                description: o.description.clone(),
                reminders: o.reminders,
                resolution: o.resolution.map(|r| resolution_name(r).to_owned()),
            }),
            monitoring,
            removal,
            flapping,
            pool,
        }
    }
}
