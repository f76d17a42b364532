//! Listing a 10,000-runner organization from the fake over loopback: cold (empty ETag cache,
//! 100 pages of 200 plus the 99 re-checks of a new runner set), warm (100 304s) and with one
//! runner changing per cycle (one 200, 99 304s). Requests per cycle are printed before the
//! timings.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use runner_monitor_core::{RunnerSource, Scope};
use runner_monitor_github::GitHubSource;
use runner_monitor_github::fake::FakeGitHub;

const RUNNERS: usize = 10_000;

fn requests_per_cycle(
    runtime: &tokio::runtime::Runtime,
    github: &FakeGitHub,
    source: &GitHubSource,
    scope: &Scope,
    what: &str,
) {
    github.reset_requests();
    let observation = runtime.block_on(source.observe(scope)).expect("observe");
    assert_eq!(observation.runners.len(), RUNNERS);
    let requests = github.requests();
    eprintln!(
        "{what}: {} requests per cycle ({} x 200, {} x 304)",
        requests.listings,
        requests.status(200),
        requests.not_modified()
    );
}

fn list_org(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let github = runtime
        .block_on(
            FakeGitHub::builder()
                .rate_limit(1_000_000_000, Duration::from_secs(3600))
                .start(),
        )
        .expect("fake");
    let scope = Scope::org("big");
    github.add_runners(&scope, "runner", RUNNERS);
    let new_source = || github.source_builder().build().expect("source");

    let warm = new_source();
    requests_per_cycle(&runtime, &github, &warm, &scope, "cold");
    requests_per_cycle(&runtime, &github, &warm, &scope, "warm");
    github.set_busy(&scope, "runner-05000", true);
    requests_per_cycle(&runtime, &github, &warm, &scope, "one runner changed");

    let mut group = c.benchmark_group("list_10k_runner_org");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    group.bench_function("cold", |b| {
        b.iter(|| {
            let source = new_source();
            black_box(runtime.block_on(source.observe(&scope)).expect("observe"))
        });
    });
    group.bench_function("warm_304s", |b| {
        b.iter(|| black_box(runtime.block_on(warm.observe(&scope)).expect("observe")));
    });
    let mut busy = false;
    group.bench_function("one_runner_changed", |b| {
        b.iter(|| {
            busy = !busy;
            github.set_busy(&scope, "runner-05000", busy);
            black_box(runtime.block_on(warm.observe(&scope)).expect("observe"))
        });
    });
    group.finish();
}

criterion_group!(benches, list_org);
criterion_main!(benches);
