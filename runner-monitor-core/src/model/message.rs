//! [`Message`]: what one sink receives in one send: one notification, or a group of
//! notifications of one kind that share a scope or a cause (the dispatcher's grouping rule), and
//! the [`MessageReceipt`]s a sink keeps to follow a group up (PagerDuty resolves a grouped
//! incident when all its runners are back; Slack bot mode updates the group's message).

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{Notification, NotificationKind, Timestamp};

/// One message to one sink: its members (at least one, all of the same kind, in outbox order)
/// and a stable key.
///
/// The key of a message with one member is that member's idempotency key (what receivers saw
/// before grouping); a group's key is `group:<kind>/<basis>/<digest>`, the digest taken over
/// the members' idempotency keys, sorted: the same members give the same key, so a group
/// re-sent after a crash carries the key it had, and receivers can deduplicate on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// The stable key (see the type's documentation).
    pub key: String,
    /// The notifications it carries, in outbox order.
    pub members: Vec<Notification>,
    /// For sinks that keep receipts ([`Notifier::keeps_receipts`](crate::Notifier::keeps_receipts)):
    /// the earlier messages whose members this message follows up (e.g. the grouped `opened` a
    /// `resolved` belongs to), as stored before this message ([`MessageReceipt::closed_by`]
    /// says whether this message ends one). Empty for other sinks and for opening kinds.
    #[serde(default)]
    pub follows: Vec<MessageReceipt>,
}

impl Message {
    /// A message for `members` (of one kind), with its key.
    ///
    /// # Examples
    /// ```
    /// # use runner_monitor_core::*;
    /// # use chrono::{TimeZone, Utc};
    /// let at = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    /// let restored = |scope: &str| Notification {
    ///     scope: scope.parse().unwrap(),
    ///     at,
    ///     kind: NotificationKind::MonitoringRestored {
    ///         incident: 1, since: at, duration: std::time::Duration::from_secs(60), cause: None,
    ///     },
    /// };
    /// let one = Message::new(vec![restored("acme/api")]);
    /// assert_eq!(one.key, "acme/api/source/incident:1/monitoring_restored");
    /// let two = Message::new(vec![restored("acme/api"), restored("acme/web")]);
    /// let again = Message::new(vec![restored("acme/web"), restored("acme/api")]);
    /// assert_eq!(two.key, again.key, "the key depends on the members, not their order");
    /// assert!(two.key.starts_with("group:monitoring_restored/"));
    /// ```
    pub fn new(members: Vec<Notification>) -> Self {
        let key = match members.as_slice() {
            [one] => one.idempotency_key(),
            _ => group_key(&members),
        };
        Message {
            key,
            members,
            follows: Vec::new(),
        }
    }

    /// The kind of its members (`outage_opened`, ...); empty for a message without members.
    pub fn kind_name(&self) -> &'static str {
        self.members.first().map_or("", Notification::kind_name)
    }

    /// Whether it carries more than one notification.
    pub fn is_group(&self) -> bool {
        self.members.len() > 1
    }

    /// The incident keys of its members ([`Notification::incident_key`]), in order.
    pub fn member_keys(&self) -> Vec<String> {
        self.members
            .iter()
            .map(Notification::incident_key)
            .collect()
    }
}

/// What a group is about besides its kind: the scope for runner notifications and removal
/// notices, the failure class for degraded/restored (one cause across scopes).
pub fn group_basis(notification: &Notification) -> String {
    match &notification.kind {
        NotificationKind::MonitoringDegraded { failure, .. } => {
            format!("cause:{}", failure.class)
        }
        NotificationKind::MonitoringRestored { cause, .. } => match cause {
            Some(class) => format!("cause:{class}"),
            None => "cause:unknown".to_owned(),
        },
        _ => notification.scope.to_string(),
    }
}

fn group_key(members: &[Notification]) -> String {
    let mut keys: Vec<String> = members.iter().map(Notification::idempotency_key).collect();
    keys.sort_unstable();
    let mut hasher = Sha256::new();
    for key in &keys {
        hasher.update(key.as_bytes());
        hasher.update(b"\n");
    }
    let digest = hasher.finalize();
    let short: String = digest.iter().take(12).map(|b| format!("{b:02x}")).collect();
    let (kind, basis) = members
        .first()
        .map(|m| (m.kind_name(), group_basis(m)))
        .unwrap_or_default();
    format!("group:{kind}/{basis}/{short}")
}

/// Kinds whose message starts a [`MessageReceipt`] (an alert a sink may follow up).
pub const OPENING_KINDS: [&str; 4] = [
    "outage_opened",
    "monitoring_degraded",
    "runner_flapping",
    "pool_below_floor",
];
/// Kinds whose members close what a receipt holds open (each the end of an opening kind).
pub const CLOSING_KINDS: [&str; 4] = [
    "outage_resolved",
    "monitoring_restored",
    "runner_stable",
    "pool_restored",
];
/// Kinds that refer to an earlier message without closing it.
pub const REFERRING_KINDS: [&str; 2] = ["outage_reminder", "pool_reminder"];

/// What a sink keeps about a message it sent, to follow it up: the message's key, the incident
/// keys of its members still open, and a free-form `handle` the sink chose (PagerDuty: the
/// incident's `dedup_key`; Slack bot mode: channel and `ts` of the posted message).
///
/// Written by the dispatcher after a successful send to a sink that keeps receipts; its `open`
/// members shrink as their resolutions are sent, and it is deleted when none is left.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageReceipt {
    /// The sink's configured name.
    pub sink: String,
    /// The message's key ([`Message::key`]).
    pub key: String,
    /// Incident keys of its members not yet resolved, sorted.
    pub open: Vec<String>,
    /// What the sink needs to refer to the message again.
    pub handle: String,
    /// When the message was sent.
    pub sent_at: Timestamp,
}

impl MessageReceipt {
    /// Whether every member it followed has been resolved.
    pub fn is_closed(&self) -> bool {
        self.open.is_empty()
    }

    /// Whether `message` resolves every member still open here: it is of a closing kind
    /// ([`CLOSING_KINDS`]: `outage_resolved`, `monitoring_restored`, `runner_stable`,
    /// `pool_restored`) and its members' incident keys cover [`open`](Self::open).
    pub fn closed_by(&self, message: &Message) -> bool {
        let closing = CLOSING_KINDS.contains(&message.kind_name());
        let keys = message.member_keys();
        closing && self.open.iter().all(|key| keys.contains(key))
    }

    /// Whether it holds the incident `key` open.
    pub fn follows(&self, key: &str) -> bool {
        self.open.iter().any(|open| open == key)
    }
}
