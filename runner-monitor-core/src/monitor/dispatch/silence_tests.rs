//! Table tests of the silence rule ([`decide`]).

use std::time::Duration;

use chrono::{TimeZone, Utc};

use super::{Verdict, decide};
use crate::model::{
    FailureClass, Notification, NotificationKind, Outage, Policy, Resolution, RunnerSnapshot,
    RunnerStatus, Scope, Silence, SourceFailure, Timestamp,
};

/// 2026-01-01T10:00Z plus `minutes`.
fn m(minutes: i64) -> Timestamp {
    Utc.with_ymd_and_hms(2026, 1, 1, 10, 0, 0)
        .single()
        .expect("valid")
        + chrono::Duration::minutes(minutes)
}

/// A silence of `target` from minute `from` to minute `until`.
fn silence(target: &str, from: i64, until: i64) -> Silence {
    serde_json::from_value(serde_json::json!({
        "target": target, "from": m(from), "until": m(until)
    }))
    .expect("valid silence")
}

fn outage(opened: i64, resolved: Option<i64>, reminders: u32) -> Outage {
    Outage {
        runner: "gpu-1".into(),
        id: 1,
        runner_id: 7,
        trigger: RunnerStatus::Offline,
        started_at: m(opened - 2),
        resolved_at: resolved.map(m),
        resolution: resolved.map(|_| Resolution::Recovered(RunnerStatus::Online)),
        description: String::new(),
        reminders,
        last_reminded_at: Some(m(opened)),
        acknowledged: None,
    }
}

fn runner() -> RunnerSnapshot {
    RunnerSnapshot {
        name: "gpu-1".into(),
        id: 7,
        status: RunnerStatus::Offline,
        busy: false,
        os: "linux".into(),
        labels: vec!["self-hosted".into(), "gpu".into()],
        ephemeral: false,
    }
}

fn note(at: i64, kind: NotificationKind) -> Notification {
    Notification {
        scope: Scope::org("acme"),
        at: m(at),
        kind,
    }
}

fn opened(at: i64) -> Notification {
    note(
        at,
        NotificationKind::OutageOpened {
            runner: runner(),
            outage: outage(at, None, 0),
        },
    )
}

fn reminder(at: i64) -> Notification {
    note(
        at,
        NotificationKind::OutageReminder {
            runner: runner(),
            outage: outage(0, None, 1),
            down_for: Duration::from_secs(60),
        },
    )
}

fn resolved(opened_at: i64, at: i64) -> Notification {
    note(
        at,
        NotificationKind::OutageResolved {
            runner: runner(),
            outage: outage(opened_at, Some(at), 0),
            duration: Duration::from_secs(60),
        },
    )
}

fn degraded(at: i64) -> Notification {
    note(
        at,
        NotificationKind::MonitoringDegraded {
            incident: 1,
            failure: SourceFailure {
                class: FailureClass::Unauthorized,
                message: "bad token".into(),
            },
            since: m(at - 15),
        },
    )
}

fn restored(since: i64, at: i64) -> Notification {
    let minutes = u64::try_from(at - since).expect("positive");
    note(
        at,
        NotificationKind::MonitoringRestored {
            incident: 1,
            since: m(since),
            cause: None,
            duration: Duration::from_secs(minutes * 60),
        },
    )
}

