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
//! | `github` | [`github`] | `GitHubSource` over the GitHub REST API |
//! | `slack` | [`slack`] | `SlackNotifier`, slash commands |
//! | `webhook` | [`webhook`] | JSON webhook and PagerDuty notifiers |
//! | `sqlite` | [`sqlite`] | `SqliteStore` |
//! | `stately` | [`stately`] | StatelyDB store |
//! | `host` | [`host`] | configuration, wiring, HTTP endpoints, metrics, daemon loop |
//! | `lambda` | `host::lambda` | the EventBridge and API Gateway handlers |
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

#[cfg(feature = "github")]
pub use runner_monitor_github as github;
#[cfg(feature = "slack")]
pub use runner_monitor_slack as slack;
#[cfg(feature = "sqlite")]
pub use runner_monitor_sqlite as sqlite;
#[cfg(feature = "stately")]
pub use runner_monitor_stately as stately;
#[cfg(feature = "webhook")]
pub use runner_monitor_webhook as webhook;

#[cfg(feature = "host")]
pub mod host;
