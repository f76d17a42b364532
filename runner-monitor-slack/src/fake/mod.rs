//! Feature `fake`: [`SlackReceiver`], a Slack incoming webhook on loopback for tests and demos.

mod receiver;
mod script;
mod validate;

pub use crate::blocks::render_plain;
pub use receiver::{Received, SlackReceiver};
pub use script::Reply;
pub use validate::validate_message;
