//! Table-driven tests of the pool-capacity rule (`[[policy.pools]]`, `engine/pools.rs`).

use super::*;
use crate::model::{Pool, PoolCount};

fn gpu(name: &str, online: bool, busy: bool) -> ObservedRunner {
    let mut r = runner(name, 1, online, busy, false);
    r.labels = vec!["self-hosted".into(), "GPU".into(), "linux".into()];
    r
}
fn up(name: &str) -> ObservedRunner {
    gpu(name, true, false)
}
fn down(name: &str) -> ObservedRunner {
    gpu(name, false, false)
}
fn working(name: &str) -> ObservedRunner {
    gpu(name, true, true)
}

fn pool(min_online: Option<usize>, min_idle: Option<usize>, for_minutes: u64) -> Pool {
    Pool {
        name: "gpu".into(),
        labels: vec!["gpu".into(), "linux".into()],
        scopes: Vec::new(),
        min_online,
        min_idle,
        below_for: Duration::from_secs(for_minutes * 60),
    }
}

/// What every watched scope showed in one observation round.
type Round = Vec<Result<Vec<ObservedRunner>, SourceError>>;

/// Two watched scopes and one pool, reconciled then evaluated once a round.
struct PoolSim {
    scopes: Vec<ScopeState>,
    pool_state: ScopeState,
    pool: Pool,
    policy: Policy,
    now: i64,
    log: Vec<String>,
    counts: Vec<Option<PoolCount>>,
    notifications: Vec<crate::model::Notification>,
    writes: usize,
}

impl PoolSim {
    fn new(pool: Pool) -> Self {
        PoolSim {
            scopes: vec![
                ScopeState::empty(Scope::repo("acme", "ml")),
                ScopeState::empty(Scope::org("acme")),
            ],
            pool_state: ScopeState::empty(pool.scope()),
            policy: Policy {
                pools: vec![pool.clone()],
                ..Policy::default()
            },
            pool,
            now: 0,
            log: Vec::new(),
            counts: Vec::new(),
            notifications: Vec::new(),
            writes: 0,
        }
    }

    fn round(&mut self, after: i64, round: &Round) {
        self.now += after;
        let now = t(self.now);
        let mut observed = Vec::new();
        for (state, listing) in self.scopes.iter_mut().zip(round) {
            let listing = listing.clone().map(|runners| Observation { runners });
            let plan = reconcile(state, &listing, &self.policy, now);
            state
                .apply(&plan.changes)
                .expect("scope plan obeys store rules");
            state.version += u64::from(!plan.changes.is_empty());
            observed.push(listing.is_ok() && plan.hold.is_none() && plan.suspect.is_none());
        }
        let members: Vec<PoolMember<'_>> = self
            .scopes
            .iter()
            .zip(observed)
            .map(|(state, observed)| PoolMember { state, observed })
            .collect();
        let out = evaluate_pool(&self.pool_state, &members, &self.pool, &self.policy, now);
        self.pool_state
            .apply(&out.plan.changes)
            .expect("pool plan obeys store rules");
        self.writes += usize::from(!out.plan.changes.is_empty());
        for n in &out.plan.notifications {
            assert_eq!(n.scope, Scope::pool("gpu"));
            self.log.push(n.kind_name().to_owned());
            self.notifications.push(n.clone());
        }
        // Judging again at the same instant tells nobody anything new.
        let again = evaluate_pool(&self.pool_state, &members, &self.pool, &self.policy, now);
        assert!(again.plan.is_empty(), "replanned: {:?}", again.plan);
        self.counts.push(out.count);
    }

    fn open(&self) -> bool {
        self.pool_state.open_outages.contains_key("gpu")
    }
}

/// `n` rounds a minute apart of the same listings.
fn minutes(n: usize, round: Round) -> Vec<Round> {
    vec![round; n]
}

struct Case {
    name: &'static str,
    pool: Pool,
    rounds: Vec<Vec<Round>>,
    notified: &'static [&'static str],
    open: bool,
}

