//! Feature `fake`: [`SlackReceiver`], a Slack incoming webhook on loopback for tests and demos,
//! and [`SlowStore`], a store that takes its time (Slack's 3-second rule).

mod receiver;
mod script;
mod slow_store;
mod validate;

pub use crate::blocks::render_plain;
pub use receiver::{Received, SlackReceiver};
pub use script::Reply;
pub use slow_store::SlowStore;
pub use validate::validate_message;
