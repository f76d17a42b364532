//! [`Daemon`]: the long-running host. Cycles on a schedule, serves the endpoints, stops
//! gracefully.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use metrics_exporter_prometheus::PrometheusHandle;
use runner_monitor_core::CycleReport;
use tokio::net::TcpListener;
use tracing::{info, warn};

use super::schedule::Schedule;
use super::shutdown::Shutdown;
use crate::host::build::Host;
use crate::host::health::Health;
use crate::host::http::{self, HttpState};
use crate::host::status::{self, StatusPage};

/// Why the daemon could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DaemonError {
    /// The HTTP listener could not be bound.
    #[error("http.listen: cannot listen on {addr}: {source}")]
    Listen {
        /// The configured address.
        addr: String,
        /// Why.
        source: std::io::Error,
    },
    /// The HTTP server failed.
    #[error("HTTP server: {0}")]
    Serve(std::io::Error),
}

/// A running host: a [`Host`], its health, its metrics and (when enabled) a bound listener.
#[derive(Debug)]
pub struct Daemon {
    host: Host,
    health: Health,
    metrics: PrometheusHandle,
    listener: Option<TcpListener>,
}

impl Daemon {
    /// Installs the metrics recorder and binds the HTTP listener (when `[http]` is enabled). No
    /// cycle runs yet.
    ///
    /// # Errors
    /// [`DaemonError::Listen`] if the address cannot be bound.
    pub async fn start(host: Host) -> Result<Daemon, DaemonError> {
        let interval = host.config.daemon.interval;
        let metrics = crate::host::metrics::install(gauge_idle_timeout(interval));
        let health = Health::new(host.config.daemon.stale_after());
        let listener = if host.config.http.enabled {
            let addr = host.config.http.listen.trim().to_owned();
            let listener = TcpListener::bind(&addr)
                .await
                .map_err(|source| DaemonError::Listen { addr, source })?;
            Some(listener)
        } else {
            None
        };
        Ok(Daemon {
            host,
            health,
            metrics,
            listener,
        })
    }

    /// The address the endpoints are served on (with the actual port when `:0` was configured).
    pub fn http_addr(&self) -> Option<SocketAddr> {
        self.listener.as_ref().and_then(|l| l.local_addr().ok())
    }

    /// The host.
    pub fn host(&self) -> &Host {
        &self.host
    }

    /// The health state `/healthz` reports.
    pub fn health(&self) -> &Health {
        &self.health
    }

    /// Runs one cycle now, recording health, metrics and a log line.
    pub async fn run_cycle(&self) -> CycleReport {
        run_cycle(&self.host, &self.health).await
    }

    /// Serves the endpoints and runs cycles (the first at once) until `shutdown`; a cycle in
    /// progress, with its deliveries, is finished first, and what `group_wait` still holds back
    /// is sent ([`Monitor::flush`](runner_monitor_core::Monitor::flush)). The endpoints stay up
    /// until then.
    ///
    /// Await it (e.g. in `block_on` or `tokio::join!`) rather than `tokio::spawn` it: cycles are
    /// not `Send` futures.
    ///
    /// # Errors
    /// [`DaemonError::Serve`] if the HTTP server fails.
    pub async fn run(self, shutdown: Shutdown) -> Result<(), DaemonError> {
        let (stop_http, http_stopped) = tokio::sync::oneshot::channel::<()>();
        let server = self.listener.map(|listener| {
            let state = HttpState {
                health: self.health.clone(),
                metrics: Some(self.metrics.clone()),
                slash: self.host.slash.clone(),
            };
            let mut router = http::router(state);
            if self.host.config.status_page.enabled {
                router = router.merge(status::router(StatusPage::for_host(&self.host)));
            }
            if let Ok(addr) = listener.local_addr() {
                info!(%addr, "serving /healthz, /metrics, /slack/commands and the status page");
            }
            tokio::spawn(http::serve(listener, router, async move {
                let _ = http_stopped.await;
            }))
        });

        let daemon = &self.host.config.daemon;
        let mut schedule = Schedule::new(daemon.interval, daemon.jitter());
        loop {
            let started = Instant::now();
            run_cycle(&self.host, &self.health).await;
            if shutdown.is_triggered() {
                break;
            }
            let delay = schedule.delay_after(started.elapsed());
            tokio::select! {
                () = tokio::time::sleep(delay) => {}
                () = shutdown.wait() => break,
            }
        }
        flush_held(&self.host).await;
        info!("stopping: no cycle in progress");
        let _ = stop_http.send(());
        if let Some(server) = server {
            match server.await {
                Ok(result) => result.map_err(DaemonError::Serve)?,
                Err(error) => warn!(%error, "HTTP server task failed"),
            }
        }
        Ok(())
    }
}

/// Sends what `group_wait` still holds back, so the last cycle's alerts do not wait for the next
/// start (bounded by the dispatch budget; whatever is left stays in the outbox, not lost).
async fn flush_held(host: &Host) {
    if host.config.policy.group_wait.is_zero() {
        return;
    }
    let report = host.monitor.flush(chrono::Utc::now()).await;
    if report.claimed > 0 {
        info!(
            sent = report.sent,
            messages = report.messages,
            deferred = report.deferred,
            "sent the deliveries group_wait held back before stopping"
        );
    }
}

/// Per-runner gauges of forgotten runners disappear after this long without an update.
fn gauge_idle_timeout(interval: Duration) -> Duration {
    interval.saturating_mul(10).max(Duration::from_secs(600))
}

/// One cycle with health, metrics and a summary log line.
///
/// The future is not `Send` (the core's `Monitor::run_cycle` future is not provably `Send`), so
/// the loop runs on the task that awaits [`Daemon::run`], not on a spawned one.
pub(crate) async fn run_cycle(host: &Host, health: &Health) -> CycleReport {
    health.cycle_started();
    let started = Instant::now();
    let report = host.monitor.run_cycle(chrono::Utc::now()).await;
    let elapsed = started.elapsed();
    let failed = report.failed_entirely()
        || report.scopes.iter().any(|s| s.store_error.is_some())
        || report.deliveries.store_error.is_some();
    crate::host::metrics::record_cycle(elapsed, failed, chrono::Utc::now().timestamp());
    health.cycle_finished(&report);
    let runners: usize = report.scopes.iter().map(|s| s.runners_seen).sum();
    let opened: usize = report.scopes.iter().map(|s| s.outages_opened).sum();
    let resolved: usize = report.scopes.iter().map(|s| s.outages_resolved).sum();
    let errors = report.scopes.iter().filter(|s| s.has_error()).count();
    info!(
        scopes = report.scopes.len(),
        runners,
        opened,
        resolved,
        open_outages = report.open_outages(),
        sent = report.deliveries.sent,
        retried = report.deliveries.retried,
        failed = report.deliveries.failed,
        deferred = report.deliveries.deferred,
        lease_lost = report.deliveries.lease_lost,
        budget_exhausted = report.deliveries.budget_exhausted,
        held = report.scopes.iter().filter(|s| s.held.is_some()).count(),
        scope_errors = errors,
        millis = elapsed.as_millis() as u64,
        "cycle done"
    );
    report
}
