//! Table-driven tests of the removed-runners rule (`removed_runners`, default `notice`).

use super::*;

/// The default policy, whose `removed_runners` is `notice`.
fn notice() -> Policy {
    Policy::default()
}

/// `n` minutes of `listing`, one observation a minute.
fn minutes(n: i64, listing: &[ObservedRunner]) -> Vec<Step> {
    (0..n).map(|_| List(MIN, listing.to_vec())).collect()
}

fn steps(parts: Vec<Vec<Step>>) -> Vec<Step> {
    parts.into_iter().flatten().collect()
}

#[test]
fn rule_deregistered_runner_is_one_notice_not_an_outage() {
    check(vec![
        Case {
            name: "an online runner deregistered: one notice after the second listing without it",
            policy: notice(),
            steps: steps(vec![
                vec![List(0, vec![on("a"), on("b")])],
                minutes(60, &[on("b")]),
            ]),
            notified: &["runners_removed:removal"],
            open: &[],
        },
        Case {
            name: "one listing briefly lacking a runner removes nothing",
            policy: notice(),
            steps: steps(vec![
                vec![List(0, vec![on("a"), on("b")])],
                minutes(1, &[on("b")]),
                minutes(60, &[on("a"), on("b")]),
            ]),
            notified: &[],
            open: &[],
        },
        Case {
            name: "three of eight runners deregistered together (not a suspect drop): one notice",
            policy: notice(),
            steps: steps(vec![
                vec![List(
                    0,
                    ["a", "b", "c", "d", "e", "f", "g", "h"].map(on).to_vec(),
                )],
                minutes(30, &["d", "e", "f", "g", "h"].map(on)),
            ]),
            notified: &["runners_removed:removal"],
            open: &[],
        },
        Case {
            name: "an offline runner whose outage is open keeps it when it disappears",
            policy: notice(),
            steps: steps(vec![
                vec![List(0, vec![on("a"), on("b")])],
                minutes(30, &[off("a"), on("b")]),
                minutes(60, &[on("b")]),
            ]),
            notified: &["outage_opened:a"],
            open: &["a"],
        },
        Case {
            name: "an offline runner deregistered before its outage opened: notice only",
            policy: notice(),
            steps: steps(vec![
                vec![List(0, vec![on("a"), on("b")])],
                minutes(2, &[off("a"), on("b")]),
                minutes(60, &[on("b")]),
            ]),
            notified: &["runners_removed:removal"],
            open: &[],
        },
        Case {
            name: "an ephemeral runner finishing its job is forgotten silently",
            policy: notice(),
            steps: steps(vec![
                vec![List(0, vec![eph("e1"), on("b")])],
                minutes(60, &[on("b")]),
            ]),
            notified: &[],
            open: &[],
        },
    ]);
}

#[test]
fn rule_removed_runners_outage_keeps_the_old_behaviour() {
    check(vec![Case {
        name: "removed_runners = outage: a missing runner opens an outage",
        policy: Policy {
            removed_runners: RemovedRunners::Outage,
            ..notice()
        },
        steps: steps(vec![
            vec![List(0, vec![on("a"), on("b")])],
            minutes(60, &[on("b")]),
        ]),
        notified: &["outage_opened:a"],
        open: &["a"],
    }]);
}

#[test]
fn deregistered_notice_names_every_runner_once() {
    let mut sim = Sim::new(notice());
    sim.run(steps(vec![
        vec![List(0, vec![on("a"), on("b"), on("c"), on("d")])],
        minutes(5, &[on("d")]),
    ]));
    let notices: Vec<_> = sim
        .plans
        .iter()
        .flat_map(|plan| &plan.notifications)
        .collect();
    assert_eq!(notices.len(), 1, "one notice for the scope");
    let NotificationKind::RunnersRemoved {
        runners,
        deregistered,
        known,
        ..
    } = &notices[0].kind
    else {
        panic!("expected runners_removed, got {:?}", notices[0].kind);
    };
    assert!(deregistered, "marked as deregistered, not a suspect drop");
    assert_eq!(
        *known, 1,
        "known: listed at the previous observation (only d)"
    );
    let names: Vec<_> = runners.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["a", "b", "c"]);
    assert_eq!(
        sim.state.runners.len(),
        1,
        "the deregistered runners are forgotten"
    );
}
