//! Capacity pools (`[[policy.pools]]`): "at least N runners with these labels online (or idle)".

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{PolicyError, RunnerRecord, RunnerStatus, Scope, ScopeState};

/// The default `for` of a pool: how long it must stay below its floor before an outage opens.
pub const DEFAULT_POOL_FOR: Duration = Duration::from_secs(120);

/// One capacity pool: the runners of `scopes` carrying every label in `labels`, and the floor
/// they must not stay below for longer than `for`.
///
/// Exactly one of `min_online` (healthy: online, busy or idle) and `min_idle` (online and not
/// busy: "jobs will queue") is set. A pool's state, outages and messages live in its own scope
/// `pool:NAME` ([`Scope::Pool`]).
///
/// # Examples
/// ```
/// use runner_monitor_core::{Policy, PoolFloor};
/// // TOML: [[policy.pools]] name = "gpu", labels = ["gpu"], min_online = 2, for = "5m"
/// let policy: Policy = serde_json::from_str(
///     r#"{"pools": [{"name": "gpu", "labels": ["gpu"], "min_online": 2, "for": "5m"}]}"#,
/// )?;
/// let pool = &policy.pools[0];
/// assert_eq!(pool.floor(), Some(PoolFloor::Online(2)));
/// assert_eq!(pool.below_for, std::time::Duration::from_secs(300));
/// assert!(policy.validate().is_ok());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pool {
    /// Unique among pools; the pool's scope is `pool:NAME`.
    pub name: String,
    /// A runner is in the pool when it carries all of these labels (compared ignoring ASCII
    /// case, as GitHub does). At least one.
    pub labels: Vec<String>,
    /// The scopes whose runners count; empty (the default) means every watched scope.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scopes: Vec<Scope>,
    /// Floor on healthy members (online, busy or idle).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_online: Option<usize>,
    /// Floor on idle members (online and not busy).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_idle: Option<usize>,
    /// How long the pool must stay below its floor before its outage opens (damping). TOML key
    /// `for`. Default 2 min.
    #[serde(rename = "for", default = "default_for", with = "humantime_serde")]
    pub below_for: Duration,
}

fn default_for() -> Duration {
    DEFAULT_POOL_FOR
}

/// What a pool counts and its minimum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PoolFloor {
    /// At least this many members healthy.
    Online(usize),
    /// At least this many members online and not busy.
    Idle(usize),
}

/// Which members a pool's floor counts: `online` or `idle`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PoolMeasure {
    /// Healthy members (online, busy or idle).
    Online,
    /// Online members not running a job.
    Idle,
}

impl PoolMeasure {
    /// `online` or `idle`, as messages say it.
    pub fn as_str(self) -> &'static str {
        match self {
            PoolMeasure::Online => "online",
            PoolMeasure::Idle => "idle",
        }
    }
}

impl PoolFloor {
    /// What is counted.
    pub fn measure(self) -> PoolMeasure {
        match self {
            PoolFloor::Online(_) => PoolMeasure::Online,
            PoolFloor::Idle(_) => PoolMeasure::Idle,
        }
    }

    /// The minimum.
    pub fn minimum(self) -> usize {
        match self {
            PoolFloor::Online(n) | PoolFloor::Idle(n) => n,
        }
    }

    /// Whether `runner` counts towards this floor.
    pub fn counts(self, runner: &RunnerRecord) -> bool {
        match self {
            PoolFloor::Online(_) => runner.is_healthy(),
            PoolFloor::Idle(_) => {
                matches!(runner.status, RunnerStatus::Idle | RunnerStatus::Online) && !runner.busy
            }
        }
    }
}

/// A pool's count at one moment, as its notifications carry it ("1 of 4 online (minimum 2)").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolCount {
    /// The pool's name.
    pub name: String,
    /// What was counted.
    pub measure: PoolMeasure,
    /// Members counted (online or idle).
    pub count: usize,
    /// Members known (carrying all the labels, whatever their status).
    pub total: usize,
    /// The floor.
    pub minimum: usize,
    /// The pool's labels.
    pub labels: Vec<String>,
}

impl PoolCount {
    /// Whether the count is below the floor.
    pub fn is_below(&self) -> bool {
        self.count < self.minimum
    }

    /// The opening's text: `Pool gpu: 1 of 4 online (minimum 2)`.
    ///
    /// # Examples
    /// ```
    /// use runner_monitor_core::{PoolCount, PoolMeasure};
    /// let count = PoolCount {
    ///     name: "gpu".into(), measure: PoolMeasure::Online, count: 3, total: 4, minimum: 2,
    ///     labels: vec!["gpu".into()],
    /// };
    /// assert_eq!(count.below_text(), "Pool gpu: 3 of 4 online (minimum 2)");
    /// let lasted = std::time::Duration::from_secs(12 * 60 + 5);
    /// assert_eq!(count.back_text(lasted), "Pool gpu back: 3 of 4 online after 12 min");
    /// ```
    pub fn below_text(&self) -> String {
        format!(
            "Pool {}: {} of {} {} (minimum {})",
            self.name,
            self.count,
            self.total,
            self.measure.as_str(),
            self.minimum
        )
    }

    /// A reminder's text: `Pool gpu still below its floor after 4 h: 1 of 4 online (minimum 2)`.
    ///
    /// # Examples
    /// ```
    /// use runner_monitor_core::{PoolCount, PoolMeasure};
    /// let count = PoolCount {
    ///     name: "gpu".into(), measure: PoolMeasure::Online, count: 1, total: 4, minimum: 2,
    ///     labels: vec!["gpu".into()],
    /// };
    /// let below = std::time::Duration::from_secs(4 * 3600);
    /// assert_eq!(
    ///     count.reminder_text(below),
    ///     "Pool gpu still below its floor after 4 h: 1 of 4 online (minimum 2)"
    /// );
    /// ```
    pub fn reminder_text(&self, below_for: Duration) -> String {
        format!(
            "Pool {} still below its floor after {}: {} of {} {} (minimum {})",
            self.name,
            minutes(below_for),
            self.count,
            self.total,
            self.measure.as_str(),
            self.minimum
        )
    }

