//! [`SilenceTarget`]: what a silence covers.

use std::fmt;
use std::str::FromStr;

use crate::model::{Pool, RunnerSnapshot, Scope};

/// What a silence covers, written as one string:
///
/// | string | covers |
/// |---|---|
/// | `label:NAME` | runners carrying the label (case-insensitive, as GitHub compares labels) |
/// | `pool:NAME` | the capacity pool of that name: its own notifications (scope `pool:NAME`: below floor, restored) and, given the configured pools ([`covers_in`](Self::covers_in)), the runners that belong to it (every label of the pool, in a scope it spans) |
/// | `runner:NAME` or a bare name | that runner, in every scope |
/// | a scope id (`owner/name`, `org:NAME`, `enterprise:SLUG`) | every runner of the scope and the scope's own notifications (monitoring degraded / restored) |
///
/// # Examples
/// ```
/// use runner_monitor_core::{Scope, SilenceTarget};
/// assert_eq!("org:acme".parse(), Ok(SilenceTarget::Scope(Scope::org("acme"))));
/// assert_eq!("build-1".parse(), Ok(SilenceTarget::Runner("build-1".into())));
/// assert_eq!("label:gpu".parse::<SilenceTarget>().map(|t| t.to_string()), Ok("label:gpu".into()));
/// assert!("label:".parse::<SilenceTarget>().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SilenceTarget {
    /// One runner by name, in any scope.
    Runner(String),
    /// A whole scope.
    Scope(Scope),
    /// Runners with this label.
    Label(String),
    /// A capacity pool by name.
    Pool(String),
}

impl SilenceTarget {
    /// Whether it covers a notification of `scope` about `runner` (`None`: the scope itself),
    /// without knowing the pools: a `pool:NAME` target covers only the pool's own
    /// notifications here (scope `pool:NAME`). The dispatcher uses [`covers_in`](Self::covers_in).
    pub fn covers(&self, scope: &Scope, runner: Option<&RunnerSnapshot>) -> bool {
        match self {
            SilenceTarget::Scope(s) => s == scope,
            SilenceTarget::Runner(name) => runner.is_some_and(|r| &r.name == name),
            SilenceTarget::Label(label) => {
                runner.is_some_and(|r| r.labels.iter().any(|l| l.eq_ignore_ascii_case(label)))
            }
            SilenceTarget::Pool(name) => matches!(scope, Scope::Pool(pool) if pool == name),
        }
    }

    /// [`covers`](Self::covers), knowing the configured `pools`: a `pool:NAME` target also
    /// covers a runner that belongs to that pool, i.e. carries every label of the pool (ASCII
    /// case ignored) in a scope the pool spans. A pool name no pool has covers only the
    /// (never planned) notifications of its scope.
    ///
    /// # Examples
    /// ```
    /// use runner_monitor_core::{Pool, Scope, SilenceTarget};
    /// let pools: Vec<Pool> = serde_json::from_str(
    ///     r#"[{"name": "gpu", "labels": ["gpu"], "scopes": ["org:acme"], "min_online": 1}]"#,
    /// )?;
    /// let target: SilenceTarget = "pool:gpu".parse().unwrap();
    /// assert!(target.covers_in(&Scope::pool("gpu"), None, &pools)); // the pool's own messages
    /// assert!(!target.covers_in(&Scope::org("acme"), None, &pools)); // not the scope's
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn covers_in(
        &self,
        scope: &Scope,
        runner: Option<&RunnerSnapshot>,
        pools: &[Pool],
    ) -> bool {
        match (self, runner) {
            (SilenceTarget::Pool(name), Some(runner)) => {
                pools.iter().any(|pool| {
                    pool.name == *name && pool.spans(scope) && pool.carries(&runner.labels)
                }) || self.covers(scope, Some(runner))
            }
            _ => self.covers(scope, runner),
        }
    }
}

impl fmt::Display for SilenceTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SilenceTarget::Runner(name) => write!(f, "{name}"),
            SilenceTarget::Scope(scope) => write!(f, "{scope}"),
            SilenceTarget::Label(label) => write!(f, "label:{label}"),
            SilenceTarget::Pool(pool) => write!(f, "pool:{pool}"),
        }
    }
}

/// Why a string is not a [`SilenceTarget`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "silence target `{input}`: {problem} (expected a runner name, a scope such as `org:acme` or \
     `owner/repo`, `label:NAME` or `pool:NAME`)"
)]
pub struct TargetParseError {
    /// The rejected input.
    pub input: String,
    /// What is wrong.
    pub problem: String,
}

impl FromStr for SilenceTarget {
    type Err = TargetParseError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let trimmed = input.trim();
        let fail = |problem: &str| TargetParseError {
            input: input.to_owned(),
            problem: problem.to_owned(),
        };
        if trimmed.is_empty() {
            return Err(fail("empty"));
        }
        let named = |rest: &str, make: fn(String) -> SilenceTarget| {
            let rest = rest.trim();
            if rest.is_empty() {
                Err(fail("missing name after the prefix"))
            } else {
                Ok(make(rest.to_owned()))
            }
        };
        if let Some(rest) = trimmed.strip_prefix("label:") {
            return named(rest, SilenceTarget::Label);
        }
        if let Some(rest) = trimmed.strip_prefix("pool:") {
            return named(rest, SilenceTarget::Pool);
        }
        if let Some(rest) = trimmed.strip_prefix("runner:") {
            return named(rest, SilenceTarget::Runner);
        }
        if trimmed.contains('/') || trimmed.contains(':') {
            return trimmed
                .parse::<Scope>()
                .map(SilenceTarget::Scope)
                .map_err(|e| fail(&e.to_string()));
        }
        if trimmed.chars().any(char::is_whitespace) {
            return Err(fail("a runner name has no spaces"));
        }
        Ok(SilenceTarget::Runner(trimmed.to_owned()))
    }
}