#[test]
fn verdicts() {
    let scope = || vec![silence("org:acme", 0, 60)];
    let label = || vec![silence("label:gpu", 0, 60)];
    let other = || vec![silence("org:other", 0, 60), silence("cpu-1", 0, 60)];
    let chained = || vec![silence("gpu-1", 0, 60), silence("org:acme", 60, 90)];
    let dropped = "silenced: the incident began and ended inside a silence";
    // (name, silences, notification, dispatched at minute, verdict)
    let cases: Vec<(&str, Vec<Silence>, Notification, i64, Verdict)> = vec![
        ("no silence", vec![], opened(10), 10, Verdict::Send),
        (
            "another scope or runner",
            other(),
            opened(10),
            10,
            Verdict::Send,
        ),
        (
            "opened in a scope silence: postponed",
            scope(),
            opened(10),
            10,
            Verdict::Postpone(m(60)),
        ),
        (
            "opened under a label silence",
            label(),
            opened(10),
            10,
            Verdict::Postpone(m(60)),
        ),
        (
            "back-to-back silences: to the last end",
            chained(),
            opened(10),
            10,
            Verdict::Postpone(m(90)),
        ),
        (
            "opened inside, silence over: ask the store",
            scope(),
            opened(10),
            60,
            Verdict::UnlessOverBy(m(60)),
        ),
        (
            "opened before the silence, sent late inside it",
            scope(),
            opened(-5),
            20,
            Verdict::Postpone(m(60)),
        ),
        (
            "opened before, dispatched after: send",
            scope(),
            opened(-5),
            70,
            Verdict::Send,
        ),
        (
            "opened after the silence",
            scope(),
            opened(61),
            61,
            Verdict::Send,
        ),
        (
            "reminder during: dropped",
            scope(),
            reminder(30),
            30,
            Verdict::Drop("silenced: reminder during a silence"),
        ),
        (
            "reminder after: sent",
            scope(),
            reminder(30),
            61,
            Verdict::Send,
        ),
        (
            "resolved inside, opened inside: dropped",
            scope(),
            resolved(10, 40),
            40,
            Verdict::Drop(dropped),
        ),
        (
            "resolved inside, seen after the end: dropped",
            scope(),
            resolved(10, 40),
            75,
            Verdict::Drop(dropped),
        ),
        (
            "resolved inside, opened before: postponed",
            scope(),
            resolved(-5, 40),
            40,
            Verdict::Postpone(m(60)),
        ),
        (
            "resolved after the end, opened inside: sent",
            scope(),
            resolved(10, 70),
            70,
            Verdict::Send,
        ),
        (
            "degraded in a scope silence",
            scope(),
            degraded(10),
            10,
            Verdict::Postpone(m(60)),
        ),
        (
            "degraded: a runner silence does not cover the scope",
            vec![silence("gpu-1", 0, 60)],
            degraded(10),
            10,
            Verdict::Send,
        ),
        (
            "degraded: a label silence does not cover the scope",
            label(),
            degraded(10),
            10,
            Verdict::Send,
        ),
        // Failing since minute 0, degraded at 15 (source_alert_after), restored at 40.
        (
            "restored inside, degraded inside: dropped",
            scope(),
            restored(0, 40),
            40,
            Verdict::Drop(dropped),
        ),
        (
            "restored inside, degraded before: postponed",
            scope(),
            restored(-30, 40),
            40,
            Verdict::Postpone(m(60)),
        ),
    ];
    let policy = Policy::default();
    for (name, silences, notification, now, expected) in cases {
        assert_eq!(
            decide(&notification, &silences, &policy, m(now)),
            expected,
            "{name}"
        );
    }
}

#[test]
fn removal_notices_are_never_held() {
    let n = note(
        10,
        NotificationKind::RunnersRemoved {
            runners: vec![runner()],
            known: 1,
            since: m(0),
            deregistered: true,
        },
    );
    let silences = [silence("org:acme", 0, 60)];
    assert_eq!(
        decide(&n, &silences, &Policy::default(), m(10)),
        Verdict::Send
    );
}

fn flapping(at: i64) -> Notification {
    note(
        at,
        NotificationKind::RunnerFlapping {
            runner: runner(),
            outage: 3,
            outages: 3,
            window: Duration::from_secs(1800),
            since: m(at),
        },
    )
}

fn stable(since: i64, at: i64) -> Notification {
    let minutes = u64::try_from(at - since).expect("positive");
    note(
        at,
        NotificationKind::RunnerStable {
            runner: runner(),
            since: m(since),
            duration: Duration::from_secs(minutes * 60),
        },
    )
}

