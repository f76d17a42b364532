//! The buttons of an alert message: their `action_id`s, the `value` naming the outage, and the
//! `actions` block that carries them.

use runner_monitor_core::{Notification, Scope};
use serde_json::{Value, json};

/// `action_id` of the Acknowledge button.
pub const ACK_ACTION: &str = "runner_ack";
/// `action_id` of the Silence 1 h button.
pub const SILENCE_1H_ACTION: &str = "runner_silence_1h";
/// `action_id` of the History button.
pub const HISTORY_ACTION: &str = "runner_history";

/// Separates the parts of a button's `value` (GitHub names cannot contain spaces).
const SEPARATOR: char = ' ';

/// What a button is about: an outage of a runner in a scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionTarget {
    /// The scope.
    pub scope: Scope,
    /// The runner's name.
    pub runner: String,
    /// The outage id.
    pub outage: u64,
}

impl ActionTarget {
    /// The button `value`: `<scope> <runner> <outage id>` (at most 2000 characters, Slack's
    /// limit, for any GitHub name).
    pub fn value(&self) -> String {
        format!(
            "{}{SEPARATOR}{}{SEPARATOR}{}",
            self.scope, self.runner, self.outage
        )
    }

    /// Parses a button `value`; `None` for anything else.
    pub fn parse(value: &str) -> Option<Self> {
        let mut parts = value.split(SEPARATOR);
        let scope = parts.next()?.parse().ok()?;
        let runner = parts.next()?.to_owned();
        let outage = parts.next()?.parse().ok()?;
        (parts.next().is_none() && !runner.is_empty()).then_some(ActionTarget {
            scope,
            runner,
            outage,
        })
    }

    /// The target of a runner notification (opened, reminder, resolved).
    pub fn of(notification: &Notification) -> Option<Self> {
        Some(ActionTarget {
            scope: notification.scope.clone(),
            runner: notification.runner()?.name.clone(),
            outage: notification.outage()?.id,
        })
    }
}

/// A button's action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Action {
    /// Acknowledge the outage: no more reminders.
    Acknowledge,
    /// Silence the runner's alerts for an hour.
    SilenceOneHour,
    /// Show the runner's outage history.
    History,
}

impl Action {
    /// The action of an `action_id`.
    pub fn from_id(id: &str) -> Option<Self> {
        match id {
            ACK_ACTION => Some(Action::Acknowledge),
            SILENCE_1H_ACTION => Some(Action::SilenceOneHour),
            HISTORY_ACTION => Some(Action::History),
            _ => None,
        }
    }
}

/// The `actions` block with the three buttons for `target`, to add to an open outage's message
/// (it is plain JSON: the crate's [`Block`](crate::blocks::Block) type has no interactive
/// elements).
pub fn buttons(target: &ActionTarget) -> Value {
    let value = target.value();
    let button = |text: &str, id: &str| {
        json!({
            "type": "button",
            "text": { "type": "plain_text", "text": text, "emoji": true },
            "action_id": id,
            "value": value,
        })
    };
    let mut ack = button("Acknowledge", ACK_ACTION);
    ack["style"] = json!("primary");
    json!({
        "type": "actions",
        "block_id": "runner_actions",
        "elements": [ack, button("Silence 1 h", SILENCE_1H_ACTION), button("History", HISTORY_ACTION)],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip() {
        for scope in [
            Scope::repo("acme", "api"),
            Scope::org("acme"),
            Scope::enterprise("big"),
        ] {
            let target = ActionTarget {
                scope,
                runner: "build-1".to_owned(),
                outage: 12,
            };
            assert_eq!(ActionTarget::parse(&target.value()), Some(target));
        }
        for bad in [
            "",
            "acme/api",
            "acme/api build-1",
            "acme/api build-1 x",
            "a b 1 2",
            "acme/api  1",
        ] {
            assert_eq!(ActionTarget::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn buttons_carry_ids_and_value() {
        let target = ActionTarget {
            scope: Scope::org("acme"),
            runner: "gpu-1".to_owned(),
            outage: 3,
        };
        let block = buttons(&target);
        let ids: Vec<_> = block["elements"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| e["action_id"].as_str().unwrap_or_default().to_owned())
            .collect();
        assert_eq!(ids, [ACK_ACTION, SILENCE_1H_ACTION, HISTORY_ACTION]);
        assert_eq!(block["elements"][2]["value"], "org:acme gpu-1 3");
    }
}
