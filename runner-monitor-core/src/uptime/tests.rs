//! The uptime arithmetic, case by case.

use std::time::Duration;

use chrono::{NaiveDate, TimeZone, Utc};

use super::*;
use crate::model::{Outage, Resolution, RunnerStatus, Timestamp};

const HOUR: Duration = Duration::from_secs(3600);
const DAY: Duration = Duration::from_secs(86_400);
const TTL: Duration = Duration::from_secs(30 * 86_400);

/// 2026-01-`day` at `hour`:`minute` UTC.
fn t(day: u32, hour: u32, minute: u32) -> Timestamp {
    Utc.with_ymd_and_hms(2026, 1, day, hour, minute, 0)
        .single()
        .expect("valid time")
}

fn outage(id: u64, from: Timestamp, to: Option<Timestamp>) -> Outage {
    Outage {
        runner: "r".into(),
        id,
        runner_id: 1,
        trigger: RunnerStatus::Offline,
        started_at: from,
        resolved_at: to,
        resolution: to.map(|_| Resolution::Recovered(RunnerStatus::Idle)),
        description: String::new(),
        reminders: 0,
        last_reminded_at: None,
        acknowledged: None,
    }
}

fn date(day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, day).expect("date")
}

#[test]
fn no_outages_is_full_uptime() {
    let basis = Basis::new(Some(t(1, 0, 0)), t(20, 0, 0), TTL);
    let up = measure(&[], t(10, 0, 0), t(20, 0, 0), basis);
    assert_eq!(up.observed, 10 * DAY);
    assert_eq!(up.down, Duration::ZERO);
    assert_eq!(up.outages, 0);
    assert_eq!(up.ratio(), Some(1.0));
}

#[test]
fn an_outage_across_midnight_splits_between_the_two_days() {
    // 22:00 on the 9th to 02:00 on the 10th: two hours each side of midnight.
    let outages = [outage(1, t(9, 22, 0), Some(t(10, 2, 0)))];
    let basis = Basis::new(Some(t(1, 0, 0)), t(12, 12, 0), TTL);
    let cells = days(&outages, 5, basis);
    let dates: Vec<NaiveDate> = cells.iter().map(|d| d.date).collect();
    assert_eq!(dates, [date(8), date(9), date(10), date(11), date(12)]);
    assert_eq!(cells[1].uptime.down, 2 * HOUR, "the 9th: 22:00-24:00");
    assert_eq!(cells[2].uptime.down, 2 * HOUR, "the 10th: 00:00-02:00");
    assert_eq!(
        cells[1].outages.len(),
        1,
        "the tooltip of both days names it"
    );
    assert_eq!(cells[2].outages.len(), 1);
    assert!(cells[0].outages.is_empty() && cells[3].outages.is_empty());
    assert_eq!(cells[1].uptime.ratio(), Some(22.0 / 24.0));
    assert_eq!(cells[4].uptime.observed, 12 * HOUR, "today ends at now");
    let whole = measure(&outages, t(9, 0, 0), t(11, 0, 0), basis);
    assert_eq!(whole.down, 4 * HOUR);
    assert_eq!(whole.outages, 1, "counted once over both days");
}

#[test]
fn an_open_outage_is_down_until_now() {
    let outages = [outage(3, t(12, 6, 0), None)];
    let basis = Basis::new(Some(t(1, 0, 0)), t(12, 9, 0), TTL);
    let up = measure(&outages, t(12, 0, 0), t(13, 0, 0), basis);
    assert_eq!(up.observed, 9 * HOUR, "the range is cut at now");
    assert_eq!(up.down, 3 * HOUR, "06:00 to now");
    assert_eq!(up.ratio(), Some(6.0 / 9.0));
    let later = Basis::new(Some(t(1, 0, 0)), t(12, 12, 0), TTL);
    assert_eq!(
        measure(&outages, t(12, 0, 0), t(13, 0, 0), later).down,
        6 * HOUR,
        "an open outage grows with the clock"
    );
    let cells = days(&outages, 1, basis);
    assert_eq!(cells[0].uptime.down, 3 * HOUR);
    assert!(cells[0].outages[0].is_open());
}

