//! [`MonitorFunction`]: the EventBridge-scheduled Lambda. One cycle per invocation; the answer is
//! the [`CycleReport`]; an invocation fails (so EventBridge retries) when the cycle could not do
//! its job.

use aws_lambda_events::eventbridge::EventBridgeEvent;
use runner_monitor_core::CycleReport;
use serde_json::Value;

use super::config::{InitError, load};
use crate::host::build::Host;
use crate::host::config::Config;
use crate::host::secrets::SecretResolver;

/// The cycle could not do its job: every scope failed, or the store failed.
#[derive(Debug, Clone, thiserror::Error)]
#[error("the cycle could not run: {reason}")]
pub struct CycleFailed {
    /// What failed.
    pub reason: String,
    /// The report, for the logs.
    pub report: CycleReport,
}

/// The scheduled function: a [`Host`] built once per container.
#[derive(Debug, Clone)]
pub struct MonitorFunction {
    host: Host,
}

impl MonitorFunction {
    /// Builds the function from the process environment (and SSM through the extension).
    ///
    /// # Errors
    /// An [`InitError`]: invalid configuration, unreadable secret, store unreachable.
    pub async fn from_env() -> Result<Self, InitError> {
        let secrets = SecretResolver::from_process()?;
        let config = load(std::env::vars().collect(), &secrets).await?;
        MonitorFunction::new(config, &secrets).await
    }

    /// Builds the function from a configuration (`[slash_commands]` is ignored here).
    ///
    /// # Errors
    /// An [`InitError::Build`].
    pub async fn new(mut config: Config, secrets: &SecretResolver) -> Result<Self, InitError> {
        config.slash_commands = None;
        let host = Host::build(config, secrets).await?;
        Ok(MonitorFunction { host })
    }

    /// The host.
    pub fn host(&self) -> &Host {
        &self.host
    }

    /// Runs one cycle for a scheduled event.
    ///
    /// # Errors
    /// [`CycleFailed`] when every scope failed or the store failed (the work was not recorded).
    pub async fn handle(&self, event: EventBridgeEvent<Value>) -> Result<CycleReport, CycleFailed> {
        tracing::info!(source = %event.source, detail_type = %event.detail_type, "scheduled cycle");
        let report = self.host.monitor.run_cycle(chrono::Utc::now()).await;
        if let Some(reason) = failure(&report) {
            tracing::error!(%reason, "cycle failed");
            return Err(CycleFailed { reason, report });
        }
        tracing::info!(
            scopes = report.scopes.len(),
            open_outages = report.open_outages(),
            sent = report.deliveries.sent,
            "cycle done"
        );
        Ok(report)
    }
}

fn failure(report: &CycleReport) -> Option<String> {
    if let Some(scope) = report.scopes.iter().find(|s| s.store_error.is_some()) {
        return scope
            .store_error
            .as_ref()
            .map(|e| format!("store failed for {}: {e}", scope.scope));
    }
    if let Some(error) = &report.deliveries.store_error {
        return Some(format!("store failed reading the outbox: {error}"));
    }
    if report.failed_entirely() {
        let first = report
            .scopes
            .iter()
            .find_map(|s| s.source_error.as_ref().map(|e| format!("{}: {e}", s.scope)))
            .unwrap_or_default();
        return Some(format!(
            "all {} scopes failed to be observed ({first})",
            report.scopes.len()
        ));
    }
    None
}
