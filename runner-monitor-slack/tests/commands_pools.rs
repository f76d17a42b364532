//! Capacity pools in `/runner-status` (every scope) and `/runner-ack pool:NAME`, through the
//! signed handler over a real in-memory store: what is shown, what is stored, store reads.

mod common;

use std::sync::Arc;

use runner_monitor_core::testing::{CountingStore, at};
use runner_monitor_core::{Pool, RunnerStatus, Scope, Store};
use runner_monitor_memory::MemoryStore;
use runner_monitor_slack::SlashCommands;
use runner_monitor_slack::fake::validate_message;

use common::slash::*;

fn api() -> Scope {
    Scope::repo("acme", "api")
}

fn web() -> Scope {
    Scope::repo("acme", "web")
}

fn labelled(
    name: &str,
    status: RunnerStatus,
    labels: &[&str],
) -> runner_monitor_core::RunnerRecord {
    let mut record = runner(name, status, at(80_000));
    record.labels = labels.iter().map(|l| (*l).to_owned()).collect();
    record
}

/// Pool `gpu`: label `gpu`, every scope, at least 3 online. Pool `cpu`: label `cpu`, acme/web
/// only, at least 1 idle.
fn pools() -> Vec<Pool> {
    serde_json::from_value(serde_json::json!([
        {"name": "gpu", "labels": ["gpu"], "min_online": 3, "for": "5m"},
        {"name": "cpu", "labels": ["cpu"], "scopes": ["acme/web"], "min_idle": 1},
    ]))
    .expect("valid pools")
}

/// acme/api: gpu-1 offline (outage open), gpu-2 idle, build-1 idle; acme/web: gpu-3 online.
/// The gpu pool: 2 of 3 online, below its floor with outage #1 open since 80 000 s.
async fn fleet() -> MemoryStore {
    let store = MemoryStore::new();
    seed(
        &store,
        &api(),
        observed_record(),
        vec![
            labelled("gpu-1", RunnerStatus::Offline, &["self-hosted", "gpu"]),
            labelled("gpu-2", RunnerStatus::Idle, &["self-hosted", "GPU"]),
            labelled("build-1", RunnerStatus::Idle, &["self-hosted"]),
        ],
        vec![outage("gpu-1", 1, at(80_000), None)],
    )
    .await;
    seed(
        &store,
        &web(),
        observed_record(),
        vec![labelled("gpu-3", RunnerStatus::Online, &["gpu"])],
        vec![],
    )
    .await;
    let mut pool_outage = outage("gpu", 1, at(80_000), None);
    pool_outage.description = "Pool gpu: 2 of 3 online (minimum 3)".into();
    seed(
        &store,
        &Scope::pool("gpu"),
        observed_record(),
        vec![labelled("gpu", RunnerStatus::Offline, &["gpu"])],
        vec![pool_outage],
    )
    .await;
    store
}

fn with_pools(store: &MemoryStore, scopes: Vec<Scope>) -> (SlashCommands, Arc<CountingStore>) {
    let counting = Arc::new(CountingStore::new(Arc::new(store.clone())));
    let commands = SlashCommands::new(counting.clone(), scopes, secret())
        .expect("commands")
        .pools(pools());
    (commands, counting)
}

fn ok(response: &runner_monitor_slack::SlashResponse) -> String {
    assert_eq!(response.status, 200, "{:?}", response.body);
    assert_eq!(validate_message(&response.body), Ok(()));
    plain(response)
}

#[tokio::test]
async fn status_of_every_scope_lists_each_pool_against_its_floor_with_its_outage() {
    let store = fleet().await;
    let (commands, counts) = with_pools(&store, vec![api(), web()]);
    let text = ok(&run(&commands, "/runner-status", "").await);
    assert!(text.contains("Pools (2)"), "{text}");
    assert!(
        text.contains("pool:gpu 2 of 3 online (minimum 3)"),
        "gpu-1 offline; gpu-2 (label case ignored) and gpu-3 online: {text}"
    );
    assert!(text.contains("outage #1 open"), "{text}");
    assert!(text.contains("/runner-ack pool:gpu"), "{text}");
    assert!(
        text.contains("pool:cpu 0 of 0 idle (minimum 1)"),
        "cpu spans acme/web only: {text}"
    );
    assert_eq!(
        counts.counts().loads,
        4,
        "2 scopes + 2 pools, one load each"
    );
}

