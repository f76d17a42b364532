//! Replays a JSONL trace of runner listings through the real `Monitor` (with a `MemoryStore`) and
//! prints every message as a sink would receive it, one JSON line each: `kind`, `scope`, `at`,
//! `key`, and `runner` + `outage_id` for one runner, `runners` (each `{"scope", "runner",
//! "outage_id"}`) for a message about several runners, or `scopes` for one cause across scopes
//! (see `runner_monitor::replay::message_json`). Grouping follows `--group-wait` (default 30s;
//! `0s` prints every notification on its own line).
//!
//! ```text
//! cargo run --example replay -- examples/traces/sample.jsonl
//! cargo run --example replay -- --open-after 5m --remind-every 1h trace.jsonl
//! cargo run --example replay -- --policy policy.toml - < trace.jsonl
//! cargo run --example replay -- --suspect-accept-after 2h examples/traces/suspect_listing.jsonl
//! cargo run --example replay -- examples/traces/host_down.jsonl
//! cargo run --example replay -- examples/traces/expired_credential.jsonl
//! cargo run --example replay -- --policy examples/traces/flapping.toml examples/traces/flapping.jsonl
//! cargo run --example replay -- --flap-count 0 examples/traces/flapping.jsonl   # rule off
//! ```
//! The trace format is documented in `runner_monitor::replay`. Exit code 2 on a malformed trace,
//! naming the line.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use runner_monitor::core::{Policy, RemovedRunners};
use runner_monitor::replay::{JsonLines, ReplayError, parse_trace, replay};

/// Replay a runner-listing trace and print the notifications it causes.
#[derive(Debug, Parser)]
#[command(name = "replay", version)]
struct Args {
    /// The JSONL trace (`-` for standard input).
    trace: PathBuf,
    /// Policy from a TOML file (the flags below override it).
    #[arg(long)]
    policy: Option<PathBuf>,
    /// Unhealthy this long before an outage opens (e.g. `2m`).
    #[arg(long, value_parser = humantime::parse_duration)]
    open_after: Option<Duration>,
    /// The same for runners never healthy since registration.
    #[arg(long, value_parser = humantime::parse_duration)]
    new_runner_grace: Option<Duration>,
    /// Healthy this long before an outage resolves.
    #[arg(long, value_parser = humantime::parse_duration)]
    resolve_after: Option<Duration>,
    /// Absent this long before a runner is forgotten.
    #[arg(long, value_parser = humantime::parse_duration)]
    forget_after: Option<Duration>,
    /// Remind about open outages this often.
    #[arg(long, value_parser = humantime::parse_duration)]
    remind_every: Option<Duration>,
    /// Failing observations this long before "monitoring degraded".
    #[arg(long, value_parser = humantime::parse_duration)]
    source_alert_after: Option<Duration>,
    /// Suspect-listing rule: applies to scopes with at least this many known runners.
    #[arg(long)]
    suspect_min_known: Option<usize>,
    /// Suspect-listing rule: a listing missing more than this percentage of them (100 = off).
    #[arg(long)]
    suspect_percent: Option<u8>,
    /// Suspect-listing rule: a drop that lasts this long is accepted as a removal.
    #[arg(long, value_parser = humantime::parse_duration)]
    suspect_accept_after: Option<Duration>,
    /// An observation this far past what a scope recorded waits for a second one.
    #[arg(long, value_parser = humantime::parse_duration)]
    clock_jump: Option<Duration>,
    /// Hold notifications this long so those of one kind and scope (or cause) form one
    /// message (`0s`: every notification alone).
    #[arg(long, value_parser = humantime::parse_duration)]
    group_wait: Option<Duration>,
    /// What a runner missing from complete listings means: `notice` (deregistered: one
    /// `runners_removed`) or `outage` (unhealthy, the behaviour before 0.2).
    #[arg(long, value_parser = parse_removed_runners)]
    removed_runners: Option<RemovedRunners>,
    /// Flapping rule: this many outages within --flap-window make a runner flap (0 = off).
    #[arg(long)]
    flap_count: Option<u32>,
    /// Flapping rule: the window those outages must open within.
    #[arg(long, value_parser = humantime::parse_duration)]
    flap_window: Option<Duration>,
    /// Flapping rule: a flapping runner with unchanged health this long has settled.
    #[arg(long, value_parser = humantime::parse_duration)]
    flap_settle: Option<Duration>,
}

fn parse_removed_runners(text: &str) -> Result<RemovedRunners, String> {
    match text {
        "notice" => Ok(RemovedRunners::Notice),
        "outage" => Ok(RemovedRunners::Outage),
        other => Err(format!("`{other}`: expected `notice` or `outage`")),
    }
}

fn policy(args: &Args) -> Result<Policy, ReplayError> {
    let config = |e: String| ReplayError::Config(e);
    let mut policy = match &args.policy {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| config(format!("{}: {e}", path.display())))?;
            toml::from_str(&text).map_err(|e| config(format!("{}: {e}", path.display())))?
        }
        None => Policy::default(),
    };
    let overrides = [
        (args.open_after, &mut policy.open_after),
        (args.new_runner_grace, &mut policy.new_runner_grace),
        (args.resolve_after, &mut policy.resolve_after),
        (args.forget_after, &mut policy.forget_after),
        (args.source_alert_after, &mut policy.source_alert_after),
        (
            args.suspect_accept_after,
            &mut policy.suspect_drop.accept_after,
        ),
        (args.clock_jump, &mut policy.clock_jump),
        (args.group_wait, &mut policy.group_wait),
        (args.flap_window, &mut policy.flap_window),
        (args.flap_settle, &mut policy.flap_settle),
    ];
    for (value, field) in overrides {
        if let Some(value) = value {
            *field = value;
        }
    }
    if let Some(min_known) = args.suspect_min_known {
        policy.suspect_drop.min_known = min_known;
    }
    if let Some(count) = args.flap_count {
        policy.flap_count = count;
    }
    if let Some(percent) = args.suspect_percent {
        policy.suspect_drop.percent = percent;
    }
    if args.remind_every.is_some() {
        policy.remind_every = args.remind_every;
    }
    if let Some(removed_runners) = args.removed_runners {
        policy.removed_runners = removed_runners;
    }
    policy.validate().map_err(|e| config(e.to_string()))?;
    Ok(policy)
}

async fn run(args: Args) -> Result<(), ReplayError> {
    let policy = policy(&args)?;
    let lines = if args.trace.as_os_str() == "-" {
        parse_trace(std::io::stdin().lock())?
    } else {
        let file = std::fs::File::open(&args.trace)
            .map_err(|e| ReplayError::Config(format!("{}: {e}", args.trace.display())))?;
        parse_trace(std::io::BufReader::new(file))?
    };
    replay(lines, policy, Arc::new(JsonLines::printing())).await?;
    Ok(())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::process::ExitCode {
    match run(Args::parse()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("replay: {error}");
            std::process::ExitCode::from(2)
        }
    }
}
