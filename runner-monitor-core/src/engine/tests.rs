//! Engine tests: a table-driven test per rule, one regression test per engine-level defect of the
//! original monitor, and property tests over random sequences.

use std::time::Duration;

use chrono::{TimeZone, Utc};
use proptest::prelude::*;

use super::*;
use crate::model::{
    Change, ListedStatus, NotificationKind, Observation, ObservedRunner, RemovedRunners,
    Resolution, RunnerStatus, Scope, ScopeState, Timestamp,
};
use crate::ports::SourceError;

const MIN: i64 = 60;

fn t(seconds: i64) -> Timestamp {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .expect("time")
        + chrono::Duration::seconds(seconds)
}

fn runner(name: &str, id: u64, online: bool, busy: bool, ephemeral: bool) -> ObservedRunner {
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
        labels: vec!["self-hosted".to_owned()],
        ephemeral,
        group_id: None,
    }
}
fn on(name: &str) -> ObservedRunner {
    runner(name, 1, true, false, false)
}
fn off(name: &str) -> ObservedRunner {
    runner(name, 1, false, false, false)
}
fn busy(name: &str) -> ObservedRunner {
    runner(name, 1, true, true, false)
}
fn eph(name: &str) -> ObservedRunner {
    runner(name, 1, true, false, true)
}
fn with_id(mut r: ObservedRunner, id: u64) -> ObservedRunner {
    r.id = id;
    r
}

fn unavailable() -> SourceError {
    SourceError::Unavailable {
        message: "HTTP 502".into(),
    }
}

/// One step of a scenario: wait `after` seconds, then observe.
enum Step {
    List(i64, Vec<ObservedRunner>),
    Fail(i64, SourceError),
}
use Step::{Fail, List};

/// Replays steps against an in-memory state (using the store rules of `ScopeState::apply`).
struct Sim {
    state: ScopeState,
    policy: Policy,
    now: i64,
    /// `kind:runner` (or `kind:source`) of every notification, in order.
    log: Vec<String>,
    plans: Vec<Plan>,
}

impl Sim {
    fn new(policy: Policy) -> Self {
        Sim {
            state: ScopeState::empty(Scope::repo("acme", "api")),
            policy,
            now: 0,
            log: Vec::new(),
            plans: Vec::new(),
        }
    }

    fn observe(&mut self, after: i64, observed: Result<Observation, SourceError>) -> &Plan {
        self.now += after;
        let plan = reconcile(&self.state, &observed, &self.policy, t(self.now));
        self.state
            .apply(&plan.changes)
            .expect("the engine's plan obeys the store rules");
        self.state.version += u64::from(!plan.changes.is_empty());
        for n in &plan.notifications {
            let who = n.runner().map_or_else(|| n.subject(), |r| r.name.clone());
            self.log.push(format!("{}:{who}", n.kind_name()));
        }
        self.plans.push(plan);
        self.plans.last().expect("just pushed")
    }

    fn run(&mut self, steps: Vec<Step>) {
        for step in steps {
            match step {
                List(after, runners) => self.observe(after, Ok(Observation { runners })),
                Fail(after, error) => self.observe(after, Err(error)),
            };
        }
    }

    fn open(&self) -> Vec<String> {
        self.state.open_outages.keys().cloned().collect()
    }
}

struct Case {
    name: &'static str,
    policy: Policy,
    steps: Vec<Step>,
    notified: &'static [&'static str],
    open: &'static [&'static str],
}

fn check(cases: Vec<Case>) {
    for case in cases {
        let mut sim = Sim::new(case.policy);
        sim.run(case.steps);
        assert_eq!(sim.log, case.notified, "{}: notifications", case.name);
        assert_eq!(sim.open(), case.open, "{}: open outages", case.name);
    }
}

/// The default policy with `removed_runners = "outage"`: the absence rules below (absent is
/// unhealthy, forgotten after `forget_after`) are what that switch keeps; the default
/// (`notice`) has its own table in `tests/removed.rs`.
fn policy() -> Policy {
    Policy {
        removed_runners: RemovedRunners::Outage,
        ..Policy::default()
    }
}

