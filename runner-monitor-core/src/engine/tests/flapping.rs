//! Table-driven tests of the flapping rule (`flap_count`, `flap_window`, `flap_settle`).

use super::*;

/// The default policy: 3 outages within 30 min flap, settled after 15 min, open_after 2 min.
fn flappy() -> Policy {
    Policy::default()
}

/// `n` minutes of `listing`, one observation a minute.
fn minutes(n: i64, listing: &[ObservedRunner]) -> Vec<Step> {
    (0..n).map(|_| List(MIN, listing.to_vec())).collect()
}

/// `cycles` times: runner `a` online for `up` minutes, then offline for `down` (b stays online).
fn cycles(cycles: usize, up: i64, down: i64) -> Vec<Step> {
    (0..cycles)
        .flat_map(|_| {
            let mut steps = minutes(up, &[on("a"), on("b")]);
            steps.extend(minutes(down, &[off("a"), on("b")]));
            steps
        })
        .collect()
}

fn steps(parts: Vec<Vec<Step>>) -> Vec<Step> {
    parts.into_iter().flatten().collect()
}

fn start() -> Vec<Step> {
    vec![List(0, vec![on("a"), on("b")])]
}

#[test]
fn rule_flapping_runner_is_told_once_then_settles() {
    check(vec![
        Case {
            name: "down 4 of every 5 min for 75 min, then up: 2 outages, flapping, stable",
            policy: flappy(),
            steps: steps(vec![
                start(),
                cycles(15, 1, 4),
                minutes(30, &[on("a"), on("b")]),
            ]),
            notified: &[
                "outage_opened:a",
                "outage_resolved:a",
                "outage_opened:a",
                "outage_resolved:a",
                "runner_flapping:a",
                "runner_stable:a",
            ],
            open: &[],
        },
        Case {
            name: "flapping, then settles down: its open outage is told, then its end",
            policy: flappy(),
            steps: steps(vec![
                start(),
                cycles(5, 1, 4),
                minutes(30, &[off("a"), on("b")]),
                minutes(5, &[on("a"), on("b")]),
            ]),
            notified: &[
                "outage_opened:a",
                "outage_resolved:a",
                "outage_opened:a",
                "outage_resolved:a",
                "runner_flapping:a",
                "outage_opened:a",
                "outage_resolved:a",
            ],
            open: &[],
        },
        Case {
            name: "still down at the end: settled down, told once, still open",
            policy: flappy(),
            steps: steps(vec![
                start(),
                cycles(4, 1, 4),
                minutes(60, &[off("a"), on("b")]),
            ]),
            notified: &[
                "outage_opened:a",
                "outage_resolved:a",
                "outage_opened:a",
                "outage_resolved:a",
                "runner_flapping:a",
                "outage_opened:a",
            ],
            open: &["a"],
        },
        Case {
            name: "outages further apart than the window never flap",
            policy: flappy(),
            steps: steps(vec![start(), cycles(4, 26, 4)]),
            notified: &[
                "outage_opened:a",
                "outage_resolved:a",
                "outage_opened:a",
                "outage_resolved:a",
                "outage_opened:a",
                "outage_resolved:a",
                "outage_opened:a",
            ],
            open: &["a"],
        },
        Case {
            name: "flap_count = 0 turns the rule off: every outage told",
            policy: Policy {
                flap_count: 0,
                ..flappy()
            },
            steps: steps(vec![
                start(),
                cycles(3, 1, 4),
                minutes(1, &[on("a"), on("b")]),
            ]),
            notified: &[
                "outage_opened:a",
                "outage_resolved:a",
                "outage_opened:a",
                "outage_resolved:a",
                "outage_opened:a",
                "outage_resolved:a",
            ],
            open: &[],
        },
        Case {
            name: "flap_count = 2: the second outage is the flapping notice",
            policy: Policy {
                flap_count: 2,
                ..flappy()
            },
            steps: steps(vec![
                start(),
                cycles(15, 1, 4),
                minutes(30, &[on("a"), on("b")]),
            ]),
            notified: &[
                "outage_opened:a",
                "outage_resolved:a",
                "runner_flapping:a",
                "runner_stable:a",
            ],
            open: &[],
        },
        Case {
            name: "up again, but shorter than flap_settle each time: stays flapping, silent",
            policy: flappy(),
            steps: steps(vec![start(), cycles(3, 1, 4), cycles(3, 10, 4)]),
            notified: &[
                "outage_opened:a",
                "outage_resolved:a",
                "outage_opened:a",
                "outage_resolved:a",
                "runner_flapping:a",
            ],
            open: &["a"],
        },
        Case {
            name: "short blips below open_after open nothing and never count",
            policy: flappy(),
            steps: steps(vec![start(), cycles(15, 4, 1)]),
            notified: &[],
            open: &[],
        },
    ]);
}

