//! The status page for 1,000 runners (20 scopes x 50) with 30 days of history (an outage every
//! three days per runner: 10,000 outages): reading the store (MemoryStore) and rendering the HTML
//! and the JSON. Target: a page in well under a second (it is read at most once per refresh).

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use criterion::{Criterion, criterion_group, criterion_main};
use runner_monitor::host::status::{Fleet, Silencing, api, html};
use runner_monitor_core::testing::{outage, runner_record};
use runner_monitor_core::{Change, Resolution, RunnerStatus, Scope, Store};
use runner_monitor_memory::MemoryStore;

const SCOPES: usize = 20;
const RUNNERS: usize = 50;
const TTL: Duration = Duration::from_secs(30 * 86_400);

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let store = Arc::new(MemoryStore::new());
    let now = Utc::now();
    let scopes: Vec<Scope> = (0..SCOPES)
        .map(|i| Scope::repo("acme", format!("repo-{i:02}")))
        .collect();
    runtime.block_on(async {
        for scope in &scopes {
            let seen = now - chrono::Duration::days(31);
            let mut puts = Vec::new();
            let mut opens = vec![Vec::new(); 10];
            let mut closes = vec![Vec::new(); 10];
            for r in 0..RUNNERS {
                let name = format!("runner-{r:02}");
                puts.push(Change::PutRunner(runner_record(
                    &name,
                    r as u64,
                    RunnerStatus::Idle,
                    seen,
                )));
                for id in 1..=10u64 {
                    let start = seen + chrono::Duration::hours(id as i64 * 72 + r as i64);
                    let generation = (id - 1) as usize;
                    opens[generation].push(Change::OpenOutage(outage(&name, id, start)));
                    closes[generation].push(Change::ResolveOutage {
                        runner: name.clone(),
                        id,
                        resolved_at: start + chrono::Duration::minutes(20),
                        resolution: Resolution::Recovered(RunnerStatus::Idle),
                    });
                }
            }
            // One commit per outage generation keeps "one open outage per runner".
            let mut version = store
                .commit(scope, 0, &puts)
                .await
                .expect("runners")
                .version;
            for (open, close) in opens.iter().zip(&closes) {
                version = store
                    .commit(scope, version, open)
                    .await
                    .expect("open")
                    .version;
                version = store
                    .commit(scope, version, close)
                    .await
                    .expect("close")
                    .version;
            }
        }
    });
    let since = Duration::from_secs(30 * 86_400);
    // A nightly maintenance window over every linux runner: the page measures silenced time.
    let nightly: runner_monitor_core::Silence = serde_json::from_str(
        r#"{"target": "label:linux", "days": ["mon", "tue", "wed", "thu", "fri"],
            "start": "02:00", "length": "1h", "time_zone": "Europe/Berlin"}"#,
    )
    .expect("silence");
    let silencing = Silencing {
        silences: vec![nightly],
        pools: Vec::new(),
    };
    let gather = || {
        runtime.block_on(Fleet::gather(
            store.as_ref(),
            &scopes,
            now,
            since,
            TTL,
            &silencing,
        ))
    };
    let fleet = gather();
    assert_eq!(fleet.runners().count(), SCOPES * RUNNERS);
    let mut group = c.benchmark_group("status_page");
    group.bench_function("gather_1000_runners", |b| b.iter(gather));
    group.bench_function("render_html_1000_runners", |b| {
        b.iter(|| html::fleet(&fleet, Duration::from_secs(60)))
    });
    group.bench_function("render_json_1000_runners", |b| {
        b.iter(|| api::status(&fleet).to_string())
    });
    group.finish();
    println!(
        "page size: {} KiB HTML, {} KiB JSON",
        html::fleet(&fleet, Duration::from_secs(60)).len() / 1024,
        api::status(&fleet).to_string().len() / 1024
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
