//! Log output for the hosts: `tracing` events as text on stderr, filtered by `RUST_LOG`
//! (`info` by default; e.g. `RUST_LOG=runner_monitor_github=debug,info`).

use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

fn filter(default: tracing::Level) -> Targets {
    std::env::var("RUST_LOG")
        .ok()
        .and_then(|spec| spec.parse::<Targets>().ok())
        .unwrap_or_else(|| Targets::new().with_default(default))
}

/// Installs the subscriber for the daemon (with timestamps), level `info` unless `RUST_LOG` says
/// otherwise. Does nothing if one is installed already.
pub fn init() {
    init_with_default(tracing::Level::INFO);
}

/// [`init`] with another default level (the demo keeps its story readable with `warn`).
pub fn init_with_default(level: tracing::Level) {
    let _ = tracing_subscriber::registry()
        .with(tracing_subscriber::fmt::layer().with_writer(std::io::stderr))
        .with(filter(level))
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
        .with(filter(tracing::Level::INFO))
        .try_init();
}
