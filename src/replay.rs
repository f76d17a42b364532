//! Replaying a JSONL trace of runner listings through the real [`Monitor`] and a [`MemoryStore`].
//!
//! Each trace line is either
//! `{"at":"<RFC 3339>","scope":"owner/name","runners":[<GitHub runner objects>]}` or
//! `{"at":"...","scope":"...","error":"unavailable"|"unauthorized"|"rate_limited"}`.
//! One cycle runs per line, at time `at`, for that line's scope; with `pools` in the policy, the
//! pools are then judged over every scope of the trace (from the store). After the last line one
//! more dispatch runs `group_wait` later, so messages held back for grouping still go out.
//! [`JsonLines`] is a sink that renders each message as a sink would receive it
//! ([`message_json`]). `examples/replay.rs` is the CLI.

use std::collections::{BTreeMap, HashMap};
use std::io::BufRead;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use runner_monitor_core::{
    Message, Monitor, Notification, NotificationKind, Notifier, NotifyError, Observation,
    ObservedRunner, Policy, RunnerSource, Scope, Sent, SourceError, Timestamp,
};
use runner_monitor_memory::MemoryStore;
use serde::Deserialize;

/// One parsed trace line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceLine {
    /// The line number in the file (from 1).
    pub number: usize,
    /// When the cycle runs.
    pub at: Timestamp,
    /// The scope observed.
    pub scope: Scope,
    /// The complete listing, or why it failed.
    pub observed: Result<Observation, SourceError>,
}

