//! Source-health messages: monitoring degraded, monitoring restored.

use std::time::Duration;

use runner_monitor_core::{Notification, SourceFailure, Timestamp};

use super::footer;
use super::format::duration;
use crate::blocks::{Block, Message, date, escape, field};

/// Characters of the failure's own message shown (it is free of secrets, but can be long).
const MAX_DETAIL_CHARS: usize = 500;

/// Header "Runner Monitoring Degraded: <class>"; the scope, the error class and what to do.
pub(super) fn degraded(
    n: &Notification,
    incident: u64,
    failure: &SourceFailure,
    since: Timestamp,
) -> Message {
    let scope = escape(&n.scope.to_string());
    let advice = failure.class.advice();
    let detail: String = failure.message.chars().take(MAX_DETAIL_CHARS).collect();
    Message::new(format!(
        "Runner Monitoring Degraded: {} cannot be observed ({}): {}",
        n.scope, failure.class, advice
    ))
    .block(Block::header(format!(
        "Runner Monitoring Degraded: {}",
        failure.class
    )))
    .block(Block::text(format!(
        "Runners of `{scope}` cannot be observed since {}. Their states are frozen and no outage \
         of this scope will be reported until this is fixed.",
        date(since)
    )))
    .block(Block::fields([
        field("Scope", &format!("`{scope}`")),
        field("Error class", &format!("`{}`", failure.class)),
        field("Failing since", &date(since)),
        field("Incident", &format!("#{incident}")),
    ]))
    .block(Block::text(field("What to do", &escape(advice))))
    .block(Block::text(field(
        "Details",
        &format!("```{}```", escape(&detail)),
    )))
    .block(footer(n))
}

/// Header "Runner Monitoring Restored"; the scope and how long monitoring was degraded.
pub(super) fn restored(
    n: &Notification,
    incident: u64,
    since: Timestamp,
    lasted: Duration,
) -> Message {
    let scope = escape(&n.scope.to_string());
    let lasted = duration(lasted);
    Message::new(format!(
        "Runner Monitoring Restored: {} is observed again after {}",
        n.scope, lasted
    ))
    .block(Block::header("Runner Monitoring Restored"))
    .block(Block::text(format!(
        "Runners of `{scope}` are observed again after *{lasted}*; outages are reported as usual."
    )))
    .block(Block::fields([
        field("Scope", &format!("`{scope}`")),
        field("Incident", &format!("#{incident}")),
        field("Failing since", &date(since)),
        field("Degraded for", &lasted),
    ]))
    .block(footer(n))
}
