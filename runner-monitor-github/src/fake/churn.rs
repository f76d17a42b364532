//! [`Churn`]: a busy fleet that changes between requests, like a large organization's does —
//! busy flags flipping on many runners, ephemeral runners registering and deregistering.
//!
//! Changes are applied when a listing request arrives, before it is answered: whatever was due
//! since the previous request. Membership changes follow a Poisson process of the configured
//! rate in real (monotonic) time; which runner changes comes from a seeded generator, so a seed
//! gives the same sequence of changes.

use tokio::time::{Duration, Instant};

use runner_monitor_core::Scope;

use super::fleet::Fleet;
use super::rng::Rng;
use super::runner::FakeRunner;

/// More membership changes than this due at one request (a long pause with a high rate): the
/// schedule restarts from now instead of catching up.
const MAX_CATCH_UP: usize = 10_000;

/// How a scope churns. Start it with [`FakeGitHub::start_churn`](super::FakeGitHub::start_churn).
///
/// ```
/// use runner_monitor_core::Scope;
/// use runner_monitor_github::fake::Churn;
///
/// // One registration or deregistration a second on average, 30 busy flips before each request.
/// let churn = Churn::new(&Scope::org("acme"))
///     .seed(42)
///     .membership_changes_per_second(1.0)
///     .busy_flips_per_request(30);
/// ```
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub struct Churn {
    pub(crate) scope: Scope,
    pub(crate) seed: u64,
    pub(crate) membership_per_second: f64,
    pub(crate) busy_flips_per_request: usize,
    pub(crate) ephemeral_prefix: String,
    pub(crate) ephemeral_target: Option<usize>,
}

impl Churn {
    /// Churn in `scope`: seed 1, one membership change a second, 10 busy flips per request,
    /// ephemeral runners named `ephemeral-000001`..., as many ephemeral runners kept (on
    /// average) as the scope has when churn starts.
    pub fn new(scope: &Scope) -> Self {
        Churn {
            scope: scope.clone(),
            seed: 1,
            membership_per_second: 1.0,
            busy_flips_per_request: 10,
            ephemeral_prefix: "ephemeral".into(),
            ephemeral_target: None,
        }
    }

    /// The generator's seed (which runners change, and when).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Registrations plus deregistrations of ephemeral runners per second, on average (0 or
    /// not a finite positive number: none).
    pub fn membership_changes_per_second(mut self, rate: f64) -> Self {
        self.membership_per_second = rate;
        self
    }

    /// Runners whose `busy` flag flips before each listing request is answered.
    pub fn busy_flips_per_request(mut self, flips: usize) -> Self {
        self.busy_flips_per_request = flips;
        self
    }

    /// Name prefix of the ephemeral runners churn registers.
    pub fn ephemeral_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.ephemeral_prefix = prefix.into();
        self
    }

    /// Ephemeral runners to keep: below it churn registers, above it deregisters, at it either
    /// (default: the count when churn starts).
    pub fn ephemeral_target(mut self, target: usize) -> Self {
        self.ephemeral_target = Some(target);
        self
    }
}

/// What churn has done since it started.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ChurnStats {
    /// Ephemeral runners registered.
    pub registered: u64,
    /// Ephemeral runners deregistered.
    pub deregistered: u64,
    /// Busy flags flipped.
    pub busy_flips: u64,
}

impl ChurnStats {
    /// Registrations plus deregistrations.
    pub fn membership_changes(&self) -> u64 {
        self.registered + self.deregistered
    }
}

/// Churn in progress.
#[derive(Debug)]
pub(crate) struct Churning {
    config: Churn,
    rng: Rng,
    next_change: Option<Instant>,
    target: usize,
    serial: u64,
    pub(crate) stats: ChurnStats,
}

fn ephemeral_names(fleet: &Fleet, scope: &Scope) -> Vec<String> {
    fleet
        .runners(scope)
        .unwrap_or_default()
        .iter()
        .filter(|runner| runner.ephemeral)
        .map(|runner| runner.name.clone())
        .collect()
}

impl Churning {
    pub(crate) fn start(config: Churn, fleet: &Fleet, now: Instant) -> Self {
        let target = config
            .ephemeral_target
            .unwrap_or_else(|| ephemeral_names(fleet, &config.scope).len());
        let mut churning = Churning {
            rng: Rng::new(config.seed),
            config,
            next_change: None,
            target,
            serial: 0,
            stats: ChurnStats::default(),
        };
        churning.next_change = churning.after(now);
        churning
    }

    /// When the membership change after one at `from` is due (`None`: no membership churn).
    fn after(&mut self, from: Instant) -> Option<Instant> {
        let rate = self.config.membership_per_second;
        if !(rate.is_finite() && rate > 0.0) {
            return None;
        }
        let wait = self.rng.exponential(rate);
        Duration::try_from_secs_f64(wait)
            .ok()
            .and_then(|wait| from.checked_add(wait))
    }