    /// The resolution's text: `Pool gpu back: 3 of 4 online after 12 min`.
    pub fn back_text(&self, lasted: Duration) -> String {
        format!(
            "Pool {} back: {} of {} {} after {}",
            self.name,
            self.count,
            self.total,
            self.measure.as_str(),
            minutes(lasted)
        )
    }
}

/// `45 s`, `12 min`, `2 h 5 min`, `3 d 4 h`: the two largest units, rounded down.
fn minutes(lasted: Duration) -> String {
    let secs = lasted.as_secs();
    let (days, hours, mins) = (secs / 86_400, secs / 3600 % 24, secs / 60 % 60);
    match (days, hours, mins) {
        (0, 0, 0) => format!("{secs} s"),
        (0, 0, _) => format!("{mins} min"),
        (0, _, 0) => format!("{hours} h"),
        (0, _, _) => format!("{hours} h {mins} min"),
        (_, 0, _) => format!("{days} d"),
        _ => format!("{days} d {hours} h"),
    }
}

impl Pool {
    /// The pool's floor, `None` unless exactly one of `min_online` and `min_idle` is set.
    pub fn floor(&self) -> Option<PoolFloor> {
        match (self.min_online, self.min_idle) {
            (Some(n), None) => Some(PoolFloor::Online(n)),
            (None, Some(n)) => Some(PoolFloor::Idle(n)),
            _ => None,
        }
    }

    /// The pool's own scope, `pool:NAME`.
    pub fn scope(&self) -> Scope {
        Scope::pool(self.name.clone())
    }

    /// Whether `runner` belongs to the pool: it carries every label (ASCII case ignored).
    /// The scope is checked apart ([`spans`](Self::spans)).
    pub fn matches(&self, runner: &RunnerRecord) -> bool {
        self.carries(&runner.labels)
    }

    /// Whether a runner with `labels` carries every label of the pool (ASCII case ignored).
    pub fn carries(&self, labels: &[String]) -> bool {
        self.labels
            .iter()
            .all(|want| labels.iter().any(|l| l.eq_ignore_ascii_case(want)))
    }

    /// The pool's count over `states`: its members (runners carrying every label) in the
    /// states of scopes it [`spans`](Self::spans) (others are skipped), and how many of them
    /// its floor counts. `None` without a valid floor. The one definition of a pool's count:
    /// the engine judges the floor with it and `/runner-status` shows it.
    pub fn count<'a>(&self, states: impl IntoIterator<Item = &'a ScopeState>) -> Option<PoolCount> {
        self.count_records(
            states
                .into_iter()
                .flat_map(|s| s.runners.values().map(move |r| (&s.scope, r))),
        )
    }

    /// [`count`](Self::count) over runner records with their scopes (what a caller holding
    /// records rather than states has, e.g. the status page).
    pub fn count_records<'a>(
        &self,
        runners: impl IntoIterator<Item = (&'a Scope, &'a RunnerRecord)>,
    ) -> Option<PoolCount> {
        let floor = self.floor()?;
        let (mut total, mut counted) = (0, 0);
        for (_, runner) in runners.into_iter().filter(|(scope, _)| self.spans(scope)) {
            if self.matches(runner) {
                total += 1;
                counted += usize::from(floor.counts(runner));
            }
        }
        Some(PoolCount {
            name: self.name.clone(),
            measure: floor.measure(),
            count: counted,
            total,
            minimum: floor.minimum(),
            labels: self.labels.clone(),
        })
    }

    /// Whether the runners of `scope` count towards the pool (`scopes` empty: every scope).
    pub fn spans(&self, scope: &Scope) -> bool {
        !scope.is_pool() && (self.scopes.is_empty() || self.scopes.contains(scope))
    }

    /// Checks one pool on its own (names across pools and watched scopes are checked by
    /// [`Policy::validate`](super::Policy::validate) and the host).
    ///
    /// # Errors
    /// A [`PolicyError`] whose `field` is relative to the pool (`name`, `labels`, `min_online`,
    /// `min_idle`, `scopes`): a name that cannot be a scope id, no labels or an empty label,
    /// both or neither floor, a floor of 0, or a `pool:` scope among `scopes`.
    pub fn validate(&self) -> Result<(), PolicyError> {
        let fail = |field, problem| Err(PolicyError { field, problem });
        if Scope::check_pool_name(&self.name).is_err() {
            return fail(
                "name",
                "must be a non-empty name without whitespace, `:`, `/`, `?`, `#` or `%`",
            );
        }
        if self.labels.is_empty() {
            return fail("labels", "must list at least one label (all must match)");
        }
        if self.labels.iter().any(|l| l.trim().is_empty()) {
            return fail("labels", "must not contain an empty label");
        }
        match (self.min_online, self.min_idle) {
            (Some(_), Some(_)) => fail(
                "min_online",
                "and min_idle are both set: a pool has exactly one floor",
            ),
            (None, None) => fail(
                "min_online",
                "or min_idle is required: a pool needs exactly one floor",
            ),
            (Some(0), None) => fail("min_online", "must be at least 1"),
            (None, Some(0)) => fail("min_idle", "must be at least 1"),
            _ if self.scopes.iter().any(Scope::is_pool) => {
                fail("scopes", "must list watched scopes, not pools")
            }
            _ => Ok(()),
        }
    }
}
