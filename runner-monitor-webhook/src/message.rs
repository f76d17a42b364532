//! One human-readable line per notification, shared by the webhook document (`message`) and the
//! PagerDuty summary.

use std::time::Duration;

use chrono::SecondsFormat;
use runner_monitor_core::{Notification, NotificationKind, Resolution, Timestamp};

/// RFC 3339, UTC, whole seconds: `2026-01-01T00:00:00Z`.
pub(crate) fn rfc3339(at: Timestamp) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// `1h 5m 3s`, rounded down to whole seconds.
pub(crate) fn human_duration(duration: Duration) -> String {
    humantime::format_duration(Duration::from_secs(duration.as_secs())).to_string()
}

/// The one-line description of a notification, e.g.
/// `Runner build-1 in acme/api is down (Offline since 2026-01-01T00:00:00Z), outage #3`.
pub(crate) fn one_line(notification: &Notification) -> String {
    let scope = &notification.scope;
    match &notification.kind {
        NotificationKind::OutageOpened { runner, outage } => format!(
            "Runner {} in {scope} is down ({} since {}), outage #{}",
            runner.name,
            runner.status,
            rfc3339(outage.started_at),
            outage.id
        ),
        NotificationKind::OutageReminder {
            runner,
            outage,
            down_for,
        } => format!(
            "Runner {} in {scope} is still down after {} ({}), outage #{}",
            runner.name,
            human_duration(*down_for),
            runner.status,
            outage.id
        ),
        NotificationKind::OutageResolved {
            runner,
            outage,
            duration,
        } => match outage.resolution {
            Some(Resolution::Removed) => format!(
                "Runner {} in {scope} was removed after {} down, outage #{} closed",
                runner.name,
                human_duration(*duration),
                outage.id
            ),
            _ => format!(
                "Runner {} in {scope} is back ({}) after {} down, outage #{} resolved",
                runner.name,
                runner.status,
                human_duration(*duration),
                outage.id
            ),
        },
        NotificationKind::MonitoringDegraded {
            incident,
            failure,
            since,
        } => format!(
            "Monitoring of {scope} is degraded since {} ({}: {}); {}, incident #{incident}",
            rfc3339(*since),
            failure.class,
            failure.message,
            failure.class.advice()
        ),
        NotificationKind::MonitoringRestored {
            incident, duration, ..
        } => format!(
            "Monitoring of {scope} is restored after {} degraded, incident #{incident} resolved",
            human_duration(*duration)
        ),
        NotificationKind::RunnersRemoved {
            runners,
            known,
            since,
            deregistered,
        } => {
            const NAMES: usize = 10;
            let names: Vec<&str> = runners
                .iter()
                .take(NAMES)
                .map(|r| r.name.as_str())
                .collect();
            let more = runners.len().saturating_sub(NAMES);
            let more = if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            };
            if *deregistered {
                format!(
                    "{} runners of {scope} deregistered (no longer listed by GitHub), no longer monitored: {}{more}",
                    runners.len(),
                    names.join(", ")
                )
            } else {
                format!(
                    "{} of {known} runners of {scope} removed: missing from every listing since {} ({}{more})",
                    runners.len(),
                    rfc3339(*since),
                    names.join(", ")
                )
            }
        }
        NotificationKind::RunnerFlapping {
            runner,
            outages,
            window,
            ..
        } => format!(
            "Runner {} in {scope} is flapping: {outages} outages in {} ({} now); its alerts are held until it is stable",
            runner.name,
            human_duration(*window),
            runner.status
        ),
        NotificationKind::RunnerStable {
            runner, duration, ..
        } => format!(
            "Runner {} in {scope} is stable again ({}) after flapping for {}",
            runner.name,
            runner.status,
            human_duration(*duration)
        ),
        NotificationKind::PoolBelowFloor { pool, outage } => {
            format!("{}, outage #{}", pool.below_text(), outage.id)
        }
        NotificationKind::PoolReminder {
            pool,
            outage,
            down_for,
        } => format!(
            "{}, outage #{} (reminder {})",
            pool.reminder_text(*down_for),
            outage.id,
            outage.reminders
        ),
        NotificationKind::PoolRestored {
            pool,
            outage,
            duration,
        } => format!(
            "{}, outage #{} resolved",
            pool.back_text(*duration),
            outage.id
        ),
        _ => format!(
            "{} for {} in {scope}",
            notification.kind_name(),
            notification.subject()
        ),
    }
}

/// At most `max` characters: longer text is cut and ends with `...`.
pub(crate) fn truncate_chars(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let kept: String = text.chars().take(max.saturating_sub(3)).collect();
    format!("{kept}...")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncates_on_char_boundaries() {
        assert_eq!(truncate_chars("short", 10), "short");
        assert_eq!(truncate_chars("ééééééé", 5), "éé...");
        assert_eq!(truncate_chars("abcdef", 6), "abcdef");
        assert_eq!(truncate_chars("abcdefg", 6).chars().count(), 6);
    }

    #[test]
    fn durations_are_whole_seconds() {
        assert_eq!(human_duration(Duration::from_millis(3_723_900)), "1h 2m 3s");
    }
}
