//! Pool capacity (`[[policy.pools]]`): a pool below its floor of online (or idle) runners for its
//! `for` opens an outage of its own; back at or above the floor, it resolves. While it stays
//! open, unacknowledged, it is reminded about every `remind_every` (like a runner's outage).
//!
//! A pool's state lives in its own scope `pool:NAME`, as one record named after the pool (status
//! IDLE at or above the floor, OFFLINE below it, `since` the crossing) with that record's
//! outages, so history, uptime, the outbox and every store work as for a runner. Steady state
//! writes nothing: the count itself is not stored, only crossings of the floor.

use super::{Plan, elapsed};
use crate::model::{
    Change, Notification, NotificationKind, Outage, Policy, Pool, PoolCount, Resolution,
    RunnerRecord, RunnerStatus, Scope, ScopeState, Timestamp,
};

/// The "GitHub id" of a pool's record and outages: a pool has none, but stores key runners by a
/// non-zero id (StatelyDB requires it).
pub const POOL_RECORD_ID: u64 = 1;

/// One scope the pool may span, as loaded after this cycle's commits.
#[derive(Debug, Clone, Copy)]
pub struct PoolMember<'a> {
    /// The scope's state.
    pub state: &'a ScopeState,
    /// Whether this cycle believed and stored the scope's observation. `false` when it failed,
    /// was not believed (suspect), was held by a time guard or could not be committed: the
    /// scope's runners are then not evidence of lost capacity.
    pub observed: bool,
}

/// Why a pool's evaluation changed nothing.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case", tag = "reason")]
pub enum PoolHold {
    /// A scope the pool spans was not observed this cycle, or its stored state says its
    /// observations fail (a token error must not look like lost capacity).
    Scope {
        /// The first such scope.
        scope: Scope,
    },
    /// The pool's state was written at a later time than `now` (another monitor was ahead).
    Stale {
        /// The newest time the pool recorded.
        recorded: Timestamp,
    },
}

impl std::fmt::Display for PoolHold {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PoolHold::Scope { scope } => {
                write!(
                    f,
                    "scope {scope} was not observed this cycle: pool unchanged"
                )
            }
            PoolHold::Stale { recorded } => write!(
                f,
                "pool state is newer ({}) than this cycle: unchanged",
                recorded.to_rfc3339()
            ),
        }
    }
}

/// What [`evaluate_pool`] decided.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PoolPlan {
    /// The changes to commit to the pool's scope and the notifications to enqueue.
    pub plan: Plan,
    /// The count, unless held.
    pub count: Option<PoolCount>,
    /// Set when nothing could be judged.
    pub held: Option<PoolHold>,
}

