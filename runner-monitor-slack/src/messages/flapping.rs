//! The flapping messages: a runner that keeps going down ("flapping"), and the same runner
//! stable again. Between the two its outages are recorded but not alerted on.

use std::time::Duration;

use runner_monitor_core::{Notification, RunnerSnapshot, Timestamp};

use super::footer;
use super::format::{duration, labels};
use crate::blocks::{Block, Message, date, escape, field};

/// Labels listed before "... and N more labels".
const MAX_LABELS: usize = 20;

/// Header "GitHub Runner Flapping: <runner>"; how many outages in what window, since when, and
/// that alerts for it are held until it settles.
pub(super) fn flapping(
    n: &Notification,
    runner: &RunnerSnapshot,
    outages: u32,
    window: Duration,
    since: Timestamp,
) -> Message {
    let scope = escape(&n.scope.to_string());
    let name = escape(&runner.name);
    let window = duration(window);
    Message::new(format!(
        "GitHub Runner Flapping: {} in {} went down {outages} times in {window}; its alerts are \
         held until it is stable",
        runner.name, n.scope
    ))
    .block(Block::header(format!(
        "GitHub Runner Flapping: {}",
        runner.name
    )))
    .block(Block::text(format!(
        "`{name}` in `{scope}` went down *{outages} times in {window}*. Its outages are still \
         recorded (`/runner-history`), but no alert is sent for it until it has been stable for \
         a while: then one message says it is stable again, or one alert that it stayed down."
    )))
    .block(Block::fields([
        field("Scope", &format!("`{scope}`")),
        field("Runner", &format!("`{name}`")),
        field("Status", runner.status.label()),
        field("Outages", &format!("{outages} in {window}")),
        field("Flapping since", &date(since)),
        field("OS", &escape(&runner.os)),
        field("Labels", &labels(&runner.labels, MAX_LABELS)),
    ]))
    .block(footer(n))
}

/// Header "GitHub Runner Stable: <status>"; how long it was flapping.
pub(super) fn stable(
    n: &Notification,
    runner: &RunnerSnapshot,
    since: Timestamp,
    lasted: Duration,
) -> Message {
    let scope = escape(&n.scope.to_string());
    let lasted = duration(lasted);
    Message::new(format!(
        "GitHub Runner Stable: {} in {} is {} and stable again after flapping for {lasted}",
        runner.name, n.scope, runner.status
    ))
    .block(Block::header(format!(
        "GitHub Runner Stable: {}",
        runner.status
    )))
    .block(Block::text(format!(
        "`{}` in `{scope}` is stable again after flapping for *{lasted}*; its alerts are sent \
         again.",
        escape(&runner.name)
    )))
    .block(Block::fields([
        field("Scope", &format!("`{scope}`")),
        field("Runner", &format!("`{}`", escape(&runner.name))),
        field("Status", runner.status.label()),
        field("Flapping since", &date(since)),
        field("Flapping for", &lasted),
    ]))
    .block(footer(n))
}
