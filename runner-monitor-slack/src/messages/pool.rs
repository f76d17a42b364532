//! Pool messages (`[[policy.pools]]`): below its floor, reminder, restored.

use std::time::Duration;

use runner_monitor_core::{Notification, Outage, PoolCount, PoolMeasure};

use super::footer;
use super::format::{duration, labels};
use crate::blocks::{Block, Message, date, escape, field};

/// Labels listed before "... and N more labels".
const MAX_LABELS: usize = 20;

fn facts(pool: &PoolCount, outage: &Outage) -> Vec<String> {
    vec![
        field("Pool", &format!("`{}`", escape(&pool.name))),
        field(
            match pool.measure {
                PoolMeasure::Online => "Online",
                PoolMeasure::Idle => "Idle",
            },
            &format!("{} of {}", pool.count, pool.total),
        ),
        field("Minimum", &pool.minimum.to_string()),
        field("Outage ID", &format!("#{}", outage.id)),
        field("Labels", &labels(&pool.labels, MAX_LABELS)),
        field("Below since", &date(outage.started_at)),
    ]
}

/// Header "Runner Pool Below Minimum: <pool>"; "Pool gpu: 1 of 4 online (minimum 2)".
pub(super) fn below(n: &Notification, pool: &PoolCount, outage: &Outage) -> Message {
    Message::new(format!("{} (outage #{})", pool.below_text(), outage.id))
        .block(Block::header(format!(
            "Runner Pool Below Minimum: {}",
            pool.name
        )))
        .block(Block::text(format!(
            "{}: jobs needing these labels may queue.",
            escape(&pool.below_text())
        )))
        .block(Block::fields(facts(pool, outage)))
        .block(footer(n))
}

/// Header "Runner Pool Still Below Minimum: <pool>"; "Pool gpu still below its floor after 4 h:
/// 1 of 4 online (minimum 2)".
pub(super) fn reminder(
    n: &Notification,
    pool: &PoolCount,
    outage: &Outage,
    below_for: Duration,
) -> Message {
    let mut fields = facts(pool, outage);
    fields.push(field("Below for", &duration(below_for)));
    fields.push(field("Reminder", &format!("#{}", outage.reminders)));
    Message::new(format!(
        "{} (outage #{})",
        pool.reminder_text(below_for),
        outage.id
    ))
    .block(Block::header(format!(
        "Runner Pool Still Below Minimum: {}",
        pool.name
    )))
    .block(Block::text(format!(
        "{}. `/runner-ack pool:{}` stops these reminders.",
        escape(&pool.reminder_text(below_for)),
        escape(&pool.name)
    )))
    .block(Block::fields(fields))
    .block(footer(n))
}

/// Header "Runner Pool Restored: <pool>"; "Pool gpu back: 3 of 4 online after 12 min".
pub(super) fn restored(
    n: &Notification,
    pool: &PoolCount,
    outage: &Outage,
    lasted: Duration,
) -> Message {
    let mut fields = facts(pool, outage);
    fields.push(field("Lasted", &duration(lasted)));
    Message::new(format!(
        "{} (outage #{})",
        pool.back_text(lasted),
        outage.id
    ))
    .block(Block::header(format!(
        "Runner Pool Restored: {}",
        pool.name
    )))
    .block(Block::text(format!("{}.", escape(&pool.back_text(lasted)))))
    .block(Block::fields(fields))
    .block(footer(n))
}
