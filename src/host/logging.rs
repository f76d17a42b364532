//! Log output for the hosts: `tracing` events as text on stderr, filtered by `RUST_LOG`
//! (`info` by default; e.g. `RUST_LOG=runner_monitor_github=debug,info`).
//!
//! Secrets stay out of the logs whatever `RUST_LOG` says:
//! - `log` records (reqwest logs through the `log` crate, with request details) are never
//!   bridged: `tracing-subscriber` is built without its `tracing-log` feature and no `log` logger
//!   is installed, so they go nowhere.
//! - The HTTP stack's own `tracing` events (hyper, hyper-util, h2, rustls, reqwest) are capped at
//!   `warn`, even under `RUST_LOG=trace`: their debug and trace events describe connections and
//!   requests, and a Slack webhook URL or a token in a query string is a credential.

use tracing::Subscriber;
use tracing::metadata::LevelFilter;
use tracing_subscriber::Layer as _;
use tracing_subscriber::filter::{FilterFn, Targets};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// Crates whose events below `warn` are never shown (see the module docs).
pub const HTTP_STACK_TARGETS: &[&str] = &[
    "reqwest",
    "hyper",
    "hyper_util",
    "hyper_rustls",
    "h2",
    "rustls",
    "tokio_rustls",
    "tower",
    "tower_http",
];

/// Whether an event of `target` at `level` may be shown: anything from our crates, the HTTP
/// stack only at `warn` and above.
fn allowed(target: &str, level: tracing::Level) -> bool {
    let crate_name = target.split("::").next().unwrap_or(target);
    level <= tracing::Level::WARN || !HTTP_STACK_TARGETS.contains(&crate_name)
}

fn filter(spec: Option<&str>, default: tracing::Level) -> Targets {
    spec.and_then(|spec| spec.parse::<Targets>().ok())
        .unwrap_or_else(|| Targets::new().with_default(LevelFilter::from_level(default)))
}

/// The subscriber the hosts install: `spec` is a `RUST_LOG` value (`None` or unparsable: every
/// target at `default`), events are written by `writer`, `timestamps` off for Lambda (CloudWatch
/// adds them, and the target is left out there too).
pub fn subscriber<W>(
    spec: Option<&str>,
    default: tracing::Level,
    writer: W,
    timestamps: bool,
) -> impl Subscriber + Send + Sync
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let fmt = tracing_subscriber::fmt::layer().with_writer(writer);
    let fmt = if timestamps {
        fmt.boxed()
    } else {
        fmt.without_time().with_target(false).boxed()
    };
    tracing_subscriber::registry()
        .with(fmt)
        .with(filter(spec, default))
        .with(FilterFn::new(|metadata| {
            allowed(metadata.target(), *metadata.level())
        }))
}

/// Installs [`subscriber`] as the global default, the way every host does; `false` if one was
/// installed already.
pub fn install<W>(spec: Option<&str>, default: tracing::Level, writer: W, timestamps: bool) -> bool
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    subscriber(spec, default, writer, timestamps)
        .try_init()
        .is_ok()
}

/// Installs the subscriber for the daemon (with timestamps), level `info` unless `RUST_LOG` says
/// otherwise. Does nothing if one is installed already.
pub fn init() {
    init_with_default(tracing::Level::INFO);
}

/// [`init`] with another default level (the demo keeps its story readable with `warn`).
pub fn init_with_default(level: tracing::Level) {
    let spec = std::env::var("RUST_LOG").ok();
    install(spec.as_deref(), level, std::io::stderr, true);
}

/// Installs the subscriber for AWS Lambda: no timestamps (CloudWatch adds them), no target noise.
pub fn init_lambda() {
    let spec = std::env::var("RUST_LOG").ok();
    install(
        spec.as_deref(),
        tracing::Level::INFO,
        std::io::stderr,
        false,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_http_stack_is_capped_at_warn() {
        use tracing::Level;
        assert!(!allowed("hyper_util::client::legacy::pool", Level::TRACE));
        assert!(!allowed("reqwest::connect", Level::DEBUG));
        assert!(!allowed("h2", Level::INFO));
        assert!(allowed("h2::proto", Level::WARN));
        assert!(allowed("runner_monitor_slack::notifier", Level::TRACE));
        assert!(allowed("hyperion", Level::TRACE));
    }
}
