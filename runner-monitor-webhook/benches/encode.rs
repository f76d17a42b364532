//! What one notification costs before it hits the network: building and serializing the webhook
//! document, signing it, verifying it, and the PagerDuty dedup key.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use runner_monitor_core::Scope;
use runner_monitor_core::testing::{at, delivery_notification};
use runner_monitor_webhook::{
    DEFAULT_TOLERANCE, SecretString, WebhookDocument, dedup_key, sign, verify_signature,
};

fn encode(c: &mut Criterion) {
    let notification = delivery_notification(&Scope::repo("acme", "api"), "build-1", 3, at(300));
    let secret = SecretString::from("whsec_bench-secret");
    let body =
        serde_json::to_vec(&WebhookDocument::from_notification(&notification)).unwrap_or_default();
    let signature = sign(&secret, 1_767_225_600, &body);
    let now = chrono::DateTime::from_timestamp(1_767_225_600, 0).unwrap_or_default();

    c.bench_function("webhook_document_build_and_serialize", |b| {
        b.iter(|| {
            serde_json::to_vec(&WebhookDocument::from_notification(black_box(
                &notification,
            )))
        })
    });
    c.bench_function("webhook_sign", |b| {
        b.iter(|| sign(&secret, 1_767_225_600, black_box(&body)))
    });
    c.bench_function("webhook_verify_signature", |b| {
        b.iter(|| {
            verify_signature(
                &secret,
                "1767225600",
                &signature,
                black_box(&body),
                now,
                DEFAULT_TOLERANCE,
            )
        })
    });
    c.bench_function("pagerduty_dedup_key", |b| {
        b.iter(|| dedup_key(black_box(&notification)))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(2)).warm_up_time(Duration::from_millis(500));
    targets = encode
}
criterion_main!(benches);
