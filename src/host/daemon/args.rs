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
}