#[test]
fn rule_outage_opens_after_open_after_and_resolves_when_healthy() {
    check(vec![
        Case {
            name: "offline for exactly open_after opens one outage",
            policy: policy(),
            steps: vec![
                List(0, vec![on("r1")]),
                List(MIN, vec![off("r1")]),
                List(MIN, vec![off("r1")]),
                List(MIN, vec![off("r1")]),
                List(MIN, vec![off("r1")]),
            ],
            notified: &["outage_opened:r1"],
            open: &["r1"],
        },
        Case {
            name: "offline shorter than open_after opens nothing",
            policy: policy(),
            steps: vec![
                List(0, vec![on("r1")]),
                List(MIN, vec![off("r1")]),
                List(MIN, vec![off("r1")]),
                List(MIN - 1, vec![on("r1")]),
            ],
            notified: &[],
            open: &[],
        },
        Case {
            name: "back online resolves at once (resolve_after 0)",
            policy: policy(),
            steps: vec![
                List(0, vec![on("r1")]),
                List(MIN, vec![off("r1")]),
                List(2 * MIN, vec![off("r1")]),
                List(MIN, vec![busy("r1")]),
            ],
            notified: &["outage_opened:r1", "outage_resolved:r1"],
            open: &[],
        },
        Case {
            name: "resolve_after waits for sustained health",
            policy: Policy {
                resolve_after: Duration::from_secs(5 * 60),
                ..policy()
            },
            steps: vec![
                List(0, vec![on("r1")]),
                List(MIN, vec![off("r1")]),
                List(2 * MIN, vec![off("r1")]),
                List(MIN, vec![on("r1")]),
                List(4 * MIN, vec![on("r1")]),
            ],
            notified: &["outage_opened:r1"],
            open: &["r1"],
        },
        Case {
            name: "resolve_after elapsed resolves",
            policy: Policy {
                resolve_after: Duration::from_secs(5 * 60),
                ..policy()
            },
            steps: vec![
                List(0, vec![on("r1")]),
                List(MIN, vec![off("r1")]),
                List(2 * MIN, vec![off("r1")]),
                List(MIN, vec![on("r1")]),
                List(5 * MIN, vec![on("r1")]),
            ],
            notified: &["outage_opened:r1", "outage_resolved:r1"],
            open: &[],
        },
        Case {
            name: "a relapse during resolve_after keeps the same outage",
            policy: Policy {
                resolve_after: Duration::from_secs(5 * 60),
                ..policy()
            },
            steps: vec![
                List(0, vec![on("r1")]),
                List(MIN, vec![off("r1")]),
                List(2 * MIN, vec![off("r1")]),
                List(MIN, vec![on("r1")]),
                List(MIN, vec![off("r1")]),
                List(10 * MIN, vec![off("r1")]),
            ],
            notified: &["outage_opened:r1"],
            open: &["r1"],
        },
        Case {
            name: "a second outage after recovery gets the next id",
            policy: policy(),
            steps: vec![
                List(0, vec![on("r1")]),
                List(MIN, vec![off("r1")]),
                List(2 * MIN, vec![off("r1")]),
                List(MIN, vec![on("r1")]),
                List(MIN, vec![off("r1")]),
                List(2 * MIN, vec![off("r1")]),
            ],
            notified: &["outage_opened:r1", "outage_resolved:r1", "outage_opened:r1"],
            open: &["r1"],
        },
    ]);
}

#[test]
fn rule_second_outage_is_numbered_contiguously() {
    let mut sim = Sim::new(policy());
    sim.run(vec![
        List(0, vec![on("r1")]),
        List(MIN, vec![off("r1")]),
        List(2 * MIN, vec![off("r1")]),
        List(MIN, vec![on("r1")]),
        List(MIN, vec![off("r1")]),
        List(2 * MIN, vec![off("r1")]),
    ]);
    assert_eq!(sim.state.open_outages["r1"].id, 2);
    assert_eq!(
        sim.state.open_outages["r1"].started_at,
        t(5 * MIN),
        "started when it went down"
    );
}

#[test]
fn rule_new_runner_grace() {
    check(vec![
        Case {
            name: "a new runner listed offline gets new_runner_grace, not open_after",
            policy: policy(),
            steps: vec![
                List(0, vec![off("new")]),
                List(5 * MIN, vec![off("new")]),
                List(4 * MIN, vec![off("new")]),
            ],
            notified: &[],
            open: &[],
        },
        Case {
            name: "a new runner offline past the grace opens an outage",
            policy: policy(),
            steps: vec![
                List(0, vec![off("new")]),
                List(5 * MIN, vec![off("new")]),
                List(5 * MIN, vec![off("new")]),
            ],
            notified: &["outage_opened:new"],
            open: &["new"],
        },
        Case {
            name: "once healthy, open_after applies",
            policy: policy(),
            steps: vec![
                List(0, vec![off("new")]),
                List(MIN, vec![on("new")]),
                List(MIN, vec![off("new")]),
                List(2 * MIN, vec![off("new")]),
            ],
            notified: &["outage_opened:new"],
            open: &["new"],
        },
    ]);
}

#[test]
fn rule_absent_is_unhealthy() {
    check(vec![Case {
        name: "a non-ephemeral runner absent for open_after opens an outage with status UNKNOWN",
        policy: policy(),
        steps: vec![
            List(0, vec![on("r1"), on("r2")]),
            List(MIN, vec![on("r2")]),
            List(2 * MIN, vec![on("r2")]),
        ],
        notified: &["outage_opened:r1"],
        open: &["r1"],
    }]);
    let mut sim = Sim::new(policy());
    sim.run(vec![
        List(0, vec![on("r1")]),
        List(MIN, vec![]),
        List(2 * MIN, vec![]),
    ]);
    assert_eq!(sim.state.open_outages["r1"].trigger, RunnerStatus::Unknown);
    assert_eq!(sim.state.runners["r1"].status, RunnerStatus::Unknown);
}

