//! The Block Kit structures, serialized exactly as Slack expects them.

use serde::{Deserialize, Serialize};

/// A text object: `{"type": "plain_text" | "mrkdwn", "text": ...}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Text {
    /// Shown as is; the only kind a header accepts.
    PlainText {
        /// The text.
        text: String,
        /// Whether `:emoji:` codes are rendered.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        emoji: Option<bool>,
    },
    /// Slack's markdown dialect; `&`, `<` and `>` must be escaped (see [`escape`](super::escape)).
    Mrkdwn {
        /// The text.
        text: String,
    },
}

impl Text {
    /// Plain text with emoji codes rendered.
    pub fn plain(text: impl Into<String>) -> Self {
        Text::PlainText {
            text: text.into(),
            emoji: Some(true),
        }
    }

    /// Markdown text (already escaped).
    pub fn mrkdwn(text: impl Into<String>) -> Self {
        Text::Mrkdwn { text: text.into() }
    }

    /// The text itself.
    pub fn text(&self) -> &str {
        match self {
            Text::PlainText { text, .. } | Text::Mrkdwn { text } => text,
        }
    }

    pub(crate) fn text_mut(&mut self) -> &mut String {
        match self {
            Text::PlainText { text, .. } | Text::Mrkdwn { text } => text,
        }
    }
}

/// One layout block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Block {
    /// Large bold title; plain text only, at most 150 characters.
    Header {
        /// The title.
        text: Text,
    },
    /// A paragraph and/or up to 10 two-column fields.
    Section {
        /// The paragraph, at most 3000 characters.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        text: Option<Text>,
        /// Fields, at most 10, each at most 2000 characters.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        fields: Vec<Text>,
    },
    /// Small grey print; at most 10 elements.
    Context {
        /// The elements.
        elements: Vec<Text>,
    },
    /// A horizontal rule.
    Divider {},
}

impl Block {
    /// A header block.
    pub fn header(text: impl Into<String>) -> Self {
        Block::Header {
            text: Text::plain(text),
        }
    }

    /// A section with a markdown paragraph.
    pub fn text(mrkdwn: impl Into<String>) -> Self {
        Block::Section {
            text: Some(Text::mrkdwn(mrkdwn)),
            fields: Vec::new(),
        }
    }

    /// A section with markdown fields.
    pub fn fields(fields: impl IntoIterator<Item = String>) -> Self {
        Block::Section {
            text: None,
            fields: fields.into_iter().map(Text::mrkdwn).collect(),
        }
    }

    /// A context block of markdown elements.
    pub fn context(elements: impl IntoIterator<Item = String>) -> Self {
        Block::Context {
            elements: elements.into_iter().map(Text::mrkdwn).collect(),
        }
    }

    /// A divider.
    pub fn divider() -> Self {
        Block::Divider {}
    }
}

/// Who sees a slash-command answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResponseType {
    /// Only the user who typed the command.
    Ephemeral,
    /// Everyone in the channel.
    InChannel,
}

/// A message: the top-level `text` fallback (shown in notifications and by clients that cannot
/// render blocks) and the blocks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// Slash-command answers only: who sees it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_type: Option<ResponseType>,
    /// The fallback text; always present.
    pub text: String,
    /// The blocks, at most 50.
    #[serde(default)]
    pub blocks: Vec<Block>,
}

impl Message {
    /// A message with `text` as its fallback and no blocks yet.
    pub fn new(text: impl Into<String>) -> Self {
        Message {
            response_type: None,
            text: text.into(),
            blocks: Vec::new(),
        }
    }

    /// Adds a block.
    #[must_use]
    pub fn block(mut self, block: Block) -> Self {
        self.blocks.push(block);
        self
    }

    /// Sets who sees a slash-command answer.
    #[must_use]
    pub fn response_type(mut self, response_type: ResponseType) -> Self {
        self.response_type = Some(response_type);
        self
    }

    /// The message with every Slack limit enforced (see [`enforce_limits`](super::enforce_limits)).
    #[must_use]
    pub fn within_limits(mut self) -> Self {
        super::enforce_limits(&mut self);
        self
    }

    /// The JSON Slack receives.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_else(|_| serde_json::json!({ "text": self.text }))
    }
}
