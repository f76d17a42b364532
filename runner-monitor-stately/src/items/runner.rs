//! `Runner` (`/repo-:repoId/runner-:name`) and its `Label` object.

use runner_monitor_core::{RunnerRecord, RunnerStatus};

use super::time::{millis, opt_millis, opt_timestamp, timestamp};
use crate::error::ClientError;
use crate::keys;

/// The `Label` object: `{ 1 name string }`.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct Label {
    /// The label's name.
    #[prost(string, tag = "1")]
    pub name: String,
}

/// The `Runner` item (fields 1-11 the original's, 12-19 schema v3).
#[derive(Clone, PartialEq, prost::Message)]
pub struct Runner {
    /// Current GitHub id.
    #[prost(uint64, tag = "1")]
    pub runner_id: u64,
    /// The scope's canonical id.
    #[prost(string, tag = "2")]
    pub repo_id: String,
    /// The runner's name (identity).
    #[prost(string, tag = "3")]
    pub name: String,
    /// `RunnerStatus` number.
    #[prost(int32, tag = "4")]
    pub status: i32,
    /// Always true.
    #[prost(bool, tag = "5")]
    pub enabled: bool,
    /// Operating system.
    #[prost(string, tag = "6")]
    pub os: String,
    /// Labels.
    #[prost(message, repeated, tag = "7")]
    pub labels: Vec<Label>,
    /// Last listed.
    #[prost(sint64, tag = "8")]
    pub last_seen_at: i64,
    /// First listed.
    #[prost(sint64, tag = "9")]
    pub first_seen_at: i64,
    /// Server-set (createdAtTime).
    #[prost(sint64, tag = "10")]
    pub created_at: i64,
    /// Server-set (lastModifiedAtTime).
    #[prost(sint64, tag = "11")]
    pub updated_at: i64,
    /// Running a job.
    #[prost(bool, tag = "12")]
    pub busy: bool,
    /// Ephemeral runner.
    #[prost(bool, tag = "13")]
    pub ephemeral: bool,
    /// Runner group (0 = none).
    #[prost(uint64, tag = "14")]
    pub runner_group_id: u64,
    /// Earlier GitHub ids, oldest first.
    #[prost(uint64, repeated, tag = "15")]
    pub previous_ids: Vec<u64>,
    /// In the current health state since.
    #[prost(sint64, tag = "16")]
    pub since: i64,
    /// Ever healthy since registration.
    #[prost(bool, tag = "17")]
    pub ever_healthy: bool,
    /// Flapping rule: when recent outages opened (ms), oldest first.
    #[prost(sint64, repeated, tag = "18")]
    pub flap_opens: Vec<i64>,
    /// Flapping since (ms); 0 when not flapping.
    #[prost(sint64, tag = "19")]
    pub flapping_since: i64,
}

impl Runner {
    /// The schema's item type name.
    pub const TYPE: &'static str = "Runner";

    /// The item holding `record` in scope `repo_id`.
    pub fn new(repo_id: &str, record: &RunnerRecord) -> Self {
        Runner {
            runner_id: record.id,
            repo_id: repo_id.to_owned(),
            name: record.name.clone(),
            status: record.status.number(),
            enabled: true,
            os: record.os.clone(),
            labels: record
                .labels
                .iter()
                .map(|name| Label { name: name.clone() })
                .collect(),
            last_seen_at: millis(record.last_seen_at),
            first_seen_at: millis(record.first_seen_at),
            created_at: 0,
            updated_at: 0,
            busy: record.busy,
            ephemeral: record.ephemeral,
            runner_group_id: record.group_id.unwrap_or(0),
            previous_ids: record.previous_ids.clone(),
            since: millis(record.since),
            ever_healthy: record.ever_healthy,
            flap_opens: record.flap_opens.iter().copied().map(millis).collect(),
            flapping_since: opt_millis(record.flapping_since),
        }
    }

    /// The key path.
    pub fn key_path(&self) -> String {
        keys::runner(&self.repo_id, &self.name)
    }

    /// Every GitHub id it has had, current last.
    pub fn all_ids(&self) -> impl Iterator<Item = u64> + '_ {
        self.previous_ids
            .iter()
            .copied()
            .chain(std::iter::once(self.runner_id))
    }

    /// The record it holds. An item written by the original monitor (no v3 fields, `since` 0)
    /// is read as an established runner: in its state since its last update, healthy before,
    /// busy when its status is BUSY.
    ///
    /// # Errors
    /// [`ClientError::Decode`] for an unknown status number or a timestamp out of range.
    pub fn record(&self) -> Result<RunnerRecord, ClientError> {
        let status = status(self.status, "Runner.status")?.unwrap_or(RunnerStatus::Unknown);
        let last_seen_at = timestamp(self.last_seen_at, "Runner.lastSeenAt")?;
        let original = self.since == 0;
        let since = if original {
            opt_timestamp(self.updated_at, "Runner.updatedAt")?.unwrap_or(last_seen_at)
        } else {
            timestamp(self.since, "Runner.since")?
        };
        Ok(RunnerRecord {
            name: self.name.clone(),
            id: self.runner_id,
            previous_ids: self.previous_ids.clone(),
            status,
            busy: if original {
                status == RunnerStatus::Busy
            } else {
                self.busy
            },
            os: self.os.clone(),
            labels: self.labels.iter().map(|l| l.name.clone()).collect(),
            ephemeral: self.ephemeral,
            group_id: (self.runner_group_id != 0).then_some(self.runner_group_id),
            first_seen_at: timestamp(self.first_seen_at, "Runner.firstSeenAt")?,
            last_seen_at,
            since,
            ever_healthy: original || self.ever_healthy,
            flap_opens: self
                .flap_opens
                .iter()
                .map(|ms| timestamp(*ms, "Runner.flapOpens"))
                .collect::<Result<_, _>>()?,
            flapping_since: opt_timestamp(self.flapping_since, "Runner.flappingSince")?,
        })
    }
}

/// A stored `RunnerStatus`: `None` for 0 (unspecified).
///
/// # Errors
/// [`ClientError::Decode`] for a number the schema does not define.
pub(crate) fn status(number: i32, field: &str) -> Result<Option<RunnerStatus>, ClientError> {
    if number == 0 {
        return Ok(None);
    }
    RunnerStatus::from_number(number)
        .map(Some)
        .ok_or_else(|| ClientError::Decode(format!("{field}: unknown RunnerStatus {number}")))
}
