//! # runner-monitor-slack
//!
//! Slack for runner-monitor:
//! - [`SlackNotifier`]: a [`Notifier`](runner_monitor_core::Notifier) posting one Block Kit
//!   message per notification to an incoming webhook, within Slack's limits, with the retry
//!   classification Slack's answers call for, and a webhook URL that never leaks.
//! - [`SlashCommands`]: a transport-agnostic, signature-verifying handler for `/runner-status`,
//!   `/runner-history` and `/runner-help`, for a daemon route or a Lambda to wrap.
//! - [`SlackBotNotifier`] over [`SlackWebApi`]: bot-token mode (`chat.postMessage`,
//!   `chat.update`, thread replies) with Slack's Web API errors classified like every sink's.
//! - [`messages::render`]: the Block Kit message of each notification kind.
//! - [`blocks`]: the Block Kit types, Slack's limits and a plain-text rendering.
//! - `fake::SlackReceiver` (feature `fake`): a loopback webhook receiver for tests and demos.

pub mod blocks;
pub mod bot;
pub mod commands;
pub mod interactions;
pub mod messages;
pub mod notifier;
pub mod signature;
pub mod web_api;

#[cfg(feature = "fake")]
pub mod fake;

pub use bot::SlackBotNotifier;
pub use commands::{KNOWN_COMMANDS, SlashCommands, SlashConfigError, SlashResponse};
pub use notifier::{SlackConfigError, SlackNotifier, SlackNotifierBuilder};
pub use web_api::{BotMessage, Posted, SlackWebApi, Tone, WebApiConfigError, WebApiError};
