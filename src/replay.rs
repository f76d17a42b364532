//! Replaying a JSONL trace of runner listings through the real [`Monitor`] and a [`MemoryStore`].
//!
//! Each trace line is either
//! `{"at":"<RFC 3339>","scope":"owner/name","runners":[<GitHub runner objects>]}` or
//! `{"at":"...","scope":"...","error":"unavailable"|"unauthorized"|"rate_limited"}`.
//! One cycle runs per line, at time `at`, for that line's scope; with `pools` in the policy, the
//! pools are then judged over every scope of the trace (from the store). `examples/replay.rs` is
//! the CLI.

use std::collections::{BTreeMap, HashMap};
use std::io::BufRead;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use runner_monitor_core::{
    Monitor, Notifier, Observation, ObservedRunner, Policy, RunnerSource, Scope, SourceError,
    Timestamp,
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
    Ok(store)
}