#[tokio::test]
async fn ack_of_a_pool_acknowledges_its_outage_and_status_shows_who() {
    let store = fleet().await;
    let (commands, counts) = with_pools(&store, vec![api(), web()]);
    let text = ok(&run(&commands, "/runner-ack", "pool:gpu").await);
    assert!(
        text.contains("acknowledged outage #1 of pool gpu (Pool gpu: 2 of 3 online (minimum 3))"),
        "{text}"
    );
    assert_eq!(
        counts.counts().loads,
        0,
        "a pool is found by its name: no load"
    );
    let outage = store
        .outages(&Scope::pool("gpu"), "gpu", 1)
        .await
        .expect("history")
        .remove(0);
    let ack = outage.acknowledged.expect("acknowledged");
    assert_eq!((ack.by.as_str(), ack.at), ("U1", now()));
    // The runners' outages are untouched.
    let runner = store
        .outages(&api(), "gpu-1", 1)
        .await
        .expect("history")
        .remove(0);
    assert!(runner.acknowledged.is_none());

    let status = ok(&run(&commands, "/runner-status", "").await);
    assert!(
        status.contains("outage #1 open, acknowledged by @U1"),
        "{status}"
    );
    assert!(!status.contains("/runner-ack pool:gpu"), "{status}");

    for (text, expected) in [
        ("pool:cpu", "pool cpu has no open outage"),
        ("pool:tpu", "pool tpu has no open outage"),
        ("pool:", "not a pool name"),
    ] {
        let answer = ok(&run(&commands, "/runner-ack", text).await);
        assert!(answer.contains(expected), "{text}: {answer}");
    }
}

#[tokio::test]
async fn one_scope_status_without_argument_shows_pools_but_not_with_a_scope_named() {
    let store = fleet().await;
    let (commands, counts) = with_pools(&store, vec![api()]);
    let text = ok(&run(&commands, "/runner-status", "").await);
    assert!(text.contains("Runners of acme/api"), "{text}");
    assert!(
        text.contains("pool:gpu 1 of 2 online (minimum 3)"),
        "only acme/api is watched: {text}"
    );
    assert!(text.contains("pool:cpu 0 of 0 idle (minimum 1)"), "{text}");
    assert_eq!(counts.counts().loads, 3, "the scope + 2 pools");
    let named = ok(&run(&commands, "/runner-status", "acme/api").await);
    assert!(!named.contains("Pools"), "{named}");
}

#[tokio::test]
async fn a_pool_silence_shows_in_the_status_of_a_scope_with_pool_runners() {
    let store = fleet().await;
    let (commands, _) = with_pools(&store, vec![api(), web()]);
    ok(&run(&commands, "/runner-silence", "pool:cpu 1h").await);
    ok(&run(&commands, "/runner-silence", "pool:gpu 1h").await);
    let web_status = ok(&run(&commands, "/runner-status", "acme/web").await);
    assert!(
        web_status.contains("Silences (1)") && web_status.contains("pool:gpu"),
        "gpu-3 is in the gpu pool; no cpu runner in acme/web: {web_status}"
    );
}

#[tokio::test]
async fn without_pools_status_reads_no_pool() {
    let store = fleet().await;
    let (commands, counts) = commands(Arc::new(store.clone()), vec![api(), web()]);
    let text = ok(&run(&commands, "/runner-status", "").await);
    assert!(!text.contains("Pools"), "{text}");
    assert_eq!(counts.counts().loads, 2);
}

#[tokio::test]
async fn a_pool_below_its_floor_without_an_outage_says_when_one_opens() {
    let store = MemoryStore::new();
    seed(
        &store,
        &api(),
        observed_record(),
        vec![labelled("gpu-1", RunnerStatus::Offline, &["gpu"])],
        vec![],
    )
    .await;
    let mut record = labelled("gpu", RunnerStatus::Offline, &["gpu"]);
    record.since = now() - chrono::Duration::seconds(120);
    seed(
        &store,
        &Scope::pool("gpu"),
        observed_record(),
        vec![record],
        vec![],
    )
    .await;
    let (commands, _) = with_pools(&store, vec![api(), web()]);
    let text = ok(&run(&commands, "/runner-status", "").await);
    assert!(
        text.contains("pool:gpu 0 of 1 online (minimum 3): :warning: below its floor for 2m (an outage opens after 5m)"),
        "{text}"
    );
}
