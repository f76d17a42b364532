//! Table-driven tests of the trust rules: suspect listings, time guards, duplicate names.

use super::*;
use crate::SuspectDrop;
use crate::model::{FailureClass, ScopeRecord};

const HOUR: i64 = 3600;

fn fleet(n: usize) -> Vec<ObservedRunner> {
    (0..n).map(|i| on(&format!("r{i:02}"))).collect()
}

/// Minutes of `listing`, one observation a minute.
fn for_minutes(minutes: i64, listing: &[ObservedRunner]) -> Vec<Step> {
    (0..minutes).map(|_| List(MIN, listing.to_vec())).collect()
}

fn steps(parts: Vec<Vec<Step>>) -> Vec<Step> {
    parts.into_iter().flatten().collect()
}

fn accept_after(seconds: u64) -> Policy {
    Policy {
        suspect_drop: SuspectDrop {
            accept_after: Duration::from_secs(seconds),
            ..SuspectDrop::default()
        },
        ..policy()
    }
}

#[test]
fn rule_suspect_listing_changes_no_runner() {
    let ten = fleet(10);
    let four = fleet(4);
    check(vec![
        Case {
            name: "an empty listing of 10 known runners for 10 min: nobody told, nothing open",
            policy: policy(),
            steps: steps(vec![
                vec![List(0, ten.clone())],
                for_minutes(10, &[]),
                vec![List(MIN, ten.clone())],
            ]),
            notified: &[],
            open: &[],
        },
        Case {
            name: "an empty listing past source_alert_after: one degraded, one restored, no runner message",
            policy: policy(),
            steps: steps(vec![
                vec![List(0, ten.clone())],
                for_minutes(20, &[]),
                vec![List(MIN, ten.clone())],
            ]),
            notified: &["monitoring_degraded:source", "monitoring_restored:source"],
            open: &[],
        },
        Case {
            name: "losing 6 of 10 at once is suspect",
            policy: policy(),
            steps: steps(vec![
                vec![List(0, ten.clone())],
                for_minutes(10, &ten[..4]),
                vec![List(MIN, ten.clone())],
            ]),
            notified: &[],
            open: &[],
        },
        Case {
            name: "losing exactly half (5 of 10) is believed: their outages open",
            policy: policy(),
            steps: steps(vec![vec![List(0, ten.clone())], for_minutes(3, &ten[..5])]),
            notified: &[
                "outage_opened:r05",
                "outage_opened:r06",
                "outage_opened:r07",
                "outage_opened:r08",
                "outage_opened:r09",
            ],
            open: &["r05", "r06", "r07", "r08", "r09"],
        },
        Case {
            name: "fewer than min_known runners (4) vanishing is believed",
            policy: policy(),
            steps: steps(vec![vec![List(0, four.clone())], for_minutes(3, &[])]),
            notified: &[
                "outage_opened:r00",
                "outage_opened:r01",
                "outage_opened:r02",
                "outage_opened:r03",
            ],
            open: &["r00", "r01", "r02", "r03"],
        },
        Case {
            name: "min_known 1 makes a single runner vanishing suspect",
            policy: Policy {
                suspect_drop: SuspectDrop {
                    min_known: 1,
                    ..SuspectDrop::default()
                },
                ..policy()
            },
            steps: steps(vec![vec![List(0, fleet(1))], for_minutes(5, &[])]),
            notified: &[],
            open: &[],
        },
        Case {
            name: "percent 100 turns the rule off",
            policy: Policy {
                suspect_drop: SuspectDrop {
                    percent: 100,
                    ..SuspectDrop::default()
                },
                ..policy()
            },
            steps: steps(vec![vec![List(0, fleet(5))], for_minutes(3, &[])]),
            notified: &[
                "outage_opened:r00",
                "outage_opened:r01",
                "outage_opened:r02",
                "outage_opened:r03",
                "outage_opened:r04",
            ],
            open: &["r00", "r01", "r02", "r03", "r04"],
        },
        Case {
            name: "ephemeral runners leaving are no drop",
            policy: policy(),
            steps: steps(vec![
                vec![List(
                    0,
                    (0..10)
                        .map(|i| eph(&format!("job-{i}")))
                        .chain(fleet(5))
                        .collect(),
                )],
                for_minutes(3, &fleet(5)),
            ]),
            notified: &[],
            open: &[],
        },
        Case {
            name: "runners already absent do not count as lost again",
            policy: policy(),
            steps: steps(vec![
                vec![List(0, ten.clone())],
                // 4 of 10 leave (believed), later 3 of the 6 still listed (not more than half).
                for_minutes(3, &ten[..6]),
                for_minutes(3, &ten[..3]),
            ]),
            notified: &[
                "outage_opened:r06",
                "outage_opened:r07",
                "outage_opened:r08",
                "outage_opened:r09",
                "outage_opened:r03",
                "outage_opened:r04",
                "outage_opened:r05",
            ],
            open: &["r03", "r04", "r05", "r06", "r07", "r08", "r09"],
        },
    ]);
}

