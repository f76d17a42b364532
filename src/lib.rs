//! # runner-monitor
//!
//! Watches GitHub Actions self-hosted runners and reports outages: every real outage reported
//! once, no false alarms, nothing lost when GitHub, the notifier or the database misbehaves.
//!
//! This facade re-exports the workspace crates behind features:
//!
//! | feature | crate | what |
//! |---|---|---|
//! | (always) | [`core`] | model, ports, pure engine, [`Monitor`] |
//! | `memory` (default) | [`memory`] | in-process `Store` |
//! | `testing` | `core::testing` | Store conformance suite and fakes |
//! | `mock` | `core::{MockStore, ...}` | mockall mocks of the ports |
//!
//! See the README for the crate map, the policy reference and how to run the replay and tests.

pub use runner_monitor_core as core;
pub use runner_monitor_core::{
    Monitor, MonitorBuilder, Notification, NotificationKind, Notifier, Policy, RunnerSource, Scope,
    Store, reconcile,
};

#[cfg(feature = "memory")]
pub use runner_monitor_memory as memory;

#[cfg(feature = "memory")]
pub mod replay;