/// Why a trace could not be replayed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReplayError {
    /// A line is not valid trace JSON.
    #[error("line {line}: {reason}")]
    Malformed {
        /// The line number (from 1).
        line: usize,
        /// What is wrong.
        reason: String,
    },
    /// The trace could not be read.
    #[error("reading the trace: {0}")]
    Io(#[from] std::io::Error),
    /// The policy or configuration is invalid.
    #[error("{0}")]
    Config(String),
    /// The store failed.
    #[error("store: {0}")]
    Store(String),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLine {
    at: Timestamp,
    scope: Scope,
    #[serde(default)]
    runners: Option<Vec<ObservedRunner>>,
    #[serde(default)]
    error: Option<TraceFailure>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
enum TraceFailure {
    Unavailable,
    Unauthorized,
    RateLimited,
}

impl From<TraceFailure> for SourceError {
    fn from(failure: TraceFailure) -> Self {
        match failure {
            TraceFailure::Unavailable => SourceError::Unavailable {
                message: "trace: GitHub unavailable".into(),
            },
            TraceFailure::Unauthorized => SourceError::Unauthorized {
                message: "trace: token expired or invalid".into(),
            },
            TraceFailure::RateLimited => SourceError::RateLimited {
                retry_after: Duration::from_secs(60),
            },
        }
    }
}

/// Parses one line (`number` is used in errors).
///
/// # Errors
/// [`ReplayError::Malformed`] naming the line and the problem.
pub fn parse_line(number: usize, text: &str) -> Result<TraceLine, ReplayError> {
    let malformed = |reason: String| ReplayError::Malformed {
        line: number,
        reason,
    };
    let raw: RawLine = serde_json::from_str(text).map_err(|e| malformed(e.to_string()))?;
    let observed = match (raw.runners, raw.error) {
        (Some(runners), None) => Ok(Observation { runners }),
        (None, Some(failure)) => Err(failure.into()),
        _ => {
            return Err(malformed(
                "needs exactly one of `runners` and `error`".into(),
            ));
        }
    };
    Ok(TraceLine {
        number,
        at: raw.at,
        scope: raw.scope,
        observed,
    })
}

/// Parses a whole trace; blank lines are skipped. Nothing is replayed from a malformed trace.
///
/// # Errors
/// The first malformed line, or an I/O error.
pub fn parse_trace(reader: impl BufRead) -> Result<Vec<TraceLine>, ReplayError> {
    let mut lines = Vec::new();
    for (index, text) in reader.lines().enumerate() {
        let text = text?;
        if !text.trim().is_empty() {
            lines.push(parse_line(index + 1, &text)?);
        }
    }
    Ok(lines)
}

/// Answers each scope with its latest trace observation.
#[derive(Debug, Default)]
struct TraceSource {
    current: Mutex<HashMap<Scope, Result<Observation, SourceError>>>,
}

#[async_trait]
impl RunnerSource for TraceSource {
    async fn observe(&self, scope: &Scope) -> Result<Observation, SourceError> {
        let current = self.current.lock().unwrap_or_else(|p| p.into_inner());
        current.get(scope).cloned().unwrap_or_else(|| {
            Err(SourceError::NotFound {
                message: format!("{scope} is not in the trace"),
            })
        })
    }
}

/// Runs one cycle per line, in order, delivering every notification to `sink`.
///
/// # Errors
/// [`ReplayError::Config`] for an invalid policy, [`ReplayError::Store`] if the store fails.
pub async fn replay(
    lines: Vec<TraceLine>,
    policy: Policy,
    sink: Arc<dyn Notifier>,
) -> Result<MemoryStore, ReplayError> {
    let source = Arc::new(TraceSource::default());
    let store = MemoryStore::new();
    let mut monitors: BTreeMap<Scope, Monitor> = BTreeMap::new();
    let mut last_at = None;
    // Pools span scopes: judged by one monitor over every scope of the trace, after each line.
    let pools = match policy.pools.is_empty() {
        true => None,
        false => {
            let scopes: std::collections::BTreeSet<Scope> =
                lines.iter().map(|l| l.scope.clone()).collect();
            let monitor = Monitor::builder(source.clone(), Arc::new(store.clone()))
                .scopes(scopes)
                .sink("replay", sink.clone())
                .policy(policy.clone())
                .build()
                .map_err(|e| ReplayError::Config(e.to_string()))?;
            Some(monitor)
        }
    };
    let policy = Policy {
        pools: Vec::new(),
        ..policy
    };
    for line in lines {
        last_at = Some(line.at);
        source
            .current
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(line.scope.clone(), line.observed);
        if !monitors.contains_key(&line.scope) {
            let monitor = Monitor::builder(source.clone(), Arc::new(store.clone()))
                .scope(line.scope.clone())
                .sink("replay", sink.clone())
                .policy(policy.clone())
                .build()
                .map_err(|e| ReplayError::Config(e.to_string()))?;
            monitors.insert(line.scope.clone(), monitor);
        }
        if let Some(monitor) = monitors.get(&line.scope) {
            let report = monitor.run_cycle(line.at).await;
            let store_error = report
                .scopes
                .iter()
                .find_map(|s| s.store_error.clone())
                .or(report.deliveries.store_error);
            if let Some(error) = store_error {
                return Err(ReplayError::Store(error.to_string()));
            }
        }
        if let Some(monitor) = &pools {
            let report = monitor.run_pools_cycle(line.at).await;
            let store_error = report
                .pools
                .iter()
                .find_map(|p| p.store_error.clone())
                .or(report.deliveries.store_error);
            if let Some(error) = store_error {
                return Err(ReplayError::Store(error.to_string()));
            }
        }
    }
    // What the last cycles planned waits for `group_wait`: one dispatch after it sends it.
    if let (Some(monitor), Some(at)) = (monitors.values().next(), last_at) {
        let wait = chrono::Duration::from_std(policy.group_wait + Duration::from_secs(1))
            .unwrap_or_else(|_| chrono::Duration::seconds(1));
        let report = monitor.dispatch(at + wait).await;
        if let Some(error) = report.store_error {
            return Err(ReplayError::Store(error.to_string()));
        }
    }
    Ok(store)
}

/// A message as one JSON object: `kind`, `scope`, `at` (the newest member's), `key` (the
/// message's), and
/// - for one runner notification, `runner` and `outage_id`;
/// - for a message about several runners (a group of runner notifications, or a removal
///   notice), `runners`: a list of `{"scope", "runner", "outage_id"}`;
/// - for a group across scopes (monitoring degraded/restored by cause), `scopes`, with
///   `scope` `null`.
pub fn message_json(message: &Message) -> serde_json::Value {
    let mut object = serde_json::Map::new();
    let first = message.members.first();
    let mut scopes: Vec<String> = Vec::new();
    for member in &message.members {
        let scope = member.scope.to_string();
        if !scopes.contains(&scope) {
            scopes.push(scope);
        }
    }
    object.insert("kind".into(), message.kind_name().into());
    let scope = match scopes.as_slice() {
        [one] => serde_json::Value::from(one.clone()),
        _ => serde_json::Value::Null,
    };
    object.insert("scope".into(), scope);
    let at = message.members.iter().map(|m| m.at).max();
    object.insert(
        "at".into(),
        at.map(|at| at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            .into(),
    );
    object.insert("key".into(), message.key.clone().into());
    if let Some(pool) = first.and_then(pool_json) {
        object.insert("pool".into(), pool);
    }
    let runners = runner_entries(&message.members);
    match (
        message.members.as_slice(),
        first.and_then(Notification::runner),
    ) {
        ([one], Some(runner)) => {
            object.insert("runner".into(), runner.name.clone().into());
            object.insert("outage_id".into(), outage_id(one).into());
        }
        _ if !runners.is_empty() => {
            object.insert("runners".into(), runners.into());
        }
        _ if scopes.len() > 1 => {
            object.insert("scopes".into(), scopes.into());
        }
        _ => {}
    }
    serde_json::Value::Object(object)
}

/// The outage a notification is about; for `runner_flapping`, the one whose opening made the
/// runner flap (recorded, not told).
fn outage_id(n: &Notification) -> Option<u64> {
    match &n.kind {
        NotificationKind::RunnerFlapping { outage, .. } => Some(*outage),
        _ => n.outage().map(|o| o.id),
    }
}

/// For a pool's message (`pool_below_floor`, `pool_reminder`, `pool_restored`), the count:
/// `name`, `measure`, `count`, `total`, `minimum`.
fn pool_json(n: &Notification) -> Option<serde_json::Value> {
    match &n.kind {
        NotificationKind::PoolBelowFloor { pool, .. }
        | NotificationKind::PoolReminder { pool, .. }
        | NotificationKind::PoolRestored { pool, .. } => Some(serde_json::json!({
            "name": pool.name,
            "measure": pool.measure.as_str(),
            "count": pool.count,
            "total": pool.total,
            "minimum": pool.minimum,
        })),
        _ => None,
    }
}

/// `{"scope", "runner", "outage_id"}` for every runner the members are about.
fn runner_entries(members: &[Notification]) -> Vec<serde_json::Value> {
    members
        .iter()
        .flat_map(|n| match (&n.kind, n.runner()) {
            (NotificationKind::RunnersRemoved { runners, .. }, _) => runners
                .iter()
                .map(|r| serde_json::json!({"scope": n.scope.to_string(), "runner": r.name, "outage_id": null}))
                .collect(),
            (_, Some(runner)) => vec![serde_json::json!({
                "scope": n.scope.to_string(),
                "runner": runner.name,
                "outage_id": outage_id(n),
            })],
            _ => Vec::new(),
        })
        .collect()
}

/// A sink that renders each message it is sent with [`message_json`], keeps the lines and,
/// when made with [`printing`](Self::printing), writes each to standard output.
#[derive(Debug, Default)]
pub struct JsonLines {
    lines: Mutex<Vec<serde_json::Value>>,
    print: bool,
}

impl JsonLines {
    /// A sink that only keeps the lines.
    pub fn new() -> Self {
        Self::default()
    }

    /// A sink that also prints each line.
    pub fn printing() -> Self {
        JsonLines {
            print: true,
            ..Self::default()
        }
    }

    /// The lines so far, one per message.
    pub fn lines(&self) -> Vec<serde_json::Value> {
        self.lines.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

#[async_trait]
impl Notifier for JsonLines {
    async fn notify(&self, notification: &Notification) -> Result<(), NotifyError> {
        let sent = self.send(&Message::new(vec![notification.clone()])).await;
        match sent.outcomes.into_iter().next() {
            Some(runner_monitor_core::MemberOutcome::Failed(error)) => Err(error),
            _ => Ok(()),
        }
    }

    async fn send(&self, message: &Message) -> Sent {
        let line = message_json(message);
        if self.print {
            use std::io::Write;
            if let Err(e) = writeln!(std::io::stdout().lock(), "{line}") {
                return Sent::all(
                    message.members.len(),
                    Err(NotifyError::permanent(e.to_string())),
                );
            }
        }
        self.lines
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(line);
        Sent::all(message.members.len(), Ok(()))
    }
}
