//! The daemon's command line.

use std::path::PathBuf;

/// `runner-monitor` daemon: watches GitHub Actions self-hosted runners and reports outages.
#[derive(Debug, Clone, Default, clap::Parser)]
#[command(name = "runner-monitor", version, about, long_about = None)]
pub struct Args {
    /// Configuration file (TOML). Without it, configuration comes from `RUNNER_MONITOR_*`
    /// environment variables alone.
    #[arg(long, short, env = "RUNNER_MONITOR_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Run one cycle and exit: 0 when every runner is healthy, 1 when an outage is open, 2 on
    /// error (for cron or Nagios).
    #[arg(long, conflicts_with = "check_config")]
    pub once: bool,
    /// Validate the configuration and that every secret can be read, print the effective
    /// configuration (secrets are references, never values) and exit: 0 valid, 2 not.
    #[arg(long)]
    pub check_config: bool,
    /// Print uptime per runner, label group and scope, outage counts and mean time to recovery
    /// from the store, and exit (0, or 2 when the store cannot be opened). Needs no GitHub access.
    #[arg(long, conflicts_with_all = ["once", "check_config"])]
    pub report: bool,
    /// How far back `--report` looks, e.g. `30d`, `7d`, `24h` (at most 400d; uptime before
    /// `policy.history_ttl` is not known).
    #[arg(long, default_value = "30d", value_parser = parse_since, requires = "report")]
    pub since: Option<std::time::Duration>,
    /// `--report` as `markdown` tables or `csv`.
    #[arg(long, value_enum, default_value_t, requires = "report")]
    pub format: crate::host::status::report::ReportFormat,
}

fn parse_since(text: &str) -> Result<std::time::Duration, String> {
    crate::host::status::api::parse_since(text)
}
