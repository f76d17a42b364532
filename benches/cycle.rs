//! A full `Monitor::run_cycle` over `MemoryStore` with an in-process source: 1,000 scopes x 10
//! runners, steady state. Target: <= 20 ms per cycle for the 10,000 runners.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use runner_monitor_core::testing::{RecordingNotifier, at, observed};
use runner_monitor_core::{Monitor, Observation, RunnerSource, Scope, SourceError};
use runner_monitor_memory::MemoryStore;

const SCOPES: usize = 1_000;
const RUNNERS: usize = 10;

/// Answers every scope with the same fixed listing, without locks.
#[derive(Debug)]
struct FixedSource(HashMap<Scope, Observation>);

#[async_trait]
impl RunnerSource for FixedSource {
    async fn observe(&self, scope: &Scope) -> Result<Observation, SourceError> {
        self.0.get(scope).cloned().ok_or(SourceError::NotFound {
            message: scope.to_string(),
        })
    }
}

fn bench(c: &mut Criterion) {
    let scopes: Vec<Scope> = (0..SCOPES)
        .map(|i| Scope::repo("acme", format!("repo-{i:04}")))
        .collect();
    let listings = scopes
        .iter()
        .map(|scope| {
            let runners = (0..RUNNERS)
                .map(|r| observed(&format!("runner-{r}"), r as u64, true, r % 2 == 0))
                .collect();
            (scope.clone(), Observation { runners })
        })
        .collect();
    let monitor = Monitor::builder(
        Arc::new(FixedSource(listings)),
        Arc::new(MemoryStore::new()),
    )
    .scopes(scopes)
    .sink("slack", Arc::new(RecordingNotifier::new()))
    .build()
    .expect("monitor");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let first = runtime.block_on(monitor.run_cycle(at(0)));
    assert!(!first.has_errors());
    let steady = runtime.block_on(monitor.run_cycle(at(60)));
    assert_eq!(
        steady.scopes.iter().map(|s| s.changes).sum::<usize>(),
        0,
        "steady state writes nothing"
    );

    let mut group = c.benchmark_group("cycle");
    group.throughput(Throughput::Elements((SCOPES * RUNNERS) as u64));
    group.sample_size(30);
    group.bench_function("run_cycle_1000x10_steady", |b| {
        b.iter(|| runtime.block_on(monitor.run_cycle(at(120))))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
