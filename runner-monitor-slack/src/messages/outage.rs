//! Runner messages: outage opened, still open (reminder), resolved.

use std::time::Duration;

use runner_monitor_core::{Notification, Outage, Resolution, RunnerSnapshot, RunnerStatus};

use super::footer;
use super::format::{duration, labels};
use crate::blocks::{Block, Message, date, escape, field};

/// Labels listed before "... and N more labels".
const MAX_LABELS: usize = 20;

fn scope_field(n: &Notification) -> String {
    field("Scope", &format!("`{}`", escape(&n.scope.to_string())))
}

fn runner_field(runner: &RunnerSnapshot) -> String {
    field("Runner", &format!("`{}`", escape(&runner.name)))
}

/// Header "GitHub Runner Alert: <status>"; scope, runner, status, outage id, OS, labels and
/// "down since" as fields.
pub(super) fn opened(n: &Notification, runner: &RunnerSnapshot, outage: &Outage) -> Message {
    let mut summary = format!("{}.", escape(&outage.description));
    if runner.busy {
        summary.push_str(" It was running a job when it was last seen.");
    }
    Message::new(format!(
        "GitHub Runner Alert: {} in {} is {} (outage #{})",
        runner.name, n.scope, runner.status, outage.id
    ))
    .block(Block::header(format!(
        "GitHub Runner Alert: {}",
        runner.status
    )))
    .block(Block::text(summary))
    .block(Block::fields([
        scope_field(n),
        runner_field(runner),
        field("Status", runner.status.label()),
        field("Outage ID", &format!("#{}", outage.id)),
        field("OS", &escape(&runner.os)),
        field("Labels", &labels(&runner.labels, MAX_LABELS)),
        field("Down since", &date(outage.started_at)),
    ]))
    .block(footer(n))
}

/// Header "GitHub Runner Still Down: <status>"; how long it has been down.
pub(super) fn reminder(
    n: &Notification,
    runner: &RunnerSnapshot,
    outage: &Outage,
    down_for: Duration,
) -> Message {
    let down_for = duration(down_for);
    Message::new(format!(
        "GitHub Runner Still Down: {} in {} has been {} for {} (outage #{})",
        runner.name, n.scope, runner.status, down_for, outage.id
    ))
    .block(Block::header(format!(
        "GitHub Runner Still Down: {}",
        runner.status
    )))
    .block(Block::text(format!(
        "`{}` in `{}` has been down for *{down_for}* (reminder {}).",
        escape(&runner.name),
        escape(&n.scope.to_string()),
        outage.reminders.max(1)
    )))
    .block(Block::fields([
        scope_field(n),
        runner_field(runner),
        field("Status", runner.status.label()),
        field("Outage ID", &format!("#{}", outage.id)),
        field("Down since", &date(outage.started_at)),
        field("Down for", &down_for),
    ]))
    .block(footer(n))
}

/// Header "GitHub Runner Recovered: <new status>" (or "GitHub Runner Removed" when it was
/// forgotten); the outage's duration and the new status.
pub(super) fn resolved(
    n: &Notification,
    runner: &RunnerSnapshot,
    outage: &Outage,
    lasted: Duration,
) -> Message {
    let lasted = duration(lasted);
    let removed = outage.resolution == Some(Resolution::Removed);
    let new_status = match outage.resolution {
        Some(Resolution::Recovered(status)) => status,
        Some(Resolution::Removed) => RunnerStatus::Unknown,
        None => runner.status,
    };
    let (text, header, summary, status_text) = if removed {
        (
            format!(
                "GitHub Runner Removed: {} in {} is no longer monitored; outage #{} closed after {}",
                runner.name, n.scope, outage.id, lasted
            ),
            "GitHub Runner Removed".to_owned(),
            format!(
                "`{}` was absent from `{}` for too long and is no longer monitored; outage #{} is closed after *{lasted}*.",
                escape(&runner.name),
                escape(&n.scope.to_string()),
                outage.id
            ),
            "Removed".to_owned(),
        )
    } else {
        (
            format!(
                "GitHub Runner Recovered: {} in {} is {} again after {} (outage #{})",
                runner.name, n.scope, new_status, lasted, outage.id
            ),
            format!("GitHub Runner Recovered: {new_status}"),
            format!(
                "`{}` in `{}` is back after being down for *{lasted}*.",
                escape(&runner.name),
                escape(&n.scope.to_string())
            ),
            new_status.label().to_owned(),
        )
    };
    Message::new(text)
        .block(Block::header(header))
        .block(Block::text(summary))
        .block(Block::fields([
            scope_field(n),
            runner_field(runner),
            field("New Status", &status_text),
            field("Resolved Outage", &format!("#{}", outage.id)),
            field("Down since", &date(outage.started_at)),
            field("Resolved at", &date(outage.resolved_at.unwrap_or(n.at))),
            field("Duration", &lasted),
        ]))
        .block(footer(n))
}