#[test]
fn rule_ephemeral_and_forget() {
    check(vec![
        Case {
            name: "an ephemeral runner that leaves is forgotten silently",
            policy: policy(),
            steps: vec![
                List(0, vec![eph("job-1")]),
                List(MIN, vec![]),
                List(30 * MIN, vec![]),
            ],
            notified: &[],
            open: &[],
        },
        Case {
            name: "absent for forget_after: the outage resolves as removed and the runner is forgotten",
            policy: Policy {
                forget_after: Duration::from_secs(3600),
                ..policy()
            },
            steps: vec![
                List(0, vec![on("r1")]),
                List(MIN, vec![]),
                List(2 * MIN, vec![]),
                List(60 * MIN, vec![]),
            ],
            notified: &["outage_opened:r1", "outage_resolved:r1"],
            open: &[],
        },
    ]);
    let mut sim = Sim::new(Policy {
        forget_after: Duration::from_secs(3600),
        ..policy()
    });
    sim.run(vec![
        List(0, vec![on("r1"), eph("job")]),
        List(MIN, vec![]),
        List(2 * MIN, vec![]),
        List(60 * MIN, vec![]),
    ]);
    assert!(sim.state.runners.is_empty(), "both forgotten");
    let removed = sim.plans.iter().flat_map(|p| &p.changes).any(|c| {
        matches!(
            c,
            Change::ResolveOutage {
                resolution: Resolution::Removed,
                ..
            }
        )
    });
    assert!(removed, "resolved as removed");
    assert_eq!(
        sim.state.next_outage_id("r1"),
        2,
        "a returning name continues its numbering"
    );
}

#[test]
fn rule_reminders() {
    check(vec![
        Case {
            name: "reminders every remind_every while open",
            policy: Policy {
                remind_every: Some(Duration::from_secs(30 * 60)),
                ..policy()
            },
            steps: vec![
                List(0, vec![on("r1")]),
                List(MIN, vec![off("r1")]),
                List(2 * MIN, vec![off("r1")]),
                List(10 * MIN, vec![off("r1")]),
                List(20 * MIN, vec![off("r1")]),
                List(MIN, vec![off("r1")]),
                List(30 * MIN, vec![off("r1")]),
                List(MIN, vec![on("r1")]),
            ],
            notified: &[
                "outage_opened:r1",
                "outage_reminder:r1",
                "outage_reminder:r1",
                "outage_resolved:r1",
            ],
            open: &[],
        },
        Case {
            name: "no reminders by default",
            policy: policy(),
            steps: vec![
                List(0, vec![on("r1")]),
                List(MIN, vec![off("r1")]),
                List(2 * MIN, vec![off("r1")]),
                List(600 * MIN, vec![off("r1")]),
            ],
            notified: &["outage_opened:r1"],
            open: &["r1"],
        },
    ]);
}

#[test]
fn rule_monitoring_degraded_and_restored() {
    check(vec![
        Case {
            name: "failing for source_alert_after raises one degraded, success one restored",
            policy: policy(),
            steps: vec![
                List(0, vec![on("r1")]),
                Fail(MIN, unavailable()),
                Fail(10 * MIN, unavailable()),
                Fail(5 * MIN, unavailable()),
                Fail(
                    5 * MIN,
                    SourceError::RateLimited {
                        retry_after: Duration::from_secs(60),
                    },
                ),
                List(MIN, vec![on("r1")]),
                List(MIN, vec![on("r1")]),
            ],
            notified: &["monitoring_degraded:source", "monitoring_restored:source"],
            open: &[],
        },
        Case {
            name: "short failures are silent",
            policy: policy(),
            steps: vec![
                List(0, vec![on("r1")]),
                Fail(MIN, unavailable()),
                Fail(10 * MIN, unavailable()),
                List(MIN, vec![on("r1")]),
            ],
            notified: &[],
            open: &[],
        },
    ]);
}

#[test]
fn rule_failed_observation_changes_no_runner() {
    let mut sim = Sim::new(policy());
    sim.run(vec![List(0, vec![on("r1")]), List(MIN, vec![off("r1")])]);
    let before = sim.state.runners.clone();
    sim.run(vec![
        Fail(60 * MIN, unavailable()),
        Fail(60 * MIN, unavailable()),
    ]);
    assert_eq!(sim.state.runners, before, "no data is not offline");
    assert!(
        sim.state.open_outages.is_empty(),
        "no outage opens without data"
    );
    for plan in &sim.plans[2..] {
        assert!(
            plan.changes
                .iter()
                .all(|c| matches!(c, Change::PutScope(_))),
            "{plan:?}"
        );
    }
}

