//! Prometheus export of the `metrics` facade: the recorder (installed once per process), the
//! host's own metrics, and the list of every metric runner-monitor emits.

use std::sync::OnceLock;
use std::time::Duration;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use metrics_util::MetricKindMask;
use runner_monitor_core::monitor::metrics as core;

/// Histogram: wall time of one cycle (every scope, then the dispatch), in seconds.
pub const CYCLE_DURATION: &str = "runner_monitor_cycle_duration_seconds";
/// Counter: cycles that could not do their job (every scope failed, or the store failed).
pub const CYCLES_FAILED: &str = "runner_monitor_cycles_failed_total";
/// Gauge: Unix time of the last completed cycle.
pub const LAST_CYCLE: &str = "runner_monitor_last_cycle_timestamp_seconds";

/// Every metric, its type and what it means (the README's metrics list is generated from the same
/// table by hand; a test checks the names appear in `/metrics`).
pub const METRICS: &[(&str, &str, &str)] = &[
    (
        core::RUNNERS,
        "gauge",
        "runners by status; labels scope, status",
    ),
    (
        core::RUNNER_UP,
        "gauge",
        "1 while the runner is online (idle or busy), 0 while offline or absent; labels scope, runner",
    ),
    (
        core::RUNNER_BUSY,
        "gauge",
        "1 while the runner runs a job; labels scope, runner",
    ),
    (core::OPEN_OUTAGES, "gauge", "open outages; label scope"),
    (
        core::OUTAGES_OPENED,
        "counter",
        "outages opened; label scope",
    ),
    (
        core::OUTAGES_RESOLVED,
        "counter",
        "outages resolved; label scope",
    ),
    (
        core::SOURCE_ERRORS,
        "counter",
        "failed observations; labels scope, class (unauthorized, forbidden, not_found, rate_limited, unavailable, invalid_response, incomplete, suspect_listing)",
    ),
    (
        core::OBSERVATIONS_HELD,
        "counter",
        "observations a time guard held back (nothing changed); labels scope, reason (stale, clock_jump)",
    ),
    (
        core::DELIVERIES,
        "counter",
        "delivery attempts; labels sink, outcome (sent, retried, failed)",
    ),
    (
        core::DELIVERIES_PENDING,
        "gauge",
        "deliveries waiting after the last dispatch (deferred or scheduled for retry)",
    ),
    (
        core::DELIVERIES_DEFERRED,
        "gauge",
        "deliveries left without an attempt in the last dispatch",
    ),
    (core::CYCLES, "counter", "cycles run"),
    (
        CYCLES_FAILED,
        "counter",
        "cycles that could not do their job (every scope failed, or the store failed)",
    ),
    (
        CYCLE_DURATION,
        "histogram",
        "wall time of one cycle in seconds",
    ),
    (LAST_CYCLE, "gauge", "Unix time of the last completed cycle"),
    (
        "runner_monitor_github_rate_limit_remaining",
        "gauge",
        "GitHub API requests left in the current window",
    ),
    (
        "runner_monitor_github_rate_limit_reset_seconds",
        "gauge",
        "Unix time at which the GitHub rate-limit window resets",
    ),
    (
        "runner_monitor_github_rate_limit_limit",
        "gauge",
        "GitHub API requests allowed per window",
    ),
    (
        "runner_monitor_github_requests_total",
        "counter",
        "GitHub API answers; label status (200, 304, 403, 500, ...)",
    ),
];

const CYCLE_BUCKETS: &[f64] = &[
    0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0,
];

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Installs the Prometheus recorder as the process's global `metrics` recorder (once; later calls
/// return the same handle). Gauges not updated for `gauge_idle_timeout` disappear from the output,
/// so forgotten runners' per-runner series go away.
pub fn install(gauge_idle_timeout: Duration) -> PrometheusHandle {
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new()
                .idle_timeout(MetricKindMask::GAUGE, Some(gauge_idle_timeout));
            let builder = match builder.set_buckets_for_metric(Matcher::Full(CYCLE_DURATION.to_owned()), CYCLE_BUCKETS) {
                Ok(builder) => builder,
                Err(error) => {
                    tracing::warn!(%error, "cycle duration buckets refused; using summaries");
                    PrometheusBuilder::new()
                }
            };
            let recorder = builder.build_recorder();
            let handle = recorder.handle();
            if let Err(error) = metrics::set_global_recorder(recorder) {
                tracing::warn!(%error, "another metrics recorder is installed; /metrics stays empty");
            }
            describe();
            handle
        })
        .clone()
}

/// The installed handle, if [`install`] was called.
pub fn handle() -> Option<PrometheusHandle> {
    HANDLE.get().cloned()
}

/// The Prometheus text of every metric (runs the recorder's upkeep first).
pub fn render(handle: &PrometheusHandle) -> String {
    handle.run_upkeep();
    handle.render()
}

fn describe() {
    for (name, kind, help) in METRICS {
        match *kind {
            "counter" => metrics::describe_counter!(*name, *help),
            "histogram" => metrics::describe_histogram!(*name, metrics::Unit::Seconds, *help),
            _ => metrics::describe_gauge!(*name, *help),
        }
    }
}

/// Records one completed cycle: its duration, whether it failed, when it ended.
pub fn record_cycle(duration: Duration, failed: bool, finished_at_unix: i64) {
    metrics::histogram!(CYCLE_DURATION).record(duration.as_secs_f64());
    if failed {
        metrics::counter!(CYCLES_FAILED).increment(1);
    }
    #[allow(clippy::cast_precision_loss)] // seconds since 1970 fit in f64 exactly
    metrics::gauge!(LAST_CYCLE).set(finished_at_unix as f64);
}
