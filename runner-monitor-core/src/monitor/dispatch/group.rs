//! The grouping rule: which of one sink's claimed deliveries go out as one message.
//!
//! Deliveries of the same kind group when they share a scope (runner outages: opened, reminder,
//! resolved; removal notices) or a cause (monitoring degraded/restored with the same failure
//! class, across scopes: one expired credential over 20 repositories is one message). Other
//! kinds go alone. Groups keep the claim's order (scope, then sequence) for their members and
//! are ordered by their first member. The claim holds at most one delivery per queue (heads
//! only), so grouping never reorders a runner's own notifications: its `resolved` is claimed
//! only once its `opened` is settled.

use std::collections::HashMap;

use crate::model::{Delivery, group_basis};

/// Kinds that group; any other kind is sent alone.
const GROUPED_KINDS: [&str; 6] = [
    "outage_opened",
    "outage_reminder",
    "outage_resolved",
    "runners_removed",
    "monitoring_degraded",
    "monitoring_restored",
];

/// What `delivery` groups by (its kind and scope or cause); `None` for a kind sent alone.
pub(super) fn key(delivery: &Delivery) -> Option<(&'static str, String)> {
    let kind = delivery.notification.kind_name();
    GROUPED_KINDS
        .contains(&kind)
        .then(|| (kind, group_basis(&delivery.notification)))
}

/// Splits one sink's claimed deliveries (in claim order) into messages. With `enabled` false
/// every delivery is its own message.
pub(super) fn groups<'a>(queue: &[&'a Delivery], enabled: bool) -> Vec<Vec<&'a Delivery>> {
    let mut groups: Vec<Vec<&Delivery>> = Vec::new();
    let mut index: HashMap<(&'static str, String), usize> = HashMap::new();
    for &delivery in queue {
        let Some(key) = key(delivery).filter(|_| enabled) else {
            groups.push(vec![delivery]);
            continue;
        };
        match index.get(&key) {
            Some(&at) => groups[at].push(delivery),
            None => {
                index.insert(key, groups.len());
                groups.push(vec![delivery]);
            }
        }
    }
    groups
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::model::{
        DeliveryId, FailureClass, Notification, NotificationKind, Outage, RunnerSnapshot,
        RunnerStatus, Scope, SourceFailure, Timestamp,
    };

    fn at(secs: i64) -> Timestamp {
        chrono::DateTime::from_timestamp(secs, 0).unwrap_or_default()
    }

    fn outage(runner: &str) -> Outage {
        Outage {
            runner: runner.into(),
            id: 1,
            runner_id: 1,
            trigger: RunnerStatus::Offline,
            started_at: at(0),
            resolved_at: None,
            resolution: None,
            description: String::new(),
            reminders: 0,
            last_reminded_at: None,
            acknowledged: None,
        }
    }

    fn snapshot(runner: &str) -> RunnerSnapshot {
        RunnerSnapshot {
            name: runner.into(),
            id: 1,
            status: RunnerStatus::Offline,
            busy: false,
            os: "Linux".into(),
            labels: Vec::new(),
            ephemeral: false,
        }
    }

    /// `what`: `o` opened, `r` resolved, `d:<class>` degraded, `s:<class>` restored.
    fn delivery(seq: u64, scope: &str, what: &str, runner: &str) -> Delivery {
        let failure = |class: &str| SourceFailure {
            class: if class == "unauthorized" {
                FailureClass::Unauthorized
            } else {
                FailureClass::RateLimited
            },
            message: String::new(),
        };
        let kind = match what.split_once(':') {
            Some(("d", class)) => NotificationKind::MonitoringDegraded {
                incident: 1,
                failure: failure(class),
                since: at(0),
            },
            Some(("s", class)) => NotificationKind::MonitoringRestored {
                incident: 1,
                since: at(0),
                duration: Duration::from_secs(60),
                cause: Some(failure(class).class),
            },
            _ if what == "o" => NotificationKind::OutageOpened {
                runner: snapshot(runner),
                outage: outage(runner),
            },
            _ => NotificationKind::OutageResolved {
                runner: snapshot(runner),
                outage: outage(runner),
                duration: Duration::from_secs(60),
            },
        };
        let scope: Scope = scope.parse().unwrap_or_else(|_| Scope::org("bad"));
        Delivery {
            id: DeliveryId {
                scope: scope.clone(),
                seq,
            },
            sink: "slack".into(),
            notification: Notification {
                scope,
                at: at(0),
                kind,
            },
            created_at: at(0),
            attempts: 0,
            next_attempt_at: at(0),
            last_error: None,
            claim: None,
        }
    }

    fn shape(queue: &[Delivery], enabled: bool) -> Vec<Vec<u64>> {
        let refs: Vec<&Delivery> = queue.iter().collect();
        groups(&refs, enabled)
            .iter()
            .map(|g| g.iter().map(|d| d.id.seq).collect())
            .collect()
    }

    #[test]
    fn table() {
        type Case = (&'static str, Vec<Delivery>, bool, Vec<Vec<u64>>);
        let cases: Vec<Case> = vec![
            (
                "one scope's opened form one message",
                vec![
                    delivery(1, "org:acme", "o", "a"),
                    delivery(2, "org:acme", "o", "b"),
                    delivery(3, "org:acme", "o", "c"),
                ],
                true,
                vec![vec![1, 2, 3]],
            ),
            (
                "kinds do not mix; groups ordered by their first member",
                vec![
                    delivery(1, "org:acme", "o", "a"),
                    delivery(2, "org:acme", "r", "b"),
                    delivery(3, "org:acme", "o", "c"),
                ],
                true,
                vec![vec![1, 3], vec![2]],
            ),
            (
                "runner outages of different scopes do not mix",
                vec![
                    delivery(1, "org:acme", "o", "a"),
                    delivery(1, "org:other", "o", "a"),
                ],
                true,
                vec![vec![1], vec![1]],
            ),
            (
                "one cause across scopes is one message; another cause is another",
                vec![
                    delivery(1, "acme/a", "d:unauthorized", ""),
                    delivery(1, "acme/b", "d:unauthorized", ""),
                    delivery(1, "acme/c", "d:rate_limited", ""),
                    delivery(2, "acme/d", "s:unauthorized", ""),
                    delivery(2, "acme/e", "s:unauthorized", ""),
                ],
                true,
                vec![vec![1, 1], vec![1], vec![2, 2]],
            ),
            (
                "group_wait 0: every delivery alone",
                vec![
                    delivery(1, "org:acme", "o", "a"),
                    delivery(2, "org:acme", "o", "b"),
                ],
                false,
                vec![vec![1], vec![2]],
            ),
        ];
        for (name, queue, enabled, expected) in cases {
            assert_eq!(shape(&queue, enabled), expected, "{name}");
        }
    }
}