#[test]
fn rule_steady_state_writes_only_a_heartbeat() {
    let mut sim = Sim::new(policy());
    sim.run(vec![List(0, vec![on("r1"), busy("r2")])]);
    for _ in 0..9 {
        let plan = sim.observe(
            MIN,
            Ok(Observation {
                runners: vec![on("r1"), busy("r2")],
            }),
        );
        assert!(plan.is_empty(), "steady state writes nothing: {plan:?}");
    }
    let plan = sim.observe(
        MIN,
        Ok(Observation {
            runners: vec![on("r1"), busy("r2")],
        }),
    );
    assert!(
        plan.changes
            .iter()
            .all(|c| matches!(c, Change::PutScope(_) | Change::ExpireHistory { .. })),
        "after heartbeat_every only the heartbeat (and history expiry) is written: {plan:?}"
    );
    assert!(!plan.changes.is_empty());
    assert!(plan.notifications.is_empty());
}

#[test]
fn rule_visible_changes_are_written_silently() {
    let mut sim = Sim::new(policy());
    sim.run(vec![List(0, vec![on("r1")])]);
    let mut relabeled = on("r1");
    relabeled.labels.push("gpu".into());
    let plan = sim
        .observe(
            MIN,
            Ok(Observation {
                runners: vec![relabeled],
            }),
        )
        .clone();
    assert!(plan.notifications.is_empty());
    assert!(
        matches!(&plan.changes[0], Change::PutRunner(r) if r.labels.contains(&"gpu".to_owned()))
    );
    let plan = sim
        .observe(
            MIN,
            Ok(Observation {
                runners: vec![busy("r1")],
            }),
        )
        .clone();
    assert!(
        plan.notifications.is_empty(),
        "busy/idle is a status change, not an alert"
    );
    assert!(matches!(&plan.changes[0], Change::PutRunner(r) if r.status == RunnerStatus::Busy));
}

// --- Regressions: one per engine-level defect of the original monitor ---

/// Defect 2: re-registration under the same name gave a false alert and an orphan outage.
#[test]
fn regression_2_reregistration_is_silent_and_leaves_nothing_open() {
    check(vec![
        Case {
            name: "same name, new id, online",
            policy: policy(),
            steps: vec![
                List(0, vec![on("r1")]),
                List(MIN, vec![with_id(on("r1"), 2)]),
                List(MIN, vec![with_id(on("r1"), 2)]),
            ],
            notified: &[],
            open: &[],
        },
        Case {
            name: "removed, re-registered offline, then online",
            policy: policy(),
            steps: vec![
                List(0, vec![on("r1")]),
                List(30, vec![]),
                List(30, vec![with_id(off("r1"), 2)]),
                List(30, vec![with_id(off("r1"), 2)]),
                List(30, vec![with_id(on("r1"), 2)]),
            ],
            notified: &[],
            open: &[],
        },
    ]);
    let mut sim = Sim::new(policy());
    sim.run(vec![
        List(0, vec![on("r1")]),
        List(MIN, vec![with_id(on("r1"), 2)]),
    ]);
    assert_eq!(sim.state.runners["r1"].id, 2);
    assert_eq!(sim.state.runners["r1"].previous_ids, [1]);
    assert_eq!(sim.state.runners.len(), 1, "one record per name");
}

/// Defect 3: ephemeral runners alerted every time they finished.
#[test]
fn regression_3_ephemeral_runner_leaving_is_silent() {
    let mut sim = Sim::new(policy());
    for i in 0..5u64 {
        let name = format!("job-{i}");
        sim.observe(
            MIN,
            Ok(Observation {
                runners: vec![with_id(eph(&name), i + 10)],
            }),
        );
        sim.observe(MIN, Ok(Observation { runners: vec![] }));
    }
    sim.observe(60 * MIN, Ok(Observation { runners: vec![] }));
    assert!(sim.log.is_empty(), "{:?}", sim.log);
    assert!(sim.state.runners.is_empty(), "records do not pile up");
}

/// Defect 4: UNKNOWN -> OFFLINE opened a second outage; only one may ever be open.
#[test]
fn regression_4_offline_to_missing_never_opens_a_second_outage() {
    let mut sim = Sim::new(policy());
    sim.run(vec![
        List(0, vec![on("r1")]),
        List(MIN, vec![off("r1")]),
        List(2 * MIN, vec![off("r1")]),
        List(5 * MIN, vec![]),
        List(5 * MIN, vec![]),
        List(5 * MIN, vec![off("r1")]),
        List(5 * MIN, vec![]),
        List(5 * MIN, vec![on("r1")]),
    ]);
    assert_eq!(sim.log, ["outage_opened:r1", "outage_resolved:r1"]);
    let opened = sim
        .plans
        .iter()
        .flat_map(|p| &p.changes)
        .filter(|c| matches!(c, Change::OpenOutage(_)))
        .count();
    assert_eq!(opened, 1, "exactly one outage for one continuous period");
}

