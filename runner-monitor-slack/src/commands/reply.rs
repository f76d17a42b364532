//! What the handler answers: an ephemeral message (HTTP 200) or a rejection (HTTP 4xx).

use serde_json::{Value, json};

use crate::blocks::{Block, Message, ResponseType};

/// The handler's answer: an HTTP status and a JSON body, for the host to send as
/// `application/json`.
#[derive(Debug, Clone, PartialEq)]
pub struct SlashResponse {
    /// 200 for every answer a user sees (Slack shows nothing else), 400/401/413 for rejected
    /// requests.
    pub status: u16,
    /// The JSON body.
    pub body: Value,
}

impl SlashResponse {
    /// A message for the user (HTTP 200); ephemeral unless the message says otherwise, within
    /// Slack's limits.
    pub fn message(message: Message) -> Self {
        let mut message = message.within_limits();
        if message.response_type.is_none() {
            message.response_type = Some(ResponseType::Ephemeral);
        }
        SlashResponse {
            status: 200,
            body: message.to_json(),
        }
    }

    /// A rejected request: `status` and `{"error": code}`. Slack shows the user a generic failure.
    pub fn rejected(status: u16, code: &str) -> Self {
        SlashResponse {
            status,
            body: json!({ "error": code }),
        }
    }

    /// The content type of [`body`](Self::body).
    pub fn content_type(&self) -> &'static str {
        "application/json"
    }

    /// The body as bytes.
    pub fn body_bytes(&self) -> Vec<u8> {
        self.body.to_string().into_bytes()
    }
}

/// A one-paragraph ephemeral message (already escaped markdown).
pub(crate) fn notice(mrkdwn: impl Into<String>) -> Message {
    let text: String = mrkdwn.into();
    Message::new(text.clone())
        .response_type(ResponseType::Ephemeral)
        .block(Block::text(text))
}

/// The answer when the store could not be read: nothing internal, just what to do.
pub(crate) fn try_again() -> Message {
    notice(
        "Sorry, runner-monitor could not read its data just now. Please try again in a minute; \
         if this keeps happening, ask whoever runs runner-monitor to check its logs.",
    )
}
