//! [`Fleet`]: what the status page, the JSON API and the report show, read from the store in one
//! pass (per scope: one `load` and one `outages_between`).

use std::collections::BTreeMap;
use std::time::Duration;

use runner_monitor_core::uptime::{self, Basis, Day, Uptime};
use runner_monitor_core::{
    Outage, Pool, PoolCount, RunnerRecord, Scope, ScopeRecord, Silence, Store, Timestamp,
};

/// Days in the uptime bar.
pub const BAR_DAYS: u32 = 30;

/// Scopes read at once.
const SCOPE_CONCURRENCY: usize = 8;

const HOUR: Duration = Duration::from_secs(3600);
const DAY: Duration = Duration::from_secs(86_400);

/// Every watched scope, as of `now`.
#[derive(Debug, Clone)]
pub struct Fleet {
    /// When it was read.
    pub now: Timestamp,
    /// The range of [`RunnerView::window`]: `now - since` to `now`.
    pub since: Duration,
    /// How far back history is kept (uptime before `now - history_ttl` is unknown).
    pub history_ttl: Duration,
    /// One per watched scope, in configuration order.
    pub scopes: Vec<ScopeView>,
    /// The configured capacity pools, in configuration order ([`Fleet::with_pools`]).
    pub pools: Vec<PoolView>,
}

/// One capacity pool: its count against its floor (from the fleet's runners) and its open
/// outage (from its own record in the store).
#[derive(Debug, Clone)]
pub struct PoolView {
    /// The pool as configured.
    pub pool: Pool,
    /// Its count now; `None` for a pool without a valid floor.
    pub count: Option<PoolCount>,
    /// Its open outage (below its floor for longer than `for`).
    pub open: Option<Outage>,
    /// Why its record could not be read.
    pub error: Option<String>,
}

/// One scope.
#[derive(Debug, Clone)]
pub struct ScopeView {
    /// The scope.
    pub scope: Scope,
    /// Source health and heartbeat.
    pub record: ScopeRecord,
    /// Its runners, by name.
    pub runners: Vec<RunnerView>,
    /// Why the store could not be read for this scope (then `runners` is empty).
    pub error: Option<String>,
}

/// One runner with its uptime.
#[derive(Debug, Clone)]
pub struct RunnerView {
    /// What the store keeps about it.
    pub record: RunnerRecord,
    /// Its open outage.
    pub open: Option<Outage>,
    /// Uptime over the last 24 hours, 7 days and 30 days.
    pub last_24h: Uptime,
    /// Last 7 days.
    pub last_7d: Uptime,
    /// Last 30 days.
    pub last_30d: Uptime,
    /// Uptime over the fleet's `since`.
    pub window: Uptime,
    /// Mean time to recovery of outages resolved within `since`.
    pub mttr: Option<Duration>,
    /// How long each outage resolved within `since` lasted (for group means).
    pub recoveries: Vec<Duration>,
    /// The uptime bar: the last [`BAR_DAYS`] UTC days, oldest first.
    pub days: Vec<Day>,
}

/// The silences uptime leaves out (time in a maintenance window is `silenced`, not `down`),
/// with the pools their `pool:` targets need.
#[derive(Debug, Clone, Default)]
pub struct Silencing {
    /// Configured and stored silences.
    pub silences: Vec<Silence>,
    /// The configured pools.
    pub pools: Vec<Pool>,
}

impl Silencing {
    /// The configured `silences` and those stored in `store` (one read; a failed read is logged
    /// and leaves the configured ones), with `pools`.
    pub async fn read(store: &dyn Store, mut silences: Vec<Silence>, pools: Vec<Pool>) -> Self {
        match store.silences().await {
            Ok(stored) => silences.extend(stored),
            Err(error) => {
                tracing::warn!(%error, "cannot read stored silences; uptime counts configured ones only");
            }
        }
        Silencing { silences, pools }
    }

