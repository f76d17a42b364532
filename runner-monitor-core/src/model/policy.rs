//! [`Policy`]: the timing rules of the engine.

use std::time::Duration;

use serde::{Deserialize, Serialize};

const SECOND: Duration = Duration::from_secs(1);
const MINUTE: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(3600);
const DAY: Duration = Duration::from_secs(86_400);

/// When outages open and resolve, when runners are forgotten, when people are reminded.
///
/// Every field has a documented default ([`Policy::default`]). In TOML or JSON durations are written
/// the humantime way (`"2m"`, `"10min"`, `"14days"`, `"1h 30m"`); missing fields keep their default.
///
/// # Examples
/// ```
/// use runner_monitor_core::Policy;
/// use std::time::Duration;
/// let policy: Policy = serde_json::from_str(r#"{"open_after": "5m", "remind_every": "4h"}"#)?;
/// assert_eq!(policy.open_after, Duration::from_secs(300));
/// assert_eq!(policy.new_runner_grace, Duration::from_secs(600)); // default kept
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Policy {
    /// How long a runner must stay unhealthy before an outage opens (flap damping: a self-update
    /// restart stays below it). Default 2 min.
    #[serde(with = "humantime_serde")]
    pub open_after: Duration,
    /// The same for a runner that has never been healthy since it was registered (GitHub lists new
    /// runners offline for a moment). Default 10 min.
    #[serde(with = "humantime_serde")]
    pub new_runner_grace: Duration,
    /// How long a runner must stay healthy before its outage resolves. Default 0 (at once).
    #[serde(with = "humantime_serde")]
    pub resolve_after: Duration,
    /// A non-ephemeral runner absent this long is forgotten, any open outage resolved as removed.
    /// Default 14 days (GitHub itself removes runners after 14 days without contact).
    #[serde(with = "humantime_serde")]
    pub forget_after: Duration,
    /// Remind about an open outage this often. Default off (`None`).
    #[serde(with = "humantime_serde")]
    pub remind_every: Option<Duration>,
    /// Report "monitoring degraded" when a scope's observations have failed this long.
    /// Default 15 min.
    #[serde(with = "humantime_serde")]
    pub source_alert_after: Duration,
    /// Give up delivering a notification this long after it was planned. Default 24 h.
    #[serde(with = "humantime_serde")]
    pub delivery_ttl: Duration,
    /// Keep resolved outages this long (open outages are kept forever). Default 30 days.
    #[serde(with = "humantime_serde")]
    pub history_ttl: Duration,
    /// In steady state, write a scope heartbeat (last successful observation) at most this often.
    /// Default 10 min.
    #[serde(with = "humantime_serde")]
    pub heartbeat_every: Duration,
    /// When a complete listing is too unlike the stored state to be believed (`[policy.suspect_drop]`).
    pub suspect_drop: SuspectDrop,
    /// An observation more than this far past the newest time the scope recorded is a clock jump:
    /// it is believed only when a second observation confirms the new time (nothing changes on
    /// the first). Must exceed the polling interval and `heartbeat_every`. Default 6 h.
    #[serde(with = "humantime_serde")]
    pub clock_jump: Duration,
    /// What a non-ephemeral runner that complete listings stop showing means. Default
    /// [`RemovedRunners::Notice`]: it was deregistered on purpose (GitHub keeps a crashed runner
    /// listed as offline), so it is forgotten with one notice per scope and cycle.
    pub removed_runners: RemovedRunners,
    /// How long the dispatcher holds a new notification back so that others of the same kind
    /// for the same sink, sharing its scope (runner outages, removal notices) or its cause
    /// (monitoring degraded/restored with one failure class across scopes), go out with it as
    /// one message. A notification is sent at the first dispatch at least this long after it
    /// was planned. Default 30 s; 0 turns grouping off (each notification its own message, sent
    /// at once).
    #[serde(with = "humantime_serde")]
    pub group_wait: Duration,
    /// A runner that opens this many outages within `flap_window` is flapping: one
    /// `runner_flapping` notice replaces the opening that made it flap, and its outages are
    /// recorded but not told until it has been stable for `flap_settle`. Default 3; 0 turns the
    /// rule off; 1 is rejected (every outage would be "flapping").
    pub flap_count: u32,
    /// The window `flap_count` outages must open within. Default 30 min.
    #[serde(with = "humantime_serde")]
    pub flap_window: Duration,
    /// A flapping runner whose health has not changed for this long has settled: one
    /// `runner_stable` if it settled healthy, or the `outage_opened` of its open outage if it
    /// settled down. Default 15 min.
    #[serde(with = "humantime_serde")]
    pub flap_settle: Duration,
    /// Maintenance windows (`[[policy.silences]]`, see [`SilenceSpec`](crate::SilenceSpec)):
    /// while one covering a notification is active it is held back by the dispatcher (an
    /// outage still open at the end is sent then). Default none. Runtime silences (from Slack)
    /// live in the store and add to these.
    pub silences: Vec<crate::model::Silence>,
    /// Capacity pools (`[[policy.pools]]`): each opens an outage of its own when fewer than its
    /// floor of matching runners are online (or idle) for its `for`. Default none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub pools: Vec<super::Pool>,
}