#[test]
fn suspect_listing_is_a_failure_with_its_own_class_and_message() {
    let mut sim = Sim::new(policy());
    sim.state.scope = Scope::org("acme");
    sim.run(vec![List(0, fleet(250))]);
    let plan = sim.observe(MIN, Ok(Observation::default())).clone();
    let failure = plan.suspect.clone().expect("suspect");
    assert_eq!(failure.class, FailureClass::SuspectListing);
    assert_eq!(
        failure.message,
        "GitHub listed 0 of 250 known runners of org:acme; the token may have lost access to them"
    );
    assert_eq!(plan.stats.runners_seen, 0);
    assert!(plan.notifications.is_empty());
    let [Change::PutScope(record)] = plan.changes.as_slice() else {
        panic!("only the scope record is written: {:?}", plan.changes)
    };
    assert_eq!(record.suspect_since, Some(t(MIN)));
    assert_eq!(record.failing_since, Some(t(MIN)));
    assert_eq!(
        record.last_failure.as_ref().map(|f| f.class),
        Some(FailureClass::SuspectListing)
    );
    // Further suspect listings write nothing (the first failure of a class is kept).
    for _ in 0..5 {
        assert!(sim.observe(MIN, Ok(Observation::default())).is_empty());
    }
    // The degraded incident names the class.
    sim.run(for_minutes(15, &[]));
    let degraded = sim
        .plans
        .iter()
        .flat_map(|p| &p.notifications)
        .find_map(|n| match &n.kind {
            NotificationKind::MonitoringDegraded { failure, since, .. } => {
                Some((failure.clone(), *since))
            }
            _ => None,
        });
    let (failure, since) = degraded.expect("degraded");
    assert_eq!(failure.class, FailureClass::SuspectListing);
    assert_eq!(since, t(MIN));
    assert!(
        sim.state
            .runners
            .values()
            .all(|r| r.status == RunnerStatus::Idle)
    );
}

