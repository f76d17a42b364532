//! Grouped messages: several notifications of one kind (one scope's runners, or one cause over
//! several scopes) as one Slack message, e.g. "24 runners of org:acme offline: rack1-01,
//! rack1-02, ..." and "24 runners of org:acme back after 30m". Every member is listed, one line
//! each, packed into sections within Block Kit's limits (3000 characters a section, 50 blocks a
//! message) with a readable "... and N more runners" when even that is not enough.

use std::time::Duration;

use runner_monitor_core::{Message as Group, Notification, NotificationKind};

use super::format::duration;
use crate::blocks::{
    Block, MAX_BLOCKS, MAX_SECTION_CHARS, Message, and_more, date, escape, field, pack_lines,
};

/// Names in the one-line summary (fallback text and first section) before "... and N more".
const SUMMARY_NAMES: usize = 10;
/// Blocks used by everything but the member list: header, summary, fields, footer.
const FIXED_BLOCKS: usize = 4;

/// The Slack message for a group of two or more notifications of one kind.
pub fn render_group(group: &Group) -> Message {
    let members = &group.members;
    let Some(first) = members.first() else {
        return Message::new("runner-monitor: empty message");
    };
    let scope = first.scope.to_string();
    let count = members.len();
    let (header, summary, lines, noun) = match &first.kind {
        NotificationKind::OutageOpened { .. } => (
            format!("GitHub Runners Down: {count} in {scope}"),
            format!("{count} runners of {scope} offline"),
            runner_lines(members, |n| match &n.kind {
                NotificationKind::OutageOpened { runner, outage } => format!(
                    "{}: down since {} (outage #{})",
                    runner.status,
                    date(outage.started_at),
                    outage.id
                ),
                _ => String::new(),
            }),
            ("runner", "runners"),
        ),
        NotificationKind::OutageReminder { .. } => (
            format!("GitHub Runners Still Down: {count} in {scope}"),
            format!(
                "{count} runners of {scope} still offline after {}",
                duration(longest(members))
            ),
            runner_lines(members, |n| match &n.kind {
                NotificationKind::OutageReminder {
                    outage, down_for, ..
                } => format!("down for {} (outage #{})", duration(*down_for), outage.id),
                _ => String::new(),
            }),
            ("runner", "runners"),
        ),
        NotificationKind::OutageResolved { .. } => (
            format!("GitHub Runners Recovered: {count} in {scope}"),
            format!(
                "{count} runners of {scope} back after {}",
                duration(longest(members))
            ),
            runner_lines(members, |n| match &n.kind {
                NotificationKind::OutageResolved {
                    runner,
                    outage,
                    duration: lasted,
                } => format!(
                    "{} after {} (outage #{})",
                    runner.status,
                    duration(*lasted),
                    outage.id
                ),
                _ => String::new(),
            }),
            ("runner", "runners"),
        ),
        NotificationKind::MonitoringDegraded { failure, .. } => (
            format!(
                "Runner Monitoring Degraded: {count} scopes, {}",
                failure.class
            ),
            format!(
                "{count} scopes cannot be observed ({}): {}",
                failure.class,
                failure.class.advice()
            ),
            scope_lines(members),
            ("scope", "scopes"),
        ),
        NotificationKind::MonitoringRestored { .. } => (
            format!("Runner Monitoring Restored: {count} scopes"),
            format!(
                "Monitoring of {count} scopes is restored after {}",
                duration(longest(members))
            ),
            scope_lines(members),
            ("scope", "scopes"),
        ),
        NotificationKind::RunnersRemoved { .. } => {
            let names = removed_names(members);
            (
                format!("GitHub Runners Removed: {} in {scope}", names.len()),
                format!("{} runners of {scope} are no longer monitored", names.len()),
                names.iter().map(|n| format!("`{}`", escape(n))).collect(),
                ("runner", "runners"),
            )
        }
        _ => (
            format!("runner-monitor: {count} notifications"),
            format!("{count} {} notifications", first.kind_name()),
            members.iter().map(|n| escape(&n.incident_key())).collect(),
            ("notification", "notifications"),
        ),
    };
    let names = subjects(members);
    let fallback = format!("{summary}: {}", summary_names(&names));
    let (chunks, _) = pack_lines(&lines, MAX_SECTION_CHARS, MAX_BLOCKS - FIXED_BLOCKS, noun);
    let mut message = Message::new(fallback)
        .block(Block::header(header))
        .block(Block::text(format!(
            "{}: {}",
            escape(&summary),
            summary_names(
                &names
                    .iter()
                    .map(|n| format!("`{}`", escape(n)))
                    .collect::<Vec<_>>()
            )
        )));
    for chunk in chunks {
        message = message.block(Block::text(chunk));
    }
    message.block(Block::context([
        format!("Detected at {}", date(first.at)),
        field("Notifications", &count.to_string()),
        format!("ref `{}`", escape(&group.key)),
    ]))
}

/// One line per runner member: "`name` <detail>".
fn runner_lines(members: &[Notification], detail: impl Fn(&Notification) -> String) -> Vec<String> {
    members
        .iter()
        .filter_map(|n| {
            n.runner()
                .map(|r| format!("`{}` {}", escape(&r.name), escape(&detail(n))))
        })
        .collect()
}

/// One line per scope member: "`scope` since <date> (incident #N)".
fn scope_lines(members: &[Notification]) -> Vec<String> {
    members
        .iter()
        .map(|n| {
            let since = match &n.kind {
                NotificationKind::MonitoringDegraded { since, .. }
                | NotificationKind::MonitoringRestored { since, .. } => date(*since),
                _ => String::new(),
            };
            format!(
                "`{}` since {since} (incident #{})",
                escape(&n.scope.to_string()),
                n.incident_id()
            )
        })
        .collect()
}

/// The runner names of removal notices, in order.
fn removed_names(members: &[Notification]) -> Vec<String> {
    members
        .iter()
        .flat_map(|n| match &n.kind {
            NotificationKind::RunnersRemoved { runners, .. } => {
                runners.iter().map(|r| r.name.clone()).collect()
            }
            _ => Vec::new(),
        })
        .collect()
}

/// What each member is about: its runner's name, or its scope.
fn subjects(members: &[Notification]) -> Vec<String> {
    let removed = removed_names(members);
    if !removed.is_empty() {
        return removed;
    }
    members
        .iter()
        .map(|n| match n.runner() {
            Some(runner) => runner.name.clone(),
            None => n.scope.to_string(),
        })
        .collect()
}

/// "a, b, c, ... and N more" with at most [`SUMMARY_NAMES`] names.
fn summary_names(names: &[String]) -> String {
    let mut shown: Vec<String> = names.iter().take(SUMMARY_NAMES).cloned().collect();
    if names.len() > SUMMARY_NAMES {
        shown.push(
            and_more(names.len() - SUMMARY_NAMES, "", "")
                .trim_end()
                .to_owned(),
        );
    }
    shown.join(", ")
}

/// The longest outage or degraded period among the members.
fn longest(members: &[Notification]) -> Duration {
    members
        .iter()
        .filter_map(|n| match &n.kind {
            NotificationKind::OutageResolved { duration, .. }
            | NotificationKind::MonitoringRestored { duration, .. } => Some(*duration),
            NotificationKind::OutageReminder { down_for, .. } => Some(*down_for),
            _ => None,
        })
        .max()
        .unwrap_or_default()
}
