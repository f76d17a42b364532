//! AWS Lambda hosts (feature `lambda`): [`MonitorFunction`] for the EventBridge schedule and
//! [`SlackFunction`] for slash commands through API Gateway. `examples/lambda_monitor.rs` and
//! `examples/lambda_slack.rs` wrap them in `lambda_runtime`; `deploy/template.yaml` deploys them.
//!
//! Configuration comes from environment variables (`RUNNER_MONITOR_*`, as for the daemon) over
//! Lambda defaults that read the original monitor's SSM parameters ([`original`]) through the
//! AWS Parameters and Secrets Lambda Extension. Everything is built once per container.

mod config;
mod monitor;
pub mod original;
mod slack;

pub use config::{InitError, load};
pub use monitor::{CycleFailed, MonitorFunction};
pub use slack::{FinishDelayed, FinishDelayedLayer, SlackFunction};