    /// The stretches of `[from, to)` a silence covering `record` of `scope` was in force.
    fn stretches(
        &self,
        scope: &Scope,
        record: &RunnerRecord,
        from: Timestamp,
        to: Timestamp,
    ) -> Vec<(Timestamp, Timestamp)> {
        if self.silences.is_empty() {
            return Vec::new();
        }
        let snapshot = record.snapshot();
        self.silences
            .iter()
            .filter(|s| s.covers_in(scope, Some(&snapshot), &self.pools))
            .flat_map(|s| s.window.occurrences(from, to))
            .collect()
    }
}

/// Runners sharing a label (a cheap stand-in for pools until issue 11 brings them).
#[derive(Debug, Clone, PartialEq)]
pub struct LabelGroup {
    /// The label.
    pub label: String,
    /// Runners with it.
    pub runners: usize,
    /// Of those, healthy now.
    pub healthy: usize,
    /// Their summed uptime over the fleet's `since`.
    pub window: Uptime,
    /// Mean time to recovery over the group's outages resolved within `since`.
    pub mttr: Option<Duration>,
}

impl Fleet {
    /// Reads `scopes` from `store` as of `now`: uptime over the last `since` (and 24 h, 7 d,
    /// 30 d), bounded by `history_ttl`. A scope the store cannot read gets an `error`; the others
    /// are still shown.
    pub async fn gather(
        store: &dyn Store,
        scopes: &[Scope],
        now: Timestamp,
        since: Duration,
        history_ttl: Duration,
        silencing: &Silencing,
    ) -> Fleet {
        let reach = since.max(DAY * (BAR_DAYS + 1));
        let from = before(now, reach);
        // A few scopes at a time, in order: a page must not flood a shared backend.
        let mut views = Vec::with_capacity(scopes.len());
        for chunk in scopes.chunks(SCOPE_CONCURRENCY) {
            views.extend(
                futures::future::join_all(chunk.iter().map(|scope| {
                    scope_view(store, scope, now, from, since, history_ttl, silencing)
                }))
                .await,
            );
        }
        Fleet {
            now,
            since,
            history_ttl,
            scopes: views,
            pools: Vec::new(),
        }
    }

    /// The fleet with `pools` counted over its runners and their open outages read (one load
    /// per pool). A scope that could not be read counts no runners; its error is on its view.
    pub async fn with_pools(mut self, store: &dyn Store, pools: &[Pool]) -> Fleet {
        let scopes: Vec<Scope> = pools.iter().map(|p| Scope::pool(p.name.clone())).collect();
        let states = futures::future::join_all(scopes.iter().map(|s| store.load(s))).await;
        self.pools = pools
            .iter()
            .zip(states)
            .map(|(pool, state)| {
                let count = pool.count_records(self.runners().map(|(scope, r)| (scope, &r.record)));
                let (open, error) = match state {
                    Ok(state) => (state.open_outages.into_values().next(), None),
                    Err(error) => (None, Some(error.to_string())),
                };
                PoolView {
                    pool: pool.clone(),
                    count,
                    open,
                    error,
                }
            })
            .collect();
        self
    }

    /// Every runner of every scope.
    pub fn runners(&self) -> impl Iterator<Item = (&Scope, &RunnerView)> {
        self.scopes
            .iter()
            .flat_map(|s| s.runners.iter().map(move |r| (&s.scope, r)))
    }

    /// Open outages of the whole fleet, longest first.
    pub fn open_outages(&self) -> Vec<(&Scope, &RunnerView, &Outage)> {
        let mut open: Vec<_> = self
            .runners()
            .filter_map(|(scope, runner)| runner.open.as_ref().map(|o| (scope, runner, o)))
            .collect();
        open.sort_by_key(|(_, _, o)| o.started_at);
        open
    }
}

