//! The ports: what the core needs from the outside world. One small trait each, contracts in the
//! doc comments, implementations in their own crates.

mod notifier;
mod source;
mod store;

pub use notifier::{MemberOutcome, Notifier, NotifyError, Sent};
pub use source::{RunnerSource, SourceError};
pub use store::{Receipt, Store, StoreError, overlaps};

#[cfg(feature = "mock")]
pub use notifier::MockNotifier;
#[cfg(feature = "mock")]
pub use source::MockRunnerSource;
#[cfg(feature = "mock")]
pub use store::MockStore;
