//! [`WebhookGroupDocument`]: one document for a dispatcher message that groups several
//! notifications of one kind (one scope's runners, or one cause over several scopes), and the
//! one-line summary of a group shared with the PagerDuty summary.

use std::time::Duration;

use runner_monitor_core::{Message, Notification, NotificationKind, group_basis};
use serde::{Deserialize, Serialize};

use crate::document::{DOCUMENT_VERSION, IncidentState, WebhookDocument};
use crate::message::{human_duration, rfc3339};

/// Names in a summary line before "... and N more".
const SUMMARY_NAMES: usize = 10;

/// A grouped message as the webhook sends it: the common facts and every member's own
/// [`WebhookDocument`]. Receivers tell it from a single document by `members` being present;
/// `idempotency_key` (also the `Idempotency-Key` header) is the group's key, the same when the
/// same group is sent again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookGroupDocument {
    /// Document format version, [`DOCUMENT_VERSION`].
    pub version: u32,
    /// The members' kind (`outage_opened`, ...).
    pub kind: String,
    /// The group's key (derived from its members' idempotency keys).
    pub idempotency_key: String,
    /// What the members share: the scope id (runner kinds, `runners_removed`) or
    /// `cause:<failure class>` (monitoring kinds).
    pub group_by: String,
    /// The scope when every member has the same one; `null` for a group across scopes.
    pub scope: Option<String>,
    /// The members' scopes, each once, in order.
    pub scopes: Vec<String>,
    /// When the newest member was planned.
    pub at: String,
    /// `open` or `resolved`, as the members'.
    pub state: IncidentState,
    /// How many members.
    pub count: usize,
    /// One human-readable line, e.g. `24 runners of org:acme offline: rack1-01, ...`.
    pub message: String,
    /// Every member, in outbox order.
    pub members: Vec<WebhookDocument>,
}

impl WebhookGroupDocument {
    /// The document for `message` (two or more members make sense; one works too).
    pub fn from_message(message: &Message) -> Self {
        let members: Vec<WebhookDocument> = message
            .members
            .iter()
            .map(WebhookDocument::from_notification)
            .collect();
        let mut scopes: Vec<String> = Vec::new();
        for member in &message.members {
            let scope = member.scope.to_string();
            if !scopes.contains(&scope) {
                scopes.push(scope);
            }
        }
        let at = message.members.iter().map(|m| m.at).max().map(rfc3339);
        WebhookGroupDocument {
            version: DOCUMENT_VERSION,
            kind: message.kind_name().to_owned(),
            idempotency_key: message.key.clone(),
            group_by: message.members.first().map(group_basis).unwrap_or_default(),
            scope: (scopes.len() == 1).then(|| scopes[0].clone()),
            scopes,
            at: at.unwrap_or_default(),
            state: members.first().map_or(IncidentState::Open, |m| m.state),
            count: members.len(),
            message: summary(message),
            members,
        }
    }
}

/// One line for a group: `24 runners of org:acme offline: rack1-01, rack1-02, ... and 14
/// more`, `24 runners of org:acme back after 30m`, `20 scopes cannot be observed
/// (unauthorized): ...`.
pub(crate) fn summary(message: &Message) -> String {
    let members = &message.members;
    let Some(first) = members.first() else {
        return String::new();
    };
    let count = members.len();
    let scope = &first.scope;
    let head = match &first.kind {
        NotificationKind::OutageOpened { .. } => format!("{count} runners of {scope} offline"),
        NotificationKind::OutageReminder { .. } => format!(
            "{count} runners of {scope} still offline after {}",
            human_duration(longest(members))
        ),
        NotificationKind::OutageResolved { .. } => format!(
            "{count} runners of {scope} back after {}",
            human_duration(longest(members))
        ),
        NotificationKind::MonitoringDegraded { failure, .. } => format!(
            "{count} scopes cannot be observed ({}): {}",
            failure.class,
            failure.class.advice()
        ),
        NotificationKind::MonitoringRestored { .. } => format!(
            "Monitoring of {count} scopes is restored after {}",
            human_duration(longest(members))
        ),
        NotificationKind::RunnersRemoved { .. } => {
            format!("{} runners of {scope} removed", subjects(members).len())
        }
        _ => format!("{count} {} notifications", first.kind_name()),
    };
    let names = subjects(members);
    let mut shown: Vec<String> = names.iter().take(SUMMARY_NAMES).cloned().collect();
    if names.len() > SUMMARY_NAMES {
        shown.push(format!("... and {} more", names.len() - SUMMARY_NAMES));
    }
    format!("{head}: {}", shown.join(", "))
}

/// What each member is about: runner names (removal notices: every runner removed), or scopes.
fn subjects(members: &[Notification]) -> Vec<String> {
    members
        .iter()
        .flat_map(|n| match (&n.kind, n.runner()) {
            (NotificationKind::RunnersRemoved { runners, .. }, _) => {
                runners.iter().map(|r| r.name.clone()).collect()
            }
            (_, Some(runner)) => vec![runner.name.clone()],
            (_, None) => vec![n.scope.to_string()],
        })
        .collect()
}

/// The longest outage or degraded period among the members.
fn longest(members: &[Notification]) -> Duration {
    members
        .iter()
        .filter_map(|n| match &n.kind {
            NotificationKind::OutageResolved { duration, .. }
            | NotificationKind::MonitoringRestored { duration, .. } => Some(*duration),
            NotificationKind::OutageReminder { down_for, .. } => Some(*down_for),
            _ => None,
        })
        .max()
        .unwrap_or_default()
}
