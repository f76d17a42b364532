//! Test kit (feature `testing`): the Store conformance suite every backend runs, and fakes for the
//! other ports.
//!
//! ```ignore
//! #[tokio::test]
//! async fn conformance() {
//!     let store = MyStore::new();
//!     runner_monitor_core::testing::store::run_all(&store).await;
//! }
//! ```

mod counting_store;
mod fixtures;
pub mod outbox;
pub mod receipts;
mod recording_notifier;
mod round_robin;
mod scripted_source;
pub mod silences;
pub mod store;
pub mod store_flap;
pub mod store_gaps;
pub mod store_pools;

pub use counting_store::{CountingStore, StoreCounts};
pub use fixtures::{at, delivery_notification, observed, outage, runner_record};
pub use recording_notifier::RecordingNotifier;
pub use round_robin::RoundRobinStore;
pub use scripted_source::ScriptedSource;
