//! Replays a JSONL trace of runner listings through the real `Monitor` (with a `MemoryStore`) and
//! prints every notification as one JSON line.
//!
//! Each trace line is either
//! `{"at":"<RFC 3339>","scope":"owner/name","runners":[<GitHub runner objects>]}` or
//! `{"at":"...","scope":"...","error":"unavailable"|"unauthorized"|"rate_limited"}`.
//! One cycle runs per line, at time `at`, over the scopes seen so far.
//!
//! ```text
//! cargo run --example replay -- examples/traces/sample.jsonl
//! cargo run --example replay -- --open-after 5m --remind-every 1h trace.jsonl
//! cargo run --example replay -- --policy policy.toml trace.jsonl
//! ```

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use clap::Parser;
use runner_monitor::core::{
    Notification, Notifier, NotifyError, Observation, ObservedRunner, Policy, RunnerSource,
    Scope, SourceError, Timestamp,
};
use runner_monitor::memory::MemoryStore;
use runner_monitor::Monitor;
use serde::Deserialize;

/// Replay a runner-listing trace and print the notifications it causes.
#[derive(Debug, Parser)]
#[command(name = "replay", version)]
struct Args {
    /// The JSONL trace (`-` for standard input).
    trace: PathBuf,
    /// Policy from a TOML file (flags below override it).
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
}

/// One trace line.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Line {
    at: Timestamp,
    scope: Scope,
    #[serde(default)]
    runners: Option<Vec<ObservedRunner>>,
    #[serde(default)]
    error: Option<TraceError>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
enum TraceError {
    Unavailable,
    Unauthorized,
    RateLimited,
}

impl From<TraceError> for SourceError {
    fn from(error: TraceError) -> Self {
        match error {
            TraceError::Unavailable => SourceError::Unavailable { message: "trace: unavailable".into() },
            TraceError::Unauthorized => SourceError::Unauthorized { message: "trace: unauthorized".into() },
            TraceError::RateLimited => SourceError::RateLimited { retry_after: Duration::from_secs(60) },
        }
    }
}

/// Answers each scope with the observation of the current line; other scopes repeat their last.
#[derive(Debug, Default)]
struct TraceSource {
    current: Mutex<HashMap<Scope, Result<Observation, SourceError>>>,
}

#[async_trait]
impl RunnerSource for TraceSource {
    async fn observe(&self, scope: &Scope) -> Result<Observation, SourceError> {
        let current = self.current.lock().unwrap_or_else(|p| p.into_inner());
        current.get(scope).cloned().unwrap_or_else(|| {
            Err(SourceError::NotFound { message: format!("{scope} not in trace yet") })
        })
    }
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
        });
        let mut out = std::io::stdout().lock();
        writeln!(out, "{line}").map_err(|e| NotifyError::permanent(e.to_string()))
    }
}

fn policy(args: &Args) -> Result<Policy, String> {
    let mut policy = match &args.policy {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("{}: {e}", path.display()))?;
            toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?
        }
        None => Policy::default(),
    };
    let overrides = [
        (args.open_after, &mut policy.open_after),
        (args.new_runner_grace, &mut policy.new_runner_grace),
        (args.resolve_after, &mut policy.resolve_after),
        (args.forget_after, &mut policy.forget_after),
        (args.source_alert_after, &mut policy.source_alert_after),
    ];
    for (value, field) in overrides {
        if let Some(value) = value {
            *field = value;
        }
    }
    if args.remind_every.is_some() {
        policy.remind_every = args.remind_every;
    }
    policy.validate().map_err(|e| e.to_string())?;
    Ok(policy)
}

fn parse_line(number: usize, text: &str) -> Result<Line, String> {
    let line: Line = serde_json::from_str(text).map_err(|e| format!("line {number}: {e}"))?;
    match (&line.runners, &line.error) {
        (Some(_), None) | (None, Some(_)) => Ok(line),
        _ => Err(format!("line {number}: needs exactly one of `runners` and `error`")),
    }
}

async fn run(args: Args) -> Result<(), String> {
    let policy = policy(&args)?;
    let reader: Box<dyn BufRead> = if args.trace.as_os_str() == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        let file = std::fs::File::open(&args.trace)
            .map_err(|e| format!("{}: {e}", args.trace.display()))?;
        Box::new(std::io::BufReader::new(file))
    };
    // Parse everything first: a malformed trace fails before anything is printed.
    let mut lines = Vec::new();
    for (index, text) in reader.lines().enumerate() {
        let text = text.map_err(|e| format!("line {}: {e}", index + 1))?;
        if text.trim().is_empty() {
            continue;
        }
        lines.push(parse_line(index + 1, &text)?);
    }

    let source = Arc::new(TraceSource::default());
    let store = Arc::new(MemoryStore::new());
    let mut monitors: BTreeMap<Scope, Monitor> = BTreeMap::new();
    for line in lines {
        let observed = match (line.runners, line.error) {
            (Some(runners), _) => Ok(Observation { runners }),
            (None, Some(error)) => Err(SourceError::from(error)),
            (None, None) => unreachable!("checked by parse_line"),
        };
        source
            .current
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(line.scope.clone(), observed);
        if !monitors.contains_key(&line.scope) {
            let monitor = Monitor::builder(source.clone(), store.clone())
                .scope(line.scope.clone())
                .sink("stdout", Arc::new(PrintNotifier))
                .policy(policy.clone())
                .build()
                .map_err(|e| e.to_string())?;
            monitors.insert(line.scope.clone(), monitor);
        }
        if let Some(monitor) = monitors.get(&line.scope) {
            let report = monitor.run_cycle(line.at).await;
            if let Some(error) = report.deliveries.store_error {
                return Err(error.to_string());
            }
        }
    }
    Ok(())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::process::ExitCode {
    match run(Args::parse()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("replay: {message}");
            std::process::ExitCode::from(2)
        }
    }
}
