//! End to end, in process: the daemon (`host::daemon::Daemon`, what `examples/daemon.rs` runs)
//! against the fake GitHub, a loopback Slack webhook and a SQLite file.
#![cfg(feature = "host")]
#![allow(clippy::unwrap_used)]

mod e2e_support;

use std::time::Duration;

use e2e_support::{SIGNING_SECRET, World, wait_cycles, with_daemon};
use runner_monitor::host::build::Host;
use runner_monitor::host::daemon::Daemon;
use runner_monitor::host::secrets::SecretResolver;
use runner_monitor::slack::signature::sign;
use secrecy::SecretString;

async fn get(url: String) -> (u16, String) {
    let answer = reqwest::get(url).await.unwrap();
    (answer.status().as_u16(), answer.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outage_alert_recovery_and_the_endpoints() {
    let world = World::start_as("metrics").await;
    let world = &world;
    let daemon = Daemon::start(world.host("127.0.0.1:0").await)
        .await
        .unwrap();
    let addr = daemon.http_addr().unwrap();
    with_daemon(daemon, |health, _| async move {
        wait_cycles(&health, 1).await;
        world.github.set_online(&world.api, "build-1", false);
        let messages = world.wait_messages(1).await;
        assert!(messages[0].contains("build-1"), "{messages:?}");
        assert!(messages[0].contains("Alert"), "{messages:?}");

        let (status, body) = get(format!("http://{addr}/healthz")).await;
        assert_eq!(status, 200, "{body}");
        let (status, metrics) = get(format!("http://{addr}/metrics")).await;
        assert_eq!(status, 200);
        for expected in [
            r#"runner_monitor_runner_up{scope="metrics/api",runner="build-1"} 0"#,
            r#"runner_monitor_runner_up{scope="metrics/api",runner="build-2"} 1"#,
            r#"runner_monitor_runner_busy{scope="org:metrics",runner="gpu-1"} 0"#,
            r#"runner_monitor_open_outages{scope="metrics/api"} 1"#,
            r#"runner_monitor_outages_opened_total{scope="metrics/api"} 1"#,
            "runner_monitor_cycle_duration_seconds_bucket",
            r#"runner_monitor_deliveries_total{sink="slack",outcome="sent"}"#,
            "runner_monitor_deliveries_pending",
            "runner_monitor_github_rate_limit_remaining",
            r#"runner_monitor_runners{scope="org:metrics",status="Idle"} 1"#,
        ] {
            assert!(
                metrics.contains(expected),
                "missing {expected} in\n{metrics}"
            );
        }

        let http = reqwest::Client::new();
        let body = "command=%2Frunner-status&text=metrics%2Fapi";
        let ts = chrono::Utc::now().timestamp().to_string();
        let signature = sign(&SecretString::from(SIGNING_SECRET), &ts, body.as_bytes());
        let answer = http
            .post(format!("http://{addr}/slack/commands"))
            .header("X-Slack-Request-Timestamp", &ts)
            .header("X-Slack-Signature", signature)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 200);
        let text = answer.text().await.unwrap();
        assert!(
            text.contains("build-1") && text.contains("build-2"),
            "{text}"
        );
        let forged = http
            .post(format!("http://{addr}/slack/commands"))
            .header("X-Slack-Request-Timestamp", &ts)
            .header("X-Slack-Signature", "v0=00")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status(), 401);

        world.github.set_online(&world.api, "build-1", true);
        let messages = world.wait_messages(2).await;
        assert!(messages[1].contains("Recovered"), "{messages:?}");
        assert!(messages[1].contains("build-1"), "{messages:?}");
    })
    .await;
    assert_eq!(world.slack.received().len(), 2, "nothing else was sent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_mid_cycle_finishes_it_and_a_restart_repeats_nothing() {
    let world = World::start().await;
    let world = &world;
    let daemon = Daemon::start(world.host("127.0.0.1:0").await)
        .await
        .unwrap();
    with_daemon(daemon, |health, trigger| async move {
        wait_cycles(&health, 1).await;
        // Shutdown arrives while the next cycle is listing GitHub; its Slack post is slow.
        world.slack.slow_next(1, Duration::from_millis(300));
        let (fired, listed) = tokio::sync::oneshot::channel();
        world.github.after_page(&world.api, 1, move |_| {
            trigger.trigger();
            let _ = fired.send(());
        });
        world.github.set_online(&world.api, "build-1", false);
        listed.await.unwrap();
    })
    .await;
    let messages = world.messages();
    assert_eq!(
        messages.len(),
        1,
        "the cycle in progress was finished: {messages:?}"
    );
    assert!(messages[0].contains("build-1"), "{messages:?}");

    // Restart on the same SQLite file: the open outage is remembered, nothing is sent again.
    let daemon = Daemon::start(world.host("127.0.0.1:0").await)
        .await
        .unwrap();
    with_daemon(daemon, |health, _| async move {
        wait_cycles(&health, 3).await;
        assert_eq!(world.slack.received().len(), 1, "{:?}", world.messages());
        assert_eq!(health.status().body["last_cycle"]["open_outages"], 1);
        world.github.set_online(&world.api, "build-1", true);
        let messages = world.wait_messages(2).await;
        assert!(messages[1].contains("Recovered"), "{messages:?}");
    })
    .await;
    assert_eq!(world.slack.received().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delivery_that_failed_before_a_restart_is_sent_after_it() {
    let world = World::start().await;
    let world = &world;
    // First run: Slack unreachable (a closed port), so the alert stays in the outbox.
    let mut env = world.secret_env();
    env.insert(
        "E2E_SLACK_WEBHOOK".to_owned(),
        "http://127.0.0.1:9/services/T0/B0/closed".to_owned(),
    );
    let secrets = SecretResolver::from_map(env);
    let host = Host::build(world.config("127.0.0.1:0"), &secrets)
        .await
        .unwrap();
    let daemon = Daemon::start(host).await.unwrap();
    with_daemon(daemon, |health, _| async move {
        wait_cycles(&health, 1).await;
        world.github.set_online(&world.api, "build-1", false);
        let now = health.status().body["cycles"].as_u64().unwrap();
        wait_cycles(&health, now + 3).await;
    })
    .await;
    assert_eq!(world.slack.received().len(), 0);

    // Second run: Slack reachable; the pending alert is delivered, once.
    let daemon = Daemon::start(world.host("127.0.0.1:0").await)
        .await
        .unwrap();
    with_daemon(daemon, |health, _| async move {
        let messages = world.wait_messages(1).await;
        assert!(messages[0].contains("build-1"), "{messages:?}");
        let now = health.status().body["cycles"].as_u64().unwrap();
        wait_cycles(&health, now + 3).await;
    })
    .await;
    assert_eq!(world.slack.received().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_graceful_stop_sends_what_group_wait_holds_back() {
    let world = World::start_as("flush").await;
    let world = &world;
    let text = world
        .config_text("127.0.0.1:0")
        .replace("group_wait = \"0s\"", "group_wait = \"1h\"");
    let path = world.dir.path().join("flush.toml");
    std::fs::write(&path, text).unwrap();
    let config = runner_monitor::host::config::Loader::new()
        .file(path)
        .load()
        .unwrap();
    let host = Host::build(config, &world.secrets()).await.unwrap();
    let store = host.store.clone();
    let daemon = Daemon::start(host).await.unwrap();
    with_daemon(daemon, |health, _| async move {
        wait_cycles(&health, 1).await;
        world.github.set_online(&world.api, "build-1", false);
        // The outage opens; its alert is held for the hour of group_wait.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        while store
            .load(&world.api)
            .await
            .unwrap()
            .open_outages
            .is_empty()
        {
            assert!(tokio::time::Instant::now() < deadline, "no outage opened");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        wait_cycles(
            &health,
            health.status().body["cycles"].as_u64().unwrap_or(0) + 2,
        )
        .await;
        assert!(world.slack.received().is_empty(), "held by group_wait");
    })
    .await;
    // Stopped gracefully: the held alert went out before the daemon returned.
    let messages = world.messages();
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(messages[0].contains("build-1"), "{messages:?}");
}
