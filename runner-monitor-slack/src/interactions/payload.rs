//! The `block_actions` payload Slack posts when a button is clicked: form field `payload`, JSON.

use serde::Deserialize;

/// The fields of an interaction payload this crate uses.
#[derive(Clone, Default, Deserialize)]
pub struct InteractionPayload {
    /// `block_actions` for buttons; other types are acknowledged and ignored.
    #[serde(default, rename = "type")]
    pub kind: String,
    /// Who clicked.
    #[serde(default)]
    pub user: User,
    /// The buttons clicked (one for a click).
    #[serde(default)]
    pub actions: Vec<ActionPayload>,
    /// Where the answer goes (`https://hooks.slack.com/actions/...`); never logged.
    #[serde(default)]
    pub response_url: String,
    /// The message the button is on: its channel and `ts`.
    #[serde(default)]
    pub container: Container,
    /// That message as Slack shows it (`text`, `blocks`, `attachments`), to update it after the
    /// click ("acknowledged by @ana").
    #[serde(default)]
    pub message: Option<serde_json::Value>,
}

/// Where the clicked message is.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
pub struct Container {
    /// `C0123ABCD`.
    #[serde(default)]
    pub channel_id: String,
    /// The message's `ts`.
    #[serde(default)]
    pub message_ts: String,
}

impl std::fmt::Debug for InteractionPayload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InteractionPayload")
            .field("kind", &self.kind)
            .field("user", &self.user)
            .field("actions", &self.actions)
            .field("response_url", &"[redacted]")
            .field("container", &self.container)
            .finish_non_exhaustive()
    }
}

/// The user who clicked.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
pub struct User {
    /// `U0123ABCD`.
    #[serde(default)]
    pub id: String,
    /// The handle (`ana`), when Slack sends it.
    #[serde(default)]
    pub username: String,
}

/// One clicked element.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
pub struct ActionPayload {
    /// `runner_ack`, `runner_silence_1h`, `runner_history`.
    #[serde(default)]
    pub action_id: String,
    /// The button's value (see [`ActionTarget`](super::ActionTarget)).
    #[serde(default)]
    pub value: String,
}

impl InteractionPayload {
    /// Parses the form body (`payload=<json>`); `None` without a JSON `payload` field.
    pub fn parse(body: &[u8]) -> Option<Self> {
        let json = form_urlencoded::parse(body)
            .find(|(key, _)| key == "payload")
            .map(|(_, value)| value.into_owned())?;
        serde_json::from_str(&json).ok()
    }
}
