//! Runners: what GitHub lists ([`ObservedRunner`]) and what the store keeps ([`RunnerRecord`]).

use serde::{Deserialize, Deserializer, Serialize};

use super::{RunnerSnapshot, Timestamp};

/// A runner's status, numbered exactly as the original monitor's store (`RunnerStatus` enum), so
/// stores that share data with it keep the same numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[repr(i32)]
pub enum RunnerStatus {
    /// Online; kept for compatibility (listings map online runners to [`Busy`](Self::Busy) or
    /// [`Idle`](Self::Idle)).
    Online = 1,
    /// Listed by GitHub as `offline`.
    Offline = 2,
    /// Online and running a job.
    Busy = 3,
    /// Absent from a complete listing.
    Unknown = 4,
    /// Online and waiting for a job.
    Idle = 5,
}

impl RunnerStatus {
    /// Maps a listing entry the way the original monitor did: `offline` -> OFFLINE, `online` and
    /// busy -> BUSY, `online` and idle -> IDLE.
    pub fn from_listing(online: bool, busy: bool) -> Self {
        match (online, busy) {
            (false, _) => RunnerStatus::Offline,
            (true, true) => RunnerStatus::Busy,
            (true, false) => RunnerStatus::Idle,
        }
    }

    /// Healthy means able to take jobs: anything but OFFLINE and UNKNOWN.
    pub fn is_healthy(self) -> bool {
        !matches!(self, RunnerStatus::Offline | RunnerStatus::Unknown)
    }

    /// The stored number (ONLINE 1, OFFLINE 2, BUSY 3, UNKNOWN 4, IDLE 5).
    pub fn number(self) -> i32 {
        self as i32
    }

    /// The status for a stored number, `None` for 0 (unspecified) or unknown numbers.
    pub fn from_number(number: i32) -> Option<Self> {
        Some(match number {
            1 => RunnerStatus::Online,
            2 => RunnerStatus::Offline,
            3 => RunnerStatus::Busy,
            4 => RunnerStatus::Unknown,
            5 => RunnerStatus::Idle,
            _ => return None,
        })
    }

    /// A human label: `Online`, `Offline`, `Busy`, `Unknown`, `Idle`.
    pub fn label(self) -> &'static str {
        match self {
            RunnerStatus::Online => "Online",
            RunnerStatus::Offline => "Offline",
            RunnerStatus::Busy => "Busy",
            RunnerStatus::Unknown => "Unknown",
            RunnerStatus::Idle => "Idle",
        }
    }
}

impl std::fmt::Display for RunnerStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// GitHub's `status` field of a listed runner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ListedStatus {
    /// `"online"`.
    Online,
    /// `"offline"`.
    Offline,
}

/// One runner as a complete listing reports it. Deserializes straight from a GitHub REST runner
/// object (`{"id", "name", "os", "status", "busy", "labels": [{"name"}], "ephemeral",
/// "runner_group_id"}`); unknown fields are ignored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObservedRunner {
    /// GitHub's numeric id; changes when the runner is re-registered.
    pub id: u64,
    /// The runner's name: its identity within a scope.
    pub name: String,
    /// Operating system as GitHub reports it (`linux`, `macos`, ...).
    pub os: String,
    /// `online` or `offline`.
    pub status: ListedStatus,
    /// Whether it is running a job (may be true while offline: it died mid-job).
    pub busy: bool,
    /// Label names, in GitHub's order.
    #[serde(deserialize_with = "label_names")]
    pub labels: Vec<String>,
    /// Ephemeral runners deregister after one job; their disappearance is normal.
    #[serde(default)]
    pub ephemeral: bool,
    /// The runner group, when GitHub reports one.
    #[serde(default, rename = "runner_group_id")]
    pub group_id: Option<u64>,
}

impl ObservedRunner {
    /// The status in the original numbering.
    pub fn status(&self) -> RunnerStatus {
        RunnerStatus::from_listing(self.status == ListedStatus::Online, self.busy)
    }
}

/// Accepts GitHub's `[{"id": 5, "name": "self-hosted", "type": "read-only"}]` and plain strings.
fn label_names<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Label {
        Object { name: String },
        Name(String),
    }
    let labels = Vec::<Label>::deserialize(deserializer)?;
    Ok(labels
        .into_iter()
        .map(|label| match label {
            Label::Object { name } | Label::Name(name) => name,
        })
        .collect())
}

