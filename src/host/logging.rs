//! Log output for the hosts: `tracing` events as text on stderr, filtered by `RUST_LOG`
//! (`info` by default; e.g. `RUST_LOG=runner_monitor_github=debug,info`).

use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

fn filter() -> Targets {
    std::env::var("RUST_LOG")
        .ok()
        .and_then(|spec| spec.parse::<Targets>().ok())
        .unwrap_or_else(|| Targets::new().with_default(tracing::Level::INFO))
}

/// Installs the subscriber for a daemon or the demo (with timestamps). Does nothing if one is
/// installed already.
pub fn init() {
    let _ = tracing_subscriber::registry()
        .with(tracing_subscriber::fmt::layer().with_writer(std::io::stderr))
        .with(filter())
        .try_init();
}

/// Installs the subscriber for AWS Lambda: no timestamps (CloudWatch adds them), no target noise.
pub fn init_lambda() {
    let _ = tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .without_time()
                .with_target(false)
                .with_writer(std::io::stderr),
        )
        .with(filter())
        .try_init();
}
