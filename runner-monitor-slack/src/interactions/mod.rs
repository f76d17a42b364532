//! Interactive buttons on alert messages (Acknowledge, Silence 1 h, History) and the signed
//! interactivity endpoint `/slack/interactions` that carries them out:
//! [`SlashCommands::handle_interaction`](crate::SlashCommands::handle_interaction).
//!
//! Same signature rules as slash commands (raw bytes, 300 s window, constant-time compare), and
//! an exact replay within the window is refused too (buttons change state). History answers
//! through the `/runner-history` code; Acknowledge and Silence go to an [`IncidentActions`]
//! implementation ([`StoreActions`] by default: the code of `/runner-ack` and
//! `/runner-silence`), and the clicked message is then updated ([`after_click`]: "Acknowledged
//! by @ana") and the outcome told in its thread (bot mode) or the channel.

mod actions;
mod payload;
pub(crate) mod replay;
mod store_actions;
mod update;

use std::time::Duration;

use async_trait::async_trait;
use runner_monitor_core::Timestamp;

pub use actions::{ACK_ACTION, Action, ActionTarget, HISTORY_ACTION, SILENCE_1H_ACTION, buttons};
pub use payload::{ActionPayload, Container, InteractionPayload, User};
pub use store_actions::StoreActions;
pub use update::after_click;

use crate::blocks::Message;

/// How long "Silence 1 h" silences.
pub const SILENCE_BUTTON_DURATION: Duration = Duration::from_secs(3600);

/// What Acknowledge and Silence do: record an acknowledgement or a silence, as the
/// `/runner-ack` and `/runner-silence` commands do ([`StoreActions`]; a host may supply its
/// own with [`SlashCommands::incident_actions`](crate::SlashCommands::incident_actions)).
///
/// Each returns the message posted back to the channel (e.g. "Outage #3 of `build-1`
/// acknowledged by <@U0123>"), or an error text shown to the clicking user only.
#[async_trait]
pub trait IncidentActions: Send + Sync + std::fmt::Debug {
    /// Acknowledges the outage `target` for `user` at `now`.
    ///
    /// # Errors
    /// What the user is told (already free of internal detail).
    async fn acknowledge(
        &self,
        target: &ActionTarget,
        user: &User,
        now: Timestamp,
    ) -> Result<Message, String>;

    /// Silences the runner of `target` for `duration` from `now`, for `user`.
    ///
    /// # Errors
    /// What the user is told (already free of internal detail).
    async fn silence(
        &self,
        target: &ActionTarget,
        duration: Duration,
        user: &User,
        now: Timestamp,
    ) -> Result<Message, String>;
}
