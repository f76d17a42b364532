//! # runner-monitor-http
//!
//! The HTTP plumbing every runner-monitor adapter shares, in one place so the rules cannot drift
//! apart between Slack, the webhook, PagerDuty, GitHub and StatelyDB:
//!
//! - [`retry_after`]: ONE `Retry-After` parser (delay-seconds and HTTP-date, measured against a
//!   given `now`, clamped to a caller-given maximum; garbage gives `None`, never a panic).
//! - [`Classifier`]: ONE status classifier (success, rate limited, retryable, redirect,
//!   permanent). A 429 without `Retry-After` still pauses: [`DEFAULT_RATE_LIMIT_PAUSE`].
//! - [`Redactor`]: ONE secret scrubber for text leaving an adapter (URLs with their path segments,
//!   query values and user info; tokens; keys), and [`error_chain`] to describe an error with its
//!   causes on one line.
//! - [`check_url`]: ONE base-URL rule: `https`, or plain `http` for loopback hosts only; errors
//!   never echo the URL (it may carry a token).
//!
//! The crate does no I/O and depends only on `http`, `httpdate`, `url`, `secrecy` and the core
//! crate's error types.

mod chain;
mod classify;
mod redact;
mod retry_after;
mod url_rules;

pub use chain::error_chain;
pub use classify::{Classifier, DEFAULT_RATE_LIMIT_PAUSE, StatusClass};
pub use redact::{REDACTED, Redactor};
pub use retry_after::{DEFAULT_MAX_RETRY_AFTER, parse_retry_after, retry_after};
pub use url_rules::{UrlError, UrlRules, check_url, is_loopback};
