//! `Repository` (`/repo-:repoId`): the scope, its version and its source health.

use runner_monitor_core::{DegradedIncident, FailureClass, Scope, ScopeRecord, SourceFailure};

use super::time::{millis, opt_millis, opt_timestamp, timestamp};
use crate::error::ClientError;
use crate::keys;

/// The `Repository` item (fields 1-6 the original's, 7-19 schema v3).
#[derive(Clone, PartialEq, prost::Message)]
pub struct Repository {
    /// The scope's canonical id.
    #[prost(string, tag = "1")]
    pub repo_id: String,
    /// Repo scopes: the owner; org/enterprise: the name.
    #[prost(string, tag = "2")]
    pub owner: String,
    /// Repo scopes: the repository name; org/enterprise: "".
    #[prost(string, tag = "3")]
    pub name: String,
    /// Always true.
    #[prost(bool, tag = "4")]
    pub is_active: bool,
    /// Server-set (createdAtTime).
    #[prost(sint64, tag = "5")]
    pub created_at: i64,
    /// The last successful observation (0 = none).
    #[prost(sint64, tag = "6")]
    pub last_synced_at: i64,
    /// Scope version for optimistic commits.
    #[prost(uint64, tag = "7")]
    pub version: u64,
    /// 0 while observations work.
    #[prost(sint64, tag = "8")]
    pub failing_since: i64,
    /// `FailureClass` snake_case, "" = none.
    #[prost(string, tag = "9")]
    pub last_failure_class: String,
    /// The last failure's message.
    #[prost(string, tag = "10")]
    pub last_failure_message: String,
    /// Open degraded incident (0 = none).
    #[prost(uint64, tag = "11")]
    pub degraded_incident_id: u64,
    /// When the degraded incident's failures began.
    #[prost(sint64, tag = "12")]
    pub degraded_since: i64,
    /// The degraded incident's failure class.
    #[prost(string, tag = "13")]
    pub degraded_failure_class: String,
    /// The degraded incident's failure message.
    #[prost(string, tag = "14")]
    pub degraded_failure_message: String,
    /// The last degraded incident id ever used.
    #[prost(uint64, tag = "15")]
    pub last_incident_id: u64,
    /// When history was last expired (0 = never).
    #[prost(sint64, tag = "16")]
    pub history_expired_at: i64,
    /// `repo`, `org` or `enterprise`.
    #[prost(string, tag = "17")]
    pub scope_kind: String,
    /// Since when listings have been suspect (0 = believed).
    #[prost(sint64, tag = "18")]
    pub suspect_since: i64,
    /// A clock jump waiting for confirmation (0 = none).
    #[prost(sint64, tag = "19")]
    pub clock_jump_at: i64,
}

impl Repository {
    /// The schema's item type name.
    pub const TYPE: &'static str = "Repository";

    /// The item for `scope`, stored in group `repo_id` (the layout's, see
    /// [`GroupMap`](crate::GroupMap)), at `version` holding `record`.
    pub fn new(scope: &Scope, repo_id: &str, version: u64, record: &ScopeRecord) -> Self {
        let (owner, name) = match scope {
            Scope::Repo { owner, name } => (owner.clone(), name.clone()),
            // An organization kept in a repository's group (original layout) names that group.
            Scope::Org(org) if repo_id != scope.to_string() => (org.clone(), repo_id.to_owned()),
            Scope::Org(name) | Scope::Enterprise(name) | Scope::Pool(name) => {
                (name.clone(), String::new())
            }
        };
        let failure_parts = |failure: Option<&SourceFailure>| {
            failure.map_or((String::new(), String::new()), |f| {
                (f.class.as_str().to_owned(), f.message.clone())
            })
        };
        let (last_failure_class, last_failure_message) =
            failure_parts(record.last_failure.as_ref());
        let (degraded_failure_class, degraded_failure_message) =
            failure_parts(record.degraded.as_ref().map(|d| &d.failure));
        Repository {
            repo_id: repo_id.to_owned(),
            owner,
            name,
            is_active: true,
            created_at: 0,
            last_synced_at: opt_millis(record.last_success_at),
            version,
            failing_since: opt_millis(record.failing_since),
            last_failure_class,
            last_failure_message,
            degraded_incident_id: record.degraded.as_ref().map_or(0, |d| d.id),
            degraded_since: record.degraded.as_ref().map_or(0, |d| millis(d.since)),
            degraded_failure_class,
            degraded_failure_message,
            last_incident_id: record.last_incident_id,
            history_expired_at: opt_millis(record.history_expired_at),
            scope_kind: scope.kind().to_owned(),
            suspect_since: opt_millis(record.suspect_since),
            clock_jump_at: opt_millis(record.clock_jump_at),
        }
    }

    /// The key path.
    pub fn key_path(&self) -> String {
        keys::repo(&self.repo_id)
    }

    /// The scope record it holds (an original item has only the heartbeat).
    ///
    /// # Errors
    /// [`ClientError::Decode`] for an unknown failure class or a timestamp out of range.
    pub fn record(&self) -> Result<ScopeRecord, ClientError> {
        let failure = |class: &str, message: &str| -> Result<Option<SourceFailure>, ClientError> {
            if class.is_empty() {
                return Ok(None);
            }
            let class: FailureClass =
                serde_json::from_value(serde_json::Value::String(class.to_owned())).map_err(
                    |_| ClientError::Decode(format!("Repository: unknown failure class `{class}`")),
                )?;
            Ok(Some(SourceFailure {
                class,
                message: message.to_owned(),
            }))
        };
        let degraded = if self.degraded_incident_id == 0 {
            None
        } else {
            let failure = failure(&self.degraded_failure_class, &self.degraded_failure_message)?
                .ok_or_else(|| {
                    ClientError::Decode("Repository: degraded incident without a failure".into())
                })?;
            Some(DegradedIncident {
                id: self.degraded_incident_id,
                since: timestamp(self.degraded_since, "Repository.degradedSince")?,
                failure,
            })
        };
        Ok(ScopeRecord {
            last_success_at: opt_timestamp(self.last_synced_at, "Repository.lastSyncedAt")?,
            failing_since: opt_timestamp(self.failing_since, "Repository.failingSince")?,
            last_failure: failure(&self.last_failure_class, &self.last_failure_message)?,
            degraded,
            last_incident_id: self.last_incident_id,
            history_expired_at: opt_timestamp(
                self.history_expired_at,
                "Repository.historyExpiredAt",
            )?,
            suspect_since: opt_timestamp(self.suspect_since, "Repository.suspectSince")?,
            clock_jump_at: opt_timestamp(self.clock_jump_at, "Repository.clockJumpAt")?,
        })
    }
}