/// What happens to a non-ephemeral runner that complete listings no longer show
/// (`removed_runners` in `[policy]`).
///
/// # Examples
/// ```
/// use runner_monitor_core::{Policy, RemovedRunners};
/// let policy: Policy = serde_json::from_str(r#"{"removed_runners": "outage"}"#)?;
/// assert_eq!(policy.removed_runners, RemovedRunners::Outage);
/// assert_eq!(Policy::default().removed_runners, RemovedRunners::Notice);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RemovedRunners {
    /// Deregistered on purpose: missing from one complete listing it is marked UNKNOWN and
    /// opens no outage; missing from the next one too, with no outage open, it is forgotten and reported in one `runners_removed` notice
    /// (`deregistered: true`) with every runner of the scope removed in that cycle. A runner
    /// whose outage is already open when it disappears keeps the outage until `forget_after`.
    #[default]
    Notice,
    /// The behaviour before 0.2: missing means unhealthy (UNKNOWN); an outage opens after
    /// `open_after` and resolves as removed after `forget_after`.
    Outage,
}

/// The suspect-listing rule: a complete listing that lacks more than `percent` % of the scope's
/// known runners (non-ephemeral, listed at the last observation), when there are at least
/// `min_known` of them, changes no runner and counts as a failed observation of class
/// [`SuspectListing`](crate::FailureClass::SuspectListing) until the drop has lasted
/// `accept_after`; then the missing runners are removed with one `runners_removed` notification.
///
/// # Examples
/// ```
/// use runner_monitor_core::Policy;
/// // TOML: [policy.suspect_drop] percent = 80, accept_after = "2h"
/// let policy: Policy =
///     serde_json::from_str(r#"{"suspect_drop": {"percent": 80, "accept_after": "2h"}}"#)?;
/// assert_eq!(policy.suspect_drop.percent, 80);
/// assert_eq!(policy.suspect_drop.min_known, 5); // default kept
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SuspectDrop {
    /// The rule applies to scopes with at least this many known runners (smaller scopes report
    /// each runner). Default 5; 1 makes any listing that loses every runner suspect.
    pub min_known: usize,
    /// A listing missing MORE than this percentage of the known runners is suspect. Default 50;
    /// 100 turns the rule off (no listing can miss more than all of them).
    pub percent: u8,
    /// A drop that persists this long is accepted as a real removal. Default 6 h: a token that
    /// lost access is far likelier than a fleet removed at once.
    #[serde(with = "humantime_serde")]
    pub accept_after: Duration,
}

impl Default for SuspectDrop {
    fn default() -> Self {
        SuspectDrop {
            min_known: 5,
            percent: 50,
            accept_after: 6 * HOUR,
        }
    }
}

