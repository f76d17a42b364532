//! Hand-written Block Kit types (the small subset the messages use), Slack's limits and a
//! plain-text rendering for terminals and logs.

mod limits;
mod mrkdwn;
mod plain;
mod types;

pub use limits::{
    MAX_BLOCKS, MAX_CONTEXT_ELEMENTS, MAX_FALLBACK_CHARS, MAX_FIELD_CHARS, MAX_FIELDS,
    MAX_HEADER_CHARS, MAX_SECTION_CHARS, and_more, enforce_limits, pack_lines, truncate_chars,
};
pub use mrkdwn::{date, escape, field, mention};
pub use plain::render_plain;
pub use types::{Block, Message, ResponseType, Text};
