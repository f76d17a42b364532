//! The removal messages: a suspect drop accepted, or runners deregistered, forgotten together.

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

/// Header "GitHub Runners Deregistered: N"; the scope and the names. A routine notice: GitHub
/// stopped listing these runners (a crashed runner stays listed as offline), so they were
/// removed on purpose and are no longer monitored.
pub(super) fn deregistered(n: &Notification, runners: &[RunnerSnapshot]) -> Message {
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
    let noun = if count == 1 { "runner" } else { "runners" };
    Message::new(format!(
        "GitHub Runners Deregistered: {count} {noun} of {} no longer listed",
        n.scope
    ))
    .block(Block::header(format!(
        "GitHub Runners Deregistered: {count}"
    )))
    .block(Block::text(format!(
        "{count} {noun} of `{scope}` no longer appear in GitHub's listing (a crashed runner stays \
         listed as offline), so they were deregistered and are no longer monitored."
    )))
    .block(Block::fields([
        field("Scope", &format!("`{scope}`")),
        field("Runners deregistered", &count.to_string()),
        field("Noticed", &date(n.at)),
    ]))
    .block(Block::text(field("Runners", &names.join(", "))))
    .block(footer(n))
}
