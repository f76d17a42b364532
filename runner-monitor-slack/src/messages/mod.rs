//! The Block Kit message of each notification kind. Every message has a fallback `text`, a
//! header, the facts as fields, and a footer context with the detection time and the
//! notification's idempotency key (a harmless reference receivers and humans can match on).
//! Every message is returned within Slack's limits, with user-controlled text escaped.

pub mod bot;
mod flapping;
mod format;
mod group;
mod monitoring;
mod outage;
mod pool;
mod removal;

pub use format::duration;
pub use group::render_group;

use runner_monitor_core::{Notification, NotificationKind};

use crate::blocks::{Block, Message, date, escape};

/// The Slack message for a dispatcher [`Message`](runner_monitor_core::Message): a group of
/// several notifications is rendered as one ([`render_group`]), a single one as [`render`]
/// would, with the message's key in the footer either way.
pub fn render_message(message: &runner_monitor_core::Message) -> Message {
    match message.members.as_slice() {
        [one] => render(one),
        _ => {
            let mut rendered = render_group(message);
            rendered.text = escape(&rendered.text);
            rendered.within_limits()
        }
    }
}

/// The Slack message for `notification`.
pub fn render(notification: &Notification) -> Message {
    let mut message = match &notification.kind {
        NotificationKind::OutageOpened { runner, outage } => {
            outage::opened(notification, runner, outage)
        }
        NotificationKind::OutageReminder {
            runner,
            outage,
            down_for,
        } => outage::reminder(notification, runner, outage, *down_for),
        NotificationKind::OutageResolved {
            runner,
            outage,
            duration,
        } => outage::resolved(notification, runner, outage, *duration),
        NotificationKind::MonitoringDegraded {
            incident,
            failure,
            since,
        } => monitoring::degraded(notification, *incident, failure, *since),
        NotificationKind::MonitoringRestored {
            incident,
            since,
            duration,
            ..
        } => monitoring::restored(notification, *incident, *since, *duration),
        NotificationKind::RunnersRemoved {
            runners,
            known,
            since,
            deregistered: false,
        } => removal::removed(notification, runners, *known, *since),
        NotificationKind::RunnersRemoved {
            runners,
            deregistered: true,
            ..
        } => removal::deregistered(notification, runners),
        NotificationKind::RunnerFlapping {
            runner,
            outages,
            window,
            since,
            ..
        } => flapping::flapping(notification, runner, *outages, *window, *since),
        NotificationKind::RunnerStable {
            runner,
            since,
            duration,
        } => flapping::stable(notification, runner, *since, *duration),
        NotificationKind::PoolBelowFloor { pool, outage } => {
            pool::below(notification, pool, outage)
        }
        NotificationKind::PoolRestored {
            pool,
            outage,
            duration,
        } => pool::restored(notification, pool, outage, *duration),
        NotificationKind::PoolReminder {
            pool,
            outage,
            down_for,
        } => pool::reminder(notification, pool, outage, *down_for),
        _ => Message::new(format!(
            "runner-monitor: {} in {}",
            notification.kind_name(),
            notification.scope
        ))
        .block(footer(notification)),
    };
    // The fallback is built from raw names; Slack parses it as markdown too.
    message.text = escape(&message.text);
    message.within_limits()
}

/// The last block of every message: when it was detected and its idempotency key.
fn footer(notification: &Notification) -> Block {
    Block::context([
        format!("Detected at {}", date(notification.at)),
        format!("ref `{}`", escape(&notification.idempotency_key())),
    ])
}
