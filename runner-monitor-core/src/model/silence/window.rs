//! [`SilenceWindow`]: when a silence is in force, one-off or weekly in a time zone.

use std::time::Duration;

use chrono::{Datelike, LocalResult, NaiveDate, NaiveTime, Offset, TimeZone, Utc, Weekday};
use chrono_tz::Tz;

use crate::model::Timestamp;

/// When a silence is in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SilenceWindow {
    /// Once, `from` (inclusive) to `until` (exclusive).
    Once {
        /// Start.
        from: Timestamp,
        /// End, after `from`.
        until: Timestamp,
    },
    /// Every week on some days.
    Weekly(Weekly),
}

/// A weekly window: on each of `days`, from `start` (wall-clock time in `zone`) for `length`.
///
/// `length` is elapsed time, so a window crossing a daylight-saving change still lasts exactly
/// `length` (it ends an hour later or earlier on the wall clock). A `start` that does not exist
/// that day (skipped by a spring-forward change) is read in the offset before the gap (02:30
/// becomes 03:30); one that exists twice (fall-back) starts at
/// the first of the two.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Weekly {
    /// The days it starts on (in `zone`), at least one.
    pub days: Vec<Weekday>,
    /// Start time of day in `zone`.
    pub start: NaiveTime,
    /// How long each occurrence lasts: positive, at most 7 days.
    pub length: Duration,
    /// The IANA time zone of `days` and `start`.
    pub zone: Tz,
}

/// The longest weekly occurrence: longer would overlap the next week's.
pub const MAX_WEEKLY_LENGTH: Duration = Duration::from_secs(7 * 86_400);

impl SilenceWindow {
    /// Its occurrences overlapping `[from, to)`, each cut to it, in order (overlapping
    /// occurrences are not merged).
    pub fn occurrences(&self, from: Timestamp, to: Timestamp) -> Vec<(Timestamp, Timestamp)> {
        let cut = |(start, end): (Timestamp, Timestamp)| {
            let (start, end) = (start.max(from), end.min(to));
            (start < end).then_some((start, end))
        };
        match self {
            SilenceWindow::Once { from: start, until } => {
                cut((*start, *until)).into_iter().collect()
            }
            SilenceWindow::Weekly(weekly) => weekly
                .occurrences(from, to)
                .into_iter()
                .filter_map(cut)
                .collect(),
        }
    }

    /// When the occurrence in force at `at` ends; `None` when none is.
    pub fn active_until(&self, at: Timestamp) -> Option<Timestamp> {
        match self {
            SilenceWindow::Once { from, until } => (*from <= at && at < *until).then_some(*until),
            SilenceWindow::Weekly(weekly) => weekly.active_until(at),
        }
    }
}

impl Weekly {
    /// Every occurrence that may overlap `[from, to)` (uncut), in order of start.
    fn occurrences(&self, from: Timestamp, to: Timestamp) -> Vec<(Timestamp, Timestamp)> {
        let Ok(length) = chrono::Duration::from_std(self.length) else {
            return Vec::new();
        };
        if from >= to {
            return Vec::new();
        }
        let back = self.length.as_secs().div_ceil(86_400) + 1;
        let Some(first) = from
            .with_timezone(&self.zone)
            .date_naive()
            .checked_sub_days(chrono::Days::new(back))
        else {
            return Vec::new();
        };
        let last = to.with_timezone(&self.zone).date_naive();
        first
            .iter_days()
            .take_while(|date| *date <= last)
            .filter(|date| self.days.contains(&date.weekday()))
            .filter_map(|date| self.start_on(date))
            .filter_map(|start| Some((start, start.checked_add_signed(length)?)))
            .filter(|(start, end)| *start < to && *end > from)
            .collect()
    }

    /// When the occurrence in force at `at` ends (the latest, if two overlap).
    pub fn active_until(&self, at: Timestamp) -> Option<Timestamp> {
        let length = chrono::Duration::from_std(self.length).ok()?;
        let today = at.with_timezone(&self.zone).date_naive();
        // An occurrence starting up to `length` (+ a day for zone offsets) ago may cover `at`.
        let back = self.length.as_secs().div_ceil(86_400) + 1;
        (0..=back)
            .filter_map(|days_ago| today.checked_sub_days(chrono::Days::new(days_ago)))
            .filter(|date| self.days.contains(&date.weekday()))
            .filter_map(|date| self.start_on(date))
            .filter_map(|start| Some((start, start.checked_add_signed(length)?)))
            .filter(|(start, end)| *start <= at && at < *end)
            .map(|(_, end)| end)
            .max()
    }

    /// The instant the occurrence of `date` starts.
    fn start_on(&self, date: NaiveDate) -> Option<Timestamp> {
        let local = date.and_time(self.start);
        match self.zone.from_local_datetime(&local) {
            LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
            LocalResult::Ambiguous(first, _) => Some(first.with_timezone(&Utc)),
            LocalResult::None => {
                // Skipped by a spring-forward change: read it in the offset in force before the
                // gap (gaps last hours at most), so 02:30 becomes 03:30.
                let before = local.checked_sub_signed(chrono::Duration::hours(6))?;
                let offset = self
                    .zone
                    .from_local_datetime(&before)
                    .earliest()?
                    .offset()
                    .fix();
                let utc = local.checked_sub_signed(chrono::Duration::seconds(i64::from(
                    offset.local_minus_utc(),
                )))?;
                Some(Utc.from_utc_datetime(&utc))
            }
        }
    }
}
