//! `OutageEvent` (`/repo-:repoId/history-:runnerId/outage-:outageId`).

use std::time::Duration;

use runner_monitor_core::{Acknowledgement, Outage, Resolution, RunnerStatus};

use super::runner::status;
use super::time::{NEVER_MS, expiry, millis, opt_millis, opt_timestamp, timestamp};
use crate::error::ClientError;
use crate::keys;

/// The `OutageEvent` item (fields 1-11 the original's, 12-19 schema v3).
#[derive(Clone, PartialEq, prost::Message)]
pub struct OutageEvent {
    /// Key id: the server's sequence within `history-:runnerId` (0 when creating).
    #[prost(uint64, tag = "1")]
    pub outage_id: u64,
    /// The scope's canonical id.
    #[prost(string, tag = "2")]
    pub repo_id: String,
    /// The runner's GitHub id when the outage opened.
    #[prost(uint64, tag = "3")]
    pub runner_id: u64,
    /// The trigger `RunnerStatus`.
    #[prost(int32, tag = "4")]
    pub status: i32,
    /// When the runner became unhealthy.
    #[prost(sint64, tag = "5")]
    pub started_at: i64,
    /// When it ended (0 = ongoing).
    #[prost(sint64, tag = "6")]
    pub resolved_at: i64,
    /// Human description.
    #[prost(string, tag = "7")]
    pub description: String,
    /// True once its "opened" delivery is enqueued.
    #[prost(bool, tag = "8")]
    pub notification_sent: bool,
    /// Server-set (createdAtTime).
    #[prost(sint64, tag = "9")]
    pub created_at: i64,
    /// Server-set (lastModifiedAtTime).
    #[prost(sint64, tag = "10")]
    pub updated_at: i64,
    /// The runner's name.
    #[prost(string, tag = "11")]
    pub runner_name: String,
    /// "", "recovered" or "removed".
    #[prost(string, tag = "12")]
    pub resolution: String,
    /// The status it recovered to.
    #[prost(int32, tag = "13")]
    pub resolved_status: i32,
    /// Reminders sent.
    #[prost(uint32, tag = "14")]
    pub reminders: u32,
    /// When the last reminder was planned.
    #[prost(sint64, tag = "15")]
    pub last_reminded_at: i64,
    /// TTL: never while open, `resolvedAt` + history TTL once resolved.
    #[prost(sint64, tag = "16")]
    pub expires_at: i64,
    /// `Outage.id`: contiguous per runner name (0 in the original's items: use `outageId`).
    #[prost(uint64, tag = "17")]
    pub number: u64,
    /// Who acknowledged it ("" = not acknowledged).
    #[prost(string, tag = "18")]
    pub acknowledged_by: String,
    /// When it was acknowledged (0 = not acknowledged).
    #[prost(sint64, tag = "19")]
    pub acknowledged_at: i64,
}

impl OutageEvent {
    /// The schema's item type name.
    pub const TYPE: &'static str = "OutageEvent";

    /// The item for `outage` in scope `repo_id`, stored under key id `outage_id` (0 to let the
    /// server assign one). Open outages never expire; resolved ones at `resolvedAt + history_ttl`.
    pub fn new(repo_id: &str, outage: &Outage, outage_id: u64, history_ttl: Duration) -> Self {
        let (resolution, resolved_status) = match outage.resolution {
            None => (String::new(), 0),
            Some(Resolution::Recovered(status)) => ("recovered".to_owned(), status.number()),
            Some(Resolution::Removed) => ("removed".to_owned(), 0),
        };
        OutageEvent {
            outage_id,
            repo_id: repo_id.to_owned(),
            runner_id: outage.runner_id,
            status: outage.trigger.number(),
            started_at: millis(outage.started_at),
            resolved_at: opt_millis(outage.resolved_at),
            description: outage.description.clone(),
            notification_sent: false,
            created_at: 0,
            updated_at: 0,
            runner_name: outage.runner.clone(),
            resolution,
            resolved_status,
            reminders: outage.reminders,
            last_reminded_at: opt_millis(outage.last_reminded_at),
            expires_at: outage
                .resolved_at
                .map_or(NEVER_MS, |at| expiry(at, history_ttl)),
            number: outage.id,
            acknowledged_by: outage
                .acknowledged
                .as_ref()
                .map(|a| a.by.clone())
                .unwrap_or_default(),
            acknowledged_at: outage.acknowledged.as_ref().map_or(0, |a| millis(a.at)),
        }
    }

    /// The key path (meaningful once `outage_id` is known).
    pub fn key_path(&self) -> String {
        keys::outage(&self.repo_id, self.runner_id, self.outage_id)
    }

    /// The per-runner-name id: `number`, or `outageId` for the original's items.
    pub fn number(&self) -> u64 {
        if self.number != 0 {
            self.number
        } else {
            self.outage_id
        }
    }

    /// Whether it is still ongoing.
    pub fn is_open(&self) -> bool {
        self.resolved_at == 0
    }

    /// The outage it holds. The original's resolved outages have no resolution (`None`).
    ///
    /// # Errors
    /// [`ClientError::Decode`] for an unknown status or resolution, or a timestamp out of range.
    pub fn outage(&self) -> Result<Outage, ClientError> {
        let resolution = match self.resolution.as_str() {
            "" => None,
            "removed" => Some(Resolution::Removed),
            "recovered" => Some(Resolution::Recovered(
                status(self.resolved_status, "OutageEvent.resolvedStatus")?
                    .unwrap_or(RunnerStatus::Online),
            )),
            other => {
                return Err(ClientError::Decode(format!(
                    "OutageEvent.resolution: unknown value `{other}`"
                )));
            }
        };
        Ok(Outage {
            runner: self.runner_name.clone(),
            id: self.number(),
            runner_id: self.runner_id,
            trigger: status(self.status, "OutageEvent.status")?.unwrap_or(RunnerStatus::Offline),
            started_at: timestamp(self.started_at, "OutageEvent.startedAt")?,
            resolved_at: opt_timestamp(self.resolved_at, "OutageEvent.resolvedAt")?,
            resolution,
            description: self.description.clone(),
            reminders: self.reminders,
            last_reminded_at: opt_timestamp(self.last_reminded_at, "OutageEvent.lastRemindedAt")?,
            acknowledged: opt_timestamp(self.acknowledged_at, "OutageEvent.acknowledgedAt")?.map(
                |at| Acknowledgement {
                    by: self.acknowledged_by.clone(),
                    at,
                },
            ),
        })
    }
}
