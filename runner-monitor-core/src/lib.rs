//! # runner-monitor-core
//!
//! The heart of runner-monitor: the domain model, the ports ([`Store`], [`RunnerSource`],
//! [`Notifier`]), the pure [`engine`] and the [`Monitor`] that runs cycles.
//!
//! Data flow of one cycle, per scope: `RunnerSource::observe` -> `Store::load` ->
//! [`engine::reconcile`] -> `Store::commit` (changes and outbox atomically), then the dispatcher
//! sends pending deliveries to the notifiers. The engine is a pure function of
//! `(state, observation, policy, now)`; all I/O lives in adapters and the orchestrator.

pub mod engine;
pub mod model;
pub mod monitor;
pub mod ports;
#[cfg(feature = "testing")]
pub mod testing;
pub mod uptime;

pub use engine::{Plan, reconcile};
pub use model::*;
pub use monitor::{CycleReport, DispatchReport, Monitor, MonitorBuilder, PoolReport, ScopeReport};
pub use ports::*;
