//! Shared test data.
#![allow(dead_code)]

pub mod log_capture;
pub mod slash;

use std::time::Duration;

use runner_monitor_core::testing::at;
use runner_monitor_core::{
    FailureClass, Notification, NotificationKind, Outage, Resolution, RunnerSnapshot, RunnerStatus,
    Scope, SourceFailure,
};

pub fn scope() -> Scope {
    Scope::repo("acme", "api")
}

pub fn snapshot(status: RunnerStatus) -> RunnerSnapshot {
    RunnerSnapshot {
        name: "build-1".to_owned(),
        id: 42,
        status,
        busy: false,
        os: "linux".to_owned(),
        labels: vec![
            "self-hosted".to_owned(),
            "linux".to_owned(),
            "x64".to_owned(),
        ],
        ephemeral: false,
    }
}

pub fn outage(id: u64) -> Outage {
    Outage {
        runner: "build-1".to_owned(),
        id,
        runner_id: 42,
        trigger: RunnerStatus::Offline,
        started_at: at(0),
        resolved_at: None,
        resolution: None,
        description: "Runner build-1 entered Offline state".to_owned(),
        reminders: 0,
        last_reminded_at: None,
        acknowledged: None,
    }
}

pub fn opened() -> Notification {
    Notification {
        scope: scope(),
        at: at(300),
        kind: NotificationKind::OutageOpened {
            runner: snapshot(RunnerStatus::Offline),
            outage: outage(3),
        },
    }
}

pub fn reminder() -> Notification {
    let mut outage = outage(3);
    outage.reminders = 2;
    outage.last_reminded_at = Some(at(7500));
    Notification {
        scope: scope(),
        at: at(7500),
        kind: NotificationKind::OutageReminder {
            runner: snapshot(RunnerStatus::Offline),
            outage,
            down_for: Duration::from_secs(7500),
        },
    }
}

pub fn resolved() -> Notification {
    let mut outage = outage(3);
    outage.resolved_at = Some(at(8000));
    outage.resolution = Some(Resolution::Recovered(RunnerStatus::Idle));
    Notification {
        scope: scope(),
        at: at(8100),
        kind: NotificationKind::OutageResolved {
            runner: snapshot(RunnerStatus::Idle),
            outage,
            duration: Duration::from_secs(8000),
        },
    }
}

pub fn removed() -> Notification {
    let mut outage = outage(4);
    outage.trigger = RunnerStatus::Unknown;
    outage.resolved_at = Some(at(86_400 * 3));
    outage.resolution = Some(Resolution::Removed);
    Notification {
        scope: Scope::org("acme"),
        at: at(86_400 * 3),
        kind: NotificationKind::OutageResolved {
            runner: snapshot(RunnerStatus::Unknown),
            outage,
            duration: Duration::from_secs(86_400 * 3),
        },
    }
}

pub fn degraded() -> Notification {
    Notification {
        scope: Scope::org("acme"),
        at: at(900),
        kind: NotificationKind::MonitoringDegraded {
            incident: 2,
            failure: SourceFailure {
                class: FailureClass::Unauthorized,
                message: "unauthorized: Bad credentials".to_owned(),
            },
            since: at(0),
        },
    }
}

pub fn restored() -> Notification {
    Notification {
        scope: Scope::org("acme"),
        at: at(4500),
        kind: NotificationKind::MonitoringRestored {
            incident: 2,
            since: at(0),
            duration: Duration::from_secs(4500),
            cause: None,
        },
    }
}

pub fn runners_removed(count: u64) -> Notification {
    Notification {
        scope: Scope::org("acme"),
        at: at(6 * 3600),
        kind: NotificationKind::RunnersRemoved {
            runners: (0..count)
                .map(|i| {
                    let mut runner = snapshot(RunnerStatus::Idle);
                    runner.name = format!("rack1-{i:02}");
                    runner.id = 100 + i;
                    runner
                })
                .collect(),
            known: 250,
            since: at(0),
            deregistered: false,
        },
    }
}

pub fn flapping() -> Notification {
    Notification {
        scope: scope(),
        at: at(780),
        kind: NotificationKind::RunnerFlapping {
            runner: snapshot(RunnerStatus::Offline),
            outage: 3,
            outages: 3,
            window: Duration::from_secs(1800),
            since: at(780),
        },
    }
}
/// The pool `gpu` (`pool:gpu`) with `count` of 4 online, minimum 2.
pub fn pool_count(count: usize) -> runner_monitor_core::PoolCount {
    runner_monitor_core::PoolCount {
        name: "gpu".to_owned(),
        measure: runner_monitor_core::PoolMeasure::Online,
        count,
        total: 4,
        minimum: 2,
        labels: vec!["self-hosted".to_owned(), "gpu".to_owned()],
    }
}

fn pool_outage() -> Outage {
    Outage {
        runner: "gpu".to_owned(),
        id: 1,
        runner_id: 0,
        trigger: RunnerStatus::Offline,
        started_at: at(0),
        resolved_at: None,
        resolution: None,
        description: "Pool gpu: 1 of 4 online (minimum 2)".to_owned(),
        reminders: 0,
        last_reminded_at: Some(at(300)),
        acknowledged: None,
    }
}

pub fn pool_below() -> Notification {
    Notification {
        scope: Scope::pool("gpu"),
        at: at(300),
        kind: NotificationKind::PoolBelowFloor {
            pool: pool_count(1),
            outage: pool_outage(),
        },
    }
}

/// `pool:gpu` still below its floor 4 hours on: its first reminder.
pub fn pool_reminder() -> Notification {
    let mut outage = pool_outage();
    outage.reminders = 1;
    outage.last_reminded_at = Some(at(14_400));
    Notification {
        scope: Scope::pool("gpu"),
        at: at(14_400),
        kind: NotificationKind::PoolReminder {
            pool: pool_count(1),
            outage,
            down_for: Duration::from_secs(14_400),
        },
    }
}

pub fn stable() -> Notification {
    Notification {
        scope: scope(),
        at: at(780 + 4500),
        kind: NotificationKind::RunnerStable {
            runner: snapshot(RunnerStatus::Idle),
            since: at(780),
            duration: Duration::from_secs(4500),
        },
    }
}
pub fn pool_restored() -> Notification {
    let mut outage = pool_outage();
    outage.resolved_at = Some(at(720));
    outage.resolution = Some(Resolution::Recovered(RunnerStatus::Idle));
    Notification {
        scope: Scope::pool("gpu"),
        at: at(720),
        kind: NotificationKind::PoolRestored {
            pool: pool_count(3),
            outage,
            duration: Duration::from_secs(720),
        },
    }
}

/// Every kind, named as its golden file.
pub fn every_kind() -> Vec<(&'static str, Notification)> {
    vec![
        ("outage_opened", opened()),
        ("outage_reminder", reminder()),
        ("outage_resolved", resolved()),
        ("outage_resolved_removed", removed()),
        ("monitoring_degraded", degraded()),
        ("monitoring_restored", restored()),
        ("runners_removed", runners_removed(3)),
        ("runners_removed_many", runners_removed(250)),
        ("runner_flapping", flapping()),
        ("runner_stable", stable()),
        ("pool_below_floor", pool_below()),
        ("pool_reminder", pool_reminder()),
        ("pool_restored", pool_restored()),
    ]
}
