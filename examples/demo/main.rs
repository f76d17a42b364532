//! The whole system on loopback, no credentials, no network: `cargo run --example demo --features host`.
//!
//! A fake GitHub with a small fleet in two scopes, a local Slack webhook that prints what it
//! receives, and the real daemon machinery (GitHubSource over HTTP, SqliteStore in a temporary
//! directory, SlackNotifier, the HTTP endpoints) play a short story in under a minute: single
//! outages, a grouped one, and a maintenance silence set with `/runner-silence`. Each step
//! checks the exact number of Slack messages; a wrong count exits 1 (`tests/demo.rs`).
//! `--keep-running` leaves the endpoints up afterwards for `curl`.

mod bot_mode;
mod printer;
mod story;
mod world;

use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use runner_monitor::host::daemon::{Daemon, Shutdown, channel};
use runner_monitor::host::logging;

/// Plays runner-monitor's story on loopback.
#[derive(Debug, Parser)]
struct Args {
    /// Keep the endpoints (the status page at /, /api/v1/*, /metrics, /healthz, /slack/commands)
    /// up after the story, until Ctrl-C.
    #[arg(long)]
    keep_running: bool,
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> ExitCode {
    let args = Args::parse();
    logging::init_with_default(tracing::Level::ERROR);
    let started = Instant::now();
    let world = match world::World::start().await {
        Ok(world) => world,
        Err(error) => {
            eprintln!("demo: {error}");
            return ExitCode::FAILURE;
        }
    };
    let daemon = match Daemon::start(world.host.clone()).await {
        Ok(daemon) => daemon,
        Err(error) => {
            eprintln!("demo: {error}");
            return ExitCode::FAILURE;
        }
    };
    let addr = daemon.http_addr();
    let health = daemon.health().clone();
    let (trigger, shutdown) = channel();
    let printer = printer::Printer::new(&world.slack);
    let story = async {
        let mut outcome = story::play(&world, &health, &printer, addr).await;
        printer.flush();
        if outcome.is_ok() {
            outcome = bot_mode::play().await;
        }
        if outcome.is_ok() {
            story::summary(&world, &printer, started.elapsed()).await;
            story::report(&world).await;
            if args.keep_running {
                if let Some(addr) = addr {
                    story::curl_hints(addr, &world.config_file);
                }
                Shutdown::on_signals().wait().await;
            }
        }
        trigger.trigger();
        outcome
    };
    let (stopped, outcome) = tokio::join!(daemon.run(shutdown), story);
    if let Err(error) = stopped {
        eprintln!("demo: {error}");
        return ExitCode::FAILURE;
    }
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("demo: the story went wrong: {error}");
            ExitCode::FAILURE
        }
    }
}
