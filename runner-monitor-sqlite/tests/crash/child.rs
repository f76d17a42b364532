//! The child: runs monitor cycles against the file until killed (or 30 s pass, as a safety net).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use runner_monitor_core::testing::{RecordingNotifier, ScriptedSource, at, observed};
use runner_monitor_core::{Monitor, Observation, Policy, Scope};
use runner_monitor_sqlite::SqliteStore;

use super::journal;
use super::tap::Tap;

pub const DB_ENV: &str = "RUNNER_MONITOR_SQLITE_CRASH_DB";
pub const LOG_ENV: &str = "RUNNER_MONITOR_SQLITE_CRASH_LOG";
pub const START_ENV: &str = "RUNNER_MONITOR_SQLITE_CRASH_START";

pub const SCOPES: u64 = 6;
pub const RUNNERS: u64 = 8;
pub const SINKS: [&str; 2] = ["slack", "pager"];

pub struct Config {
    db: PathBuf,
    log: PathBuf,
    start: u64,
}

impl Config {
    pub fn from_env() -> Option<Self> {
        Some(Config {
            db: std::env::var_os(DB_ENV)?.into(),
            log: std::env::var_os(LOG_ENV)?.into(),
            start: std::env::var(START_ENV).ok()?.parse().ok()?,
        })
    }
}

pub fn scopes() -> Vec<Scope> {
    (0..SCOPES)
        .map(|s| Scope::repo("crash", format!("s{s}")))
        .collect()
}

/// Runners flap in blocks of six cycles (six minutes), offline one block in three.
pub fn observation(scope: u64, cycle: u64) -> Observation {
    Observation {
        runners: (0..RUNNERS)
            .map(|k| {
                let online = !((cycle + 3 * k + 5 * scope) / 6).is_multiple_of(3);
                observed(&format!("r{k}"), 100 + k, online, k % 2 == 0)
            })
            .collect(),
    }
}

pub fn policy() -> Policy {
    Policy {
        open_after: Duration::from_secs(60),
        new_runner_grace: Duration::from_secs(60),
        remind_every: Some(Duration::from_secs(180)),
        ..Policy::default()
    }
}

/// A monitor over `store` whose source answers `cycle`'s observations.
pub fn monitor(store: Arc<dyn runner_monitor_core::Store>) -> (Monitor, Arc<ScriptedSource>) {
    let source = Arc::new(ScriptedSource::new());
    let mut builder = Monitor::builder(source.clone(), store)
        .scopes(scopes())
        .policy(policy());
    for sink in SINKS {
        builder = builder.sink(sink, Arc::new(RecordingNotifier::new()));
    }
    (builder.build().expect("monitor"), source)
}

pub fn script(source: &ScriptedSource, cycle: u64) {
    for (index, scope) in scopes().iter().enumerate() {
        source.set(scope, Ok(observation(index as u64, cycle)));
    }
}

pub fn run(config: &Config) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let store = SqliteStore::open(&config.db).expect("open");
        let tap = Arc::new(Tap {
            inner: store,
            log: config.log.clone(),
        });
        let (monitor, source) = monitor(tap);
        let started = Instant::now();
        let mut cycle = config.start;
        while started.elapsed() < Duration::from_secs(30) {
            script(&source, cycle);
            let report = monitor.run_cycle(at(cycle as i64 * 60)).await;
            assert!(!report.has_errors(), "cycle {cycle}: {report:?}");
            journal::append(&config.log, &[format!("C\t{cycle}")]);
            cycle += 1;
        }
    });
}
