//! End to end with the real daemon process (`examples/daemon.rs`): `--once` exit codes, a broken
//! configuration file's message, SIGTERM in the middle of a cycle and a restart on the same SQLite
//! file. The example binary is the one `cargo test` builds next to this test.
#![cfg(all(feature = "host", unix))]
#![allow(clippy::unwrap_used)]

mod e2e_support;

use std::process::Stdio;
use std::time::Duration;

use e2e_support::{World, daemon_binary};
use tokio::process::Command;

fn daemon(world: &World, args: &[&str]) -> Command {
    let mut command = Command::new(daemon_binary());
    command
        .args(args)
        .env_remove("RUNNER_MONITOR_CONFIG")
        .env("RUST_LOG", "info")
        .envs(world.secret_env())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    command
}

async fn once(world: &World, config: &std::path::Path) -> (i32, String) {
    let output = daemon(world, &["--config", config.to_str().unwrap(), "--once"])
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    (
        output.status.code().unwrap_or(-1),
        format!("{stdout}{stderr}"),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn once_exits_0_healthy_1_outage_2_error() {
    let world = World::start().await;
    let config = world.write_config("127.0.0.1:0");

    let (code, output) = once(&world, &config).await;
    assert_eq!(code, 0, "{output}");
    assert!(output.starts_with("OK: 3 runners in 2 scopes"), "{output}");

    world.github.set_online(&world.api, "build-1", false);
    let (code, output) = once(&world, &config).await;
    assert_eq!(code, 1, "{output}");
    assert!(
        output.starts_with("OUTAGE: 1 open (acme/api 1)"),
        "{output}"
    );
    assert_eq!(world.wait_messages(1).await.len(), 1);

    world
        .github
        .inject(runner_monitor::github::fake::Fault::status(401).always());
    let (code, output) = once(&world, &config).await;
    assert_eq!(code, 2, "{output}");
    assert!(output.starts_with("ERROR: acme/api: "), "{output}");
    assert!(
        !output.contains(&world.slack.url()) && !output.contains("fake-github-token"),
        "{output}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_config_file_is_named_with_key_and_problem() {
    let world = World::start().await;
    let config = world.dir.path().join("monitor.toml");
    let text = world
        .config_text("127.0.0.1:0")
        .replace("open_after = \"0s\"", "open_after = \"soon\"");
    std::fs::write(&config, text).unwrap();
    let (code, output) = once(&world, &config).await;
    assert_eq!(code, 2, "{output}");
    assert!(output.contains(config.to_str().unwrap()), "{output}");
    assert!(output.contains("key `policy.open_after`"), "{output}");
    assert!(output.contains("soon"), "{output}");

    let output = daemon(
        &world,
        &["--config", config.to_str().unwrap(), "--check-config"],
    )
    .output()
    .await
    .unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_config_prints_the_effective_configuration_without_secrets() {
    let world = World::start().await;
    let config = world.write_config("127.0.0.1:0");
    let output = daemon(
        &world,
        &["--config", config.to_str().unwrap(), "--check-config"],
    )
    .output()
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("webhook_url = \"env:E2E_SLACK_WEBHOOK\""),
        "{stdout}"
    );
    assert!(stdout.contains("slash_commands.signing_secret <- env:E2E_SIGNING_SECRET: readable"));
    for secret in [world.slack.url(), e2e_support::SIGNING_SECRET.to_owned()] {
        assert!(!stdout.contains(&secret), "{stdout}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_mid_cycle_finishes_the_cycle_and_a_restart_repeats_nothing() {
    let world = World::start().await;
    let config = world.write_config("127.0.0.1:0");
    let child = daemon(&world, &["--config", config.to_str().unwrap()])
        .spawn()
        .unwrap();
    let pid = child.id().unwrap();

    // After a first complete cycle, build-1 goes offline; SIGTERM arrives while the next cycle
    // is listing acme/api, and the alert that cycle sends is slow.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while world.github.requests().listings < 2 {
        assert!(tokio::time::Instant::now() < deadline, "no cycle ran");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    world.slack.slow_next(1, Duration::from_millis(500));
    let (listed, during_listing) = tokio::sync::oneshot::channel();
    world.github.after_page(&world.api, 1, move |_| {
        let _ = listed.send(());
    });
    world.github.set_online(&world.api, "build-1", false);
    during_listing.await.unwrap();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    assert!(killed.success());

    let output = tokio::time::timeout(Duration::from_secs(30), child.wait_with_output())
        .await
        .expect("the daemon exits after SIGTERM")
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("shutdown requested"), "{stderr}");
    assert!(stderr.contains("stopping"), "{stderr}");
    let messages = world.messages();
    assert_eq!(
        messages.len(),
        1,
        "the alert of the cycle in progress was sent: {stderr}"
    );
    assert!(messages[0].contains("build-1"));

    // Restarted on the same SQLite file: the outage is still open, nothing is sent again.
    let (code, output) = once(&world, &config).await;
    assert_eq!(code, 1, "{output}");
    assert_eq!(world.slack.received().len(), 1);
}