fn check(cases: Vec<Case>) {
    for case in cases {
        let mut sim = PoolSim::new(case.pool);
        for round in case.rounds.iter().flatten() {
            sim.round(MIN, round);
        }
        assert_eq!(sim.log, case.notified, "{}: notifications", case.name);
        assert_eq!(sim.open(), case.open, "{}: open", case.name);
    }
}

fn four(state: [bool; 4]) -> Vec<ObservedRunner> {
    ["g1", "g2", "g3", "g4"]
        .iter()
        .zip(state)
        .map(|(name, online)| gpu(name, online, false))
        .collect()
}

#[test]
fn rule_pool_floor_crossing_and_damping() {
    let all = || Ok(four([true; 4]));
    let one = || Ok(four([true, false, false, false]));
    let other = || Ok(vec![on("cpu-1")]);
    check(vec![
        Case {
            name: "below the floor for `for`: one outage; back: one resolution",
            pool: pool(Some(2), None, 5),
            rounds: vec![
                minutes(3, vec![all(), other()]),
                minutes(10, vec![one(), other()]),
                minutes(5, vec![all(), other()]),
            ],
            notified: &["pool_below_floor", "pool_restored"],
            open: false,
        },
        Case {
            name: "below the floor for less than `for`: nothing",
            pool: pool(Some(2), None, 5),
            rounds: vec![
                minutes(3, vec![all(), other()]),
                minutes(4, vec![one(), other()]),
                minutes(3, vec![all(), other()]),
                minutes(4, vec![one(), other()]),
                minutes(3, vec![all(), other()]),
            ],
            notified: &[],
            open: false,
        },
        Case {
            name: "exactly at the floor is not below it",
            pool: pool(Some(2), None, 0),
            rounds: vec![minutes(
                10,
                vec![Ok(four([true, true, false, false])), other()],
            )],
            notified: &[],
            open: false,
        },
        Case {
            name: "still below: the outage stays open, told once",
            pool: pool(Some(2), None, 2),
            rounds: vec![
                minutes(1, vec![all(), other()]),
                minutes(60, vec![one(), other()]),
            ],
            notified: &["pool_below_floor"],
            open: true,
        },
        Case {
            name: "no matching runner at all is below the floor (0 of 0)",
            pool: pool(Some(1), None, 2),
            rounds: vec![minutes(5, vec![other(), other()])],
            notified: &["pool_below_floor"],
            open: true,
        },
        Case {
            name: "labels must all match (ASCII case ignored): gpu without linux is no member",
            pool: pool(Some(1), None, 2),
            rounds: vec![minutes(
                5,
                vec![
                    Ok(vec![{
                        let mut r = up("win-gpu");
                        r.labels = vec!["gpu".into(), "windows".into()];
                        r
                    }]),
                    other(),
                ],
            )],
            notified: &["pool_below_floor"],
            open: true,
        },
        Case {
            name: "a second outage after a recovery is numbered on",
            pool: pool(Some(4), None, 1),
            rounds: vec![
                minutes(3, vec![one(), other()]),
                minutes(1, vec![all(), other()]),
                minutes(3, vec![one(), other()]),
            ],
            notified: &["pool_below_floor", "pool_restored", "pool_below_floor"],
            open: true,
        },
    ]);
    let mut sim = PoolSim::new(pool(Some(4), None, 1));
    for _ in 0..3 {
        sim.round(
            MIN,
            &vec![Ok(four([true, false, false, false])), Ok(vec![])],
        );
    }
    for _ in 0..2 {
        sim.round(MIN, &vec![Ok(four([true; 4])), Ok(vec![])]);
    }
    for _ in 0..3 {
        sim.round(
            MIN,
            &vec![Ok(four([true, false, false, false])), Ok(vec![])],
        );
    }
    assert_eq!(sim.pool_state.open_outages["gpu"].id, 2);
    let Some(Some(count)) = sim.counts.last() else {
        panic!("counted")
    };
    assert_eq!((count.count, count.total, count.minimum), (1, 4, 4));
}

