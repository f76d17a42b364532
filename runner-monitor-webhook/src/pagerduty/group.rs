//! The events for a dispatcher message: a group of openings is ONE trigger whose `dedup_key` is
//! the group's; resolutions resolve each receipt they close (the group's incident ends when all
//! its runners are back), and members no receipt follows resolve their own incident.

use runner_monitor_core::{Message, NotificationKind};
use serde::Serialize;

use super::dedup::shorten;
use super::event::{Action, CLIENT, Event, EventSettings, MAX_SUMMARY_CHARS, Payload, event_for};
use super::{Severity, dedup_key};
use crate::group::summary;
use crate::message::{rfc3339, truncate_chars};

/// Runner or scope names listed in a group trigger's details.
const MAX_MEMBERS_LISTED: usize = 200;

/// The details of a group trigger, flat as PagerDuty shows them best.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct GroupDetails {
    kind: String,
    group_key: String,
    count: usize,
    scopes: Vec<String>,
    members: Vec<String>,
    incident_keys: Vec<String>,
}

/// The `dedup_key` a message's trigger uses (and its receipt's handle): the member's own for a
/// message of one, the group's key (shortened to PagerDuty's limit) for a group.
pub(crate) fn trigger_key(message: &Message) -> String {
    match message.members.as_slice() {
        [one] => dedup_key(one),
        _ => shorten(message.key.clone()),
    }
}

/// The events to send for `message`, in order; empty when nothing is due (a reminder, or a
/// resolution of some runners of a group whose others are still down).
pub(crate) fn events_for(message: &Message, settings: &EventSettings) -> Vec<Event> {
    let Some(first) = message.members.first() else {
        return Vec::new();
    };
    let closing = matches!(
        first.kind,
        NotificationKind::OutageResolved { .. } | NotificationKind::MonitoringRestored { .. }
    );
    if closing {
        let mut events: Vec<Event> = message
            .follows
            .iter()
            .filter(|receipt| receipt.closed_by(message))
            .map(|receipt| resolve(receipt.handle.clone()))
            .collect();
        // Members no receipt follows (opened before grouping, or a receipt that could not be
        // stored) resolve their own incident, as before grouping.
        for member in &message.members {
            let key = member.incident_key();
            if !message.follows.iter().any(|r| r.follows(&key)) {
                events.push(resolve(dedup_key(member)));
            }
        }
        return events;
    }
    match message.members.as_slice() {
        [one] => event_for(one, settings).into_iter().collect(),
        _ => group_trigger(message, settings).into_iter().collect(),
    }
}

fn resolve(dedup_key: String) -> Event {
    Event {
        event_action: Action::Resolve,
        dedup_key,
        client: None,
        payload: None,
    }
}

fn group_trigger(message: &Message, settings: &EventSettings) -> Option<Event> {
    let first = message.members.first()?;
    let severity = match &first.kind {
        NotificationKind::OutageOpened { .. } => settings.outage_severity,
        NotificationKind::MonitoringDegraded { .. } => settings.degraded_severity,
        NotificationKind::RunnersRemoved { .. } => Severity::Info,
        _ => return None,
    };
    let mut scopes: Vec<String> = Vec::new();
    for member in &message.members {
        let scope = member.scope.to_string();
        if !scopes.contains(&scope) {
            scopes.push(scope);
        }
    }
    let members = message
        .members
        .iter()
        .take(MAX_MEMBERS_LISTED)
        .map(|m| match m.runner() {
            Some(runner) => runner.name.clone(),
            None => m.scope.to_string(),
        })
        .collect();
    let details = GroupDetails {
        kind: message.kind_name().to_owned(),
        group_key: message.key.clone(),
        count: message.members.len(),
        scopes: scopes.clone(),
        members,
        incident_keys: message
            .members
            .iter()
            .take(MAX_MEMBERS_LISTED)
            .map(|m| m.incident_key())
            .collect(),
    };
    let at = message
        .members
        .iter()
        .map(|m| m.at)
        .max()
        .unwrap_or(first.at);
    Some(Event {
        event_action: Action::Trigger,
        dedup_key: trigger_key(message),
        client: Some(CLIENT),
        payload: Some(Payload::group(
            truncate_chars(&summary(message), MAX_SUMMARY_CHARS),
            settings.source.clone(),
            severity,
            rfc3339(at),
            truncate_chars(&scopes.join(", "), MAX_SUMMARY_CHARS),
            message.kind_name(),
            details,
        )),
    })
}