/// A runner as the store keeps it. Identity is `name` within a scope.
///
/// `last_seen_at` is written only when the record is written for another reason (steady state
/// writes nothing); a runner present in the listing was last seen at the scope's last successful
/// observation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunnerRecord {
    /// The runner's name (identity).
    pub name: String,
    /// GitHub's current id.
    pub id: u64,
    /// Ids it had before re-registrations, oldest first.
    #[serde(default)]
    pub previous_ids: Vec<u64>,
    /// Current status; [`RunnerStatus::Unknown`] while absent.
    pub status: RunnerStatus,
    /// Running a job at the last observation.
    pub busy: bool,
    /// Operating system.
    pub os: String,
    /// Label names.
    #[serde(default)]
    pub labels: Vec<String>,
    /// Ephemeral (one job, then gone).
    #[serde(default)]
    pub ephemeral: bool,
    /// Runner group id.
    #[serde(default)]
    pub group_id: Option<u64>,
    /// First time any listing showed it.
    pub first_seen_at: Timestamp,
    /// Last time a listing showed it, as of the last write of this record.
    pub last_seen_at: Timestamp,
    /// Since when it has been in its current health state (healthy or unhealthy).
    pub since: Timestamp,
    /// Whether it has ever been healthy since registration (a new runner gets a longer grace).
    pub ever_healthy: bool,
    /// When its recent outages opened, oldest first: those within `flap_window`, at most
    /// `flap_count - 1` (the flapping rule's memory). Empty while flapping or with the rule off.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flap_opens: Vec<Timestamp>,
    /// Since when it has been flapping (its outages are recorded, not told); `None` when not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flapping_since: Option<Timestamp>,
}

impl RunnerRecord {
    /// What a notification (or a silence's target) sees of it.
    pub fn snapshot(&self) -> RunnerSnapshot {
        RunnerSnapshot {
            name: self.name.clone(),
            id: self.id,
            status: self.status,
            busy: self.busy,
            os: self.os.clone(),
            labels: self.labels.clone(),
            ephemeral: self.ephemeral,
        }
    }

    /// Whether the current status is healthy.
    pub fn is_healthy(&self) -> bool {
        self.status.is_healthy()
    }

    /// Whether it is flapping: its outage messages are held until it settles.
    pub fn is_flapping(&self) -> bool {
        self.flapping_since.is_some()
    }

    /// Every GitHub id this runner has had, current last.
    pub fn all_ids(&self) -> impl Iterator<Item = u64> + '_ {
        self.previous_ids
            .iter()
            .copied()
            .chain(std::iter::once(self.id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbering_matches_the_original_store() {
        let expected = [
            (RunnerStatus::Online, 1),
            (RunnerStatus::Offline, 2),
            (RunnerStatus::Busy, 3),
            (RunnerStatus::Unknown, 4),
            (RunnerStatus::Idle, 5),
        ];
        for (status, number) in expected {
            assert_eq!(status.number(), number);
            assert_eq!(RunnerStatus::from_number(number), Some(status));
        }
        assert_eq!(RunnerStatus::from_number(0), None);
        assert_eq!(RunnerStatus::from_number(6), None);
    }

    #[test]
    fn listing_maps_like_the_original() {
        assert_eq!(
            RunnerStatus::from_listing(false, true),
            RunnerStatus::Offline
        );
        assert_eq!(RunnerStatus::from_listing(true, true), RunnerStatus::Busy);
        assert_eq!(RunnerStatus::from_listing(true, false), RunnerStatus::Idle);
        assert!(!RunnerStatus::Unknown.is_healthy());
        assert!(!RunnerStatus::Offline.is_healthy());
        assert!(RunnerStatus::Busy.is_healthy());
    }

    #[test]
    fn deserializes_a_github_runner_object_ignoring_unknown_fields() {
        let json = r#"{"id": 23, "runner_group_id": 1, "name": "MBP", "os": "macos",
            "status": "online", "busy": true, "ephemeral": false, "version": "2.320.0",
            "labels": [{"id": 5, "name": "self-hosted", "type": "read-only"},
                       {"id": 21, "name": "gpu", "type": "custom"}]}"#;
        let runner: ObservedRunner = serde_json::from_str(json).expect("parse");
        assert_eq!(runner.id, 23);
        assert_eq!(runner.labels, ["self-hosted", "gpu"]);
        assert_eq!(runner.group_id, Some(1));
        assert_eq!(runner.status(), RunnerStatus::Busy);
    }

    #[test]
    fn missing_required_field_is_named() {
        let err = serde_json::from_str::<ObservedRunner>(
            r#"{"id": 1, "name": "a", "status": "online", "busy": false, "labels": []}"#,
        )
        .expect_err("os is required");
        assert!(err.to_string().contains("os"), "{err}");
    }
}
