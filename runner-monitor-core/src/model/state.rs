//! What a store keeps per scope ([`ScopeState`]) and the changes a commit applies ([`Change`]).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Notification, Outage, Resolution, RunnerRecord, Scope, SourceFailure, Timestamp};

/// A scope's version: 0 before its first commit, then increased by every successful commit.
pub type Version = u64;

/// An open "monitoring degraded" incident of a scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DegradedIncident {
    /// Contiguous per scope from 1.
    pub id: u64,
    /// When the observations started failing.
    pub since: Timestamp,
    /// The failure that raised it.
    pub failure: SourceFailure,
}

/// Per-scope bookkeeping: source health and the heartbeat.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeRecord {
    /// Last successful observation as of the last write (the heartbeat).
    pub last_success_at: Option<Timestamp>,
    /// When the current run of failed observations began; `None` while observations work.
    pub failing_since: Option<Timestamp>,
    /// The latest failure while failing.
    pub last_failure: Option<SourceFailure>,
    /// The open degraded incident, if one was reported.
    pub degraded: Option<DegradedIncident>,
    /// The id of the last degraded incident ever opened (ids are contiguous).
    pub last_incident_id: u64,
    /// When history was last expired for this scope.
    #[serde(default)]
    pub history_expired_at: Option<Timestamp>,
    /// Since when complete listings have been suspect (lost most known runners at once); `None`
    /// while listings are believed. The drop is accepted `suspect_drop.accept_after` after it.
    #[serde(default)]
    pub suspect_since: Option<Timestamp>,
    /// The first observation that was a clock jump (more than `clock_jump` past
    /// [`recorded_at`](Self::recorded_at)) and is waiting for a second one to confirm it.
    #[serde(default)]
    pub clock_jump_at: Option<Timestamp>,
}

impl ScopeRecord {
    /// The newest observation time this record holds: the heartbeat or the start of the current
    /// run of failures. An observation older than it changes nothing (the time guard).
    pub fn recorded_at(&self) -> Option<Timestamp> {
        self.last_success_at.max(self.failing_since)
    }
}

/// Everything the engine needs to know about one scope, as loaded from a store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeState {
    /// The scope.
    pub scope: Scope,
    /// Version to pass back to [`Store::commit`](crate::Store::commit).
    pub version: Version,
    /// Source health and heartbeat.
    pub record: ScopeRecord,
    /// Runners by name.
    pub runners: BTreeMap<String, RunnerRecord>,
    /// The open outage of each runner that has one, by runner name.
    pub open_outages: BTreeMap<String, Outage>,
    /// The highest outage id ever used per runner name, including runners since forgotten (so a
    /// returning name continues its numbering).
    pub last_outage_ids: BTreeMap<String, u64>,
}

impl ScopeState {
    /// The state of a scope no store has seen: version 0, nothing in it.
    pub fn empty(scope: Scope) -> Self {
        ScopeState {
            scope,
            version: 0,
            record: ScopeRecord::default(),
            runners: BTreeMap::new(),
            open_outages: BTreeMap::new(),
            last_outage_ids: BTreeMap::new(),
        }
    }

    /// The id the next outage of `runner` gets.
    pub fn next_outage_id(&self, runner: &str) -> u64 {
        self.last_outage_ids.get(runner).copied().unwrap_or(0) + 1
    }
}

/// One change in a commit. A commit applies all of its changes or none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "change")]
#[non_exhaustive]
pub enum Change {
    /// Replace the scope record.
    PutScope(ScopeRecord),
    /// Create or replace a runner (by name).
    PutRunner(RunnerRecord),
    /// Forget a runner (by name). Its outage history and outage numbering stay.
    DeleteRunner {
        /// The runner's name.
        name: String,
    },
    /// Open an outage. Its id MUST be one more than the runner's last outage id and the runner MUST
    /// have no open outage; the store rejects it otherwise ([`StoreError::Invalid`](crate::StoreError)).
    OpenOutage(Outage),
    /// Resolve the runner's open outage `id`; the store rejects it if that outage is not open.
    ResolveOutage {
        /// The runner's name.
        runner: String,
        /// The open outage's id.
        id: u64,
        /// When it ended.
        resolved_at: Timestamp,
        /// How.
        resolution: Resolution,
    },
    /// Count a reminder on the runner's open outage `id`.
    RecordReminder {
        /// The runner's name.
        runner: String,
        /// The open outage's id.
        id: u64,
        /// When the reminder was planned.
        at: Timestamp,
    },
    /// Add a delivery of `notification` to `sink` to the outbox.
    Enqueue {
        /// The sink's configured name.
        sink: String,
        /// What to deliver.
        notification: Notification,
    },
    /// Drop this scope's resolved outages resolved before `before` and its settled deliveries
    /// settled before `before`. Open outages and pending deliveries are never dropped.
    ExpireHistory {
        /// The cut-off.
        before: Timestamp,
    },
}
