//! Small builders for tests.

use chrono::{TimeZone, Utc};

use crate::model::{
    ListedStatus, Notification, NotificationKind, ObservedRunner, Outage, RunnerRecord,
    RunnerStatus, Scope, Timestamp,
};

/// 2026-01-01T00:00:00Z plus `seconds`.
pub fn at(seconds: i64) -> Timestamp {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .expect("valid base time")
        + chrono::Duration::seconds(seconds)
}

/// A listed runner with GitHub id `id`.
pub fn observed(name: &str, id: u64, online: bool, busy: bool) -> ObservedRunner {
    ObservedRunner {
        id,
        name: name.to_owned(),
        os: "linux".to_owned(),
        status: if online {
            ListedStatus::Online
        } else {
            ListedStatus::Offline
        },
        busy,
        labels: vec!["self-hosted".to_owned(), "linux".to_owned()],
        ephemeral: false,
        group_id: Some(1),
    }
}

/// A stored runner record, first seen at `seen`.
pub fn runner_record(name: &str, id: u64, status: RunnerStatus, seen: Timestamp) -> RunnerRecord {
    RunnerRecord {
        name: name.to_owned(),
        id,
        previous_ids: Vec::new(),
        status,
        busy: status == RunnerStatus::Busy,
        os: "linux".to_owned(),
        labels: vec!["self-hosted".to_owned()],
        ephemeral: false,
        group_id: None,
        first_seen_at: seen,
        last_seen_at: seen,
        since: seen,
        ever_healthy: true,
        flap_opens: Vec::new(),
        flapping_since: None,
    }
}

/// An open outage of `runner` with `id`, started at `started`.
pub fn outage(runner: &str, id: u64, started: Timestamp) -> Outage {
    Outage {
        runner: runner.to_owned(),
        id,
        runner_id: 7,
        trigger: RunnerStatus::Offline,
        started_at: started,
        resolved_at: None,
        resolution: None,
        description: format!("Runner {runner} entered Offline state"),
        reminders: 0,
        last_reminded_at: None,
        acknowledged: None,
    }
}

/// An "outage opened" notification for `runner` in `scope`, outage `id`.
pub fn delivery_notification(
    scope: &Scope,
    runner: &str,
    id: u64,
    when: Timestamp,
) -> Notification {
    let record = runner_record(runner, 7, RunnerStatus::Offline, when);
    Notification {
        scope: scope.clone(),
        at: when,
        kind: NotificationKind::OutageOpened {
            runner: crate::model::RunnerSnapshot {
                name: record.name,
                id: record.id,
                status: record.status,
                busy: false,
                os: record.os,
                labels: record.labels,
                ephemeral: false,
            },
            outage: outage(runner, id, when),
        },
    }
}
