//! # runner-monitor-stately
//!
//! [`StatelyStore`]: runner-monitor's [`Store`](runner_monitor_core::Store) on StatelyDB, spoken
//! directly over the Connect protocol (binary protobuf over HTTP/2), reading and writing the same
//! items as the original TypeScript monitor. Also a [`StatelyClient`] for the raw data API and,
//! with feature `emulator`, an in-process StatelyDB look-alike for tests.

mod auth;
pub mod client;
pub mod config;
pub mod connect;
pub mod error;
pub mod items;
pub mod keys;
pub mod layout;
pub mod proto;
mod store;

pub use client::{ClientStats, ListOptions, ListPage, StatelyClient, Transaction};
pub use config::{
    Credentials, DEFAULT_ENDPOINT, ORIGINAL_SCHEMA_ID, RetryPolicy, SCHEMA_VERSION, StatelyConfig,
    endpoint_for_region,
};
pub use error::ClientError;
pub use layout::{GroupMap, Layout};
pub use store::StatelyStore;

/// The StatelyDB emulator (crate `runner-monitor-stately-emulator`), re-exported with feature
/// `emulator` so tests and benches reach it next to the store.
#[cfg(feature = "emulator")]
pub use runner_monitor_stately_emulator as emulator;
