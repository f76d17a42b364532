//! Engine throughput: reconcile a 10,000-runner scope in steady state and with 1% changed.
//! Target: >= 5 million runner observations per second per core.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use runner_monitor_core::testing::{at, observed};
use runner_monitor_core::{Observation, Policy, Scope, ScopeState, reconcile};

const RUNNERS: usize = 10_000;

fn fleet(offline_every: Option<usize>) -> Observation {
    Observation {
        runners: (0..RUNNERS)
            .map(|i| {
                let online = offline_every.is_none_or(|n| i % n != 0);
                observed(&format!("runner-{i:05}"), i as u64, online, i % 3 == 0)
            })
            .collect(),
    }
}

fn steady_state() -> ScopeState {
    let policy = Policy::default();
    let mut state = ScopeState::empty(Scope::org("acme"));
    let first = reconcile(&state, &Ok(fleet(None)), &policy, at(0));
    state.apply(&first.changes).expect("apply");
    state
}

fn bench(c: &mut Criterion) {
    let policy = Policy::default();
    let state = steady_state();
    let unchanged = Ok(fleet(None));
    let one_percent = Ok(fleet(Some(100)));
    assert!(reconcile(&state, &unchanged, &policy, at(60)).is_empty());

    let mut group = c.benchmark_group("engine");
    group.throughput(Throughput::Elements(RUNNERS as u64));
    group.bench_function("reconcile_10k_steady", |b| {
        b.iter(|| reconcile(black_box(&state), black_box(&unchanged), &policy, at(60)))
    });
    group.bench_function("reconcile_10k_1pct_changed", |b| {
        b.iter(|| reconcile(black_box(&state), black_box(&one_percent), &policy, at(60)))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