/// Defect 13: a self-update restart paged someone twice.
#[test]
fn regression_13_sixty_second_self_update_restart_alerts_nothing() {
    check(vec![
        Case {
            name: "one poll offline (60 s cycle)",
            policy: policy(),
            steps: vec![
                List(0, vec![on("r1")]),
                List(MIN, vec![off("r1")]),
                List(MIN, vec![on("r1")]),
            ],
            notified: &[],
            open: &[],
        },
        Case {
            name: "seen offline twice within 60 s (30 s cycle)",
            policy: policy(),
            steps: vec![
                List(0, vec![on("r1")]),
                List(30, vec![off("r1")]),
                List(30, vec![off("r1")]),
                List(30, vec![on("r1")]),
            ],
            notified: &[],
            open: &[],
        },
        Case {
            name: "absent during the restart",
            policy: policy(),
            steps: vec![
                List(0, vec![on("r1")]),
                List(MIN, vec![]),
                List(MIN, vec![on("r1")]),
            ],
            notified: &[],
            open: &[],
        },
    ]);
}

/// Defect 14: every runner was written on every run.
#[test]
fn regression_14_unchanged_listing_produces_an_empty_plan() {
    let mut sim = Sim::new(policy());
    let fleet: Vec<ObservedRunner> = (0..50).map(|i| on(&format!("r{i}"))).collect();
    sim.observe(
        0,
        Ok(Observation {
            runners: fleet.clone(),
        }),
    );
    let plan = sim.observe(MIN, Ok(Observation { runners: fleet }));
    assert_eq!(
        plan,
        &Plan {
            stats: PlanStats {
                runners_seen: 50,
                ..PlanStats::default()
            },
            ..Plan::default()
        }
    );
}

#[test]
fn orphan_open_outage_without_a_record_is_resolved_as_removed() {
    let mut sim = Sim::new(policy());
    sim.run(vec![
        List(0, vec![on("r1")]),
        List(MIN, vec![off("r1")]),
        List(2 * MIN, vec![off("r1")]),
    ]);
    sim.state.runners.clear(); // as an older store might leave it
    sim.run(vec![List(MIN, vec![])]);
    assert_eq!(sim.log, ["outage_opened:r1", "outage_resolved:r1"]);
    assert!(sim.state.open_outages.is_empty());
}

#[test]
fn notification_contents() {
    let mut sim = Sim::new(policy());
    sim.run(vec![
        List(0, vec![on("r1")]),
        List(MIN, vec![off("r1")]),
        List(2 * MIN, vec![off("r1")]),
        List(7 * MIN, vec![busy("r1")]),
    ]);
    let opened = &sim.plans[2].notifications[0];
    let NotificationKind::OutageOpened { outage, runner } = &opened.kind else {
        panic!("{opened:?}")
    };
    assert_eq!(
        (outage.id, outage.trigger, outage.started_at),
        (1, RunnerStatus::Offline, t(MIN))
    );
    assert_eq!(outage.description, "Runner r1 entered Offline state");
    assert_eq!(runner.status, RunnerStatus::Offline);
    assert_eq!(opened.at, t(3 * MIN));
    let resolved = &sim.plans[3].notifications[0];
    let NotificationKind::OutageResolved {
        outage,
        duration,
        runner,
    } = &resolved.kind
    else {
        panic!()
    };
    assert_eq!(
        *duration,
        Duration::from_secs(9 * 60),
        "from going down to coming back"
    );
    assert_eq!(
        outage.resolution,
        Some(Resolution::Recovered(RunnerStatus::Busy))
    );
    assert_eq!(runner.status, RunnerStatus::Busy);
    assert_eq!(
        opened.idempotency_key(),
        "acme/api/runner:r1/outage:1/outage_opened"
    );
    assert_eq!(
        resolved.idempotency_key(),
        "acme/api/runner:r1/outage:1/outage_resolved"
    );
    assert_eq!(opened.incident_key(), resolved.incident_key());
}

#[test]
fn reconcile_is_deterministic_and_idempotent() {
    let mut sim = Sim::new(policy());
    sim.run(vec![
        List(0, vec![on("r1"), on("r2")]),
        List(MIN, vec![off("r1")]),
    ]);
    let obs = Ok(Observation {
        runners: vec![off("r1")],
    });
    let a = reconcile(&sim.state, &obs, &sim.policy, t(10 * MIN));
    let b = reconcile(&sim.state, &obs, &sim.policy, t(10 * MIN));
    assert_eq!(a, b);
    let mut state = sim.state.clone();
    state.apply(&a.changes).expect("apply");
    let again = reconcile(&state, &obs, &sim.policy, t(10 * MIN));
    assert!(
        again.notifications.is_empty(),
        "a committed plan is not planned twice: {again:?}"
    );
}

// --- Property tests ---

#[derive(Debug, Clone)]
enum PStep {
    Fail(u8),
    List(Vec<(usize, bool, bool, u64)>),
    /// `a`, `b` and `c` listed online, `a` offline when set: a runner going up and down (flapping).
    Flap(bool),
}

const NAMES: [&str; 4] = ["a", "b", "c", "eph"];