#[test]
fn a_drop_that_lasts_accept_after_is_accepted_once() {
    let ten = fleet(10);
    let mut sim = Sim::new(accept_after(HOUR as u64));
    let mut down = ten.clone();
    down[0] = off("r00");
    // r00 goes offline and has an open outage before the drop; a new runner appears with it.
    sim.run(steps(vec![
        vec![List(0, ten.clone())],
        for_minutes(3, &down),
        for_minutes(60, &[on("new-1")]),
    ]));
    assert_eq!(
        sim.log,
        ["outage_opened:r00", "monitoring_degraded:source"],
        "suspect: no runner message"
    );
    assert!(
        !sim.state.runners.contains_key("new-1"),
        "a suspect listing records nobody"
    );
    assert_eq!(sim.state.runners.len(), 10);

    sim.run(vec![List(MIN, vec![on("new-1")])]);
    assert_eq!(
        sim.log[2..],
        [
            "outage_resolved:r00",
            "runners_removed:removal",
            "monitoring_restored:source"
        ]
    );
    let removal = sim.plans.last().expect("plan").notifications[1].clone();
    let NotificationKind::RunnersRemoved {
        runners,
        known,
        since,
        deregistered,
    } = &removal.kind
    else {
        panic!("{removal:?}")
    };
    assert_eq!(*known, 10);
    assert!(
        !deregistered,
        "an accepted suspect drop, not a deregistration"
    );
    assert_eq!(*since, t(4 * MIN), "the first suspect listing");
    let names: Vec<&str> = runners.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        names,
        ten.iter().map(|r| r.name.as_str()).collect::<Vec<_>>()
    );
    assert_eq!(runners[0].status, RunnerStatus::Offline, "as last listed");
    assert_eq!(
        removal.idempotency_key(),
        format!(
            "acme/api/removal/since:{}/runners_removed",
            t(4 * MIN).timestamp()
        )
    );
    assert_eq!(sim.state.runners.keys().collect::<Vec<_>>(), ["new-1"]);
    assert_eq!(sim.state.record.suspect_since, None);
    assert!(sim.state.open_outages.is_empty());
    assert_eq!(sim.state.next_outage_id("r00"), 2, "numbering kept");
    // Stores keep deliveries as the notification's JSON.
    let json = serde_json::to_string(&removal).expect("serialize");
    assert!(json.contains(r#""kind":"runners_removed""#), "{json}");
    assert_eq!(
        serde_json::from_str::<crate::Notification>(&json).expect("parse"),
        removal
    );

    // Afterwards the scope is observed as usual: nothing more is said.
    sim.run(for_minutes(30, &[on("new-1")]));
    assert_eq!(sim.log.len(), 5, "{:?}", sim.log);
}

#[test]
fn suspect_period_survives_source_errors_and_ends_when_runners_return() {
    let ten = fleet(10);
    let mut sim = Sim::new(Policy {
        source_alert_after: Duration::from_secs(24 * 3600),
        ..accept_after(HOUR as u64)
    });
    sim.run(vec![List(0, ten.clone()), List(MIN, vec![])]);
    assert_eq!(sim.state.record.suspect_since, Some(t(MIN)));
    sim.run(vec![Fail(30 * MIN, unavailable())]);
    assert_eq!(
        sim.state.record.suspect_since,
        Some(t(MIN)),
        "errors do not reset it"
    );
    sim.run(vec![List(MIN, ten.clone())]);
    assert_eq!(sim.state.record.suspect_since, None, "believed again");
    // A new drop starts a new period: 59 minutes later it is still not accepted.
    sim.run(steps(vec![for_minutes(59, &[])]));
    assert_eq!(sim.state.runners.len(), 10);
    assert!(sim.log.is_empty(), "{:?}", sim.log);
}

#[test]
fn time_guard_stale_observation_changes_nothing() {
    let mut sim = Sim::new(policy());
    sim.run(vec![
        List(0, vec![on("r1")]),
        List(MIN, vec![off("r1")]),
        List(2 * MIN, vec![off("r1")]),
    ]);
    assert_eq!(sim.log, ["outage_opened:r1"]);
    // A commit loser replans with its listing from before the winner's (r1 still online then).
    let older = Ok(Observation {
        runners: vec![on("r1")],
    });
    let plan = reconcile(&sim.state, &older, &sim.policy, t(3 * MIN - 1));
    assert!(plan.is_empty(), "{plan:?}");
    assert_eq!(
        plan.hold,
        Some(Hold::Stale {
            recorded: t(3 * MIN)
        })
    );
    // The same for a failure.
    let plan = reconcile(&sim.state, &Err(unavailable()), &sim.policy, t(2 * MIN));
    assert!(plan.is_empty(), "{plan:?}");
    // The same instant is not older: replanning finds nothing new to say.
    let same = reconcile(&sim.state, &older, &sim.policy, t(3 * MIN));
    assert_eq!(same.hold, None);
}

#[test]
fn time_guard_clock_stepped_back() {
    let mut sim = Sim::new(policy());
    sim.run(vec![
        List(0, vec![on("r1"), on("r2")]),
        List(MIN, vec![on("r1"), off("r2")]),
    ]);
    // The clock steps back an hour: r1 vanishes, r2 returns; none of it is believed ...
    sim.run(vec![
        List(-HOUR, vec![on("r2")]),
        List(10 * MIN, vec![on("r2")]),
        List(10 * MIN, vec![on("r2")]),
    ]);
    assert!(sim.plans[2..].iter().all(Plan::is_empty));
    assert!(
        sim.plans[2..]
            .iter()
            .all(|p| matches!(p.hold, Some(Hold::Stale { .. })))
    );
    assert_eq!(sim.state.runners["r2"].status, RunnerStatus::Offline);
    // ... until the clock passes what was recorded.
    sim.run(vec![
        List(HOUR, vec![on("r2")]),
        List(3 * MIN, vec![on("r2")]),
    ]);
    assert_eq!(sim.state.runners["r2"].status, RunnerStatus::Idle);
    assert_eq!(sim.log, ["outage_opened:r1"]);
}

#[test]
fn time_guard_clock_jump_needs_a_second_observation() {
    let policy = Policy {
        forget_after: Duration::from_secs(24 * 3600),
        ..policy()
    };
    let mut sim = Sim::new(policy.clone());
    sim.run(vec![
        List(0, vec![on("r1"), on("r2")]),
        List(MIN, vec![on("r1")]),
        List(2 * MIN, vec![on("r1")]),
    ]);
    assert_eq!(sim.log, ["outage_opened:r2"]);
    // The clock jumps 40 days ahead for one cycle: nothing but the marker is written.
    let jump = sim
        .observe(
            40 * 86_400,
            Ok(Observation {
                runners: vec![on("r1")],
            }),
        )
        .clone();
    assert!(
        matches!(jump.hold, Some(Hold::ClockJump { .. })),
        "{jump:?}"
    );
    assert!(jump.notifications.is_empty());
    let [Change::PutScope(record)] = jump.changes.as_slice() else {
        panic!("only the marker: {:?}", jump.changes)
    };
    assert_eq!(record.clock_jump_at, Some(t(3 * MIN + 40 * 86_400)));
    assert_eq!(
        record.last_success_at,
        sim.plans[2].changes.iter().find_map(|c| match c {
            Change::PutScope(r) => r.last_success_at,
            _ => None,
        })
    );
    // The clock returns: believed as usual, the marker dropped, nothing expired or forgotten.
    let back = sim
        .observe(
            -40 * 86_400 + MIN,
            Ok(Observation {
                runners: vec![on("r1")],
            }),
        )
        .clone();
    assert_eq!(back.hold, None);
    assert!(
        !back
            .changes
            .iter()
            .any(|c| matches!(c, Change::ExpireHistory { before } if *before > t(0)))
    );
    assert_eq!(sim.state.record.clock_jump_at, None);
    assert!(sim.state.runners.contains_key("r2"), "not forgotten");
    assert_eq!(sim.log, ["outage_opened:r2"]);

    // A real gap (2 days) is believed on its second observation.
    let mut gap = Sim::new(policy);
    gap.run(vec![
        List(0, vec![on("r1"), on("r2")]),
        List(MIN, vec![on("r1")]),
        List(2 * MIN, vec![on("r1")]),
        List(2 * 86_400, vec![on("r1")]),
    ]);
    assert!(gap.state.runners.contains_key("r2"), "held once");
    gap.run(vec![List(MIN, vec![on("r1")])]);
    assert!(
        !gap.state.runners.contains_key("r2"),
        "forgotten once confirmed"
    );
    assert_eq!(gap.log, ["outage_opened:r2", "outage_resolved:r2"]);
    assert_eq!(gap.state.record.clock_jump_at, None);
}

#[test]
fn duplicate_names_keep_the_newest_id() {
    for listing in [
        vec![with_id(off("r1"), 3), with_id(on("r1"), 9)],
        vec![with_id(on("r1"), 9), with_id(off("r1"), 3)],
    ] {
        let mut sim = Sim::new(policy());
        let plan = sim
            .observe(
                0,
                Ok(Observation {
                    runners: listing.clone(),
                }),
            )
            .clone();
        assert_eq!(plan.stats.runners_seen, 1);
        let puts = plan
            .changes
            .iter()
            .filter(|c| matches!(c, Change::PutRunner(_)))
            .count();
        assert_eq!(puts, 1, "one record per name: {plan:?}");
        assert_eq!(sim.state.runners["r1"].id, 9);
        assert_eq!(sim.state.runners["r1"].status, RunnerStatus::Idle);
        // Listed the same way again: steady state.
        assert!(
            sim.observe(MIN, Ok(Observation { runners: listing }))
                .is_empty()
        );
    }
}

#[test]
fn old_scope_records_load_with_the_new_fields_empty() {
    let old = r#"{"last_success_at":"2026-01-01T00:00:00Z","failing_since":null,
        "last_failure":null,"degraded":null,"last_incident_id":3}"#;
    let record: ScopeRecord = serde_json::from_str(old).expect("old record");
    assert_eq!(record.suspect_since, None);
    assert_eq!(record.clock_jump_at, None);
    assert_eq!(record.recorded_at(), Some(t(0)));
}
