//! Fixtures shared by the integration tests: one notification of every kind, and golden files.
#![allow(dead_code)] // each test binary uses a different subset

use std::path::PathBuf;
use std::time::Duration;

use runner_monitor_core::testing::at;
use runner_monitor_core::{
    FailureClass, Notification, NotificationKind, Outage, Resolution, RunnerSnapshot, RunnerStatus,
    Scope, SourceFailure,
};

pub fn scope() -> Scope {
    Scope::repo("acme", "api")
}

pub fn runner(status: RunnerStatus) -> RunnerSnapshot {
    RunnerSnapshot {
        name: "build-1".to_owned(),
        id: 42,
        status,
        busy: false,
        os: "linux".to_owned(),
        labels: vec![
            "self-hosted".to_owned(),
            "linux".to_owned(),
            "gpu".to_owned(),
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

/// Outage 3 of build-1 confirmed 5 minutes after it went offline.
pub fn opened() -> Notification {
    opened_with_id(3)
}

pub fn opened_with_id(id: u64) -> Notification {
    Notification {
        scope: scope(),
        at: at(300),
        kind: NotificationKind::OutageOpened {
            runner: runner(RunnerStatus::Offline),
            outage: outage(id),
        },
    }
}

/// First reminder after 65 minutes down.
pub fn reminder() -> Notification {
    let mut outage = outage(3);
    outage.reminders = 1;
    outage.last_reminded_at = Some(at(3900));
    Notification {
        scope: scope(),
        at: at(3900),
        kind: NotificationKind::OutageReminder {
            runner: runner(RunnerStatus::Offline),
            outage,
            down_for: Duration::from_secs(3900),
        },
    }
}

/// Back online (idle) after 74 minutes.
pub fn resolved() -> Notification {
    let mut outage = outage(3);
    outage.reminders = 1;
    outage.resolved_at = Some(at(4440));
    outage.resolution = Some(Resolution::Recovered(RunnerStatus::Idle));
    Notification {
        scope: scope(),
        at: at(4500),
        kind: NotificationKind::OutageResolved {
            runner: runner(RunnerStatus::Idle),
            outage,
            duration: Duration::from_secs(4440),
        },
    }
}

/// The organization's token was rejected for 10 minutes.
pub fn degraded() -> Notification {
    Notification {
        scope: Scope::org("acme"),
        at: at(600),
        kind: NotificationKind::MonitoringDegraded {
            incident: 2,
            failure: SourceFailure {
                class: FailureClass::Unauthorized,
                message: "GitHub answered 401 Bad credentials".to_owned(),
            },
            since: at(0),
        },
    }
}

/// Observation works again after 15 minutes.
pub fn restored() -> Notification {
    Notification {
        scope: Scope::org("acme"),
        at: at(900),
        kind: NotificationKind::MonitoringRestored {
            incident: 2,
            since: at(0),
            duration: Duration::from_secs(900),
            cause: None,
        },
    }
}

/// A suspect drop accepted after 6 hours: three runners of 250 removed together.
pub fn runners_removed() -> Notification {
    Notification {
        scope: Scope::org("acme"),
        at: at(6 * 3600),
        kind: NotificationKind::RunnersRemoved {
            runners: (0..3)
                .map(|i| RunnerSnapshot {
                    name: format!("rack1-{i:02}"),
                    id: 100 + i,
                    ..runner(RunnerStatus::Idle)
                })
                .collect(),
            known: 250,
            since: at(0),
            deregistered: false,
        },
    }
}

/// build-1 went down 3 times in 30 minutes: flapping since 00:13.
pub fn flapping() -> Notification {
    Notification {
        scope: scope(),
        at: at(780),
        kind: NotificationKind::RunnerFlapping {
            runner: runner(RunnerStatus::Offline),
            outage: 3,
            outages: 3,
            window: Duration::from_secs(1800),
            since: at(780),
        },
    }
}
fn pool_count(count: usize) -> runner_monitor_core::PoolCount {
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

/// `pool:gpu` below its floor: 1 of 4 online, minimum 2.
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

/// build-1 stable again after flapping for 1 h 15 min.
pub fn stable() -> Notification {
    Notification {
        scope: scope(),
        at: at(780 + 4500),
        kind: NotificationKind::RunnerStable {
            runner: runner(RunnerStatus::Idle),
            since: at(780),
            duration: Duration::from_secs(4500),
        },
    }
}
/// `pool:gpu` back after 12 minutes: 3 of 4 online.
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

/// Every kind, with its kind name.
pub fn every_kind() -> Vec<(&'static str, Notification)> {
    vec![
        ("outage_opened", opened()),
        ("outage_reminder", reminder()),
        ("outage_resolved", resolved()),
        ("monitoring_degraded", degraded()),
        ("monitoring_restored", restored()),
        ("runners_removed", runners_removed()),
        ("runner_flapping", flapping()),
        ("runner_stable", stable()),
        ("pool_below_floor", pool_below()),
        ("pool_reminder", pool_reminder()),
        ("pool_restored", pool_restored()),
    ]
}

/// Compares `actual` with `tests/golden/<name>.json`; `UPDATE_GOLDEN=1` rewrites the file.
pub fn assert_golden(name: &str, actual: &serde_json::Value) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(format!("{name}.json"));
    let pretty = serde_json::to_string_pretty(actual).expect("serialize") + "\n";
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &pretty).expect("write golden file");
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (run with UPDATE_GOLDEN=1)", path.display()));
    let expected: serde_json::Value = serde_json::from_str(&expected).expect("golden is JSON");
    assert_eq!(
        actual, &expected,
        "{name}: body differs from the golden file; actual:\n{pretty}"
    );
}

/// Which secret values appear in `text`.
pub fn leaked<'a>(text: &str, secrets: &[&'a str]) -> Vec<&'a str> {
    secrets
        .iter()
        .copied()
        .filter(|s| text.contains(s))
        .collect()
}