impl SuspectDrop {
    /// Whether losing `lost` of `known` runners at once makes a listing suspect.
    pub fn is_suspect(&self, known: usize, lost: usize) -> bool {
        known > 0 && known >= self.min_known && lost * 100 > known * usize::from(self.percent)
    }
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            open_after: 2 * MINUTE,
            new_runner_grace: 10 * MINUTE,
            resolve_after: Duration::ZERO,
            forget_after: 14 * DAY,
            remind_every: None,
            source_alert_after: 15 * MINUTE,
            delivery_ttl: 24 * HOUR,
            history_ttl: 30 * DAY,
            heartbeat_every: 10 * MINUTE,
            suspect_drop: SuspectDrop::default(),
            clock_jump: 6 * HOUR,
            removed_runners: RemovedRunners::Notice,
            group_wait: 30 * SECOND,
            flap_count: 3,
            flap_window: 30 * MINUTE,
            flap_settle: 15 * MINUTE,
            silences: Vec::new(),
            pools: Vec::new(),
        }
    }
}

/// A [`Policy`] that cannot work.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid policy: `{field}` {problem}")]
pub struct PolicyError {
    /// The offending field.
    pub field: &'static str,
    /// What is wrong with it.
    pub problem: &'static str,
}

impl Policy {
    /// Checks the settings make sense together.
    ///
    /// # Errors
    /// A [`PolicyError`] naming the field: a zero `remind_every`, `heartbeat_every` or
    /// `delivery_ttl`, a `forget_after` shorter than `open_after`, a `suspect_drop.percent` above
    /// 100, a `clock_jump` not longer than `heartbeat_every`, a `group_wait` not shorter than
    /// `delivery_ttl`, a `flap_count` of 1, (with the flapping rule on) a zero `flap_window`
    /// or `flap_settle`, two `silences` with one id, or a pool that fails
    /// [`Pool::validate`](super::Pool::validate) (`pools.<field>`) or shares its name with
    /// another (`pools.name`).
    pub fn validate(&self) -> Result<(), PolicyError> {
        self.validate_pools()?;
        if self.remind_every == Some(Duration::ZERO) {
            return Err(PolicyError {
                field: "remind_every",
                problem: "must be positive (leave it out to turn reminders off)",
            });
        }
        if self.heartbeat_every.is_zero() {
            return Err(PolicyError {
                field: "heartbeat_every",
                problem: "must be positive",
            });
        }
        if self.delivery_ttl.is_zero() {
            return Err(PolicyError {
                field: "delivery_ttl",
                problem: "must be positive",
            });
        }
        if self.forget_after < self.open_after || self.forget_after < self.new_runner_grace {
            return Err(PolicyError {
                field: "forget_after",
                problem: "must be at least open_after and new_runner_grace",
            });
        }
        if self.suspect_drop.percent > 100 {
            return Err(PolicyError {
                field: "suspect_drop.percent",
                problem: "must be at most 100 (100 turns the rule off)",
            });
        }
        if self.group_wait >= self.delivery_ttl {
            return Err(PolicyError {
                field: "group_wait",
                problem: "must be shorter than delivery_ttl",
            });
        }
        for (i, silence) in self.silences.iter().enumerate() {
            if self.silences[..i].iter().any(|s| s.id == silence.id) {
                return Err(PolicyError {
                    field: "silences",
                    problem: "has two silences with the same id",
                });
            }
        }
        if self.clock_jump <= self.heartbeat_every {
            return Err(PolicyError {
                field: "clock_jump",
                problem: "must be longer than heartbeat_every (and than the polling interval)",
            });
        }
        self.validate_flapping()
    }

    /// The flapping keys (`flap_count`, `flap_window`, `flap_settle`).
    fn validate_flapping(&self) -> Result<(), PolicyError> {
        if self.flap_count == 1 {
            return Err(PolicyError {
                field: "flap_count",
                problem: "must be 0 (off) or at least 2 (one outage is not flapping)",
            });
        }
        if self.flap_count > 0 && self.flap_window.is_zero() {
            return Err(PolicyError {
                field: "flap_window",
                problem: "must be positive while flap_count is on",
            });
        }
        if self.flap_count > 0 && self.flap_settle.is_zero() {
            return Err(PolicyError {
                field: "flap_settle",
                problem: "must be positive while flap_count is on",
            });
        }
        Ok(())
    }