fn step_strategy() -> impl Strategy<Value = (i64, PStep)> {
    let listing =
        proptest::collection::vec((0usize..4, any::<bool>(), any::<bool>(), 1u64..4), 0..8)
            .prop_map(PStep::List);
    let failure = (0u8..3).prop_map(PStep::Fail);
    // Mostly forward, sometimes backwards (clock steps, commit losers), rarely far jumps.
    let after = prop_oneof![
        16 => 0i64..900,
        3 => -900i64..0,
        1 => Just(40 * 86_400i64),
        1 => Just(-40 * 86_400i64),
    ];
    // Runner `a` going up and down every few minutes: flapping.
    let flap = (30i64..400, any::<bool>().prop_map(PStep::Flap));
    prop_oneof![
        4 => (after.clone(), listing),
        1 => (after, failure),
        6 => flap,
    ]
}

fn policies() -> impl Strategy<Value = Policy> {
    (
        0u64..600,
        0u64..300,
        prop::option::of(60u64..3600),
        600u64..7200,
        (
            1usize..6,
            prop_oneof![Just(50u8), Just(0u8), Just(100u8)],
            0u64..7200,
        ),
        prop_oneof![Just(RemovedRunners::Notice), Just(RemovedRunners::Outage)],
        // Flapping: off, or 2-4 outages within 10 min - 2 h, settling after 1 s - 1 h.
        (
            prop_oneof![1 => Just(0u32), 3 => 2u32..5],
            600u64..7200,
            1u64..3600,
        ),
        prop::option::of((1usize..4, any::<bool>(), 0u64..600)),
    )
        .prop_map(
            |(
                open,
                resolve,
                remind,
                forget,
                (min_known, percent, accept),
                removed_runners,
                (flap_count, flap_window, flap_settle),
                pool,
            )| {
                Policy {
                    removed_runners,
                    flap_count,
                    flap_window: Duration::from_secs(flap_window),
                    flap_settle: Duration::from_secs(flap_settle),
                    // A pool over the runners' common label: min_online or min_idle, any `for`.
                    pools: pool
                        .map(|(minimum, idle, below_for)| crate::Pool {
                            name: "p".into(),
                            labels: vec!["SELF-HOSTED".into()],
                            scopes: Vec::new(),
                            min_online: (!idle).then_some(minimum),
                            min_idle: idle.then_some(minimum),
                            below_for: Duration::from_secs(below_for),
                        })
                        .into_iter()
                        .collect(),
                    suspect_drop: crate::SuspectDrop {
                        min_known,
                        percent,
                        accept_after: Duration::from_secs(accept),
                    },
                    open_after: Duration::from_secs(open),
                    new_runner_grace: Duration::from_secs(open * 2),
                    resolve_after: Duration::from_secs(resolve),
                    remind_every: remind.map(Duration::from_secs),
                    forget_after: Duration::from_secs(forget.max(open * 2)),
                    source_alert_after: Duration::from_secs(open),
                    ..Policy::default()
                }
            },
        )
}

