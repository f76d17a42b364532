//! SqliteStore throughput on a 1,000-scope x 10-runner store (commit, load), and the cost of a
//! steady-state `Monitor::run_cycle` with SQLite versus MemoryStore.
//!
//! `cargo bench -p runner-monitor-sqlite --bench store`

use std::sync::Arc;

use async_trait::async_trait;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use runner_monitor_core::testing::{at, delivery_notification, observed, outage, runner_record};
use runner_monitor_core::{
    Change, Monitor, Observation, Resolution, RunnerSource, RunnerStatus, Scope, SourceError, Store,
};
use runner_monitor_memory::MemoryStore;
use runner_monitor_sqlite::SqliteStore;
use tokio::runtime::Runtime;

const SCOPES: usize = 1_000;
const RUNNERS: u64 = 10;

fn scopes() -> Vec<Scope> {
    (0..SCOPES)
        .map(|i| Scope::repo("bench", format!("repo-{i}")))
        .collect()
}

fn runtime() -> Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime")
}

/// A file-backed store holding 1,000 scopes of 10 runners each.
fn seeded(rt: &Runtime, dir: &tempfile::TempDir) -> SqliteStore {
    let store = SqliteStore::open(dir.path().join("bench.db")).expect("open");
    rt.block_on(async {
        for scope in scopes() {
            let changes: Vec<Change> = (0..RUNNERS)
                .map(|k| {
                    Change::PutRunner(runner_record(
                        &format!("r{k}"),
                        k,
                        RunnerStatus::Idle,
                        at(0),
                    ))
                })
                .collect();
            store.commit(&scope, 0, &changes).await.expect("seed");
        }
    });
    store
}

fn store_throughput(c: &mut Criterion) {
    let rt = runtime();
    let dir = tempfile::tempdir().expect("tempdir");
    let store = seeded(&rt, &dir);
    let scopes = scopes();
    let mut group = c.benchmark_group("sqlite_1000x10");
    group.throughput(Throughput::Elements(1));

    let mut next = 0usize;
    group.bench_function("load", |b| {
        b.iter(|| {
            next = (next + 1) % SCOPES;
            rt.block_on(store.load(&scopes[next])).expect("load")
        });
    });

    // One runner's status changes: what a typical non-steady commit writes.
    let mut versions = vec![1u64; SCOPES];
    let mut flips = 0i64;
    group.bench_function("commit_runner", |b| {
        b.iter(|| {
            next = (next + 1) % SCOPES;
            flips += 1;
            let status = if flips % 2 == 0 {
                RunnerStatus::Busy
            } else {
                RunnerStatus::Idle
            };
            let change = Change::PutRunner(runner_record("r3", 3, status, at(flips)));
            let receipt = rt
                .block_on(store.commit(&scopes[next], versions[next], &[change]))
                .expect("commit");
            versions[next] = receipt.version;
        });
    });

    // An outage opens (or resolves) with its notification to two sinks: the commit that matters.
    let mut open: Vec<Option<u64>> = vec![None; SCOPES];
    let mut last_id = vec![0u64; SCOPES];
    group.bench_function("commit_outage", |b| {
        b.iter(|| {
            next = (next + 1) % SCOPES;
            flips += 1;
            let scope = &scopes[next];
            let mut changes = Vec::with_capacity(4);
            match open[next].take() {
                Some(id) => changes.push(Change::ResolveOutage {
                    runner: "r5".into(),
                    id,
                    resolved_at: at(flips),
                    resolution: Resolution::Recovered(RunnerStatus::Idle),
                }),
                None => {
                    last_id[next] += 1;
                    open[next] = Some(last_id[next]);
                    changes.push(Change::OpenOutage(outage("r5", last_id[next], at(flips))));
                }
            }
            for sink in ["slack", "pager"] {
                changes.push(Change::Enqueue {
                    sink: sink.into(),
                    notification: delivery_notification(scope, "r5", last_id[next], at(flips)),
                });
            }
            let receipt = rt
                .block_on(store.commit(scope, versions[next], &changes))
                .expect("commit");
            versions[next] = receipt.version;
        });
    });
    group.finish();
}

/// Every scope lists the same ten healthy runners.
#[derive(Debug)]
struct FixedSource(Observation);

#[async_trait]
impl RunnerSource for FixedSource {
    async fn observe(&self, _scope: &Scope) -> Result<Observation, SourceError> {
        Ok(self.0.clone())
    }
}

fn steady_monitor(rt: &Runtime, store: Arc<dyn Store>) -> Monitor {
    let source = FixedSource(Observation {
        runners: (0..RUNNERS)
            .map(|k| observed(&format!("r{k}"), k, true, k % 3 == 0))
            .collect(),
    });
    let monitor = Monitor::builder(Arc::new(source), store)
        .scopes(scopes())
        .build()
        .expect("monitor");
    // The first cycle writes every runner; from the second on nothing changes.
    rt.block_on(async {
        monitor.run_cycle(at(0)).await;
        let report = monitor.run_cycle(at(0)).await;
        assert!(report.scopes.iter().all(|s| s.changes == 0), "not steady");
    });
    monitor
}

fn steady_cycle(c: &mut Criterion) {
    let rt = runtime();
    let dir = tempfile::tempdir().expect("tempdir");
    let sqlite = SqliteStore::open(dir.path().join("cycle.db")).expect("open");
    let monitors = [
        ("sqlite", steady_monitor(&rt, Arc::new(sqlite))),
        ("memory", steady_monitor(&rt, Arc::new(MemoryStore::new()))),
    ];
    let mut group = c.benchmark_group("steady_cycle_1000x10");
    group.sample_size(20);
    group.throughput(Throughput::Elements(SCOPES as u64));
    for (name, monitor) in &monitors {
        group.bench_function(*name, |b| {
            b.iter(|| rt.block_on(monitor.run_cycle(at(0))));
        });
    }
    group.finish();
}

criterion_group!(benches, store_throughput, steady_cycle);
criterion_main!(benches);
