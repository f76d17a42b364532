//! What a message and a slash command cost: rendering every kind, verifying a signature, and
//! answering `/runner-status` for a 500-runner scope (signed, from a MemoryStore).

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use runner_monitor_core::testing::{at, delivery_notification, runner_record};
use runner_monitor_core::{Change, RunnerStatus, Scope, ScopeRecord, Store};
use runner_monitor_memory::MemoryStore;
use runner_monitor_slack::SlashCommands;
use runner_monitor_slack::messages::render;
use runner_monitor_slack::signature::{SignatureVerifier, sign};
use secrecy::SecretString;

fn bench(c: &mut Criterion) {
    let scope = Scope::org("acme");
    let notification = delivery_notification(&scope, "build-1", 3, at(0));
    c.bench_function("render outage_opened", |b| {
        b.iter(|| black_box(render(black_box(&notification)).to_json()))
    });

    let secret = SecretString::from("bench-signing-secret");
    let body = b"command=%2Frunner-status&text=&user_id=U1&channel_id=C1".to_vec();
    let ts = at(0).timestamp().to_string();
    let signature = sign(&secret, &ts, &body);
    let verifier = SignatureVerifier::new(secret.clone());
    c.bench_function("verify signature", |b| {
        b.iter(|| verifier.verify(Some(&ts), Some(&signature), black_box(&body), at(0)))
    });

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("runtime");
    let store = MemoryStore::new();
    let mut changes = vec![Change::PutScope(ScopeRecord {
        last_success_at: Some(at(0)),
        ..ScopeRecord::default()
    })];
    changes.extend((0..500).map(|i| {
        let status = if i % 10 == 0 {
            RunnerStatus::Offline
        } else {
            RunnerStatus::Idle
        };
        Change::PutRunner(runner_record(&format!("runner-{i:04}"), i, status, at(0)))
    }));
    runtime
        .block_on(store.commit(&scope, 0, &changes))
        .expect("seed");
    let commands = SlashCommands::new(Arc::new(store), vec![scope], secret).expect("commands");
    let headers = vec![
        ("X-Slack-Request-Timestamp".to_owned(), ts.clone()),
        ("X-Slack-Signature".to_owned(), signature.clone()),
    ];
    c.bench_function("/runner-status 500 runners", |b| {
        b.iter(|| {
            let response = runtime.block_on(commands.handle(&headers, &body, at(0)));
            assert_eq!(response.status, 200);
            black_box(response)
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
