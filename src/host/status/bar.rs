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
        None => "nodata",
        Some(_) if day.outages.iter().any(|o| o.is_open()) => "open",
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
        None => format!("{}: no data", day.date),
        Some(_) if up.down.is_zero() => format!("{}: 100% up", day.date),
        Some(_) => format!(
            "{}: {} up, down {}",
            day.date,
            format::percent(up),
            format::duration(up.down)
        ),
    };
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