#[test]
fn flapping_notices_are_held_like_outages() {
    let silences = || vec![silence("gpu-1", 0, 60)];
    let cases: Vec<(&str, Notification, i64, Verdict)> = vec![
        (
            "flapping during: postponed",
            flapping(10),
            10,
            Verdict::Postpone(m(60)),
        ),
        (
            "flapping at the end: sent if still flapping",
            flapping(10),
            60,
            Verdict::UnlessOverBy(m(60)),
        ),
        ("flapping after: sent", flapping(70), 70, Verdict::Send),
        (
            "stable inside the silence it flapped in: dropped",
            stable(10, 40),
            40,
            Verdict::Drop("silenced: the incident began and ended inside a silence"),
        ),
        (
            "stable during, flapping began before: postponed",
            stable(-30, 40),
            40,
            Verdict::Postpone(m(60)),
        ),
        (
            "stable after a silence that began mid-flap: sent",
            stable(-30, 70),
            70,
            Verdict::Send,
        ),
    ];
    for (name, notification, at, expected) in cases {
        assert_eq!(
            decide(&notification, &silences(), &Policy::default(), m(at)),
            expected,
            "{name}"
        );
    }
}

/// A policy with the pool `gpu` (labels `self-hosted` + `GPU`, spanning `org:acme` only) and the
/// pool `cpu` (label `cpu`, every scope).
fn pooled() -> Policy {
    let pools = serde_json::json!([
        {"name": "gpu", "labels": ["self-hosted", "GPU"], "scopes": ["org:acme"], "min_online": 1},
        {"name": "cpu", "labels": ["cpu"], "min_online": 1},
    ]);
    Policy {
        pools: serde_json::from_value(pools).expect("valid pools"),
        ..Policy::default()
    }
}

fn pool_count() -> crate::model::PoolCount {
    crate::model::PoolCount {
        name: "gpu".into(),
        measure: crate::model::PoolMeasure::Online,
        count: 0,
        total: 2,
        minimum: 1,
        labels: vec!["self-hosted".into(), "GPU".into()],
    }
}

fn pool_outage(opened: i64, resolved: Option<i64>) -> Outage {
    Outage {
        runner: "gpu".into(),
        runner_id: 1,
        resolution: resolved.map(|_| Resolution::Recovered(RunnerStatus::Idle)),
        ..outage(opened, resolved, 0)
    }
}

fn pool_below(at: i64) -> Notification {
    Notification {
        scope: Scope::pool("gpu"),
        at: m(at),
        kind: NotificationKind::PoolBelowFloor {
            pool: pool_count(),
            outage: pool_outage(at, None),
        },
    }
}

fn pool_restored(opened_at: i64, at: i64) -> Notification {
    Notification {
        scope: Scope::pool("gpu"),
        at: m(at),
        kind: NotificationKind::PoolRestored {
            pool: pool_count(),
            outage: pool_outage(opened_at, Some(at)),
            duration: Duration::from_secs(60),
        },
    }
}

fn pool_reminder(at: i64) -> Notification {
    let mut outage = pool_outage(0, None);
    outage.reminders = 1;
    Notification {
        scope: Scope::pool("gpu"),
        at: m(at),
        kind: NotificationKind::PoolReminder {
            pool: pool_count(),
            outage,
            down_for: Duration::from_secs(60),
        },
    }
}

/// `opened(at)` for a runner with `labels` in `scope`.
fn opened_in(scope: Scope, labels: &[&str], at: i64) -> Notification {
    let mut n = opened(at);
    n.scope = scope;
    if let NotificationKind::OutageOpened { runner, .. } = &mut n.kind {
        runner.labels = labels.iter().map(|l| (*l).to_owned()).collect();
    }
    n
}