    /// Applies what is due by `now`: the membership changes scheduled since the previous
    /// request, then one request's busy flips.
    pub(crate) fn apply(&mut self, fleet: &mut Fleet, now: Instant) {
        let mut applied = 0;
        while let Some(due) = self.next_change.filter(|due| *due <= now) {
            if applied == MAX_CATCH_UP {
                self.next_change = self.after(now);
                break;
            }
            self.change_membership(fleet);
            applied += 1;
            self.next_change = self.after(due);
        }
        self.flip_busy(fleet);
    }

    fn change_membership(&mut self, fleet: &mut Fleet) {
        let scope = self.config.scope.clone();
        let ephemeral = ephemeral_names(fleet, &scope);
        let register = match ephemeral.len().cmp(&self.target) {
            std::cmp::Ordering::Less => true,
            std::cmp::Ordering::Greater => false,
            std::cmp::Ordering::Equal => self.rng.below(2) == 0,
        };
        if register || ephemeral.is_empty() {
            let name = loop {
                self.serial += 1;
                let name = format!("{}-{:06}", self.config.ephemeral_prefix, self.serial);
                if fleet
                    .runners(&scope)
                    .is_none_or(|runners| runners.iter().all(|runner| runner.name != name))
                {
                    break name;
                }
            };
            // An ephemeral runner registers to take a job: busy from the start.
            fleet.add(&scope, FakeRunner::new(name).ephemeral(true).busy(true));
            self.stats.registered += 1;
        } else {
            let victim = &ephemeral[self.rng.below(ephemeral.len())];
            fleet.remove(&scope, victim);
            self.stats.deregistered += 1;
        }
    }

    fn flip_busy(&mut self, fleet: &mut Fleet) {
        let scope = &self.config.scope;
        for _ in 0..self.config.busy_flips_per_request {
            let Some(runners) = fleet.runners(scope).filter(|runners| !runners.is_empty()) else {
                return;
            };
            let runner = &runners[self.rng.below(runners.len())];
            let (name, busy) = (runner.name.clone(), runner.busy);
            fleet.set_busy(scope, &name, !busy);
            self.stats.busy_flips += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fleet(scope: &Scope) -> Fleet {
        let mut fleet = Fleet::default();
        fleet.add_many(scope, "r", 20);
        for i in 0..5 {
            fleet.add(scope, FakeRunner::new(format!("e{i}")).ephemeral(true));
        }
        fleet
    }

    fn run(seed: u64) -> (Vec<(u64, String, bool)>, ChurnStats) {
        let scope = Scope::org("acme");
        let mut fleet = fleet(&scope);
        let start = Instant::now();
        let mut churn = Churning::start(
            Churn::new(&scope)
                .seed(seed)
                .membership_changes_per_second(10.0)
                .busy_flips_per_request(3),
            &fleet,
            start,
        );
        for step in 1..=50 {
            churn.apply(&mut fleet, start + Duration::from_millis(100 * step));
        }
        let runners = fleet.runners(&scope).unwrap_or_default();
        (
            runners
                .iter()
                .map(|r| (r.id, r.name.clone(), r.busy))
                .collect(),
            churn.stats,
        )
    }

    #[test]
    fn deterministic_and_around_the_target() {
        let (a, stats) = run(9);
        assert_eq!(run(9), (a.clone(), stats), "same seed, same fleet");
        assert_ne!(run(10).0, a, "another seed, another story");
        assert_eq!(stats.busy_flips, 150);
        // 10 a second for 5 s: about 50 membership changes.
        assert!((25..=80).contains(&stats.membership_changes()), "{stats:?}");
        let ephemeral = a
            .iter()
            .filter(|(_, name, _)| !name.starts_with('r'))
            .count();
        assert!((4..=6).contains(&ephemeral), "kept near 5: {ephemeral}");
        assert_eq!(
            a.iter()
                .filter(|(_, name, _)| name.starts_with("r-"))
                .count(),
            20,
            "permanent runners stay"
        );
    }

    #[test]
    fn no_rate_no_membership_changes() {
        let scope = Scope::org("acme");
        let mut fleet = fleet(&scope);
        let start = Instant::now();
        let mut churn = Churning::start(
            Churn::new(&scope).membership_changes_per_second(f64::NAN),
            &fleet,
            start,
        );
        churn.apply(&mut fleet, start + Duration::from_secs(3600));
        assert_eq!(churn.stats.membership_changes(), 0);
        assert_eq!(churn.stats.busy_flips, 10);
    }
}
