//! A [`StatelyStore`] on a fresh in-process emulator.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use runner_monitor_stately::emulator::{Emulator, EmulatorBuilder, ManualClock};
use runner_monitor_stately::{Credentials, RetryPolicy, StatelyConfig, StatelyStore};

/// The emulator's store settings, fast retries.
pub fn config(emulator: &Emulator) -> StatelyConfig {
    StatelyConfig::new(emulator.store_id())
        .endpoint(emulator.endpoint())
        .schema(emulator.schema_id(), emulator.schema_version())
        .credentials(Credentials::None)
        .retry(RetryPolicy {
            min_delay: Duration::from_millis(2),
            max_delay: Duration::from_millis(20),
            max_attempts: 5,
            max_elapsed: Duration::from_secs(5),
        })
}

/// An emulator built by `builder` and a store on it.
pub async fn start_with(builder: EmulatorBuilder) -> (Emulator, StatelyStore) {
    let emulator = builder.start().await.expect("emulator");
    let store = StatelyStore::new(&config(&emulator)).expect("store");
    (emulator, store)
}

/// The emulator's clock at the fixtures' base time (`testing::at(0)`, 2026-01-01), so TTLs
/// computed from fixture timestamps are judged against fixture time, not the machine's clock.
pub fn fixture_clock() -> ManualClock {
    ManualClock::new(runner_monitor_core::testing::at(0).timestamp_millis())
}

/// An emulator on the fixture clock.
pub fn builder() -> EmulatorBuilder {
    Emulator::builder().clock(Arc::new(fixture_clock()))
}

/// A default emulator (on the fixture clock) and a store on it.
pub async fn start() -> (Emulator, StatelyStore) {
    start_with(builder()).await
}
