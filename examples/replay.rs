//! Replays a JSONL trace of runner listings through the real `Monitor` (with a `MemoryStore`) and
//! prints every notification as one JSON line: `kind`, `scope`, `runner`, `outage_id`, `at`, `key`,
//! and for `runners_removed` the `runners` it covers; a pool's messages (`pool_below_floor`,
//! `pool_restored`) have `scope` = `pool:NAME` and a `pool` object with the count.
//!
//! ```text
//! cargo run --example replay -- examples/traces/sample.jsonl
//! cargo run --example replay -- --open-after 5m --remind-every 1h trace.jsonl
//! cargo run --example replay -- --policy policy.toml - < trace.jsonl
//! cargo run --example replay -- --suspect-accept-after 2h examples/traces/suspect_listing.jsonl
//! ```
//! The trace format is documented in `runner_monitor::replay`. Exit code 2 on a malformed trace,
//! naming the line.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use clap::Parser;
use runner_monitor::core::{Notification, NotificationKind, Notifier, NotifyError, Policy};
use runner_monitor::replay::{ReplayError, parse_trace, replay};

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
}

/// Prints each notification as one JSON line.
#[derive(Debug)]
struct PrintNotifier;

#[async_trait]
impl Notifier for PrintNotifier {
    async fn notify(&self, n: &Notification) -> Result<(), NotifyError> {
        let line = serde_json::json!({
            "kind": n.kind_name(),
            "scope": n.scope.to_string(),
            "runner": n.runner().map(|r| r.name.clone()),
            "outage_id": n.outage().map(|o| o.id),
            "at": n.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "key": n.idempotency_key(),
            "runners": runners(n),
            "pool": pool(n),
        });
        writeln!(std::io::stdout().lock(), "{line}")
            .map_err(|e| NotifyError::permanent(e.to_string()))
    }
}

/// For a notification about several runners (`runners_removed`), each of them.
fn runners(n: &Notification) -> Option<Vec<serde_json::Value>> {
    match &n.kind {
        NotificationKind::RunnersRemoved { runners, .. } => Some(
            runners
                .iter()
                .map(|r| {
                    serde_json::json!({"scope": n.scope.to_string(), "runner": r.name, "outage_id": null})
                })
                .collect(),
        ),
        _ => None,
    }
}

/// For a pool's message, its count: `{"name", "measure", "count", "total", "minimum"}`.
fn pool(n: &Notification) -> Option<serde_json::Value> {
    match &n.kind {
        NotificationKind::PoolBelowFloor { pool, .. }
        | NotificationKind::PoolRestored { pool, .. } => Some(serde_json::json!({
            "name": pool.name,
            "measure": pool.measure.as_str(),
            "count": pool.count,
            "total": pool.total,
            "minimum": pool.minimum,
        })),
        _ => None,
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
    ];
    for (value, field) in overrides {
        if let Some(value) = value {
            *field = value;
        }
    }
    if let Some(min_known) = args.suspect_min_known {
        policy.suspect_drop.min_known = min_known;
    }
    if let Some(percent) = args.suspect_percent {
        policy.suspect_drop.percent = percent;
    }
    if args.remind_every.is_some() {
        policy.remind_every = args.remind_every;
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
    replay(lines, policy, Arc::new(PrintNotifier)).await?;
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
