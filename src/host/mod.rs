//! Host support shared by the daemon (`examples/daemon.rs`), the Lambda handlers
//! (`examples/lambda_*.rs`) and the demo: configuration, secrets, wiring a [`Monitor`] with its
//! store and sinks from configuration, the HTTP endpoints, Prometheus metrics and the daemon loop.
//!
//! [`Monitor`]: runner_monitor_core::Monitor

pub mod build;
pub mod config;
pub mod daemon;
pub mod health;
pub mod http;
#[cfg(feature = "lambda")]
pub mod lambda;
pub mod logging;
pub mod metrics;
pub mod secrets;
pub mod status;