#[test]
fn rule_pool_steady_state_writes_nothing() {
    let mut sim = PoolSim::new(pool(Some(2), None, 5));
    let round = vec![Ok(four([true; 4])), Ok(vec![on("cpu")])];
    for _ in 0..60 {
        sim.round(MIN, &round);
    }
    assert_eq!(sim.writes, 1, "only the first sight of the pool is written");
    let below = vec![Ok(four([true, false, false, false])), Ok(vec![on("cpu")])];
    for _ in 0..60 {
        sim.round(MIN, &below);
    }
    assert_eq!(
        sim.writes, 3,
        "the crossing, then the opening; nothing while it stays open"
    );
}

#[test]
fn rule_min_idle_counts_online_runners_without_a_job() {
    let churn = |i: usize| -> Round {
        // Three runners; each minute a different two are busy: one is always idle.
        let runners = ["g1", "g2", "g3"]
            .iter()
            .enumerate()
            .map(|(k, name)| gpu(name, true, k != i % 3))
            .collect();
        vec![Ok(runners), Ok(vec![])]
    };
    let all_busy: Round = vec![
        Ok(vec![working("g1"), working("g2"), working("g3")]),
        Ok(vec![]),
    ];
    check(vec![
        Case {
            name: "busy flags churning while one stays idle: nothing",
            pool: pool(None, Some(1), 2),
            rounds: vec![(0..30).map(churn).collect()],
            notified: &[],
            open: false,
        },
        Case {
            name: "every runner busy for `for`: jobs will queue",
            pool: pool(None, Some(1), 2),
            rounds: vec![
                (0..3).map(churn).collect(),
                minutes(5, all_busy.clone()),
                (0..3).map(churn).collect(),
            ],
            notified: &["pool_below_floor", "pool_restored"],
            open: false,
        },
        Case {
            name: "a min_online pool with every runner busy is at capacity",
            pool: pool(Some(3), None, 0),
            rounds: vec![minutes(10, all_busy), (0..30).map(churn).collect()],
            notified: &[],
            open: false,
        },
        Case {
            name: "an offline runner is not idle, even when not busy",
            pool: pool(None, Some(1), 0),
            rounds: vec![minutes(
                3,
                vec![Ok(vec![down("g1"), working("g2")]), Ok(vec![])],
            )],
            notified: &["pool_below_floor"],
            open: true,
        },
    ]);
}

