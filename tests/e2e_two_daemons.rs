//! Two real daemon processes (`examples/daemon.rs`) on one SQLite file against the fake GitHub
//! and a counting Slack receiver: twelve runners go offline together and come back, and every
//! "opened" and "resolved" reaches Slack exactly once (delivery claims), with no deduplication.
#![cfg(all(feature = "host", unix))]
#![allow(clippy::unwrap_used)]

mod e2e_support;

use std::collections::BTreeMap;
use std::process::Stdio;
use std::time::Duration;

use e2e_support::{World, daemon_binary};
use runner_monitor::github::fake::FakeRunner;
use tokio::process::{Child, Command};

fn spawn_daemon(world: &World, config: &std::path::Path) -> Child {
    Command::new(daemon_binary())
        .args(["--config", config.to_str().unwrap()])
        .env_remove("RUNNER_MONITOR_CONFIG")
        .env("RUST_LOG", "warn")
        .envs(world.secret_env())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap()
}

const FLEET: usize = 12;

fn fleet_name(i: usize) -> String {
    format!("fleet-a{i:02}")
}

/// (opened, resolved) Slack messages per fleet runner.
fn per_runner(world: &World) -> BTreeMap<String, (usize, usize)> {
    let mut counts = BTreeMap::new();
    for message in world.messages() {
        for i in 0..FLEET {
            let name = fleet_name(i);
            if message.contains(&name) {
                let entry: &mut (usize, usize) = counts.entry(name).or_default();
                if message.contains("Resolved Outage") {
                    entry.1 += 1;
                } else {
                    entry.0 += 1;
                }
            }
        }
    }
    counts
}

async fn wait_listings(world: &World, more: u64) {
    let target = world.github.requests().listings + more;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while world.github.requests().listings < target {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the daemons stopped listing"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_daemons_on_one_sqlite_file_send_each_alert_exactly_once() {
    let world = World::start_as("twins").await;
    for i in 0..FLEET {
        world
            .github
            .add_runner(&world.api, FakeRunner::new(fleet_name(i)));
    }
    let config = world.write_config("127.0.0.1:0");
    // The first daemon creates and migrates the file; the second opens it after.
    let first = spawn_daemon(&world, &config);
    wait_listings(&world, 2).await;
    let second = spawn_daemon(&world, &config);
    // Both are cycling (each lists two scopes per cycle).
    wait_listings(&world, 8).await;

    // A slow Slack widens the window in which both dispatchers see the same due deliveries.
    world.slack.slow_next(2 * FLEET, Duration::from_millis(150));
    for i in 0..FLEET {
        world.github.set_online(&world.api, &fleet_name(i), false);
    }
    world.wait_messages(FLEET).await;
    // Let both daemons run more cycles: any duplicate would arrive now.
    wait_listings(&world, 12).await;
    for i in 0..FLEET {
        world.github.set_online(&world.api, &fleet_name(i), true);
    }
    world.wait_messages(2 * FLEET).await;
    wait_listings(&world, 12).await;

    let counts = per_runner(&world);
    let mut first = first;
    let mut second = second;
    first.start_kill().unwrap();
    second.start_kill().unwrap();
    let _ = first.wait().await;
    let _ = second.wait().await;
    assert_eq!(counts.len(), FLEET, "{counts:?}");
    for (runner, (opened, resolved)) in &counts {
        assert_eq!(
            (*opened, *resolved),
            (1, 1),
            "{runner}: exactly one opened and one resolved, got {counts:?}"
        );
    }
    assert_eq!(
        world.slack.received().len(),
        2 * FLEET,
        "nothing else was sent: {:?}",
        world.messages()
    );
}