    fn validate_pools(&self) -> Result<(), PolicyError> {
        let mut names = std::collections::BTreeSet::new();
        for pool in &self.pools {
            pool.validate().map_err(|error| PolicyError {
                field: match error.field {
                    "name" => "pools.name",
                    "labels" => "pools.labels",
                    "min_online" => "pools.min_online",
                    "min_idle" => "pools.min_idle",
                    "scopes" => "pools.scopes",
                    _ => "pools",
                },
                problem: error.problem,
            })?;
            if !names.insert(pool.name.as_str()) {
                return Err(PolicyError {
                    field: "pools.name",
                    problem: "is used by two pools: each pool needs its own name",
                });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_documented_ones() {
        let p = Policy::default();
        assert_eq!(p.open_after, Duration::from_secs(120));
        assert_eq!(p.new_runner_grace, Duration::from_secs(600));
        assert_eq!(p.resolve_after, Duration::ZERO);
        assert_eq!(p.forget_after, Duration::from_secs(14 * 86_400));
        assert_eq!(p.remind_every, None);
        assert_eq!(p.source_alert_after, Duration::from_secs(900));
        assert_eq!(p.delivery_ttl, Duration::from_secs(86_400));
        assert_eq!(p.history_ttl, Duration::from_secs(30 * 86_400));
        assert_eq!(p.heartbeat_every, Duration::from_secs(600));
        assert_eq!(p.suspect_drop.min_known, 5);
        assert_eq!(p.suspect_drop.percent, 50);
        assert_eq!(p.suspect_drop.accept_after, Duration::from_secs(6 * 3600));
        assert_eq!(p.clock_jump, Duration::from_secs(6 * 3600));
        assert_eq!(p.removed_runners, RemovedRunners::Notice);
        assert_eq!(p.group_wait, Duration::from_secs(30));
        assert_eq!(p.flap_count, 3);
        assert_eq!(p.flap_window, Duration::from_secs(1800));
        assert_eq!(p.flap_settle, Duration::from_secs(900));
        assert!(p.pools.is_empty());
        assert_eq!(p.validate(), Ok(()));
    }

    #[test]
    fn unknown_fields_and_bad_values_are_rejected() {
        let err = serde_json::from_str::<Policy>(r#"{"open_afterr": "1m"}"#).expect_err("typo");
        assert!(err.to_string().contains("open_afterr"), "{err}");
        let err = serde_json::from_str::<Policy>(r#"{"open_after": "soon"}"#).expect_err("value");
        assert!(!err.to_string().is_empty());
        let zero = Policy {
            remind_every: Some(Duration::ZERO),
            ..Policy::default()
        };
        assert_eq!(zero.validate().map_err(|e| e.field), Err("remind_every"));
        let over = Policy {
            suspect_drop: SuspectDrop {
                percent: 101,
                ..SuspectDrop::default()
            },
            ..Policy::default()
        };
        assert_eq!(
            over.validate().map_err(|e| e.field),
            Err("suspect_drop.percent")
        );
        let jump = Policy {
            clock_jump: Duration::from_secs(600),
            ..Policy::default()
        };
        assert_eq!(jump.validate().map_err(|e| e.field), Err("clock_jump"));
        let wait = Policy {
            group_wait: Duration::from_secs(86_400),
            ..Policy::default()
        };
        assert_eq!(wait.validate().map_err(|e| e.field), Err("group_wait"));
        let err = serde_json::from_str::<Policy>(r#"{"suspect_drop": {"share": 5}}"#)
            .expect_err("typo in the nested table");
        assert!(err.to_string().contains("share"), "{err}");
        let err = serde_json::from_str::<Policy>(r#"{"removed_runners": "delete"}"#)
            .expect_err("unknown variant");
        assert!(err.to_string().contains("notice"), "{err}");
    }

    #[test]
    fn flapping_keys_parse_and_validate() {
        let p: Policy =
            serde_json::from_str(r#"{"flap_count": 4, "flap_window": "1h", "flap_settle": "20m"}"#)
                .expect("parse");
        assert_eq!(
            (p.flap_count, p.flap_window, p.flap_settle),
            (4, Duration::from_secs(3600), Duration::from_secs(1200))
        );
        assert_eq!(p.validate(), Ok(()));
        let cases = [
            (1, 60, 60, Err("flap_count")),
            (3, 0, 60, Err("flap_window")),
            (3, 60, 0, Err("flap_settle")),
            (0, 0, 0, Ok(())), // off: the other two do not matter
            (2, 60, 60, Ok(())),
        ];
        for (count, window, settle, expected) in cases {
            let p = Policy {
                flap_count: count,
                flap_window: Duration::from_secs(window),
                flap_settle: Duration::from_secs(settle),
                ..Policy::default()
            };
            assert_eq!(
                p.validate().map_err(|e| e.field),
                expected,
                "{count} {window} {settle}"
            );
        }
        let err = serde_json::from_str::<Policy>(r#"{"flap_count": -1}"#).expect_err("negative");
        assert!(!err.to_string().is_empty());
        let err = serde_json::from_str::<Policy>(r#"{"flap_window": "often"}"#).expect_err("bad");
        assert!(!err.to_string().is_empty());
    }

    #[test]
    fn suspect_drop_thresholds() {
        let rule = SuspectDrop::default();
        let cases = [
            // (known, lost, suspect)
            (250, 250, true),
            (250, 126, true),
            (250, 125, false), // exactly half is not more than half
            (5, 3, true),
            (5, 2, false),
            (4, 4, false), // fewer than min_known: each runner is reported
            (0, 0, false),
        ];
        for (known, lost, suspect) in cases {
            assert_eq!(rule.is_suspect(known, lost), suspect, "{lost} of {known}");
        }
        let off = SuspectDrop {
            percent: 100,
            ..rule
        };
        assert!(!off.is_suspect(250, 250), "100 turns the rule off");
        let any = SuspectDrop {
            min_known: 1,
            ..rule
        };
        assert!(any.is_suspect(1, 1));
    }

    fn pools(json: &str) -> Result<(), &'static str> {
        let policy: Policy =
            serde_json::from_str(&format!(r#"{{"pools": {json}}}"#)).expect("parses");
        policy.validate().map_err(|e| e.field)
    }

    #[test]
    fn pools_are_validated_with_the_field_named() {
        let gpu = r#"{"name": "gpu", "labels": ["gpu"], "min_online": 2}"#;
        assert_eq!(pools(&format!("[{gpu}]")), Ok(()));
        let cases = [
            (format!("[{gpu}, {gpu}]"), "pools.name"),
            (
                r#"[{"name": "gpu", "labels": ["gpu"], "min_online": 2, "min_idle": 1}]"#.into(),
                "pools.min_online",
            ),
            (
                r#"[{"name": "gpu", "labels": ["gpu"]}]"#.into(),
                "pools.min_online",
            ),
            (
                r#"[{"name": "gpu", "labels": [], "min_idle": 1}]"#.into(),
                "pools.labels",
            ),
            (
                r#"[{"name": "gpu", "labels": [" "], "min_idle": 1}]"#.into(),
                "pools.labels",
            ),
            (
                r#"[{"name": "gpu", "labels": ["gpu"], "min_idle": 0}]"#.into(),
                "pools.min_idle",
            ),
            (
                r#"[{"name": "a b", "labels": ["gpu"], "min_idle": 1}]"#.into(),
                "pools.name",
            ),
            (
                r#"[{"name": "gpu", "labels": ["gpu"], "min_idle": 1, "scopes": ["pool:x"]}]"#
                    .into(),
                "pools.scopes",
            ),
        ];
        for (json, field) in cases {
            assert_eq!(pools(&json), Err(field), "{json}");
        }
        let err = serde_json::from_str::<Policy>(
            r#"{"pools": [{"name": "gpu", "labels": ["gpu"], "min_online": 1, "fro": "1m"}]}"#,
        )
        .expect_err("typo");
        assert!(err.to_string().contains("fro"), "{err}");
        let policy: Policy =
            serde_json::from_str(&format!(r#"{{"pools": [{gpu}]}}"#)).expect("parses");
        assert_eq!(
            policy.pools[0].below_for,
            super::super::pool::DEFAULT_POOL_FOR
        );
    }
}