#[test]
fn the_retention_edge_bounds_what_is_measured() {
    // history_ttl of 7 days at now = the 20th 00:00: nothing before the 13th is known, even for
    // a runner seen since the 1st (resolved outages older than that may have been expired).
    let ttl = 7 * DAY;
    let basis = Basis::new(Some(t(1, 0, 0)), t(20, 0, 0), ttl);
    assert_eq!(basis.known_from, t(13, 0, 0));
    let outages = [
        outage(1, t(5, 0, 0), Some(t(6, 0, 0))), // before the edge: not counted
        outage(2, t(12, 12, 0), Some(t(13, 6, 0))), // straddles the edge: 6 h counted
        outage(3, t(15, 0, 0), Some(t(15, 1, 0))),
    ];
    let up = measure(&outages, t(1, 0, 0), t(20, 0, 0), basis);
    assert_eq!(up.observed, 7 * DAY, "30 days asked, 7 known");
    assert_eq!(up.down, 7 * HOUR);
    assert_eq!(up.outages, 2);
    let cells = days(&outages, 10, basis);
    assert_eq!(cells[0].date, date(11));
    assert_eq!(
        cells[0].uptime.observed,
        Duration::ZERO,
        "before the edge: no data"
    );
    assert_eq!(cells[0].uptime.ratio(), None);
    assert!(cells[1].outages.is_empty(), "no tooltip outside known time");
    assert_eq!(cells[2].uptime.down, 6 * HOUR, "the 13th from the edge");
}

#[test]
fn a_runner_first_seen_mid_window_is_measured_from_then() {
    let basis = Basis::new(Some(t(15, 12, 0)), t(20, 0, 0), TTL);
    let outages = [outage(1, t(16, 0, 0), Some(t(16, 6, 0)))];
    let up = measure(&outages, t(10, 0, 0), t(20, 0, 0), basis);
    assert_eq!(up.observed, 4 * DAY + 12 * HOUR);
    assert_eq!(up.down, 6 * HOUR);
    let cells = days(&outages, 7, basis);
    assert_eq!(cells[0].date, date(14));
    assert_eq!(
        cells[0].uptime.ratio(),
        None,
        "the 14th: not registered yet"
    );
    assert_eq!(cells[1].uptime.observed, 12 * HOUR, "the 15th from noon");
    assert_eq!(cells[1].uptime.ratio(), Some(1.0));
    assert_eq!(cells[2].uptime.ratio(), Some(0.75));
    assert_eq!(
        cells[6].uptime.observed,
        Duration::ZERO,
        "today began at now"
    );
    let unknown = Basis::new(None, t(20, 0, 0), TTL);
    assert_eq!(unknown.known_from, t(20, 0, 0) - chrono::Duration::days(30));
}

#[test]
fn overlapping_outages_count_their_time_once() {
    let basis = Basis::new(Some(t(1, 0, 0)), t(2, 0, 0), TTL);
    let outages = [
        outage(2, t(1, 2, 0), Some(t(1, 4, 0))),
        outage(1, t(1, 1, 0), Some(t(1, 3, 0))),
        outage(3, t(1, 10, 0), Some(t(1, 11, 0))),
    ];
    let up = measure(&outages, t(1, 0, 0), t(2, 0, 0), basis);
    assert_eq!(up.down, 4 * HOUR, "01:00-04:00 and 10:00-11:00");
    assert_eq!(up.outages, 3);
}

#[test]
fn silenced_time_is_separate_and_zero_until_silences_exist() {
    let basis = Basis::new(Some(t(1, 0, 0)), t(2, 0, 0), TTL);
    let up = measure(
        &[outage(1, t(1, 0, 0), None)],
        t(1, 0, 0),
        t(2, 0, 0),
        basis,
    );
    assert_eq!(up.silenced, Duration::ZERO);
    assert_eq!(up.ratio(), Some(0.0));
    let with_silence = Uptime {
        observed: 10 * HOUR,
        down: 2 * HOUR,
        silenced: 5 * HOUR,
        outages: 1,
    };
    assert_eq!(
        with_silence.ratio(),
        Some(3.0 / 5.0),
        "silenced time is out of the ratio"
    );
}

