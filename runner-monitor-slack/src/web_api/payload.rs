//! The JSON of `chat.postMessage` and `chat.update` for a rendered message.

use serde_json::{Value, json};

use crate::blocks::Message;

/// The colour bar of a bot message: Slack draws it beside an attachment, which is where the
/// blocks go when a tone is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Tone {
    /// No bar: the blocks are the message itself.
    Plain,
    /// Red: an open outage.
    Alert,
    /// Amber: degraded monitoring, a reminder.
    Warning,
    /// Green: resolved.
    Resolved,
}

impl Tone {
    /// The bar's colour (Slack's own red, yellow and green), `None` for [`Tone::Plain`].
    pub fn color(self) -> Option<&'static str> {
        match self {
            Tone::Plain => None,
            Tone::Alert => Some("#E01E5A"),
            Tone::Warning => Some("#ECB22E"),
            Tone::Resolved => Some("#2EB67D"),
        }
    }
}

/// A message for the Web API: the Block Kit message (fallback text and blocks, within Slack's
/// limits) and its tone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BotMessage {
    /// The message.
    pub message: Message,
    /// Its colour bar.
    pub tone: Tone,
    /// Interactive blocks (the alert's buttons) shown after the message's own blocks; plain
    /// JSON, as [`Block`](crate::blocks::Block) has no interactive elements.
    pub actions: Vec<Value>,
}

impl BotMessage {
    /// A message with a tone.
    pub fn new(message: Message, tone: Tone) -> Self {
        BotMessage {
            message,
            tone,
            actions: Vec::new(),
        }
    }

    /// The message with `block` (an `actions` block) after its own blocks.
    #[must_use]
    pub fn with_actions(mut self, block: Value) -> Self {
        self.actions.push(block);
        self
    }

    /// `text`, and either `blocks` or one coloured attachment holding them. Both keys are
    /// always sent: `chat.update` keeps whatever a payload leaves out.
    fn content(&self) -> serde_json::Map<String, Value> {
        let mut blocks = serde_json::to_value(&self.message.blocks).unwrap_or_else(|_| json!([]));
        if let Value::Array(list) = &mut blocks {
            list.extend(self.actions.iter().cloned());
        }
        let mut content = serde_json::Map::new();
        content.insert("text".to_owned(), Value::String(self.message.text.clone()));
        match self.tone.color() {
            None => {
                content.insert("blocks".to_owned(), blocks);
                content.insert("attachments".to_owned(), json!([]));
            }
            Some(color) => {
                content.insert("blocks".to_owned(), json!([]));
                content.insert(
                    "attachments".to_owned(),
                    json!([{ "color": color, "blocks": blocks, "fallback": self.message.text }]),
                );
            }
        }
        content
    }

    /// The `chat.postMessage` body (a thread reply with `thread_ts`).
    pub fn post_payload(&self, channel: &str, thread_ts: Option<&str>) -> Value {
        let mut body = self.content();
        body.insert("channel".to_owned(), Value::String(channel.to_owned()));
        if let Some(thread_ts) = thread_ts {
            body.insert("thread_ts".to_owned(), Value::String(thread_ts.to_owned()));
        }
        // Alerts carry their own names and links; unfurling would add noise.
        body.insert("unfurl_links".to_owned(), Value::Bool(false));
        Value::Object(body)
    }

    /// The `chat.update` body.
    pub fn update_payload(&self, channel: &str, ts: &str) -> Value {
        let mut body = self.content();
        body.insert("channel".to_owned(), Value::String(channel.to_owned()));
        body.insert("ts".to_owned(), Value::String(ts.to_owned()));
        Value::Object(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::blocks::Block;

    #[test]
    fn a_tone_moves_the_blocks_into_a_coloured_attachment() {
        let message = Message::new("fallback").block(Block::text("hello"));
        let plain = BotMessage::new(message.clone(), Tone::Plain).post_payload("C1", None);
        assert_eq!(plain["blocks"][0]["text"]["text"], "hello");
        assert_eq!(plain["attachments"], json!([]));
        let red = BotMessage::new(message, Tone::Alert).update_payload("C1", "1.2");
        assert_eq!(red["blocks"], json!([]));
        assert_eq!(red["attachments"][0]["color"], "#E01E5A");
        assert_eq!(red["attachments"][0]["blocks"][0]["text"]["text"], "hello");
        assert_eq!(red["ts"], "1.2");
        assert_eq!(red["text"], "fallback");
    }

    #[test]
    fn actions_follow_the_blocks_inside_the_attachment() {
        let message = Message::new("fallback").block(Block::text("hello"));
        let red = BotMessage::new(message, Tone::Alert)
            .with_actions(json!({"type": "actions", "elements": []}))
            .post_payload("C1", None);
        assert_eq!(red["attachments"][0]["blocks"][1]["type"], "actions");
        assert_eq!(red["blocks"], json!([]));
    }

    #[test]
    fn replies_carry_thread_ts() {
        let reply = BotMessage::new(Message::new("x"), Tone::Plain).post_payload("C1", Some("9.9"));
        assert_eq!(reply["thread_ts"], "9.9");
        assert_eq!(reply["channel"], "C1");
    }
}