#[test]
fn rule_pool_spans_scopes_and_holds_for_a_failed_one() {
    let two = |a: bool, b: bool| Ok(vec![gpu("g1", a, false), gpu("g2", b, false)]);
    check(vec![
        Case {
            name: "two scopes: both of one scope down is below a floor of 3 of 4",
            pool: pool(Some(3), None, 2),
            rounds: vec![
                minutes(2, vec![two(true, true), two(true, true)]),
                minutes(5, vec![two(false, false), two(true, true)]),
                minutes(2, vec![two(true, false), two(true, true)]),
            ],
            notified: &["pool_below_floor", "pool_restored"],
            open: false,
        },
        Case {
            name: "the same names in two scopes are different runners",
            pool: pool(Some(4), None, 0),
            rounds: vec![minutes(5, vec![two(true, true), two(true, true)])],
            notified: &[],
            open: false,
        },
        Case {
            name: "a failing scope holds the pool: a token error is not lost capacity",
            pool: pool(Some(3), None, 2),
            rounds: vec![
                minutes(2, vec![two(true, true), two(true, true)]),
                // Offline for one minute (less than `for`), then the token fails for an hour.
                minutes(1, vec![two(true, true), two(false, false)]),
                minutes(60, vec![two(true, true), Err(unavailable())]),
                minutes(5, vec![two(true, true), two(true, true)]),
            ],
            notified: &[],
            open: false,
        },
        Case {
            name: "an open pool outage stays open while a scope fails, resolves once observed",
            pool: pool(Some(3), None, 2),
            rounds: vec![
                minutes(1, vec![two(true, true), two(true, true)]),
                minutes(5, vec![two(false, false), two(true, true)]),
                minutes(30, vec![Err(unavailable()), two(true, true)]),
                minutes(1, vec![two(true, true), two(true, true)]),
            ],
            notified: &["pool_below_floor", "pool_restored"],
            open: false,
        },
        Case {
            name: "a suspect listing (every runner gone at once) holds the pool",
            pool: pool(Some(3), None, 2),
            rounds: vec![
                minutes(
                    1,
                    vec![
                        Ok((1..=6).map(|i| up(&format!("g{i}"))).collect()),
                        Ok(vec![]),
                    ],
                ),
                minutes(30, vec![Ok(vec![]), Ok(vec![])]),
            ],
            notified: &[],
            open: false,
        },
    ]);
    // A pool limited to one scope ignores the other's runners.
    let mut limited = pool(Some(3), None, 0);
    limited.scopes = vec![Scope::repo("acme", "ml")];
    let mut sim = PoolSim::new(limited);
    for _ in 0..3 {
        sim.round(MIN, &vec![two(true, true), two(true, true)]);
    }
    assert_eq!(sim.log, ["pool_below_floor"]);
    let Some(Some(count)) = sim.counts.last() else {
        panic!("counted")
    };
    assert_eq!((count.count, count.total), (2, 2));
}

#[test]
fn pool_notifications_carry_the_count_and_the_outage() {
    let mut sim = PoolSim::new(pool(Some(2), None, 5));
    sim.round(MIN, &vec![Ok(four([true; 4])), Ok(vec![])]);
    for _ in 0..12 {
        sim.round(
            MIN,
            &vec![Ok(four([true, false, false, false])), Ok(vec![])],
        );
    }
    sim.round(MIN, &vec![Ok(four([true, true, true, false])), Ok(vec![])]);
    let [opened, restored] = &sim.notifications[..] else {
        panic!("{:?}", sim.notifications)
    };
    let NotificationKind::PoolBelowFloor { pool, outage } = &opened.kind else {
        panic!("{opened:?}")
    };
    assert_eq!((pool.count, pool.total, pool.minimum), (1, 4, 2));
    assert_eq!(outage.description, "Pool gpu: 1 of 4 online (minimum 2)");
    assert_eq!(
        outage.started_at,
        t(2 * MIN),
        "starts when the pool dropped"
    );
    assert_eq!(opened.at, t(7 * MIN), "opens `for` after the drop");
    assert_eq!(opened.incident_key(), "pool:gpu/pool/outage:1");
    let NotificationKind::PoolRestored {
        pool,
        outage,
        duration,
    } = &restored.kind
    else {
        panic!("{restored:?}")
    };
    assert_eq!((pool.count, pool.total, pool.minimum), (3, 4, 2));
    assert_eq!(outage.id, 1);
    assert_eq!(outage.resolved_at, Some(t(14 * MIN)));
    assert_eq!(*duration, Duration::from_secs(12 * 60));
    assert_eq!(
        restored.idempotency_key(),
        "pool:gpu/pool/outage:1/pool_restored"
    );
    assert_eq!(restored.subject(), "pool");
}

/// A pool sim with reminders every `every` minutes.
fn reminding(every: Option<u64>) -> PoolSim {
    let mut sim = PoolSim::new(pool(Some(2), None, 2));
    sim.policy.remind_every = every.map(|m| Duration::from_secs(m * 60));
    sim
}

fn rounds(sim: &mut PoolSim, n: usize, round: &Round) {
    for _ in 0..n {
        sim.round(MIN, round);
    }
}

