//! PagerDuty Events API v2: [`PagerDutyNotifier`], its [`Severity`] setting and [`dedup_key`].

mod dedup;
mod event;
mod group;
mod notifier;
mod response;
mod severity;

pub use dedup::dedup_key;
pub use notifier::PagerDutyNotifier;
pub use severity::{Severity, SeverityParseError};