/// Plans a pool's state from the runners of the scopes it spans.
///
/// `state` is the pool's scope (`pool:NAME`); `members` are the watched scopes (those the pool
/// does not span are ignored). Pure and deterministic; an unchanged side of the floor gives an
/// empty plan. Holds (changes nothing) when a spanned scope was not observed this cycle or is
/// failing, and when the pool's state is newer than `now`.
///
/// # Examples
/// ```
/// use runner_monitor_core::engine::{PoolMember, evaluate_pool};
/// use runner_monitor_core::*;
/// use chrono::{TimeZone, Utc};
/// let now = Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0).unwrap();
/// let pool: Pool = serde_json::from_str(
///     r#"{"name": "gpu", "labels": ["gpu"], "min_online": 1, "for": "0s"}"#,
/// ).unwrap();
/// let mut repo = ScopeState::empty("acme/ml".parse().unwrap());
/// repo.version = 1; // observed before: its (zero) runners are evidence
/// let members = [PoolMember { state: &repo, observed: true }];
/// let plan = evaluate_pool(&ScopeState::empty(pool.scope()), &members, &pool, &Policy::default(), now);
/// assert_eq!(plan.plan.notifications[0].kind_name(), "pool_below_floor");
/// assert_eq!(plan.count.unwrap().total, 0);
/// ```
pub fn evaluate_pool(
    state: &ScopeState,
    members: &[PoolMember<'_>],
    pool: &Pool,
    policy: &Policy,
    now: Timestamp,
) -> PoolPlan {
    let mut out = PoolPlan::default();
    if pool.floor().is_none() {
        return out; // Policy::validate rejects it; nothing to judge.
    }
    if let Some(recorded) = state.record.last_success_at.filter(|at| *at > now) {
        out.held = Some(PoolHold::Stale { recorded });
        return out;
    }
    let spanned = members.iter().filter(|m| pool.spans(&m.state.scope));
    if let Some(untrusted) = spanned.clone().find(|m| !trusted(m)) {
        out.held = Some(PoolHold::Scope {
            scope: untrusted.state.scope.clone(),
        });
        return out;
    }
    let Some(count) = pool.count(spanned.map(|m| m.state)) else {
        return out;
    };
    plan_crossing(state, pool, &count, now, &mut out.plan);
    remind(state, pool, &count, policy, now, &mut out.plan);
    if !out.plan.changes.is_empty() {
        heartbeat(state, policy, now, &mut out.plan);
    }
    out.count = Some(count);
    out
}

/// A scope's runners are evidence when this cycle stored its observation and its record shows
/// neither failing observations nor a suspect listing.
fn trusted(member: &PoolMember<'_>) -> bool {
    let record = &member.state.record;
    member.observed
        && member.state.version > 0
        && record.failing_since.is_none()
        && record.suspect_since.is_none()
}

/// Opens after `for` below the floor, resolves at once at or above it; the record changes only
/// when the pool crosses its floor.
fn plan_crossing(
    state: &ScopeState,
    pool: &Pool,
    count: &PoolCount,
    now: Timestamp,
    plan: &mut Plan,
) {
    let below = count.is_below();
    let stored = state.runners.get(&pool.name);
    let open = state.open_outages.get(&pool.name);
    let crossed = stored.is_none_or(|r| r.is_healthy() == below);
    let since = match stored {
        Some(record) if !crossed => record.since,
        _ => now,
    };
    if crossed {
        plan.changes
            .push(Change::PutRunner(record(pool, stored, below, since, now)));
    }
    match (below, open) {
        (false, Some(outage)) => resolve(state, count, outage, now, plan),
        (true, None) if elapsed(since, now) >= pool.below_for => {
            open_outage(state, pool, count, since, now, plan);
        }
        _ => {}
    }
}

/// Reminds about an open pool outage that stays below the floor, like a runner's: every
/// `remind_every` after it opened (or after the last reminder), unless it was acknowledged.
/// Nothing when reminders are off or the pool is back (it resolves instead).
fn remind(
    state: &ScopeState,
    pool: &Pool,
    count: &PoolCount,
    policy: &Policy,
    now: Timestamp,
    plan: &mut Plan,
) {
    let (Some(every), Some(outage)) = (policy.remind_every, state.open_outages.get(&pool.name))
    else {
        return;
    };
    if !count.is_below() || outage.acknowledged.is_some() {
        return;
    }
    let last = outage.last_reminded_at.unwrap_or(outage.started_at);
    if elapsed(last, now) < every {
        return;
    }
    let mut reminded = outage.clone();
    reminded.reminders += 1;
    reminded.last_reminded_at = Some(now);
    plan.changes.push(Change::RecordReminder {
        runner: pool.name.clone(),
        id: outage.id,
        at: now,
    });
    plan.stats.reminders += 1;
    plan.notifications.push(Notification {
        scope: state.scope.clone(),
        at: now,
        kind: NotificationKind::PoolReminder {
            pool: count.clone(),
            down_for: reminded.duration(now),
            outage: reminded,
        },
    });
}

fn record(
    pool: &Pool,
    stored: Option<&RunnerRecord>,
    below: bool,
    since: Timestamp,
    now: Timestamp,
) -> RunnerRecord {
    RunnerRecord {
        name: pool.name.clone(),
        id: POOL_RECORD_ID,
        previous_ids: Vec::new(),
        status: if below {
            RunnerStatus::Offline
        } else {
            RunnerStatus::Idle
        },
        busy: false,
        os: "pool".to_owned(),
        labels: pool.labels.clone(),
        ephemeral: false,
        group_id: None,
        first_seen_at: stored.map_or(now, |r| r.first_seen_at),
        last_seen_at: now,
        since,
        ever_healthy: true,
        flap_opens: Vec::new(),
        flapping_since: None,
    }
}

fn open_outage(
    state: &ScopeState,
    pool: &Pool,
    count: &PoolCount,
    since: Timestamp,
    now: Timestamp,
    plan: &mut Plan,
) {
    let outage = Outage {
        runner: pool.name.clone(),
        id: state.next_outage_id(&pool.name),
        runner_id: POOL_RECORD_ID,
        trigger: RunnerStatus::Offline,
        started_at: since,
        resolved_at: None,
        resolution: None,
        description: count.below_text(),
        reminders: 0,
        last_reminded_at: Some(now),
        acknowledged: None,
    };
    plan.changes.push(Change::OpenOutage(outage.clone()));
    plan.stats.outages_opened += 1;
    plan.notifications.push(Notification {
        scope: state.scope.clone(),
        at: now,
        kind: NotificationKind::PoolBelowFloor {
            pool: count.clone(),
            outage,
        },
    });
}

fn resolve(state: &ScopeState, count: &PoolCount, open: &Outage, now: Timestamp, plan: &mut Plan) {
    let resolution = Resolution::Recovered(RunnerStatus::Idle);
    plan.changes.push(Change::ResolveOutage {
        runner: open.runner.clone(),
        id: open.id,
        resolved_at: now,
        resolution,
    });
    plan.stats.outages_resolved += 1;
    let mut outage = open.clone();
    outage.resolved_at = Some(now);
    outage.resolution = Some(resolution);
    plan.notifications.push(Notification {
        scope: state.scope.clone(),
        at: now,
        kind: NotificationKind::PoolRestored {
            pool: count.clone(),
            duration: outage.duration(now),
            outage,
        },
    });
}

/// A write of the pool's scope also records when it was judged (the time guard above) and,
/// at most every `heartbeat_every`, expires the pool's old history.
fn heartbeat(state: &ScopeState, policy: &Policy, now: Timestamp, plan: &mut Plan) {
    let mut scope_record = state.record.clone();
    scope_record.last_success_at = Some(now);
    let expiry_due = scope_record
        .history_expired_at
        .is_none_or(|at| elapsed(at, now) >= policy.heartbeat_every);
    let before = chrono::Duration::from_std(policy.history_ttl)
        .ok()
        .and_then(|ttl| now.checked_sub_signed(ttl));
    if let (true, Some(before)) = (expiry_due, before) {
        scope_record.history_expired_at = Some(now);
        plan.changes.push(Change::ExpireHistory { before });
    }
    plan.changes.push(Change::PutScope(scope_record));
}
