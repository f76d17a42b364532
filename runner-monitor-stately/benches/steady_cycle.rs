//! A steady-state Monitor cycle of 100 scopes x 10 runners on StatelyStore + the emulator over
//! loopback (h2c). Prints the round trips and writes of one cycle, counted by the emulator and by
//! the client, then times the cycle.

use std::sync::Arc;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use runner_monitor_core::testing::{RecordingNotifier, ScriptedSource, at, observed};
use runner_monitor_core::{Monitor, Observation, Scope};
use runner_monitor_stately::emulator::{Emulator, ManualClock, Method};
use runner_monitor_stately::{StatelyConfig, StatelyStore};

const SCOPES: usize = 100;
const RUNNERS: usize = 10;

fn steady_cycle(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let (emulator, store, monitor) = runtime.block_on(async {
        let clock = ManualClock::new(at(0).timestamp_millis());
        let emulator = Emulator::builder()
            .clock(Arc::new(clock))
            .start()
            .await
            .expect("emulator");
        let config = StatelyConfig::new(emulator.store_id())
            .endpoint(emulator.endpoint())
            .schema(emulator.schema_id(), emulator.schema_version());
        let store = StatelyStore::new(&config).expect("store");
        let source = Arc::new(ScriptedSource::new());
        let scopes: Vec<Scope> = (0..SCOPES)
            .map(|i| Scope::repo("bench", format!("repo-{i}")))
            .collect();
        for (s, scope) in scopes.iter().enumerate() {
            let runners = (0..RUNNERS)
                .map(|r| {
                    observed(
                        &format!("runner-{r}"),
                        (s * RUNNERS + r) as u64,
                        true,
                        r % 2 == 0,
                    )
                })
                .collect();
            source.set(scope, Ok(Observation { runners }));
        }
        let monitor = Monitor::builder(source, Arc::new(store.clone()))
            .scopes(scopes)
            .sink("slack", Arc::new(RecordingNotifier::new()))
            .build()
            .expect("monitor");
        emulator.reset_stats();
        let first = monitor.run_cycle(at(0)).await;
        assert!(!first.has_errors(), "first cycle: {first:?}");
        let stats = emulator.stats();
        eprintln!(
            "first cycle (every runner new), {SCOPES} scopes x {RUNNERS} runners: emulator round \
             trips {}, transactions {}, commits {}, items written {}",
            stats.round_trips(),
            stats.calls(Method::Transaction),
            stats.commits,
            stats.writes(),
        );
        (emulator, store, monitor)
    });

    emulator.reset_stats();
    let before = store.client().stats();
    let report = runtime.block_on(monitor.run_cycle(at(60)));
    assert!(!report.has_errors());
    let server = emulator.stats();
    let client = store.client().stats();
    eprintln!(
        "steady cycle, {SCOPES} scopes x {RUNNERS} runners: emulator round trips {} \
         (BeginList {}, ContinueList {}, Transaction {}), items written {}, commits {}; \
         client round trips {}, writes {}",
        server.round_trips(),
        server.calls(Method::BeginList),
        server.calls(Method::ContinueList),
        server.calls(Method::Transaction),
        server.writes(),
        server.commits,
        client.round_trips - before.round_trips,
        client.writes - before.writes,
    );
    assert_eq!(server.writes(), 0, "steady state writes nothing");
    assert_eq!(server.round_trips(), SCOPES as u64 + 1);

    let mut group = c.benchmark_group("stately");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(10));
    group.bench_function("steady_cycle_100x10", |b| {
        b.iter(|| runtime.block_on(monitor.run_cycle(at(60))));
    });
    group.finish();
}

criterion_group!(benches, steady_cycle);
criterion_main!(benches);