#[test]
fn rule_pool_reminders_like_runner_outages() {
    let all: Round = vec![Ok(four([true; 4])), Ok(vec![on("cpu-1")])];
    let one: Round = vec![Ok(four([true, false, false, false])), Ok(vec![on("cpu-1")])];
    let failing: Round = vec![
        Err(SourceError::Unavailable {
            message: "GitHub is down".into(),
        }),
        Ok(vec![on("cpu-1")]),
    ];
    let reminder = "pool_reminder";
    // (name, remind_every in minutes, what happens, notifications)
    type Steps = fn(&mut PoolSim, &Round, &Round, &Round);
    let cases: Vec<(&str, Option<u64>, Steps, Vec<&str>)> = vec![
        (
            "every remind_every while below, unacknowledged",
            Some(30),
            |sim, all, one, _| {
                rounds(sim, 1, all);
                rounds(sim, 95, one); // opens at minute 4 (below since 2, `for` 2 min)
            },
            vec!["pool_below_floor", reminder, reminder, reminder],
        ),
        (
            "off by default",
            None,
            |sim, all, one, _| {
                rounds(sim, 1, all);
                rounds(sim, 95, one);
            },
            vec!["pool_below_floor"],
        ),
        (
            "an acknowledgement stops them; the restoration is still told",
            Some(30),
            |sim, all, one, _| {
                rounds(sim, 1, all);
                rounds(sim, 40, one);
                let outage = sim.pool_state.open_outages.get_mut("gpu").expect("open");
                outage.acknowledged = Some(crate::model::Acknowledgement {
                    by: "U1".into(),
                    at: t(sim.now),
                });
                rounds(sim, 90, one);
                rounds(sim, 1, all);
            },
            vec!["pool_below_floor", reminder, "pool_restored"],
        ),
        (
            "back above the floor before the first: resolved, never reminded",
            Some(30),
            |sim, all, one, _| {
                rounds(sim, 1, all);
                rounds(sim, 20, one);
                rounds(sim, 60, all);
            },
            vec!["pool_below_floor", "pool_restored"],
        ),
        (
            "held while a spanned scope fails: no reminder until it is judged again",
            Some(30),
            |sim, all, one, failing| {
                rounds(sim, 1, all);
                rounds(sim, 10, one); // opened at minute 4
                rounds(sim, 40, failing); // the reminder due at 34 waits
                rounds(sim, 1, one); // judged at 52: reminded
            },
            vec!["pool_below_floor", reminder],
        ),
    ];
    for (name, every, steps, expected) in cases {
        let mut sim = reminding(every);
        steps(&mut sim, &all, &one, &failing);
        assert_eq!(sim.log, expected, "{name}");
    }

    // The reminders count up and carry the count and how long the pool has been below.
    let mut sim = reminding(Some(30));
    rounds(&mut sim, 1, &all);
    rounds(&mut sim, 65, &one);
    let reminders: Vec<_> = sim
        .notifications
        .iter()
        .filter(|n| n.kind_name() == reminder)
        .collect();
    assert_eq!(reminders.len(), 2);
    for (i, n) in reminders.iter().enumerate() {
        let crate::model::NotificationKind::PoolReminder {
            pool,
            outage,
            down_for,
        } = &n.kind
        else {
            panic!("{n:?}")
        };
        assert_eq!(outage.reminders, u32::try_from(i + 1).expect("small"));
        assert_eq!((pool.count, pool.minimum), (1, 2));
        assert_eq!(outage.started_at, t(2 * MIN), "below since minute 2");
        let opened = 4 * MIN;
        let at = opened + (i as i64 + 1) * 30 * MIN;
        assert_eq!(n.at, t(at));
        assert_eq!(
            *down_for,
            Duration::from_secs(u64::try_from(at - 2 * MIN).expect("positive"))
        );
        assert_eq!(
            n.idempotency_key(),
            format!("pool:gpu/pool/outage:1/pool_reminder-{}", i + 1)
        );
    }
    assert_eq!(
        sim.pool_state.open_outages["gpu"].reminders, 2,
        "recorded on the outage"
    );
}