#[test]
fn empty_and_future_ranges_measure_nothing() {
    let basis = Basis::new(Some(t(1, 0, 0)), t(5, 0, 0), TTL);
    let outages = [outage(1, t(4, 0, 0), None)];
    assert_eq!(
        measure(&outages, t(6, 0, 0), t(7, 0, 0), basis),
        Uptime::default()
    );
    assert_eq!(
        measure(&outages, t(4, 0, 0), t(3, 0, 0), basis),
        Uptime::default()
    );
    assert_eq!(Uptime::default().ratio(), None);
}

#[test]
fn groups_add_up() {
    let a = Uptime {
        observed: DAY,
        down: HOUR,
        silenced: Duration::ZERO,
        outages: 1,
    };
    let b = Uptime {
        observed: DAY,
        down: 3 * HOUR,
        silenced: Duration::ZERO,
        outages: 2,
    };
    let both = a.plus(b);
    assert_eq!(both.outages, 3);
    assert_eq!(both.ratio(), Some(1.0 - 4.0 / 48.0));
}

#[test]
fn mean_time_to_recovery_of_outages_resolved_in_the_range() {
    let outages = [
        outage(1, t(1, 0, 0), Some(t(1, 1, 0))),  // 1 h
        outage(2, t(2, 0, 0), Some(t(2, 3, 0))),  // 3 h
        outage(3, t(3, 0, 0), None),              // open: not recovered
        outage(4, t(9, 0, 0), Some(t(10, 0, 0))), // resolved outside the range
    ];
    assert_eq!(
        mean_time_to_recovery(&outages, t(1, 0, 0), t(5, 0, 0)),
        Some(2 * HOUR)
    );
    assert_eq!(
        mean_time_to_recovery(&outages[2..3], t(1, 0, 0), t(5, 0, 0)),
        None
    );
}

#[test]
fn time_under_a_silence_is_silenced_not_down() {
    let basis = Basis::new(Some(t(1, 0, 0)), t(3, 0, 0), TTL);
    // Down 10:00-12:00 on the 2nd; a maintenance window 11:00-13:00, and another 12:30-14:00.
    let outages = [outage(1, t(2, 10, 0), Some(t(2, 12, 0)))];
    let quiet = [(t(2, 11, 0), t(2, 13, 0)), (t(2, 12, 30), t(2, 14, 0))];
    let up = measure_silenced(&outages, &quiet, t(2, 0, 0), t(3, 0, 0), basis);
    assert_eq!(up.observed, DAY);
    assert_eq!(
        up.silenced,
        3 * HOUR,
        "11:00-14:00, the overlap counted once"
    );
    assert_eq!(
        up.down, HOUR,
        "10:00-11:00; the hour inside the window is not down"
    );
    assert_eq!(up.outages, 1);
    let ratio = up.ratio().expect("measured");
    assert!((ratio - 20.0 / 21.0).abs() < 1e-9, "{ratio}");
    // Without silences it is plain `measure`.
    assert_eq!(
        measure_silenced(&outages, &[], t(2, 0, 0), t(3, 0, 0), basis),
        measure(&outages, t(2, 0, 0), t(3, 0, 0), basis)
    );
    // Silences outside the known range count nothing.
    let early = [(t(1, 0, 0) - chrono::Duration::hours(5), t(1, 0, 0))];
    let up = measure_silenced(
        &outages,
        &early,
        t(1, 0, 0) - chrono::Duration::hours(10),
        t(3, 0, 0),
        basis,
    );
    assert_eq!(up.silenced, Duration::ZERO);
}

#[test]
fn a_day_inside_a_maintenance_window_is_not_down() {
    let basis = Basis::new(Some(t(1, 0, 0)), t(3, 12, 0), TTL);
    let outages = [outage(1, t(2, 10, 0), Some(t(2, 12, 0)))];
    let quiet = [(t(2, 9, 0), t(2, 12, 0))];
    let plain = days(&outages, 3, basis);
    let silenced = days_silenced(&outages, &quiet, 3, basis);
    assert_eq!(plain[1].uptime.down, 2 * HOUR);
    assert_eq!(silenced[1].uptime.down, Duration::ZERO);
    assert_eq!(silenced[1].uptime.silenced, 3 * HOUR);
    assert_eq!(
        silenced[1].outages.len(),
        1,
        "the tooltip still lists the outage"
    );
    assert_eq!(silenced[1].uptime.ratio(), Some(1.0));
}