#[test]
fn flapping_runner_gets_no_reminders_until_it_settles() {
    check(vec![Case {
        name: "remind_every 10 min: no reminder while flapping; after settling down they resume",
        policy: Policy {
            remind_every: Some(Duration::from_secs(600)),
            ..flappy()
        },
        steps: steps(vec![
            start(),
            cycles(3, 1, 4),
            minutes(26, &[off("a"), on("b")]),
        ]),
        notified: &[
            "outage_opened:a",
            "outage_resolved:a",
            "outage_opened:a",
            "outage_resolved:a",
            "runner_flapping:a",
            // Down since minute 12, opened (held) at 14 with the flapping notice; settled down
            // at 29 (15 min after it) and told; reminded at 39, 10 min after the told opening
            // (not at 24 or 30, counting from the held one).
            "outage_opened:a",
            "outage_reminder:a",
        ],
        open: &["a"],
    }]);
}

#[test]
fn flapping_notice_and_history() {
    let mut sim = Sim::new(flappy());
    sim.run(steps(vec![
        start(),
        cycles(15, 1, 4),
        minutes(30, &[on("a"), on("b")]),
    ]));
    let notes: Vec<_> = sim.plans.iter().flat_map(|p| &p.notifications).collect();
    let flapping = notes
        .iter()
        .find(|n| n.kind_name() == "runner_flapping")
        .expect("flapping");
    let NotificationKind::RunnerFlapping {
        runner,
        outage,
        outages,
        window,
        since,
    } = &flapping.kind
    else {
        panic!("{flapping:?}");
    };
    assert_eq!(runner.name, "a");
    assert_eq!((*outage, *outages), (3, 3), "the third outage made it flap");
    assert_eq!(*window, Duration::from_secs(1800));
    assert_eq!(*since, flapping.at);
    let stable = notes.last().expect("stable");
    let NotificationKind::RunnerStable {
        since: stable_since,
        duration,
        ..
    } = &stable.kind
    else {
        panic!("{stable:?}");
    };
    assert_eq!(stable_since, since);
    assert_eq!(
        stable.incident_key(),
        flapping.incident_key(),
        "one incident"
    );
    assert_eq!(
        flapping.incident_key(),
        format!("acme/api/runner:a/flapping:{}", since.timestamp())
    );
    assert!(*duration >= Duration::from_secs(60 * 60), "{duration:?}");
    // History still records every outage: 15 opened, all resolved.
    let opened = sim
        .plans
        .iter()
        .flat_map(|p| &p.changes)
        .filter(|c| matches!(c, Change::OpenOutage(o) if o.runner == "a"))
        .count();
    let resolved = sim
        .plans
        .iter()
        .flat_map(|p| &p.changes)
        .filter(|c| matches!(c, Change::ResolveOutage { runner, .. } if runner == "a"))
        .count();
    assert_eq!((opened, resolved), (15, 15));
    assert_eq!(sim.state.next_outage_id("a"), 16);
    let record = &sim.state.runners["a"];
    assert!(
        !record.is_flapping() && record.flap_opens.is_empty(),
        "{record:?}"
    );
}

#[test]
fn flap_state_is_written_only_when_it_changes() {
    let mut sim = Sim::new(flappy());
    sim.run(steps(vec![start(), cycles(3, 1, 4)]));
    // A flapping runner that stays down writes nothing more until it settles.
    assert!(sim.state.runners["a"].is_flapping());
    let down = || {
        Ok(Observation {
            runners: vec![off("a"), on("b")],
        })
    };
    for _ in 0..10 {
        let plan = sim.observe(MIN, down());
        let runner_writes = plan
            .changes
            .iter()
            .filter(|c| !matches!(c, Change::PutScope(_) | Change::ExpireHistory { .. }));
        assert_eq!(runner_writes.count(), 0, "{plan:?}");
    }
    // Each told opening wrote the record once (its flap_opens); the third wrote flapping_since.
    let puts = |plans: &[Plan]| {
        plans
            .iter()
            .flat_map(|p| &p.changes)
            .filter(|c| matches!(c, Change::PutRunner(r) if r.name == "a"))
            .count()
    };
    let mut steady = Sim::new(Policy {
        flap_count: 0,
        ..flappy()
    });
    steady.run(steps(vec![start(), cycles(3, 1, 4)]));
    assert_eq!(
        puts(&sim.plans) - puts(&steady.plans),
        3,
        "one extra write per opening: 2 told, 1 flapping"
    );
}

#[test]
fn flapping_runner_removed_or_forgotten_tells_no_held_outage() {
    check(vec![
        Case {
            name: "flapping and up, then deregistered: only the removal notice",
            policy: flappy(),
            steps: steps(vec![
                start(),
                cycles(3, 1, 4),
                minutes(1, &[on("a"), on("b")]),
                minutes(5, &[on("b")]),
            ]),
            notified: &[
                "outage_opened:a",
                "outage_resolved:a",
                "outage_opened:a",
                "outage_resolved:a",
                "runner_flapping:a",
                "runners_removed:removal",
            ],
            open: &[],
        },
        Case {
            name: "flapping and down, then missing past forget_after: the held outage ends silently",
            policy: Policy {
                removed_runners: RemovedRunners::Outage,
                forget_after: Duration::from_secs(10 * 60),
                flap_settle: Duration::from_secs(3600),
                ..flappy()
            },
            steps: steps(vec![start(), cycles(3, 1, 4), minutes(20, &[on("b")])]),
            notified: &[
                "outage_opened:a",
                "outage_resolved:a",
                "outage_opened:a",
                "outage_resolved:a",
                "runner_flapping:a",
            ],
            open: &[],
        },
    ]);
}
