//! Numbers for people: uptime percentages, durations, times.

use std::time::Duration;

use runner_monitor_core::Timestamp;
use runner_monitor_core::uptime::Uptime;

/// `99.95%`, `100%`, or `–` when nothing was measured. Rounded down, so a runner that was down at
/// all never shows `100%`.
pub fn percent(uptime: &Uptime) -> String {
    match uptime.ratio() {
        None => "–".to_owned(),
        Some(ratio) if ratio >= 1.0 => "100%".to_owned(),
        Some(ratio) => format!("{:.2}%", (ratio * 10_000.0).floor() / 100.0),
    }
}

/// `45s`, `12m`, `3h 5m`, `2d 4h`: the two largest units.
pub fn duration(d: Duration) -> String {
    let secs = d.as_secs();
    let (days, hours, minutes, seconds) = (
        secs / 86_400,
        secs % 86_400 / 3600,
        secs % 3600 / 60,
        secs % 60,
    );
    match (days, hours, minutes) {
        (0, 0, 0) => format!("{seconds}s"),
        (0, 0, m) if seconds == 0 || m >= 10 => format!("{m}m"),
        (0, 0, m) => format!("{m}m {seconds}s"),
        (0, h, 0) => format!("{h}h"),
        (0, h, m) => format!("{h}h {m}m"),
        (d, 0, _) => format!("{d}d"),
        (d, h, _) => format!("{d}d {h}h"),
    }
}

/// How long from `then` to `now` (zero if `then` is later).
pub fn since(now: Timestamp, then: Timestamp) -> String {
    duration((now - then).to_std().unwrap_or_default())
}

/// `2026-01-12 14:02 UTC`.
pub fn utc(at: Timestamp) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// `14:02` (UTC), for times within a day.
pub fn hm(at: Timestamp) -> String {
    at.format("%H:%M").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_well() {
        let s = Duration::from_secs;
        assert_eq!(duration(s(45)), "45s");
        assert_eq!(duration(s(125)), "2m 5s");
        assert_eq!(duration(s(12 * 60 + 5)), "12m");
        assert_eq!(duration(s(3 * 3600 + 5 * 60)), "3h 5m");
        assert_eq!(duration(s(2 * 86_400 + 4 * 3600 + 7)), "2d 4h");
    }

    #[test]
    fn percentages_never_round_up_to_100() {
        let up = |observed: u64, down: u64| Uptime {
            observed: Duration::from_secs(observed),
            down: Duration::from_secs(down),
            silenced: Duration::ZERO,
            outages: 0,
        };
        assert_eq!(percent(&up(100_000, 1)), "99.99%");
        assert_eq!(percent(&up(100, 0)), "100%");
        assert_eq!(percent(&up(100, 25)), "75.00%");
        assert_eq!(percent(&Uptime::default()), "–");
    }
}
