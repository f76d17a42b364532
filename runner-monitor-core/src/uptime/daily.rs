//! [`days`]: one uptime cell per UTC day, for the status page's uptime bar.

use chrono::{Days, NaiveDate, NaiveTime};

use super::measure::{Basis, Uptime, measure_silenced};
use crate::model::{Outage, Timestamp};

/// One UTC day of a runner's uptime bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Day {
    /// The day (UTC).
    pub date: NaiveDate,
    /// Its uptime; `observed` is zero for a day before anything was known (no data).
    pub uptime: Uptime,
    /// The outages overlapping its known part, oldest first (for the cell's tooltip).
    pub outages: Vec<Outage>,
}

/// The last `count` UTC days up to and including today (cut at `basis.now`), oldest first.
pub fn days(outages: &[Outage], count: u32, basis: Basis) -> Vec<Day> {
    days_silenced(outages, &[], count, basis)
}

/// [`days`] with the runner's `silenced` stretches left out of each day's uptime (see
/// [`measure_silenced`](super::measure_silenced)): a maintenance window does not colour the bar.
pub fn days_silenced(
    outages: &[Outage],
    silenced: &[(Timestamp, Timestamp)],
    count: u32,
    basis: Basis,
) -> Vec<Day> {
    let today = basis.now.date_naive();
    let mut sorted: Vec<&Outage> = outages.iter().collect();
    sorted.sort_by_key(|o| (o.started_at, o.id));
    (0..count)
        .rev()
        .filter_map(|back| today.checked_sub_days(Days::new(u64::from(back))))
        .map(|date| {
            let start = midnight(date);
            let end = date
                .checked_add_days(Days::new(1))
                .map_or(Timestamp::MAX_UTC, midnight);
            let uptime = measure_silenced(outages, silenced, start, end, basis);
            let overlapping = basis
                .clip(start, end)
                .map(|(from, to)| {
                    sorted
                        .iter()
                        .filter(|o| o.started_at < to && o.resolved_at.unwrap_or(basis.now) > from)
                        .map(|o| (*o).clone())
                        .collect()
                })
                .unwrap_or_default();
            Day {
                date,
                uptime,
                outages: overlapping,
            }
        })
        .collect()
}

fn midnight(date: NaiveDate) -> Timestamp {
    date.and_time(NaiveTime::MIN).and_utc()
}
