//! The clicked alert after a button did its work: the button taken off and a line saying who
//! did what ("Acknowledged by @ana"), sent back with `replace_original` to the payload's
//! `response_url` (Slack replaces the message the button is on, in webhook and bot mode alike).

use serde_json::{Map, Value, json};

/// `block_id` of the actions block [`buttons`](super::buttons) builds.
const ACTIONS_BLOCK_ID: &str = "runner_actions";

/// The replacement of `original` (the payload's `message`: `text`, `blocks`, `attachments`)
/// without the button `clicked` and with a context line `line` (mrkdwn) after the buttons;
/// `None` when `original` is not a message object.
///
/// # Examples
/// ```
/// use runner_monitor_slack::interactions::{after_click, buttons, ActionTarget, ACK_ACTION};
/// use serde_json::json;
///
/// let target = ActionTarget { scope: "acme/api".parse()?, runner: "build-1".into(), outage: 3 };
/// let original = json!({
///     "text": "build-1 offline",
///     "attachments": [{ "color": "#E01E5A", "blocks": [
///         { "type": "section", "text": { "type": "mrkdwn", "text": "build-1 offline" } },
///         buttons(&target),
///     ]}],
/// });
/// let updated = after_click(&original, ACK_ACTION, "Acknowledged by <@U1>").expect("a message");
/// assert_eq!(updated["replace_original"], true);
/// let blocks = &updated["attachments"][0]["blocks"];
/// assert_eq!(blocks[1]["elements"].as_array().map(Vec::len), Some(2), "Acknowledge is gone");
/// assert_eq!(blocks[2]["elements"][0]["text"], "Acknowledged by <@U1>");
/// # Ok::<(), runner_monitor_core::ScopeParseError>(())
/// ```
pub fn after_click(original: &Value, clicked: &str, line: &str) -> Option<Value> {
    let message = original.as_object()?;
    let context = json!({
        "type": "context",
        "elements": [{ "type": "mrkdwn", "text": line }],
    });
    let mut blocks = message.get("blocks").cloned().unwrap_or_else(|| json!([]));
    let mut attachments = message
        .get("attachments")
        .cloned()
        .unwrap_or_else(|| json!([]));
    let mut placed = without_button(&mut blocks, clicked, &context);
    if let Value::Array(list) = &mut attachments {
        for attachment in list.iter_mut() {
            if let Some(inner) = attachment.get_mut("blocks") {
                placed |= without_button(inner, clicked, &context);
            }
        }
    }
    if !placed {
        // No buttons found (an older message): the line goes at the end of what is shown.
        let target = attachments
            .get_mut(0)
            .and_then(|a| a.get_mut("blocks"))
            .filter(|b| b.is_array())
            .unwrap_or(&mut blocks);
        if let Value::Array(list) = target {
            list.push(context);
        }
    }
    let mut out = Map::new();
    out.insert("replace_original".to_owned(), Value::Bool(true));
    out.insert(
        "text".to_owned(),
        message.get("text").cloned().unwrap_or_else(|| json!("")),
    );
    out.insert("blocks".to_owned(), blocks);
    out.insert("attachments".to_owned(), attachments);
    Some(Value::Object(out))
}

/// Takes the button `clicked` off the actions block in `blocks` (the block goes when it has no
/// button left) and puts `context` after it. Whether the actions block was there.
fn without_button(blocks: &mut Value, clicked: &str, context: &Value) -> bool {
    let Value::Array(list) = blocks else {
        return false;
    };
    let Some(index) = list
        .iter()
        .position(|b| b["type"] == "actions" && b["block_id"] == ACTIONS_BLOCK_ID)
    else {
        return false;
    };
    let mut keep = true;
    if let Some(Value::Array(elements)) = list[index].get_mut("elements") {
        elements.retain(|e| e["action_id"] != clicked);
        keep = !elements.is_empty();
    }
    if keep {
        list.insert(index + 1, context.clone());
    } else {
        list[index] = context.clone();
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interactions::{
        ACK_ACTION, ActionTarget, HISTORY_ACTION, SILENCE_1H_ACTION, buttons,
    };

    fn alert() -> Value {
        let target = ActionTarget {
            scope: runner_monitor_core::Scope::org("acme"),
            runner: "gpu-1".to_owned(),
            outage: 2,
        };
        json!({ "text": "gpu-1 offline", "blocks": [buttons(&target)] })
    }

    #[test]
    fn each_click_takes_its_button_off_and_says_who() {
        let once = after_click(&alert(), ACK_ACTION, "ack by a").expect("message");
        let twice = after_click(&once, SILENCE_1H_ACTION, "silenced by b").expect("message");
        let ids: Vec<_> = twice["blocks"][0]["elements"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| e["action_id"].clone())
            .collect();
        assert_eq!(ids, [json!(HISTORY_ACTION)]);
        assert_eq!(twice["blocks"][1]["elements"][0]["text"], "silenced by b");
        assert_eq!(twice["blocks"][2]["elements"][0]["text"], "ack by a");
        assert_eq!(twice["text"], "gpu-1 offline");
        let last = after_click(&twice, HISTORY_ACTION, "x").expect("message");
        assert_eq!(
            last["blocks"][0]["type"], "context",
            "no empty actions block"
        );
    }

    #[test]
    fn a_message_without_buttons_gets_the_line_at_the_end() {
        let plain = json!({ "text": "t", "blocks": [{ "type": "divider" }] });
        let updated = after_click(&plain, ACK_ACTION, "ack").expect("message");
        assert_eq!(updated["blocks"][1]["type"], "context");
        assert_eq!(after_click(&json!("text"), ACK_ACTION, "ack"), None);
    }
}
