//! The removal message: a suspect drop accepted, its runners forgotten together.

use runner_monitor_core::{Notification, RunnerSnapshot, Timestamp};

use super::footer;
use crate::blocks::{Block, Message, and_more, date, escape, field};

/// Runner names listed before "... and N more runners" (the rest stay within Slack's limits).
const MAX_NAMES: usize = 40;

/// Header "GitHub Runners Removed: N of M"; the scope, how many, since when, and the names.
pub(super) fn removed(
    n: &Notification,
    runners: &[RunnerSnapshot],
    known: usize,
    since: Timestamp,
) -> Message {
    let scope = escape(&n.scope.to_string());
    let count = runners.len();
    let mut names: Vec<String> = runners
        .iter()
        .take(MAX_NAMES)
        .map(|r| format!("`{}`", escape(&r.name)))
        .collect();
    if count > MAX_NAMES {
        names.push(and_more(count - MAX_NAMES, "runner", "runners"));
    }
    Message::new(format!(
        "GitHub Runners Removed: {count} of {known} runners of {} are no longer monitored",
        n.scope
    ))
    .block(Block::header(format!(
        "GitHub Runners Removed: {count} of {known}"
    )))
    .block(Block::text(format!(
        "{count} runners of `{scope}` have been missing from every listing since {} and are no \
         longer monitored. If they were not removed on purpose, check the token's access to \
         this scope.",
        date(since)
    )))
    .block(Block::fields([
        field("Scope", &format!("`{scope}`")),
        field("Runners removed", &count.to_string()),
        field("Known before", &known.to_string()),
        field("Missing since", &date(since)),
    ]))
    .block(Block::text(field("Runners", &names.join(", "))))
    .block(footer(n))
}
