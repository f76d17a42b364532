//! Large fleets: `/runner-status` stays within Slack's limits for any size, unhealthy first,
//! summarising the rest with "... and N more".

mod common;

use std::sync::Arc;
use std::time::Instant;

use runner_monitor_core::testing::at;
use runner_monitor_core::{RunnerStatus, Scope};
use runner_monitor_memory::MemoryStore;
use runner_monitor_slack::blocks::{
    MAX_BLOCKS, MAX_FALLBACK_CHARS, MAX_FIELD_CHARS, MAX_HEADER_CHARS, MAX_SECTION_CHARS,
};
use runner_monitor_slack::fake::validate_message;
use serde_json::Value;

use common::slash::*;

fn scope() -> Scope {
    Scope::org("big-corp")
}

/// `total` runners with long-ish names, `unhealthy` of them offline (the last ones by name, so
/// sorting has to bring them forward).
async fn fleet(total: usize, unhealthy: usize, name_len: usize) -> MemoryStore {
    let store = MemoryStore::new();
    let runners = (0..total)
        .map(|i| {
            let name = format!("{}-{i:05}", "r".repeat(name_len));
            if i >= total - unhealthy {
                runner(&name, RunnerStatus::Offline, at(80_000))
            } else {
                runner(&name, RunnerStatus::Idle, at(100))
            }
        })
        .collect();
    seed(&store, &scope(), observed_record(), runners, vec![]).await;
    store
}

fn text_len(value: &Value) -> usize {
    value["text"].as_str().unwrap_or_default().chars().count()
}

/// Every limit, checked block by block, plus the fake receiver's validator.
fn assert_within_limits(body: &Value) {
    assert_eq!(validate_message(body), Ok(()));
    let blocks = body["blocks"].as_array().expect("blocks");
    assert!(blocks.len() <= MAX_BLOCKS, "{} blocks", blocks.len());
    assert!(text_len(body) <= MAX_FALLBACK_CHARS);
    for block in blocks {
        match block["type"].as_str() {
            Some("header") => assert!(text_len(&block["text"]) <= MAX_HEADER_CHARS),
            Some("section") => {
                assert!(text_len(&block["text"]) <= MAX_SECTION_CHARS);
                for field in block["fields"].as_array().into_iter().flatten() {
                    assert!(text_len(field) <= MAX_FIELD_CHARS);
                }
            }
            _ => {}
        }
    }
}

#[tokio::test]
async fn five_hundred_runners_fit_with_unhealthy_first() {
    let (commands, counts) = commands(Arc::new(fleet(500, 40, 20).await), vec![scope()]);
    let started = Instant::now();
    let response = run(&commands, "/runner-status", "").await;
    let elapsed = started.elapsed();
    assert_eq!(response.status, 200);
    assert_within_limits(&response.body);
    let text = plain(&response);
    assert!(
        text.contains("500 runners: 40 Offline · 460 Idle"),
        "{text}"
    );
    // all 40 unhealthy are listed, before any healthy one
    let last_unhealthy = (460..500)
        .map(|i| {
            text.find(&format!("{}-{i:05} Offline", "r".repeat(20)))
                .unwrap_or_else(|| panic!("unhealthy runner {i} not listed"))
        })
        .max()
        .unwrap_or_default();
    let first_healthy = text.find(&format!("{}-00000 Idle", "r".repeat(20)));
    assert!(first_healthy.is_some_and(|h| h > last_unhealthy));
    let listed_healthy = (0..460)
        .filter(|i| text.contains(&format!("{}-{i:05} Idle", "r".repeat(20))))
        .count();
    assert!(
        text.contains(&format!(
            "... and {} more healthy runners",
            460 - listed_healthy
        )),
        "{text}"
    );
    assert_eq!(counts.counts().loads, 1);
    eprintln!(
        "500 runners: {} blocks, {} bytes, answered in {elapsed:?}",
        blocks(&response).len(),
        response.body.to_string().len()
    );
}

#[tokio::test]
async fn any_fleet_size_and_shape_stays_within_limits() {
    for (total, unhealthy, name_len) in [
        (1, 0, 5),
        (1, 1, 5),
        (60, 60, 5),
        (500, 500, 20),
        (500, 0, 60),
        (2000, 300, 60),
    ] {
        let (commands, _) = commands(
            Arc::new(fleet(total, unhealthy, name_len).await),
            vec![scope()],
        );
        let response = run(&commands, "/runner-status", "").await;
        assert_eq!(response.status, 200);
        assert_within_limits(&response.body);
        let text = plain(&response);
        assert!(text.contains(&format!("{total} runner")), "{text}");
        if unhealthy > 0 {
            // the first unhealthy runner is always listed
            let first = format!("{}-{:05} Offline", "r".repeat(name_len), total - unhealthy);
            assert!(
                text.contains(&first),
                "{total}/{unhealthy}: {first} missing"
            );
        }
        let listed = text.lines().filter(|l| l.starts_with("• ")).count();
        if listed < total {
            assert!(
                text.contains("more"),
                "{total}/{unhealthy}: no summary\n{text}"
            );
        }
    }
}
