//! Feature `fake`: [`SlackReceiver`], a Slack incoming webhook on loopback for tests and demos,
//! [`FakeSlackApi`], Slack's Web API for a bot (post, update, threads, rate limits, errors),
//! and [`SlowStore`], a store that takes its time (Slack's 3-second rule).

mod receiver;
mod script;
mod slow_store;
mod validate;
mod web_api;

pub use crate::blocks::render_plain;
pub use receiver::{Received, SlackReceiver};
pub use script::Reply;
pub use slow_store::SlowStore;
pub use validate::validate_message;
pub use web_api::{ApiCall, ApiMessage, Content, FAKE_BOT_TOKEN, FAKE_CHANNEL, FakeSlackApi};