#[test]
fn pool_silences_cover_the_pool_and_its_runners() {
    let gpu = || vec![silence("pool:gpu", 0, 60)];
    let dropped = "silenced: the incident began and ended inside a silence";
    let acme = Scope::org("acme");
    let other_org = Scope::org("other");
    // (name, silences, notification, dispatched at minute, verdict)
    let cases: Vec<(&str, Vec<Silence>, Notification, i64, Verdict)> = vec![
        (
            "the pool's opening: postponed",
            gpu(),
            pool_below(10),
            10,
            Verdict::Postpone(m(60)),
        ),
        (
            "the pool's opening, silence over: ask the store",
            gpu(),
            pool_below(10),
            60,
            Verdict::UnlessOverBy(m(60)),
        ),
        (
            "the pool's opening after the silence: sent",
            gpu(),
            pool_below(61),
            61,
            Verdict::Send,
        ),
        (
            "the pool restored inside the silence it opened in: dropped",
            gpu(),
            pool_restored(10, 40),
            40,
            Verdict::Drop(dropped),
        ),
        (
            "the pool restored inside, opened before: postponed",
            gpu(),
            pool_restored(-5, 40),
            40,
            Verdict::Postpone(m(60)),
        ),
        (
            "the pool's reminder during the silence: dropped",
            gpu(),
            pool_reminder(30),
            30,
            Verdict::Drop("silenced: reminder during a silence"),
        ),
        (
            "the pool's reminder after the silence: sent",
            gpu(),
            pool_reminder(30),
            61,
            Verdict::Send,
        ),
        (
            "another pool's silence: the pool's opening is sent",
            vec![silence("pool:cpu", 0, 60)],
            pool_below(10),
            10,
            Verdict::Send,
        ),
        (
            "a member runner (all labels, ASCII case ignored, spanned scope): postponed",
            gpu(),
            opened_in(acme.clone(), &["Self-Hosted", "gpu", "x64"], 10),
            10,
            Verdict::Postpone(m(60)),
        ),
        (
            "a runner with only some of the labels: sent",
            gpu(),
            opened_in(acme.clone(), &["gpu"], 10),
            10,
            Verdict::Send,
        ),
        (
            "a runner with the labels in a scope the pool does not span: sent",
            gpu(),
            opened_in(other_org.clone(), &["self-hosted", "gpu"], 10),
            10,
            Verdict::Send,
        ),
        (
            "a pool with no scopes spans every scope",
            vec![silence("pool:cpu", 0, 60)],
            opened_in(other_org, &["cpu"], 10),
            10,
            Verdict::Postpone(m(60)),
        ),
        (
            "a pool silence does not cover its scopes' own notices",
            gpu(),
            degraded(10),
            10,
            Verdict::Send,
        ),
        (
            "a pool no policy has covers no runner",
            vec![silence("pool:tpu", 0, 60)],
            opened_in(acme.clone(), &["self-hosted", "gpu"], 10),
            10,
            Verdict::Send,
        ),
        (
            "a scope silence does not cover the pool's scope",
            vec![silence("org:acme", 0, 60)],
            pool_below(10),
            10,
            Verdict::Send,
        ),
    ];
    let policy = pooled();
    for (name, silences, notification, now, expected) in cases {
        assert_eq!(
            decide(&notification, &silences, &policy, m(now)),
            expected,
            "{name}"
        );
    }
}

#[test]
fn pool_runners_are_covered_only_with_the_pools_known() {
    // Without the policy's pools a pool silence covers the pool's own scope only.
    let silences = [silence("pool:gpu", 0, 60)];
    let member = opened_in(Scope::org("acme"), &["self-hosted", "gpu"], 10);
    assert_eq!(
        decide(&member, &silences, &Policy::default(), m(10)),
        Verdict::Send
    );
    assert_eq!(
        decide(&pool_below(10), &silences, &Policy::default(), m(10)),
        Verdict::Postpone(m(60))
    );
}
