//! # runner-monitor-webhook
//!
//! Two [`Notifier`](runner_monitor_core::Notifier)s for runner-monitor:
//!
//! - [`WebhookNotifier`] POSTs a documented, versioned JSON document ([`WebhookDocument`]) per
//!   notification to any URL, with an `Idempotency-Key` header and, when a signing secret is
//!   configured, an HMAC-SHA256 signature that receivers check with [`verify_signature`]. A
//!   grouped message is one [`WebhookGroupDocument`] listing every member's document.
//! - [`PagerDutyNotifier`] sends PagerDuty Events API v2 events: a trigger when an outage opens or
//!   monitoring degrades, a resolve (same deterministic [`dedup_key`]) when it ends. Reminders are
//!   not sent.
//!
//! Both classify failures with `runner-monitor-http`'s one table: 2xx is success; 408, 5xx,
//! timeouts and connection errors are transient (with `Retry-After` when given); 429 is transient
//! with its `Retry-After` or a 60 s pause; other 4xx and 3xx are permanent. Plain `http://` URLs
//! are refused except for loopback hosts. URLs, signing
//! secrets, extra header values and routing keys are [`secrecy::SecretString`]s and never appear
//! in `Debug` output, logs or errors.
//!
//! See the crate's README for the JSON document, the signature scheme and configuration.

mod client;
mod config_error;
mod document;
mod group;
mod http_errors;
mod message;
mod pagerduty;
mod signature;
mod webhook;

pub use config_error::ConfigError;
pub use document::{
    DOCUMENT_VERSION, FailureInfo, IncidentState, MonitoringInfo, OutageInfo, PoolInfo, RunnerInfo,
    WebhookDocument,
};
pub use group::WebhookGroupDocument;
pub use pagerduty::{PagerDutyNotifier, Severity, SeverityParseError, dedup_key};
pub use signature::{
    DEFAULT_TOLERANCE, SIGNATURE_HEADER, SignatureError, TIMESTAMP_HEADER, sign, verify_signature,
};
pub use webhook::{EVENT_HEADER, IDEMPOTENCY_HEADER, WebhookNotifier};

/// Re-exported so configuring a notifier or verifying a signature needs no extra dependency.
pub use secrecy::SecretString;
