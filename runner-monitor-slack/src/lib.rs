//! # runner-monitor-slack
//!
//! Slack for runner-monitor:
//! - [`SlackNotifier`]: a [`Notifier`](runner_monitor_core::Notifier) posting one Block Kit
//!   message per notification to an incoming webhook, within Slack's limits, with the retry
//!   classification Slack's answers call for, and a webhook URL that never leaks.
//! - [`SlashCommands`]: a transport-agnostic, signature-verifying handler for `/runner-status`,
//!   `/runner-history` and `/runner-help`, for a daemon route or a Lambda to wrap.
//! - [`messages::render`]: the Block Kit message of each notification kind.
//! - [`blocks`]: the Block Kit types, Slack's limits and a plain-text rendering.
//! - `fake::SlackReceiver` (feature `fake`): a loopback webhook receiver for tests and demos.

pub mod blocks;
pub mod commands;
pub mod messages;
pub mod notifier;
pub mod signature;

#[cfg(feature = "fake")]
pub mod fake;

pub use commands::{SlashCommands, SlashConfigError, SlashResponse};
pub use notifier::{SlackConfigError, SlackNotifier, SlackNotifierBuilder};