impl ScopeView {
    /// The scope's runners grouped by label (`self-hosted`, which every runner has, left out).
    pub fn label_groups(&self) -> Vec<LabelGroup> {
        let mut groups: BTreeMap<&str, Vec<&RunnerView>> = BTreeMap::new();
        for runner in &self.runners {
            for label in &runner.record.labels {
                if label != "self-hosted" {
                    groups.entry(label).or_default().push(runner);
                }
            }
        }
        groups
            .into_iter()
            .map(|(label, runners)| LabelGroup {
                label: label.to_owned(),
                runners: runners.len(),
                healthy: runners.iter().filter(|r| r.record.is_healthy()).count(),
                window: runners
                    .iter()
                    .fold(Uptime::default(), |sum, r| sum.plus(r.window)),
                mttr: mean_mttr(&runners),
            })
            .collect()
    }

    /// The scope's summed uptime over the fleet's `since`.
    pub fn window(&self) -> Uptime {
        self.runners
            .iter()
            .fold(Uptime::default(), |sum, r| sum.plus(r.window))
    }

    /// Mean time to recovery over all the scope's runners.
    pub fn mttr(&self) -> Option<Duration> {
        mean_mttr(&self.runners.iter().collect::<Vec<_>>())
    }
}

/// The mean of every recovery of `runners`.
fn mean_mttr(runners: &[&RunnerView]) -> Option<Duration> {
    let all: Vec<Duration> = runners
        .iter()
        .flat_map(|r| r.recoveries.iter().copied())
        .collect();
    let count = u32::try_from(all.len()).ok().filter(|n| *n > 0)?;
    Some(all.iter().sum::<Duration>() / count)
}

async fn scope_view(
    store: &dyn Store,
    scope: &Scope,
    now: Timestamp,
    from: Timestamp,
    since: Duration,
    history_ttl: Duration,
    silencing: &Silencing,
) -> ScopeView {
    let failed = |error: String| ScopeView {
        scope: scope.clone(),
        record: ScopeRecord::default(),
        runners: Vec::new(),
        error: Some(error),
    };
    let state = match store.load(scope).await {
        Ok(state) => state,
        Err(error) => return failed(error.to_string()),
    };
    let outages = match store.outages_between(scope, from, now).await {
        Ok(outages) => outages,
        Err(error) => return failed(error.to_string()),
    };
    let mut by_runner: BTreeMap<&str, Vec<Outage>> = BTreeMap::new();
    for outage in &outages {
        by_runner
            .entry(outage.runner.as_str())
            .or_default()
            .push(outage.clone());
    }
    let window_from = before(now, since);
    let runners = state
        .runners
        .values()
        .map(|record| {
            let theirs = by_runner
                .get(record.name.as_str())
                .map_or(&[][..], Vec::as_slice);
            let basis = Basis::new(Some(record.first_seen_at), now, history_ttl);
            let quiet = silencing.stretches(scope, record, from, now);
            let last =
                |d: Duration| uptime::measure_silenced(theirs, &quiet, before(now, d), now, basis);
            RunnerView {
                record: record.clone(),
                open: state.open_outages.get(&record.name).cloned(),
                last_24h: last(24 * HOUR),
                last_7d: last(7 * DAY),
                last_30d: last(30 * DAY),
                window: last(since),
                mttr: uptime::mean_time_to_recovery(theirs, window_from, now),
                recoveries: theirs
                    .iter()
                    .filter_map(|o| {
                        let end = o.resolved_at.filter(|end| *end >= window_from)?;
                        (end - o.started_at).to_std().ok()
                    })
                    .collect(),
                days: uptime::days_silenced(theirs, &quiet, BAR_DAYS, basis),
            }
        })
        .collect();
    ScopeView {
        scope: scope.clone(),
        record: state.record,
        runners,
        error: None,
    }
}

/// `now - d`, saturating.
fn before(now: Timestamp, d: Duration) -> Timestamp {
    chrono::Duration::from_std(d)
        .ok()
        .and_then(|d| now.checked_sub_signed(d))
        .unwrap_or(Timestamp::MIN_UTC)
}