/// Mostly a flapping runner `a` (up and down every few minutes), time moving forward only, with
/// some failures and random listings: the flapping rule's own stress.
fn flapping_step_strategy() -> impl Strategy<Value = (i64, PStep)> {
    let listing =
        proptest::collection::vec((0usize..4, any::<bool>(), any::<bool>(), 1u64..4), 0..8)
            .prop_map(PStep::List);
    prop_oneof![
        1 => (0i64..900, listing),
        1 => (0i64..900, (0u8..3).prop_map(PStep::Fail)),
        12 => (30i64..400, any::<bool>().prop_map(PStep::Flap)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn invariants_hold_over_random_sequences(policy in policies(), steps in proptest::collection::vec(step_strategy(), 1..40)) {
        check_invariants(&policy, steps)?;
    }

    #[test]
    fn invariants_hold_while_flapping(policy in policies(), steps in proptest::collection::vec(flapping_step_strategy(), 1..60)) {
        check_invariants(&policy, steps)?;
    }
}

/// Runs `steps` from an empty scope, checking every invariant after each observation.
fn check_invariants(policy: &Policy, steps: Vec<(i64, PStep)>) -> Result<(), TestCaseError> {
    let policy = policy.clone();
    {
        let mut state = ScopeState::empty(Scope::org("acme"));
        let mut pool_state = ScopeState::empty(Scope::pool("p"));
        let mut now = 0i64;
        // runner -> (open outage id, last id ever)
        let mut last_ids: std::collections::BTreeMap<String, u64> = Default::default();
        // (runner, outage id) whose opening was told.
        let mut told: std::collections::BTreeSet<(String, u64)> = Default::default();
        // A flapping step going down is observed twice, `open_after` apart, so it opens.
        let open_after = i64::try_from(policy.open_after.as_secs()).unwrap_or(0);
        let steps = steps.into_iter().flat_map(|(after, step)| match step {
            PStep::Flap(true) => vec![
                (after, PStep::Flap(true)),
                (open_after + 1, PStep::Flap(true)),
            ],
            step => vec![(after, step)],
        });
        for (after, step) in steps {
            now += after;
            let observed = match &step {
                PStep::Fail(kind) => Err(match kind {
                    0 => unavailable(),
                    1 => SourceError::Unauthorized {
                        message: "401".into(),
                    },
                    _ => SourceError::RateLimited {
                        retry_after: Duration::from_secs(60),
                    },
                }),
                // Names may repeat (a defective source): the highest id stands for the name.
                PStep::Flap(down) => Ok(Observation {
                    runners: vec![runner("a", 1, !*down, false, false), on("b"), on("c")],
                }),
                PStep::List(entries) => Ok(Observation {
                    runners: entries
                        .iter()
                        .map(|(name, online, busy, id)| {
                            runner(NAMES[*name], *id, *online, *busy, NAMES[*name] == "eph")
                        })
                        .collect(),
                }),
            };
            let plan = reconcile(&state, &observed, &policy, t(now));
            let before = state.clone();
            let older_than_state = before.record.recorded_at().is_some_and(|at| t(now) < at);
            // Every resolve matches an open outage and ids are contiguous: apply enforces both.
            prop_assert!(
                state.apply(&plan.changes).is_ok(),
                "plan breaks store rules: {plan:?}"
            );

            let count = |f: &dyn Fn(&Change) -> bool| plan.changes.iter().filter(|c| f(c)).count();
            let opened = count(&|c| matches!(c, Change::OpenOutage(_)));
            let resolved = count(&|c| matches!(c, Change::ResolveOutage { .. }));
            let reminded = count(&|c| matches!(c, Change::RecordReminder { .. }));
            let kinds = |k: &str| {
                plan.notifications
                    .iter()
                    .filter(|n| n.kind_name() == k)
                    .count()
            };
            // One runners_removed at most, and only with the runners it reports deleted.
            prop_assert!(kinds("runners_removed") <= 1);
            for n in &plan.notifications {
                if let NotificationKind::RunnersRemoved { runners, .. } = &n.kind {
                    prop_assert!(!runners.is_empty());
                    for r in runners {
                        prop_assert!(
                            before.runners.contains_key(&r.name)
                                && !state.runners.contains_key(&r.name)
                        );
                    }
                }
            }
            // No notification without the state change that it reports, and none about an
            // outage whose opening was held (flapping).
            prop_assert_eq!(kinds("outage_reminder"), reminded);
            let flapping =
                |s: &ScopeState, name: &str| s.runners.get(name).is_some_and(|r| r.is_flapping());
            let mut told_now = 0;
            for n in &plan.notifications {
                let name = n.runner().map(|r| r.name.clone()).unwrap_or_default();
                match &n.kind {
                    NotificationKind::OutageOpened { outage, .. } => {
                        prop_assert!(
                            state
                                .open_outages
                                .get(&name)
                                .is_some_and(|o| o.id == outage.id),
                            "told opening of an open outage"
                        );
                        prop_assert!(
                            told.insert((name.clone(), outage.id)),
                            "an opening told twice"
                        );
                        prop_assert!(!flapping(&state, &name), "no opening told while flapping");
                        told_now += 1;
                    }
                    NotificationKind::OutageResolved { outage, .. }
                    | NotificationKind::OutageReminder { outage, .. } => {
                        prop_assert!(
                            told.contains(&(name.clone(), outage.id)),
                            "message about an outage never told: {n:?}"
                        );
                    }
                    NotificationKind::RunnerFlapping { since, outage, .. } => {
                        prop_assert!(!flapping(&before, &name) && flapping(&state, &name));
                        prop_assert_eq!(*since, t(now));
                        prop_assert!(plan.changes.iter().any(|c| matches!(c, Change::OpenOutage(o) if o.runner == name && o.id == *outage)));
                    }
                    NotificationKind::RunnerStable { .. } => {
                        prop_assert!(flapping(&before, &name) && !flapping(&state, &name));
                        prop_assert!(
                            state.runners[&name].is_healthy()
                                && !state.open_outages.contains_key(&name)
                        );
                    }
                    _ => {}
                }
            }
            prop_assert!(kinds("runner_flapping") + kinds("runner_stable") <= NAMES.len());
            for change in &plan.changes {
                match change {
                    // An opening is told now, or held because the runner flaps.
                    Change::OpenOutage(o) => prop_assert!(
                        told.contains(&(o.runner.clone(), o.id)) || flapping(&state, &o.runner),
                        "opening neither told nor held: {plan:?}"
                    ),
                    Change::ResolveOutage { runner, id, .. } => {
                        let announced = told.contains(&(runner.clone(), *id));
                        let sent = plan.notifications.iter().any(|n| {
                            n.kind_name() == "outage_resolved"
                                && n.outage()
                                    .is_some_and(|o| &o.runner == runner && o.id == *id)
                        });
                        prop_assert_eq!(
                            announced,
                            sent,
                            "a told outage's end is told, a held one's is not"
                        );
                    }
                    _ => {}
                }
            }
            prop_assert!(kinds("outage_resolved") <= resolved);
            prop_assert!(told_now <= opened + NAMES.len());
            // A runner that is not flapping has every open outage told.
            for (name, o) in &state.open_outages {
                if state.runners.contains_key(name) && !flapping(&state, name) {
                    prop_assert!(
                        told.contains(&(name.clone(), o.id)),
                        "untold open outage of settled runner {name}"
                    );
                }
            }
            let source_notes = kinds("monitoring_degraded") + kinds("monitoring_restored");
            if source_notes > 0 {
                prop_assert!(
                    plan.changes
                        .iter()
                        .any(|c| matches!(c, Change::PutScope(_)))
                );
            }
            for change in &plan.changes {
                if let Change::OpenOutage(o) = change {
                    let last = last_ids.entry(o.runner.clone()).or_insert(0);
                    prop_assert_eq!(o.id, *last + 1, "outage ids contiguous");
                    *last = o.id;
                    prop_assert!(
                        !before.open_outages.contains_key(&o.runner),
                        "at most one open outage"
                    );
                }
            }
            if older_than_state {
                prop_assert!(
                    plan.is_empty(),
                    "an observation older than the state changes nothing: {plan:?}"
                );
            }
            if plan.hold.is_some() {
                prop_assert!(plan.notifications.is_empty());
                prop_assert!(
                    plan.changes
                        .iter()
                        .all(|c| matches!(c, Change::PutScope(_))),
                    "{plan:?}"
                );
            }
            if let (Ok(observation), None, None) = (&observed, &plan.hold, &plan.suspect) {
                for name in NAMES {
                    let newest = observation
                        .runners
                        .iter()
                        .filter(|r| r.name == name)
                        .map(|r| r.id)
                        .max();
                    if let Some(id) = newest {
                        prop_assert_eq!(
                            state.runners.get(name).map(|r| r.id),
                            Some(id),
                            "newest id stands for {}",
                            name
                        );
                    }
                }
            }
            if observed.is_err() || plan.hold.is_some() || plan.suspect.is_some() {
                prop_assert_eq!(
                    &state.runners,
                    &before.runners,
                    "a failed observation changes no runner"
                );
                prop_assert_eq!(
                    &state.open_outages.keys().collect::<Vec<_>>(),
                    &before.open_outages.keys().collect::<Vec<_>>()
                );
                prop_assert_eq!(opened + resolved, 0);
            }
            if policy.resolve_after.is_zero() && observed.is_ok() {
                for name in state.open_outages.keys() {
                    let healthy = state.runners.get(name).is_some_and(|r| r.is_healthy());
                    prop_assert!(!healthy, "a healthy runner has no open outage ({name})");
                }
            }
            // Planning again at the same instant after committing tells nobody anything new.
            let again = reconcile(&state, &observed, &policy, t(now));
            prop_assert!(
                again.notifications.is_empty(),
                "replanned notifications: {:?}",
                again.notifications
            );

            // The pool, judged after the scope's commit.
            for pool in &policy.pools {
                let trusted = observed.is_ok() && plan.hold.is_none() && plan.suspect.is_none();
                let members = [PoolMember {
                    state: &state,
                    observed: trusted,
                }];
                let out = evaluate_pool(&pool_state, &members, pool, &policy, t(now));
                let pool_before = pool_state.clone();
                prop_assert!(
                    pool_state.apply(&out.plan.changes).is_ok(),
                    "pool plan breaks store rules: {out:?}"
                );
                let opened = out
                    .plan
                    .changes
                    .iter()
                    .filter(|c| matches!(c, Change::OpenOutage(_)))
                    .count();
                let resolved = out
                    .plan
                    .changes
                    .iter()
                    .filter(|c| matches!(c, Change::ResolveOutage { .. }))
                    .count();
                let kinds = |k: &str| {
                    out.plan
                        .notifications
                        .iter()
                        .filter(|n| n.kind_name() == k)
                        .count()
                };
                prop_assert_eq!(
                    kinds("pool_below_floor"),
                    opened,
                    "no pool message without its change"
                );
                prop_assert_eq!(kinds("pool_restored"), resolved);
                prop_assert_eq!(out.plan.notifications.len(), opened + resolved);
                prop_assert!(
                    pool_state.open_outages.len() <= 1,
                    "at most one open pool outage"
                );
                if opened > 0 {
                    prop_assert!(pool_before.open_outages.is_empty());
                }
                if out.held.is_some() || !trusted {
                    prop_assert!(out.plan.is_empty(), "a held pool changes nothing: {out:?}");
                }
                if let Some(count) = &out.count {
                    prop_assert!(count.count <= count.total);
                    prop_assert_eq!(
                        pool_state.open_outages.contains_key("p") && !count.is_below(),
                        false,
                        "an outage open at the floor"
                    );
                }
                let again = evaluate_pool(&pool_state, &members, pool, &policy, t(now));
                prop_assert!(
                    again.plan.notifications.is_empty(),
                    "re-judged pool: {again:?}"
                );
            }
        }
    }
    Ok(())
}

mod ack;
mod flapping;
mod pools;
mod removed;
mod trust;
