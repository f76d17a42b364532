//! Listing a busy 300-runner organization from the fake over loopback: 150 ms per page, one
//! ephemeral runner registering or deregistering a second on average, 10 busy flips before
//! every request. First `CYCLES` monitored cycles (a second apart, as the fleet keeps changing
//! between polls) print the success rate and the requests per cycle (200s, which count against
//! the rate limit, and 304s); then criterion times one cycle.
//!
//! `cargo bench -p runner-monitor-github --features fake --bench churn_listing -- --quick`

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use runner_monitor_core::{RunnerSource, Scope, SourceError};
use runner_monitor_github::GitHubSource;
use runner_monitor_github::fake::{Churn, FakeGitHub, FakeRunner};

const CYCLES: usize = 20;
const RUNNERS: usize = 300;

fn fleet(github: &FakeGitHub, scope: &Scope) {
    github.edit(|fleet| {
        for i in 1..=RUNNERS {
            let runner = if i % 6 == 0 {
                FakeRunner::new(format!("eph-{i:03}"))
                    .ephemeral(true)
                    .busy(true)
            } else {
                FakeRunner::new(format!("r-{i:03}"))
            };
            fleet.add(scope, runner);
        }
    });
}

fn monitored_cycles(
    runtime: &tokio::runtime::Runtime,
    github: &FakeGitHub,
    source: &GitHubSource,
    scope: &Scope,
) {
    let (mut complete, mut incomplete, mut ok_200, mut free_304) = (0, 0, 0, 0);
    let mut listings = Vec::with_capacity(CYCLES);
    let mut listing_time = Duration::ZERO;
    for _ in 0..CYCLES {
        runtime.block_on(async { tokio::time::sleep(Duration::from_secs(1)).await });
        github.reset_requests();
        let started = Instant::now();
        match runtime.block_on(source.observe(scope)) {
            Ok(_) => complete += 1,
            Err(SourceError::Incomplete { .. }) => incomplete += 1,
            Err(other) => panic!("{other}"),
        }
        listing_time += started.elapsed();
        let requests = github.requests();
        listings.push(requests.listings);
        ok_200 += requests.status(200);
        free_304 += requests.not_modified();
    }
    let total: u64 = listings.iter().sum();
    let cycles = CYCLES as f64;
    eprintln!(
        "churn listing, {RUNNERS} runners, 150 ms/page, 1 membership change/s: \
         {complete}/{CYCLES} cycles complete ({:.0}%), {incomplete} incomplete; \
         {:.1} requests per cycle ({:.1} x 200 counted against the rate limit, {:.1} x 304); \
         {:.0} ms per cycle; min/max requests {}/{}; churn {:?}",
        100.0 * complete as f64 / cycles,
        total as f64 / cycles,
        ok_200 as f64 / cycles,
        free_304 as f64 / cycles,
        listing_time.as_secs_f64() * 1000.0 / cycles,
        listings.iter().min().copied().unwrap_or(0),
        listings.iter().max().copied().unwrap_or(0),
        github.churn_stats(),
    );
}

fn churn_listing(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let github = runtime
        .block_on(
            FakeGitHub::builder()
                .latency(Duration::from_millis(150))
                .rate_limit(1_000_000_000, Duration::from_secs(3600))
                .start(),
        )
        .expect("fake");
    let scope = Scope::org("busy");
    fleet(&github, &scope);
    let source = github.source_builder().build().expect("source");
    // The runtime's context, so the churn clock is tokio's.
    runtime.block_on(async {
        github.start_churn(
            Churn::new(&scope)
                .seed(7)
                .membership_changes_per_second(1.0)
                .busy_flips_per_request(10),
        );
    });
    monitored_cycles(&runtime, &github, &source, &scope);

    let mut group = c.benchmark_group("churn_300_runner_org");
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(8));
    group.bench_function("one_cycle", |b| {
        b.iter(|| black_box(runtime.block_on(source.observe(&scope)).is_ok()));
    });
    group.finish();
}

criterion_group!(benches, churn_listing);
criterion_main!(benches);
