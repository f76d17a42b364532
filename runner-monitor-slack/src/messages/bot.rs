//! Bot-mode messages (Web API): the same messages with a colour bar, the living outage message
//! in its resolved (green) state for `chat.update`, and the short replies that go in its thread.
//!
//! Wiring (which notification updates which stored message) is the caller's: these functions
//! only render.

use runner_monitor_core::{
    Message as Dispatched, Notification, NotificationKind, Outage, Resolution, RunnerSnapshot,
};

use super::format::duration;
use super::{footer, render, render_message};
use crate::blocks::{Block, Message, date, escape, field};
use crate::interactions::{ActionTarget, buttons};
use crate::web_api::{BotMessage, Tone};

/// The tone of a notification's own message: red while something is broken (an outage, a pool
/// below its floor), green once it is over, amber for reminders, degraded monitoring and a
/// flapping runner; no bar for removal notices.
pub fn tone(notification: &Notification) -> Tone {
    match &notification.kind {
        NotificationKind::OutageOpened { .. } | NotificationKind::PoolBelowFloor { .. } => {
            Tone::Alert
        }
        NotificationKind::OutageResolved { .. }
        | NotificationKind::MonitoringRestored { .. }
        | NotificationKind::RunnerStable { .. }
        | NotificationKind::PoolRestored { .. } => Tone::Resolved,
        NotificationKind::OutageReminder { .. }
        | NotificationKind::MonitoringDegraded { .. }
        | NotificationKind::RunnerFlapping { .. }
        | NotificationKind::PoolReminder { .. } => Tone::Warning,
        _ => Tone::Plain,
    }
}

/// The notification's message as a new post: [`render`] with its [`tone`].
pub fn message(notification: &Notification) -> BotMessage {
    BotMessage::new(render(notification), tone(notification))
}

/// A dispatcher message as a new post: one notification or a group ([`render_message`]) with
/// the tone of its kind. The alert of one runner's outage carries the Acknowledge, Silence 1 h
/// and History buttons (a group's does not: each of its outages is acknowledged on its own).
pub fn post(message: &Dispatched) -> BotMessage {
    let tone = message.members.first().map_or(Tone::Plain, tone);
    let posted = BotMessage::new(render_message(message), tone);
    match message.members.as_slice() {
        [one] if matches!(one.kind, NotificationKind::OutageOpened { .. }) => {
            match ActionTarget::of(one) {
                Some(target) => posted.with_actions(buttons(&target)),
                None => posted,
            }
        }
        _ => posted,
    }
}

/// The message that replaces an alert once `closing` (the message that resolves its last open
/// member) is sent: green, without buttons. One runner's outage gets [`resolved_parent`]; a
/// group, a pool, degraded monitoring or a flapping runner the closing message itself, green.
pub fn closed_parent(closing: &Dispatched) -> BotMessage {
    if let [one] = closing.members.as_slice()
        && let Some(green) = resolved_parent(one)
    {
        return green;
    }
    BotMessage::new(render_message(closing), Tone::Resolved)
}

/// The reply in an alert's thread for `members` (the part of a message the alert follows):
/// [`thread_reply`] for one, a one-line summary with the names for several ("24 runners of
/// org:acme back after 30m: rack1-01, ...").
pub fn reply(members: &[Notification]) -> BotMessage {
    match members {
        [one] => thread_reply(one),
        _ => {
            let text = render_message(&Dispatched::new(members.to_vec())).text;
            BotMessage::new(
                Message::new(text.clone())
                    .block(Block::text(text))
                    .within_limits(),
                Tone::Plain,
            )
        }
    }
}

/// The alert message of an outage in its final state, for `chat.update` of the message that
/// announced it: green, "Resolved after 21m", with when it started and ended. `None` for a
/// notification that does not resolve an outage.
pub fn resolved_parent(notification: &Notification) -> Option<BotMessage> {
    let NotificationKind::OutageResolved {
        runner,
        outage,
        duration: lasted,
    } = &notification.kind
    else {
        return None;
    };
    Some(BotMessage::new(
        resolved_alert(notification, runner, outage, *lasted).within_limits(),
        Tone::Resolved,
    ))
}

fn resolved_alert(
    n: &Notification,
    runner: &RunnerSnapshot,
    outage: &Outage,
    lasted: std::time::Duration,
) -> Message {
    let lasted = duration(lasted);
    let scope = escape(&n.scope.to_string());
    let name = escape(&runner.name);
    let (status, outcome) = match outage.resolution {
        Some(Resolution::Removed) => ("Removed".to_owned(), "removed from monitoring".to_owned()),
        Some(Resolution::Recovered(status)) => (
            status.label().to_owned(),
            format!("{} again", status.label()),
        ),
        None => (runner.status.label().to_owned(), "resolved".to_owned()),
    };
    Message::new(escape(&format!(
        "Resolved after {lasted}: {} in {} is {outcome} (outage #{})",
        runner.name, n.scope, outage.id
    )))
    .block(Block::header(format!(
        "Resolved: {} was {}",
        runner.name,
        outage.trigger.label()
    )))
    .block(Block::text(format!(
        ":white_check_mark: *Resolved after {lasted}*: `{name}` in `{scope}` is {outcome}."
    )))
    .block(Block::fields([
        field("Scope", &format!("`{scope}`")),
        field("Runner", &format!("`{name}`")),
        field("Status", &status),
        field("Outage ID", &format!("#{}", outage.id)),
        field("Down since", &date(outage.started_at)),
        field("Resolved at", &date(outage.resolved_at.unwrap_or(n.at))),
        field("Duration", &lasted),
    ]))
    .block(footer(n))
}

/// The short reply posted in the thread of the incident's message: "Recovered after 21m", a
/// reminder's "Still down after 2h 5m". Other kinds reply with their full message.
pub fn thread_reply(notification: &Notification) -> BotMessage {
    let text = match &notification.kind {
        NotificationKind::OutageResolved {
            runner,
            outage,
            duration: lasted,
        } => match outage.resolution {
            Some(Resolution::Removed) => format!(
                ":wastebasket: `{}` was removed from monitoring after *{}*; outage #{} closed.",
                escape(&runner.name),
                duration(*lasted),
                outage.id
            ),
            _ => format!(
                ":white_check_mark: Recovered after *{}*: `{}` is {} now.",
                duration(*lasted),
                escape(&runner.name),
                runner.status.label()
            ),
        },
        NotificationKind::OutageReminder {
            runner,
            outage,
            down_for,
        } => format!(
            ":hourglass: Still down after *{}*: `{}` is {} (reminder {}).",
            duration(*down_for),
            escape(&runner.name),
            runner.status.label(),
            outage.reminders.max(1)
        ),
        _ => return BotMessage::new(render(notification), Tone::Plain),
    };
    let fallback = render(notification).text;
    BotMessage::new(
        Message::new(fallback)
            .block(Block::text(text))
            .within_limits(),
        Tone::Plain,
    )
}
