//! The uptime bar: an inline SVG, one cell a day, colored by downtime, each with a tooltip.

use std::fmt::Write as _;

use runner_monitor_core::Timestamp;
use runner_monitor_core::uptime::Day;

use super::format;
use super::html::escape;

const CELL: u32 = 8;
const GAP: u32 = 2;
const HEIGHT: u32 = 26;

/// How a day looks: its CSS class and what it means.
pub fn class(day: &Day) -> &'static str {
    let up = &day.uptime;
    match up.ratio() {
        None if up.silenced.is_zero() => "nodata",
        _ if day.outages.iter().any(|o| o.is_open()) => "open",
        // Silenced all day (a maintenance window): nothing counts against it.
        None => "up",
        Some(_) if up.down.is_zero() => "up",
        Some(r) if r >= 0.99 => "minor",
        Some(r) if r >= 0.95 => "major",
        Some(_) => "severe",
    }
}

/// The legend's entries: class and label.
pub const LEGEND: &[(&str, &str)] = &[
    ("up", "no downtime"),
    ("minor", "< 1% down"),
    ("major", "1–5% down"),
    ("severe", "> 5% down"),
    ("open", "outage ongoing"),
    ("nodata", "no data"),
];

/// The SVG for `days` (oldest first), as of `now`.
pub fn svg(days: &[Day], now: Timestamp) -> String {
    let count = u32::try_from(days.len()).unwrap_or(0);
    let width = (count * (CELL + GAP)).saturating_sub(GAP).max(1);
    let mut out = format!(
        "<svg class=\"bar\" viewBox=\"0 0 {width} {HEIGHT}\" preserveAspectRatio=\"none\" \
         role=\"img\" aria-label=\"uptime per day, last {count} days\">"
    );
    for (index, day) in (0u32..).zip(days) {
        let x = index * (CELL + GAP);
        let _ = write!(
            out,
            "<rect class=\"{class}\" x=\"{x}\" y=\"0\" width=\"{CELL}\" height=\"{HEIGHT}\" \
             rx=\"1.5\" data-date=\"{date}\"><title>{title}</title></rect>",
            class = class(day),
            date = day.date,
            title = escape(&tooltip(day, now)),
        );
    }
    out.push_str("</svg>");
    out
}

/// `2026-01-12: 99.93% up, down 1m 2s` and one line per outage that day.
pub fn tooltip(day: &Day, now: Timestamp) -> String {
    let up = &day.uptime;
    let mut text = match up.ratio() {
        None if up.silenced.is_zero() => format!("{}: no data", day.date),
        None => format!("{}: silenced all day", day.date),
        Some(_) if up.down.is_zero() => format!("{}: 100% up", day.date),
        Some(_) => format!(
            "{}: {} up, down {}",
            day.date,
            format::percent(up),
            format::duration(up.down)
        ),
    };
    if up.ratio().is_some() && !up.silenced.is_zero() {
        let _ = write!(
            text,
            " (silenced {}, not counted)",
            format::duration(up.silenced)
        );
    }
    for outage in &day.outages {
        let end = outage
            .resolved_at
            .map_or_else(|| "ongoing".to_owned(), |end| stamp(end, day));
        let _ = write!(
            text,
            "\n#{} {} {}–{} ({})",
            outage.id,
            outage.trigger,
            stamp(outage.started_at, day),
            end,
            format::duration(outage.duration(now)),
        );
    }
    text
}

/// `14:02` on the day itself, `01-11 22:00` on another.
fn stamp(at: Timestamp, day: &Day) -> String {
    if at.date_naive() == day.date {
        format::hm(at)
    } else {
        at.format("%m-%d %H:%M").to_string()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use chrono::{NaiveDate, TimeZone, Utc};
    use runner_monitor_core::uptime::{Day, Uptime};

    use super::*;

    fn day(observed: u64, down: u64, silenced: u64) -> Day {
        Day {
            date: NaiveDate::from_ymd_opt(2026, 1, 12).unwrap_or_default(),
            uptime: Uptime {
                observed: Duration::from_secs(observed),
                down: Duration::from_secs(down),
                silenced: Duration::from_secs(silenced),
                outages: 0,
            },
            outages: Vec::new(),
        }
    }

    #[test]
    fn silenced_time_neither_colours_nor_hides_a_day() {
        let now = Utc
            .with_ymd_and_hms(2026, 1, 13, 0, 0, 0)
            .single()
            .unwrap_or_default();
        // Never known: no data. Silenced all day: up, and the tooltip says why.
        assert_eq!(class(&day(0, 0, 0)), "nodata");
        assert_eq!(class(&day(86_400, 0, 86_400)), "up");
        assert!(tooltip(&day(86_400, 0, 86_400), now).contains("silenced all day"));
        // Partly silenced, no downtime outside the window: up, silenced time in the tooltip.
        assert_eq!(class(&day(86_400, 0, 3600)), "up");
        let text = tooltip(&day(86_400, 0, 3600), now);
        assert!(
            text.contains("100% up (silenced 1h, not counted)"),
            "{text}"
        );
        // Down outside the window still counts.
        assert_eq!(class(&day(86_400, 1800, 3600)), "major");
    }
}
