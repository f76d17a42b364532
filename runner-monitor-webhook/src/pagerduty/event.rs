//! The Events API v2 event for a notification (without the routing key, which the notifier adds
//! when it serializes the request).

use runner_monitor_core::{Notification, NotificationKind};
use serde::Serialize;

use super::group::GroupDetails;
use super::{Severity, dedup_key};
use crate::WebhookDocument;
use crate::message::{one_line, truncate_chars};

/// PagerDuty's limit on `payload.summary`.
pub(crate) const MAX_SUMMARY_CHARS: usize = 1024;

/// `client` on triggers: shown in PagerDuty as the sender.
pub(crate) const CLIENT: &str = "runner-monitor";

/// What the notifier is configured with that shapes events.
#[derive(Debug, Clone)]
pub(crate) struct EventSettings {
    pub(crate) source: String,
    pub(crate) outage_severity: Severity,
    pub(crate) degraded_severity: Severity,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Action {
    Trigger,
    Resolve,
}

/// One event, as sent after the `routing_key`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Event {
    pub(crate) event_action: Action,
    pub(crate) dedup_key: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) client: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) payload: Option<Payload>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct Payload {
    summary: String,
    source: String,
    severity: Severity,
    timestamp: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    component: Option<String>,
    group: String,
    class: &'static str,
    custom_details: Details,
}

/// One notification's details, or a group's.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
enum Details {
    One(Box<CustomDetails>),
    Group(Box<GroupDetails>),
}

impl Payload {
    /// The payload of a group trigger.
    pub(crate) fn group(
        summary: String,
        source: String,
        severity: Severity,
        timestamp: String,
        group: String,
        class: &'static str,
        details: GroupDetails,
    ) -> Self {
        Payload {
            summary,
            source,
            severity,
            timestamp,
            component: None,
            group,
            class,
            custom_details: Details::Group(Box::new(details)),
        }
    }
}

/// A flat table, the way PagerDuty displays custom details best.
#[derive(Debug, Clone, Serialize)]
struct CustomDetails {
    kind: String,
    scope: String,
    incident_key: String,
    idempotency_key: String,
    started_at: String,
    duration_seconds: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    runner: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    runner_id: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    os: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    labels: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    outage_id: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    incident: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    failure_class: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    failure_message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    advice: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    known_runners: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    runners_removed: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    flapping_since: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    flapping_outages: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    flapping_window_seconds: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pool: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pool_measure: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pool_count: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pool_total: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pool_minimum: Option<usize>,
}

fn custom_details(doc: WebhookDocument) -> CustomDetails {
    let failure = doc.monitoring.as_ref().and_then(|m| m.failure.clone());
    let known_runners = doc.removal.as_ref().map(|r| r.known);
    let runners_removed = doc
        .removal
        .map(|r| r.runners.into_iter().map(|r| r.name).collect());
    let flapping = doc.flapping;
    let pool = doc.pool;
    let labels = doc
        .runner
        .as_ref()
        .map(|r| r.labels.clone())
        .or_else(|| pool.as_ref().map(|p| p.labels.clone()));
    CustomDetails {
        kind: doc.kind,
        scope: doc.scope,
        incident_key: doc.incident_key,
        idempotency_key: doc.idempotency_key,
        started_at: doc.started_at,
        duration_seconds: doc.duration_seconds,
        runner_id: doc.runner.as_ref().map(|r| r.id),
        os: doc.runner.as_ref().map(|r| r.os.clone()),
        labels,
        runner: doc.runner.map(|r| r.name),
        status: doc.status,
        outage_id: doc.outage.as_ref().map(|o| o.id),
        description: doc.outage.map(|o| o.description),
        incident: doc.monitoring.map(|m| m.incident),
        failure_class: failure.as_ref().map(|f| f.class.clone()),
        failure_message: failure.as_ref().map(|f| f.message.clone()),
        advice: failure.map(|f| f.advice),
        known_runners,
        runners_removed,
        flapping_outages: flapping.as_ref().and_then(|f| f.outages),
        flapping_window_seconds: flapping.as_ref().and_then(|f| f.window_seconds),
        flapping_since: flapping.map(|f| f.since),
        pool_measure: pool.as_ref().map(|p| p.measure.clone()),
        pool_count: pool.as_ref().map(|p| p.count),
        pool_total: pool.as_ref().map(|p| p.total),
        pool_minimum: pool.as_ref().map(|p| p.minimum),
        pool: pool.map(|p| p.name),
    }
}

/// The event for a notification: a trigger for `outage_opened` and `monitoring_degraded`, a
/// resolve (no payload: PagerDuty ignores it) for `outage_resolved` and `monitoring_restored`,
/// an `info` trigger for `runners_removed` (a notice with its own `dedup_key`; nothing resolves
/// it), a `warning` trigger for `runner_flapping` resolved by its `runner_stable` (one flapping
/// alert per runner, see [`dedup_key`]), and `None` for reminders and kinds this version does not
/// it), a trigger (outage severity) for `pool_below_floor` resolved by its `pool_restored`
/// (one `dedup_key` per pool outage), and `None` for reminders and kinds this version does not
/// know, which are not sent.
pub(crate) fn event_for(n: &Notification, settings: &EventSettings) -> Option<Event> {
    let severity = match &n.kind {
        NotificationKind::OutageOpened { .. } | NotificationKind::PoolBelowFloor { .. } => {
            settings.outage_severity
        }
        NotificationKind::MonitoringDegraded { .. } => settings.degraded_severity,
        NotificationKind::RunnersRemoved { .. } => Severity::Info,
        NotificationKind::RunnerFlapping { .. } => Severity::Warning,
        NotificationKind::OutageResolved { .. }
        | NotificationKind::MonitoringRestored { .. }
        | NotificationKind::RunnerStable { .. }
        | NotificationKind::PoolRestored { .. } => {
            return Some(Event {
                event_action: Action::Resolve,
                dedup_key: dedup_key(n),
                client: None,
                payload: None,
            });
        }
        _ => return None,
    };
    let doc = WebhookDocument::from_notification(n);
    let payload = Payload {
        summary: truncate_chars(&one_line(n), MAX_SUMMARY_CHARS),
        source: settings.source.clone(),
        severity,
        timestamp: doc.at.clone(),
        component: n
            .runner()
            .map(|r| r.name.clone())
            .or_else(|| match &n.kind {
                NotificationKind::PoolBelowFloor { pool, .. } => Some(pool.name.clone()),
                _ => None,
            }),
        group: n.scope.to_string(),
        class: n.kind_name(),
        custom_details: Details::One(Box::new(custom_details(doc))),
    };
    Some(Event {
        event_action: Action::Trigger,
        dedup_key: dedup_key(n),
        client: Some(CLIENT),
        payload: Some(payload),
    })
}
