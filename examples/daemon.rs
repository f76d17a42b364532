//! The runner-monitor daemon: `cargo run --example daemon --features host -- --config monitor.toml`.
//!
//! `--once` runs one cycle (exit 0 healthy, 1 outage open, 2 error), `--check-config` prints the
//! effective configuration. See the README ("Hosts") for the configuration reference.

use std::process::ExitCode;

use clap::Parser;
use runner_monitor::host::daemon::{self, Args, EXIT_ERROR, Shutdown};
use runner_monitor::host::logging;

fn main() -> ExitCode {
    let args = Args::parse();
    logging::init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("runner-monitor: cannot start the async runtime: {error}");
            return ExitCode::from(EXIT_ERROR);
        }
    };
    let code = runtime.block_on(async {
        let shutdown = Shutdown::on_signals();
        daemon::run(&args, shutdown).await
    });
    ExitCode::from(code)
}
