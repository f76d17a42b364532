//! [`measure`]: uptime of one runner over one range.

use std::time::Duration;

use crate::model::{Outage, Timestamp};

/// What is known about a runner's history: measured time starts at `known_from` and ends at
/// `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Basis {
    /// The later of the runner's first sighting and the retention edge.
    pub known_from: Timestamp,
    /// The clock, passed in.
    pub now: Timestamp,
}

impl Basis {
    /// The basis of a runner first seen at `first_seen` (`None`: unknown, e.g. a forgotten
    /// runner: only the retention edge applies), given `history_ttl`.
    pub fn new(first_seen: Option<Timestamp>, now: Timestamp, history_ttl: Duration) -> Self {
        let edge = chrono::Duration::from_std(history_ttl)
            .ok()
            .and_then(|ttl| now.checked_sub_signed(ttl))
            .unwrap_or(Timestamp::MIN_UTC);
        Basis {
            known_from: first_seen.map_or(edge, |seen| seen.max(edge)),
            now,
        }
    }

    /// `[from, to)` cut to what is known; `None` when nothing of it is.
    pub fn clip(&self, from: Timestamp, to: Timestamp) -> Option<(Timestamp, Timestamp)> {
        let from = from.max(self.known_from);
        let to = to.min(self.now);
        (from < to).then_some((from, to))
    }
}

/// Uptime over a range. Durations add up: `down + silenced <= observed`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Uptime {
    /// Known time in the range ([`Basis`]).
    pub observed: Duration,
    /// Time down (in an outage), silenced time excluded.
    pub down: Duration,
    /// Time under a silence covering the runner (a maintenance window): excluded from the
    /// ratio, downtime in it included.
    pub silenced: Duration,
    /// Outages overlapping the known part of the range.
    pub outages: usize,
}

impl Uptime {
    /// Share of the measured time (observed minus silenced) the runner was up, `0.0..=1.0`;
    /// `None` when nothing was measured.
    pub fn ratio(&self) -> Option<f64> {
        let measured = self.observed.saturating_sub(self.silenced);
        if measured.is_zero() {
            return None;
        }
        let up = measured.saturating_sub(self.down);
        Some(up.as_secs_f64() / measured.as_secs_f64())
    }

    /// The sum of two uptimes (a group of runners, or consecutive ranges).
    pub fn plus(self, other: Uptime) -> Uptime {
        Uptime {
            observed: self.observed + other.observed,
            down: self.down + other.down,
            silenced: self.silenced + other.silenced,
            outages: self.outages + other.outages,
        }
    }
}

/// Uptime of one runner over `[from, to)` from its `outages` (any order; other runners' outages
/// must be filtered out by the caller).
pub fn measure(outages: &[Outage], from: Timestamp, to: Timestamp, basis: Basis) -> Uptime {
    measure_silenced(outages, &[], from, to, basis)
}

/// [`measure`] with the `silenced` stretches of the runner (the occurrences of the silences
/// covering it, any order, may overlap): time in them is `silenced`, left out of the ratio, and
/// downtime in them is not `down` (a maintenance window does not count against uptime).
pub fn measure_silenced(
    outages: &[Outage],
    silenced: &[(Timestamp, Timestamp)],
    from: Timestamp,
    to: Timestamp,
    basis: Basis,
) -> Uptime {
    let Some((from, to)) = basis.clip(from, to) else {
        return Uptime::default();
    };
    let cut = |start: Timestamp, end: Timestamp| {
        let (start, end) = (start.max(from), end.min(to));
        (start < end).then_some((start, end))
    };
    let spans: Vec<(Timestamp, Timestamp)> = outages
        .iter()
        .filter_map(|o| cut(o.started_at, o.resolved_at.unwrap_or(basis.now)))
        .collect();
    let count = spans.len();
    let down = merge(spans);
    let quiet = merge(silenced.iter().filter_map(|&(s, e)| cut(s, e)).collect());
    let total = |spans: &[(Timestamp, Timestamp)]| spans.iter().map(|&s| length(s)).sum();
    let overlap: Duration = down
        .iter()
        .flat_map(|&(ds, de)| {
            quiet.iter().filter_map(move |&(qs, qe)| {
                let (s, e) = (ds.max(qs), de.min(qe));
                (s < e).then(|| length((s, e)))
            })
        })
        .sum();
    let down_total: Duration = total(&down);
    Uptime {
        observed: length((from, to)),
        down: down_total.saturating_sub(overlap),
        silenced: total(&quiet),
        outages: count,
    }
}

/// `spans` sorted and merged where they overlap or touch.
fn merge(mut spans: Vec<(Timestamp, Timestamp)>) -> Vec<(Timestamp, Timestamp)> {
    spans.sort();
    let mut merged: Vec<(Timestamp, Timestamp)> = Vec::with_capacity(spans.len());
    for (start, end) in spans {
        match merged.last_mut() {
            Some((_, e)) if start <= *e => *e = (*e).max(end),
            _ => merged.push((start, end)),
        }
    }
    merged
}

/// Mean time to recovery of the `outages` resolved within `[from, to)`: the mean of
/// `resolved_at - started_at`; `None` when none was resolved then.
pub fn mean_time_to_recovery(
    outages: &[Outage],
    from: Timestamp,
    to: Timestamp,
) -> Option<Duration> {
    let recovered: Vec<Duration> = outages
        .iter()
        .filter_map(|o| {
            let end = o.resolved_at?;
            (from <= end && end < to).then(|| length((o.started_at, end)))
        })
        .collect();
    let count = u32::try_from(recovered.len()).ok().filter(|n| *n > 0)?;
    Some(recovered.iter().sum::<Duration>() / count)
}

fn length((from, to): (Timestamp, Timestamp)) -> Duration {
    (to - from).to_std().unwrap_or_default()
}
